/**
 * Runs Debian's qemu-system-aarch64 (QEMU 7.2) on `virt` with a Cortex-A57, as the reference for the
 * aarch64 mono-image: directly (-kernel), under AAVMF, or under U-Boot. Every run is started under
 * `timeout` (SIGKILL 5 s after SIGTERM) and additionally killed from here if it outlives that; the serial
 * console is stdio, so a test can answer U-Boot's prompt. PSCI SYSTEM_OFF makes QEMU exit with status 0.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const AAVMF_CODE = '/usr/share/AAVMF/AAVMF_CODE.fd';
export const AAVMF_VARS = '/usr/share/AAVMF/AAVMF_VARS.fd';
export const UBOOT_QEMU_ARM64 = '/usr/lib/u-boot/qemu_arm64/u-boot.bin';

export interface Aarch64Run {
  status: number | null;
  output: string;
}

/** When `expect` has appeared in the console output (after the previous step), type `send`. */
export interface ConsoleStep {
  expect: string | RegExp;
  send: string;
}

export function scratchDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `nova-image-${tag}-`));
}

/** `-M virt,virtualization=on`: firmware/loader enters at EL2 and PSCI goes over SMC, as NOVA expects. */
export function runQemuAarch64(args: readonly string[], options: { timeoutSeconds?: number; steps?: readonly ConsoleStep[]; machine?: string } = {}): Promise<Aarch64Run> {
  const timeoutSeconds = options.timeoutSeconds ?? 60;
  const steps = [...(options.steps ?? [])];
  const child = spawn(
    'timeout',
    [
      '-k', '5', String(timeoutSeconds),
      'qemu-system-aarch64',
      '-M', options.machine ?? 'virt,virtualization=on',
      '-cpu', 'cortex-a57',
      '-nographic',
      '-no-reboot',
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  let scanFrom = 0;
  const onData = (chunk: Buffer) => {
    output += chunk.toString('latin1');
    while (steps.length > 0) {
      const rest = output.slice(scanFrom);
      const step = steps[0]!;
      const m = typeof step.expect === 'string' ? rest.indexOf(step.expect) : rest.search(step.expect);
      if (m < 0) break;
      scanFrom = output.length;
      steps.shift();
      child.stdin.write(step.send);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('latin1')));
  return new Promise((resolve) => {
    const guard = setTimeout(() => child.kill('SIGKILL'), (timeoutSeconds + 15) * 1000);
    child.on('close', (status) => {
      clearTimeout(guard);
      resolve({ status, output });
    });
  });
}

/** AAVMF as two pflash devices: read-only code plus a private copy of the variable store. */
export function aavmfArgs(dir: string): string[] {
  const vars = join(dir, `vars-${Math.random().toString(36).slice(2)}.fd`);
  copyFileSync(AAVMF_VARS, vars);
  return [
    '-drive', `if=pflash,format=raw,readonly=on,file=${AAVMF_CODE}`,
    '-drive', `if=pflash,format=raw,file=${vars}`,
    // AAVMF otherwise waits 5 s in its boot menu.
    '-boot', 'menu=on,splash-time=0',
  ];
}

/** A FAT directory with the image as the removable-media boot file EFI/BOOT/BOOTAA64.EFI. */
export function espDirectory(dir: string, image: string): string {
  const esp = join(dir, 'esp');
  mkdirSync(join(esp, 'EFI', 'BOOT'), { recursive: true });
  copyFileSync(image, join(esp, 'EFI', 'BOOT', 'BOOTAA64.EFI'));
  return esp;
}

/**
 * U-Boot with the image preloaded into RAM at `address` by QEMU's generic loader; the test stops autoboot
 * at its countdown and types `command` at the `=>` prompt.
 */
export function ubootSteps(command: string): ConsoleStep[] {
  return [
    { expect: 'Hit any key to stop autoboot', send: '\n' },
    { expect: /=> $/m, send: `${command}\n` },
  ];
}
