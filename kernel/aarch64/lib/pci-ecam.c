#include "pci-ecam.h"
#include "acpi-find.h"
#include "fdt.h"
#include "string.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_BUS_MASTER (1u << 2)
#define PCI_HEADER_TYPE 0x0e
#define MCFG_ENTRIES 44

int ecam_from_mcfg(const void *rsdp, struct ecam *e) {
  const u8 *mcfg = acpi_find(rsdp, "MCFG");
  if (!mcfg || acpi_rd32(mcfg + 4) < MCFG_ENTRIES + 16) return 0;
  const u8 *entry = mcfg + MCFG_ENTRIES; /* first allocation: segment 0 */
  e->base = acpi_rd64(entry);
  e->bus_start = entry[10];
  e->bus_end = entry[11];
  return 1;
}

int ecam_from_fdt(const void *fdt, struct ecam *e) {
  int root = fdt_root(fdt), depth = 0;
  for (int node = fdt_next_node(fdt, root, &depth); node >= 0 && depth > 0; node = fdt_next_node(fdt, node, &depth)) {
    const char *compat = fdt_prop(fdt, node, "compatible", NULL);
    if (depth != 1 || !compat || strcmp(compat, "pci-host-ecam-generic") != 0) continue;
    u64 size;
    if (!fdt_reg(fdt, root, node, 0, &e->base, &size)) return 0;
    u32 len;
    const u8 *range = fdt_prop(fdt, node, "bus-range", &len);
    e->bus_start = range && len == 8 ? be32(range) : 0;
    e->bus_end = range && len == 8 ? be32(range + 4) : (u32)(size >> 20) - 1;
    return 1;
  }
  return 0;
}

static volatile u8 *config(const struct ecam *e, u32 bus, u32 dev, u32 fn) {
  return (volatile u8 *)(e->base + ((u64)(bus - e->bus_start) << 20 | dev << 15 | fn << 12));
}

struct pci_census pci_scan(const struct ecam *e, int clear_bus_master) {
  struct pci_census c = {0, 0};
  for (u32 bus = e->bus_start; bus <= e->bus_end; bus++)
    for (u32 dev = 0; dev < 32; dev++)
      for (u32 fn = 0; fn < 8; fn++) {
        volatile u8 *cfg = config(e, bus, dev, fn);
        if ((*(volatile u32 *)cfg & 0xffff) == 0xffff) {
          if (fn == 0) break;
          continue;
        }
        c.functions++;
        volatile u16 *command = (volatile u16 *)(cfg + PCI_COMMAND);
        if (*command & PCI_COMMAND_BUS_MASTER) {
          c.bus_masters++;
          if (clear_bus_master) *command = *command & ~PCI_COMMAND_BUS_MASTER;
        }
        if (fn == 0 && !(cfg[PCI_HEADER_TYPE] & 0x80)) break;
      }
  return c;
}
