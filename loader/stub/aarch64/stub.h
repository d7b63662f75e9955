/*
 * The aarch64 loader stub of the mono-image: shared declarations. Freestanding, position independent (no
 * absolute relocations, checked by the Makefile), strict alignment (it runs with the MMU off on two paths).
 */
#pragma once
#include "lib/elf64.h"
#include "lib/mb2.h"
#include "lib/string.h"
#include "lib/types.h"

#define PAGE 0x1000UL
enum boot_path { PATH_LINUX = 1, PATH_MB2 = 2, PATH_UEFI = 3 };

/* stub_info: at a fixed place in the stub's first page, filled in by the composer (loader/aarch64). */
#define STUB_FLAG_LEGACY_LAUNCH 1u
struct stub_info {
  char magic[8];       /* "NOVASTUB" */
  u32 version;         /* 1 */
  u32 stub_offset;     /* file offset of the stub (where stub_header starts) */
  u32 catalog_offset;  /* file offset of the payload catalog */
  u32 catalog_size;
  u32 file_size;
  u32 flags;           /* STUB_FLAG_* */
};
extern const struct stub_info stub_info;
extern char stub_header[];

/* console.c: the stub is silent on success; errors go to the UEFI console or the PL011 and stop. */
void fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void console_use_efi(void *con_out);
void console_use_uart(u64 base);

/* What the boot path told us, copied before anything is overwritten. */
#define MAX_RANGES 64
struct range { u64 lo, hi; };
struct boot_facts {
  int path;
  char original_loader[96];
  char cmdline[2048];
  struct range ram[MAX_RANGES];
  u32 ram_count;
  const void *fdt;       /* as found; copied before the kernel starts */
  const u8 *rsdp;        /* as found (36 or 20 bytes) */
  u32 rsdp_length;
  u64 efi_system_table, efi_image_handle;
};
extern struct boot_facts facts;
void collect_fdt(const void *fdt);
void collect_mb2(const void *mbi);
const char *path_name(int path);
void append(char *dst, usize cap, const char *src, usize n);

/* catalog.c */
#include "../payloads.h"
u64 image_base(void);
u64 image_end(void);
void read_catalog(void);

/* place.c: placement in RAM without firmware (Linux and Multiboot2 paths) */
void mem_reserve(u64 lo, u64 hi);
int mem_range_free(u64 lo, u64 hi);
u64 mem_alloc(u64 size, u64 align);

/* kernel.c: the Multiboot2 kernel ELF */
struct kernel_plan {
  u64 lo, hi;        /* physical range of the PT_LOAD segments before the shift */
  u64 shift;
  u64 entry;         /* physical, before the shift */
  int keep_boot_services, relocatable;
  u32 reloc_min, reloc_max, reloc_align;
};
extern struct kernel_plan kplan;
void kernel_parse(const struct payload *k);
void kernel_place(int (*try_range)(u64 lo, u64 hi));
void kernel_copy(const struct payload *k);

/* mbi.c */
struct efi_map { const u8 *map; u64 size, desc_size; u32 desc_version; };
usize mbi_build(u8 *buf, usize cap, const void *fdt_copy, u64 fdt_size, const struct efi_map *efi, int bs_kept);

/* abort.c: after a fatal error, give control back (UEFI Exit) or power off (PSCI), never hang. */
void __attribute__((noreturn)) stub_abort(void);
int efi_abort(void);
u64 psci_system_off(u64 use_hvc);

/* entry.S */
void dcache_clean_inval(u64 lo, u64 hi);
void __attribute__((noreturn)) launch(u64 entry, u64 x0, u64 x1);

/* acpi.c: ACPI table overrides (catalog type 5) */
extern struct range acpi_area;   /* what the kernel reads with its MMU off; empty when none */
int acpi_overrides_present(void);
void acpi_overrides_need_firmware_tables(void);
u64 acpi_overrides_size(void);
const u8 *acpi_apply_overrides(u8 *area, u64 size);

/* dma.c */
void quiesce_bus_masters(void);

/* main.c */
void __attribute__((noreturn)) stub_main(int path, u64 x0, u64 x1);
void __attribute__((noreturn)) hand_over(u64 mbi, const void *fdt_copy);

/* efi.c */
u64 efi_main(u64 image_handle, u64 system_table);
