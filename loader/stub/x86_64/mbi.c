/*
 * The Multiboot2 information structure handed to the kernel (Multiboot2 spec 1.0 / 2.0, section 3.6):
 * tags 1 (command line), 2 (boot loader name), 3 (modules: root task first), 4 (basic memory), 6 (memory
 * map), 14/15 (RSDP), 21 (load base), and on UEFI 12 + 20 (system table, image handle) plus 18 (boot
 * services not terminated) or 17 (EFI memory map as it was at ExitBootServices). Builds into a caller
 * buffer without calling firmware, so it can run between GetMemoryMap and ExitBootServices.
 */
#include "stub.h"

struct writer { u8 *buf; usize cap, len; };

static u8 *tag_begin(struct writer *w, u32 type, usize payload)
{
    usize need = ALIGN_UP(w->len, 8) + 8 + payload;
    if (need > w->cap) fatal("Multiboot2 information does not fit its buffer, needs", need);
    w->len = ALIGN_UP(w->len, 8);
    u8 *t = w->buf + w->len;
    memset(t, 0, 8 + payload);
    *(u32 *)t = type;
    *(u32 *)(t + 4) = (u32)(8 + payload);
    w->len += 8 + payload;
    return t + 8;
}

static void tag_string(struct writer *w, u32 type, const char *a, const char *b)
{
    usize la = strlen(a), lb = b ? strlen(b) : 0;
    u8 *p = tag_begin(w, type, la + lb + 1);
    memcpy(p, a, la);
    memcpy(p + la, b ? b : "", lb);
}

static const char *path_name(int path)
{
    return path == PATH_UEFI ? "uefi" : path == PATH_LINUX ? "linux" : "multiboot2";
}

/* UEFI memory types -> Multiboot2/E820 types, as GRUB translates them. */
static u32 efi_to_mb2_type(u32 efi_type)
{
    switch (efi_type) {
    case 1: case 2: case 3: case 4: case 7: return 1;     /* loader/boot services code+data, conventional */
    case 9: return 3;                                       /* ACPI reclaim */
    case 10: return 4;                                      /* ACPI NVS */
    case 8: return 5;                                       /* unusable */
    default: return 2;
    }
}

/* Entry i of the memory map in Multiboot2 terms: from the UEFI map when there is one, else from the path's map. */
static struct mmap_entry map_entry(const struct mbi_efi_map *efi, usize i)
{
    if (!efi) return facts.mmap[i];
    const u8 *d = efi->map + i * efi->desc_size;
    return (struct mmap_entry){ *(const u64 *)(d + 8), *(const u64 *)(d + 24) << 12, efi_to_mb2_type(*(const u32 *)d) };
}

static usize map_count(const struct mbi_efi_map *efi) { return efi ? efi->size / efi->desc_size : facts.mmap_count; }

static void tag_mmap(struct writer *w, const struct mbi_efi_map *efi)
{
    /* Worst case one entry per source entry; shrink the size field afterwards. */
    usize max = map_count(efi);
    u8 *p = tag_begin(w, 6, 8 + 24 * max);
    u32 *hdr = (u32 *)p;
    hdr[0] = 24;
    hdr[1] = 0;
    u8 *e = p + 8;
    usize n = 0;
    for (usize i = 0; i < max; i++) {
        struct mmap_entry m = map_entry(efi, i);
        u64 base = m.base, len = m.length;
        u32 type = m.type;
        u8 *prev = e + (n - 1) * 24;
        if (n && *(u32 *)(prev + 16) == type && *(u64 *)prev + *(u64 *)(prev + 8) == base) {
            *(u64 *)(prev + 8) += len;      /* merge neighbours of the same type */
            continue;
        }
        *(u64 *)(e + n * 24) = base;
        *(u64 *)(e + n * 24 + 8) = len;
        *(u32 *)(e + n * 24 + 16) = type;
        *(u32 *)(e + n * 24 + 20) = 0;
        n++;
    }
    usize unused = (max - n) * 24;
    *(u32 *)(p - 4) -= (u32)unused;
    w->len -= unused;
}

static void tag_basic_meminfo(struct writer *w, const struct mbi_efi_map *efi)
{
    /* mem_lower: KiB of RAM from 0 (at most 640); mem_upper: KiB of RAM contiguous from 1 MiB. */
    u64 lower = 0, upper = 0;
    for (int pass = 0; pass < 4; pass++) {
        usize count = map_count(efi);
        for (usize i = 0; i < count; i++) {
            struct mmap_entry m = map_entry(efi, i);
            u64 base = m.base, len = m.length;
            u32 type = m.type;
            if (type != 1) continue;
            if (base <= lower && base + len > lower && base < 0xa0000) lower = base + len;
            if (base <= 0x100000 + upper && base + len > 0x100000 + upper) upper = base + len - 0x100000;
        }
    }
    if (lower > 0xa0000) lower = 0xa0000;
    u32 *p = (u32 *)tag_begin(w, 4, 8);
    p[0] = (u32)(lower >> 10);
    p[1] = (u32)(upper >> 10 > 0xffffffffULL ? 0xffffffffULL : upper >> 10);
}

usize mbi_build(u8 *buf, usize cap, const struct mbi_efi_map *efi, int boot_services_kept)
{
    struct writer w = { buf, cap, 8 };
    if (cap < 16) fatal("Multiboot2 information buffer too small", cap);

    /* tag 1: the image's command line, then what the original loader passed */
    static char cmdline[MAX_CMDLINE + 1024];
    cmdline[0] = 0;
    const struct payload *c = find_payload(CAT_CMDLINE);
    if (c) str_append_n(cmdline, sizeof cmdline, (const char *)c->data, c->size);
    if (facts.cmdline[0]) {
        if (cmdline[0]) str_append(cmdline, sizeof cmdline, " ");
        str_append(cmdline, sizeof cmdline, facts.cmdline);
    }
    tag_string(&w, 1, cmdline, NULL);

    static char name[160];
    name[0] = 0;
    str_append(name, sizeof name, "nova-image/");
    str_append(name, sizeof name, path_name(facts.path));
    str_append(name, sizeof name, " via ");
    str_append(name, sizeof name, facts.original_loader);
    tag_string(&w, 2, name, NULL);

    /* tag 3: root task first, then the modules in catalog order; they stay in place inside the image */
    for (int pass = 0; pass < 2; pass++)
        for (u32 i = 0; i < payload_count; i++) {
            const struct payload *p = &payloads[i];
            if (p->type != (pass == 0 ? CAT_ROOT : CAT_MODULE)) continue;
            u64 start = (u64)p->data;
            if (start + p->size > 0x100000000ULL) fatal("module above 4 GiB at", start);
            u8 *t = tag_begin(&w, 3, 8 + strlen(p->name) + 1);
            *(u32 *)t = (u32)start;
            *(u32 *)(t + 4) = (u32)(start + p->size);
            memcpy(t + 8, p->name, strlen(p->name));
        }

    tag_basic_meminfo(&w, efi);
    tag_mmap(&w, efi);

    if (facts.rsdp_length) {
        memcpy(tag_begin(&w, 14, 20), facts.rsdp, 20);
        if (facts.rsdp_length == 36) memcpy(tag_begin(&w, 15, 36), facts.rsdp, 36);
    }

    *(u32 *)tag_begin(&w, 21, 4) = (u32)(kplan.lo + kplan.shift);

    if (facts.efi_system_table) {
        *(u64 *)tag_begin(&w, 12, 8) = facts.efi_system_table;
        *(u64 *)tag_begin(&w, 20, 8) = facts.efi_image_handle;
        if (boot_services_kept) {
            tag_begin(&w, 18, 0);
        } else if (efi) {
            u8 *t = tag_begin(&w, 17, 8 + efi->size);
            *(u32 *)t = (u32)efi->desc_size;
            *(u32 *)(t + 4) = efi->desc_version;
            memcpy(t + 8, efi->map, efi->size);
        }
    }

    tag_begin(&w, 0, 0);
    *(u32 *)buf = (u32)w.len;
    *(u32 *)(buf + 4) = 0;
    return w.len;
}
