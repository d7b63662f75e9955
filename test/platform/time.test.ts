import { describe, expect, it } from 'vitest';
import { ClockError, ticksAt, timeOfTick, VirtualClock } from '../../platform/time/clock.js';

describe('VirtualClock', () => {
  it('runs due events in time order, same-time events in scheduling order, each at its own time', () => {
    const c = new VirtualClock();
    const seen: string[] = [];
    c.schedule(300, 'c', (t) => seen.push(`c@${t}/${c.now}`));
    c.schedule(100, 'a', (t) => seen.push(`a@${t}/${c.now}`));
    c.schedule(100, 'b', (t) => seen.push(`b@${t}/${c.now}`));
    c.schedule(500, 'late', () => seen.push('late'));
    c.advanceTo(300);
    expect(seen).toEqual(['a@100/100', 'b@100/100', 'c@300/300']);
    expect(c.now).toBe(300);
    expect(c.nextEventAt).toBe(500);
  });

  it('cancelled events do not run; events scheduled from callbacks run in the same advance', () => {
    const c = new VirtualClock();
    const seen: number[] = [];
    const h = c.schedule(10, 'x', () => seen.push(-1));
    c.cancel(h);
    expect(h.pending).toBe(false);
    c.schedule(20, 'chain', (t) => {
      seen.push(t);
      c.scheduleIn(5, 'next', (u) => seen.push(u));
    });
    c.advanceBy(100);
    expect(seen).toEqual([20, 25]);
    expect(c.nextEventAt).toBe(Infinity);
  });

  it('refuses to schedule in the past or run backwards', () => {
    const c = new VirtualClock();
    c.advanceTo(1000);
    expect(() => c.schedule(999, 'past', () => {})).toThrow(ClockError);
    expect(() => c.advanceTo(10)).toThrow(ClockError);
  });

  it('converts time to ticks exactly, even after days of guest time', () => {
    expect(ticksAt(1e9, 3_579_545)).toBe(3_579_545);
    expect(ticksAt(279, 3_579_545)).toBe(0); // 279 ns < one tick (279.37 ns)
    expect(ticksAt(280, 3_579_545)).toBe(1);
    const day = 86_400e9;
    expect(ticksAt(day + 1e9, 3_579_545)).toBe(86_401 * 3_579_545);
    for (const n of [1, 2, 1000, 3_579_545, 2 ** 31]) {
      const t = timeOfTick(n, 3_579_545);
      expect(ticksAt(t, 3_579_545)).toBe(n);
      expect(ticksAt(t - 1, 3_579_545)).toBe(n - 1);
    }
  });
});
