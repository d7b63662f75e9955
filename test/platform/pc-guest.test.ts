/**
 * End to end on the pc board: a Multiboot guest (test/guests/platform-pc, built by `make guests`) reads the
 * ACPI tables, probes PCI through CF8 and ECAM, runs edu DMA with and without Bus Master Enable, takes PIT,
 * LAPIC-timer and COM1 interrupts through the IOAPIC and powers off through ACPI S5. Its console output on
 * our board (x86-64 CPU model + our devices and ACPI tables) must equal QEMU q35's for the same ELF.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PhysicalBus } from '../../platform/memory/bus.js';
import { IoPortBus } from '../../platform/memory/io-ports.js';
import { VirtualClock } from '../../platform/time/clock.js';
import { pcBoard } from '../../platform/boards/pc/board.js';
import { attachPcDevices } from '../../platform/boards/pc/devices.js';
import { buildPcAcpiTables } from '../../platform/acpi/pc-tables.js';
import { CR0_PE, X86Cpu } from '../../platform/cpu/x86_64/cpu.js';
import { SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../platform/cpu/x86_64/insn.js';
import { readElf } from '../../boot/elf/index.js';

const ELF = 'build/test/guests/platform-pc/board-probe.elf';
/** Virtual time per retired instruction (1 GHz). */
const NS_PER_INSN = 1;

function runQemu(): string {
  const r = spawnSync(
    'timeout',
    ['30', 'qemu-system-x86_64', '-M', 'q35', '-m', '128M', '-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-nodefaults',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=1', '-device', 'edu,addr=02.0', '-kernel', ELF],
    { encoding: 'utf8', timeout: 40_000 },
  );
  expect(r.status, r.stderr).toBe(0); // 0 = powered off through ACPI S5
  return r.stdout;
}

/** Multiboot v1 hand-off as QEMU -kernel does it: flat 32-bit protected mode, paging off. */
function enterMultiboot(cpu: X86Cpu, bus: PhysicalBus, entry: number): void {
  const gdt = 0x8000;
  bus.writeBytes(gdt, new Uint8Array(32));
  bus.write32(gdt + 16, 0x0000ffff);
  bus.write32(gdt + 20, 0x00cf9b00);
  bus.write32(gdt + 24, 0x0000ffff);
  bus.write32(gdt + 28, 0x00cf9300);
  cpu.gdtrBase = gdt;
  cpu.gdtrLimit = 31;
  cpu.cr0 = CR0_PE | 0x10;
  const flat = (seg: number, sel: number, attr: number) => {
    cpu.segSel[seg] = sel;
    cpu.segBase[seg] = 0;
    cpu.segLimit[seg] = 0xffffffff;
    cpu.segAttr[seg] = (attr & 0xff) | (((attr >> 12) & 0xf) << 8);
  };
  for (const s of [SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS]) flat(s, 0x18, 0xc093);
  flat(SEG_CS, 0x10, 0xc09b);
  cpu.updateMode();
  cpu.setFlags(2);
  cpu.lo[0] = 0x2badb002 | 0;
  cpu.lo[3] = 0x9000;
  cpu.rip = entry;
}

interface OurRun {
  console: string;
  reason: string;
  message: string;
  /** What a trace would record: DMA attempts, interrupt messages, virtual time and instructions at the end. */
  trace: string;
}

function runOurs(): OurRun {
  const board = pcBoard({ memoryBytes: 128 * 2 ** 20 });
  const bus = new PhysicalBus();
  const io = new IoPortBus();
  const clock = new VirtualClock();
  let out = '';
  const cpu = new X86Cpu(bus, io);
  const dev = attachPcDevices(board, {
    bus,
    ports: io,
    clock,
    console: (b) => (out += String.fromCharCode(b)),
    onPowerOff: () => cpu.requestExit(0, 'ACPI S5 power-off'),
    onDebugExit: (code) => cpu.requestExit(code, 'isa-debug-exit'),
  });
  cpu.interruptSource = dev.lapics[0]!;
  const acpi = buildPcAcpiTables(board);
  bus.writeBytes(acpi.base, acpi.bytes);
  const bytes = readFileSync(ELF);
  const elf = readElf(bytes, ELF);
  for (const ph of elf.programHeaders) {
    if (ph.type !== 1) continue;
    bus.writeBytes(Number(ph.paddr), bytes.subarray(Number(ph.offset), Number(ph.offset) + Number(ph.filesz)));
  }
  enterMultiboot(cpu, bus, Number(elf.header.entry));

  // The machine loop: run slices up to the next device event, advance virtual time, skip idle time on HLT.
  let executed = 0;
  const end = (reason: string, message: string): OurRun => ({
    console: out,
    reason,
    message,
    trace: JSON.stringify({ dma: dev.dma.log, ioapic: dev.ioApicMessages, now: clock.now, executed }),
  });
  for (;;) {
    const untilEvent = Math.floor((clock.nextEventAt - clock.now) / NS_PER_INSN);
    const slice = Math.max(1, Math.min(100_000, untilEvent));
    const r = cpu.run(slice);
    executed += r.instructions;
    clock.advanceBy(r.instructions * NS_PER_INSN);
    if (r.reason === 'halted') {
      if (!Number.isFinite(clock.nextEventAt)) return end('halted', 'halted with nothing scheduled');
      clock.advanceTo(Math.max(clock.now, clock.nextEventAt));
      continue;
    }
    if (r.reason !== 'budget') return end(r.reason, r.message ?? '');
    if (executed > 100_000_000) return end('budget', 'instruction budget spent');
  }
}

describe('pc board runs the board-probe guest like QEMU q35', () => {
  it('same console output; power-off through ACPI S5', () => {
    expect(existsSync(ELF), `${ELF} is built by make guests`).toBe(true);
    const qemu = runQemu();
    expect(qemu).toContain('S5 via PM1a_CNT\n');
    const ours = runOurs();
    expect(`${ours.reason}: ${ours.message}`).toBe('exit: ACPI S5 power-off');
    expect(ours.console).toBe(qemu);
  });

  it('is deterministic: two runs give the same console, DMA log, interrupt messages and virtual time', () => {
    const a = runOurs();
    const b = runOurs();
    expect(b.console).toBe(a.console);
    expect(b.trace).toBe(a.trace);
    const trace = JSON.parse(a.trace) as { dma: { outcome: string; reason: string }[] };
    // The guest's four edu transfers: two refused while Bus Master Enable is clear, two that reach RAM.
    expect(trace.dma.map((d) => d.outcome)).toEqual(['blocked', 'blocked', 'ok', 'ok']);
    expect(trace.dma[0]!.reason).toBe('bus master enable is clear');
  });
});
