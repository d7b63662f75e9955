/**
 * `bootImage`: one boot of one image on the pc board, from bytes to verdict. The `boot` command, tests and
 * benchmarks call this; it never starts QEMU.
 */
import type { DispatchOutcome } from '../../boot/firmware/traps.js';
import { FirmwareTrace, type FirmwareEvent } from '../../boot/firmware/trace.js';
import { applyX86Entry } from '../../boot/firmware/x86-cpu-adapter.js';
import { UsageError } from '../../common/errors.js';
import { choosePath, prepareBoot, type BootInput, type BootPath, type PreparedBoot } from './boot-paths.js';
import { PcMachine } from './pc-machine.js';
import { runMachine } from './run-loop.js';
import { attachFirmwareTraps } from './trap-gate.js';
import { EXIT_STATUS, type Verdict } from './verdict.js';

export { BOOT_PATHS, choosePath, offeredPaths, type BootPath, type PreparedBoot } from './boot-paths.js';
export { PcMachine } from './pc-machine.js';
export { describeVerdict, debugExitStatus, EXIT_STATUS, type Verdict, type VerdictKind } from './verdict.js';

/** Default instruction budget: the reference kernel needs about 1.4 million; a runaway guest ends within seconds to a minute. */
export const DEFAULT_MAX_INSTRUCTIONS = 1_000_000_000;

export interface BootOptions extends BootInput {
  readonly board?: string;
  readonly via?: string;
  readonly memoryBytes?: number;
  readonly maxInstructions?: number;
  /** Every console byte as it is printed (COM1 and UEFI ConOut). */
  readonly onConsole?: (bytes: Uint8Array) => void;
  /** Called once the path's firmware has prepared memory, before the CPU starts (tests inject events here). */
  readonly onPrepared?: (boot: PreparedBoot, machine: PcMachine) => void;
}

export interface BootResult {
  readonly path: BootPath;
  readonly verdict: Verdict;
  /** Everything the guest printed. */
  readonly console: Uint8Array;
  /** The event trace: firmware calls, loads, ExitBootServices, device stops, DMA attempts, the verdict. */
  readonly trace: FirmwareEvent[];
}

export function bootImage(o: BootOptions): BootResult {
  const board = o.board ?? 'pc';
  if (board !== 'pc') throw new UsageError(`--board ${board}: the boot command runs x86 images on the pc board only (the virt board is AArch64)`);
  const path = choosePath(o.image, o.file, o.via);
  const chunks: Uint8Array[] = [];
  const trace = new FirmwareTrace();
  const m = new PcMachine({
    memoryBytes: o.memoryBytes ?? 512 * 1024 * 1024,
    trace,
    console: (bytes) => {
      const copy = bytes.slice();
      chunks.push(copy);
      o.onConsole?.(copy);
    },
  });
  trace.record('machine', 'boot', { image: o.file, path, append: o.append, modules: o.modules.map((mod) => mod.file), maxInstructions: o.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS });
  const prepared = prepareBoot(m, path, o);
  if (prepared.uefi) attachFirmwareTraps(m.cpu, prepared.uefi.traps, (outcome) => m.stop(firmwareStop(outcome, m)));
  o.onPrepared?.(prepared, m);
  applyX86Entry(m.cpu, prepared.entry);
  const verdict = runMachine(m, { maxInstructions: o.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS });
  for (const d of m.devices.dma.log) {
    trace.record('dma', d.source, { address: `0x${d.address.toString(16)}`, length: d.length, direction: d.direction, outcome: d.outcome, reason: d.reason, timeNs: d.time });
  }
  return { path, verdict, console: Buffer.concat(chunks), trace: trace.events };
}

/** A firmware service that does not return: the image returning, Exit, ResetSystem, or a refused call. */
function firmwareStop(outcome: DispatchOutcome | { error: string }, m: PcMachine): Parameters<PcMachine['stop']>[0] {
  if ('error' in outcome) return { kind: 'fault', exitStatus: EXIT_STATUS.fault, message: outcome.error, registers: m.cpu.dumpRegisters() };
  const s = outcome.stop!;
  const name = outcome.function.name;
  if ((name === 'ImageReturn' || name === 'BS.Exit') && s.exitCode !== undefined) return { kind: 'image-returned', exitStatus: s.exitCode, message: s.reason };
  if (name === 'RT.ResetSystem' && s.exitCode !== undefined) {
    return /Shutdown/i.test(s.reason) ? { kind: 'power-off', exitStatus: s.exitCode, message: s.reason } : { kind: 'reset', exitStatus: EXIT_STATUS.reset, message: s.reason };
  }
  // Waiting for an event nothing can signal is the firmware's form of `cli; hlt`.
  if (name === 'BS.WaitForEvent') return { kind: 'halted-forever', exitStatus: EXIT_STATUS.haltedForever, message: `firmware ${name}: ${s.reason}`, registers: m.cpu.dumpRegisters() };
  return { kind: 'fault', exitStatus: EXIT_STATUS.fault, message: `firmware ${name}: ${s.reason}`, registers: m.cpu.dumpRegisters() };
}
