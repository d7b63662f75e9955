/*
 * DMA-safe hand-over: before the kernel owns memory, no PCI function may still be allowed to write into
 * it. Firmware and bootloaders stop the devices their drivers know (U-Boot leaves Bus Master Enable set,
 * UEFI drivers stop theirs only inside ExitBootServices), so the stub clears Command.BME on every function
 * in the ECAM window named by the ACPI MCFG or the devicetree, on every path.
 */
#include "lib/pci-ecam.h"
#include "stub.h"

void quiesce_bus_masters(void) {
  struct ecam e;
  if ((facts.rsdp && facts.rsdp_length == 36 && ecam_from_mcfg(facts.rsdp, &e)) || (facts.fdt && ecam_from_fdt(facts.fdt, &e)))
    pci_scan(&e, 1);
}
