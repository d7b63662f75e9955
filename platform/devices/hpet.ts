/**
 * IA-PC High Precision Event Timer (HPET 1.0a): a 64-bit main counter at 100 MHz (QEMU's rate) driven by
 * virtual time, and three comparators with one-shot/periodic, 32/64-bit, edge/level modes, legacy replacement
 * routing (timer 0 -> IRQ 0, timer 1 -> IRQ 8) or IOAPIC routing. Registers are 64 bits wide and accessed as
 * 32-bit halves. FSB (MSI) delivery is not offered (the capability bit is clear).
 */
import type { MmioHandler } from '../memory/bus.js';
import { NS_PER_SECOND, type TimerHandle, type VirtualClock } from '../time/clock.js';
import type { IrqLine } from './irq.js';

export const HPET_HZ = 100_000_000;
/** 10 ns per tick exactly, so tick <-> time conversions stay integral. */
const NS_PER_TICK = NS_PER_SECOND / HPET_HZ;
/** Counter period in femtoseconds (GCAP_ID high dword). */
export const HPET_PERIOD_FS = 1e15 / HPET_HZ;
export const HPET_TIMERS = 3;

export const HpetReg = { GCAP_ID: 0x000, GEN_CONF: 0x010, GINTR_STA: 0x020, MAIN_COUNTER: 0x0f0, TIMER0: 0x100, TIMER_STRIDE: 0x20 } as const;
export const GEN_ENABLE = 1 << 0;
export const GEN_LEGACY = 1 << 1;
export const TN_LEVEL = 1 << 1;
export const TN_INT_ENB = 1 << 2;
export const TN_PERIODIC = 1 << 3;
export const TN_PER_CAP = 1 << 4;
export const TN_SIZE_64 = 1 << 5;
export const TN_VAL_SET = 1 << 6;
export const TN_32MODE = 1 << 8;
const TN_ROUTE_SHIFT = 9;
/** IOAPIC pins a comparator may use: 20..23, as on ICH9. */
export const HPET_ROUTE_CAP = 0x00f00000;

const TWO32 = 2 ** 32;

interface Comparator {
  config: number;
  comparator: number;
  period: number;
  event: TimerHandle | undefined;
  line: boolean;
}

export class Hpet implements MmioHandler {
  private genConf = 0;
  private intStatus = 0;
  /** Counter value at `counterSetAt` (ns); the counter runs while ENABLE_CNF is set. */
  private counterBase = 0;
  private counterSetAt = 0;
  private readonly timers: Comparator[];

  /**
   * @param blockId GCAP_ID low dword as the ACPI HPET table states it.
   * @param legacyIrq line for legacy replacement route n (0 -> IRQ0/GSI2, 1 -> IRQ8).
   * @param gsi line for IOAPIC pin n.
   */
  constructor(
    private readonly clock: VirtualClock,
    private readonly blockId: number,
    private readonly legacyIrq: (timer: 0 | 1) => IrqLine,
    private readonly gsi: (pin: number) => IrqLine,
  ) {
    this.timers = Array.from({ length: HPET_TIMERS }, (_, i) => ({
      config: TN_SIZE_64 | (i === 0 ? TN_PER_CAP : 0),
      comparator: 2 ** 53 - 1,
      period: 0,
      event: undefined,
      line: false,
    }));
  }

  /** Main counter value now. */
  get counter(): number {
    if (!(this.genConf & GEN_ENABLE)) return this.counterBase;
    return this.counterBase + Math.floor((this.clock.now - this.counterSetAt) / NS_PER_TICK);
  }

  read(offset: number): number {
    const half = offset & 4;
    const reg = offset & ~7;
    const pick = (v: number) => (half ? Math.floor(v / TWO32) : v % TWO32) >>> 0;
    if (reg === HpetReg.GCAP_ID) return half ? HPET_PERIOD_FS : this.blockId;
    if (reg === HpetReg.GEN_CONF) return half ? 0 : this.genConf;
    if (reg === HpetReg.GINTR_STA) return half ? 0 : this.intStatus;
    if (reg === HpetReg.MAIN_COUNTER) return pick(this.counter);
    const t = this.timerAt(reg);
    if (!t) return 0;
    const [timer, field] = t;
    if (field === 0) return half ? HPET_ROUTE_CAP : timer.config;
    if (field === 8) return pick(timer.comparator);
    return 0;
  }

  write(offset: number, _size: number, value: number): void {
    const half = offset & 4;
    const reg = offset & ~7;
    const v = value >>> 0;
    const merge = (old: number) => (half ? (old % TWO32) + v * TWO32 : Math.floor(old / TWO32) * TWO32 + v);
    if (reg === HpetReg.GEN_CONF && !half) {
      const counter = this.counter;
      this.genConf = v & (GEN_ENABLE | GEN_LEGACY);
      this.counterBase = counter;
      this.counterSetAt = this.clock.now;
      this.rearmAll();
      return;
    }
    if (reg === HpetReg.GINTR_STA && !half) {
      this.intStatus &= ~v;
      this.timers.forEach((t, i) => {
        if (!(this.intStatus & (1 << i)) && t.config & TN_LEVEL) this.drive(i, false);
      });
      return;
    }
    if (reg === HpetReg.MAIN_COUNTER) {
      // Writable only while halted (spec: software must stop the counter first).
      if (this.genConf & GEN_ENABLE) return;
      this.counterBase = merge(this.counterBase);
      this.rearmAll();
      return;
    }
    const t = this.timerAt(reg);
    if (!t) return;
    const [timer, field] = t;
    const i = this.timers.indexOf(timer);
    if (field === 0 && !half) {
      const writable = TN_LEVEL | TN_INT_ENB | TN_32MODE | (0x1f << TN_ROUTE_SHIFT) | (timer.config & TN_PER_CAP ? TN_PERIODIC | TN_VAL_SET : 0);
      timer.config = (timer.config & ~writable) | (v & writable);
      if (!(timer.config & TN_LEVEL) || !(timer.config & TN_INT_ENB)) this.drive(i, false);
      this.rearm(i);
    } else if (field === 8) {
      if (timer.config & TN_PERIODIC && !(timer.config & TN_VAL_SET)) {
        timer.period = timer.config & TN_32MODE ? v : merge(timer.period);
      } else {
        timer.comparator = timer.config & TN_32MODE ? v : merge(timer.comparator);
        if (timer.config & TN_PERIODIC) timer.period = timer.config & TN_32MODE ? v : merge(timer.period);
        if (half || timer.config & TN_32MODE) timer.config &= ~TN_VAL_SET;
      }
      this.rearm(i);
    }
  }

  private timerAt(reg: number): [Comparator, number] | undefined {
    if (reg < HpetReg.TIMER0) return undefined;
    const i = Math.floor((reg - HpetReg.TIMER0) / HpetReg.TIMER_STRIDE);
    const timer = this.timers[i];
    return timer ? [timer, (reg - HpetReg.TIMER0) % HpetReg.TIMER_STRIDE] : undefined;
  }

  private rearmAll(): void {
    for (let i = 0; i < this.timers.length; i++) this.rearm(i);
  }

  /** Schedules timer i's next match in virtual time (only while the counter runs and the timer interrupts). */
  private rearm(i: number): void {
    const t = this.timers[i]!;
    this.clock.cancel(t.event);
    t.event = undefined;
    if (!(this.genConf & GEN_ENABLE) || !(t.config & TN_INT_ENB)) return;
    const now = this.counter;
    const wide = !(t.config & TN_32MODE);
    const delta = wide ? t.comparator - now : (((t.comparator % TWO32) - (now % TWO32) + TWO32) % TWO32) || TWO32;
    if (delta <= 0 && wide) {
      if (!(t.config & TN_PERIODIC) || t.period === 0) return; // passed and not periodic: fires after a 64-bit wrap
    }
    const ticks = Math.max(delta, 0);
    const at = this.counterSetAt + (now - this.counterBase + ticks) * NS_PER_TICK;
    t.event = this.clock.schedule(Math.max(at, this.clock.now), `hpet-timer${i}`, () => this.fire(i));
  }

  private fire(i: number): void {
    const t = this.timers[i]!;
    t.event = undefined;
    if (t.config & TN_LEVEL) {
      this.intStatus |= 1 << i;
      this.drive(i, true);
    } else {
      this.drive(i, true);
      this.drive(i, false);
    }
    if (t.config & TN_PERIODIC && t.period > 0) {
      t.comparator += t.period;
      this.rearm(i);
    }
  }

  private drive(i: number, high: boolean): void {
    const t = this.timers[i]!;
    if (t.line === high) return;
    t.line = high;
    const legacy = this.genConf & GEN_LEGACY && i < 2;
    const line = legacy ? this.legacyIrq(i as 0 | 1) : this.gsi((t.config >> TN_ROUTE_SHIFT) & 0x1f);
    line.setLevel(high);
  }
}
