/**
 * Acceptance of `nova-image boot` against QEMU: the default mono-image boots through each path of our
 * built-in firmware on the x86-64 CPU model, and the reference kernel's console output equals QEMU's for
 * the same file with the real firmware (QEMU -kernel for linux, GRUB's multiboot2 from a grub-mkrescue ISO
 * under SeaBIOS for multiboot2 and under OVMF for multiboot2 --grub efi, OVMF for uefi), line by line under
 * the rules of console-lines.ts. Both
 * machines are q35 PCs with 512 MiB; both runs must end with the root task's status (exit status 33).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT_SUCCESS_33, espDirectory, grubIso, novaImage, ovmfArgs, runQemu, scratchDir } from '../image/qemu.js';
import { BANNER, FINAL_LINE, ROOT_LINE, comparableLines, type FirmwareKind, type PathName } from './console-lines.js';

const Q35 = ['-M', 'q35'];
let dir: string;
let image: string;
/** The same mono-image with the kernel that asks to keep EFI boot services (MB2 header tag 7). */
let keepbs: string;

beforeAll(() => {
  dir = scratchDir('boot-cmd-qemu');
  image = join(dir, 'nova-x86_64.img');
  const r = novaImage(['build', '-o', image]);
  expect(r.status, r.stderr).toBe(0);
  keepbs = join(dir, 'nova-keepbs.img');
  const k = novaImage(['build', '--kernel', 'build/kernel/x86_64/kernel-keepbs.elf', '--root', 'build/kernel/x86_64/root.elf', '-o', keepbs]);
  expect(k.status, k.stderr).toBe(0);
});

/** One grub-mkrescue ISO (BIOS and EFI GRUB) serves both multiboot2 tests; whichever runs first makes it. */
function multiboot2Iso(): string {
  const iso = join(dir, 'multiboot2.iso');
  return existsSync(iso) ? iso : grubIso(dir, image, 'multiboot2', 'from=cli');
}

function ours(path: PathName, append: string, file = image, extra: string[] = []): { status: number | null; stdout: string; stderr: string } {
  return novaImage(['boot', file, '--via', path, '--memory', '512M', '--max-insns', '50000000', ...(append ? ['--append', append] : []), ...extra]);
}

function expectSameConsole(path: PathName, firmware: FirmwareKind, qemu: { status: number | null; serial: string }, mine: { status: number | null; stdout: string; stderr: string }): void {
  expect(qemu.status, qemu.serial).toBe(EXIT_SUCCESS_33);
  expect(mine.status, mine.stderr).toBe(EXIT_SUCCESS_33);
  expect(mine.stderr).toMatch(new RegExp(`^nova-image boot: path=${path} verdict: guest-exit \\(guest value 0x10\\)`));
  const theirs = comparableLines(qemu.serial, firmware);
  const mineLines = comparableLines(mine.stdout, firmware);
  // The comparison must cover the lines the issue names, or an empty/early-ending console could pass.
  for (const needed of [BANNER, ROOT_LINE, FINAL_LINE]) expect(theirs).toContain(needed);
  for (const prefix of ['boot: path=', 'module: 0 ', 'modules: ', 'cmdline: ', 'acpi: S5 ', 'root: entering ring 3']) {
    expect(theirs.some((l) => l.startsWith(prefix)), `QEMU console lacks "${prefix}"`).toBe(true);
  }
  expect(mineLines).toEqual(theirs);
}

describe('nova-image boot: console output equals QEMU for the same image', () => {
  it('linux path vs QEMU -kernel (64-bit entry here, real-mode setup there)', () => {
    const qemu = runQemu(dir, [...Q35, '-kernel', image, '-append', 'from=cli'], 60);
    expectSameConsole('linux', 'bios', qemu, ours('linux', 'from=cli'));
  }, 90_000);

  it('multiboot2 path vs GRUB 2.06 (BIOS) multiboot2', () => {
    const qemu = runQemu(dir, [...Q35, '-cdrom', multiboot2Iso(), '-boot', 'd'], 60);
    expectSameConsole('multiboot2', 'bios', qemu, ours('multiboot2', 'from=cli'));
  }, 150_000);

  it('multiboot2 path, --grub efi, vs GRUB 2.06 (x86_64-efi) under OVMF: 64-bit entry with boot services (tags 7, 9)', () => {
    const qemu = runQemu(dir, [...Q35, ...ovmfArgs(dir), '-cdrom', multiboot2Iso()], 90);
    const mine = ours('multiboot2', 'from=cli', image, ['--grub', 'efi']);
    expectSameConsole('multiboot2', 'uefi', qemu, mine);
    expect(mine.stdout).toContain('efi: boot services already exited by the loader');
  }, 150_000);

  it('uefi path vs OVMF (EFI/BOOT/BOOTX64.EFI, no load options)', () => {
    const esp = espDirectory(dir, image);
    const qemu = runQemu(dir, [...Q35, ...ovmfArgs(dir), '-drive', `file=fat:rw:${esp},format=raw`], 90);
    expectSameConsole('uefi', 'uefi', qemu, ours('uefi', ''));
  }, 150_000);

  it('uefi path, kernel that keeps boot services (tag 7) and exits them itself, vs OVMF', () => {
    const esp = espDirectory(join(dir, 'keepbs'), keepbs);
    const qemu = runQemu(dir, [...Q35, ...ovmfArgs(dir), '-drive', `file=fat:rw:${esp},format=raw`], 90);
    const mine = ours('uefi', '', keepbs);
    expectSameConsole('uefi', 'uefi', qemu, mine);
    expect(mine.stdout).toContain('efi: boot services still active (tag 18), as this kernel asked with header tag 7');
    expect(mine.stdout).toMatch(/efi: kernel called ExitBootServices itself: success after 1 attempt\(s\)/);
  }, 150_000);
});
