/**
 * Instantiates the virt board's CPU-independent devices from its description: RAM, PL011 and PL031. The
 * GIC and the generic timer belong to the CPU model; interrupt lines come from `spi(n)`.
 */
import type { PhysicalBus, RamRegion } from '../../memory/bus.js';
import { DEFAULT_EPOCH_SECONDS, type VirtualClock } from '../../time/clock.js';
import { RecordingIrqLine, type IrqLine } from '../../devices/irq.js';
import { Pl011 } from '../../devices/pl011.js';
import { Pl031 } from '../../devices/pl031.js';
import type { ByteSink } from '../../devices/uart16550.js';
import type { VirtBoard } from './board.js';

export interface VirtWiring {
  readonly bus: PhysicalBus;
  readonly clock: VirtualClock;
  readonly console: ByteSink;
  /** The line for shared peripheral interrupt `n` (GIC INTID 32 + n). */
  readonly spi?: (n: number) => IrqLine;
  readonly epochSeconds?: number;
}

export interface VirtDevices {
  readonly ram: readonly RamRegion[];
  readonly uart: Pl011;
  readonly rtc: Pl031;
  readonly irqLines: ReadonlyMap<number, IrqLine>;
}

export function attachVirtDevices(board: VirtBoard, w: VirtWiring): VirtDevices {
  const irqLines = new Map<number, IrqLine>();
  const spi = (n: number) => {
    let line = irqLines.get(n);
    if (!line) {
      line = w.spi ? w.spi(n) : new RecordingIrqLine();
      irqLines.set(n, line);
    }
    return line;
  };
  const ram = board.ram.map((r) => w.bus.addRam(r.name, r.base, r.size));
  const uart = new Pl011(w.console, spi(board.uart.spi));
  w.bus.addMmio('pl011', board.uart.base, board.uart.size, uart);
  const rtc = new Pl031(w.clock, spi(board.rtc.spi), w.epochSeconds ?? DEFAULT_EPOCH_SECONDS);
  w.bus.addMmio('pl031', board.rtc.base, board.rtc.size, rtc);
  return { ram, uart, rtc, irqLines };
}
