/**
 * Boots the reference kernel directly (no mono-image) the way a NOVA user would: GRUB's `multiboot2` and
 * `module2` commands from a grub-mkrescue ISO, under QEMU 7.2 from Debian, SeaBIOS or OVMF.
 *
 * Runs are asynchronous so a test file can boot several machines at once. Every QEMU runs under
 * `timeout -k 5 60` (SIGKILL if it ignores SIGTERM), with -no-reboot, and, unless a test asks otherwise,
 * the isa-debug-exit device: the kernel's status s becomes QEMU's exit code (s << 1) | 1.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KERNEL_BUILD = 'build/kernel/x86_64';
export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
export const QEMU_TIMEOUT_SECONDS = 60;

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion without blocking the event loop. */
export function run(command: string, args: readonly string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ status: null, stdout, stderr: stderr + String(e) });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export interface IsoModule {
  file: string;
  /** the module's command line; GRUB passes it as the MB2 tag 3 string */
  name: string;
}

/** A grub-mkrescue ISO (BIOS and UEFI) with one entry: multiboot2 KERNEL CMDLINE, module2 per module. */
export async function grubIso(dir: string, tag: string, kernel: string, cmdline: string, modules: IsoModule[]): Promise<string> {
  const root = join(dir, `iso-${tag}`);
  mkdirSync(join(root, 'boot', 'grub'), { recursive: true });
  copyFileSync(kernel, join(root, 'boot', 'kernel.elf'));
  const lines = ['set timeout=0', 'set default=0', 'menuentry "nova-image reference kernel" {', `  multiboot2 /boot/kernel.elf ${cmdline}`];
  modules.forEach((m, i) => {
    copyFileSync(m.file, join(root, 'boot', `module${i}`));
    lines.push(`  module2 /boot/module${i} ${m.name}`);
  });
  lines.push('  boot', '}', '');
  writeFileSync(join(root, 'boot', 'grub', 'grub.cfg'), lines.join('\n'));
  const iso = join(dir, `${tag}.iso`);
  const r = await run('grub-mkrescue', ['-o', iso, root]);
  if (r.status !== 0) throw new Error(`grub-mkrescue failed (${r.status}): ${r.stderr}`);
  return iso;
}

export interface BootOptions {
  machine: 'q35' | 'pc';
  memory: string;
  firmware: 'bios' | 'ovmf';
  debugExit?: boolean;
  /** QEMU -cpu model, e.g. to take NX or long mode away */
  cpu?: string;
  extraArgs?: string[];
}

export interface Boot {
  status: number | null;
  /** the serial output from the kernel's banner on (firmware and GRUB output before it dropped) */
  console: string[];
  raw: string;
  stderr: string;
}

export async function bootIso(dir: string, iso: string, tag: string, o: BootOptions): Promise<Boot> {
  const serial = join(dir, `serial-${tag}.txt`);
  writeFileSync(serial, '');
  const args = ['-k', '5', String(QEMU_TIMEOUT_SECONDS), 'qemu-system-x86_64', '-accel', 'tcg', '-M', o.machine, '-m', o.memory,
    '-display', 'none', '-no-reboot', '-monitor', 'none', '-serial', `file:${serial}`, '-cdrom', iso];
  if (o.cpu) args.push('-cpu', o.cpu);
  if (o.extraArgs) args.push(...o.extraArgs);
  if (o.debugExit ?? true) args.push('-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04');
  if (o.firmware === 'ovmf') {
    const vars = join(dir, `vars-${tag}.fd`);
    copyFileSync(OVMF_VARS, vars);
    args.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`);
  }
  const r = await run('timeout', args, (QEMU_TIMEOUT_SECONDS + 15) * 1000);
  const raw = readFileSync(serial, 'latin1');
  const start = raw.indexOf('NOVA-IMAGE REFERENCE KERNEL');
  const console = start < 0 ? [] : raw.slice(start).split(/\r?\n/).filter((l) => l !== '');
  return { status: r.status, console, raw, stderr: r.stderr };
}

/** `readelf` output, for checks made with an independent tool. */
export async function readelf(args: string[]): Promise<string> {
  const r = await run('readelf', args);
  if (r.status !== 0) throw new Error(`readelf ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function bytesOf(file: string): Uint8Array {
  return new Uint8Array(readFileSync(file));
}
