/*
 * The stub's job on the Linux and Multiboot2 paths (the UEFI path is efi.c, sharing the steps): collect the
 * boot facts, load the kernel (2 MiB relocation rule), keep root task and modules in place, copy the FDT,
 * build the Multiboot2 information, clean the caches to PoC and launch with the MMU off.
 */
#include "lib/fdt.h"
#include "stub.h"

#define MBI_CAPACITY 0x10000UL

void stub_main(int path, u64 x0, u64 x1) {
  facts.path = path;
  mem_reserve(image_base(), image_end());
  if (path == PATH_LINUX) {
    collect_fdt((const void *)x0);
  } else {
    if (x0 != MB2_BOOTLOADER_MAGIC) fatal("Multiboot2 entry with X0 = 0x%lx, not 0x36d76289", x0);
    collect_mb2((const void *)x1);
  }
  read_catalog();
  if ((stub_info.flags & STUB_FLAG_LEGACY_LAUNCH) && !facts.fdt) fatal("legacy launch (X0 = FDT) needs a devicetree, and none was passed");
  if (acpi_overrides_present()) fatal("ACPI table overrides are applied on the UEFI path only (this is the %s path)", path_name(path));
  const struct payload *k = find_payload(CAT_KERNEL);
  kernel_parse(k);
  kernel_place(mem_range_free);
  kernel_copy(k);

  u8 *fdt_copy = NULL;
  if (facts.fdt) {
    fdt_copy = (u8 *)mem_alloc(fdt_totalsize(facts.fdt), PAGE);
    memcpy(fdt_copy, facts.fdt, fdt_totalsize(facts.fdt));
  }
  quiesce_bus_masters();
  u8 *mbi = (u8 *)mem_alloc(MBI_CAPACITY, PAGE);
  mbi_build(mbi, MBI_CAPACITY, fdt_copy, fdt_copy ? fdt_totalsize(fdt_copy) : 0, NULL, 0);
  hand_over((u64)mbi, fdt_copy);
}

void hand_over(u64 mbi, const void *fdt_copy) {
  u64 entry = kplan.entry + kplan.shift;
  /* Everything the kernel reads with its MMU off must be in memory, not only in a cache. */
  dcache_clean_inval(kplan.lo + kplan.shift, kplan.hi + kplan.shift);
  dcache_clean_inval(image_base(), image_end());
  if (fdt_copy) dcache_clean_inval((u64)fdt_copy, (u64)fdt_copy + fdt_totalsize(fdt_copy));
  if (acpi_area.hi) dcache_clean_inval(acpi_area.lo, acpi_area.hi);
  dcache_clean_inval(mbi, mbi + ((const struct mb2_info *)mbi)->total_size);
  if (stub_info.flags & STUB_FLAG_LEGACY_LAUNCH) {
    const struct payload *root = find_payload(CAT_ROOT);
    launch(entry, (u64)fdt_copy, root ? (u64)root->data : 0);
  }
  launch(entry, MB2_BOOTLOADER_MAGIC, mbi);
}
