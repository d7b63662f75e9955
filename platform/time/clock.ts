/**
 * Deterministic virtual time. The machine's run loop advances the clock from retired instructions; devices
 * schedule callbacks at virtual times. The same run therefore produces the same device behaviour on any host.
 *
 * Time is a Number of nanoseconds (exact up to 2^53 ns, about 104 days of guest time). Events at the same
 * time run in the order they were scheduled.
 */

import { NovaImageError } from '../../common/errors.js';

export type TimerCallback = (now: number) => void;

export interface TimerHandle {
  readonly name: string;
  readonly at: number;
  /** False once the event has run or was cancelled. */
  readonly pending: boolean;
}

interface Entry extends TimerHandle {
  at: number;
  seq: number;
  pending: boolean;
  callback: TimerCallback;
}

/** Scheduling in the past or running time backwards: a bug in a device model or the run loop. */
export class ClockError extends NovaImageError {}

export class VirtualClock {
  private nowNs = 0;
  private seq = 0;
  private readonly heap: Entry[] = [];

  /** While a CPU slice runs (see `beginSlice`): the CPU's progress in ns, and its value at `nowNs`. */
  private sliceProgress: (() => number) | null = null;
  private sliceBase = 0;
  private onSliceEvent: ((at: number) => void) | null = null;

  /**
   * Current virtual time in nanoseconds. Inside a CPU slice it includes the instructions retired so far, so a
   * device the guest reads mid-slice (a counter, a timer's current count) sees time move with every
   * instruction, as a guest polling a counter in a loop expects.
   */
  get now(): number {
    const p = this.sliceProgress;
    return p === null ? this.nowNs : this.nowNs + (p() - this.sliceBase);
  }

  /**
   * Starts a CPU slice: until `endSlice`, `now` adds `progress()` (ns, counted from the value it has now).
   * The run loop sizes slices to end at the next event, so none falls due inside one; an event scheduled
   * during the slice is reported to `onSchedule(at)` so the run loop can end the slice before it is due.
   */
  beginSlice(progress: () => number, onSchedule: (at: number) => void): void {
    this.sliceProgress = progress;
    this.sliceBase = progress();
    this.onSliceEvent = onSchedule;
  }

  /** Ends the CPU slice: commits the time it ran and runs the events now due. */
  endSlice(): void {
    this.commitSlice();
    this.sliceProgress = null;
    this.onSliceEvent = null;
    this.advanceTo(this.nowNs);
  }

  /** Folds the time the running slice has advanced into `nowNs` (the slice goes on from there). */
  private commitSlice(): void {
    const p = this.sliceProgress;
    if (p === null) return;
    const v = p();
    this.nowNs += v - this.sliceBase;
    this.sliceBase = v;
  }

  /** Time of the earliest pending event, or Infinity. The run loop uses it to size its next slice. */
  get nextEventAt(): number {
    while (this.heap.length && !this.heap[0]!.pending) this.pop();
    return this.heap.length ? this.heap[0]!.at : Infinity;
  }

  schedule(at: number, name: string, callback: TimerCallback): TimerHandle {
    const now = this.now;
    if (!Number.isFinite(at) || at < now) {
      throw new ClockError(`event ${name}: time ${at} ns is before now (${now} ns)`);
    }
    const e: Entry = { name, at, seq: this.seq++, pending: true, callback };
    this.push(e);
    this.onSliceEvent?.(at);
    return e;
  }

  scheduleIn(delayNs: number, name: string, callback: TimerCallback): TimerHandle {
    return this.schedule(this.now + Math.max(0, delayNs), name, callback);
  }

  cancel(handle: TimerHandle | undefined): void {
    if (handle) (handle as Entry).pending = false;
  }

  /** Moves time forward to `t`, running every event due at or before it (each sees `now` = its own time). */
  advanceTo(t: number): void {
    this.commitSlice();
    if (t < this.nowNs) throw new ClockError(`cannot go back in time from ${this.nowNs} to ${t} ns`);
    for (;;) {
      const next = this.nextEventAt;
      if (next > t) break;
      const e = this.pop()!;
      this.nowNs = e.at;
      e.pending = false;
      e.callback(e.at);
    }
    this.nowNs = t;
  }

  advanceBy(deltaNs: number): void {
    this.advanceTo(this.now + deltaNs);
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

export const NS_PER_SECOND = 1_000_000_000;

/** floor(ns * hz / 1e9) without losing precision for large `ns` (split into whole seconds + remainder). */
export function ticksAt(ns: number, hz: number): number {
  const s = Math.floor(ns / NS_PER_SECOND);
  const rem = ns - s * NS_PER_SECOND;
  return s * hz + Math.floor((rem * hz) / NS_PER_SECOND);
}

/** The earliest time in ns at which ticksAt(t, hz) >= ticks (exact for hz below 9 MHz, e.g. the PM timer). */
export function timeOfTick(ticks: number, hz: number): number {
  const s = Math.floor(ticks / hz);
  const rem = ticks - s * hz;
  return s * NS_PER_SECOND + Math.ceil((rem * NS_PER_SECOND) / hz);
}

/** Guest wall-clock time at virtual time 0 unless a run chooses another: 2026-01-01T00:00:00Z. Fixed, so
 * RTC reads are the same on every host and every run. */
export const DEFAULT_EPOCH_SECONDS = 1_767_225_600;
