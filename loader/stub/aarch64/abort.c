/*
 * What the stub does after a fatal error (already reported on the console): on UEFI, Exit back to the boot
 * manager while boot services exist; otherwise power off through PSCI (method from the devicetree's /psci,
 * else SMC below an EL2 entry and HVC below EL1), so a broken image ends the run instead of hanging.
 */
#include "lib/fdt.h"
#include "stub.h"

void stub_abort(void) {
  if (facts.path == PATH_UEFI) efi_abort();
  u64 el;
  __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
  u64 use_hvc = (el >> 2) < 2;
  int psci = facts.fdt ? fdt_path(facts.fdt, "/psci") : -1;
  const char *method = psci >= 0 ? fdt_prop(facts.fdt, psci, "method", NULL) : NULL;
  if (method) use_hvc = strcmp(method, "hvc") == 0;
  psci_system_off(use_hvc);
  for (;;) __asm__ volatile("wfi");
}
