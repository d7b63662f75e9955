/* ACPI summary through the XSDT (or RSDT), the SPCR console and the FADT's PSCI flags. */
#include "kernel.h"
#include "lib/acpi-find.h"
#include "lib/string.h"

void acpi_summary(const void *rsdp) {
  const u8 *r = rsdp;
  if (memcmp(r, "RSD PTR ", 8) != 0) {
    kprintf("acpi: RSDP at 0x%lx has a bad signature\n", (u64)rsdp);
    return;
  }
  int x = r[15] >= 2 && acpi_rd64(r + 24);
  kprintf("acpi: RSDP at 0x%lx, revision %u, OEM \"%c%c%c%c%c%c\", %s at 0x%lx\n", (u64)rsdp, r[15], r[9], r[10], r[11],
          r[12], r[13], r[14], x ? "XSDT" : "RSDT", x ? acpi_rd64(r + 24) : acpi_rd32(r + 16));
  kprintf("acpi: tables:");
  u32 n = acpi_table_count(rsdp);
  for (u32 i = 0; i < n; i++) {
    const u8 *t = acpi_table(rsdp, i);
    kprintf(" %c%c%c%c", t[0], t[1], t[2], t[3]);
  }
  kprintf("\n");
}

u64 acpi_spcr_uart(const void *rsdp) {
  const u8 *spcr = acpi_find(rsdp, "SPCR");
  /* Generic Address Structure at 40: space id 0 (system memory), address at 44. */
  if (!spcr || spcr[40] != 0) return 0;
  return acpi_rd64(spcr + 44);
}

int acpi_psci_hvc(const void *rsdp, int *found) {
  const u8 *fadt = acpi_find(rsdp, "FACP");
  *found = 0;
  if (!fadt || acpi_rd32(fadt + 4) < 131) return 0;
  u32 flags = fadt[129] | fadt[130] << 8; /* ARM_BOOT_ARCH: bit 0 PSCI compliant, bit 1 PSCI uses HVC */
  if (!(flags & 1)) return 0;
  *found = 1;
  return (flags >> 1) & 1;
}
