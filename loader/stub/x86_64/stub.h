/* The loader stub's shared declarations. Freestanding: no libc, no SSE, position independent. */
#ifndef NOVA_STUB_H
#define NOVA_STUB_H

#include "layout.h"

#pragma GCC visibility push(hidden)

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned long usize;
typedef long isize;

#define NULL ((void *)0)
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((u64)(a) - 1))
#define PAGE 0x1000ULL
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* ---- console.c: fatal errors only (the kernel owns the console on success) ---- */
void fatal(const char *msg, u64 value) __attribute__((noreturn));
void fatal2(const char *msg, const char *detail) __attribute__((noreturn));

/* ---- lib.c ---- */
void *memcpy(void *dst, const void *src, usize n);
void *memmove(void *dst, const void *src, usize n);
void *memset(void *dst, int c, usize n);
int memcmp(const void *a, const void *b, usize n);
usize strlen(const char *s);
void str_append(char *dst, usize cap, const char *src);
void str_append_n(char *dst, usize cap, const char *src, usize n);

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* ---- stub_info (entry.S) ---- */
struct stub_info {
    char magic[8];
    u32 version;
    u32 pm_file_offset;
    u32 catalog_offset;
    u32 catalog_size;
    u32 file_size;
    u32 reserved;
};
extern struct stub_info stub_info;
extern char entry32_linux[];

/* ---- what the boot path told us, copied out before anything is overwritten ---- */
#define MAX_MMAP 160
#define MAX_CMDLINE 4096
struct mmap_entry { u64 base, length; u32 type; };
struct boot_facts {
    int path;                       /* PATH_LINUX / PATH_MB2 / PATH_UEFI */
    char original_loader[128];      /* "GRUB 2.06", "QEMU", "EDK II" ... */
    char cmdline[MAX_CMDLINE];      /* what the original loader passed */
    struct mmap_entry mmap[MAX_MMAP];
    u32 mmap_count;
    u8 rsdp[36];
    u32 rsdp_length;                /* 0: none, 20: ACPI 1.0, 36: ACPI 2.0+ */
    u64 efi_system_table;           /* 0 when boot services are not available */
    u64 efi_image_handle;
};
extern struct boot_facts facts;

void collect_linux(u64 boot_params);
void collect_mb2(u64 mbi);
void find_rsdp_bios(void);
void set_rsdp(const u8 *rsdp);
/* Gives [lo, hi) the memory-map type `type` (splitting the entries it overlaps), as a BIOS would report it. */
void mmap_mark(u64 lo, u64 hi, u32 type);
#define MB2_MEMORY_ACPI_RECLAIMABLE 3

/* ---- catalog.c ---- */
#include "../payloads.h"
u8 *image_base_of_file(void);       /* memory address of file offset 0 (only offsets >= S are mapped) */
u64 image_memory_start(void);
u64 image_memory_end(void);
void read_catalog(void);

/* ---- kernel.c: the Multiboot2 kernel ---- */
struct kernel_plan {
    u64 lo, hi;                     /* physical range of the PT_LOAD segments (unshifted) */
    u64 shift;                      /* chosen relocation */
    u64 entry_i386;                 /* unshifted */
    u64 entry_efi64;                /* unshifted, 0 if no tag 9 */
    int keep_boot_services;         /* tag 7 */
    int relocatable;                /* tag 10 */
    u32 reloc_min, reloc_max, reloc_align, reloc_pref;
};
extern struct kernel_plan kplan;
void kernel_parse(const struct payload *k);
/* Chooses the shift: calls range_free(lo, hi) for candidate placements. */
void kernel_place(int (*range_free)(u64 lo, u64 hi));
void kernel_copy(const struct payload *k);

/* ---- mem.c: placement without firmware (BIOS paths) ---- */
void mem_reserve(u64 lo, u64 hi);
int mem_range_free(u64 lo, u64 hi);
u64 mem_alloc(u64 size);

/* ---- mbi.c ---- */
struct mbi_efi_map { const u8 *map; u64 size; u64 desc_size; u32 desc_version; };
usize mbi_build(u8 *buf, usize cap, const struct mbi_efi_map *efi_map, int boot_services_kept);

/* ---- acpi.c: ACPI table overrides (catalog type 5) ---- */
int acpi_overrides_present(void);
u64 acpi_overrides_size(void);
u64 acpi_apply_overrides(u8 *area);

/* ---- pci.c ---- */
void pci_disable_bus_masters(void);

/* ---- efi.c ---- */
void efi_run(u64 image_handle, u64 system_table) __attribute__((noreturn));

/* ---- trampoline.S ---- */
extern char trampoline_start[], trampoline_end[];
void enter_efi64(u64 entry, u64 mbi) __attribute__((noreturn));
void enter_i386_via(u64 trampoline_copy, u64 entry, u64 mbi) __attribute__((noreturn));

#endif
