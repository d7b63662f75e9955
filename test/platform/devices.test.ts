import { describe, expect, it } from 'vitest';
import { IoPortBus } from '../../platform/memory/io-ports.js';
import { VirtualClock } from '../../platform/time/clock.js';
import { RecordingIrqLine } from '../../platform/devices/irq.js';
import { Uart16550 } from '../../platform/devices/uart16550.js';
import { IsaDebugExit } from '../../platform/devices/isa-debug-exit.js';
import { Pl011 } from '../../platform/devices/pl011.js';
import { Pl031 } from '../../platform/devices/pl031.js';
import { CmosRtc } from '../../platform/devices/cmos-rtc.js';
import { AcpiPm } from '../../platform/devices/acpi-pm.js';
import { NotImplementedError } from '../../common/errors.js';
import { PhysicalBus } from '../../platform/memory/bus.js';
import { virtBoard } from '../../platform/boards/virt/board.js';
import { attachVirtDevices } from '../../platform/boards/virt/devices.js';

const COM1 = 0x3f8;

function uartRig() {
  const out: number[] = [];
  const irq = new RecordingIrqLine();
  const ports = new IoPortBus();
  const uart = new Uart16550(COM1, (b) => out.push(b), irq);
  ports.claim(COM1, 8, uart);
  const rd = (reg: number) => ports.read(COM1 + reg, 1);
  const wr = (reg: number, v: number) => ports.write(COM1 + reg, 1, v);
  return { out, irq, uart, rd, wr };
}

describe('16550 UART (register semantics from the 16550A data sheet)', () => {
  it('transmits THR writes to the sink; LSR reports THRE|TEMT (0x60) when idle', () => {
    const { out, rd, wr } = uartRig();
    for (const c of Buffer.from('OK\n')) wr(0, c);
    expect(Buffer.from(out).toString()).toBe('OK\n');
    expect(rd(5)).toBe(0x60);
  });

  it('DLAB switches offsets 0/1 to the divisor latch; 115200 baud is divisor 1 at 1.8432 MHz', () => {
    const { out, uart, rd, wr } = uartRig();
    wr(3, 0x80); // DLAB
    wr(0, 0x01);
    wr(1, 0x00);
    wr(3, 0x03); // 8N1, DLAB off
    expect(out).toEqual([]); // divisor writes are not characters
    expect(uart.baud(1_843_200)).toBe(115200);
    expect(rd(3)).toBe(0x03);
    wr(3, 0x83);
    expect(rd(0)).toBe(0x01);
  });

  it('receive: DR in LSR, IIR=0x04 and IRQ high with IER.RDA, cleared by reading RBR', () => {
    const { irq, uart, rd, wr } = uartRig();
    wr(1, 0x01); // IER: received data available
    expect(rd(2) & 0x0f).toBe(0x01);
    uart.receive(Buffer.from('hi'));
    expect(rd(5) & 0x01).toBe(1);
    expect(rd(2) & 0x0f).toBe(0x04);
    expect(irq.level).toBe(true);
    expect(rd(0)).toBe(0x68);
    expect(irq.level).toBe(true);
    expect(rd(0)).toBe(0x69);
    expect(irq.level).toBe(false);
    expect(rd(5) & 0x01).toBe(0);
    expect(rd(2) & 0x0f).toBe(0x01);
  });

  it('THRE interrupt: raised when enabled, acknowledged by reading IIR, re-armed by a THR write', () => {
    const { irq, rd, wr } = uartRig();
    wr(1, 0x02);
    expect(irq.level).toBe(true);
    expect(rd(2) & 0x0f).toBe(0x02);
    expect(irq.level).toBe(false);
    expect(rd(2) & 0x0f).toBe(0x01);
    wr(0, 0x41);
    expect(irq.level).toBe(true);
  });

  it('RDA has priority over THRE in IIR', () => {
    const { uart, rd, wr } = uartRig();
    wr(1, 0x03);
    uart.receive([1]);
    expect(rd(2) & 0x0f).toBe(0x04);
  });

  it('FCR enables the FIFOs (IIR bits 7:6) and clears the receive FIFO', () => {
    const { uart, rd, wr } = uartRig();
    uart.receive([1, 2, 3]);
    wr(2, 0x07);
    expect(rd(2) & 0xc0).toBe(0xc0);
    expect(rd(5) & 0x01).toBe(0);
  });

  it('loopback: transmitted bytes come back in RBR, MSR mirrors MCR', () => {
    const { out, rd, wr } = uartRig();
    wr(4, 0x10 | 0x0f);
    wr(0, 0x5a);
    expect(out).toEqual([]);
    expect(rd(0)).toBe(0x5a);
    expect(rd(6) & 0xf0).toBe(0xf0);
    wr(4, 0x10 | 0x02); // RTS only -> CTS
    expect(rd(6) & 0xf0).toBe(0x10);
    wr(4, 0);
    expect(rd(6) & 0xb0).toBe(0xb0); // DCD, DSR, CTS asserted by the (virtual) modem
  });

  it('scratch register holds a value', () => {
    const { rd, wr } = uartRig();
    wr(7, 0xa5);
    expect(rd(7)).toBe(0xa5);
  });
});

describe('isa-debug-exit', () => {
  it.each([
    [0x10, 33],
    [0x00, 1],
    [0x7f, 255],
  ])('writing 0x%s gives exit status (v << 1) | 1 = %i', (v, code) => {
    const ports = new IoPortBus();
    const seen: number[] = [];
    const dev = new IsaDebugExit(0xf4, 1, (c) => seen.push(c));
    ports.claim(0xf4, 1, dev);
    ports.write(0xf4, 1, v);
    expect(dev.exitCode).toBe(code);
    expect(seen).toEqual([code]);
  });
});

describe('PL011 (Arm PrimeCell UART TRM r1p5)', () => {
  const rig = () => {
    const out: number[] = [];
    const irq = new RecordingIrqLine();
    return { out, irq, uart: new Pl011((b) => out.push(b), irq) };
  };
  it('DR writes transmit; FR says TX empty, RX empty', () => {
    const { out, uart } = rig();
    uart.write(0x000, 4, 0x41);
    uart.write(0x000, 4, 0x0a);
    expect(out).toEqual([0x41, 0x0a]);
    expect(uart.read(0x018, 4)).toBe(0x80 | 0x10);
  });
  it('reports the PrimeCell and peripheral IDs QEMU reports', () => {
    const { uart } = rig();
    const ids = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => uart.read(o, 4));
    expect(ids).toEqual([0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });
  it('RX interrupt: RIS/MIS and the line follow IMSC; reading DR drains', () => {
    const { irq, uart } = rig();
    uart.receive([0x31]);
    expect(uart.read(0x03c, 4) & 0x10).toBe(0x10);
    expect(irq.level).toBe(false); // masked
    uart.write(0x038, 4, 0x10);
    expect(uart.read(0x040, 4)).toBe(0x10);
    expect(irq.level).toBe(true);
    expect(uart.read(0x018, 4) & 0x10).toBe(0);
    expect(uart.read(0x000, 4)).toBe(0x31);
    expect(irq.level).toBe(false);
    expect(uart.read(0x018, 4) & 0x10).toBe(0x10);
  });
  it('TX interrupt is raised by a write and cleared through ICR', () => {
    const { irq, uart } = rig();
    uart.write(0x038, 4, 0x20);
    uart.write(0x000, 4, 0x41);
    expect(irq.level).toBe(true);
    uart.write(0x044, 4, 0x20);
    expect(irq.level).toBe(false);
  });
  it('divisor registers give the baud rate; CR resets to TXE|RXE', () => {
    const { uart } = rig();
    expect(uart.read(0x030, 4)).toBe(0x300);
    uart.write(0x024, 4, 13);
    uart.write(0x028, 4, 1);
    expect(Math.round(uart.baud(24_000_000))).toBe(115_246); // 24 MHz / (16 * 13.015625)
  });
});

describe('PL031 RTC', () => {
  it('counts whole seconds of virtual time from the load value', () => {
    const clock = new VirtualClock();
    const rtc = new Pl031(clock, new RecordingIrqLine(), 1000);
    expect(rtc.read(0x00)).toBe(1000);
    clock.advanceBy(2.5e9);
    expect(rtc.read(0x00)).toBe(1002);
    rtc.write(0x08, 4, 50);
    expect(rtc.read(0x00)).toBe(50);
    clock.advanceBy(1e9);
    expect(rtc.read(0x00)).toBe(51);
    expect(rtc.read(0x0c)).toBe(1);
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => rtc.read(o))).toEqual([0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });
  it('raises the match interrupt when the counter reaches MR, at that virtual time', () => {
    const clock = new VirtualClock();
    const irq = new RecordingIrqLine();
    const rtc = new Pl031(clock, irq, 100);
    rtc.write(0x10, 4, 1); // IMSC
    rtc.write(0x04, 4, 103); // MR
    clock.advanceTo(2.999e9);
    expect(irq.level).toBe(false);
    clock.advanceTo(3e9);
    expect(irq.level).toBe(true);
    expect(rtc.read(0x18)).toBe(1);
    rtc.write(0x1c, 4, 1);
    expect(irq.level).toBe(false);
  });
});

describe('CMOS RTC (MC146818)', () => {
  // 2024-02-29 23:59:58 UTC, a Thursday (weekday register: Sunday = 1, so 5).
  const epoch = Date.UTC(2024, 1, 29, 23, 59, 58) / 1000;
  const rig = () => {
    const clock = new VirtualClock();
    const irq = new RecordingIrqLine();
    const ports = new IoPortBus();
    const rtc = new CmosRtc(0x70, clock, irq, epoch, { extendedKiB: 63 * 1024, above16M64K: (512 - 16) * 16, above4G64K: 0 });
    ports.claim(0x70, 2, rtc);
    const rd = (i: number) => {
      ports.write(0x70, 1, i);
      return ports.read(0x71, 1);
    };
    const wr = (i: number, v: number) => {
      ports.write(0x70, 1, i);
      ports.write(0x71, 1, v);
    };
    return { clock, irq, rtc, rd, wr };
  };

  it('reads the date and time in BCD, 24-hour mode, with the century at index 0x32', () => {
    const { rd } = rig();
    expect([rd(0), rd(2), rd(4), rd(6), rd(7), rd(8), rd(9), rd(0x32)]).toEqual([0x58, 0x59, 0x23, 0x05, 0x29, 0x02, 0x24, 0x20]);
    expect(rd(0x0d)).toBe(0x80); // valid RAM and time
  });

  it('advances with virtual time across a leap day', () => {
    const { clock, rd } = rig();
    clock.advanceBy(3e9);
    expect([rd(0), rd(2), rd(4), rd(7), rd(8)]).toEqual([0x01, 0x00, 0x00, 0x01, 0x03]);
  });

  it('binary and 12-hour formats (register B)', () => {
    const { rd, wr } = rig();
    wr(0x0b, 0x04); // binary, 12-hour
    expect(rd(4)).toBe(0x80 | 11); // 11 PM
    expect(rd(0)).toBe(58);
  });

  it('writing a time field sets the clock', () => {
    const { rd, wr } = rig();
    wr(4, 0x08);
    expect(rd(4)).toBe(0x08);
    expect(rd(2)).toBe(0x59);
  });

  it('periodic interrupt at the rate of register A, flagged in register C, cleared by reading it', () => {
    const { clock, irq, rd, wr } = rig();
    wr(0x0a, 0x26); // 1024 Hz
    wr(0x0b, 0x42); // PIE, 24-hour
    clock.advanceBy(976_562);
    expect(irq.level).toBe(false);
    clock.advanceBy(2);
    expect(irq.level).toBe(true);
    expect(rd(0x0c)).toBe(0xc0);
    expect(irq.level).toBe(false);
    expect(rd(0x0c)).toBe(0);
  });

  it('update-ended and alarm interrupts once per second', () => {
    const { clock, irq, rd, wr } = rig();
    wr(1, 0x00);
    wr(3, 0x00);
    wr(5, 0x00); // alarm 00:00:00
    wr(0x0b, 0x32); // AIE | UIE | 24h
    clock.advanceTo(1e9);
    expect(irq.level).toBe(true);
    expect(rd(0x0c)).toBe(0x90); // IRQF | UF (23:59:59, no alarm)
    clock.advanceTo(2e9);
    expect(rd(0x0c)).toBe(0xb0); // IRQF | AF | UF at 00:00:00
  });

  it('holds the memory sizes firmware reads', () => {
    const { rd } = rig();
    expect(rd(0x30) | (rd(0x31) << 8)).toBe(63 * 1024);
    expect(rd(0x34) | (rd(0x35) << 8)).toBe((512 - 16) * 16);
  });
});

describe('ACPI PM block', () => {
  const layout = { pm1aEvt: 0x600, pm1aCnt: 0x604, pmTmr: 0x608, gpe0: 0x620, gpe0Len: 16, s5SlpTyp: 0 };
  const rig = () => {
    const clock = new VirtualClock();
    const sci = new RecordingIrqLine();
    let off = 0;
    const pm = new AcpiPm(layout, clock, sci, () => off++);
    const ports = new IoPortBus();
    for (const [first, count] of pm.portRanges) ports.claim(first, count, pm);
    return { clock, sci, pm, ports, offs: () => off };
  };

  it('PM timer counts at 3.579545 MHz of virtual time and wraps at 32 bits', () => {
    const { clock, ports } = rig();
    expect(ports.read(0x608, 4)).toBe(0);
    clock.advanceTo(1e9);
    expect(ports.read(0x608, 4)).toBe(3_579_545);
    clock.advanceTo(1_200e9); // 1200 s = 4_295_454_000 ticks, past 2^32
    expect(ports.read(0x608, 4)).toBe(4_295_454_000 - 2 ** 32);
    expect(ports.read(0x608, 1)).toBe((4_295_454_000 - 2 ** 32) & 0xff);
  });

  it('SCI_EN reads 1; SLP_TYP=S5 with SLP_EN powers off; SLP_EN reads back 0', () => {
    const { ports, pm, offs } = rig();
    expect(ports.read(0x604, 2) & 1).toBe(1);
    ports.write(0x604, 2, (0 << 10) | (1 << 13));
    expect(offs()).toBe(1);
    expect(pm.poweredOff).toBe(true);
    expect(ports.read(0x604, 2) & (1 << 13)).toBe(0);
  });

  it('a sleep state the DSDT does not offer is reported as not implemented', () => {
    const { ports } = rig();
    expect(() => ports.write(0x604, 2, (1 << 10) | (1 << 13))).toThrow(NotImplementedError);
  });

  it('power button: status bit, SCI only when enabled, write-1-to-clear', () => {
    const { ports, pm, sci } = rig();
    pm.pressPowerButton();
    expect(ports.read(0x600, 2) & 0x100).toBe(0x100);
    expect(sci.level).toBe(false);
    ports.write(0x602, 2, 0x100);
    expect(sci.level).toBe(true);
    ports.write(0x600, 2, 0x100);
    expect(ports.read(0x600, 2) & 0x100).toBe(0);
    expect(sci.level).toBe(false);
  });

  it('TMR_STS is set when timer bit 31 toggles (after 2^31 ticks), with an SCI when TMR_EN', () => {
    const { ports, clock, sci } = rig();
    ports.write(0x602, 2, 0x1);
    clock.advanceTo(599e9);
    expect(sci.level).toBe(false);
    clock.advanceTo(600e9); // 2^31 / 3_579_545 = 599.93 s
    expect(sci.level).toBe(true);
    expect(ports.read(0x600, 2) & 1).toBe(1);
  });

  it('GPE0 status is write-1-to-clear, enable is read/write', () => {
    const { ports } = rig();
    ports.write(0x628, 1, 0x5a);
    expect(ports.read(0x628, 1)).toBe(0x5a);
    expect(ports.read(0x620, 4)).toBe(0);
  });
});

describe('virt devices on the bus', () => {
  it('PL011 and PL031 answer at the board addresses; RAM starts at 0x40000000', () => {
    const bus = new PhysicalBus();
    const clock = new VirtualClock();
    const out: number[] = [];
    const board = virtBoard({ memoryBytes: 32 * 2 ** 20 });
    const dev = attachVirtDevices(board, { bus, clock, console: (b) => out.push(b), epochSeconds: 1234 });
    for (const c of Buffer.from('virt')) bus.write32(0x09000000, c);
    expect(Buffer.from(out).toString()).toBe('virt');
    expect(bus.read32(0x09000fe0)).toBe(0x11);
    expect(bus.read32(0x09010000)).toBe(1234);
    bus.write32(0x40000000, 0xdeadbeef);
    expect(dev.ram[0]!.bytes[0]).toBe(0xef);
    expect(() => bus.read32(0x3ffffffc)).toThrow(/unassigned/);
    // UART interrupt reaches SPI 1.
    bus.write32(0x09000038, 0x20);
    bus.write32(0x09000000, 0x21);
    expect((dev.irqLines.get(1) as RecordingIrqLine).level).toBe(true);
  });
});
