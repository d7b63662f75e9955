/**
 * Local APIC of one x86 CPU (Intel SDM vol. 3 chapter 11): xAPIC registers through MMIO and the same
 * registers as x2APIC MSRs (0x800 + offset/16), task/processor priority, IRR/ISR/TMR with EOI (level EOIs
 * are broadcast to the IOAPIC), the LVT, the timer (one-shot and periodic on virtual time, bus clock 1 GHz as
 * in QEMU) and self IPIs. Its `hasPending()`/`acknowledge()` pair is the CPU model's InterruptSource; an 8259
 * wired to LINT0 in ExtINT mode (virtual-wire mode) is served through it too.
 *
 * Not modelled (throw NotImplementedError when a guest asks): TSC-deadline timer mode, IPIs to other CPUs
 * (the machine has one CPU), SMI/INIT/SIPI delivery.
 */
import { NotImplementedError } from '../../common/errors.js';
import type { MmioHandler } from '../memory/bus.js';
import type { TimerHandle, VirtualClock } from '../time/clock.js';

export const LapicReg = {
  ID: 0x020,
  VERSION: 0x030,
  TPR: 0x080,
  APR: 0x090,
  PPR: 0x0a0,
  EOI: 0x0b0,
  LDR: 0x0d0,
  DFR: 0x0e0,
  SVR: 0x0f0,
  ISR: 0x100,
  TMR: 0x180,
  IRR: 0x200,
  ESR: 0x280,
  LVT_CMCI: 0x2f0,
  ICR_LO: 0x300,
  ICR_HI: 0x310,
  LVT_TIMER: 0x320,
  LVT_THERMAL: 0x330,
  LVT_PERF: 0x340,
  LVT_LINT0: 0x350,
  LVT_LINT1: 0x360,
  LVT_ERROR: 0x370,
  TIMER_INITIAL: 0x380,
  TIMER_CURRENT: 0x390,
  TIMER_DIVIDE: 0x3e0,
  SELF_IPI: 0x3f0,
} as const;

/** Version 0x14 (integrated APIC), 6 LVT entries (max LVT index 5), as QEMU reports. */
export const LAPIC_VERSION = 0x00050014;
export const X2APIC_MSR_BASE = 0x800;
export const LVT_MASKED = 1 << 16;
const LVT_LEVEL = 1 << 15;
const LVT_MODE_SHIFT = 8;
const TIMER_PERIODIC = 1 << 17;
const TIMER_TSC_DEADLINE = 2 << 17;
const SVR_ENABLE = 1 << 8;
const MODE_FIXED = 0;
const MODE_NMI = 4;
const MODE_EXTINT = 7;
/** Bus clock of the APIC timer: 1 GHz, so one tick per nanosecond before the divider. */
const NS_PER_BUS_TICK = 1;

export interface ExtIntSource {
  hasPending(): boolean;
  acknowledge(): number;
}

export interface LapicOptions {
  /** The 8259 on LINT0 (virtual-wire mode). */
  readonly extInt?: ExtIntSource;
  /** Level-triggered EOI broadcast (to the IOAPIC). */
  readonly onLevelEoi?: (vector: number) => void;
  /** NMI raised through LINT1 or an NMI IPI. */
  readonly onNmi?: () => void;
}

export class LocalApic implements MmioHandler {
  private readonly irr = new Uint32Array(8);
  private readonly isr = new Uint32Array(8);
  private readonly tmr = new Uint32Array(8);
  private tpr = 0;
  private ldr = 0;
  private dfr = 0xffffffff;
  private svr = 0xff;
  private esr = 0;
  private icrLo = 0;
  private icrHi = 0;
  private readonly lvt = new Uint32Array(7).fill(LVT_MASKED);
  private timerInitial = 0;
  private timerDivide = 0;
  private timerStart = 0;
  private timerEvent: TimerHandle | undefined;
  /** IA32_APIC_BASE.EN (global enable, owned by the CPU's MSR). */
  hardwareEnabled = true;
  /** IA32_APIC_BASE.EXTD: x2APIC mode. */
  x2apic = false;

  constructor(
    readonly apicId: number,
    private readonly clock: VirtualClock,
    private readonly options: LapicOptions = {},
  ) {}

  // ---- interrupt acceptance and the CPU's InterruptSource --------------------------------------------------

  /** An interrupt message for this CPU (from the IOAPIC, an IPI or a local source). */
  accept(vector: number, level: boolean, deliveryMode = MODE_FIXED): void {
    if (deliveryMode === MODE_NMI) {
      this.options.onNmi?.();
      return;
    }
    if (deliveryMode !== MODE_FIXED && deliveryMode !== 1) {
      throw new NotImplementedError(`local APIC delivery mode ${deliveryMode}`);
    }
    if (vector < 16) {
      this.esr |= 1 << 6; // received illegal vector
      return;
    }
    set(this.irr, vector);
    if (level) set(this.tmr, vector);
    else clear(this.tmr, vector);
  }

  hasPending(): boolean {
    if (!this.hardwareEnabled) return this.options.extInt?.hasPending() ?? false;
    if (this.extIntWired() && this.options.extInt!.hasPending()) return true;
    const v = highest(this.irr);
    return v >= 0 && (v & 0xf0) > (this.ppr() & 0xf0);
  }

  acknowledge(): number {
    const ext = this.options.extInt;
    if (ext && (!this.hardwareEnabled || (this.extIntWired() && ext.hasPending()))) return ext.acknowledge();
    const v = highest(this.irr);
    if (v < 0 || (v & 0xf0) <= (this.ppr() & 0xf0)) return this.svr & 0xff; // spurious vector
    clear(this.irr, v);
    set(this.isr, v);
    return v;
  }

  private extIntWired(): boolean {
    const l = this.lvt[LVT_INDEX.LINT0]!;
    return this.options.extInt !== undefined && !(l & LVT_MASKED) && ((l >> LVT_MODE_SHIFT) & 7) === MODE_EXTINT;
  }

  private ppr(): number {
    const isrv = highest(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    return (this.tpr & 0xf0) >= isrClass ? this.tpr & 0xff : isrClass;
  }

  private eoi(): void {
    const v = highest(this.isr);
    if (v < 0) return;
    clear(this.isr, v);
    if (test(this.tmr, v)) {
      clear(this.tmr, v);
      this.options.onLevelEoi?.(v);
    }
  }

  // ---- register file ----------------------------------------------------------------------------------------

  read(offset: number): number {
    return this.readReg(offset & 0xff0);
  }

  write(offset: number, _size: number, value: number): void {
    this.writeReg(offset & 0xff0, value >>> 0);
  }

  /** x2APIC MSR read (0x800..0x8ff); returns [lo, hi]. */
  readMsr(index: number): [number, number] {
    const off = (index - X2APIC_MSR_BASE) << 4;
    if (off === LapicReg.ICR_LO) return [this.icrLo, this.icrHi];
    if (off === LapicReg.ID) return [this.apicId, 0];
    if (off === LapicReg.LDR) return [((this.apicId >> 4) << 16) | (1 << (this.apicId & 0xf)), 0];
    return [this.readReg(off), 0];
  }

  writeMsr(index: number, lo: number, hi: number): void {
    const off = (index - X2APIC_MSR_BASE) << 4;
    if (off === LapicReg.ICR_LO) {
      this.icrHi = hi >>> 0;
      this.writeReg(off, lo >>> 0);
      return;
    }
    if (off === LapicReg.SELF_IPI) {
      this.accept(lo & 0xff, false);
      return;
    }
    this.writeReg(off, lo >>> 0);
  }

  private readReg(off: number): number {
    if (off >= LapicReg.ISR && off < LapicReg.ISR + 0x80) return this.isr[(off - LapicReg.ISR) >> 4]!;
    if (off >= LapicReg.TMR && off < LapicReg.TMR + 0x80) return this.tmr[(off - LapicReg.TMR) >> 4]!;
    if (off >= LapicReg.IRR && off < LapicReg.IRR + 0x80) return this.irr[(off - LapicReg.IRR) >> 4]!;
    const lvt = LVT_BY_OFFSET.get(off);
    if (lvt !== undefined) return this.lvt[lvt]!;
    switch (off) {
      case LapicReg.ID:
        return this.x2apic ? this.apicId : (this.apicId << 24) >>> 0;
      case LapicReg.VERSION:
        return LAPIC_VERSION;
      case LapicReg.TPR:
        return this.tpr;
      case LapicReg.APR:
        return 0;
      case LapicReg.PPR:
        return this.ppr();
      case LapicReg.LDR:
        return this.ldr;
      case LapicReg.DFR:
        return this.dfr;
      case LapicReg.SVR:
        return this.svr;
      case LapicReg.ESR:
        return this.esr;
      case LapicReg.ICR_LO:
        return this.icrLo & ~(1 << 12); // delivery status: idle
      case LapicReg.ICR_HI:
        return this.icrHi;
      case LapicReg.TIMER_INITIAL:
        return this.timerInitial;
      case LapicReg.TIMER_CURRENT:
        return this.timerCurrent();
      case LapicReg.TIMER_DIVIDE:
        return this.timerDivide;
      default:
        return 0;
    }
  }

  private writeReg(off: number, v: number): void {
    const lvt = LVT_BY_OFFSET.get(off);
    if (lvt !== undefined) {
      // While the APIC is software-disabled the mask bits stay set.
      this.lvt[lvt] = (this.svr & SVR_ENABLE ? v : v | LVT_MASKED) & LVT_WRITABLE[lvt]!;
      if (lvt === LVT_INDEX.TIMER) {
        if ((v & (3 << 17)) === TIMER_TSC_DEADLINE) throw new NotImplementedError('local APIC TSC-deadline timer mode');
        this.armTimer();
      }
      return;
    }
    switch (off) {
      case LapicReg.TPR:
        this.tpr = v & 0xff;
        return;
      case LapicReg.EOI:
        this.eoi();
        return;
      case LapicReg.LDR:
        this.ldr = v & 0xff000000;
        return;
      case LapicReg.DFR:
        this.dfr = v | 0x0fffffff;
        return;
      case LapicReg.SVR:
        this.svr = v & 0x13ff;
        if (!(v & SVR_ENABLE)) for (let i = 0; i < this.lvt.length; i++) this.lvt[i]! |= LVT_MASKED;
        return;
      case LapicReg.ESR:
        this.esr = 0;
        return;
      case LapicReg.ICR_HI:
        this.icrHi = v & 0xff000000;
        return;
      case LapicReg.ICR_LO:
        this.icrLo = v & 0x000cdfff;
        this.sendIpi();
        return;
      case LapicReg.TIMER_INITIAL:
        this.timerInitial = v;
        this.timerStart = this.clock.now;
        this.armTimer();
        return;
      case LapicReg.TIMER_DIVIDE:
        this.timerDivide = v & 0xb;
        return;
      default:
        return; // read-only or reserved
    }
  }

  private sendIpi(): void {
    const vector = this.icrLo & 0xff;
    const mode = (this.icrLo >> 8) & 7;
    const shorthand = (this.icrLo >> 18) & 3;
    const dest = this.x2apic ? this.icrHi : this.icrHi >>> 24;
    const toSelf = shorthand === 1 || shorthand === 2 || (shorthand === 0 && dest === this.apicId);
    const toOthers = shorthand === 2 || shorthand === 3 || (shorthand === 0 && dest !== this.apicId);
    if (toOthers) throw new NotImplementedError(`IPI (mode ${mode}) to other CPUs: the machine has one CPU`);
    if (toSelf) this.accept(vector, false, mode);
  }

  // ---- timer --------------------------------------------------------------------------------------------------

  private divider(): number {
    const d = (this.timerDivide & 3) | ((this.timerDivide & 8) >> 1);
    return d === 7 ? 1 : 2 << d;
  }

  private timerCurrent(): number {
    if (this.timerInitial === 0) return 0;
    const ticks = Math.floor((this.clock.now - this.timerStart) / (NS_PER_BUS_TICK * this.divider()));
    if (this.lvt[LVT_INDEX.TIMER]! & TIMER_PERIODIC) return this.timerInitial - (ticks % this.timerInitial);
    return Math.max(0, this.timerInitial - ticks);
  }

  private armTimer(): void {
    this.clock.cancel(this.timerEvent);
    this.timerEvent = undefined;
    if (this.timerInitial === 0) return;
    const period = this.timerInitial * this.divider() * NS_PER_BUS_TICK;
    const elapsed = this.clock.now - this.timerStart;
    const periodic = (this.lvt[LVT_INDEX.TIMER]! & TIMER_PERIODIC) !== 0;
    if (!periodic && elapsed >= period) return;
    const next = this.timerStart + (Math.floor(elapsed / period) + 1) * period;
    this.timerEvent = this.clock.schedule(next, 'lapic-timer', () => {
      const lvt = this.lvt[LVT_INDEX.TIMER]!;
      if (!(lvt & LVT_MASKED)) this.accept(lvt & 0xff, false);
      this.armTimer();
    });
  }

  /** Local interrupt pins: LINT0/LINT1 as programmed in their LVT entries. */
  lint(pin: 0 | 1, high: boolean): void {
    const l = this.lvt[pin === 0 ? LVT_INDEX.LINT0 : LVT_INDEX.LINT1]!;
    if (l & LVT_MASKED || !high) return;
    const mode = (l >> LVT_MODE_SHIFT) & 7;
    if (mode === MODE_NMI) this.options.onNmi?.();
    else if (mode === MODE_FIXED) this.accept(l & 0xff, (l & LVT_LEVEL) !== 0);
    // ExtINT is served through hasPending()/acknowledge().
  }
}

const LVT_INDEX = { CMCI: 0, TIMER: 1, THERMAL: 2, PERF: 3, LINT0: 4, LINT1: 5, ERROR: 6 } as const;
const LVT_BY_OFFSET = new Map<number, number>([
  [LapicReg.LVT_CMCI, LVT_INDEX.CMCI],
  [LapicReg.LVT_TIMER, LVT_INDEX.TIMER],
  [LapicReg.LVT_THERMAL, LVT_INDEX.THERMAL],
  [LapicReg.LVT_PERF, LVT_INDEX.PERF],
  [LapicReg.LVT_LINT0, LVT_INDEX.LINT0],
  [LapicReg.LVT_LINT1, LVT_INDEX.LINT1],
  [LapicReg.LVT_ERROR, LVT_INDEX.ERROR],
]);
/** Writable bits per LVT entry (SDM figure 11-8): vector, delivery mode, polarity/trigger for LINTs, mask, timer mode. */
const LVT_WRITABLE = [0x107ff, 0x700ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff, 0x100ff];

function set(bits: Uint32Array, v: number): void {
  bits[v >> 5]! |= 1 << (v & 31);
}
function clear(bits: Uint32Array, v: number): void {
  bits[v >> 5]! &= ~(1 << (v & 31));
}
function test(bits: Uint32Array, v: number): boolean {
  return (bits[v >> 5]! & (1 << (v & 31))) !== 0;
}
function highest(bits: Uint32Array): number {
  for (let w = 7; w >= 0; w--) {
    const x = bits[w]!;
    if (x) return w * 32 + 31 - Math.clz32(x);
  }
  return -1;
}
