/*
 * Memory map summary. Source, in order of preference: MB2 tag 6 (what every loader gives), tag 17 (the
 * EFI memory map, when the loader exited boot services), tag 4 (lower/upper memory sizes only).
 * Adjacent ranges of the same kind are merged so that an EFI map with a hundred descriptors still reads
 * as a few lines.
 */
#include "kernel.h"
#include "multiboot2.h"

enum kind { AVAILABLE, RESERVED, ACPI_RECLAIMABLE, ACPI_NVS, BAD, KIND_COUNT };
static const char *const kind_names[KIND_COUNT] = { "available", "reserved", "acpi-reclaimable", "acpi-nvs", "bad" };

#define MAX_LINES 24

static struct {
    uint64_t base, end;
    enum kind kind;
    bool open;
    unsigned lines, dropped;
    uint64_t total_available;
} acc;

static void flush(void)
{
    if (!acc.open)
        return;
    if (acc.lines < MAX_LINES) {
        kprintf("mmap: [0x%016llx-0x%016llx] %s\n", (unsigned long long)acc.base, (unsigned long long)(acc.end - 1),
                kind_names[acc.kind]);
        acc.lines++;
    } else {
        acc.dropped++;
    }
    acc.open = false;
}

static void add(uint64_t base, uint64_t length, enum kind kind)
{
    if (!length)
        return;
    if (kind == AVAILABLE)
        acc.total_available += length;
    if (acc.open && acc.kind == kind && acc.end == base) {
        acc.end += length;
        return;
    }
    flush();
    acc.base = base;
    acc.end = base + length;
    acc.kind = kind;
    acc.open = true;
}

static enum kind mb2_kind(uint32_t type)
{
    switch (type) {
    case 1: return AVAILABLE;
    case 3: return ACPI_RECLAIMABLE;
    case 4: return ACPI_NVS;
    case 5: return BAD;
    default: return RESERVED;
    }
}

/* EFI memory types (UEFI 2.10, 7.2): what the OS owns once boot services are gone counts as available. */
static enum kind efi_kind(uint32_t type)
{
    switch (type) {
    case 1: case 2: case 3: case 4: case 7: return AVAILABLE; /* loader/boot services code+data, conventional */
    case 8: return BAD;                                        /* unusable */
    case 9: return ACPI_RECLAIMABLE;
    case 10: return ACPI_NVS;
    default: return RESERVED;
    }
}

void memmap_report(void)
{
    const struct mbi_tag *t;
    if ((t = mbi_find(NULL, MB2_TAG_MMAP))) {
        const struct mb2_mmap_tag *m = (const void *)t;
        if (m->entry_size < sizeof(struct mb2_mmap_entry) || t->size < sizeof *m) {
            kprintf("mmap: tag 6 with bad entry_size %u\n", m->entry_size);
            return;
        }
        unsigned n = (t->size - sizeof *m) / m->entry_size;
        kprintf("mmap: source=tag 6 (multiboot2 memory map) entries=%u\n", n);
        for (unsigned i = 0; i < n; i++) {
            const struct mb2_mmap_entry *e = (const void *)(m->entries + i * m->entry_size);
            add(e->base, e->length, mb2_kind(e->type));
        }
    } else if ((t = mbi_find(NULL, MB2_TAG_EFI_MMAP))) {
        const struct mb2_efi_mmap_tag *m = (const void *)t;
        if (m->descriptor_size < 40 || t->size < sizeof *m) {
            kprintf("mmap: tag 17 with bad descriptor_size %u\n", m->descriptor_size);
            return;
        }
        unsigned n = (t->size - sizeof *m) / m->descriptor_size;
        kprintf("mmap: source=tag 17 (EFI memory map) entries=%u\n", n);
        for (unsigned i = 0; i < n; i++) {
            /* EFI_MEMORY_DESCRIPTOR: Type u32 @0, PhysicalStart u64 @8, VirtualStart @16, NumberOfPages @24 */
            const uint8_t *d = m->descriptors + i * m->descriptor_size;
            add(*(const uint64_t *)(d + 8), *(const uint64_t *)(d + 24) * 4096, efi_kind(*(const uint32_t *)d));
        }
    } else if ((t = mbi_find(NULL, MB2_TAG_BASIC_MEMINFO))) {
        const struct mb2_meminfo_tag *m = (const void *)t;
        kprintf("mmap: source=tag 4 (basic memory information) lower=%u KiB upper=%u KiB\n", m->mem_lower, m->mem_upper);
        add(0, (uint64_t)m->mem_lower * 1024, AVAILABLE);
        add(0x100000, (uint64_t)m->mem_upper * 1024, AVAILABLE);
    } else {
        kprintf("mmap: none (no MB2 tag 6, 17 or 4)\n");
        return;
    }
    flush();
    if (acc.dropped)
        kprintf("mmap: ... %u more ranges not shown\n", acc.dropped);
    kprintf("mmap: total available %llu KiB\n", (unsigned long long)(acc.total_available >> 10));
}
