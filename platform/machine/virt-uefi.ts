/**
 * The UEFI path on the virt board: the built-in UEFI firmware (boot/uefi/firmware) in its AArch64 form, set
 * up the way an AArch64 UEFI firmware leaves a QEMU `virt` machine before it starts a boot option:
 *  - memory map: the board's RAM as EfiConventionalMemory (the firmware's own allocations carved out of it)
 *    and no MMIO: like AAVMF it does not list the GIC or UART; AAVMF does list the MMIO its runtime drivers
 *    keep using (variable flash, RTC), but our runtime services touch no device (GetTime reads the virtual
 *    clock, variables live in the firmware), so there is nothing to list;
 *  - configuration tables: the board's device tree (EFI_DTB_TABLE_GUID) and SMBIOS 3; no ACPI (the board
 *    description has no ACPI tables for virt; AAVMF generates its own from QEMU's fw_cfg);
 *  - console: ConOut/StdErr text goes to the same serial stream as the PL011, as AAVMF's serial terminal;
 *  - services are trap addresses served through Aarch64Cpu.trapHook with AAPCS64; PSCI stays with the
 *    board's SMC/HVC handler (virt-psci.ts), untouched by UEFI;
 *  - the image is loaded as \EFI\BOOT\BOOTAA64.EFI and entered at EL2 when the board has virtualization
 *    (EL1 otherwise) with the MMU on and an identity map (UefiFirmware.entryStateAarch64).
 * ExitBootServices is the image's business (the loader stub calls it); then the kernel owns the machine.
 */
import { applyAarch64Entry, Aarch64FirmwareCpu } from '../../boot/firmware/aarch64-cpu-adapter.js';
import { VECTOR_TABLE_SIZE, describeVector, type Aarch64EntryState } from '../../boot/firmware/aarch64-entry.js';
import { memoryMapFromBoard } from '../../boot/firmware/board-memory.js';
import type { DispatchOutcome, TrapRegistry } from '../../boot/firmware/traps.js';
import { UefiFirmware, type LoadedUefiImage } from '../../boot/uefi/firmware/firmware.js';
import { UsageError } from '../../common/errors.js';
import type { Aarch64Cpu } from '../cpu/aarch64/cpu.js';
import { ELR_EL1, ELR_EL2, ESR_EL1, ESR_EL2, FAR_EL1, FAR_EL2, HCR_EL2 } from '../cpu/aarch64/sysregs.js';
import { UEFI_FIRMWARE_VENDOR } from './boot-paths.js';
import type { DeviceStop } from './pc-machine.js';
import { EXIT_STATUS } from './verdict.js';
import type { VirtMachine } from './virt-machine.js';

/** HCR_EL2.RW (bit 31): EL1 is AArch64, needed to run the firmware's application at EL1. */
const HCR_RW = 0x80000000 | 0;

export interface VirtUefiInput {
  readonly image: Uint8Array;
  readonly file: string;
  /** LoadOptions text (omitted when empty, as AAVMF's removable-media boot option carries none). */
  readonly commandLine: string;
  readonly modules: ReadonlyArray<{ readonly file: string; readonly bytes: Uint8Array }>;
}

export interface VirtUefiResult {
  readonly firmware: UefiFirmware;
  readonly image: LoadedUefiImage;
  readonly entry: Aarch64EntryState;
}

/** Builds the firmware in the machine's memory, loads the PE image, wires the traps and puts the CPU at its entry. */
export function startVirtUefi(m: VirtMachine, input: VirtUefiInput): VirtUefiResult {
  if (input.modules.length > 0) throw new UsageError('--via uefi: the built-in UEFI firmware offers no file system to load modules from; give none');
  const memory = memoryMapFromBoard(m.board);
  const firmware = new UefiFirmware({
    arch: 'aarch64',
    bus: m.bus,
    memory,
    console: { write: (text) => m.consoleText(text) },
    deviceTree: m.deviceTree({}),
    clock: { nowNs: () => m.cpu.ticks * m.nsPerTick, advanceNs: (ns) => void (m.cpu.idleTicks += Math.ceil(ns / m.nsPerTick)) },
    trace: m.trace,
    firmwareVendor: UEFI_FIRMWARE_VENDOR,
    smbios: { product: 'Emulated virt (QEMU virt-like)' },
  });
  const image = firmware.loadImage(input.image, input.file, input.commandLine === '' ? {} : { commandLine: input.commandLine });
  const el = m.board.virtualization ? 2 : 1;
  const entry = firmware.entryStateAarch64(image, el);
  attachAarch64FirmwareTraps(m.cpu, firmware.traps, (outcome) => m.stop(firmwareStop(outcome, m.cpu)), entry.vbar);
  if (el === 1) m.cpu.setSys(HCR_EL2, HCR_RW, 0);
  applyAarch64Entry(m.cpu, entry);
  return { firmware, image, entry };
}

/**
 * Installs the CPU's trap hook: a PC on a trap slot runs the firmware service (AAPCS64) and returns to LR;
 * a PC in the firmware's exception vectors (`vectors`, when given) ends the run with the exception's
 * syndrome. Anything a service throws becomes a fault verdict, never a host stack trace.
 */
export function attachAarch64FirmwareTraps(cpu: Aarch64Cpu, traps: TrapRegistry, onStop: (outcome: DispatchOutcome | { error: string; pc: number }) => void, vectors?: number): void {
  const adapter = new Aarch64FirmwareCpu(cpu);
  cpu.trapHook = (pc) => {
    if (vectors !== undefined && pc >= vectors && pc < vectors + VECTOR_TABLE_SIZE) {
      onStop({ error: exceptionReport(cpu, pc - vectors), pc });
      cpu.stopWith({ kind: 'halted', detail: 'exception taken to the UEFI firmware vectors' });
      return true;
    }
    if (!traps.isTrap(pc)) return false;
    try {
      const outcome = traps.dispatch(adapter);
      if (outcome.stop) onStop(outcome);
    } catch (e) {
      onStop({ error: `firmware service at 0x${pc.toString(16)} (${traps.lookup(pc)?.name ?? 'unknown'}) failed: ${e instanceof Error ? e.message : String(e)}`, pc });
    }
    return true;
  };
}

/** A firmware service that does not return: the image returning, Exit, ResetSystem, or a refused call. */
function firmwareStop(outcome: DispatchOutcome | { error: string }, cpu: Aarch64Cpu): DeviceStop {
  if ('error' in outcome) return { kind: 'fault', exitStatus: EXIT_STATUS.fault, message: outcome.error, registers: cpu.dump() };
  const s = outcome.stop!;
  const name = outcome.function.name;
  if ((name === 'ImageReturn' || name === 'BS.Exit') && s.exitCode !== undefined) return { kind: 'image-returned', exitStatus: s.exitCode, message: s.reason };
  if (name === 'RT.ResetSystem' && s.exitCode !== undefined) {
    return /Shutdown/i.test(s.reason) ? { kind: 'power-off', exitStatus: s.exitCode, message: s.reason } : { kind: 'reset', exitStatus: EXIT_STATUS.reset, message: s.reason };
  }
  if (name === 'BS.WaitForEvent') return { kind: 'halted-forever', exitStatus: EXIT_STATUS.haltedForever, message: `firmware ${name}: ${s.reason}`, registers: cpu.dump() };
  return { kind: 'fault', exitStatus: EXIT_STATUS.fault, message: `firmware ${name}: ${s.reason}`, registers: cpu.dump() };
}

/** Like EDK2's default exception handler: which vector, and the syndrome, return and fault addresses. */
function exceptionReport(cpu: Aarch64Cpu, offset: number): string {
  const el2 = cpu.el === 2;
  const reg = (slot: number) => `0x${((cpu.sys[2 * slot + 1]! >>> 0) * 2 ** 32 + (cpu.sys[2 * slot]! >>> 0)).toString(16)}`;
  const n = el2 ? 2 : 1;
  return `exception taken to the UEFI firmware's vectors (VBAR_EL${n} + 0x${offset.toString(16)}: ${describeVector(offset)}): ` +
    `ESR_EL${n} ${reg(el2 ? ESR_EL2 : ESR_EL1)}, ELR_EL${n} ${reg(el2 ? ELR_EL2 : ELR_EL1)}, FAR_EL${n} ${reg(el2 ? FAR_EL2 : FAR_EL1)}`;
}
