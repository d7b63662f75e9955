/**
 * How guest code reaches the TypeScript firmware: the CPU model's trap hook (X86Cpu.trapHook, checked
 * before every block) hands control to the firmware's TrapRegistry whenever RIP is a trap slot, and the
 * service returns to its caller as `ret` would (boot/firmware/traps.ts). A service that does not return
 * (the image returning, Exit, ResetSystem, a refused call) ends the run through `onStop`.
 *
 * The hook runs outside the CPU's own exception handling, so anything a service throws is turned into a
 * firmware fault here: the host never sees a stack trace, the run ends with a verdict.
 */
import { GUEST_FAULT, type X86Cpu } from '../cpu/x86_64/cpu.js';
import type { DispatchOutcome, TrapRegistry } from '../../boot/firmware/traps.js';
import { X86FirmwareCpu } from '../../boot/firmware/x86-cpu-adapter.js';

export type TrapStopHandler = (outcome: DispatchOutcome | { error: string; rip: number }) => void;

export function attachFirmwareTraps(cpu: X86Cpu, traps: TrapRegistry, onStop: TrapStopHandler): void {
  const adapter = new X86FirmwareCpu(cpu);
  cpu.trapHook = (rip) => {
    if (!traps.isTrap(rip)) return false;
    try {
      const outcome = traps.dispatch(adapter);
      if (outcome.stop) onStop(outcome);
    } catch (e) {
      const what = e === GUEST_FAULT ? `guest exception ${cpu.faultVector} while the firmware accessed guest memory` : e instanceof Error ? e.message : String(e);
      onStop({ error: `firmware service at 0x${rip.toString(16)} (${traps.lookup(rip)?.name ?? 'unknown'}) failed: ${what}`, rip });
    }
    return true;
  };
}
