/**
 * The machine run loop: CPU slices sized to the next device event on the virtual clock, time advanced by
 * retired instructions (NS_PER_INSTRUCTION), idle time skipped on HLT, and every way a run can end turned
 * into one Verdict. Nothing here reads the host clock, so the same image and options give the same run.
 */
import type { RunResult } from '../cpu/x86_64/cpu.js';
import { NS_PER_INSTRUCTION, type PcMachine } from './pc-machine.js';
import { addressHex, concludeRun, EXIT_STATUS, type Verdict } from './verdict.js';

/** Upper bound of one CPU slice: device events and the budget are checked at least this often. */
const MAX_SLICE = 1_000_000;
/** RFLAGS.IF */
const IF = 0x200;
/** HLT wake-ups in a row without one retired instruction before we call the machine stuck. */
const MAX_IDLE_WAKEUPS = 100_000;

export interface RunOptions {
  /** Instruction budget for the whole run. */
  readonly maxInstructions: number;
}

export function runMachine(m: PcMachine, o: RunOptions): Verdict {
  const { cpu, clock } = m;
  let executed = 0;
  // Device time moves with every retired instruction inside a slice (VirtualClock.beginSlice); an event a
  // device schedules mid-slice that falls due before the slice ends cuts the slice there.
  let sliceStart = 0;
  let sliceLimit = 0;
  const progress = (): number => (cpu.icount - sliceStart) * NS_PER_INSTRUCTION;
  // compared with the time the rest of the slice would run to (a firmware Stall inside the slice moves time
  // on without retiring instructions)
  const onSchedule = (at: number): void => {
    if (at < clock.now + (sliceLimit - cpu.icount) * NS_PER_INSTRUCTION) cpu.endSlice();
  };
  let idleWakeups = 0;
  const end = (v: Omit<Verdict, 'instructions' | 'virtualNs'>): Verdict => concludeRun(m.trace, v, executed, clock.now);
  for (;;) {
    if (executed >= o.maxInstructions) {
      return end({ kind: 'budget-exhausted', exitStatus: EXIT_STATUS.budgetExhausted, message: `instruction budget of ${o.maxInstructions} spent (endless loop or slow guest); stopped at rip ${addressHex(cpu.rip)}`, registers: cpu.dumpRegisters() });
    }
    const untilEvent = Math.floor((clock.nextEventAt - clock.now) / NS_PER_INSTRUCTION);
    const slice = Math.max(1, Math.min(MAX_SLICE, untilEvent, o.maxInstructions - executed));
    sliceStart = cpu.icount;
    sliceLimit = sliceStart + slice;
    clock.beginSlice(progress, onSchedule);
    let r: RunResult;
    try {
      r = cpu.run(slice);
    } finally {
      clock.endSlice();
    }
    executed += r.instructions;
    if (r.instructions > 0) idleWakeups = 0;
    const stop = m.deviceStop;
    if (stop) return end({ kind: stop.kind, exitStatus: stop.exitStatus, message: stop.message, guestValue: stop.guestValue, registers: stop.registers });
    switch (r.reason) {
      case 'budget':
        continue;
      case 'halted': {
        // HLT: skip to the next device event if an interrupt could end the wait; else the guest is stuck.
        const next = clock.nextEventAt;
        if (!(cpu.getFlags() & IF) || !Number.isFinite(next) || ++idleWakeups > MAX_IDLE_WAKEUPS) {
          return end({ kind: 'halted-forever', exitStatus: EXIT_STATUS.haltedForever, message: `HLT at rip ${addressHex(cpu.rip)} with ${cpu.getFlags() & IF ? 'no device event pending' : 'interrupts disabled'}: the guest can never continue`, registers: cpu.dumpRegisters() });
        }
        m.passIdleTime(Math.max(0, next - clock.now));
        continue;
      }
      case 'exit':
        // Only devices and firmware traps request exits, and they note a deviceStop first.
        return end({ kind: 'fault', exitStatus: EXIT_STATUS.fault, message: `unexpected exit request: ${r.message ?? ''}`, registers: cpu.dumpRegisters() });
      default:
        return end({ kind: 'fault', exitStatus: EXIT_STATUS.fault, message: `${r.reason}: ${r.message ?? r.reason}`, registers: r.registers ?? cpu.dumpRegisters() });
    }
  }
}
