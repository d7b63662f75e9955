/**
 * How a run ends, as data: the machine-readable verdict every boot produces (DESIGN.md, decision 9), and the
 * process exit status the `boot` command maps it to.
 *
 * Exit statuses mirror QEMU where QEMU has an answer, so scripts written for QEMU keep working:
 * isa-debug-exit value v -> (v << 1) | 1 (status 0x10 -> 33); ACPI S5 power-off -> 0. Where QEMU would hang
 * or reboot, we end with a status of our own instead.
 */

import type { FirmwareTrace } from '../../boot/firmware/trace.js';

export type VerdictKind =
  /** The guest wrote the isa-debug-exit port. */
  | 'guest-exit'
  /** The guest powered the machine off through ACPI S5 (PM1a_CNT.SLP_EN with the \_S5 sleep type). */
  | 'power-off'
  /** The guest asked for a reset (0xcf9, keyboard controller): like QEMU -no-reboot, the run ends. */
  | 'reset'
  /** A UEFI application returned from its entry point (no OS took over). */
  | 'image-returned'
  /** Triple fault, unimplemented instruction, model error, or a firmware call refused: register dump attached. */
  | 'fault'
  /** A device's DMA aimed at an address that is not RAM (a driver gave it a wild pointer): register dump attached. */
  | 'stray-dma'
  /** HLT with interrupts disabled and nothing that could wake the CPU: the guest can never continue. */
  | 'halted-forever'
  /** The instruction budget (--max-insns) ran out: an endless loop or a slow guest. */
  | 'budget-exhausted';

export interface Verdict {
  readonly kind: VerdictKind;
  /** The process exit status the `boot` command uses. */
  readonly exitStatus: number;
  readonly message: string;
  /** Instructions retired in the whole run. */
  readonly instructions: number;
  /** Virtual time at the end, nanoseconds. */
  readonly virtualNs: number;
  /** Raw guest value (debug-exit value, EFI status) where there is one. */
  readonly guestValue?: number;
  /** Register dump at the end (faults, budget, halts). */
  readonly registers?: string;
}

/** Process exit statuses of the non-guest verdicts (documented in the README). */
export const EXIT_STATUS = {
  powerOff: 0,
  /** Like coreutils `timeout`: the budget ran out. */
  budgetExhausted: 124,
  /** The guest stopped for good without reporting a status. */
  haltedForever: 125,
  fault: 126,
  reset: 127,
} as const;

/** QEMU's isa-debug-exit mapping: the host sees the low 8 bits of (value << 1) | 1. */
/** A guest address as the guest sees it: the CPU models hold upper-half addresses as negative Numbers. */
export function addressHex(address: number): string {
  return `0x${(address < 0 ? BigInt.asUintN(64, BigInt(address)) : address).toString(16)}`;
}

export function debugExitStatus(value: number): number {
  return ((value << 1) | 1) & 0xff;
}

/** The one-line summary the `boot` command prints on stderr. */
export function describeVerdict(v: Verdict): string {
  const value = v.guestValue !== undefined ? ` (guest value 0x${v.guestValue.toString(16)})` : '';
  return `verdict: ${v.kind}${value}: ${v.message}; exit status ${v.exitStatus}; ${v.instructions} instructions, ${(v.virtualNs / 1e6).toFixed(3)} ms virtual time`;
}

/** Completes a verdict with the run's totals and records it as the trace's last event (every board's run loop). */
export function concludeRun(trace: FirmwareTrace, v: Omit<Verdict, 'instructions' | 'virtualNs'>, instructions: number, virtualNs: number): Verdict {
  const verdict: Verdict = { ...v, instructions, virtualNs };
  trace.record('verdict', verdict.kind, {
    exitStatus: verdict.exitStatus,
    message: verdict.message,
    instructions: verdict.instructions,
    virtualNs: verdict.virtualNs,
    ...(verdict.guestValue !== undefined ? { guestValue: verdict.guestValue } : {}),
    ...(verdict.registers !== undefined ? { registers: verdict.registers } : {}),
  });
  return verdict;
}
