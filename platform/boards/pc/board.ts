/**
 * The `pc` board: a q35-like x86 PC. `pcBoard()` turns the run's choices (RAM size, CPU count) and the
 * constants of layout.ts into one description that the device wiring, the e820/UEFI memory map and the ACPI
 * tables are generated from.
 */
import { BoardConfigError } from '../errors.js';
import { findOverlap, type AddressRange, type Bdf } from '../board.js';
import * as L from './layout.js';

export interface PcBoardOptions {
  /** RAM in bytes (default 512 MiB). */
  readonly memoryBytes?: number;
  /** Number of CPUs described in the MADT (default 1). */
  readonly cpus?: number;
}

/** MADT interrupt source override: ISA IRQ `source` arrives at `gsi` with MPS INTI `flags`. */
export interface InterruptOverride {
  readonly source: number;
  readonly gsi: number;
  /** MPS INTI flags: bits 0-1 polarity (1 high, 3 low), bits 2-3 trigger (1 edge, 3 level); 0 = bus default. */
  readonly flags: number;
}

export interface PciBarDesc {
  readonly index: number;
  readonly kind: 'mem32' | 'io';
  readonly size: number;
  /** Address the firmware assigns at reset. */
  readonly base: number;
}

export interface PciFunctionDesc {
  readonly name: 'host-bridge' | 'lpc-bridge' | 'edu';
  readonly bdf: Bdf;
  readonly vendorId: number;
  readonly deviceId: number;
  readonly revision: number;
  /** base class, sub class, programming interface */
  readonly classCode: readonly [number, number, number];
  readonly headerType: number;
  readonly bars: readonly PciBarDesc[];
  /** INTx pin (1 = INTA) and the ISA IRQ / GSI it is routed to, or undefined when the function has none. */
  readonly interrupt?: { readonly pin: number; readonly gsi: number };
  readonly busMaster: boolean;
}

export interface PcBoard {
  readonly name: 'pc';
  readonly arch: 'x86_64';
  readonly memoryBytes: number;
  readonly cpus: number;
  /** RAM backing: below 4 GiB (from 0) and, for large RAM, above 4 GiB. */
  readonly ram: readonly AddressRange[];
  /** Ranges inside low RAM the firmware must report as reserved (EBDA, VGA, BIOS area). */
  readonly reserved: readonly AddressRange[];
  /** Everything with an address: RAM, device windows, firmware. Non-overlapping (checked). */
  readonly memoryMap: readonly AddressRange[];
  readonly lowRamTop: number;
  readonly pciHole: { readonly base: number; readonly end: number };
  readonly pciMmio32: { readonly base: number; readonly end: number };
  readonly pciIo: { readonly base: number; readonly end: number };
  readonly ecam: { readonly base: number; readonly size: number; readonly segment: number; readonly busStart: number; readonly busEnd: number };
  readonly lapic: { readonly base: number; readonly size: number; readonly nmiLint: number };
  readonly ioapic: { readonly base: number; readonly size: number; readonly id: number; readonly gsiBase: number; readonly pins: number };
  readonly hpet: { readonly base: number; readonly size: number; readonly blockId: number; readonly minTick: number };
  readonly firmware: { readonly base: number; readonly size: number };
  readonly acpiRegion: { readonly base: number; readonly size: number };
  readonly uart: { readonly port: number; readonly irq: number; readonly clockHz: number; readonly baud: number };
  /** PCI configuration mechanism #1 ports (CONFIG_ADDRESS, CONFIG_DATA). */
  readonly pciConfig: { readonly port: number; readonly count: number };
  readonly debugExit: { readonly port: number; readonly size: number };
  readonly resetControl: { readonly port: number; readonly value: number };
  readonly pit: { readonly port: number; readonly irq: number; readonly portB: number };
  readonly cmos: { readonly port: number; readonly irq: number };
  readonly pic: { readonly master: number; readonly slave: number; readonly elcr: number };
  readonly acpiPm: {
    readonly base: number;
    readonly pm1aEvt: number;
    readonly pm1EvtLen: number;
    readonly pm1aCnt: number;
    readonly pm1CntLen: number;
    readonly pmTmr: number;
    readonly pmTmrLen: number;
    readonly gpe0: number;
    readonly gpe0Len: number;
    readonly sciIrq: number;
    readonly s5SlpTyp: number;
  };
  readonly interruptOverrides: readonly InterruptOverride[];
  readonly pciFunctions: readonly PciFunctionDesc[];
  readonly acpiIds: {
    readonly oemId: string;
    readonly oemTableId: string;
    readonly oemRevision: number;
    readonly creatorId: string;
    readonly creatorRevision: number;
  };
}

const MIN_MEMORY = 16 * 1024 * 1024;
/** High RAM must end below 2^46 so every address stays an exact Number with room to spare. */
const MAX_MEMORY = 2 ** 40;

export function pcBoard(options: PcBoardOptions = {}): PcBoard {
  const memoryBytes = options.memoryBytes ?? 512 * 1024 * 1024;
  const cpus = options.cpus ?? 1;
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY) {
    throw new BoardConfigError('pc', '--memory', `must be between 16 MiB and 1 TiB, got ${memoryBytes} bytes`);
  }
  if (memoryBytes % 4096 !== 0) {
    throw new BoardConfigError('pc', '--memory', `must be a multiple of 4 KiB, got ${memoryBytes} bytes`);
  }
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 255) {
    throw new BoardConfigError('pc', '--cpus', `must be 1..255, got ${cpus}`);
  }
  // q35 rule: RAM that would reach the ECAM window is split at 2 GiB, the rest goes above 4 GiB.
  const lowRamTop = memoryBytes >= L.LOWMEM_SPLIT_THRESHOLD ? L.LOWMEM_MAX_WHEN_SPLIT : memoryBytes;
  const highRam = memoryBytes - lowRamTop;

  const ram: AddressRange[] = [{ name: 'ram-low', base: 0, size: lowRamTop, kind: 'ram' }];
  if (highRam > 0) ram.push({ name: 'ram-high', base: L.HIGH_RAM_BASE, size: highRam, kind: 'ram' });

  const devices: AddressRange[] = [
    { name: 'ecam', base: L.ECAM_BASE, size: L.ECAM_SIZE, kind: 'mmio' },
    { name: 'pci-mmio32', base: L.PCI_MMIO32_BASE, size: L.PCI_MMIO32_END - L.PCI_MMIO32_BASE, kind: 'mmio' },
    { name: 'ioapic', base: L.IOAPIC_BASE, size: L.IOAPIC_SIZE, kind: 'mmio' },
    { name: 'hpet', base: L.HPET_BASE, size: L.HPET_SIZE, kind: 'mmio' },
    { name: 'lapic', base: L.LAPIC_BASE, size: L.LAPIC_SIZE, kind: 'mmio' },
    { name: 'firmware', base: L.FIRMWARE_BASE, size: L.FIRMWARE_SIZE, kind: 'firmware' },
  ];
  const memoryMap = [...ram, ...devices];
  const overlap = findOverlap(memoryMap);
  if (overlap) {
    throw new BoardConfigError('pc', '--memory', `${overlap[0].name} overlaps ${overlap[1].name}`);
  }

  const interruptOverrides: InterruptOverride[] = [
    // The PIT's IRQ 0 arrives at IOAPIC pin 2 (bus default polarity/trigger), as on every PC.
    { source: L.PIT_IRQ, gsi: 2, flags: 0 },
    // PCI-shared ISA IRQs are level-triggered, active high (QEMU: flags 0xd).
    ...L.PCI_ISA_IRQS.map((irq) => ({ source: irq, gsi: irq, flags: 0xd })),
  ];

  const pciFunctions: PciFunctionDesc[] = [
    {
      name: 'host-bridge',
      bdf: L.HOST_BRIDGE_BDF,
      vendorId: L.Q35_HOST_VENDOR,
      deviceId: L.Q35_HOST_DEVICE,
      revision: 0,
      classCode: [0x06, 0x00, 0x00],
      headerType: 0x00,
      bars: [],
      busMaster: false,
    },
    {
      name: 'lpc-bridge',
      bdf: L.LPC_BRIDGE_BDF,
      vendorId: L.ICH9_LPC_VENDOR,
      deviceId: L.ICH9_LPC_DEVICE,
      revision: L.ICH9_LPC_REVISION,
      classCode: [0x06, 0x01, 0x00],
      // Multi-function bit set as on ICH9 (SMBus and SATA are further functions of device 0x1f).
      headerType: 0x80,
      bars: [],
      busMaster: false,
    },
    {
      name: 'edu',
      bdf: L.EDU_BDF,
      vendorId: L.EDU_VENDOR,
      deviceId: L.EDU_DEVICE,
      revision: L.EDU_REVISION,
      classCode: [0x00, 0xff, 0x00],
      headerType: 0x00,
      bars: [{ index: 0, kind: 'mem32', size: L.EDU_BAR0_SIZE, base: L.EDU_BAR0_BASE }],
      interrupt: { pin: 1, gsi: L.EDU_IRQ },
      busMaster: true,
    },
  ];

  return {
    name: 'pc',
    arch: 'x86_64',
    memoryBytes,
    cpus,
    ram,
    reserved: [{ name: 'legacy-hole', base: L.LEGACY_HOLE_BASE, size: L.LEGACY_HOLE_END - L.LEGACY_HOLE_BASE, kind: 'reserved' }],
    memoryMap,
    lowRamTop,
    pciHole: { base: lowRamTop, end: L.FOUR_GIB },
    pciMmio32: { base: L.PCI_MMIO32_BASE, end: L.PCI_MMIO32_END },
    pciIo: { base: L.PCI_IO_BASE, end: L.PCI_IO_END },
    ecam: { base: L.ECAM_BASE, size: L.ECAM_SIZE, segment: L.PCI_SEGMENT, busStart: 0, busEnd: L.ECAM_BUSES - 1 },
    lapic: { base: L.LAPIC_BASE, size: L.LAPIC_SIZE, nmiLint: L.LAPIC_NMI_LINT },
    ioapic: { base: L.IOAPIC_BASE, size: L.IOAPIC_SIZE, id: L.IOAPIC_ID, gsiBase: L.IOAPIC_GSI_BASE, pins: L.IOAPIC_PINS },
    hpet: { base: L.HPET_BASE, size: L.HPET_SIZE, blockId: L.HPET_BLOCK_ID, minTick: L.HPET_MIN_TICK },
    firmware: { base: L.FIRMWARE_BASE, size: L.FIRMWARE_SIZE },
    acpiRegion: { base: L.ACPI_DEFAULT_BASE, size: L.ACPI_DEFAULT_SIZE },
    uart: { port: L.COM1_PORT, irq: L.COM1_IRQ, clockHz: L.COM1_CLOCK_HZ, baud: L.COM1_BAUD },
    pciConfig: { port: L.PCI_CONFIG_ADDRESS_PORT, count: L.PCI_CONFIG_PORTS },
    debugExit: { port: L.DEBUG_EXIT_PORT, size: L.DEBUG_EXIT_SIZE },
    resetControl: { port: L.RESET_CONTROL_PORT, value: L.RESET_VALUE },
    pit: { port: L.PIT_PORT, irq: L.PIT_IRQ, portB: L.SYSTEM_CONTROL_PORT_B },
    cmos: { port: L.CMOS_PORT, irq: L.RTC_IRQ },
    pic: { master: L.PIC_MASTER_PORT, slave: L.PIC_SLAVE_PORT, elcr: L.PIC_ELCR_PORT },
    acpiPm: {
      base: L.ACPI_PM_BASE,
      pm1aEvt: L.PM1A_EVT_PORT,
      pm1EvtLen: L.PM1_EVT_LEN,
      pm1aCnt: L.PM1A_CNT_PORT,
      pm1CntLen: L.PM1_CNT_LEN,
      pmTmr: L.PM_TMR_PORT,
      pmTmrLen: L.PM_TMR_LEN,
      gpe0: L.GPE0_PORT,
      gpe0Len: L.GPE0_LEN,
      sciIrq: L.SCI_IRQ,
      s5SlpTyp: L.S5_SLP_TYP,
    },
    interruptOverrides,
    pciFunctions,
    acpiIds: {
      oemId: L.ACPI_OEM_ID,
      oemTableId: L.ACPI_OEM_TABLE_ID,
      oemRevision: L.ACPI_OEM_REVISION,
      creatorId: L.ACPI_CREATOR_ID,
      creatorRevision: L.ACPI_CREATOR_REVISION,
    },
  };
}
