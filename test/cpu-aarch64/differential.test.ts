// Differential suite: each guest program in test/guests/aarch64 runs under QEMU (virt, virtualization=on, the
// reference) and on our CPU model; the console outputs must be identical. Guests end with PSCI SYSTEM_OFF and
// print a "<name>: done" line, so an empty or truncated run cannot pass. Each guest runs twice on our side:
// interpreted only, and with every block compiled to JavaScript at its first execution; both must match QEMU
// and retire exactly the same number of instructions (virtual time must not depend on the execution mode).
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runBareMetal } from '../../platform/cpu/aarch64/testing/bare-metal.js';

const BUILD = 'build/test/guests/aarch64';

interface Guest { name: string; qemuCpu: string; model: string }
const GUESTS: Guest[] = [
  { name: 'alu', qemuCpu: 'cortex-a57', model: 'cortex-a57' },
  { name: 'mem', qemuCpu: 'cortex-a57', model: 'cortex-a57' },
  { name: 'exc', qemuCpu: 'cortex-a57', model: 'cortex-a57' },
  { name: 'mmu', qemuCpu: 'cortex-a57', model: 'cortex-a57' },
  { name: 'simd', qemuCpu: 'cortex-a57', model: 'cortex-a57' },
  { name: 'lse', qemuCpu: 'max', model: 'max' },
  { name: 'stage2', qemuCpu: 'cortex-a57', model: 'cortex-a57' },
  { name: 'granule64', qemuCpu: 'cortex-a57', model: 'cortex-a57' },
  { name: 'traps', qemuCpu: 'cortex-a57', model: 'cortex-a57' },
  { name: 'fuzz', qemuCpu: 'cortex-a57', model: 'cortex-a57' },
];

async function runQemu(elf: string, cpu: string): Promise<string> {
  const r = await execa('timeout', ['-s', 'KILL', '90', 'qemu-system-aarch64', '-M', 'virt,virtualization=on', '-cpu', cpu,
    '-m', '128M', '-nographic', '-no-reboot', '-kernel', elf], { reject: false, stripFinalNewline: false, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`qemu exited with ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

describe('AArch64 CPU: same console output as QEMU', () => {
  for (const g of GUESTS) {
    it(`${g.name}`, async () => {
      const elf = `${BUILD}/${g.name}.elf`;
      expect(existsSync(elf), `${elf} was not built (make -s guests)`).toBe(true);
      const qemu = runQemu(elf, g.qemuCpu);
      const interpreted = runBareMetal(elf, { model: g.model, maxInstructions: 200_000_000, compileThreshold: Infinity });
      const compiled = runBareMetal(elf, { model: g.model, maxInstructions: 200_000_000, compileThreshold: 1 });
      for (const ours of [interpreted, compiled]) {
        expect(ours.result.reason, ours.result.dump).toEqual({ kind: 'power-off', detail: 'PSCI SYSTEM_OFF' });
      }
      const reference = await qemu;
      expect(reference).toContain(`${g.name}: done`);
      expect(interpreted.console).toBe(reference);
      expect(compiled.console).toBe(reference);
      expect(compiled.result.instructions).toBe(interpreted.result.instructions);
    });
  }
});
