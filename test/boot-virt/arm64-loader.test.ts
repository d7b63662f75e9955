/**
 * The arm64 Image loader (boot/bzimage/arm64-loader.ts) against QEMU's `-kernel`: an entry-state probe
 * (test/guests/boot-virt/entry-probe.S, built by `make guests`) prints X0..X3, the exception level, DAIF,
 * SPSel, the MMU/cache bits, where it was loaded, the FDT magic at X0, CNTFRQ and MIDR; its output on our
 * virt board must equal QEMU's for every case (text_offset 0 and 0x80000, EL2 and EL1 entry, with and
 * without an initrd, several RAM sizes). Then the loader's typed errors for bad images.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadArm64Image } from '../../boot/bzimage/arm64-loader.js';
import { Arm64ImageError } from '../../boot/bzimage/errors.js';
import { FormatError, NotImplementedError, UsageError } from '../../common/errors.js';
import { virtBoard } from '../../platform/boards/virt/board.js';
import { BoardConfigError } from '../../platform/boards/errors.js';
import { virtDeviceTree } from '../../platform/fdt/virt.js';
import { bootVirtImage } from '../../platform/machine/virt-machine.js';
import { PhysicalBus } from '../../platform/memory/bus.js';
import { runQemuAarch64, scratchDir } from '../image-aarch64/qemu-aarch64.js';

const PROBES = 'build/test/guests/boot-virt';
const MiB = 2 ** 20;
let dir: string;

beforeAll(() => {
  dir = scratchDir('boot-virt-loader');
});

/** Deterministic initrd contents (the kernel never reads them; only the size moves the FDT). */
function initrdFile(size: number): string {
  const file = join(dir, `initrd-${size}.bin`);
  const bytes = new Uint8Array(size).map((_, i) => (i * 31) & 0xff);
  writeFileSync(file, bytes);
  return file;
}

const PROBE_CASES = [
  { probe: 'entry-probe.img', memoryMiB: 256, virtualization: true, initrd: 0 },
  { probe: 'entry-probe.img', memoryMiB: 512, virtualization: true, initrd: 3 * MiB + 5 },
  { probe: 'entry-probe-80000.img', memoryMiB: 128, virtualization: true, initrd: 0 },
  { probe: 'entry-probe.img', memoryMiB: 64, virtualization: false, initrd: 100 },
] as const;

describe.each(PROBE_CASES)('entry state of $probe, $memoryMiB MiB, virtualization $virtualization, initrd $initrd bytes: same as QEMU', ({ probe, memoryMiB, virtualization, initrd }) => {
  it('prints the same registers, load address and FDT address', async () => {
    const file = join(PROBES, probe);
    expect(existsSync(file), `${file} is built by make guests`).toBe(true);
    const initrdPath = initrd ? initrdFile(initrd) : undefined;
    const qemu = await runQemuAarch64(['-m', `${memoryMiB}M`, '-kernel', file, ...(initrdPath ? ['-initrd', initrdPath] : [])], {
      machine: `virt,virtualization=${virtualization ? 'on' : 'off'},gic-version=3`,
      timeoutSeconds: 20,
    });
    expect(qemu.status, qemu.output).toBe(0);
    expect(qemu.output).toMatch(/^fdt-magic=00000000d00dfeed$/m);

    const ours = await bootVirtImage(new Uint8Array(readFileSync(file)), {
      file,
      gic: 3,
      memoryBytes: memoryMiB * MiB,
      virtualization,
      modules: initrdPath ? [{ file: initrdPath, bytes: new Uint8Array(readFileSync(initrdPath)) }] : [],
      maxInstructions: 1_000_000,
    });
    expect(ours.verdict.kind, ours.verdict.message).toBe('power-off');
    expect(ours.verdict.message).toBe(`PSCI SYSTEM_OFF (${virtualization ? 'smc' : 'hvc'})`);
    expect(Buffer.from(ours.console).toString('latin1')).toBe(qemu.output);
    // The printed X0 is the loader's FDT address, so the facts it returns are the ones QEMU chose too.
    expect(qemu.output).toContain(`x0=${ours.load!.fdt.address.toString(16).padStart(16, '0')}`);
    expect(qemu.output).toContain(`loaded-at=${ours.load!.loadAddress.toString(16).padStart(16, '0')}`);
  }, 60_000);
});

// ---- typed errors -------------------------------------------------------------------------------------------

/** A 64-byte Image header followed by `body` bytes (arm64 Image header layout, booting.rst). */
function imageWith(fields: { textOffset?: bigint; imageSize?: bigint; flags?: bigint; magic?: number }, body = 64): Uint8Array {
  const b = new Uint8Array(64 + body);
  const v = new DataView(b.buffer);
  v.setUint32(0x00, 0x14000010, true); // code0: b +64 (over the header)
  v.setBigUint64(0x08, fields.textOffset ?? 0n, true); // text_offset
  v.setBigUint64(0x10, fields.imageSize ?? BigInt(b.length), true); // image_size
  v.setBigUint64(0x18, fields.flags ?? 0xan, true); // flags: LE, 4K, anywhere
  v.setUint32(0x38, fields.magic ?? 0x644d5241, true); // magic "ARM\x64"
  return b;
}

function load(image: Uint8Array, o: { memoryBytes?: number; initrd?: Uint8Array; fdt?: Uint8Array } = {}) {
  const board = virtBoard({ memoryBytes: o.memoryBytes ?? 64 * MiB, gic: 2 });
  const bus = new PhysicalBus();
  bus.addRam('ram', board.ram[0]!.base, board.ram[0]!.size);
  return loadArm64Image({ bus, ram: board.ram[0]!, image, file: 'test.img', initrd: o.initrd, entryEl: 2, deviceTree: (chosen) => o.fdt ?? virtDeviceTree(board, chosen) });
}

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('arm64 Image loader: facts and typed errors', () => {
  it('places a pre-3.17 Image (image_size 0) at text_offset 0x80000 and names the initrd in /chosen', () => {
    const r = load(imageWith({ imageSize: 0n }), { initrd: new Uint8Array(4096) });
    expect(r.textOffset).toBe(0x80000);
    expect(r.loadAddress).toBe(0x40080000);
    expect(r.initrd).toEqual({ address: 0x42000000, size: 4096 });
    expect(r.fdt.address).toBe(0x42200000);
    expect(r.entry).toEqual({ pc: 0x40080000, el: 2, x: [0x42200000, 0, 0, 0] });
  });

  it('refuses a truncated header, a bad magic, an image_size below the file size, an odd text_offset', () => {
    const cases: Array<[Uint8Array, number, string]> = [
      [new Uint8Array(40), 40, 'arm64_image_header'],
      [imageWith({ magic: 0x12345678 }), 0x38, 'arm64_image_header.magic'],
      [imageWith({ imageSize: 16n }), 0x10, 'arm64_image_header.image_size'],
      [imageWith({ textOffset: 0x80002n }), 0x08, 'arm64_image_header.text_offset'],
      [imageWith({ textOffset: 0x200000n }), 0x08, 'arm64_image_header.text_offset'],
    ];
    for (const [image, offset, field] of cases) {
      const e = caught(() => load(image));
      expect(e, field).toBeInstanceOf(Arm64ImageError);
      expect(e).toMatchObject({ file: 'test.img', offset, field });
    }
  });

  it('refuses an Image, initrd or device tree that does not fit in RAM', () => {
    expect(caught(() => load(imageWith({ imageSize: 63n * BigInt(MiB) })))).toMatchObject({ field: 'arm64_image_header.image_size' });
    expect(caught(() => load(imageWith({}), { initrd: new Uint8Array(40 * MiB) }))).toMatchObject({ field: 'initrd' });
    const huge = new Uint8Array(3 * MiB);
    new DataView(huge.buffer).setUint32(0, 0xd00dfeed, false);
    expect(caught(() => load(imageWith({}), { fdt: huge }))).toMatchObject({ field: 'fdt_header.totalsize' });
  });

  it('says big-endian kernels are not implemented', () => {
    expect(caught(() => load(imageWith({ flags: 0xbn })))).toBeInstanceOf(NotImplementedError);
  });

  it('bootVirtImage: typed errors for bad options, and a FormatError for --via uefi with an Image that is no PE', async () => {
    const image = imageWith({});
    await expect(bootVirtImage(new Uint8Array(100), { file: 'x.bin' })).rejects.toBeInstanceOf(FormatError);
    await expect(bootVirtImage(image, { via: 'bios' })).rejects.toBeInstanceOf(UsageError);
    await expect(bootVirtImage(image, { via: 'uefi' })).rejects.toBeInstanceOf(FormatError);
    const m = { file: 'm', bytes: new Uint8Array(8) };
    await expect(bootVirtImage(image, { modules: [m, m] })).rejects.toBeInstanceOf(UsageError);
    await expect(bootVirtImage(image, { gic: 4 as 3 })).rejects.toBeInstanceOf(BoardConfigError);
    await expect(bootVirtImage(image, { maxInstructions: 0 })).rejects.toBeInstanceOf(UsageError);
  });
});
