/**
 * Arm PrimeCell PL031 real-time clock. The counter is `load value + whole virtual seconds since load`, so it
 * is deterministic; the match interrupt fires through the virtual-time event queue.
 */
import type { MmioHandler } from '../memory/bus.js';
import { NS_PER_SECOND, type TimerHandle, type VirtualClock } from '../time/clock.js';
import type { IrqLine } from './irq.js';

export const Pl031Reg = { DR: 0x00, MR: 0x04, LR: 0x08, CR: 0x0c, IMSC: 0x10, RIS: 0x14, MIS: 0x18, ICR: 0x1c, PERIPH_ID0: 0xfe0 } as const;
export const PL031_ID = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

export class Pl031 implements MmioHandler {
  /** RTC seconds at virtual time `loadedAtNs`. */
  private loadValue: number;
  private loadedAtNs: number;
  private match = 0;
  private imsc = 0;
  private ris = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: VirtualClock,
    private readonly irq: IrqLine,
    epochSeconds: number,
  ) {
    this.loadValue = epochSeconds >>> 0;
    this.loadedAtNs = clock.now;
  }

  /** The counter value now. */
  get seconds(): number {
    return (this.loadValue + Math.floor((this.clock.now - this.loadedAtNs) / NS_PER_SECOND)) >>> 0;
  }

  read(offset: number): number {
    if (offset >= Pl031Reg.PERIPH_ID0 && offset < 0x1000) return PL031_ID[(offset - Pl031Reg.PERIPH_ID0) >> 2] ?? 0;
    switch (offset) {
      case Pl031Reg.DR:
        return this.seconds;
      case Pl031Reg.MR:
        return this.match;
      case Pl031Reg.LR:
        return this.loadValue;
      case Pl031Reg.CR:
        return 1; // always running
      case Pl031Reg.IMSC:
        return this.imsc;
      case Pl031Reg.RIS:
        return this.ris;
      case Pl031Reg.MIS:
        return this.ris & this.imsc;
      default:
        return 0;
    }
  }

  write(offset: number, _size: number, value: number): void {
    switch (offset) {
      case Pl031Reg.MR:
        this.match = value >>> 0;
        this.arm();
        break;
      case Pl031Reg.LR:
        this.loadValue = value >>> 0;
        this.loadedAtNs = this.clock.now;
        this.arm();
        break;
      case Pl031Reg.IMSC:
        this.imsc = value & 1;
        break;
      case Pl031Reg.ICR:
        this.ris &= ~(value & 1);
        break;
      default:
        break;
    }
    this.update();
  }

  /** Schedules the match event at the virtual time the counter reaches MR. */
  private arm(): void {
    this.clock.cancel(this.timer);
    const elapsed = Math.floor((this.clock.now - this.loadedAtNs) / NS_PER_SECOND);
    const delta = (this.match - ((this.loadValue + elapsed) >>> 0)) >>> 0; // wraps like the 32-bit counter
    const at = Math.max(this.loadedAtNs + (elapsed + delta) * NS_PER_SECOND, this.clock.now);
    this.timer = this.clock.schedule(at, 'pl031-match', () => {
      this.ris |= 1;
      this.update();
    });
  }

  private update(): void {
    this.irq.setLevel((this.ris & this.imsc) !== 0);
  }
}
