/**
 * Independent tools accept the default mono-image in each of its identities: GRUB's own format probes
 * (grub-file), sbverify and objdump for the PE/COFF headers, and our catalog reader for the payloads.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCatalog, verifyCatalog } from '../../loader/catalog.js';
import { novaImage, scratchDir } from './qemu.js';

let image: string;

beforeAll(() => {
  image = join(scratchDir('formats'), 'nova-x86_64.img');
  const r = novaImage(['build', '-o', image, '--cmdline', 'loglevel=3']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

function run(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
}

describe('the mono-image is accepted by independent tools', () => {
  for (const probe of ['--is-x86-multiboot2', '--is-x86-linux', '--is-x86_64-efi']) {
    it(`grub-file ${probe}`, () => {
      expect(run('grub-file', [probe, image]).status).toBe(0);
    });
  }

  it('grub-file rejects what the image is not (the probes can fail)', () => {
    expect(run('grub-file', ['--is-x86-multiboot', image]).status).not.toBe(0);
    expect(run('grub-file', ['--is-arm64-efi', image]).status).not.toBe(0);
  });

  it('sbverify --list parses the PE headers (no signatures present)', () => {
    const r = run('sbverify', ['--list', image]);
    expect(r.stdout + r.stderr).toMatch(/No signature table present/);
  });

  it('objdump -p shows a PE32+ x86-64 EFI application with .text at RVA == file offset', () => {
    const r = run('objdump', ['-p', '-h', image]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/file format pei-x86-64/);
    expect(r.stdout).toMatch(/Subsystem\s+0000000a\s+\(EFI application\)/);
    const text = r.stdout.match(/^\s*\d+\s+\.text\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/m);
    expect(text).not.toBeNull();
    // VMA = ImageBase + RVA; File off must equal the RVA.
    const vma = BigInt('0x' + text![2]!);
    const fileOff = BigInt('0x' + text![4]!);
    expect(vma - 0x100000n).toBe(fileOff);
  });

  it('the payload catalog lists kernel, root task and command line with valid SHA-256', () => {
    const bytes = new Uint8Array(readFileSync(image));
    const catalog = readCatalog(bytes, image);
    expect(catalog).toBeDefined();
    verifyCatalog(bytes, image, catalog!);
    expect(catalog!.entries.map((e) => e.typeName)).toEqual(['kernel', 'root', 'cmdline']);
    expect(catalog!.entries.every((e) => e.offset % 4096 === 0)).toBe(true);
    const cmd = catalog!.entries[2]!;
    expect(Buffer.from(bytes.subarray(cmd.offset, cmd.offset + cmd.size)).toString()).toBe('loglevel=3');
  });
});
