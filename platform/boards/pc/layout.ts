/**
 * Every guest-physical address, I/O port and interrupt number of the `pc` board, in one place
 * (Firecracker's arch/x86_64/layout.rs is the model). Values follow QEMU's q35 machine so that software
 * written for q35 (OVMF, Linux, NOVA) finds its devices where it expects them.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
export const FOUR_GIB = 4 * GiB;

// ---- memory map -------------------------------------------------------------------------------------------
/** Conventional memory ends where the EBDA starts; 0x9fc00..0x100000 is EBDA, VGA window and BIOS area. */
export const LOW_RAM_END = 0x9fc00;
export const LEGACY_HOLE_BASE = 0x9fc00;
export const LEGACY_HOLE_END = 0x100000;
/** Where the BIOS-style ACPI tables go by default: the RSDP must sit in 0xe0000..0xfffff for legacy scans. */
export const ACPI_DEFAULT_BASE = 0xe0000;
export const ACPI_DEFAULT_SIZE = 128 * KiB;
/** q35 keeps at most 2 GiB below 4 GiB once RAM reaches the ECAM window (QEMU: 0xb0000000 rule). */
export const LOWMEM_SPLIT_THRESHOLD = 0xb0000000;
export const LOWMEM_MAX_WHEN_SPLIT = 2 * GiB;
export const HIGH_RAM_BASE = FOUR_GIB;

export const ECAM_BASE = 0xb0000000;
export const ECAM_BUSES = 256;
export const ECAM_SIZE = ECAM_BUSES * MiB;
export const PCI_SEGMENT = 0;

/** 32-bit PCI MMIO window, between the end of ECAM and the IOAPIC. BARs are assigned from here. */
export const PCI_MMIO32_BASE = 0xc0000000;
export const PCI_MMIO32_END = 0xfec00000;
/** I/O port window the PCI root decodes for BARs (below it: the ISA range). */
export const PCI_IO_BASE = 0x1000;
export const PCI_IO_END = 0x10000;

export const IOAPIC_BASE = 0xfec00000;
export const IOAPIC_SIZE = 0x1000;
export const IOAPIC_ID = 0;
export const IOAPIC_GSI_BASE = 0;
export const IOAPIC_PINS = 24;
export const HPET_BASE = 0xfed00000;
export const HPET_SIZE = 0x400;
/** HPET capabilities low dword as QEMU reports it: vendor 8086, legacy route, 64-bit, 3 comparators, rev 1. */
export const HPET_BLOCK_ID = 0x8086a201;
export const HPET_MIN_TICK = 0x80;
export const LAPIC_BASE = 0xfee00000;
export const LAPIC_SIZE = 0x1000;
/** Firmware flash window (OVMF's 4 MiB image sits here); our built-in firmware places its trap page here. */
export const FIRMWARE_BASE = 0xffc00000;
export const FIRMWARE_SIZE = 4 * MiB;

// ---- I/O ports -------------------------------------------------------------------------------------------
export const PIT_PORT = 0x40;
export const PIT_PORTS = 4;
export const PIC_MASTER_PORT = 0x20;
export const PIC_SLAVE_PORT = 0xa0;
/** ICH9 edge/level control registers for the 8259s. */
export const PIC_ELCR_PORT = 0x4d0;
/** NMI status and control ("port B"): PIT channel 2 gate, speaker, OUT2, refresh toggle. */
export const SYSTEM_CONTROL_PORT_B = 0x61;
export const CMOS_PORT = 0x70;
export const CMOS_PORTS = 2;
export const DEBUG_EXIT_PORT = 0xf4;
export const DEBUG_EXIT_SIZE = 1;
export const COM1_PORT = 0x3f8;
export const COM1_PORTS = 8;
/** 16550 reference clock: 1.8432 MHz, so divisor 1 = 115200 baud. */
export const COM1_CLOCK_HZ = 1_843_200;
/** The console speed firmware programs and SPCR announces. */
export const COM1_BAUD = 115_200;
export const PCI_CONFIG_ADDRESS_PORT = 0xcf8;
export const PCI_CONFIG_DATA_PORT = 0xcfc;
/** CONFIG_ADDRESS dword plus CONFIG_DATA dword. */
export const PCI_CONFIG_PORTS = 8;
/** ICH9 reset control register; writing 0x06 (full reset) resets the machine. */
export const RESET_CONTROL_PORT = 0xcf9;
export const RESET_VALUE = 0x06;

/** ICH9 ACPI PM I/O block as QEMU's q35 programs PMBASE. */
export const ACPI_PM_BASE = 0x600;
export const PM1A_EVT_PORT = ACPI_PM_BASE + 0x00;
export const PM1_EVT_LEN = 4;
export const PM1A_CNT_PORT = ACPI_PM_BASE + 0x04;
export const PM1_CNT_LEN = 2;
export const PM_TMR_PORT = ACPI_PM_BASE + 0x08;
export const PM_TMR_LEN = 4;
export const GPE0_PORT = ACPI_PM_BASE + 0x20;
export const GPE0_LEN = 16;
export const ACPI_PM_PORTS = 0x80;
/** \_S5 sleep type written to PM1a_CNT.SLP_TYP (q35's DSDT uses 0 for S5). */
export const S5_SLP_TYP = 0;

// ---- interrupts ------------------------------------------------------------------------------------------
export const PIT_IRQ = 0;
export const COM1_IRQ = 4;
export const RTC_IRQ = 8;
export const SCI_IRQ = 9;
/** ISA IRQs that PCI devices share on q35: level-triggered, active-high overrides in the MADT (QEMU's mask). */
export const PCI_ISA_IRQS = [5, 9, 10, 11] as const;
/** The edu device's INTx is routed to ISA IRQ 11 (one of the PCI IRQs above). */
export const EDU_IRQ = 11;
/** LAPIC LINT pin wired to NMI. */
export const LAPIC_NMI_LINT = 1;

// ---- PCI functions ---------------------------------------------------------------------------------------
export const HOST_BRIDGE_BDF = { bus: 0, device: 0, function: 0 } as const;
export const LPC_BRIDGE_BDF = { bus: 0, device: 0x1f, function: 0 } as const;
export const EDU_BDF = { bus: 0, device: 2, function: 0 } as const;
/** Intel 82G33/Q35 MCH (DRAM controller) and ICH9 LPC interface, the IDs QEMU's q35 presents. */
export const Q35_HOST_VENDOR = 0x8086;
export const Q35_HOST_DEVICE = 0x29c0;
export const ICH9_LPC_VENDOR = 0x8086;
export const ICH9_LPC_DEVICE = 0x2918;
export const ICH9_LPC_REVISION = 0x02;
/** QEMU's edu device. */
export const EDU_VENDOR = 0x1234;
export const EDU_DEVICE = 0x11e8;
export const EDU_REVISION = 0x10;
export const EDU_BAR0_SIZE = 1 * MiB;
/** Where the firmware assigns edu's BAR0 (top of the 32-bit window, below the IOAPIC). */
export const EDU_BAR0_BASE = PCI_MMIO32_END - 4 * MiB;

// ---- SMBIOS on the Linux boot-protocol path -------------------------------------------------------------------
/** In the BIOS area (reserved in the memory map) where a 16-byte anchor scan of 0xf0000..0xfffff finds it. */
export const LEGACY_SMBIOS_BASE = 0xf0000;

// ---- the UEFI firmware's linear framebuffer (GOP) ----------------------------------------------------------
/**
 * RAM standing in for a display adapter's framebuffer BAR, in the 32-bit PCI window where SeaBIOS puts
 * QEMU's std-vga BAR; not in the memory map, like OVMF's. 800x600 with 32-bit pixels (one of the modes OVMF's
 * QEMU video driver offers), kept small because everything a guest paints there costs instructions.
 */
export const FRAMEBUFFER_BASE = 0xfd000000;
export const FRAMEBUFFER_WIDTH = 800;
export const FRAMEBUFFER_HEIGHT = 600;

// ---- ACPI identity ---------------------------------------------------------------------------------------
export const ACPI_OEM_ID = 'NOVAIM';
export const ACPI_OEM_TABLE_ID = 'NOVA-PC ';
export const ACPI_OEM_REVISION = 1;
/** Creator ID/revision: ours, not a compiler's (the DSDT is assembled by platform/acpi/aml). */
export const ACPI_CREATOR_ID = 'NVIM';
export const ACPI_CREATOR_REVISION = 1;
