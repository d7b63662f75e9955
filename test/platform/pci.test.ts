import { describe, expect, it } from 'vitest';
import { PhysicalBus } from '../../platform/memory/bus.js';
import { IoPortBus } from '../../platform/memory/io-ports.js';
import { VirtualClock } from '../../platform/time/clock.js';
import { pcBoard } from '../../platform/boards/pc/board.js';
import { attachPcDevices } from '../../platform/boards/pc/devices.js';
import { EDU_WORK_NS } from '../../platform/devices/pci/edu.js';
import type { RecordingIrqLine } from '../../platform/devices/irq.js';

const MiB = 2 ** 20;

function machine(memoryBytes = 128 * MiB) {
  const board = pcBoard({ memoryBytes });
  const bus = new PhysicalBus();
  const ports = new IoPortBus();
  const clock = new VirtualClock();
  const out: number[] = [];
  const events: string[] = [];
  const dev = attachPcDevices(board, {
    bus,
    ports,
    clock,
    console: (b) => out.push(b),
    onDebugExit: (c) => events.push(`exit ${c}`),
    onPowerOff: () => events.push('off'),
    onReset: (k) => events.push(`reset ${k}`),
  });
  /** Configuration mechanism #1. */
  const cfgRead = (bus_: number, d: number, f: number, off: number, size: 1 | 2 | 4 = 4) => {
    ports.write(0xcf8, 4, (0x80000000 | (bus_ << 16) | (d << 11) | (f << 8) | (off & 0xfc)) >>> 0);
    return ports.read(0xcfc + (off & 3), size);
  };
  const cfgWrite = (bus_: number, d: number, f: number, off: number, value: number, size: 1 | 2 | 4 = 4) => {
    ports.write(0xcf8, 4, (0x80000000 | (bus_ << 16) | (d << 11) | (f << 8) | (off & 0xfc)) >>> 0);
    ports.write(0xcfc + (off & 3), size, value);
  };
  const ecam = (b: number, d: number, f: number, off: number) => board.ecam.base + ((b << 20) | (d << 15) | (f << 12) | off);
  return { board, bus, ports, clock, out, events, dev, cfgRead, cfgWrite, ecam };
}

describe('PCI configuration access', () => {
  it('mechanism #1 finds the q35 host bridge, the ICH9 LPC bridge and edu; absent functions read all ones', () => {
    const m = machine();
    expect(m.cfgRead(0, 0, 0, 0)).toBe(0x29c08086);
    expect(m.cfgRead(0, 0x1f, 0, 0)).toBe(0x29188086);
    expect(m.cfgRead(0, 2, 0, 0)).toBe(0x11e81234);
    expect(m.cfgRead(0, 5, 0, 0)).toBe(0xffffffff);
    expect(m.cfgRead(1, 0, 0, 0)).toBe(0xffffffff);
    expect(m.cfgRead(0, 0x1f, 0, 0x08) >>> 8).toBe(0x060100); // ISA bridge class
    expect(m.cfgRead(0, 0, 0, 0x08) >>> 8).toBe(0x060000); // host bridge class
    expect(m.cfgRead(0, 0x1f, 0, 0x0e, 1)).toBe(0x80); // multi-function header
    expect(m.cfgRead(0, 0, 0, 0x02, 2)).toBe(0x29c0);
  });

  it('ECAM reads the same bytes as mechanism #1', () => {
    const m = machine();
    for (const [d, f] of [[0, 0], [0x1f, 0], [2, 0], [3, 0]] as const) {
      for (let off = 0; off < 0x70; off += 4) {
        expect(m.bus.read32(m.ecam(0, d, f, off)), `${d}.${f}+${off}`).toBe(m.cfgRead(0, d, f, off));
      }
    }
  });

  it('configuration space is read-only where the spec says so; BAR sizing returns the size mask', () => {
    const m = machine();
    m.cfgWrite(0, 2, 0, 0, 0xdeadbeef);
    expect(m.cfgRead(0, 2, 0, 0)).toBe(0x11e81234);
    const bar = m.cfgRead(0, 2, 0, 0x10);
    expect(bar).toBe(m.board.pciFunctions.find((f) => f.name === 'edu')!.bars[0]!.base);
    m.cfgWrite(0, 2, 0, 0x10, 0xffffffff);
    expect(m.cfgRead(0, 2, 0, 0x10)).toBe(0xfff00000); // 1 MiB, 32-bit, non-prefetchable
    m.cfgWrite(0, 2, 0, 0x10, bar);
    expect(m.cfgRead(0, 2, 0, 0x10)).toBe(bar);
  });

  it('LPC PMBASE and host PCIEXBAR describe the board', () => {
    const m = machine();
    expect(m.cfgRead(0, 0x1f, 0, 0x40)).toBe(0x601);
    expect(m.cfgRead(0, 0x1f, 0, 0x44, 1) & 0x80).toBe(0x80);
    expect(m.cfgRead(0, 0, 0, 0x60)).toBe(0xb0000001);
  });

  it('a byte write of 0x06 to port 0xcf9 resets; dword writes to 0xcf8 do not', () => {
    const m = machine();
    m.ports.write(0xcf8, 4, 0x80000000);
    expect(m.events).toEqual([]);
    m.ports.write(0xcf9, 1, 0x06);
    expect(m.events).toEqual(['reset full']);
  });
});

describe('edu device (QEMU edu register interface) behind the MMIO window', () => {
  const setup = (command = 0x2) => {
    const m = machine();
    const base = (m.cfgRead(0, 2, 0, 0x10) & ~0xf) >>> 0;
    m.cfgWrite(0, 2, 0, 0x04, command, 2);
    return { ...m, base };
  };

  it('is not decoded until Memory Space is enabled', () => {
    const m = setup(0);
    expect(m.bus.read32(m.base)).toBe(0xffffffff);
    m.cfgWrite(0, 2, 0, 0x04, 0x2, 2);
    expect(m.bus.read32(m.base)).toBe(0x010000ed);
  });

  it('liveness returns the inverse; factorial completes after virtual time and can interrupt', () => {
    const m = setup();
    m.bus.write32(m.base + 0x04, 0x12345678);
    expect(m.bus.read32(m.base + 0x04)).toBe(~0x12345678 >>> 0);
    m.bus.write32(m.base + 0x20, 0x80); // IRQ after factorial
    m.bus.write32(m.base + 0x08, 10);
    expect(m.bus.read32(m.base + 0x20) & 1).toBe(1);
    m.clock.advanceBy(EDU_WORK_NS);
    expect(m.bus.read32(m.base + 0x20) & 1).toBe(0);
    expect(m.bus.read32(m.base + 0x08)).toBe(3628800);
    const line = m.dev.irqLines.get(11) as RecordingIrqLine;
    expect(m.bus.read32(m.base + 0x24)).toBe(0x1);
    expect(line.level).toBe(true);
    expect(m.cfgRead(0, 2, 0, 0x06, 2) & 0x8).toBe(0x8); // Status.Interrupt
    m.bus.write32(m.base + 0x64, 0x1);
    expect(line.level).toBe(false);
  });

  it('INTx disable masks the line but not the status', () => {
    const m = setup(0x2 | 0x400);
    m.bus.write32(m.base + 0x60, 0x40);
    const line = m.dev.irqLines.get(11) as RecordingIrqLine;
    expect(line.level).toBe(false);
    expect(m.bus.read32(m.base + 0x24)).toBe(0x40);
    m.cfgWrite(0, 2, 0, 0x04, 0x2, 2);
    expect(line.level).toBe(true);
  });

  const dmaToRam = (m: ReturnType<typeof setup>, ramAddr: number, count: number) => {
    m.bus.write32(m.base + 0x80, 0x40000); // src: device buffer
    m.bus.write32(m.base + 0x84, 0);
    m.bus.write32(m.base + 0x88, ramAddr); // dst: RAM
    m.bus.write32(m.base + 0x8c, 0);
    m.bus.write32(m.base + 0x90, count);
    m.bus.write32(m.base + 0x98, 0x1 | 0x2 | 0x4);
    m.clock.advanceBy(EDU_WORK_NS);
  };

  it('the DMA buffer is not reachable through BAR0, as on QEMU', () => {
    const m = setup(0x2);
    m.bus.write32(m.base + 0x40000, 0x12345678);
    expect(m.bus.read32(m.base + 0x40000)).toBe(0xffffffff);
    expect(m.dev.edu.buffer[0]).toBe(0);
  });

  it('DMA with Bus Master Enable clear is blocked and recorded; memory is untouched', () => {
    const m = setup(0x2);
    m.dev.edu.buffer.set([0x0d, 0xf0, 0xfe, 0xca]);
    dmaToRam(m, 0x100000, 4);
    expect(m.bus.read32(0x100000)).toBe(0);
    expect(m.dev.dma.log).toEqual([
      { time: EDU_WORK_NS, source: 'edu@00:02.0', address: 0x100000, length: 4, direction: 'write', outcome: 'blocked', reason: 'bus master enable is clear' },
    ]);
    expect(m.bus.read32(m.base + 0x24)).toBe(0x100); // DMA-done interrupt still raised, as QEMU does
  });

  it('DMA with Bus Master Enable set copies both ways and is recorded as ok', () => {
    const m = setup(0x2 | 0x4);
    m.dev.edu.buffer.set([0x0d, 0xf0, 0xfe, 0xca]);
    dmaToRam(m, 0x100000, 4);
    expect(m.bus.read32(0x100000)).toBe(0xcafef00d);
    m.bus.write32(0x200000, 0x11223344);
    m.bus.write32(m.base + 0x80, 0x200000);
    m.bus.write32(m.base + 0x88, 0x40010);
    m.bus.write32(m.base + 0x90, 4);
    m.bus.write32(m.base + 0x98, 0x1);
    m.clock.advanceBy(EDU_WORK_NS);
    expect(Buffer.from(m.dev.edu.buffer.subarray(0x10, 0x14)).readUInt32LE(0)).toBe(0x11223344);
    expect(m.dev.dma.log.map((r) => [r.direction, r.address, r.outcome])).toEqual([
      ['write', 0x100000, 'ok'],
      ['read', 0x200000, 'ok'],
    ]);
  });

  it('DMA outside RAM faults, beyond the 28-bit mask is refused, and IOMMU refusals are recorded', () => {
    const m = setup(0x2 | 0x4);
    dmaToRam(m, 0x0c000000, 16); // 192 MiB: above the 128 MiB of RAM, inside the DMA mask
    expect(m.dev.dma.log.at(-1)).toMatchObject({ outcome: 'fault', address: 0x0c000000 });
    dmaToRam(m, 0x10000000, 16);
    expect(m.dev.edu.errors.at(-1)).toMatch(/28-bit/);
    m.dev.dma.setTranslation({ name: 'test-iommu', translate: () => ({ ok: false, reason: 'no mapping for 0x1000' }) });
    dmaToRam(m, 0x1000, 4);
    expect(m.dev.dma.log.at(-1)).toMatchObject({ outcome: 'blocked', reason: 'test-iommu: no mapping for 0x1000' });
  });

  it('a DMA write into a page holding decoded code notifies the CPU', () => {
    const m = setup(0x2 | 0x4);
    const hits: number[] = [];
    m.bus.onCodeWrite((p) => hits.push(p));
    m.bus.markCodePage(0x100);
    dmaToRam(m, 0x100010, 8);
    expect(hits).toEqual([0x100]);
  });
});

describe('pc devices on the buses', () => {
  it('COM1, debug-exit, PM1 power-off and CMOS are reachable at their board ports', () => {
    const m = machine();
    for (const c of Buffer.from('hey')) m.ports.write(0x3f8, 1, c);
    expect(Buffer.from(m.out).toString()).toBe('hey');
    m.ports.write(0x70, 1, 0x32);
    expect(m.ports.read(0x71, 1)).toBe(0x20);
    m.clock.advanceTo(1e9);
    expect(m.ports.read(0x608, 4)).toBe(3_579_545);
    m.ports.write(0x604, 2, 1 << 13);
    m.ports.write(0xf4, 1, 0x10);
    expect(m.events).toEqual(['off', 'exit 33']);
  });
});
