/**
 * One Arm `virt` machine, assembled from the board description (platform/boards/virt): physical bus, RAM, GIC
 * (v2 or v3), PL011, PL031, the AArch64 CPU model wired to the GIC (IRQ/FIQ, timer PPIs, ICC_* registers), the
 * board's PSCI firmware (virt-psci.ts) and a deterministic virtual clock; plus `bootVirtImage`, one boot of one
 * image from bytes to verdict with the conventions of the pc machine (index.ts, verdict.ts, run-loop.ts).
 *
 * Virtual time: the generic timer counts retired instructions plus idle time skipped in WFI (the CPU model's
 * `ticks`), and the counter frequency is the board's (62.5 MHz, as QEMU's Cortex-A57), so one tick is 16 ns of
 * virtual time for the devices on the clock (PL031). Nothing reads the host clock: two runs are identical.
 *
 * Boot paths: linux (the arm64 Image protocol, boot/bzimage/arm64-loader.ts), multiboot2 (NOVA's aarch64
 * launch, virt-multiboot2.ts) and uefi (the built-in UEFI firmware in its AArch64 form, virt-uefi.ts).
 */
import { hasSetupHeader } from '../../boot/bzimage/setup-header.js';
import { readPe } from '../../boot/uefi/pe.js';
import { IMAGE_FILE_MACHINE_AMD64, IMAGE_FILE_MACHINE_I386 } from '../../boot/uefi/pe-constants.js';
import { FirmwareTrace, traceHex, type FirmwareEvent } from '../../boot/firmware/trace.js';
import { loadArm64Image, type Arm64EntryState, type Arm64ImageLoadResult } from '../../boot/bzimage/arm64-loader.js';
import { hasArm64ImageHeader } from '../../boot/bzimage/arm64-image.js';
import { findMultiboot2Header } from '../../boot/multiboot2/header.js';
import { FormatError, UsageError } from '../../common/errors.js';
import { virtBoard, type GicVersion, type VirtBoard } from '../boards/virt/board.js';
import { wireGicToCpu } from '../boards/virt/cpu-wiring.js';
import { attachVirtDevices, type VirtDevices } from '../boards/virt/devices.js';
import { Aarch64Cpu } from '../cpu/aarch64/cpu.js';
import { CPU_MODELS } from '../cpu/aarch64/cpu-model.js';
import { CNTFRQ_EL0, HCR_EL2 } from '../cpu/aarch64/sysregs.js';
import { virtDeviceTree } from '../fdt/virt.js';
import { PhysicalBus } from '../memory/bus.js';
import { VirtualClock } from '../time/clock.js';
import type { DeviceStop } from './pc-machine.js';
import { addressHex, concludeRun, EXIT_STATUS, type Verdict } from './verdict.js';
import { virtPsciFirmware, type PsciStop } from './virt-psci.js';
import { loadVirtMultiboot2, type VirtMultiboot2Result } from './virt-multiboot2.js';
import { MULTIBOOT2_LOADER_NAME } from './boot-paths.js';
import { startVirtUefi, type VirtUefiResult } from './virt-uefi.js';

/** The CPU QEMU's tests use (-cpu cortex-a57); its MIDR and ID registers come from the CPU model table. */
export const VIRT_CPU_MODEL = 'cortex-a57';
/** Default instruction budget on virt: the reference stack needs well under a million instructions. */
export const VIRT_DEFAULT_MAX_INSTRUCTIONS = 1_000_000_000;
/** Upper bound of one CPU slice: device events and the budget are checked at least this often. */
const MAX_SLICE = 1_000_000;
/** WFI wake-ups in a row that only advanced the clock before we call the machine stuck. */
const MAX_IDLE_WAKEUPS = 100_000;
/** HCR_EL2.RW (bit 31): EL1 is AArch64 (needed to enter an Image at EL1 when the board has no EL2 guest). */
const HCR_RW = 0x80000000 | 0;
/** DAIF all masked (booting.rst: "All forms of interrupts must be masked in PSTATE.DAIF"). */
const DAIF_ALL_MASKED = 0x3c0;

export const VIRT_BOOT_PATHS = ['linux', 'uefi', 'multiboot2'] as const;
export type VirtBootPath = (typeof VIRT_BOOT_PATHS)[number];

export interface VirtMachineOptions {
  readonly memoryBytes: number;
  readonly gic: GicVersion;
  /** EL2 for the guest (QEMU virtualization=on). Default true. */
  readonly virtualization?: boolean;
  readonly console: (bytes: Uint8Array) => void;
  readonly trace?: FirmwareTrace;
}

export class VirtMachine {
  readonly board: VirtBoard;
  readonly bus = new PhysicalBus();
  readonly clock = new VirtualClock();
  readonly cpu: Aarch64Cpu;
  readonly devices: VirtDevices;
  readonly trace: FirmwareTrace;
  /** Virtual nanoseconds per generic-timer tick (one retired instruction or one skipped idle tick). */
  readonly nsPerTick: number;
  deviceStop: DeviceStop | undefined;

  constructor(private readonly options: VirtMachineOptions) {
    this.board = virtBoard({ memoryBytes: options.memoryBytes, gic: options.gic, virtualization: options.virtualization ?? true });
    this.trace = options.trace ?? new FirmwareTrace();
    this.nsPerTick = 1e9 / this.board.timer.frequencyHz;
    const byte = new Uint8Array(1);
    this.devices = attachVirtDevices(this.board, {
      bus: this.bus,
      clock: this.clock,
      console: (b) => {
        byte[0] = b;
        options.console(byte);
      },
    });
    this.cpu = new Aarch64Cpu(this.bus, CPU_MODELS[VIRT_CPU_MODEL]!);
    // What the firmware programs before any loader runs: the counter frequency the board's timer ticks at.
    this.cpu.setSys(CNTFRQ_EL0, this.board.timer.frequencyHz, 0);
    wireGicToCpu(this.board, this.devices.gic, this.cpu);
    // WFI sleeps no further than the next device event on the board clock (a PL031 alarm before the next CPU
    // timer deadline must wake the CPU on time); the run loop then fires the event and the WFI runs again.
    this.cpu.idleHorizon = () => {
      const next = this.clock.nextEventAt;
      return Number.isFinite(next) ? Math.ceil(next / this.nsPerTick) : Infinity;
    };
    // QEMU advertises the GIC system-register interface (ID_AA64PFR0_EL1.GIC) exactly when a GICv3 is wired.
    this.cpu.advertiseGicSystemRegisters(this.board.gic.version === 3);
    this.cpu.firmware = virtPsciFirmware(this.board, {
      onStop: (s) => this.psciStop(s),
      onCall: (id, name, result) => this.trace.record('call', 'psci', { function: name, id: traceHex(id), conduit: this.board.psci.method, ...(result !== undefined ? { result } : {}) }),
    });
    this.trace.record('machine', 'board', {
      board: this.board.name,
      cpu: VIRT_CPU_MODEL,
      memoryBytes: this.board.memoryBytes,
      gic: this.board.gic.version,
      virtualization: this.board.virtualization,
      psci: this.board.psci.method,
      ram: this.board.ram.map((r) => `${r.name} 0x${r.base.toString(16)}+0x${r.size.toString(16)}`),
    });
  }

  /** The device tree the firmware hands over, generated from the board description. */
  deviceTree(chosen: { bootargs?: string; initrd?: { start: number; end: number } }): Uint8Array {
    return virtDeviceTree(this.board, chosen);
  }

  /** Text from the UEFI firmware's console (ConOut/StdErr) goes to the serial stream, as AAVMF's serial terminal. */
  consoleText(text: string): void {
    this.options.console(new Uint8Array(Buffer.from(text, 'utf8')));
  }

  /** Puts the CPU in the state a loader leaves it in (booting.rst): PC, EL, X0..X3, DAIF masked, MMU off. */
  applyEntry(entry: Arm64EntryState): void {
    const cpu = this.cpu;
    if (entry.el === 2 && !this.board.virtualization) throw new UsageError('entry at EL2 needs the board with virtualization');
    if (entry.el === 1) cpu.setSys(HCR_EL2, HCR_RW, 0);
    cpu.el = entry.el;
    cpu.spsel = 1;
    cpu.daif = DAIF_ALL_MASKED;
    entry.x.forEach((value, n) => cpu.setX(2 * n, value % 2 ** 32 | 0, Math.floor(value / 2 ** 32) | 0));
    cpu.pc = entry.pc;
    cpu.updateMode();
  }

  /** Ends the current CPU slice; the run loop turns the first stop into the verdict. */
  stop(s: DeviceStop): void {
    if (this.deviceStop) return;
    this.deviceStop = s;
    this.trace.record('machine', 'device-stop', { kind: s.kind, message: s.message });
    this.cpu.stopWith({ kind: 'halted', detail: s.message });
  }

  private psciStop(s: PsciStop): void {
    switch (s.kind) {
      case 'power-off':
        return this.stop({ kind: 'power-off', exitStatus: EXIT_STATUS.powerOff, message: s.message });
      case 'reset':
        // Like QEMU -no-reboot: the run ends.
        return this.stop({ kind: 'reset', exitStatus: EXIT_STATUS.reset, message: s.message });
      case 'cpu-off':
        return this.stop({ kind: 'halted-forever', exitStatus: EXIT_STATUS.haltedForever, message: s.message, registers: this.cpu.dump() });
    }
  }
}

/** Runs the machine to a verdict: slices sized to the next device event, idle time skipped in WFI. */
export function runVirtMachine(m: VirtMachine, maxInstructions: number): Verdict {
  const { cpu, clock } = m;
  let executed = 0;
  let idleWakeups = 0;
  const pc = () => addressHex(cpu.pc);
  const end = (v: Omit<Verdict, 'instructions' | 'virtualNs'>): Verdict => concludeRun(m.trace, v, executed, clock.now);
  const syncClock = () => {
    const t = cpu.ticks * m.nsPerTick;
    if (t > clock.now) clock.advanceTo(t);
  };
  for (;;) {
    if (executed >= maxInstructions) {
      return end({ kind: 'budget-exhausted', exitStatus: EXIT_STATUS.budgetExhausted, message: `instruction budget of ${maxInstructions} spent (endless loop or slow guest); stopped at pc ${pc()}`, registers: cpu.dump() });
    }
    const untilEvent = Math.floor((clock.nextEventAt - clock.now) / m.nsPerTick);
    const slice = Math.max(1, Math.min(MAX_SLICE, untilEvent, maxInstructions - executed));
    let r;
    try {
      r = cpu.run(slice);
    } catch (e) {
      // A defect of a model must not take the host down: the run ends with a fault verdict.
      return end({ kind: 'fault', exitStatus: EXIT_STATUS.fault, message: `model error at pc ${pc()}: ${e instanceof Error ? e.message : String(e)}`, registers: cpu.dump() });
    }
    executed += r.instructions;
    if (r.instructions > 0) idleWakeups = 0;
    try {
      syncClock();
    } catch (e) {
      return end({ kind: 'fault', exitStatus: EXIT_STATUS.fault, message: `device model error: ${e instanceof Error ? e.message : String(e)}`, registers: cpu.dump() });
    }
    const stop = m.deviceStop;
    if (stop) return end({ kind: stop.kind, exitStatus: stop.exitStatus, message: stop.message, guestValue: stop.guestValue, registers: stop.registers });
    const reason = r.reason;
    switch (reason.kind) {
      case 'budget':
        continue;
      case 'halted': {
        // The clock just caught up with the slice: a device event it fired may have raised the line already.
        if (cpu.irqLine || cpu.fiqLine) continue;
        // WFI that no interrupt line or CPU timer can end: only a device event on the clock can still help.
        const next = clock.nextEventAt;
        if (!Number.isFinite(next) || ++idleWakeups > MAX_IDLE_WAKEUPS) {
          return end({ kind: 'halted-forever', exitStatus: EXIT_STATUS.haltedForever, message: `${reason.detail} (pc ${pc()}): the guest can never continue`, registers: r.dump ?? cpu.dump() });
        }
        cpu.idleTicks += Math.max(0, Math.ceil((next - clock.now) / m.nsPerTick));
        syncClock();
        continue;
      }
      case 'power-off':
      case 'reset':
        // Only the board's PSCI firmware ends runs this way, and it notes a deviceStop first.
        return end({ kind: 'fault', exitStatus: EXIT_STATUS.fault, message: `unexpected CPU stop: ${reason.detail}`, registers: cpu.dump() });
      case 'unimplemented':
        return end({ kind: 'fault', exitStatus: EXIT_STATUS.fault, message: `unimplemented: ${reason.detail}`, registers: r.dump ?? cpu.dump() });
      case 'fault':
        return end({ kind: 'fault', exitStatus: EXIT_STATUS.fault, message: reason.detail, registers: r.dump ?? cpu.dump() });
    }
  }
}

export interface VirtBootOptions {
  /** Shown in messages and the trace (default "image"). */
  readonly file?: string;
  /** Boot path: linux (default for an arm64 Image), multiboot2 (default otherwise), or uefi (the PE entry). */
  readonly via?: string;
  readonly gic?: GicVersion;
  readonly memoryBytes?: number;
  /** Kernel command line: /chosen bootargs (omitted when empty, as QEMU's -append does); Multiboot2 tag 1. */
  readonly append?: string;
  /** Linux path: at most one, the initrd (/chosen linux,initrd-start/end); Multiboot2: modules before the "dtb" one. */
  readonly modules?: ReadonlyArray<{ readonly file: string; readonly bytes: Uint8Array }>;
  readonly maxInstructions?: number;
  /** Records into this trace (the result carries the events either way). */
  readonly trace?: FirmwareTrace;
  readonly onConsole?: (bytes: Uint8Array) => void;
  /** EL2 for the guest (QEMU virtualization=on); default true. */
  readonly virtualization?: boolean;
}

export interface VirtBootResult {
  readonly path: VirtBootPath;
  readonly board: 'virt';
  readonly gic: GicVersion;
  readonly verdict: Verdict;
  readonly console: Uint8Array;
  readonly trace: FirmwareEvent[];
  /** Facts of the Linux Image load (where the FDT, Image and initrd went). */
  readonly load?: Arm64ImageLoadResult;
  /** Facts of the Multiboot2 load (kernel placement, modules, information). */
  readonly multiboot2?: VirtMultiboot2Result;
  /** Facts of the UEFI path (firmware, loaded PE image, entry state). */
  readonly uefi?: VirtUefiResult;
}

/** `--gic 2|3` as the CLI gives it (undefined: the board's default, GICv3). */
export function parseGicOption(text: string | undefined): GicVersion | undefined {
  if (text === undefined) return undefined;
  if (text !== '2' && text !== '3') throw new UsageError(`--gic ${text}: expected 2 or 3`);
  return Number(text) as GicVersion;
}

/** What marks an image as x86 code (a Linux x86 setup header, an x86 PE), or undefined. */
function x86ImageKind(image: Uint8Array, file: string): string | undefined {
  if (hasSetupHeader(image)) return 'Linux x86 setup header "HdrS" at 0x202';
  let machine: number;
  try {
    machine = readPe(image, file).coff.Machine;
  } catch {
    return undefined; // not a PE: the path checks below name what is wrong with it
  }
  return machine === IMAGE_FILE_MACHINE_AMD64 || machine === IMAGE_FILE_MACHINE_I386 ? `PE machine 0x${machine.toString(16)}` : undefined;
}

function chooseVirtPath(image: Uint8Array, file: string, requested: string | undefined): VirtBootPath {
  // An x86 mono-image also carries a Multiboot2 header; say what it is instead of failing to place it.
  const x86 = x86ImageKind(image, file);
  if (x86) throw new UsageError(`--board virt: ${file} is an x86 image (${x86}); the virt board runs AArch64 images, boot it on --board pc`);
  if (requested !== undefined) {
    if (!(VIRT_BOOT_PATHS as readonly string[]).includes(requested)) throw new UsageError(`--via ${requested}: expected one of ${VIRT_BOOT_PATHS.join(', ')}`);
    return requested as VirtBootPath;
  }
  // The default mirrors QEMU -kernel: an arm64 Image takes the Linux path; a bare Multiboot2 kernel the other.
  if (hasArm64ImageHeader(image)) return 'linux';
  if (findMultiboot2Header(image, file)) return 'multiboot2';
  throw new FormatError(file, 0x38, 'arm64_image_header.magic', 'neither an arm64 Linux Image ("ARM\\x64" at 0x38) nor a Multiboot2 image (header in the first 32 KiB)');
}

/** Synchronous core of `bootVirtImage`. */
export function bootVirtImageSync(image: Uint8Array, o: VirtBootOptions = {}): VirtBootResult {
  const file = o.file ?? 'image';
  const gic = o.gic ?? 3;
  const path = chooseVirtPath(image, file, o.via);
  const maxInstructions = o.maxInstructions ?? VIRT_DEFAULT_MAX_INSTRUCTIONS;
  if (!Number.isSafeInteger(maxInstructions) || maxInstructions <= 0) throw new UsageError(`--max-insns ${maxInstructions}: expected a positive integer`);
  const chunks: Uint8Array[] = [];
  const trace = o.trace ?? new FirmwareTrace();
  const m = new VirtMachine({
    memoryBytes: o.memoryBytes ?? 512 * 1024 * 1024,
    gic,
    virtualization: o.virtualization,
    trace,
    console: (bytes) => {
      const copy = bytes.slice();
      chunks.push(copy);
      o.onConsole?.(copy);
    },
  });
  const modules = o.modules ?? [];
  trace.record('machine', 'boot', { image: file, path, append: o.append ?? '', modules: modules.map((mod) => mod.file), maxInstructions });
  let load: Arm64ImageLoadResult | undefined;
  let multiboot2: VirtMultiboot2Result | undefined;
  let uefi: VirtUefiResult | undefined;
  switch (path) {
    case 'linux': {
      if (modules.length > 1) throw new UsageError('--via linux: the arm64 Image protocol carries one initrd; give at most one --module');
      const append = o.append ?? '';
      const ram = m.board.ram[0]!;
      load = loadArm64Image({
        bus: m.bus,
        ram: { base: ram.base, size: ram.size },
        image,
        file,
        initrd: modules[0]?.bytes,
        deviceTree: (chosen) => m.deviceTree({ ...(append !== '' ? { bootargs: append } : {}), ...chosen }),
        entryEl: m.board.virtualization ? 2 : 1,
        trace,
      });
      m.applyEntry(load.entry);
      break;
    }
    case 'uefi':
      uefi = startVirtUefi(m, { image, file, commandLine: o.append ?? '', modules });
      break;
    case 'multiboot2': {
      multiboot2 = loadVirtMultiboot2({ bus: m.bus, board: m.board, image, file, commandLine: o.append ?? '', modules, deviceTree: m.deviceTree({}), bootLoaderName: MULTIBOOT2_LOADER_NAME, trace });
      m.applyEntry(multiboot2.entry);
      break;
    }
  }
  const verdict = runVirtMachine(m, maxInstructions);
  return { path, board: 'virt', gic, verdict, console: Buffer.concat(chunks), trace: trace.events, load, multiboot2, uefi };
}

/**
 * One boot of one image on the virt board, from bytes to verdict (the `boot --board virt` command, tests and
 * benchmarks call it; it never starts QEMU). Bad input throws typed errors before the CPU starts; everything
 * the guest does ends in the verdict.
 */
export async function bootVirtImage(image: Uint8Array, o: VirtBootOptions = {}): Promise<VirtBootResult> {
  return bootVirtImageSync(image, o);
}
