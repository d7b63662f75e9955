/**
 * The Multiboot2 path on our virt board (platform/machine/virt-multiboot2.ts: NOVA's aarch64 launch, X0 =
 * 0x36d76289, X1 = information, EL2, MMU off) against QEMU running the aarch64 test Multiboot2 loader
 * (test/image-aarch64/mb2-loader, built here with its Makefile) on the same image: same console apart from
 * the lines console-lines.ts names for this path. Also what the loader placed and the typed errors.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Multiboot2Error } from '../../boot/multiboot2/errors.js';
import { buildAarch64Image } from '../../loader/aarch64/index.js';
import { bootVirtImage } from '../../platform/machine/virt-machine.js';
import { runQemuAarch64, scratchDir } from '../image-aarch64/qemu-aarch64.js';
import { BANNER, ROOT_LINE, comparableLines, finalLine } from './console-lines.js';

const MB2_LOADER_BUILD = resolve('build/test/boot-virt/mb2-loader');
/** The test loader insists on finding the image where the image's address tag asks to be loaded. */
const IMAGE_LOAD = '0x40400000';
/** The command line the test loader passes (tag 1); ours gets the same through `append`. */
const LOADER_CMDLINE = 'from=mb2-loader';

let imagePath: string;
let image: Uint8Array;

beforeAll(() => {
  process.env.NOVA_IMAGE_BUILD ??= resolve('build');
  imagePath = join(scratchDir('boot-virt-mb2'), 'nova-aarch64.img');
  buildAarch64Image({ output: imagePath, cmdline: 'from=image' });
  image = new Uint8Array(readFileSync(imagePath));
  const make = spawnSync('make', ['-s', '-C', 'test/image-aarch64/mb2-loader', `BUILD=${MB2_LOADER_BUILD}`], { encoding: 'utf8', timeout: 120_000 });
  expect(make.status, make.stderr).toBe(0);
});

describe.each([2, 3] as const)('Multiboot2 path on virt with GICv%i', (gic) => {
  it('same console as QEMU with the test Multiboot2 loader, apart from the named lines', async () => {
    const qemu = await runQemuAarch64(['-m', '512M', '-kernel', join(MB2_LOADER_BUILD, 'mb2-loader.elf'), '-device', `loader,file=${imagePath},addr=${IMAGE_LOAD},force-raw=on`], {
      machine: `virt,virtualization=on,gic-version=${gic}`,
      timeoutSeconds: 30,
    });
    expect(qemu.status, qemu.output).toBe(0);
    const ours = await bootVirtImage(image, { file: imagePath, via: 'multiboot2', gic, memoryBytes: 512 * 2 ** 20, append: LOADER_CMDLINE, maxInstructions: 20_000_000 });
    const console = Buffer.from(ours.console).toString('latin1');
    expect(ours.verdict.kind, `${ours.verdict.message}\n${console}`).toBe('power-off');
    expect(ours.path).toBe('multiboot2');

    const theirs = comparableLines(qemu.output, 'multiboot2');
    for (const needed of [BANNER, ROOT_LINE, finalLine('smc'), `cmdline: "from=image ${LOADER_CMDLINE}"`]) expect(theirs).toContain(needed);
    expect(theirs.some((l) => l.startsWith('module 0: ') && l.endsWith('"root.elf"'))).toBe(true);
    expect(comparableLines(console, 'multiboot2')).toEqual(theirs);
    expect(console).toMatch(/^boot: path=multiboot2 loader=nova-image\/multiboot2 via nova-image magic=0x36d76289\r?$/m);

    // NOVA's aarch64 launch as the trace records it: entry from the entry tag, X0 = magic, X1 = information.
    const start = ours.trace.find((e) => e.name === 'multiboot2-entry')!;
    expect(start.data).toMatchObject({ entry: '0x40401040', el: 2, x0: '0x36d76289', mmu: 'off' });
    const dtb = ours.trace.find((e) => e.name === 'multiboot2-module')!;
    expect(dtb.data).toMatchObject({ string: 'dtb' });
  }, 60_000);
});

describe('Multiboot2 path on virt: bad input', () => {
  it('an image without a Multiboot2 header is a typed error naming the file', async () => {
    const b = new Uint8Array(4096);
    new DataView(b.buffer).setUint32(0x38, 0x644d5241, true); // an arm64 Image header, but no Multiboot2 header
    await expect(bootVirtImage(b, { file: 'plain.img', via: 'multiboot2' })).rejects.toBeInstanceOf(Multiboot2Error);
    await expect(bootVirtImage(b, { file: 'plain.img', via: 'multiboot2' })).rejects.toThrow(/plain\.img: offset 0x0: multiboot2_header/);
  });
});
