/**
 * Events and timers (UEFI 2.10, 7.1) as far as loaders use them: plain and timer events, SetTimer
 * (cancel, periodic, relative; 100 ns units), WaitForEvent, CheckEvent, SignalEvent, CloseEvent, and the
 * console's WaitForKey. Time is the firmware clock's virtual time: waiting on a timer advances it to the
 * trigger instead of sleeping. Events with notification functions would need the firmware to call back
 * into guest code; that is not built and is refused with NotImplementedError.
 */
import { NotImplementedError } from '../../../common/errors.js';
import type { TrapStop } from '../../firmware/traps.js';
import type { UefiContext } from './context.js';

export const EVT_TIMER = 0x80000000;
export const EVT_RUNTIME = 0x40000000;
export const EVT_NOTIFY_WAIT = 0x00000100;
export const EVT_NOTIFY_SIGNAL = 0x00000200;
export const EVT_SIGNAL_EXIT_BOOT_SERVICES = 0x00000201;
export const EVT_SIGNAL_VIRTUAL_ADDRESS_CHANGE = 0x60000202;

export const TimerCancel = 0;
export const TimerPeriodic = 1;
export const TimerRelative = 2;

interface EfiEvent {
  type: number;
  signaled: boolean;
  /** Virtual time (ns) at which the timer fires, or undefined when no timer is armed. */
  triggerNs?: number;
  periodNs?: number;
  /** For the console's WaitForKey: signaled while input is waiting. */
  ready?: () => boolean;
}

export class EventService {
  private readonly events = new Map<number, EfiEvent>();

  constructor(private readonly ctx: UefiContext) {}

  create(type: number, notifyFunction: bigint): number | 'invalid' {
    if (notifyFunction !== 0n && (type & (EVT_NOTIFY_SIGNAL | EVT_NOTIFY_WAIT)) !== 0) {
      throw new NotImplementedError(`UEFI events with notification functions (CreateEvent type 0x${type.toString(16)}, NotifyFunction 0x${notifyFunction.toString(16)})`);
    }
    if ((type & EVT_NOTIFY_SIGNAL) !== 0 && (type & EVT_NOTIFY_WAIT) !== 0) return 'invalid';
    const handle = this.ctx.bootHeap.alloc(16, 16);
    this.events.set(handle, { type, signaled: false });
    return handle;
  }

  createKeyEvent(ready: () => boolean): number {
    const handle = this.ctx.bootHeap.alloc(16, 16);
    this.events.set(handle, { type: EVT_NOTIFY_WAIT, signaled: false, ready });
    return handle;
  }

  has(event: number): boolean {
    return this.events.has(event);
  }

  close(event: number): boolean {
    return this.events.delete(event);
  }

  signal(event: number): boolean {
    const e = this.events.get(event);
    if (!e) return false;
    e.signaled = true;
    return true;
  }

  /** SetTimer; false when the event is not a timer event (EFI_INVALID_PARAMETER). */
  setTimer(event: number, kind: number, trigger100ns: bigint): boolean {
    const e = this.events.get(event);
    if (!e || (e.type & EVT_TIMER) === 0 || kind > TimerRelative) return false;
    if (kind === TimerCancel) {
      e.triggerNs = e.periodNs = undefined;
      return true;
    }
    const ns = Number(trigger100ns) * 100;
    e.triggerNs = this.ctx.clock.nowNs() + ns;
    e.periodNs = kind === TimerPeriodic ? ns : undefined;
    return true;
  }

  private update(e: EfiEvent): void {
    if (e.triggerNs !== undefined && this.ctx.clock.nowNs() >= e.triggerNs) {
      e.signaled = true;
      if (e.periodNs) e.triggerNs += Math.max(e.periodNs, 1);
      else e.triggerNs = undefined;
    }
    if (e.ready?.()) e.signaled = true;
  }

  /** CheckEvent: 'signaled' (and cleared), 'not-ready', or 'invalid' for notify-signal events. */
  check(event: number): 'signaled' | 'not-ready' | 'invalid' {
    const e = this.events.get(event);
    if (!e || (e.type & EVT_NOTIFY_SIGNAL) !== 0) return 'invalid';
    this.update(e);
    if (!e.signaled) return 'not-ready';
    e.signaled = false;
    return 'signaled';
  }

  /**
   * WaitForEvent: the index of the first signaled event, advancing virtual time to the earliest timer when
   * none is signaled. A wait that nothing can ever end (no timer, no input) stops the run with a verdict.
   */
  wait(list: readonly number[]): number | 'invalid' | TrapStop {
    for (const ev of list) {
      const e = this.events.get(ev);
      if (!e || (e.type & EVT_NOTIFY_SIGNAL) !== 0) return 'invalid';
    }
    for (;;) {
      for (let i = 0; i < list.length; i++) {
        const e = this.events.get(list[i]!)!;
        this.update(e);
        if (e.signaled) {
          e.signaled = false;
          return i;
        }
      }
      const next = Math.min(...list.map((ev) => this.events.get(ev)!.triggerNs ?? Infinity));
      if (next === Infinity) return { stop: true, reason: 'WaitForEvent: none of the events can ever be signaled (no timer armed, no console input): the guest would wait forever' };
      this.ctx.clock.advanceNs(next - this.ctx.clock.nowNs());
    }
  }
}
