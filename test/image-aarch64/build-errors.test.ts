/**
 * `build --arch aarch64` refuses inputs the loader stub could not boot, with a typed error naming file,
 * offset and rule, and leaves no output file behind.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../common/errors.js';
import { buildAarch64Image } from '../../loader/aarch64/index.js';
import { scratchDir } from './qemu-aarch64.js';

let dir: string;
let kernel: Uint8Array;
let root: Uint8Array;

beforeAll(() => {
  process.env.NOVA_IMAGE_BUILD ??= resolve('build');
  dir = scratchDir('aarch64-errors');
  kernel = new Uint8Array(readFileSync('build/kernel/aarch64/kernel.elf'));
  root = new Uint8Array(readFileSync('build/kernel/aarch64/root.elf'));
});

function variant(name: string, bytes: Uint8Array, patch: (v: DataView) => void): string {
  const copy = bytes.slice();
  patch(new DataView(copy.buffer));
  const path = join(dir, name);
  writeFileSync(path, copy);
  return path;
}

function expectRefused(inputs: { kernel: string; root: string }, pattern: RegExp): void {
  const output = join(dir, `out-${Math.random().toString(36).slice(2)}.img`);
  let error: unknown;
  try {
    buildAarch64Image({ ...inputs, output });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(FormatError);
  expect((error as FormatError).exitCode).toBe(2);
  expect((error as Error).message).toMatch(pattern);
  expect(existsSync(output)).toBe(false);
}

const goodKernel = () => variant('kernel.elf', kernel, () => {});
const goodRoot = () => variant('root.elf', root, () => {});

describe('aarch64 build refuses what the stub could not boot', () => {
  it('an x86-64 kernel (e_machine 62)', () => {
    const k = variant('x86-kernel.elf', kernel, (v) => v.setUint16(0x12, 62, true));
    expectRefused({ kernel: k, root: goodRoot() }, /x86-kernel\.elf: offset 0x12: e_machine: is 62/);
  });

  it('a kernel without a Multiboot2 header', () => {
    const at = Buffer.from(kernel).indexOf(Buffer.from([0xd6, 0x50, 0x52, 0xe8]));
    expect(at).toBeGreaterThan(0);
    const k = variant('no-mb2.elf', kernel, (v) => v.setUint32(at, 0, true));
    expectRefused({ kernel: k, root: goodRoot() }, /no-mb2\.elf: .*multiboot2_header: kernel has no Multiboot2 header/);
  });

  it('a root task whose second PT_LOAD has p_memsz != p_filesz', () => {
    // Program header 1 of root.elf: e_phoff 64, 56 bytes each, p_memsz at +0x28.
    const phoff = Number(new DataView(root.buffer, root.byteOffset).getBigUint64(0x20, true));
    const r = variant('bss-root.elf', root, (v) => v.setBigUint64(phoff + 56 + 0x28, v.getBigUint64(phoff + 56 + 0x20, true) + 0x1000n, true));
    expectRefused({ kernel: goodKernel(), root: r }, /bss-root\.elf: .*PT_LOAD\[1\]|bss-root\.elf: .*p_filesz/);
  });

  it('a root task for another machine', () => {
    const r = variant('x86-root.elf', root, (v) => v.setUint16(0x12, 62, true));
    expectRefused({ kernel: goodKernel(), root: r }, /x86-root\.elf: offset 0x12: e_machine: is 62/);
  });
});
