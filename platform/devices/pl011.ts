/**
 * Arm PrimeCell PL011 UART (r1p5), as on QEMU virt. Transmission is instantaneous (TX FIFO always empty);
 * received bytes wait in an input queue. Interrupts: RX (data available) and TX (raised on every write, as
 * QEMU does), masked by IMSC, cleared by ICR.
 */
import type { MmioHandler } from '../memory/bus.js';
import type { IrqLine } from './irq.js';
import type { ByteSink } from './uart16550.js';

export const Pl011Reg = {
  DR: 0x000,
  RSR_ECR: 0x004,
  FR: 0x018,
  ILPR: 0x020,
  IBRD: 0x024,
  FBRD: 0x028,
  LCR_H: 0x02c,
  CR: 0x030,
  IFLS: 0x034,
  IMSC: 0x038,
  RIS: 0x03c,
  MIS: 0x040,
  ICR: 0x044,
  DMACR: 0x048,
  PERIPH_ID0: 0xfe0,
} as const;

export const FR_BUSY = 1 << 3;
export const FR_RXFE = 1 << 4;
export const FR_TXFF = 1 << 5;
export const FR_RXFF = 1 << 6;
export const FR_TXFE = 1 << 7;

export const INT_RX = 1 << 4;
export const INT_TX = 1 << 5;
export const INT_RT = 1 << 6;

/** PeriphID0..3 then PCellID0..3 (UART, r1p5 as QEMU's "pl011" model reports). */
export const PL011_ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

const LCR_H_FEN = 1 << 4;
const RX_FIFO_DEPTH = 16;

export class Pl011 implements MmioHandler {
  private ibrd = 0;
  private fbrd = 0;
  private lcrH = 0;
  private cr = 0x300; // TXE | RXE at reset
  private ifls = 0x12;
  private imsc = 0;
  private ris = 0;
  private dmacr = 0;
  private ilpr = 0;
  private readonly rx: number[] = [];

  constructor(
    private readonly sink: ByteSink,
    private readonly irq: IrqLine,
  ) {}

  receive(bytes: Iterable<number>): void {
    for (const b of bytes) this.rx.push(b & 0xff);
    if (this.rx.length) this.ris |= INT_RX;
    this.update();
  }

  /** Baud rate from the programmed divisor: clock / (16 * (IBRD + FBRD/64)). */
  baud(clockHz: number): number {
    const div = this.ibrd + this.fbrd / 64;
    return div === 0 ? 0 : clockHz / (16 * div);
  }

  read(offset: number, _size: number): number {
    if (offset >= Pl011Reg.PERIPH_ID0 && offset < 0x1000) return PL011_ID[(offset - Pl011Reg.PERIPH_ID0) >> 2] ?? 0;
    switch (offset) {
      case Pl011Reg.DR: {
        const b = this.rx.shift() ?? 0;
        if (!this.rx.length) this.ris &= ~(INT_RX | INT_RT);
        this.update();
        return b;
      }
      case Pl011Reg.RSR_ECR:
        return 0;
      case Pl011Reg.FR: {
        const fifo = this.lcrH & LCR_H_FEN ? RX_FIFO_DEPTH : 1;
        return (this.rx.length ? 0 : FR_RXFE) | (this.rx.length >= fifo ? FR_RXFF : 0) | FR_TXFE;
      }
      case Pl011Reg.ILPR:
        return this.ilpr;
      case Pl011Reg.IBRD:
        return this.ibrd;
      case Pl011Reg.FBRD:
        return this.fbrd;
      case Pl011Reg.LCR_H:
        return this.lcrH;
      case Pl011Reg.CR:
        return this.cr;
      case Pl011Reg.IFLS:
        return this.ifls;
      case Pl011Reg.IMSC:
        return this.imsc;
      case Pl011Reg.RIS:
        return this.ris;
      case Pl011Reg.MIS:
        return this.ris & this.imsc;
      case Pl011Reg.DMACR:
        return this.dmacr;
      default:
        return 0;
    }
  }

  write(offset: number, _size: number, value: number): void {
    switch (offset) {
      case Pl011Reg.DR:
        this.sink(value & 0xff);
        this.ris |= INT_TX;
        break;
      case Pl011Reg.RSR_ECR:
        break; // clears error flags; none are modelled
      case Pl011Reg.ILPR:
        this.ilpr = value & 0xff;
        break;
      case Pl011Reg.IBRD:
        this.ibrd = value & 0xffff;
        break;
      case Pl011Reg.FBRD:
        this.fbrd = value & 0x3f;
        break;
      case Pl011Reg.LCR_H:
        this.lcrH = value & 0xff;
        break;
      case Pl011Reg.CR:
        this.cr = value & 0xffff;
        break;
      case Pl011Reg.IFLS:
        this.ifls = value & 0x3f;
        break;
      case Pl011Reg.IMSC:
        this.imsc = value & 0x7ff;
        break;
      case Pl011Reg.ICR:
        this.ris &= ~value;
        // Data still waiting keeps the RX condition asserted.
        if (this.rx.length) this.ris |= INT_RX;
        break;
      case Pl011Reg.DMACR:
        this.dmacr = value & 0x7;
        break;
      default:
        break; // read-only or reserved
    }
    this.update();
  }

  private update(): void {
    this.irq.setLevel((this.ris & this.imsc) !== 0);
  }
}
