/*
 * The payload kernel: its Multiboot2 header (first 32 KiB, 8-byte aligned) and its ELF32/ELF64 PT_LOAD
 * segments, loaded at p_paddr or, when the header has the relocatable tag (10), all shifted by the same
 * multiple of its alignment -- the way GRUB loads a Multiboot2 ELF.
 */
#include "stub.h"

#define MB2_HEADER_MAGIC 0xe85250d6u
#define MB2_SEARCH 32768
#define PT_LOAD 1

struct kernel_plan kplan;
static u32 entry_tag_addr;          /* tag 3, 0 if absent */

struct elf_seg { u64 offset, paddr, vaddr, filesz, memsz; };
static struct elf_seg segs[32];
static u32 nsegs;
static u64 elf_entry;

static void parse_mb2_header(const struct payload *k)
{
    u64 limit = k->size < MB2_SEARCH ? k->size : MB2_SEARCH;
    for (u64 off = 0; off + 16 <= limit; off += 8) {
        const u32 *h = (const u32 *)(k->data + off);
        if (h[0] != MB2_HEADER_MAGIC) continue;
        if ((u32)(h[0] + h[1] + h[2] + h[3]) != 0) continue;
        u32 len = h[2];
        if (off + len > k->size) fatal("kernel Multiboot2 header runs past the file at offset", off);
        for (u32 t = 16; t + 8 <= len;) {
            const u8 *tag = k->data + off + t;
            u16 type = *(const u16 *)tag;
            u32 size = *(const u32 *)(tag + 4);
            if (type == 0) break;
            if (size < 8) fatal("kernel Multiboot2 header: tag size below 8 at offset", off + t);
            const u32 *v = (const u32 *)(tag + 8);
            switch (type) {
            case 3: entry_tag_addr = v[0]; break;
            case 7: kplan.keep_boot_services = 1; break;
            case 9: kplan.entry_efi64 = v[0]; break;
            case 10:
                kplan.relocatable = 1;
                kplan.reloc_min = v[0];
                kplan.reloc_max = v[1];
                kplan.reloc_align = v[2];
                kplan.reloc_pref = v[3];
                break;
            }
            t += (size + 7) & ~7u;
        }
        return;
    }
    fatal2("kernel has no Multiboot2 header in its first 32 KiB", NULL);
}

static void parse_elf(const struct payload *k)
{
    const u8 *e = k->data;
    if (k->size < 52 || memcmp(e, "\177ELF", 4)) fatal2("kernel is not an ELF file", NULL);
    int is64 = e[4] == 2;
    u64 phoff = is64 ? *(const u64 *)(e + 0x20) : *(const u32 *)(e + 0x1c);
    u16 phentsize = *(const u16 *)(e + (is64 ? 0x36 : 0x2a));
    u16 phnum = *(const u16 *)(e + (is64 ? 0x38 : 0x2c));
    elf_entry = is64 ? *(const u64 *)(e + 0x18) : *(const u32 *)(e + 0x18);
    if (phoff + (u64)phentsize * phnum > k->size) fatal("kernel program headers outside the file, phoff", phoff);
    kplan.lo = ~0ULL;
    kplan.hi = 0;
    for (u32 i = 0; i < phnum; i++) {
        const u8 *ph = e + phoff + (u64)i * phentsize;
        if (*(const u32 *)ph != PT_LOAD) continue;
        struct elf_seg s;
        if (is64) {
            s = (struct elf_seg){ *(const u64 *)(ph + 8), *(const u64 *)(ph + 0x18), *(const u64 *)(ph + 0x10),
                                  *(const u64 *)(ph + 0x20), *(const u64 *)(ph + 0x28) };
        } else {
            s = (struct elf_seg){ *(const u32 *)(ph + 4), *(const u32 *)(ph + 0xc), *(const u32 *)(ph + 8),
                                  *(const u32 *)(ph + 0x10), *(const u32 *)(ph + 0x14) };
        }
        if (!s.memsz) continue;
        if (s.offset + s.filesz > k->size || s.filesz > s.memsz) fatal("kernel PT_LOAD outside the file, index", i);
        if (nsegs == 32) fatal("kernel has too many PT_LOAD segments", phnum);
        segs[nsegs++] = s;
        if (s.paddr < kplan.lo) kplan.lo = s.paddr;
        if (s.paddr + s.memsz > kplan.hi) kplan.hi = s.paddr + s.memsz;
    }
    if (!nsegs) fatal2("kernel has no PT_LOAD segment", NULL);
    if (kplan.hi > 0x100000000ULL) fatal("kernel must be loaded below 4 GiB, ends at", kplan.hi);
}

/* e_entry is virtual; the Multiboot2 entry is physical: translate through the segment that holds it. */
static u64 physical_entry(u64 vaddr)
{
    for (u32 i = 0; i < nsegs; i++)
        if (vaddr >= segs[i].vaddr && vaddr < segs[i].vaddr + segs[i].memsz)
            return vaddr - segs[i].vaddr + segs[i].paddr;
    return vaddr;
}

void kernel_parse(const struct payload *k)
{
    parse_mb2_header(k);
    parse_elf(k);
    kplan.entry_i386 = entry_tag_addr ? entry_tag_addr : physical_entry(elf_entry);
}

void kernel_place(int (*range_free)(u64 lo, u64 hi))
{
    u64 lo = kplan.lo, hi = ALIGN_UP(kplan.hi, PAGE) ;
    if (range_free(lo, hi)) {
        kplan.shift = 0;
        return;
    }
    if (!kplan.relocatable) fatal("kernel load range is not free RAM and the kernel is not relocatable, at", lo);
    u64 align = kplan.reloc_align ? kplan.reloc_align : 0x200000;
    u64 size = hi - lo;
    u64 max_end = (u64)kplan.reloc_max + 1 < 0x100000000ULL ? (u64)kplan.reloc_max + 1 : 0x100000000ULL;
    /* Bases are multiples of the alignment, so the shift is one too (lo itself is aligned in practice;
     * keep its offset inside the alignment unit otherwise). Walk in the header's preferred direction. */
    u64 first = ALIGN_UP(kplan.reloc_min, align) + (lo & (align - 1));
    if (first + size > max_end) fatal("relocatable kernel does not fit between min_addr and max_addr, size", size);
    u64 last = first + ((max_end - size - first) / align) * align;
    int high = kplan.reloc_pref == 2;
    for (u64 i = 0, n = (last - first) / align + 1; i < n; i++) {
        u64 cand = high ? last - i * align : first + i * align;
        if (range_free(cand, cand + size)) {
            kplan.shift = cand - lo;
            return;
        }
    }
    fatal("no free RAM for the relocatable kernel, size", hi - lo);
}

void kernel_copy(const struct payload *k)
{
    for (u32 i = 0; i < nsegs; i++) {
        u8 *dst = (u8 *)(segs[i].paddr + kplan.shift);
        memcpy(dst, k->data + segs[i].offset, segs[i].filesz);
        memset(dst + segs[i].filesz, 0, segs[i].memsz - segs[i].filesz);
    }
}
