import { describe, expect, it } from 'vitest';
import { IoPortBus } from '../../platform/memory/io-ports.js';
import { PhysicalBus } from '../../platform/memory/bus.js';
import { VirtualClock } from '../../platform/time/clock.js';
import { RecordingIrqLine } from '../../platform/devices/irq.js';
import { Pic8259Pair } from '../../platform/devices/pic8259.js';
import { IoApic, type IoApicMessage } from '../../platform/devices/ioapic.js';
import { Hpet } from '../../platform/devices/hpet.js';
import { Pit8254 } from '../../platform/devices/pit8254.js';
import { LocalApic } from '../../platform/devices/lapic.js';
import { pcBoard } from '../../platform/boards/pc/board.js';
import { attachPcDevices } from '../../platform/boards/pc/devices.js';
import { NotImplementedError } from '../../common/errors.js';

/** The BIOS/Linux initialisation sequence: ICW1 0x11, ICW2 base, ICW3 cascade, ICW4 8086 mode. */
function initPic(ports: IoPortBus, masterBase = 0x20, slaveBase = 0x28) {
  ports.write(0x20, 1, 0x11);
  ports.write(0x21, 1, masterBase);
  ports.write(0x21, 1, 0x04);
  ports.write(0x21, 1, 0x01);
  ports.write(0xa0, 1, 0x11);
  ports.write(0xa1, 1, slaveBase);
  ports.write(0xa1, 1, 0x02);
  ports.write(0xa1, 1, 0x01);
}

describe('8259A PIC pair', () => {
  const rig = () => {
    const ports = new IoPortBus();
    const pic = new Pic8259Pair();
    ports.claim(0x20, 2, pic);
    ports.claim(0xa0, 2, pic);
    ports.claim(0x4d0, 2, pic);
    initPic(ports);
    return { ports, pic };
  };

  it('delivers edge-triggered IRQs by priority with the programmed vector base, EOI clears ISR', () => {
    const { ports, pic } = rig();
    pic.setIrq(4, true);
    pic.setIrq(1, true);
    expect(pic.hasPending()).toBe(true);
    expect(pic.acknowledge()).toBe(0x21);
    expect(pic.hasPending()).toBe(false); // IRQ 4 waits behind the in-service IRQ 1
    ports.write(0x20, 1, 0x20); // non-specific EOI
    expect(pic.acknowledge()).toBe(0x24);
    ports.write(0x20, 1, 0x0b); // OCW3: read ISR
    expect(ports.read(0x20, 1)).toBe(0x10);
  });

  it('masking through OCW1 holds requests back; the slave cascades through IRQ 2', () => {
    const { ports, pic } = rig();
    ports.write(0x21, 1, 0xff);
    pic.setIrq(3, true);
    expect(pic.hasPending()).toBe(false);
    ports.write(0x21, 1, 0x00);
    expect(pic.acknowledge()).toBe(0x23);
    ports.write(0x20, 1, 0x20);
    pic.setIrq(12, true);
    expect(pic.acknowledge()).toBe(0x28 + 4);
    expect(pic.masks).toEqual({ master: 0, slave: 0 });
  });

  it('a level-triggered input (ELCR) stays requested until the device drops it', () => {
    const { ports, pic } = rig();
    ports.write(0x4d1, 1, 0x08); // IRQ 11 level
    pic.setIrq(11, true);
    expect(pic.acknowledge()).toBe(0x28 + 3);
    ports.write(0xa0, 1, 0x20);
    ports.write(0x20, 1, 0x20);
    expect(pic.acknowledge()).toBe(0x28 + 3);
    ports.write(0xa0, 1, 0x20);
    ports.write(0x20, 1, 0x20);
    pic.setIrq(11, false);
    expect(pic.hasPending()).toBe(false);
  });
});

describe('IOAPIC', () => {
  const rig = () => {
    const msgs: IoApicMessage[] = [];
    const io = new IoApic(0, 24, (m) => msgs.push(m));
    const wr = (reg: number, v: number) => {
      io.write(0x00, 4, reg);
      io.write(0x10, 4, v);
    };
    const rd = (reg: number) => {
      io.write(0x00, 4, reg);
      return io.read(0x10);
    };
    return { io, msgs, wr, rd };
  };

  it('reports version 0x20 with 24 entries; entries reset masked', () => {
    const { rd } = rig();
    expect(rd(0x01)).toBe(0x00170020);
    expect(rd(0x10) & 0x10000).toBe(0x10000);
  });

  it('edge pin: one message per rising edge, with vector and destination from the entry', () => {
    const { io, msgs, wr } = rig();
    wr(0x10 + 2 * 2, 0x30);
    wr(0x11 + 2 * 2, 0x01000000);
    io.setPin(2, true);
    io.setPin(2, true);
    io.setPin(2, false);
    io.setPin(2, true);
    expect(msgs).toEqual([
      { pin: 2, vector: 0x30, deliveryMode: 0, logical: false, destination: 1, level: false },
      { pin: 2, vector: 0x30, deliveryMode: 0, logical: false, destination: 1, level: false },
    ]);
  });

  it('level pin: Remote IRR blocks re-delivery until EOI, and EOI re-delivers while asserted', () => {
    const { io, msgs, wr, rd } = rig();
    wr(0x10 + 2 * 11, 0x41 | (1 << 15) | (1 << 13)); // level, active low
    io.setPin(11, false); // asserted (active low)
    expect(msgs).toHaveLength(1);
    expect(rd(0x10 + 2 * 11) & (1 << 14)).toBe(1 << 14);
    io.setPin(11, false);
    expect(msgs).toHaveLength(1);
    io.eoi(0x41);
    expect(msgs).toHaveLength(2);
    io.setPin(11, true); // deasserted
    io.write(0x40, 4, 0x41); // EOI register
    expect(msgs).toHaveLength(2);
  });

  it('masked pins deliver nothing; unmasking a still-asserted level pin delivers', () => {
    const { io, msgs, wr } = rig();
    wr(0x10 + 2 * 5, 0x10000 | 0x8000 | 0x50);
    io.setPin(5, true);
    expect(msgs).toHaveLength(0);
    wr(0x10 + 2 * 5, 0x8000 | 0x50);
    expect(msgs).toHaveLength(1);
  });
});

describe('HPET (IA-PC HPET 1.0a)', () => {
  const rig = () => {
    const clock = new VirtualClock();
    const legacy = [new RecordingIrqLine(), new RecordingIrqLine()];
    const pins = new Map<number, RecordingIrqLine>();
    const pin = (n: number) => pins.get(n) ?? pins.set(n, new RecordingIrqLine()).get(n)!;
    const hpet = new Hpet(clock, 0x8086a201, (t) => legacy[t]!, pin);
    return { clock, hpet, legacy, pin };
  };

  it('capabilities: block ID and QEMU\'s 100 MHz period (10 ns = 10^7 fs)', () => {
    const { hpet } = rig();
    expect(hpet.read(0x000)).toBe(0x8086a201);
    expect(hpet.read(0x004)).toBe(10_000_000);
  });

  it('the main counter runs at 100 MHz only while enabled, and is writable while halted', () => {
    const { clock, hpet } = rig();
    clock.advanceBy(1e6);
    expect(hpet.read(0x0f0)).toBe(0);
    hpet.write(0x010, 4, 1);
    clock.advanceBy(1e6);
    expect(hpet.read(0x0f0)).toBe(100_000);
    hpet.write(0x010, 4, 0);
    hpet.write(0x0f0, 4, 5);
    hpet.write(0x0f4, 4, 1);
    expect(hpet.read(0x0f0)).toBe(5);
    expect(hpet.read(0x0f4)).toBe(1);
  });

  it('periodic timer 0 in legacy mode interrupts IRQ 0 every period', () => {
    const { clock, hpet, legacy } = rig();
    hpet.write(0x100, 4, (1 << 2) | (1 << 3) | (1 << 6)); // INT_ENB | periodic | VAL_SET
    hpet.write(0x108, 4, 10_000); // first match and period: 10000 ticks = 100 us
    hpet.write(0x10c, 4, 0);
    hpet.write(0x010, 4, 3); // enable + legacy replacement
    clock.advanceTo(99_999);
    expect(legacy[0]!.rises).toBe(0);
    clock.advanceTo(100_000);
    expect(legacy[0]!.rises).toBe(1);
    clock.advanceTo(1_000_000);
    expect(legacy[0]!.rises).toBe(10);
  });

  it('one-shot level-triggered timer 2 on IOAPIC pin 20 sets its status bit until cleared', () => {
    const { clock, hpet, pin } = rig();
    hpet.write(0x140, 4, (1 << 1) | (1 << 2) | (20 << 9));
    expect(hpet.read(0x144)).toBe(0x00f00000);
    hpet.write(0x148, 4, 500);
    hpet.write(0x14c, 4, 0);
    hpet.write(0x010, 4, 1);
    clock.advanceTo(4_990);
    expect(pin(20).level).toBe(false);
    clock.advanceTo(5_000);
    expect(pin(20).level).toBe(true);
    expect(hpet.read(0x020)).toBe(1 << 2);
    hpet.write(0x020, 4, 1 << 2);
    expect(pin(20).level).toBe(false);
    clock.advanceTo(10_000_000);
    expect(pin(20).rises).toBe(1);
  });
});

describe('8254 PIT', () => {
  const rig = () => {
    const clock = new VirtualClock();
    const irq0 = new RecordingIrqLine();
    const pit = new Pit8254(0x40, clock, irq0);
    const ports = new IoPortBus();
    ports.claim(0x40, 4, pit);
    ports.claim(0x61, 1, pit);
    return { clock, irq0, ports };
  };

  it('channel 0 rate generator (mode 2) interrupts every N ticks of 1.193182 MHz', () => {
    const { clock, irq0, ports } = rig();
    ports.write(0x43, 1, 0x34); // ch0, lobyte/hibyte, mode 2
    ports.write(0x40, 1, 11932 & 0xff);
    ports.write(0x40, 1, 11932 >> 8); // period 11932 / 1193182 Hz = 10.000151 ms
    expect(irq0.rises).toBe(0); // programming makes no edge
    clock.advanceTo(1e9);
    expect(irq0.rises).toBe(99); // the 100th edge is due at 1.0000151 s
    clock.advanceTo(1.000015e9);
    expect(irq0.rises).toBe(99);
    clock.advanceTo(1.0000151e9);
    expect(irq0.rises).toBe(100);
  });

  it('counter latch freezes the value read; the count falls with virtual time', () => {
    const { clock, ports } = rig();
    ports.write(0x43, 1, 0x34);
    ports.write(0x40, 1, 0x00);
    ports.write(0x40, 1, 0x10); // 0x1000
    clock.advanceBy(838 * 100); // 100 ticks (838.1 ns each) minus a fraction
    ports.write(0x43, 1, 0x00); // latch channel 0
    clock.advanceBy(1e6);
    const lo = ports.read(0x40, 1);
    const hi = ports.read(0x40, 1);
    expect((hi << 8) | lo).toBe(0x1000 - 99);
  });

  it('channel 2 mode 0 with the gate in port 0x61: OUT2 rises at terminal count (Linux PIT calibration)', () => {
    const { clock, ports } = rig();
    ports.write(0x61, 1, 0x00); // gate low
    ports.write(0x43, 1, 0xb0); // ch2, lobyte/hibyte, mode 0
    ports.write(0x42, 1, 0x9b);
    ports.write(0x42, 1, 0x2e); // 11931 ticks ~ 10 ms
    clock.advanceBy(20e6); // gate low: nothing counts
    expect(ports.read(0x61, 1) & 0x20).toBe(0);
    ports.write(0x61, 1, 0x01);
    clock.advanceBy(9.99e6);
    expect(ports.read(0x61, 1) & 0x20).toBe(0);
    clock.advanceBy(0.02e6);
    expect(ports.read(0x61, 1) & 0x20).toBe(0x20);
  });

  it('read-back reports status (mode, access, OUT) and unsupported modes say so', () => {
    const { ports } = rig();
    ports.write(0x43, 1, 0x36); // ch0 lo/hi mode 3
    ports.write(0x40, 1, 0);
    ports.write(0x40, 1, 0);
    ports.write(0x43, 1, 0xe2); // read-back status of ch0
    expect(ports.read(0x40, 1)).toBe(0x80 | (3 << 4) | (3 << 1));
    expect(() => ports.write(0x43, 1, 0x32)).toThrow(NotImplementedError); // mode 1
    expect(() => ports.write(0x43, 1, 0x35)).toThrow(NotImplementedError); // BCD
  });
});

describe('pc interrupt routing follows the MADT', () => {
  it('COM1 (IRQ 4) reaches PIC input 4 and IOAPIC pin 4; the PIT (IRQ 0) reaches IOAPIC pin 2', () => {
    const board = pcBoard({ memoryBytes: 64 * 2 ** 20 });
    const bus = new PhysicalBus();
    const ports = new IoPortBus();
    const clock = new VirtualClock();
    const dev = attachPcDevices(board, { bus, ports, clock, console: () => {} });
    initPic(ports);
    ports.write(0x21, 1, 0x00);
    const rte = (pin: number, v: number) => {
      bus.write32(0xfec00000, 0x10 + 2 * pin);
      bus.write32(0xfec00010, v);
    };
    rte(4, 0x34);
    rte(2, 0x30);
    ports.write(0x3f9, 1, 0x02); // COM1 IER: THRE -> interrupt now
    expect(dev.pic.acknowledge()).toBe(0x24);
    expect(dev.ioApicMessages.map((m) => [m.pin, m.vector])).toEqual([[4, 0x34]]);
    ports.write(0x43, 1, 0x34);
    ports.write(0x40, 1, 0x00);
    ports.write(0x40, 1, 0x01); // 256 ticks
    clock.advanceBy(300_000);
    expect(dev.ioApicMessages.map((m) => [m.pin, m.vector])).toEqual([[4, 0x34], [2, 0x30]]);
    // The HPET answers at its ACPI address.
    expect(bus.read32(0xfed00000)).toBe(board.hpet.blockId);
  });
});

describe('local APIC', () => {
  const rig = (extInt?: Pic8259Pair) => {
    const clock = new VirtualClock();
    const eois: number[] = [];
    const lapic = new LocalApic(0, clock, { extInt, onLevelEoi: (v) => eois.push(v) });
    lapic.write(0x0f0, 4, 0x1ff); // SVR: enable, spurious vector 0xff
    return { clock, lapic, eois };
  };

  it('version 0x50014, ID in bits 31:24 (xAPIC) or whole (x2APIC MSR 0x802)', () => {
    const clock = new VirtualClock();
    const l = new LocalApic(3, clock);
    expect(l.read(0x030)).toBe(0x00050014);
    expect(l.read(0x020)).toBe(0x03000000);
    expect(l.readMsr(0x802)).toEqual([3, 0]);
  });

  it('delivers by priority class, holds back classes at or below TPR, EOI retires the highest ISR bit', () => {
    const { lapic } = rig();
    lapic.accept(0x41, false);
    lapic.accept(0x82, false);
    expect(lapic.acknowledge()).toBe(0x82);
    expect(lapic.hasPending()).toBe(false); // 0x41 is below the in-service class 0x80
    lapic.write(0x0b0, 4, 0);
    lapic.write(0x080, 4, 0x40); // TPR class 4 blocks 0x41
    expect(lapic.hasPending()).toBe(false);
    lapic.write(0x080, 4, 0x30);
    expect(lapic.acknowledge()).toBe(0x41);
    expect(lapic.read(0x100 + 0x20) & 0x2).toBe(0x2); // ISR bit 0x41 (word 2, bit 1)
  });

  it('level-triggered EOIs are broadcast (to the IOAPIC)', () => {
    const { lapic, eois } = rig();
    lapic.accept(0x50, true);
    lapic.acknowledge();
    lapic.write(0x0b0, 4, 0);
    expect(eois).toEqual([0x50]);
  });

  it('timer: one-shot and periodic on virtual time (1 GHz bus clock / divider)', () => {
    const { clock, lapic } = rig();
    lapic.write(0x3e0, 4, 0xb); // divide by 1
    lapic.write(0x320, 4, 0x30); // one-shot, vector 0x30
    lapic.write(0x380, 4, 1000);
    clock.advanceTo(400);
    expect(lapic.read(0x390)).toBe(600);
    expect(lapic.hasPending()).toBe(false);
    clock.advanceTo(1000);
    expect(lapic.acknowledge()).toBe(0x30);
    lapic.write(0x0b0, 4, 0);
    clock.advanceTo(5000);
    expect(lapic.hasPending()).toBe(false);
    lapic.write(0x3e0, 4, 0x3); // divide by 16
    lapic.write(0x320, 4, 0x20031); // periodic, vector 0x31
    lapic.write(0x380, 4, 100); // 1600 ns period
    let n = 0;
    for (let t = 5000 + 1600; t <= 5000 + 16000; t += 1600) {
      clock.advanceTo(t);
      if (lapic.hasPending()) {
        lapic.acknowledge();
        lapic.write(0x0b0, 4, 0);
        n++;
      }
    }
    expect(n).toBe(10);
    expect(() => lapic.write(0x320, 4, 0x40030)).toThrow(NotImplementedError);
  });

  it('self IPI through ICR and the x2APIC SELF IPI MSR; IPIs to other CPUs are not modelled', () => {
    const { lapic } = rig();
    lapic.write(0x300, 4, (1 << 18) | 0x44);
    expect(lapic.acknowledge()).toBe(0x44);
    lapic.writeMsr(0x83f, 0x45, 0);
    expect(lapic.acknowledge()).toBe(0xff); // same priority class as the in-service 0x44: spurious
    lapic.write(0x0b0, 4, 0);
    expect(lapic.acknowledge()).toBe(0x45);
    lapic.write(0x310, 4, 0x01000000);
    expect(() => lapic.write(0x300, 4, 0x46)).toThrow(NotImplementedError);
  });

  it('virtual-wire mode: the 8259 reaches the CPU through LINT0 ExtINT', () => {
    const ports = new IoPortBus();
    const pic = new Pic8259Pair();
    ports.claim(0x20, 2, pic);
    ports.claim(0xa0, 2, pic);
    initPic(ports, 0x08, 0x70);
    ports.write(0x21, 1, 0x00);
    const { lapic } = rig(pic);
    pic.setIrq(1, true);
    expect(lapic.hasPending()).toBe(false); // LINT0 masked at reset
    lapic.write(0x350, 4, 0x700); // ExtINT, unmasked
    expect(lapic.hasPending()).toBe(true);
    expect(lapic.acknowledge()).toBe(0x09);
  });

  it('pc board: COM1 -> IOAPIC pin 4 -> local APIC -> CPU vector', () => {
    const board = pcBoard({ memoryBytes: 64 * 2 ** 20 });
    const bus = new PhysicalBus();
    const ports = new IoPortBus();
    const clock = new VirtualClock();
    const dev = attachPcDevices(board, { bus, ports, clock, console: () => {} });
    bus.write32(0xfee000f0, 0x1ff); // LAPIC SVR through the xAPIC window
    bus.write32(0xfec00000, 0x10 + 2 * 4);
    bus.write32(0xfec00010, 0x34);
    ports.write(0x3f9, 1, 0x02);
    expect(dev.lapics[0]!.hasPending()).toBe(true);
    expect(dev.lapics[0]!.acknowledge()).toBe(0x34);
  });
});
