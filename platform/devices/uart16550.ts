/**
 * National Semiconductor 16550A UART (the PC's COM1). Transmission is instantaneous: every THR write goes to
 * the output sink and the transmitter is always empty. Received bytes wait in an input queue (host stdin or a
 * test) and are read through RBR. Interrupt sources and priorities as in the 16550A data sheet; the IRQ is not
 * gated by MCR.OUT2, matching QEMU.
 */
import type { PortHandler } from '../memory/io-ports.js';
import type { IrqLine } from './irq.js';

/** Register offsets from the base port. */
export const UartReg = { RBR_THR_DLL: 0, IER_DLM: 1, IIR_FCR: 2, LCR: 3, MCR: 4, LSR: 5, MSR: 6, SCR: 7 } as const;

export const IER_RDA = 0x01;
export const IER_THRE = 0x02;
export const IER_RLS = 0x04;
export const IER_MS = 0x08;

export const IIR_NONE = 0x01;
export const IIR_RLS = 0x06;
export const IIR_RDA = 0x04;
export const IIR_THRE = 0x02;
export const IIR_MS = 0x00;
export const IIR_FIFO_ENABLED = 0xc0;

export const LCR_DLAB = 0x80;
export const MCR_LOOP = 0x10;

export const LSR_DR = 0x01;
export const LSR_OE = 0x02;
export const LSR_THRE = 0x20;
export const LSR_TEMT = 0x40;

export const MSR_CTS = 0x10;
export const MSR_DSR = 0x20;
export const MSR_RI = 0x40;
export const MSR_DCD = 0x80;

const FCR_ENABLE = 0x01;
const FCR_CLEAR_RX = 0x02;

export type ByteSink = (byte: number) => void;

export class Uart16550 implements PortHandler {
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private fcr = 0;
  private dll = 0x0c; // 9600 baud at reset, as the BIOS leaves it before programming
  private dlm = 0;
  private lsrErrors = 0;
  /** THRE interrupt pending (set when THR empties with IER.THRE on; cleared by IIR read or THR write). */
  private threPending = false;
  private readonly rx: number[] = [];

  constructor(
    readonly basePort: number,
    private readonly sink: ByteSink,
    private readonly irq: IrqLine,
  ) {}

  /** Host side: bytes typed by the user or fed by a test. */
  receive(bytes: Iterable<number>): void {
    for (const b of bytes) this.rx.push(b & 0xff);
    this.update();
  }

  /** Baud rate the guest programmed (clock / (16 * divisor)). */
  baud(clockHz: number): number {
    const divisor = this.dll | (this.dlm << 8);
    return divisor === 0 ? 0 : clockHz / (16 * divisor);
  }

  get lineControl(): number {
    return this.lcr;
  }

  read(port: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readReg((port + i - this.basePort) & 7) << (8 * i);
    return v >>> 0;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) this.writeReg((port + i - this.basePort) & 7, (value >>> (8 * i)) & 0xff);
  }

  private readReg(reg: number): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (reg) {
      case UartReg.RBR_THR_DLL: {
        if (dlab) return this.dll;
        const b = this.rx.shift() ?? 0;
        this.update();
        return b;
      }
      case UartReg.IER_DLM:
        return dlab ? this.dlm : this.ier;
      case UartReg.IIR_FCR: {
        const iir = this.iir();
        // Reading IIR while it reports THRE acknowledges that interrupt.
        if ((iir & 0x0f) === IIR_THRE) {
          this.threPending = false;
          this.update();
        }
        return iir | (this.fcr & FCR_ENABLE ? IIR_FIFO_ENABLED : 0);
      }
      case UartReg.LCR:
        return this.lcr;
      case UartReg.MCR:
        return this.mcr;
      case UartReg.LSR: {
        const lsr = (this.rx.length ? LSR_DR : 0) | LSR_THRE | LSR_TEMT | this.lsrErrors;
        this.lsrErrors = 0;
        this.update();
        return lsr;
      }
      case UartReg.MSR:
        if (this.mcr & MCR_LOOP) {
          // Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
          const m = this.mcr;
          return ((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4);
        }
        return MSR_DCD | MSR_DSR | MSR_CTS;
      default:
        return this.scr;
    }
  }

  private writeReg(reg: number, v: number): void {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (reg) {
      case UartReg.RBR_THR_DLL:
        if (dlab) {
          this.dll = v;
          return;
        }
        if (this.mcr & MCR_LOOP) this.rx.push(v);
        else this.sink(v);
        // The transmitter empties at once; THRE interrupt re-arms.
        this.threPending = (this.ier & IER_THRE) !== 0;
        this.update();
        return;
      case UartReg.IER_DLM:
        if (dlab) {
          this.dlm = v;
          return;
        }
        {
          const enablingThre = (v & IER_THRE) !== 0 && (this.ier & IER_THRE) === 0;
          this.ier = v & 0x0f;
          // The 16550 raises THRE as soon as the interrupt is enabled while the THR is empty.
          if (enablingThre) this.threPending = true;
          if (!(this.ier & IER_THRE)) this.threPending = false;
        }
        this.update();
        return;
      case UartReg.IIR_FCR:
        this.fcr = v & 0xc9;
        if (v & FCR_CLEAR_RX) this.rx.length = 0;
        this.update();
        return;
      case UartReg.LCR:
        this.lcr = v;
        return;
      case UartReg.MCR:
        this.mcr = v & 0x1f;
        return;
      case UartReg.LSR:
      case UartReg.MSR:
        return; // read-only (factory test only)
      default:
        this.scr = v;
    }
  }

  private iir(): number {
    if (this.ier & IER_RLS && this.lsrErrors) return IIR_RLS;
    if (this.ier & IER_RDA && this.rx.length) return IIR_RDA;
    if (this.threPending) return IIR_THRE;
    return IIR_NONE;
  }

  private update(): void {
    this.irq.setLevel(this.iir() !== IIR_NONE);
  }
}
