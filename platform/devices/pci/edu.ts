/**
 * A PCI bus-master device with QEMU's `edu` register interface (QEMU docs/specs/edu.rst): identification,
 * liveness check, factorial unit, interrupt raise/acknowledge and a DMA engine that copies between guest
 * memory and a 4 KiB buffer at device address 0x40000. As on QEMU, the buffer is reachable only by DMA, not
 * through BAR0 (unknown BAR0 offsets read all ones). Work completes after a fixed virtual-time delay; DMA
 * goes through the DmaController, so Bus Master Enable and the IOMMU decide whether it reaches memory.
 */
import type { PciFunctionDesc } from '../../boards/pc/board.js';
import type { VirtualClock } from '../../time/clock.js';
import type { DmaController } from '../dma.js';
import type { IrqLine } from '../irq.js';
import { PciFunction } from './config-space.js';

export const EduReg = {
  ID: 0x00,
  LIVENESS: 0x04,
  FACTORIAL: 0x08,
  STATUS: 0x20,
  IRQ_STATUS: 0x24,
  IRQ_RAISE: 0x60,
  IRQ_ACK: 0x64,
  DMA_SRC: 0x80,
  DMA_DST: 0x88,
  DMA_COUNT: 0x90,
  DMA_CMD: 0x98,
} as const;

/** Version 1.0: 0xRRrr00ed. */
export const EDU_ID = 0x010000ed;
export const STATUS_COMPUTING = 0x01;
export const STATUS_IRQ_ON_FACTORIAL = 0x80;
export const DMA_START = 0x1;
export const DMA_TO_RAM = 0x2;
export const DMA_IRQ = 0x4;
export const IRQ_FACTORIAL = 0x001;
export const IRQ_DMA = 0x100;
export const EDU_DMA_BUFFER = 0x40000;
export const EDU_DMA_SIZE = 4096;
/** QEMU's edu masks DMA addresses to 28 bits. */
export const EDU_DMA_MASK = 2 ** 28 - 1;
/** Virtual time a factorial or DMA transfer takes. */
export const EDU_WORK_NS = 10_000;

export class EduDevice extends PciFunction {
  private liveness = 0;
  private factorial = 0;
  private status = 0;
  private irqStatus = 0;
  private dmaSrc = 0;
  private dmaDst = 0;
  private dmaCount = 0;
  private dmaCmd = 0;
  readonly buffer = new Uint8Array(EDU_DMA_SIZE);
  /** Errors the device hit (QEMU aborts with hw_error; we record and drop the command). */
  readonly errors: string[] = [];

  constructor(
    desc: PciFunctionDesc,
    private readonly clock: VirtualClock,
    private readonly dma: DmaController,
    private readonly irq: IrqLine,
  ) {
    super(desc);
  }

  override barRead(bar: number, offset: number, size: number): number {
    // Registers below 0x80 are 32-bit only (QEMU ignores other sizes); the DMA registers read as 32-bit halves.
    if (bar !== 0 || (offset < 0x80 && size !== 4)) return 0xffffffff;
    switch (offset) {
      case EduReg.ID:
        return EDU_ID;
      case EduReg.LIVENESS:
        return ~this.liveness >>> 0;
      case EduReg.FACTORIAL:
        return this.factorial;
      case EduReg.STATUS:
        return this.status;
      case EduReg.IRQ_STATUS:
        return this.irqStatus;
      case EduReg.DMA_SRC:
        return this.dmaSrc % 2 ** 32;
      case EduReg.DMA_SRC + 4:
        return Math.floor(this.dmaSrc / 2 ** 32);
      case EduReg.DMA_DST:
        return this.dmaDst % 2 ** 32;
      case EduReg.DMA_DST + 4:
        return Math.floor(this.dmaDst / 2 ** 32);
      case EduReg.DMA_COUNT:
        return this.dmaCount;
      case EduReg.DMA_CMD:
        return this.dmaCmd;
      default:
        return 0xffffffff;
    }
  }

  override barWrite(bar: number, offset: number, size: number, value: number): void {
    if (bar !== 0 || (offset < 0x80 && size !== 4)) return;
    const v = value >>> 0;
    switch (offset) {
      case EduReg.LIVENESS:
        this.liveness = v;
        break;
      case EduReg.FACTORIAL:
        if (this.status & STATUS_COMPUTING) break;
        this.factorial = v;
        this.status |= STATUS_COMPUTING;
        this.clock.scheduleIn(EDU_WORK_NS, 'edu-factorial', () => this.finishFactorial());
        break;
      case EduReg.STATUS:
        this.status = (this.status & STATUS_COMPUTING) | (v & STATUS_IRQ_ON_FACTORIAL);
        break;
      case EduReg.IRQ_RAISE:
        this.raise(v);
        break;
      case EduReg.IRQ_ACK:
        this.irqStatus &= ~v;
        this.updateIrq();
        break;
      case EduReg.DMA_SRC:
        this.dmaSrc = Math.floor(this.dmaSrc / 2 ** 32) * 2 ** 32 + v;
        break;
      case EduReg.DMA_SRC + 4:
        this.dmaSrc = (this.dmaSrc % 2 ** 32) + v * 2 ** 32;
        break;
      case EduReg.DMA_DST:
        this.dmaDst = Math.floor(this.dmaDst / 2 ** 32) * 2 ** 32 + v;
        break;
      case EduReg.DMA_DST + 4:
        this.dmaDst = (this.dmaDst % 2 ** 32) + v * 2 ** 32;
        break;
      case EduReg.DMA_COUNT:
        this.dmaCount = v;
        break;
      case EduReg.DMA_CMD:
        if (this.dmaCmd & DMA_START) break; // a transfer is running
        this.dmaCmd = v & 0x7;
        if (this.dmaCmd & DMA_START) this.clock.scheduleIn(EDU_WORK_NS, 'edu-dma', () => this.finishDma());
        break;
      default:
        break;
    }
  }

  protected override configChanged(): void {
    this.updateIrq();
  }

  private finishFactorial(): void {
    let r = 1;
    for (let i = this.factorial; i > 1; i--) r = Math.imul(r, i) >>> 0;
    this.factorial = r;
    this.status &= ~STATUS_COMPUTING;
    if (this.status & STATUS_IRQ_ON_FACTORIAL) this.raise(IRQ_FACTORIAL);
  }

  private finishDma(): void {
    const toRam = (this.dmaCmd & DMA_TO_RAM) !== 0;
    const devAddr = toRam ? this.dmaSrc : this.dmaDst;
    const ramAddr = toRam ? this.dmaDst : this.dmaSrc;
    const count = this.dmaCount;
    this.dmaCmd &= ~DMA_START;
    if (devAddr < EDU_DMA_BUFFER || devAddr + count > EDU_DMA_BUFFER + EDU_DMA_SIZE) {
      this.errors.push(`DMA buffer range 0x${devAddr.toString(16)}+0x${count.toString(16)} outside 0x40000..0x41000`);
      return;
    }
    if (ramAddr > EDU_DMA_MASK || ramAddr + count - 1 > EDU_DMA_MASK) {
      this.errors.push(`DMA address 0x${ramAddr.toString(16)} outside the device's 28-bit DMA mask`);
      return;
    }
    const off = devAddr - EDU_DMA_BUFFER;
    if (toRam) {
      this.dma.write(this, ramAddr, this.buffer.slice(off, off + count));
    } else {
      const data = this.dma.read(this, ramAddr, count);
      if (data) this.buffer.set(data, off);
    }
    if (this.dmaCmd & DMA_IRQ) this.raise(IRQ_DMA);
  }

  private raise(bits: number): void {
    this.irqStatus |= bits;
    this.updateIrq();
  }

  private updateIrq(): void {
    this.irq.setLevel(this.setInterruptStatus(this.irqStatus !== 0));
  }
}
