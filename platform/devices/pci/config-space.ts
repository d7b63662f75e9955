/**
 * A PCI function's configuration space (PCI Local Bus 3.0 type-0 header, 4 KiB as on PCI Express) with
 * per-bit write masks, so read-only fields stay read-only, BAR sizing works (write all ones, read back the
 * size mask) and the Command register's Memory Space and Bus Master Enable bits are under guest control.
 */
import type { PciBarDesc, PciFunctionDesc } from '../../boards/pc/board.js';
import type { Bdf } from '../../boards/board.js';
import { bdfString } from '../../boards/board.js';

export const CONFIG_SPACE_SIZE = 4096;

/** Type-0 header offsets. */
export const PciCfg = {
  VENDOR_ID: 0x00,
  DEVICE_ID: 0x02,
  COMMAND: 0x04,
  STATUS: 0x06,
  REVISION: 0x08,
  PROG_IF: 0x09,
  SUBCLASS: 0x0a,
  CLASS: 0x0b,
  CACHE_LINE: 0x0c,
  LATENCY: 0x0d,
  HEADER_TYPE: 0x0e,
  BAR0: 0x10,
  SUBSYSTEM_VENDOR_ID: 0x2c,
  SUBSYSTEM_ID: 0x2e,
  CAPABILITIES: 0x34,
  INTERRUPT_LINE: 0x3c,
  INTERRUPT_PIN: 0x3d,
} as const;

export const CMD_IO_SPACE = 1 << 0;
export const CMD_MEMORY_SPACE = 1 << 1;
export const CMD_BUS_MASTER = 1 << 2;
export const CMD_INTX_DISABLE = 1 << 10;
export const STATUS_INTERRUPT = 1 << 3;

const BAR_IO = 0x1;

export class PciFunction {
  readonly config = new Uint8Array(CONFIG_SPACE_SIZE);
  /** Bits the guest may change. */
  private readonly writable = new Uint8Array(CONFIG_SPACE_SIZE);
  private readonly view = new DataView(this.config.buffer);
  readonly bdf: Bdf;
  readonly name: string;
  readonly bars: readonly PciBarDesc[];

  constructor(desc: PciFunctionDesc) {
    this.bdf = desc.bdf;
    this.name = `${desc.name}@${bdfString(desc.bdf)}`;
    this.bars = desc.bars;
    const v = this.view;
    v.setUint16(PciCfg.VENDOR_ID, desc.vendorId, true);
    v.setUint16(PciCfg.DEVICE_ID, desc.deviceId, true);
    v.setUint8(PciCfg.REVISION, desc.revision);
    v.setUint8(PciCfg.CLASS, desc.classCode[0]);
    v.setUint8(PciCfg.SUBCLASS, desc.classCode[1]);
    v.setUint8(PciCfg.PROG_IF, desc.classCode[2]);
    v.setUint8(PciCfg.HEADER_TYPE, desc.headerType);
    v.setUint16(PciCfg.SUBSYSTEM_VENDOR_ID, 0x1af4, true); // QEMU's subsystem vendor (Red Hat)
    v.setUint16(PciCfg.SUBSYSTEM_ID, 0x1100, true);
    this.setWritable(PciCfg.COMMAND, 2, CMD_IO_SPACE | CMD_MEMORY_SPACE | CMD_BUS_MASTER | CMD_INTX_DISABLE);
    this.setWritable(PciCfg.CACHE_LINE, 1, 0xff);
    this.setWritable(PciCfg.LATENCY, 1, 0xff);
    for (const bar of desc.bars) {
      const off = PciCfg.BAR0 + 4 * bar.index;
      const sizeMask = ~(bar.size - 1) >>> 0;
      // Low bits are the BAR type: 0 = 32-bit memory, 1 = I/O.
      this.setWritable(off, 4, bar.kind === 'io' ? sizeMask & ~0x3 : sizeMask & ~0xf);
      v.setUint32(off, ((bar.base & sizeMask) | (bar.kind === 'io' ? BAR_IO : 0)) >>> 0, true);
    }
    if (desc.interrupt) {
      v.setUint8(PciCfg.INTERRUPT_PIN, desc.interrupt.pin);
      v.setUint8(PciCfg.INTERRUPT_LINE, desc.interrupt.gsi);
      this.setWritable(PciCfg.INTERRUPT_LINE, 1, 0xff);
    }
  }

  /** Marks bits of a register as guest-writable (device-specific registers use this too). */
  protected setWritable(offset: number, size: number, mask: number): void {
    for (let i = 0; i < size; i++) this.writable[offset + i] = (mask >>> (8 * i)) & 0xff;
  }

  /** Sets a register's value directly (device side, not through the write mask). */
  protected setRegister(offset: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) this.config[offset + i] = (value >>> (8 * i)) & 0xff;
  }

  readConfig(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.config[(offset + i) & 0xfff]! << (8 * i);
    return v >>> 0;
  }

  writeConfig(offset: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) {
      const o = (offset + i) & 0xfff;
      const m = this.writable[o]!;
      this.config[o] = (this.config[o]! & ~m) | (((value >>> (8 * i)) & 0xff) & m);
    }
    this.configChanged(offset, size);
  }

  /** Hook for devices whose behaviour depends on configuration (e.g. INTx disable). */
  protected configChanged(_offset: number, _size: number): void {}

  get command(): number {
    return this.view.getUint16(PciCfg.COMMAND, true);
  }

  get busMasterEnabled(): boolean {
    return (this.command & CMD_BUS_MASTER) !== 0;
  }

  get memoryEnabled(): boolean {
    return (this.command & CMD_MEMORY_SPACE) !== 0;
  }

  /** Current base address of a memory BAR (as the guest programmed it). */
  barAddress(index: number): number {
    return (this.view.getUint32(PciCfg.BAR0 + 4 * index, true) & ~0xf) >>> 0;
  }

  /** Sets Status.Interrupt and returns whether INTx should be asserted (not masked by Command.INTx disable). */
  protected setInterruptStatus(pending: boolean): boolean {
    const s = this.view.getUint16(PciCfg.STATUS, true);
    this.view.setUint16(PciCfg.STATUS, pending ? s | STATUS_INTERRUPT : s & ~STATUS_INTERRUPT, true);
    return pending && (this.command & CMD_INTX_DISABLE) === 0;
  }

  /** MMIO access to one of this function's BARs; offset is relative to the BAR base. */
  barRead(_bar: number, _offset: number, _size: number): number {
    return 0xffffffff;
  }

  barWrite(_bar: number, _offset: number, _size: number, _value: number): void {}
}
