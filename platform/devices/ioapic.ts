/**
 * Intel 82093AA I/O APIC (24 pins, version 0x20 as QEMU's): IOREGSEL/IOWIN indirect registers, redirection
 * table, edge and level triggering with Remote IRR, polarity, masking and the EOI register. Interrupt
 * messages go to `deliver`, which the machine connects to the local APICs of the CPU model.
 */
import type { MmioHandler } from '../memory/bus.js';
import type { IrqLine } from './irq.js';

export const IOREGSEL = 0x00;
export const IOWIN = 0x10;
export const IOAPIC_EOI = 0x40;
export const IOAPIC_VERSION = 0x20;

export const RTE_MASKED = 1 << 16;
export const RTE_LEVEL = 1 << 15;
export const RTE_REMOTE_IRR = 1 << 14;
export const RTE_ACTIVE_LOW = 1 << 13;
export const RTE_DELIVERY_STATUS = 1 << 12;
export const RTE_LOGICAL = 1 << 11;

export interface IoApicMessage {
  readonly pin: number;
  readonly vector: number;
  /** 0 fixed, 1 lowest priority, 2 SMI, 4 NMI, 5 INIT, 7 ExtINT */
  readonly deliveryMode: number;
  readonly logical: boolean;
  readonly destination: number;
  readonly level: boolean;
}

export class IoApic implements MmioHandler {
  private select = 0;
  private id: number;
  private readonly lo: Uint32Array;
  private readonly hi: Uint32Array;
  /** Electrical level on each pin (before polarity). */
  private readonly pins: Uint8Array;

  constructor(
    id: number,
    readonly pinCount: number,
    private readonly deliver: (msg: IoApicMessage) => void,
  ) {
    this.id = id;
    this.lo = new Uint32Array(pinCount).fill(RTE_MASKED);
    this.hi = new Uint32Array(pinCount);
    this.pins = new Uint8Array(pinCount);
  }

  /** The interrupt line wired to `pin`. */
  pin(pin: number): IrqLine {
    return { setLevel: (high) => this.setPin(pin, high) };
  }

  setPin(pin: number, high: boolean): void {
    const was = this.pins[pin] === 1;
    this.pins[pin] = high ? 1 : 0;
    const lo = this.lo[pin]!;
    const asserted = high !== ((lo & RTE_ACTIVE_LOW) !== 0);
    if (lo & RTE_LEVEL) {
      if (asserted) this.service(pin);
    } else {
      const wasAsserted = was !== ((lo & RTE_ACTIVE_LOW) !== 0);
      if (asserted && !wasAsserted) this.service(pin);
    }
  }

  /** End of interrupt for `vector` (LAPIC broadcast EOI or a write to the EOI register). */
  eoi(vector: number): void {
    for (let p = 0; p < this.pinCount; p++) {
      if ((this.lo[p]! & 0xff) === vector && this.lo[p]! & RTE_REMOTE_IRR) {
        this.lo[p] = this.lo[p]! & ~RTE_REMOTE_IRR;
        if (this.lo[p]! & RTE_LEVEL && this.isAsserted(p)) this.service(p);
      }
    }
  }

  read(offset: number): number {
    if (offset === IOREGSEL) return this.select;
    if (offset === IOWIN) return this.readReg(this.select);
    return 0;
  }

  write(offset: number, _size: number, value: number): void {
    if (offset === IOREGSEL) this.select = value & 0xff;
    else if (offset === IOWIN) this.writeReg(this.select, value >>> 0);
    else if (offset === IOAPIC_EOI) this.eoi(value & 0xff);
  }

  private isAsserted(p: number): boolean {
    return (this.pins[p] === 1) !== ((this.lo[p]! & RTE_ACTIVE_LOW) !== 0);
  }

  private readReg(r: number): number {
    if (r === 0x00) return (this.id & 0xf) << 24;
    if (r === 0x01) return ((this.pinCount - 1) << 16) | IOAPIC_VERSION;
    if (r === 0x02) return (this.id & 0xf) << 24;
    const p = (r - 0x10) >> 1;
    if (r >= 0x10 && p < this.pinCount) return (r & 1 ? this.hi[p]! : this.lo[p]!) >>> 0;
    return 0xffffffff;
  }

  private writeReg(r: number, v: number): void {
    if (r === 0x00) {
      this.id = (v >>> 24) & 0xf;
      return;
    }
    const p = (r - 0x10) >> 1;
    if (r < 0x10 || p >= this.pinCount) return;
    if (r & 1) {
      this.hi[p] = v & 0xff000000;
      return;
    }
    // Delivery status and Remote IRR are read-only.
    const ro = RTE_REMOTE_IRR | RTE_DELIVERY_STATUS;
    this.lo[p] = ((this.lo[p]! & ro) | (v & ~ro)) >>> 0;
    // Unmasking a level-triggered pin that is still asserted delivers it.
    if (!(this.lo[p]! & RTE_MASKED) && this.lo[p]! & RTE_LEVEL && this.isAsserted(p)) this.service(p);
  }

  private service(p: number): void {
    const lo = this.lo[p]!;
    if (lo & RTE_MASKED) return;
    const level = (lo & RTE_LEVEL) !== 0;
    if (level) {
      if (lo & RTE_REMOTE_IRR) return;
      this.lo[p] = lo | RTE_REMOTE_IRR;
    }
    this.deliver({
      pin: p,
      vector: lo & 0xff,
      deliveryMode: (lo >>> 8) & 7,
      logical: (lo & RTE_LOGICAL) !== 0,
      destination: this.hi[p]! >>> 24,
      level,
    });
  }
}
