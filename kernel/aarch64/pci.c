/* PCI summary: how many functions the ECAM window shows and how many may still master the bus (DMA). */
#include "kernel.h"
#include "lib/pci-ecam.h"

void pci_summary(const void *fdt, const void *rsdp) {
  struct ecam e;
  const char *source = "FDT";
  if (!(fdt && ecam_from_fdt(fdt, &e))) {
    source = "ACPI MCFG";
    if (!(rsdp && ecam_from_mcfg(rsdp, &e))) {
      kprintf("pci: no ECAM window\n");
      return;
    }
  }
  if (!mmu_map_device(e.base, e.base + ((u64)(e.bus_end - e.bus_start + 1) << 20))) {
    kprintf("pci: ECAM 0x%lx lies outside the kernel's address space\n", e.base);
    return;
  }
  struct pci_census c = pci_scan(&e, 0);
  kprintf("pci: ECAM 0x%lx (%s) buses %u-%u: %u functions, %u with bus mastering enabled\n", e.base, source, e.bus_start,
          e.bus_end, c.functions, c.bus_masters);
}
