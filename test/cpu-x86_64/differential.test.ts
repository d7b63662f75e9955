/**
 * Differential tests: every guest program in test/guests/x86_64 (built by its Makefile) boots under QEMU
 * (TCG, Multiboot v1 -kernel, isa-debug-exit, serial to a file) and on our CPU through the test loader; the
 * serial output must be identical and both must exit through the debug-exit port with status 0.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TestMachine } from '../../dist/platform/cpu/x86_64/test-machine.js';
import { runQemuAsync } from './qemu.js';

const DIR = 'build/test/guests/x86_64';
const PROGRAMS = ['t-alu', 't-shift', 't-muldiv', 't-bits', 't-string', 't-sse', 't-paging', 't-except', 't-user', 't-modes', 't-system', 't-la57', 't-smap', 't-ssefp', 't-fpwork', 't-ssealign'];
const BUDGET = 100_000_000;

function runOurs(elf: string, compileBlocks = true): { serial: string; reason: string; exit: number | null; message: string; instructions: number } {
  const m = new TestMachine();
  m.cpu.compileBlocks = compileBlocks;
  m.bootMultiboot(readFileSync(elf), elf);
  const r = m.run(BUDGET);
  return {
    serial: m.serial,
    reason: r.reason,
    exit: m.exitValue,
    message: `${r.message ?? ''}\n${r.registers ?? ''}`,
    instructions: r.instructions,
  };
}

describe('x86-64 CPU: guest programs give the same console output as QEMU', () => {
  for (const p of PROGRAMS) {
    it(p, async () => {
      const elf = `${DIR}/${p}.elf`;
      const qemu = runQemuAsync(elf, 60);
      const ours = runOurs(elf);
      const q = await qemu;
      // QEMU exits with (value << 1) | 1 after a debug-exit write
      expect(q.status, `QEMU: ${q.stderr}`).toBe(1);
      expect(q.serial.length).toBeGreaterThan(20);
      expect(ours.reason, ours.message).toBe('exit');
      expect(ours.exit).toBe(0);
      expect(ours.serial).toBe(q.serial);
    });
  }

  it('the pure interpreter (no compiled blocks) retires the same instructions with the same output', () => {
    for (const p of ['t-bits', 't-string', 't-paging', 't-except', 't-la57', 't-smap', 't-fpwork']) {
      const elf = `${DIR}/${p}.elf`;
      const a = runOurs(elf, true);
      const b = runOurs(elf, false);
      expect(b.reason, b.message).toBe('exit');
      expect(b.serial).toBe(a.serial);
      expect(b.instructions).toBe(a.instructions);
    }
  });

  it('t-triple: a triple fault ends our run with a verdict and register dump; QEMU shuts down', async () => {
    const elf = `${DIR}/t-triple.elf`;
    const qemu = runQemuAsync(elf, 60);
    const ours = runOurs(elf);
    const q = await qemu;
    expect(q.status).toBe(0); // -no-reboot: the shutdown ends QEMU normally, no debug-exit write
    expect(ours.reason).toBe('triple-fault');
    expect(ours.message).toMatch(/rip=0000000000[0-9a-f]+ rflags/);
    expect(ours.serial).toBe(q.serial);
    expect(ours.serial).toBe('t-triple: before the triple fault\n');
  });
});
