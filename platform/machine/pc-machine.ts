/**
 * One x86 PC, assembled from the `pc` board description: physical bus and I/O ports, the board's devices
 * (platform/boards/pc/devices.ts), its ACPI tables, the x86-64 CPU model with the boot CPU's local APIC as
 * its interrupt source, and a deterministic virtual clock. The machine knows nothing about boot paths;
 * boot-paths.ts prepares memory and the entry state, run-loop.ts runs it to a verdict.
 */
import { buildPcAcpiTables, type AcpiImage } from '../acpi/pc-tables.js';
import { pcBoard, type PcBoard } from '../boards/pc/board.js';
import { attachPcDevices, type PcDevices } from '../boards/pc/devices.js';
import { X86Cpu } from '../cpu/x86_64/cpu.js';
import { PhysicalBus } from '../memory/bus.js';
import { IoPortBus } from '../memory/io-ports.js';
import { VirtualClock } from '../time/clock.js';
import type { FirmwareClock } from '../../boot/firmware/clock.js';
import { FirmwareTrace } from '../../boot/firmware/trace.js';
import { debugExitStatus, EXIT_STATUS, type VerdictKind } from './verdict.js';

/** Virtual nanoseconds per retired instruction: a 1 GHz machine, one instruction per cycle. */
export const NS_PER_INSTRUCTION = 1;

export interface PcMachineOptions {
  readonly memoryBytes: number;
  /** Receives every byte the guest prints (COM1, and the firmware's ConOut). */
  readonly console: (bytes: Uint8Array) => void;
  readonly trace?: FirmwareTrace;
  /**
   * Offer 5-level paging (CPUID LA57) to the guest. Off by default, as in QEMU's default CPU model: the CPU
   * model holds linear addresses exactly only within +-2^53, and a kernel that finds LA57 (Linux with
   * CONFIG_X86_5LEVEL) puts its direct map beyond that.
   */
  readonly la57?: boolean;
}

/** A device-requested end of the run, noted when the device acts and turned into the verdict afterwards. */
export interface DeviceStop {
  readonly kind: VerdictKind;
  readonly exitStatus: number;
  readonly message: string;
  readonly guestValue?: number;
  readonly registers?: string;
}

export class PcMachine {
  readonly board: PcBoard;
  readonly bus = new PhysicalBus();
  readonly io = new IoPortBus();
  readonly clock = new VirtualClock();
  readonly cpu: X86Cpu;
  readonly devices: PcDevices;
  readonly acpi: AcpiImage;
  readonly trace: FirmwareTrace;
  /** The firmware's view of virtual time: Stall and timer waits advance the board's clock. */
  readonly firmwareClock: FirmwareClock;
  deviceStop: DeviceStop | undefined;

  constructor(private readonly options: PcMachineOptions) {
    this.board = pcBoard({ memoryBytes: options.memoryBytes });
    this.trace = options.trace ?? new FirmwareTrace();
    this.cpu = new X86Cpu(this.bus, this.io);
    const byte = new Uint8Array(1);
    this.devices = attachPcDevices(this.board, {
      bus: this.bus,
      ports: this.io,
      clock: this.clock,
      console: (b) => {
        byte[0] = b;
        options.console(byte);
      },
      onDebugExit: (status, value) =>
        this.stop({ kind: 'guest-exit', exitStatus: debugExitStatus(value), guestValue: value, message: `isa-debug-exit port 0x${this.board.debugExit.port.toString(16)} written with 0x${value.toString(16)} (QEMU status ${status & 0xff})` }),
      onPowerOff: () => this.stop({ kind: 'power-off', exitStatus: EXIT_STATUS.powerOff, message: 'ACPI S5 power-off (PM1a_CNT.SLP_EN)' }),
      onReset: (kind) => this.stop({ kind: 'reset', exitStatus: EXIT_STATUS.reset, message: `${kind} reset requested through port 0x${this.board.resetControl.port.toString(16)}` }),
      onStrayDma: (d) =>
        this.stop({
          kind: 'stray-dma',
          exitStatus: EXIT_STATUS.fault,
          message: `${d.source} DMA ${d.direction} of 0x${d.length.toString(16)} bytes at 0x${d.address.toString(16)} refused: ${d.reason}`,
          registers: this.cpu.dumpRegisters(),
        }),
    });
    this.cpu.interruptSource = this.devices.lapics[0]!;
    // x2APIC: RDMSR/WRMSR 0x800-0x8ff reach the boot CPU's local APIC once the guest sets APIC_BASE.EXTD.
    this.cpu.apic = this.devices.lapics[0]!;
    this.cpu.la57Supported = options.la57 ?? false;
    // The ACPI tables go where the board says (BIOS area 0xe0000, found by a legacy RSDP scan too); each
    // firmware path installs them into its memory map (boot/firmware/acpi.ts).
    this.acpi = buildPcAcpiTables(this.board);
    const clock = this.clock;
    // a firmware service that waits (BS.Stall) is idle time like a HLT: GRUB calibrates the TSC against Stall(1000)
    this.firmwareClock = { nowNs: () => clock.now, advanceNs: (ns) => this.passIdleTime(ns) };
    this.trace.record('machine', 'board', {
      board: this.board.name,
      memoryBytes: this.board.memoryBytes,
      ram: this.board.ram.map((r) => `${r.name} 0x${r.base.toString(16)}+0x${r.size.toString(16)}`),
      acpiRsdp: `0x${this.acpi.rsdpAddress.toString(16)}`,
      acpiTables: this.acpi.tables.map((t) => t.signature),
    });
  }

  /**
   * Moves virtual time on by `ns` while the CPU retires nothing (a HLT skipped ahead to the next event, a
   * firmware Stall). The TSC counts that time too: it runs at a constant rate whatever the CPU does (invariant
   * TSC), so it stays in step with the board's timers.
   */
  passIdleTime(ns: number): void {
    this.cpu.haltedCycles += Math.round(ns / NS_PER_INSTRUCTION);
    this.clock.advanceBy(ns);
  }

  /** Text from the firmware's console (UEFI ConOut/StdErr) goes to the same stream as COM1, as on OVMF. */
  consoleText(text: string): void {
    this.options.console(new Uint8Array(Buffer.from(text, 'utf8')));
  }

  /** Ends the current CPU slice; the run loop turns the first stop into the verdict. */
  stop(s: DeviceStop): void {
    if (this.deviceStop) return;
    this.deviceStop = s;
    this.trace.record('machine', 'device-stop', { kind: s.kind, message: s.message });
    this.cpu.requestExit(s.exitStatus, s.message);
  }
}
