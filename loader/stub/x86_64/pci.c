/*
 * DMA-safe hand-over: before ExitBootServices (when the kernel did not ask to keep boot services) every PCI
 * function loses its Bus Master Enable bit, so no device keeps writing into memory the kernel now owns.
 * PCI configuration mechanism #1 (ports 0xcf8/0xcfc) reaches every function of every bus.
 */
#include "stub.h"

static u32 cfg_read(u32 bus, u32 dev, u32 fn, u32 reg)
{
    outl(0xcf8, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
    return inl(0xcfc);
}

static void cfg_write(u32 bus, u32 dev, u32 fn, u32 reg, u32 value)
{
    outl(0xcf8, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
    outl(0xcfc, value);
}

void pci_disable_bus_masters(void)
{
    for (u32 bus = 0; bus < 256; bus++)
        for (u32 dev = 0; dev < 32; dev++)
            for (u32 fn = 0; fn < 8; fn++) {
                u32 id = cfg_read(bus, dev, fn, 0);
                if ((id & 0xffff) == 0xffff) {
                    if (fn == 0) break;
                    continue;
                }
                u32 cmd = cfg_read(bus, dev, fn, 4);
                if (cmd & 0x4) cfg_write(bus, dev, fn, 4, cmd & 0xfffb);   /* keep status bits untouched */
                if (fn == 0 && !(cfg_read(bus, dev, 0, 0xc) & 0x00800000)) break;   /* single-function */
            }
}
