/**
 * Instantiates the virt board's devices from its description: RAM, the GIC (v2: distributor and CPU
 * interface, plus the virtualization frames when EL2 is present; v3: distributor and redistributor), PL011
 * and PL031 wired to their SPIs. cpu-wiring.ts connects the GIC to the CPU model (IRQ/FIQ, timer PPIs, ICC_*).
 */
import type { PhysicalBus, RamRegion } from '../../memory/bus.js';
import { DEFAULT_EPOCH_SECONDS, type VirtualClock } from '../../time/clock.js';
import { SharedIrqLine, type IrqLine } from '../../devices/irq.js';
import { Pl011 } from '../../devices/pl011.js';
import { Pl031 } from '../../devices/pl031.js';
import type { ByteSink } from '../../devices/uart16550.js';
import type { VirtBoard } from './board.js';
import { NotImplementedError } from '../../../common/errors.js';
import { Gic, GicDistributor, GicV2CpuInterface, GicV2VirtualizationFrame, GicV3Redistributor } from '../../devices/gic.js';
import { GicV2HypInterface } from '../../devices/gic-v2-virt.js';

export interface VirtWiring {
  readonly bus: PhysicalBus;
  readonly clock: VirtualClock;
  readonly console: ByteSink;
  /** Overrides the line for shared peripheral interrupt `n` (default: the GIC's SPI input). */
  readonly spi?: (n: number) => IrqLine;
  readonly epochSeconds?: number;
}

export interface VirtDevices {
  readonly ram: readonly RamRegion[];
  readonly uart: Pl011;
  readonly rtc: Pl031;
  readonly gic: Gic;
  readonly irqLines: ReadonlyMap<number, IrqLine>;
}

export function attachVirtDevices(board: VirtBoard, w: VirtWiring): VirtDevices {
  if (board.cpus !== 1) throw new NotImplementedError(`virt board with ${board.cpus} CPUs (the GIC model serves one CPU)`);
  const gic = new Gic(board.gic.version);
  const g = board.gic;
  w.bus.addMmio('gic-dist', g.distributor.base, g.distributor.size, new GicDistributor(gic));
  if (g.version === 2) {
    w.bus.addMmio('gic-cpu', g.cpuInterface.base, g.cpuInterface.size, new GicV2CpuInterface(gic));
    if (g.hypInterface) w.bus.addMmio('gic-hyp', g.hypInterface.base, g.hypInterface.size, new GicV2HypInterface());
    if (g.vcpuInterface) w.bus.addMmio('gic-vcpu', g.vcpuInterface.base, g.vcpuInterface.size, new GicV2VirtualizationFrame('GICV'));
  } else {
    w.bus.addMmio('gic-redist', g.redistributor.base, g.redistributor.size, new GicV3Redistributor(gic));
  }

  const irqLines = new Map<number, IrqLine>();
  const spi = (n: number) => {
    let line = irqLines.get(n);
    if (!line) {
      // A recording wire (level visible for traces) that forwards to the GIC or a caller-provided line.
      line = new SharedIrqLine([w.spi ? w.spi(n) : gic.spi(n)]);
      irqLines.set(n, line);
    }
    return line;
  };
  const ram = board.ram.map((r) => w.bus.addRam(r.name, r.base, r.size));
  const uart = new Pl011(w.console, spi(board.uart.spi));
  w.bus.addMmio('pl011', board.uart.base, board.uart.size, uart);
  const rtc = new Pl031(w.clock, spi(board.rtc.spi), w.epochSeconds ?? DEFAULT_EPOCH_SECONDS);
  w.bus.addMmio('pl031', board.rtc.base, board.rtc.size, rtc);
  return { ram, uart, rtc, gic, irqLines };
}
