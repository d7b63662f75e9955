/**
 * The machine run loop with interrupts: the board-probe guest (test/guests/platform-pc, built by
 * `make guests`) waits in `sti; hlt` for PIT, LAPIC-timer and COM1 interrupts, so the loop must skip idle
 * virtual time to the next device event and wake the CPU; it ends with ACPI S5. Run on the PcMachine and
 * runMachine that `nova-image boot` uses, entered as QEMU's Multiboot v1 -kernel loader enters it; the
 * console must equal QEMU q35's for the same ELF, the verdict must be power-off, twice the same.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readElf } from '../../boot/elf/index.js';
import { applyX86Entry } from '../../boot/firmware/x86-cpu-adapter.js';
import { modeRegisters, writeGdt } from '../../boot/firmware/x86-entry.js';
import { PcMachine } from '../../platform/machine/pc-machine.js';
import { runMachine } from '../../platform/machine/run-loop.js';

const ELF = 'build/test/guests/platform-pc/board-probe.elf';

function qemu(): { status: number | null; stdout: string } {
  const r = spawnSync('timeout', ['-k', '5', '30', 'qemu-system-x86_64', '-M', 'q35', '-m', '128M', '-display', 'none', '-serial', 'stdio', '-monitor', 'none',
    '-no-reboot', '-nodefaults', '-device', 'isa-debug-exit,iobase=0xf4,iosize=1', '-device', 'edu,addr=02.0', '-kernel', ELF], { encoding: 'latin1', timeout: 45_000 });
  return { status: r.status, stdout: r.stdout };
}

function ours() {
  let out = '';
  const m = new PcMachine({ memoryBytes: 128 * 2 ** 20, console: (b) => (out += Buffer.from(b).toString('latin1')) });
  m.bus.writeBytes(m.acpi.base, m.acpi.bytes);
  const bytes = new Uint8Array(readFileSync(ELF));
  const elf = readElf(bytes, ELF);
  for (const ph of elf.programHeaders) {
    if (ph.type === 1) m.bus.writeBytes(Number(ph.paddr), bytes.subarray(Number(ph.offset), Number(ph.offset) + Number(ph.filesz)));
  }
  // QEMU's Multiboot v1 hand-off: flat 32-bit protected mode, EAX = 0x2badb002, EBX = info at 0x9000.
  const gdt = writeGdt(m.bus, 0x8000, [[0x10, 'code32'], [0x18, 'data']]);
  applyX86Entry(m.cpu, { rip: Number(elf.header.entry), regs: { rax: 0x2badb002, rbx: 0x9000 }, gdt, segments: { cs: 0x10, ds: 0x18 }, ...modeRegisters('protected32', 0) });
  const verdict = runMachine(m, { maxInstructions: 200_000_000 });
  return { out, verdict, events: JSON.stringify(m.trace.events) };
}

describe('machine run loop', () => {
  it('sleeps through HLT to device interrupts and powers off through ACPI S5, as QEMU q35', () => {
    expect(existsSync(ELF), `${ELF} is built by make guests`).toBe(true);
    const q = qemu();
    expect(q.status).toBe(0);
    expect(q.stdout).toContain('S5 via PM1a_CNT\n');
    const a = ours();
    expect(a.verdict).toMatchObject({ kind: 'power-off', exitStatus: 0 });
    // Virtual time ran ahead of the retired instructions: the HLT waits were skipped, not executed.
    expect(a.verdict.virtualNs).toBeGreaterThan(a.verdict.instructions);
    expect(a.out).toBe(q.stdout);
    const b = ours();
    expect(b.out).toBe(a.out);
    expect(b.events).toBe(a.events);
    expect(b.verdict).toEqual(a.verdict);
  });
});
