/*
 * PCI configuration mechanism #1 (ports 0xcf8/0xcfc). Used once, right before ExitBootServices in the
 * keepbs build: clearing Bus Master Enable on every function stops devices that firmware drivers left
 * running from writing into memory the kernel is about to own (the DMA-safe hand-over of DESIGN.md).
 */
#include "kernel.h"
#include "x86.h"

#define PCI_ADDRESS 0xcf8
#define PCI_DATA 0xcfc
#define PCI_COMMAND 0x04
#define PCI_COMMAND_BUS_MASTER (1u << 2)
#define PCI_HEADER_TYPE 0x0e
#define PCI_MULTIFUNCTION 0x80

static uint32_t address(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
}

static uint32_t read32(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    outl(PCI_ADDRESS, address(bus, dev, fn, reg));
    return inl(PCI_DATA);
}

void pci_disable_bus_masters(unsigned *functions, unsigned *cleared)
{
    *functions = *cleared = 0;
    for (unsigned bus = 0; bus < 256; bus++)
        for (unsigned dev = 0; dev < 32; dev++)
            for (unsigned fn = 0; fn < 8; fn++) {
                if ((read32(bus, dev, fn, 0) & 0xffff) == 0xffff) {
                    if (fn == 0)
                        break; /* no device here */
                    continue;
                }
                ++*functions;
                /* 16-bit access: the status register next to the command register is write-1-to-clear */
                outl(PCI_ADDRESS, address(bus, dev, fn, PCI_COMMAND));
                uint16_t command = inw(PCI_DATA);
                if (command & PCI_COMMAND_BUS_MASTER) {
                    outl(PCI_ADDRESS, address(bus, dev, fn, PCI_COMMAND));
                    outw(PCI_DATA, (uint16_t)(command & ~PCI_COMMAND_BUS_MASTER));
                    ++*cleared;
                }
                if (fn == 0 && !((read32(bus, dev, 0, PCI_HEADER_TYPE & ~3u) >> 16) & PCI_MULTIFUNCTION))
                    break; /* single-function device: functions 1..7 may alias function 0 */
            }
}
