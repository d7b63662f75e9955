import { describe, expect, it } from 'vitest';
import { pcBoard } from '../../platform/boards/pc/board.js';
import { virtBoard } from '../../platform/boards/virt/board.js';
import { makeBoard } from '../../platform/boards/catalog.js';
import { findOverlap } from '../../platform/boards/board.js';
import { BoardConfigError } from '../../platform/boards/errors.js';
import { formatMemorySize, parseMemorySize } from '../../platform/boards/memory-size.js';
import { UsageError } from '../../common/errors.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe('pc board description (q35 memory map)', () => {
  it.each([
    // [RAM, expected low RAM top, expected RAM above 4 GiB] — q35 splits at 2 GiB once RAM reaches 0xb0000000.
    [512 * MiB, 512 * MiB, 0],
    [2.5 * GiB, 2.5 * GiB, 0],
    [0xb0000000, 2 * GiB, 0xb0000000 - 2 * GiB],
    [4 * GiB, 2 * GiB, 2 * GiB],
  ])('%d bytes of RAM: low top and high RAM as q35', (mem, low, high) => {
    const b = pcBoard({ memoryBytes: mem });
    expect(b.lowRamTop).toBe(low);
    expect(b.ram[0]).toMatchObject({ base: 0, size: low });
    if (high) expect(b.ram[1]).toMatchObject({ base: 4 * GiB, size: high });
    else expect(b.ram).toHaveLength(1);
    expect(findOverlap(b.memoryMap)).toBeUndefined();
    expect(b.pciHole).toEqual({ base: low, end: 4 * GiB });
  });

  it('puts the q35 devices where the issue says', () => {
    const b = pcBoard();
    expect(b.ecam).toMatchObject({ base: 0xb0000000, size: 256 * MiB, busStart: 0, busEnd: 255 });
    expect(b.lapic.base).toBe(0xfee00000);
    expect(b.ioapic.base).toBe(0xfec00000);
    expect(b.hpet.base).toBe(0xfed00000);
    expect(b.uart).toMatchObject({ port: 0x3f8, irq: 4 });
    expect(b.debugExit.port).toBe(0xf4);
    expect(b.cmos.port).toBe(0x70);
    expect(b.acpiPm).toMatchObject({ pm1aEvt: 0x600, pm1aCnt: 0x604, pmTmr: 0x608, gpe0: 0x620 });
    const ids = Object.fromEntries(b.pciFunctions.map((f) => [f.name, [f.bdf, f.vendorId, f.deviceId]]));
    expect(ids['host-bridge']).toEqual([{ bus: 0, device: 0, function: 0 }, 0x8086, 0x29c0]);
    expect(ids['lpc-bridge']).toEqual([{ bus: 0, device: 0x1f, function: 0 }, 0x8086, 0x2918]);
    expect(ids['edu']).toEqual([{ bus: 0, device: 2, function: 0 }, 0x1234, 0x11e8]);
    const edu = b.pciFunctions.find((f) => f.name === 'edu')!;
    expect(edu.bars[0]!.base).toBeGreaterThanOrEqual(b.pciMmio32.base);
    expect(edu.bars[0]!.base + edu.bars[0]!.size).toBeLessThanOrEqual(b.pciMmio32.end);
  });

  it.each([
    [{ memoryBytes: 8 * MiB }, '--memory'],
    [{ memoryBytes: 512 * MiB + 1 }, '--memory'],
    [{ cpus: 0 }, '--cpus'],
    [{ cpus: 256 }, '--cpus'],
  ])('rejects %o with a BoardConfigError naming %s', (opts, option) => {
    expect(() => pcBoard(opts)).toThrow(BoardConfigError);
    try {
      pcBoard(opts);
    } catch (e) {
      expect((e as BoardConfigError).option).toBe(option);
      expect(e).toBeInstanceOf(UsageError);
    }
  });
});

describe('virt board description (QEMU virt memory map)', () => {
  it('GICv2 with virtualization: all four frames, PSCI over SMC', () => {
    const b = virtBoard({ gic: 2, virtualization: true });
    expect(b.gic).toMatchObject({
      version: 2,
      distributor: { base: 0x08000000 },
      cpuInterface: { base: 0x08010000 },
      hypInterface: { base: 0x08030000 },
      vcpuInterface: { base: 0x08040000 },
    });
    expect(b.psci.method).toBe('smc');
  });
  it('GICv2 without virtualization: no hypervisor frames, PSCI over HVC', () => {
    const b = virtBoard({ gic: 2, virtualization: false });
    expect(b.gic.version === 2 && b.gic.hypInterface).toBeFalsy();
    expect(b.psci.method).toBe('hvc');
  });
  it('GICv3: distributor and redistributors; RAM, PL011, PL031, timer PPIs', () => {
    const b = virtBoard({ gic: 3, memoryBytes: GiB });
    expect(b.gic).toMatchObject({ version: 3, distributor: { base: 0x08000000 }, redistributor: { base: 0x080a0000 } });
    expect(b.ram).toEqual([{ name: 'ram', base: 0x40000000, size: GiB, kind: 'ram' }]);
    expect(b.uart).toMatchObject({ base: 0x09000000, spi: 1 });
    expect(b.rtc).toMatchObject({ base: 0x09010000, spi: 2 });
    expect(b.timer).toMatchObject({ securePpi: 13, nonSecurePpi: 14, virtPpi: 11, hypPpi: 10 });
    expect(findOverlap(b.memoryMap)).toBeUndefined();
  });
  it('the PSCI conduit can be chosen independently', () => {
    expect(virtBoard({ virtualization: true, psciMethod: 'hvc' }).psci.method).toBe('hvc');
  });
  it.each([
    [{ gic: 4 as 2 }, '--gic'],
    [{ gic: 2 as const, cpus: 9 }, '--cpus'],
    [{ memoryBytes: 256 * GiB }, '--memory'],
    [{ psciMethod: 'svc' as 'smc' }, 'psci-method'],
  ])('rejects %o (%s)', (opts, option) => {
    try {
      virtBoard(opts);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BoardConfigError);
      expect((e as BoardConfigError).option).toBe(option);
    }
  });
});

describe('board catalog and memory sizes', () => {
  it('makes boards by name and refuses unknown names and foreign options', () => {
    expect(makeBoard('pc').name).toBe('pc');
    expect(makeBoard('virt', { gic: 2 }).name).toBe('virt');
    expect(() => makeBoard('sun4m')).toThrow(/unknown board/);
    expect(() => makeBoard('pc', { gic: 3 })).toThrow(/no GIC/);
  });
  it.each([
    ['512M', 512 * MiB],
    ['2G', 2 * GiB],
    ['1024', 1024 * MiB],
    ['64MiB', 64 * MiB],
    ['4096B', 4096],
  ])('parses %s', (text, bytes) => {
    expect(parseMemorySize(text)).toBe(bytes);
  });
  it.each(['', 'lots', '-5M', '0', '1.5G'])('rejects %j', (text) => {
    expect(() => parseMemorySize(text)).toThrow(BoardConfigError);
  });
  it('formats sizes', () => {
    expect(formatMemorySize(512 * MiB)).toBe('512M');
    expect(formatMemorySize(3 * GiB)).toBe('3G');
    expect(formatMemorySize(1000)).toBe('1000B');
  });
});
