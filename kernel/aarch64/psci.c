/*
 * PSCI (Arm DEN0022) for power-off. The conduit comes from the FDT's /psci method or the FADT's ARM boot
 * flags; without either, SMC when we were entered at EL2 (EL3 firmware below us) and HVC otherwise.
 */
#include "kernel.h"
#include "lib/fdt.h"
#include "lib/string.h"
#include "sysregs.h"

static u64 use_hvc;

void psci_init(const void *fdt, const void *rsdp, u64 entry_el) {
  const char *source = "entry exception level";
  use_hvc = entry_el < 2;
  int node = fdt ? fdt_path(fdt, "/psci") : -1;
  const char *method = node >= 0 ? fdt_prop(fdt, node, "method", NULL) : NULL;
  int found = 0;
  if (method) {
    use_hvc = strcmp(method, "hvc") == 0;
    source = "FDT /psci method";
  } else if (rsdp) {
    int hvc = acpi_psci_hvc(rsdp, &found);
    if (found) use_hvc = hvc, source = "FADT ARM boot flags";
  }
  if (use_hvc && entry_el == 2) {
    /* An HVC from EL1 would land in our own (absent) EL2 vectors. */
    kprintf("psci: %s says hvc but we own EL2; using smc\n", source);
    use_hvc = 0;
  }
  u64 version = psci_call(PSCI_VERSION, 0, 0, 0, use_hvc);
  kprintf("psci: conduit %s (from %s), version %lu.%lu\n", use_hvc ? "hvc" : "smc", source, (version >> 16) & 0xffff,
          version & 0xffff);
}

void power_off(void) {
  kprintf("kernel: power off through PSCI SYSTEM_OFF (%s)\n", use_hvc ? "hvc" : "smc");
  psci_call(PSCI_SYSTEM_OFF, 0, 0, 0, use_hvc);
  kprintf("kernel: SYSTEM_OFF returned; halting\n");
  for (;;) __asm__ volatile("wfi");
}
