/**
 * GRUB's own EFI code on our pc board: a standalone GRUB (grub-mkstandalone from Debian's grub-efi-amd64-bin,
 * built here with a script and a data file in its memdisk) boots through the UEFI path, runs the script and
 * powers the machine off with `halt`, against the same file under QEMU + OVMF (FAT directory,
 * EFI/BOOT/BOOTX64.EFI).
 *
 * The script exercises GRUB's shell (variables, `if`/`[`, `regexp`, `for`) and its crypto code (`hashsum`
 * SHA-256 and MD5 over 64 KiB of the memdisk); `halt` finds \_S5 and PM1a_CNT through the RSDT and the FADT
 * and writes SLP_EN. The check: both runs print the same RESULT lines in the same order, both print the
 * digests node:crypto computes for the data, and both end by powering off.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Xorshift32 } from '../common/rng.js';
import { espDirectory, novaImageAsync, ovmfArgs, runQemu, scratchDir } from '../image/qemu.js';

const SCRIPT = `echo "RESULT: start"
set a=5
if [ "$a" -gt 3 ]; then echo "RESULT: compare ok"; fi
regexp --set=1:m '([a-z]+)-([0-9]+)' 'nova-42'
echo "RESULT: regexp $m"
for x in 1 2 3; do echo "RESULT: loop $x"; done
hashsum --hash sha256 (memdisk)/data.bin
hashsum --hash md5 (memdisk)/data.bin
echo "RESULT: done"
halt
`;

/** 64 KiB from a fixed xorshift seed: the same digests every run. */
function data(): Buffer {
  const b = Buffer.alloc(65536);
  const rng = new Xorshift32(0x9e3779b9);
  for (let i = 0; i < b.length; i++) b[i] = rng.u32() & 0xff;
  return b;
}

/** Console text without terminal escape sequences, one entry per line, CRs dropped. */
function lines(text: string): string[] {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split('\n').map((l) => l.replace(/\r/g, '').trim());
}

it('a standalone GRUB EFI runs its script and halts on the UEFI path as under OVMF', async () => {
  const dir = scratchDir('grub-efi');
  const bytes = data();
  writeFileSync(join(dir, 'grub.cfg'), SCRIPT);
  writeFileSync(join(dir, 'data.bin'), bytes);
  const efi = join(dir, 'grub.efi');
  const mk = spawnSync('grub-mkstandalone', ['-O', 'x86_64-efi', '--locales=', '--themes=', '--fonts=', '-o', efi,
    `boot/grub/grub.cfg=${join(dir, 'grub.cfg')}`, `data.bin=${join(dir, 'data.bin')}`], { encoding: 'utf8', timeout: 60_000 });
  expect(mk.status, mk.stderr).toBe(0);

  const oursRun = novaImageAsync(['boot', efi, '--via', 'uefi', '--max-insns', '1000000000']);
  const qemu = runQemu(dir, ['-M', 'q35', ...ovmfArgs(dir), '-drive', `format=raw,file=fat:rw:${espDirectory(dir, efi)}`], 120);
  const ours = await oursRun;
  writeFileSync(join(dir, 'ours.txt'), ours.stdout);

  // GRUB's halt powers off: ACPI S5 on our board (exit 0), QEMU exits by itself
  expect(ours.stderr, ours.stderr).toMatch(/verdict: power-off: ACPI S5/);
  expect(ours.status).toBe(0);
  expect(qemu.status, qemu.stderr).toBe(0);

  const results = (text: string): string[] => lines(text).filter((l) => l.startsWith('RESULT: '));
  expect(results(ours.stdout).length).toBe(7);
  expect(results(ours.stdout), `logs in ${dir}`).toEqual(results(qemu.serial));
  // the console wraps at its width (ours 80 columns, OVMF's may be wider): compare without whitespace
  const flat = (text: string): string => lines(text).join('').replace(/\s+/g, '');
  for (const hash of ['sha256', 'md5']) {
    const digest = createHash(hash).update(bytes).digest('hex');
    expect(flat(ours.stdout), hash).toContain(`${digest}(memdisk)/data.bin`);
    expect(flat(qemu.serial), hash).toContain(`${digest}(memdisk)/data.bin`);
  }
}, 180_000);
