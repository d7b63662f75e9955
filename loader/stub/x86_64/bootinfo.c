/*
 * Collects what each boot path provides (memory map, command line, ACPI RSDP, EFI handles) into `facts`,
 * copying everything, so the original structures may be overwritten afterwards.
 */
#include "stub.h"

struct boot_facts facts;

/* ---- Linux boot protocol: boot_params (zero page) ---- */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_TYPE_OF_LOADER 0x210
#define BP_CMD_LINE_PTR 0x228
#define BP_CMDLINE_SIZE 0x238
#define BP_E820_TABLE 0x2d0
#define E820_MAX_ENTRIES_ZEROPAGE 128

static const char *linux_loader_name(u8 type_of_loader)
{
    /* Documentation/arch/x86/boot.rst, "type_of_loader" */
    if (type_of_loader == 0xff) return "undefined loader";
    switch (type_of_loader >> 4) {
    case 0x0: return "LILO";
    case 0x1: return "Loadlin";
    case 0x3: return "SYSLINUX";
    case 0x4: return "iPXE";
    case 0x5: return "ELILO";
    case 0x7: return "GRUB";
    case 0x8: return "U-Boot";
    case 0x9: return "Xen";
    case 0xa: return "Gujin";
    case 0xb: return "QEMU";
    case 0xd: return "kexec-tools";
    default: return "unknown loader";
    }
}

static void add_mmap(u64 base, u64 length, u32 type)
{
    if (!length) return;
    if (facts.mmap_count == MAX_MMAP) fatal("memory map has too many entries, max", MAX_MMAP);
    facts.mmap[facts.mmap_count++] = (struct mmap_entry){ base, length, type };
}

void mmap_mark(u64 lo, u64 hi, u32 type)
{
    static struct mmap_entry out[MAX_MMAP];
    u32 n = 0;
    int placed = 0;
    for (u32 i = 0; i < facts.mmap_count; i++) {
        struct mmap_entry m = facts.mmap[i];
        u64 end = m.base + m.length;
        if (end <= lo || m.base >= hi) {
            if (!placed && m.base >= hi) {
                if (n == MAX_MMAP) fatal("memory map has too many entries, max", MAX_MMAP);
                out[n++] = (struct mmap_entry){ lo, hi - lo, type };
                placed = 1;
            }
            if (n == MAX_MMAP) fatal("memory map has too many entries, max", MAX_MMAP);
            out[n++] = m;
            continue;
        }
        if (n + 3 > MAX_MMAP) fatal("memory map has too many entries, max", MAX_MMAP);
        if (m.base < lo) out[n++] = (struct mmap_entry){ m.base, lo - m.base, m.type };
        if (!placed) {
            out[n++] = (struct mmap_entry){ lo, hi - lo, type };
            placed = 1;
        }
        if (end > hi) out[n++] = (struct mmap_entry){ hi, end - hi, m.type };
    }
    if (!placed) {
        if (n == MAX_MMAP) fatal("memory map has too many entries, max", MAX_MMAP);
        out[n++] = (struct mmap_entry){ lo, hi - lo, type };
    }
    memcpy(facts.mmap, out, n * sizeof out[0]);
    facts.mmap_count = n;
}

void set_rsdp(const u8 *rsdp)
{
    u32 len = rsdp[15] >= 2 ? 36 : 20;
    memcpy(facts.rsdp, rsdp, len);
    facts.rsdp_length = len;
}

static int rsdp_valid(const u8 *p)
{
    if (memcmp(p, "RSD PTR ", 8)) return 0;
    u8 sum = 0;
    for (int i = 0; i < 20; i++) sum += p[i];
    return sum == 0;
}

/* ACPI 6.5 5.2.5.1: the first KiB of the EBDA, then 0xe0000..0xfffff, on 16-byte boundaries. */
void find_rsdp_bios(void)
{
    u64 bda_ebda = 0x40e;   /* BIOS data area: EBDA segment (hidden from gcc's null-page bounds check) */
    __asm__("" : "+r"(bda_ebda));
    u64 ebda = (u64)(*(volatile u16 *)bda_ebda) << 4;
    if (ebda >= 0x80000 && ebda < 0xa0000)
        for (u64 p = ebda; p < ebda + 1024; p += 16)
            if (rsdp_valid((const u8 *)p)) return set_rsdp((const u8 *)p);
    for (u64 p = 0xe0000; p < 0x100000; p += 16)
        if (rsdp_valid((const u8 *)p)) return set_rsdp((const u8 *)p);
}

void collect_linux(u64 boot_params)
{
    const u8 *bp = (const u8 *)boot_params;
    facts.path = PATH_LINUX;
    str_append(facts.original_loader, sizeof facts.original_loader, linux_loader_name(bp[BP_TYPE_OF_LOADER]));
    u64 cmd = *(const u32 *)(bp + BP_CMD_LINE_PTR) | ((u64) * (const u32 *)(bp + BP_EXT_CMD_LINE_PTR) << 32);
    if (cmd) str_append(facts.cmdline, sizeof facts.cmdline, (const char *)cmd);
    u32 n = bp[BP_E820_ENTRIES];
    if (n > E820_MAX_ENTRIES_ZEROPAGE) n = E820_MAX_ENTRIES_ZEROPAGE;
    for (u32 i = 0; i < n; i++) {
        const u8 *e = bp + BP_E820_TABLE + 20 * i;
        add_mmap(*(const u64 *)e, *(const u64 *)(e + 8), *(const u32 *)(e + 16));
    }
    if (!facts.mmap_count) fatal2("Linux boot path: boot_params has no E820 memory map", NULL);
    u64 rsdp = *(const u64 *)(bp + BP_ACPI_RSDP_ADDR);
    if (rsdp && rsdp_valid((const u8 *)rsdp)) set_rsdp((const u8 *)rsdp);
    else find_rsdp_bios();
}

/* ---- Multiboot2 information structure from the original loader ---- */
void collect_mb2(u64 mbi)
{
    facts.path = PATH_MB2;
    const u8 *p = (const u8 *)mbi;
    u32 total = *(const u32 *)p;
    int bs_kept = 0;
    for (u32 off = 8; off + 8 <= total;) {
        u32 type = *(const u32 *)(p + off), size = *(const u32 *)(p + off + 4);
        const u8 *t = p + off;
        if (type == 0 || size < 8) break;
        switch (type) {
        case 1: str_append_n(facts.cmdline, sizeof facts.cmdline, (const char *)t + 8, size - 8); break;
        case 2:
            str_append_n(facts.original_loader, sizeof facts.original_loader, (const char *)t + 8, size - 8);
            break;
        case 6: {
            u32 esize = *(const u32 *)(t + 8);
            if (esize < 24) fatal("Multiboot2 memory map entry size too small", esize);
            for (u32 e = 16; e + esize <= size; e += esize)
                add_mmap(*(const u64 *)(t + e), *(const u64 *)(t + e + 8), *(const u32 *)(t + e + 16));
            break;
        }
        case 14:
            if (!facts.rsdp_length && size >= 8 + 20) set_rsdp(t + 8);
            break;
        case 15:
            if (size >= 8 + 36) set_rsdp(t + 8);
            break;
        case 12: facts.efi_system_table = *(const u64 *)(t + 8); break;
        case 20: facts.efi_image_handle = *(const u64 *)(t + 8); break;
        case 18: bs_kept = 1; break;
        }
        off += (size + 7) & ~7u;
    }
    if (!bs_kept) facts.efi_system_table = facts.efi_image_handle = 0;
    if (!facts.original_loader[0]) str_append(facts.original_loader, sizeof facts.original_loader, "unknown loader");
    if (!facts.rsdp_length && !facts.efi_system_table) find_rsdp_bios();
}
