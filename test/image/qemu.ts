/**
 * Runs the reference firmware/bootloaders (QEMU 7.2, OVMF, GRUB from Debian) on a mono-image. Every QEMU
 * is started under `timeout` (killed with SIGKILL 5 s later if it ignores SIGTERM), with -no-reboot, the
 * isa-debug-exit device (guest status s -> QEMU exit code (s << 1) | 1) and the serial port in a file.
 * QEMU's default display device stays (GRUB on UEFI misbehaves without one); -display none hides it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
/** Guest status 0x10 (the root task's success) through isa-debug-exit. */
export const EXIT_SUCCESS_33 = 33;

export interface QemuRun {
  status: number | null;
  serial: string;
  stderr: string;
}

export function scratchDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `nova-image-${tag}-`));
}

export function runQemu(dir: string, args: readonly string[], timeoutSeconds = 30): QemuRun {
  const serial = join(dir, `serial-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(serial, '');
  const r = spawnSync(
    'timeout',
    [
      '-k', '5', String(timeoutSeconds),
      'qemu-system-x86_64',
      '-accel', 'tcg',
      '-m', '512',
      '-display', 'none',
      '-no-reboot',
      '-serial', `file:${serial}`,
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
      ...args,
    ],
    { encoding: 'utf8', timeout: (timeoutSeconds + 15) * 1000, killSignal: 'SIGKILL' },
  );
  return { status: r.status, serial: readFileSync(serial, 'latin1'), stderr: r.stderr ?? '' };
}

/** OVMF flash: read-only code plus a private copy of the variable store. */
export function ovmfArgs(dir: string): string[] {
  const vars = join(dir, `vars-${Math.random().toString(36).slice(2)}.fd`);
  copyFileSync(OVMF_VARS, vars);
  return ['-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`];
}

/** A FAT directory with the image as the removable-media boot file EFI/BOOT/BOOTX64.EFI. */
export function espDirectory(dir: string, image: string): string {
  const esp = join(dir, 'esp');
  mkdirSync(join(esp, 'EFI', 'BOOT'), { recursive: true });
  copyFileSync(image, join(esp, 'EFI', 'BOOT', 'BOOTX64.EFI'));
  return esp;
}

/** A grub-mkrescue ISO (BIOS and UEFI bootable) whose only menu entry runs `command /boot/nova.img ARGS`. */
export function grubIso(dir: string, image: string, command: 'multiboot2' | 'linux' | 'linux16', args = ''): string {
  const root = join(dir, `iso-${command}`);
  mkdirSync(join(root, 'boot', 'grub'), { recursive: true });
  copyFileSync(image, join(root, 'boot', 'nova.img'));
  writeFileSync(
    join(root, 'boot', 'grub', 'grub.cfg'),
    `set timeout=0\nset default=0\nmenuentry "nova-image" {\n  ${command} /boot/nova.img ${args}\n  boot\n}\n`,
  );
  const iso = join(dir, `${command}.iso`);
  const r = spawnSync('grub-mkrescue', ['-o', iso, root], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`grub-mkrescue failed (${r.status}): ${r.stderr}`);
  return iso;
}

/** Runs the nova-image CLI from dist/ (test/global-setup.ts compiled it). */
export function novaImage(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['dist/tools/nova-image.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The nova-image CLI as a child process that runs while the test goes on (for example while QEMU runs). */
export function novaImageAsync(args: readonly string[], timeoutMs = 120_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['dist/tools/nova-image.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString('latin1')));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString('latin1')));
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
