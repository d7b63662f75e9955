/**
 * What the loader stub hands to a Multiboot2 kernel, seen by the probe kernel (test/loader/fixtures) and the
 * reference kernel under QEMU/OVMF: the Multiboot2 information tags per path, the i386 machine state,
 * module placement and names, the command line, relocation by tag 10, and the stub's fatal-error path.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT_SUCCESS_33, espDirectory, novaImage, ovmfArgs, runQemu, scratchDir } from '../image/qemu.js';
import { buildLinux64Launcher, buildProbeKernel } from './probe.js';

const ROOT = 'build/kernel/x86_64/root.elf';
const KERNEL = 'build/kernel/x86_64/kernel.elf';
const KERNEL_KEEPBS = 'build/kernel/x86_64/kernel-keepbs.elf';
let dir: string;
let probe: string;

beforeAll(() => {
  dir = scratchDir('stub-handoff');
  probe = buildProbeKernel(dir);
});

function build(name: string, args: string[]): string {
  const out = join(dir, name);
  const r = novaImage(['build', ...args, '-o', out]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return out;
}

function tags(serial: string): string[] {
  const m = serial.match(/^PROBE: tags=(.*?)\r?$/m);
  expect(m, serial).not.toBeNull();
  return m![1]!.split(',').filter((t) => t !== '');
}

describe('loader stub hand-off (probe kernel)', () => {
  let image: string;
  beforeAll(() => {
    const extra = join(dir, 'extra.bin');
    writeFileSync(extra, Buffer.from('EXTRA-MODULE-BYTES'));
    image = build('probe.img', ['--kernel', probe, '--root', ROOT, '--module', `${extra},name=extra arg=1`, '--cmdline', 'image-cmdline']);
  });

  it('Linux path (QEMU -kernel): i386 state, BIOS tag set, modules in order and page-aligned', () => {
    const run = runQemu(dir, ['-kernel', image, '-append', 'from-qemu']);
    expect(run.status, run.serial).toBe(EXIT_SUCCESS_33);
    expect(run.serial).toMatch(/^PROBE: magic=0x36d76289 loader=nova-image\/linux via QEMU\r?$/m);
    expect(tags(run.serial)).toEqual(['1', '2', '3', '3', '4', '6', '14', '21', '0']);
    expect(run.serial).toMatch(/^PROBE: cmdline=image-cmdline from-qemu\r?$/m);
    const modules = [...run.serial.matchAll(/^PROBE: module (0x[0-9a-f]+) (0x[0-9a-f]+) (.*) (page-aligned|unaligned) first-bytes=(0x[0-9a-f]+)\r?$/gm)];
    expect(modules.map((m) => m[3])).toEqual(['root.elf', 'extra arg=1']);
    expect(modules.map((m) => m[4])).toEqual(['page-aligned', 'page-aligned']);
    expect(modules[0]![5]).toBe('0x464c457f'); // "\x7fELF"
    expect(modules[1]![5]).toBe('0x52545845'); // "EXTR"
    expect(run.serial).toMatch(/^PROBE: load-base=0x00400000\r?$/m);
    expect(run.serial).toMatch(/^PROBE: paging=off pe=1\r?$/m);
  });

  it('UEFI path (OVMF): EFI tags 12 + 20, boot services exited (tag 17, no 18)', () => {
    const esp = espDirectory(dir, image);
    const run = runQemu(dir, [...ovmfArgs(dir), '-drive', `file=fat:rw:${esp},format=raw`], 90);
    expect(run.status, run.serial).toBe(EXIT_SUCCESS_33);
    expect(run.serial).toMatch(/^PROBE: magic=0x36d76289 loader=nova-image\/uefi via EDK II\r?$/m);
    const t = tags(run.serial);
    for (const needed of ['1', '2', '3', '4', '6', '12', '14', '15', '17', '20', '21']) expect(t).toContain(needed);
    expect(t).not.toContain('18');
    expect(run.serial).toMatch(/^PROBE: paging=off pe=1\r?$/m);
    // DMA-safe hand-over: no PCI function may still be a bus master (compare with the keep-BS run below).
    expect(run.serial).toMatch(/^PROBE: pci-bus-masters=0\r?$/m);
  });

  it('UEFI path with a tag-7 kernel: boot services kept (tag 18, no 17) and bus masters left alone', () => {
    const keepbs = buildProbeKernel(dir, 'keepbs');
    const img = build('probe-keepbs.img', ['--kernel', keepbs, '--root', ROOT]);
    const esp = espDirectory(scratchDir('stub-handoff-keepbs'), img);
    const run = runQemu(dir, [...ovmfArgs(dir), '-drive', `file=fat:rw:${esp},format=raw`], 90);
    expect(run.status, run.serial).toBe(EXIT_SUCCESS_33);
    const t = tags(run.serial);
    for (const needed of ['12', '18', '20']) expect(t).toContain(needed);
    expect(t).not.toContain('17');
    const masters = Number(run.serial.match(/^PROBE: pci-bus-masters=(\d+)\r?$/m)![1]);
    expect(masters).toBeGreaterThan(0);
  });

  it('a non-relocatable kernel whose load range is taken: the stub reports the error on COM1 and exits 0x7f', () => {
    // A 4 MiB module makes the image (loaded at 1 MiB) cover the probe kernel's fixed p_paddr 4 MiB.
    const big = join(dir, 'big.bin');
    writeFileSync(big, randomBytes(4 * 1024 * 1024));
    const img = build('probe-overlap.img', ['--kernel', probe, '--root', ROOT, '--module', big]);
    const run = runQemu(dir, ['-kernel', img]);
    expect(run.serial).toMatch(/^nova-image loader: error: kernel load range is not free RAM and the kernel is not relocatable, at 0x400000\r?$/m);
    expect(run.serial).not.toContain('PROBE:');
    expect(run.status).toBe((0x7f << 1) | 1);
  });
});

describe('loader stub with the reference kernel', () => {
  it('relocates a tag-10 kernel by a multiple of 2 MiB when its p_paddr range is taken', () => {
    // 17 MiB of module push the image over the kernel's link address (16 MiB).
    const big = join(dir, 'big17.bin');
    writeFileSync(big, randomBytes(17 * 1024 * 1024));
    const img = build('ref-reloc.img', ['--kernel', KERNEL, '--root', ROOT, '--module', `${big},name=big`]);
    const run = runQemu(dir, ['-kernel', img], 90);
    expect(run.status, run.serial).toBe(EXIT_SUCCESS_33);
    const m = run.serial.match(/^kernel: image at (0x[0-9a-f]+), linked at 0x1000000, shift ([+-]0x[0-9a-f]+)/m);
    expect(m, run.serial).not.toBeNull();
    const shift = Number(m![2]!.replace('+', ''));
    expect(shift).not.toBe(0);
    expect(Math.abs(shift) % 0x200000).toBe(0);
    expect(Number(m![1])).toBeGreaterThanOrEqual(0x100000 + 17 * 1024 * 1024);
    expect(run.serial).toContain('ROOT: hello from user mode');
  });

  it('boots through the 64-bit Linux entry (+0x200, XLF_KERNEL_64) with a zero page from a 64-bit loader', () => {
    // No available loader uses this entry, so a test harness (fixtures/linux64-launcher.c) plays the 64-bit
    // Linux loader: it is the kernel of an outer image that carries the image under test as a module.
    const inner = build('inner.img', []);
    const launcher = buildLinux64Launcher(dir);
    const outer = build('outer.img', ['--kernel', launcher, '--root', ROOT, '--module', `${inner},name=image`]);
    const run = runQemu(dir, ['-kernel', outer]);
    expect(run.status, run.serial).toBe(EXIT_SUCCESS_33);
    expect(run.serial).toMatch(/^boot: path=linux loader=nova-image\/linux via undefined loader magic=0x36d76289\r?$/m);
    expect(run.serial).toMatch(/^cmdline: "from=linux64-entry"\r?$/m);
    expect(run.serial).toContain('ROOT: hello from user mode');
  });

  it('keeps boot services for a kernel with tag 7 (MBI tag 18); the kernel exits them itself', () => {
    const img = build('ref-keepbs.img', ['--kernel', KERNEL_KEEPBS, '--root', ROOT]);
    const esp = espDirectory(scratchDir('stub-handoff-ref-keepbs'), img);
    const run = runQemu(dir, [...ovmfArgs(dir), '-drive', `file=fat:rw:${esp},format=raw`], 90);
    expect(run.status, run.serial).toBe(EXIT_SUCCESS_33);
    expect(run.serial).toMatch(/^boot: path=uefi loader=nova-image\/uefi via EDK II/m);
    expect(run.serial).toMatch(/^efi: kernel called ExitBootServices itself: success/m);
    expect(run.serial).toContain('ROOT: hello from user mode');
  });
});
