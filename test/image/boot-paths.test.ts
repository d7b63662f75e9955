/**
 * Acceptance of the default x86_64 mono-image on the real firmware and bootloaders: one file, five boot
 * paths, each must reach the reference kernel's banner, report its path, run the root task and end the
 * run with the root task's status (0x10 -> QEMU exit code 33).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT_SUCCESS_33, espDirectory, grubIso, novaImage, ovmfArgs, runQemu, scratchDir } from './qemu.js';

const BANNER = 'NOVA-IMAGE REFERENCE KERNEL 0.1.0 (x86_64)';
const ROOT_LINE = 'ROOT: hello from user mode';

let dir: string;
let image: string;

beforeAll(() => {
  dir = scratchDir('boot-paths');
  image = join(dir, 'nova-x86_64.img');
  const r = novaImage(['build', '-o', image]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(existsSync(image)).toBe(true);
});

/** The multiboot2 ISO serves tests 3 and 4; whichever runs first makes it. */
function multiboot2Iso(): string {
  const iso = join(dir, 'multiboot2.iso');
  return existsSync(iso) ? iso : grubIso(dir, image, 'multiboot2', 'from=grub-mb2');
}

function expectBoot(run: { status: number | null; serial: string }, pathLine: RegExp): void {
  expect(run.serial).toContain(BANNER);
  expect(run.serial).toMatch(pathLine);
  expect(run.serial).toContain(ROOT_LINE);
  expect(run.serial).not.toContain('nova-image loader: error');
  expect(run.status, run.serial).toBe(EXIT_SUCCESS_33);
}

describe('default mono-image boots on every path', () => {
  it('1. OVMF: EFI/BOOT/BOOTX64.EFI on a FAT directory', () => {
    const esp = espDirectory(dir, image);
    const run = runQemu(dir, [...ovmfArgs(dir), '-drive', `file=fat:rw:${esp},format=raw`], 90);
    expectBoot(run, /^boot: path=uefi loader=nova-image\/uefi via EDK II magic=0x36d76289\r?$/m);
  });

  it('2. QEMU -kernel (Linux boot protocol, real-mode setup entry)', () => {
    const run = runQemu(dir, ['-kernel', image, '-append', 'from=qemu']);
    expectBoot(run, /^boot: path=linux loader=nova-image\/linux via QEMU magic=0x36d76289\r?$/m);
    expect(run.serial).toMatch(/cmdline: "from=qemu"/);
  });

  it('3. GRUB BIOS multiboot2 (grub-mkrescue ISO)', () => {
    const run = runQemu(dir, ['-cdrom', multiboot2Iso(), '-boot', 'd']);
    expectBoot(run, /^boot: path=multiboot2 loader=nova-image\/multiboot2 via GRUB 2\.\S+ magic=0x36d76289\r?$/m);
    expect(run.serial).toMatch(/cmdline: "from=grub-mb2"/);
  });

  it('4. GRUB EFI multiboot2 under OVMF (same hybrid ISO, tags 7 + 9)', () => {
    const run = runQemu(dir, [...ovmfArgs(dir), '-cdrom', multiboot2Iso()], 90);
    expectBoot(run, /^boot: path=multiboot2 loader=nova-image\/multiboot2 via GRUB 2\.\S+ magic=0x36d76289\r?$/m);
  });

  it('5. GRUB BIOS linux (32-bit boot protocol, code32_start)', () => {
    const iso = grubIso(dir, image, 'linux', 'from=grub-linux');
    const run = runQemu(dir, ['-cdrom', iso, '-boot', 'd']);
    expectBoot(run, /^boot: path=linux loader=nova-image\/linux via GRUB magic=0x36d76289\r?$/m);
    expect(run.serial).toMatch(/cmdline: "BOOT_IMAGE=\/boot\/nova.img from=grub-linux"/);
  });

  it('(extra) GRUB BIOS linux16: the real-mode setup entry through another loader than QEMU', () => {
    const iso = grubIso(dir, image, 'linux16', 'from=grub-linux16');
    const run = runQemu(dir, ['-cdrom', iso, '-boot', 'd']);
    expectBoot(run, /^boot: path=linux loader=nova-image\/linux via GRUB magic=0x36d76289\r?$/m);
    expect(run.serial).toMatch(/cmdline: "BOOT_IMAGE=\/boot\/nova.img from=grub-linux16"/);
  });
});
