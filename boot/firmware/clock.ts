/**
 * Virtual time as the firmware sees it. The board's deterministic clock (time advances with retired
 * instructions) implements this; Stall and timer waits advance it instead of sleeping, so firmware waits
 * cost no host time and two runs stay identical.
 */
export interface FirmwareClock {
  /** Nanoseconds since power-on. */
  nowNs(): number;
  /** Moves virtual time forward (Stall, WaitForEvent on a timer). */
  advanceNs(ns: number): void;
}

/** A stand-alone clock for tests and for paths that run before the board's clock exists. */
export class ManualClock implements FirmwareClock {
  private ns = 0;
  nowNs(): number {
    return this.ns;
  }
  advanceNs(ns: number): void {
    this.ns += ns;
  }
}

/** The board's clock (platform/time/clock.ts VirtualClock) seen through the firmware's interface. */
export function firmwareClockOf(clock: { readonly now: number; advanceBy(deltaNs: number): void }): FirmwareClock {
  return { nowNs: () => clock.now, advanceNs: (ns) => clock.advanceBy(ns) };
}
