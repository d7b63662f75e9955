/**
 * Real third-party boot images from Debian, for tests that must work on more than our own output.
 *
 * Installed by scripts/setup.sh: memtest86+ (/boot/memtest86+x64.{bin,efi}), systemd-boot-efi (the Linux EFI
 * stub), tboot (/boot/tboot.gz), grub-efi-amd64-bin (for grub-mkstandalone).
 *
 * Debian's vmlinuz: taken from linux-image-<abi>-cloud-amd64 (about 27 MB, the smallest Debian amd64 kernel
 * package; the signed build, so it also carries an Authenticode certificate table). It is fetched once with
 * `apt-get download`, only ./boot/vmlinuz-* is extracted (dpkg-deb --fsys-tarfile | tar), and the result is
 * cached in build/fixtures/debian/ (git-ignored). The .deb is deleted after extraction.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { run } from './toolchain.js';

export const MEMTEST_EFI = '/boot/memtest86+x64.efi';
export const MEMTEST_BIN = '/boot/memtest86+x64.bin';
export const SYSTEMD_STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';
export const TBOOT_GZ = '/boot/tboot.gz';

const FIXTURES = resolve('build/fixtures/debian');

/** Path of Debian's cloud-amd64 vmlinuz, downloading and extracting it on first use. */
export function debianVmlinuz(): string {
  mkdirSync(FIXTURES, { recursive: true });
  const cached = readdirSync(FIXTURES).find((f) => f.startsWith('vmlinuz-'));
  if (cached) return join(FIXTURES, cached);
  const depends = run('apt-cache', ['depends', 'linux-image-cloud-amd64']);
  const pkg = /Depends: (linux-image-\S+-cloud-amd64)\b/.exec(depends)?.[1];
  if (!pkg) throw new Error(`apt-cache knows no linux-image-cloud-amd64 dependency (run apt-get update): ${depends}`);
  const work = mkdtempSync(join(FIXTURES, 'tmp-'));
  try {
    run('apt-get', ['download', '-q', pkg], work);
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb`);
    execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile '${deb}' | tar -x --wildcards './boot/vmlinuz-*'`], { cwd: work, stdio: 'pipe' });
    const name = readdirSync(join(work, 'boot')).find((f) => f.startsWith('vmlinuz-'))!;
    // rename is atomic: a parallel test file either sees the whole kernel or none.
    renameSync(join(work, 'boot', name), join(FIXTURES, name));
    return join(FIXTURES, name);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** tboot's ELF, gunzipped once into build/fixtures/debian/tboot.elf. */
export function tbootElf(): string {
  mkdirSync(FIXTURES, { recursive: true });
  const out = join(FIXTURES, 'tboot.elf');
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}`;
    writeFileSync(tmp, gunzipSync(readFileSync(TBOOT_GZ)));
    renameSync(tmp, out);
  }
  return out;
}

/** A GRUB EFI application built with grub-mkstandalone (cached in build/fixtures/debian/grub-standalone.efi). */
export function grubStandaloneEfi(): string {
  mkdirSync(FIXTURES, { recursive: true });
  const out = join(FIXTURES, 'grub-standalone.efi');
  if (!existsSync(out)) {
    const work = mkdtempSync(join(FIXTURES, 'tmp-'));
    try {
      const cfg = join(work, 'grub.cfg');
      writeFileSync(cfg, 'echo nova-image test\n');
      const tmp = join(work, 'grub.efi');
      run('grub-mkstandalone', ['-O', 'x86_64-efi', '--modules=part_gpt fat', '--locales=', '--themes=', '--fonts=', '-o', tmp, `boot/grub/grub.cfg=${cfg}`]);
      renameSync(tmp, out);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return out;
}
