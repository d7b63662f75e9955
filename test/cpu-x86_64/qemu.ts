/**
 * Runs a CPU test guest under QEMU (TCG) as a Multiboot v1 kernel with the debug-exit device and the serial
 * port captured to a file; always with a timeout. Shared by the differential tests and the benchmark.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface QemuRun {
  serial: string;
  /** QEMU exit status: (value written to 0xf4) << 1 | 1 */
  status: number | null;
  stderr: string;
  seconds: number;
}

export function runQemu(elf: string, timeoutSeconds = 60, cpu = 'max'): QemuRun {
  const dir = mkdtempSync(join(tmpdir(), 'nova-cpu-'));
  const serialFile = join(dir, 'serial.txt');
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(
      'timeout',
      [
        String(timeoutSeconds),
        'qemu-system-x86_64',
        '-accel', 'tcg',
        '-cpu', cpu,
        '-m', '128',
        '-kernel', elf,
        '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
        '-serial', `file:${serialFile}`,
        '-display', 'none',
        '-monitor', 'none',
        '-no-reboot',
      ],
      { encoding: 'utf8' },
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    let serial = '';
    try {
      serial = readFileSync(serialFile, 'latin1');
    } catch {
      serial = '';
    }
    return { serial, status: r.status, stderr: r.stderr ?? '', seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function qemuArgs(elf: string, serialFile: string, timeoutSeconds: number, cpu: string): string[] {
  return [
    String(timeoutSeconds),
    'qemu-system-x86_64', '-accel', 'tcg', '-cpu', cpu, '-m', '128', '-kernel', elf,
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-serial', `file:${serialFile}`,
    '-display', 'none', '-monitor', 'none', '-no-reboot',
  ];
}

/** Same as runQemu, but asynchronous so the emulator under test can run meanwhile. */
export function runQemuAsync(elf: string, timeoutSeconds = 60, cpu = 'max'): Promise<QemuRun> {
  const dir = mkdtempSync(join(tmpdir(), 'nova-cpu-'));
  const serialFile = join(dir, 'serial.txt');
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn('timeout', qemuArgs(elf, serialFile, timeoutSeconds, cpu), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (status) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      let serial = '';
      try {
        serial = readFileSync(serialFile, 'latin1');
      } catch {
        serial = '';
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ serial, status, stderr, seconds });
    });
  });
}
