/*
 * PCI Express enhanced configuration access (ECAM): the window comes from the ACPI MCFG table or the FDT's
 * pci-host-ecam-generic node. Used to find every function and its Bus Master Enable bit: the stub clears it
 * before ExitBootServices (no device DMA into the kernel during the hand-over), the kernel reports it.
 */
#pragma once
#include "types.h"

struct ecam { u64 base; u32 bus_start, bus_end; };

int ecam_from_mcfg(const void *rsdp, struct ecam *e);
int ecam_from_fdt(const void *fdt, struct ecam *e);

struct pci_census { u32 functions, bus_masters; };
/** Walks every bus/device/function; with clear_bus_master, clears Command.BME where it is set. */
struct pci_census pci_scan(const struct ecam *e, int clear_bus_master);
