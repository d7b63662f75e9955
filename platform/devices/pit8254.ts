/**
 * Intel 8254 programmable interval timer (ports 0x40-0x43) and the PC's port 0x61 (timer 2 gate, speaker
 * enable, OUT2 and the refresh toggle). Counters run at 1.193182 MHz of virtual time. Modes 0 (interrupt on
 * terminal count), 2 (rate generator), 3 (square wave) and 4 (software strobe) are modelled with gate
 * control; channel 0's OUT drives IRQ 0. Counter latch and read-back commands are supported. BCD counting
 * and the hardware-triggered modes 1 and 5 throw NotImplementedError when programmed.
 */
import { NotImplementedError } from '../../common/errors.js';
import { BytewisePortHandler } from '../memory/io-ports.js';
import { ticksAt, timeOfTick, type TimerHandle, type VirtualClock } from '../time/clock.js';
import type { IrqLine } from './irq.js';

export const PIT_HZ = 1_193_182;
export const PORT_B = 0x61;
/** DRAM refresh toggles port 0x61 bit 4 every 15.085 us on a PC. */
const REFRESH_NS = 15_085;

const ACCESS_LATCH = 0;
const ACCESS_LSB = 1;
const ACCESS_MSB = 2;
const ACCESS_WORD = 3;

class Channel {
  mode = 0;
  access = ACCESS_WORD;
  reload = 0x10000;
  /** Ticks counted before `runningSince` (while the gate was high). */
  elapsedBase = 0;
  /** Virtual time the current counting stretch started, or -1 when stopped (gate low or not loaded). */
  runningSince = -1;
  loaded = false;
  gate: boolean;
  writeLow: number | undefined;
  readMsbNext = false;
  latched: number[] = [];
  statusLatch: number | undefined;
  event: TimerHandle | undefined;
  /** OUT is high after power-on as the BIOS leaves it, so programming mode 2/3 makes no spurious edge. */
  out = true;

  constructor(gate: boolean) {
    this.gate = gate;
  }

  elapsed(now: number): number {
    return this.elapsedBase + (this.runningSince >= 0 ? ticksAt(now - this.runningSince, PIT_HZ) : 0);
  }

  /** The value a read of the counter returns at `now`. */
  count(now: number): number {
    if (!this.loaded) return 0;
    const e = this.elapsed(now);
    const n = this.reload;
    switch (this.mode) {
      case 2:
        return n - (e % n);
      case 3: {
        // Decrements by two; the visible value restarts each half period.
        const half = Math.ceil(n / 2);
        return (n - 2 * (e % half)) & 0xffff || n & 0xffff;
      }
      default:
        // Modes 0 and 4 keep counting down through zero and wrap at 16 bits.
        return (((n - e) % 0x10000) + 0x10000) % 0x10000;
    }
  }

  outAt(now: number): boolean {
    if (!this.loaded) return this.mode !== 0;
    const e = this.elapsed(now);
    const n = this.reload;
    switch (this.mode) {
      case 0:
        return e >= n;
      case 2:
        return e % n !== n - 1;
      case 3:
        return e % n < Math.ceil(n / 2);
      case 4:
        return e !== n;
      default:
        return true;
    }
  }
}

export class Pit8254 extends BytewisePortHandler {
  private readonly ch = [new Channel(true), new Channel(true), new Channel(false)];
  private speaker = false;

  constructor(
    readonly basePort: number,
    private readonly clock: VirtualClock,
    private readonly irq0: IrqLine,
  ) {
    super();
  }

  protected readByte(port: number): number {
    const now = this.clock.now;
    if (port === PORT_B) {
      const c2 = this.ch[2]!;
      return (
        (c2.gate ? 0x01 : 0) |
        (this.speaker ? 0x02 : 0) |
        (Math.floor(now / REFRESH_NS) & 1 ? 0x10 : 0) |
        (c2.outAt(now) ? 0x20 : 0)
      );
    }
    const i = port - this.basePort;
    if (i < 0 || i > 2) return 0xff; // the control word register is write-only
    const c = this.ch[i]!;
    if (c.statusLatch !== undefined) {
      const s = c.statusLatch;
      c.statusLatch = undefined;
      return s;
    }
    if (c.latched.length) return c.latched.shift()!;
    const v = c.count(now);
    switch (c.access) {
      case ACCESS_LSB:
        return v & 0xff;
      case ACCESS_MSB:
        return v >> 8;
      default: {
        const b = c.readMsbNext ? v >> 8 : v & 0xff;
        c.readMsbNext = !c.readMsbNext;
        return b;
      }
    }
  }

  protected writeByte(port: number, v: number): void {
    const now = this.clock.now;
    if (port === PORT_B) {
      this.setGate2((v & 0x01) !== 0);
      this.speaker = (v & 0x02) !== 0;
      return;
    }
    const i = port - this.basePort;
    if (i === 3) {
      this.control(v);
      return;
    }
    if (i < 0 || i > 2) return;
    const c = this.ch[i]!;
    switch (c.access) {
      case ACCESS_LSB:
        this.load(i, v);
        return;
      case ACCESS_MSB:
        this.load(i, v << 8);
        return;
      default:
        if (c.writeLow === undefined) {
          c.writeLow = v;
          // Mode 0: writing the first byte stops the count (OUT goes low) until the second byte arrives.
          if (c.mode === 0) {
            c.elapsedBase = c.elapsed(now);
            c.runningSince = -1;
          }
        } else {
          this.load(i, c.writeLow | (v << 8));
          c.writeLow = undefined;
        }
    }
  }

  private control(v: number): void {
    const sel = v >> 6;
    const now = this.clock.now;
    if (sel === 3) {
      // Read-back: bit 5 clear = latch count, bit 4 clear = latch status; bits 1-3 select channels.
      for (let i = 0; i < 3; i++) {
        if (!(v & (2 << i))) continue;
        const c = this.ch[i]!;
        if (!(v & 0x10) && c.statusLatch === undefined) {
          c.statusLatch = (c.outAt(now) ? 0x80 : 0) | (c.loaded ? 0 : 0x40) | (c.access << 4) | (c.mode << 1);
        }
        if (!(v & 0x20) && !c.latched.length) this.latch(c);
      }
      return;
    }
    const c = this.ch[sel]!;
    const access = (v >> 4) & 3;
    if (access === ACCESS_LATCH) {
      if (!c.latched.length) this.latch(c);
      return;
    }
    if (v & 1) throw new NotImplementedError('8254 BCD counting');
    let mode = (v >> 1) & 7;
    if (mode > 5) mode -= 4; // modes 6 and 7 are aliases of 2 and 3
    if (mode === 1 || mode === 5) throw new NotImplementedError(`8254 mode ${mode} (hardware-triggered)`);
    c.mode = mode;
    c.access = access;
    c.loaded = false;
    c.runningSince = -1;
    c.elapsedBase = 0;
    c.writeLow = undefined;
    c.readMsbNext = false;
    c.latched = [];
    this.clock.cancel(c.event);
    this.setOut(sel, mode !== 0);
  }

  private latch(c: Channel): void {
    const v = c.count(this.clock.now);
    if (c.access === ACCESS_LSB) c.latched = [v & 0xff];
    else if (c.access === ACCESS_MSB) c.latched = [v >> 8];
    else c.latched = [v & 0xff, v >> 8];
  }

  private load(i: number, value: number): void {
    const c = this.ch[i]!;
    const now = this.clock.now;
    // Mode 2/3 reloads take effect at the next period unless counting has not started yet; we restart at once,
    // which is what software that reprograms a running PIT observes within one period.
    c.reload = value === 0 ? 0x10000 : value;
    c.loaded = true;
    c.elapsedBase = 0;
    c.runningSince = c.gate ? now : -1;
    this.setOut(i, c.mode !== 0);
    this.schedule(i);
  }

  private setGate2(high: boolean): void {
    const c = this.ch[2]!;
    if (c.gate === high) return;
    const now = this.clock.now;
    c.gate = high;
    if (!c.loaded) return;
    if (high) {
      // Modes 2 and 3 restart on a rising gate; 0 and 4 resume.
      if (c.mode === 2 || c.mode === 3) c.elapsedBase = 0;
      c.runningSince = now;
    } else {
      c.elapsedBase = c.elapsed(now);
      c.runningSince = -1;
    }
  }

  /** Channel 0 drives IRQ 0: schedule its next OUT transition. Other channels are read by polling. */
  private schedule(i: number): void {
    const c = this.ch[i]!;
    this.clock.cancel(c.event);
    c.event = undefined;
    if (i !== 0 || c.runningSince < 0) return;
    const e = c.elapsed(this.clock.now);
    const n = c.reload;
    let next: number;
    if (c.mode === 0) {
      if (e >= n) return;
      next = n;
    } else if (c.mode === 4) {
      if (e >= n) return;
      next = n; // OUT pulses low for one tick: the rising edge after it is the interrupt
    } else if (c.mode === 2) {
      next = (Math.floor(e / n) + 1) * n; // OUT rises again at the start of each period
    } else {
      next = (Math.floor(e / n) + 1) * n; // square wave: rising edge each full period
    }
    const at = c.runningSince + timeOfTick(next - c.elapsedBase, PIT_HZ);
    c.event = this.clock.schedule(Math.max(at, this.clock.now), 'pit-ch0', () => {
      if (c.mode === 0) this.setOut(0, true);
      else {
        this.setOut(0, false);
        this.setOut(0, true);
      }
      this.schedule(0);
    });
  }

  private setOut(i: number, high: boolean): void {
    const c = this.ch[i]!;
    if (c.out === high) return;
    c.out = high;
    if (i === 0) this.irq0.setLevel(high);
  }
}
