/**
 * Motorola MC146818 CMOS RTC and NVRAM (ports 0x70 index, 0x71 data). Time is `epoch + virtual time`, so
 * it is deterministic. Supports BCD/binary and 12/24-hour formats, the century byte (index 0x32, named in
 * the FADT), periodic, alarm and update-ended interrupts on IRQ 8 through the virtual-time event queue, and
 * the memory-size bytes firmware reads (as QEMU fills them).
 */
import { BytewisePortHandler } from '../memory/io-ports.js';
import { NS_PER_SECOND, type TimerHandle, type VirtualClock } from '../time/clock.js';
import type { IrqLine } from './irq.js';

export const CmosIndex = {
  SECONDS: 0x00,
  SECONDS_ALARM: 0x01,
  MINUTES: 0x02,
  MINUTES_ALARM: 0x03,
  HOURS: 0x04,
  HOURS_ALARM: 0x05,
  WEEKDAY: 0x06,
  DAY: 0x07,
  MONTH: 0x08,
  YEAR: 0x09,
  REG_A: 0x0a,
  REG_B: 0x0b,
  REG_C: 0x0c,
  REG_D: 0x0d,
  CENTURY: 0x32,
} as const;

const REG_A_UIP = 0x80;
const REG_B_SET = 0x80;
const REG_B_PIE = 0x40;
const REG_B_AIE = 0x20;
const REG_B_UIE = 0x10;
const REG_B_DM_BINARY = 0x04;
const REG_B_24H = 0x02;
const REG_C_IRQF = 0x80;
const REG_C_PF = 0x40;
const REG_C_AF = 0x20;
const REG_C_UF = 0x10;
const REG_D_VRT = 0x80;
/** Alarm registers with both top bits set match any value ("don't care"). */
const ALARM_DONT_CARE = 0xc0;

const toBcd = (v: number) => ((Math.floor(v / 10) << 4) | v % 10) & 0xff;
const fromBcd = (v: number) => (v >> 4) * 10 + (v & 0x0f);

export interface CmosMemorySizes {
  /** RAM between 1 MiB and 64 MiB in KiB (indices 0x17/0x18 and 0x30/0x31). */
  readonly extendedKiB: number;
  /** RAM between 16 MiB and the end of low memory, in 64 KiB units (0x34/0x35). */
  readonly above16M64K: number;
  /** RAM above 4 GiB in 64 KiB units (0x5b..0x5d). */
  readonly above4G64K: number;
}

export class CmosRtc extends BytewisePortHandler {
  private index = 0;
  private readonly nvram = new Uint8Array(128);
  /** Guest time (seconds since the Unix epoch) at virtual time 0. */
  private epochAtZero: number;
  private periodic: TimerHandle | undefined;
  private update: TimerHandle | undefined;

  constructor(
    readonly basePort: number,
    private readonly clock: VirtualClock,
    private readonly irq: IrqLine,
    epochSeconds: number,
    memory?: CmosMemorySizes,
  ) {
    super();
    this.epochAtZero = epochSeconds - Math.floor(clock.now / NS_PER_SECOND);
    this.nvram[CmosIndex.REG_A] = 0x26; // 32.768 kHz time base, 1024 Hz periodic rate
    this.nvram[CmosIndex.REG_B] = REG_B_24H;
    this.nvram[CmosIndex.REG_D] = REG_D_VRT;
    if (memory) {
      const ext = Math.min(memory.extendedKiB, 0xffff);
      this.nvram[0x17] = this.nvram[0x30] = ext & 0xff;
      this.nvram[0x18] = this.nvram[0x31] = ext >> 8;
      const mid = Math.min(memory.above16M64K, 0xffff);
      this.nvram[0x34] = mid & 0xff;
      this.nvram[0x35] = mid >> 8;
      this.nvram[0x5b] = memory.above4G64K & 0xff;
      this.nvram[0x5c] = (memory.above4G64K >> 8) & 0xff;
      this.nvram[0x5d] = (memory.above4G64K >> 16) & 0xff;
    }
    this.scheduleUpdate();
  }

  /** Guest wall-clock time in whole seconds since the Unix epoch. */
  get time(): number {
    return this.epochAtZero + Math.floor(this.clock.now / NS_PER_SECOND);
  }

  get irqLevel(): boolean {
    return (this.nvram[CmosIndex.REG_C]! & REG_C_IRQF) !== 0;
  }

  protected readByte(port: number): number {
    if (((port - this.basePort) & 1) === 0) return this.index;
    const i = this.index;
    if (i <= CmosIndex.YEAR || i === CmosIndex.CENTURY) return this.timeField(i);
    if (i === CmosIndex.REG_A) return this.nvram[i]! & ~REG_A_UIP; // UIP never set: no update window to race
    if (i === CmosIndex.REG_C) {
      const c = this.nvram[i]!;
      this.nvram[i] = 0;
      this.irq.setLevel(false);
      return c;
    }
    return this.nvram[i]!;
  }

  protected writeByte(port: number, v: number): void {
    if (((port - this.basePort) & 1) === 0) {
      this.index = v & 0x7f; // bit 7 is the NMI mask, not part of the index
      return;
    }
    const i = this.index;
    if (i <= CmosIndex.YEAR || i === CmosIndex.CENTURY) {
      if (i === CmosIndex.SECONDS_ALARM || i === CmosIndex.MINUTES_ALARM || i === CmosIndex.HOURS_ALARM) {
        this.nvram[i] = v;
      } else {
        this.setTimeField(i, v);
      }
      return;
    }
    if (i === CmosIndex.REG_C || i === CmosIndex.REG_D) return; // read-only
    this.nvram[i] = v;
    if (i === CmosIndex.REG_A || i === CmosIndex.REG_B) this.schedulePeriodic();
  }

  private binary(): boolean {
    return (this.nvram[CmosIndex.REG_B]! & REG_B_DM_BINARY) !== 0;
  }

  private encode(v: number): number {
    return this.binary() ? v : toBcd(v);
  }

  private decode(v: number): number {
    return this.binary() ? v : fromBcd(v);
  }

  private encodeHour(h: number): number {
    if (this.nvram[CmosIndex.REG_B]! & REG_B_24H) return this.encode(h);
    const pm = h >= 12 ? 0x80 : 0;
    return this.encode(h % 12 === 0 ? 12 : h % 12) | pm;
  }

  private decodeHour(v: number): number {
    if (this.nvram[CmosIndex.REG_B]! & REG_B_24H) return this.decode(v);
    const h = this.decode(v & 0x7f) % 12;
    return v & 0x80 ? h + 12 : h;
  }

  private timeField(i: number): number {
    if (i === CmosIndex.SECONDS_ALARM || i === CmosIndex.MINUTES_ALARM || i === CmosIndex.HOURS_ALARM) return this.nvram[i]!;
    const d = new Date(this.time * 1000);
    switch (i) {
      case CmosIndex.SECONDS:
        return this.encode(d.getUTCSeconds());
      case CmosIndex.MINUTES:
        return this.encode(d.getUTCMinutes());
      case CmosIndex.HOURS:
        return this.encodeHour(d.getUTCHours());
      case CmosIndex.WEEKDAY:
        return this.encode(d.getUTCDay() + 1);
      case CmosIndex.DAY:
        return this.encode(d.getUTCDate());
      case CmosIndex.MONTH:
        return this.encode(d.getUTCMonth() + 1);
      case CmosIndex.YEAR:
        return this.encode(d.getUTCFullYear() % 100);
      default:
        return this.encode(Math.floor(d.getUTCFullYear() / 100));
    }
  }

  /** Setting a date/time field moves the guest clock so that the field reads back as written. */
  private setTimeField(i: number, v: number): void {
    const d = new Date(this.time * 1000);
    const f = {
      y: d.getUTCFullYear(),
      mo: d.getUTCMonth(),
      day: d.getUTCDate(),
      h: d.getUTCHours(),
      mi: d.getUTCMinutes(),
      s: d.getUTCSeconds(),
    };
    switch (i) {
      case CmosIndex.SECONDS:
        f.s = this.decode(v);
        break;
      case CmosIndex.MINUTES:
        f.mi = this.decode(v);
        break;
      case CmosIndex.HOURS:
        f.h = this.decodeHour(v);
        break;
      case CmosIndex.DAY:
        f.day = this.decode(v);
        break;
      case CmosIndex.MONTH:
        f.mo = this.decode(v) - 1;
        break;
      case CmosIndex.YEAR:
        f.y = Math.floor(f.y / 100) * 100 + this.decode(v);
        break;
      case CmosIndex.CENTURY:
        f.y = this.decode(v) * 100 + (f.y % 100);
        break;
      default:
        return; // weekday is derived from the date
    }
    const t = Math.floor(Date.UTC(f.y, f.mo, f.day, f.h, f.mi, f.s) / 1000);
    this.epochAtZero += t - this.time;
  }

  private raise(flag: number): void {
    const b = this.nvram[CmosIndex.REG_B]!;
    let c = this.nvram[CmosIndex.REG_C]! | flag;
    if ((c & REG_C_PF && b & REG_B_PIE) || (c & REG_C_AF && b & REG_B_AIE) || (c & REG_C_UF && b & REG_B_UIE)) c |= REG_C_IRQF;
    this.nvram[CmosIndex.REG_C] = c;
    if (c & REG_C_IRQF) this.irq.setLevel(true);
  }

  /** Periodic interrupt: rate select in register A bits 0-3, frequency 32768 >> (rate - 1) Hz. */
  private schedulePeriodic(): void {
    this.clock.cancel(this.periodic);
    this.periodic = undefined;
    const rate = this.nvram[CmosIndex.REG_A]! & 0x0f;
    if (rate === 0 || !(this.nvram[CmosIndex.REG_B]! & REG_B_PIE)) return;
    const hz = 32768 >> ((rate <= 2 ? rate + 7 : rate) - 1);
    const period = NS_PER_SECOND / hz;
    const tick = () => {
      this.raise(REG_C_PF);
      this.periodic = this.clock.scheduleIn(period, 'cmos-periodic', tick);
    };
    this.periodic = this.clock.scheduleIn(period, 'cmos-periodic', tick);
  }

  /** Once per guest second: update-ended flag and the alarm comparison. */
  private scheduleUpdate(): void {
    const next = (Math.floor(this.clock.now / NS_PER_SECOND) + 1) * NS_PER_SECOND;
    this.update = this.clock.schedule(next, 'cmos-update', () => {
      if (!(this.nvram[CmosIndex.REG_B]! & REG_B_SET)) {
        this.raise(REG_C_UF);
        const match = (alarm: number, now: number) => (alarm & ALARM_DONT_CARE) === ALARM_DONT_CARE || alarm === now;
        if (
          match(this.nvram[CmosIndex.SECONDS_ALARM]!, this.timeField(CmosIndex.SECONDS)) &&
          match(this.nvram[CmosIndex.MINUTES_ALARM]!, this.timeField(CmosIndex.MINUTES)) &&
          match(this.nvram[CmosIndex.HOURS_ALARM]!, this.timeField(CmosIndex.HOURS))
        ) {
          this.raise(REG_C_AF);
        }
      }
      this.scheduleUpdate();
    });
  }

  /** Stops the once-per-second update event (when the machine is torn down). */
  stop(): void {
    this.clock.cancel(this.update);
    this.clock.cancel(this.periodic);
  }
}
