/**
 * A pair of Intel 8259A programmable interrupt controllers as cascaded on the PC (slave on master IRQ 2),
 * with the ICH9 edge/level control registers (ELCR, ports 0x4d0/0x4d1). Implements ICW1-ICW4 initialisation,
 * OCW1 masking, OCW2 EOI (non-specific and specific), OCW3 IRR/ISR reads and auto-EOI. The CPU model takes
 * vectors through `hasPending()`/`acknowledge()` (its InterruptSource interface).
 */
import { BytewisePortHandler } from '../memory/io-ports.js';
import type { IrqLine } from './irq.js';

class Chip {
  irr = 0;
  isr = 0;
  imr = 0xff;
  /** Level on each input (for edge detection). */
  lines = 0;
  elcr = 0;
  vectorBase = 0;
  initStep = 0; // 0 = operational, 2..4 = expecting ICW2..ICW4
  needIcw4 = false;
  single = false;
  autoEoi = false;
  readIsr = false;

  setInput(irq: number, high: boolean): void {
    const bit = 1 << irq;
    const was = (this.lines & bit) !== 0;
    if (high) this.lines |= bit;
    else this.lines &= ~bit;
    if (this.elcr & bit) {
      if (high) this.irr |= bit;
      else this.irr &= ~bit;
    } else if (high && !was) {
      this.irr |= bit;
    }
  }

  /** Highest-priority (lowest number) request that is unmasked and not blocked by an in-service one. */
  pending(): number {
    const req = this.irr & ~this.imr;
    if (!req) return -1;
    for (let i = 0; i < 8; i++) {
      if (this.isr & (1 << i)) return -1; // fully nested: a higher-priority interrupt is in service
      if (req & (1 << i)) return i;
    }
    return -1;
  }

  ack(irq: number): void {
    const bit = 1 << irq;
    if (!(this.elcr & bit)) this.irr &= ~bit;
    if (!this.autoEoi) this.isr |= bit;
  }

  writeCommand(v: number): void {
    if (v & 0x10) {
      // ICW1
      this.initStep = 2;
      this.needIcw4 = (v & 0x01) !== 0;
      this.single = (v & 0x02) !== 0;
      this.imr = 0;
      this.isr = 0;
      this.irr = 0;
      this.autoEoi = false;
      this.readIsr = false;
      return;
    }
    if (v & 0x08) {
      // OCW3
      if (v & 0x02) this.readIsr = (v & 0x01) !== 0;
      return;
    }
    // OCW2
    const cmd = v >> 5;
    if (cmd === 0b001) {
      for (let i = 0; i < 8; i++) {
        if (this.isr & (1 << i)) {
          this.isr &= ~(1 << i);
          break;
        }
      }
    } else if (cmd === 0b011) {
      this.isr &= ~(1 << (v & 7));
    }
  }

  writeData(v: number): void {
    switch (this.initStep) {
      case 2:
        this.vectorBase = v & 0xf8;
        this.initStep = this.single ? (this.needIcw4 ? 4 : 0) : 3;
        return;
      case 3:
        this.initStep = this.needIcw4 ? 4 : 0;
        return;
      case 4:
        this.autoEoi = (v & 0x02) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = v;
    }
  }

  readCommand(): number {
    return this.readIsr ? this.isr : this.irr;
  }
}

export const PIC_SPURIOUS = 7;

export class Pic8259Pair extends BytewisePortHandler {
  private readonly master = new Chip();
  private readonly slave = new Chip();

  constructor(
    readonly masterPort = 0x20,
    readonly slavePort = 0xa0,
    readonly elcrPort = 0x4d0,
  ) {
    super();
  }

  /** The line for ISA IRQ 0..15. */
  irq(n: number): IrqLine {
    return { setLevel: (high) => this.setIrq(n, high) };
  }

  setIrq(n: number, high: boolean): void {
    if (n < 8) this.master.setInput(n, high);
    else {
      this.slave.setInput(n - 8, high);
      this.updateCascade();
    }
  }

  /** The slave's INT output drives master IRQ 2 as a level: it stays up while the slave has a request. */
  private updateCascade(): void {
    if (this.slave.pending() >= 0) this.master.irr |= 1 << 2;
    else this.master.irr &= ~(1 << 2);
  }

  /** True when the master presents an interrupt to the CPU's INTR pin. */
  hasPending(): boolean {
    return this.master.pending() >= 0;
  }

  /** INTA cycle: returns the vector and marks the interrupt in service. */
  acknowledge(): number {
    const m = this.master.pending();
    if (m < 0) return this.master.vectorBase + PIC_SPURIOUS;
    this.master.ack(m);
    if (m !== 2) return this.master.vectorBase + m;
    const s = this.slave.pending();
    if (s < 0) return this.slave.vectorBase + PIC_SPURIOUS;
    this.slave.ack(s);
    this.updateCascade();
    return this.slave.vectorBase + s;
  }

  get masks(): { master: number; slave: number } {
    return { master: this.master.imr, slave: this.slave.imr };
  }

  protected readByte(port: number): number {
    if (port === this.masterPort) return this.master.readCommand();
    if (port === this.masterPort + 1) return this.master.imr;
    if (port === this.slavePort) return this.slave.readCommand();
    if (port === this.slavePort + 1) return this.slave.imr;
    if (port === this.elcrPort) return this.master.elcr;
    if (port === this.elcrPort + 1) return this.slave.elcr;
    return 0xff;
  }

  protected writeByte(port: number, v: number): void {
    if (port === this.masterPort) this.master.writeCommand(v);
    else if (port === this.masterPort + 1) this.master.writeData(v);
    else if (port === this.slavePort) this.slave.writeCommand(v);
    else if (port === this.slavePort + 1) this.slave.writeData(v);
    // ELCR: IRQ 0, 1, 2, 8 and 13 are always edge-triggered on ICH9.
    else if (port === this.elcrPort) this.master.elcr = v & 0xf8;
    else if (port === this.elcrPort + 1) this.slave.elcr = v & 0xde;
    this.updateCascade();
  }
}
