/** A UEFI firmware instance on a test machine with the pc board's ACPI tables and a framebuffer. */
import { buildPcAcpiTables } from '../../platform/acpi/pc-tables.js';
import { UefiFirmware, type UefiFirmwareOptions } from '../../boot/uefi/firmware/firmware.js';
import { ManualClock } from '../../boot/firmware/clock.js';
import { machine, MiB, RegisterCpu, msCall, type TestMachine } from './helpers.js';
import { BootServices, RuntimeServices, type BootServiceName, type RuntimeServiceName } from '../../boot/uefi/firmware/tables.js';
import { read64 } from '../../boot/firmware/cpu.js';
import type { DispatchOutcome } from '../../boot/firmware/traps.js';

export const FRAMEBUFFER_BASE = 0xc0000000;

export interface UefiRig extends TestMachine {
  fw: UefiFirmware;
  cpu: RegisterCpu;
  output: string[];
  clock: ManualClock;
  acpi: ReturnType<typeof buildPcAcpiTables>;
  /** Scratch RAM for out-parameters (below the stack). */
  scratch: number;
  stackTop: number;
  bs(name: BootServiceName, ...args: Array<number | bigint>): DispatchOutcome;
  rt(name: RuntimeServiceName, ...args: Array<number | bigint>): DispatchOutcome;
}

export function uefiRig(memoryBytes = 256 * MiB, extra: Partial<UefiFirmwareOptions> = {}): UefiRig {
  const m = machine(memoryBytes);
  const acpi = buildPcAcpiTables(m.board);
  const output: string[] = [];
  const clock = new ManualClock();
  const fw = new UefiFirmware({
    bus: m.bus,
    memory: m.memory,
    console: { write: (t) => output.push(t) },
    acpi,
    framebuffer: { base: FRAMEBUFFER_BASE, width: 800, height: 600 },
    clock,
    ...extra,
  });
  const cpu = new RegisterCpu(m.bus);
  // Scratch and stack in low RAM the firmware does not use (as a loaded image's .data/.bss would be).
  const scratch = 0x20000;
  const stackTop = 0x80000;
  m.memory.claim(scratch, 0x60000, 2);
  const call = (table: number, offset: number, args: Array<number | bigint>) => msCall(cpu, fw.traps, read64(m.bus, table + offset), args, stackTop);
  return {
    ...m,
    fw,
    cpu,
    output,
    clock,
    acpi,
    scratch,
    stackTop,
    bs: (name, ...args) => call(fw.bootServices, BootServices.offsetOf(name), args),
    rt: (name, ...args) => call(fw.runtimeServices, RuntimeServices.offsetOf(name), args),
  };
}
