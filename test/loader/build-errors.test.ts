/**
 * `nova-image build` refuses bad input with a typed error naming file, offset and rule, exit code 2, no
 * stack trace and no output file (not even a temporary one). Fixtures: the reference kernel and root task
 * built from source by `make guests`, copied and damaged here one rule at a time.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readElf, PT_LOAD, Elf64_Ehdr, Elf64_Phdr } from '../../boot/elf/index.js';
import { viewOf } from '../../common/struct.js';
import { novaImage, scratchDir } from '../image/qemu.js';

const KERNEL = 'build/kernel/x86_64/kernel.elf';
const ROOT = 'build/kernel/x86_64/root.elf';
let dir: string;

beforeAll(() => {
  dir = scratchDir('build-errors');
});

/** A copy of `src` changed by `edit`, written to dir/name. */
function damaged(src: string, name: string, edit: (bytes: Uint8Array) => Uint8Array | void): string {
  const bytes = new Uint8Array(readFileSync(src));
  const out = edit(bytes) ?? bytes;
  const path = join(dir, name);
  writeFileSync(path, out);
  return path;
}

function firstLoad(bytes: Uint8Array, file: string) {
  const elf = readElf(bytes, file);
  return elf.programHeaders.find((p) => p.type === PT_LOAD)!;
}

function expectRefusal(args: string[], output: string, message: RegExp): void {
  const r = novaImage(['build', ...args, '-o', output]);
  expect(r.stderr).toMatch(/^nova-image: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.status).toBe(2);
  expect(existsSync(output)).toBe(false);
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

describe('build refuses malformed input', () => {
  it('a kernel without a Multiboot2 header (PayloadError)', () => {
    const out = join(dir, 'no-mb2.img');
    expectRefusal(['--kernel', ROOT, '--root', ROOT], out, /root\.elf: offset 0x0: multiboot2_header: kernel has no Multiboot2 header/);
  });

  it('a truncated kernel ELF (ElfError)', () => {
    const k = damaged(KERNEL, 'truncated-kernel.elf', (b) => b.slice(0, 100));
    expectRefusal(['--kernel', k, '--root', ROOT], join(dir, 'trunc.img'), /truncated-kernel\.elf: offset 0x[0-9a-f]+: /);
  });

  it('a truncated root task ELF (ElfError)', () => {
    const r = damaged(ROOT, 'truncated-root.elf', (b) => b.slice(0, 40));
    expectRefusal(['--kernel', KERNEL, '--root', r], join(dir, 'trunc-root.img'), /truncated-root\.elf: offset 0x[0-9a-f]+: .*truncated/);
  });

  it('a root task that is not ET_EXEC (RootTaskError)', () => {
    const r = damaged(ROOT, 'root-dyn.elf', (b) => viewOf(b).setUint16(Elf64_Ehdr.offsetOf('e_type'), 3, true));
    expectRefusal(['--kernel', KERNEL, '--root', r], join(dir, 'dyn.img'), /root-dyn\.elf: offset 0x10: elf64_ehdr\.e_type|root-dyn\.elf: offset 0x10: .*ET_EXEC/i);
  });

  it('a root task with p_filesz != p_memsz (RootTaskError naming the segment)', () => {
    let phdrAt = 0;
    const r = damaged(ROOT, 'root-bss.elf', (b) => {
      const p = firstLoad(b, 'root-bss.elf');
      phdrAt = p.headerOffset;
      viewOf(b).setBigUint64(p.headerOffset + Elf64_Phdr.offsetOf('p_memsz'), p.memsz + 0x1000n, true);
    });
    expectRefusal(['--kernel', KERNEL, '--root', r], join(dir, 'bss.img'), new RegExp(`root-bss\\.elf: offset 0x${phdrAt.toString(16)}: .*segment \\d+.*p_filesz == p_memsz`));
  });

  it('a root task with p_vaddr not congruent to p_offset mod 4 KiB (RootTaskError naming the segment)', () => {
    let phdrAt = 0;
    const r = damaged(ROOT, 'root-skew.elf', (b) => {
      const p = firstLoad(b, 'root-skew.elf');
      phdrAt = p.headerOffset;
      viewOf(b).setBigUint64(p.headerOffset + Elf64_Phdr.offsetOf('p_vaddr'), p.vaddr + 0x10n, true);
    });
    expectRefusal(['--kernel', KERNEL, '--root', r], join(dir, 'skew.img'), new RegExp(`root-skew\\.elf: offset 0x${phdrAt.toString(16)}: .*segment \\d+.*p_vaddr`));
  });

  it('a missing input file (usage error)', () => {
    expectRefusal(['--kernel', join(dir, 'does-not-exist.elf'), '--root', ROOT], join(dir, 'missing.img'), /cannot read kernel .*does-not-exist\.elf: ENOENT/);
  });

  it('only one of --kernel/--root (usage error)', () => {
    expectRefusal(['--kernel', KERNEL], join(dir, 'half.img'), /give both --kernel and --root/);
  });

  it('a valid build of the same inputs succeeds (the refusals above are about the damage)', () => {
    const out = join(dir, 'good.img');
    const r = novaImage(['build', '--kernel', KERNEL, '--root', ROOT, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});
