/**
 * Instantiates the pc board's CPU-independent devices from its description and maps them onto the buses:
 * RAM, COM1, isa-debug-exit, CMOS RTC, ACPI PM block, reset control, 8259 PIC pair, IOAPIC, HPET, 8254 PIT,
 * PCI (mechanism #1, ECAM, MMIO window) with the host bridge, LPC bridge and the edu DMA device.
 *
 * Interrupt wiring follows the MADT: ISA IRQ n reaches 8259 input n and IOAPIC pin n, except where an
 * interrupt source override moves it (IRQ 0 -> pin 2). IOAPIC messages go to the local APIC (one per CPU,
 * MMIO at the LAPIC base for the boot CPU); the 8259 reaches the CPU through LINT0 (ExtINT). The CPU model
 * takes `lapics[0]` as its InterruptSource and routes the x2APIC MSRs to `readMsr`/`writeMsr`.
 */
import type { IoPortBus } from '../../memory/io-ports.js';
import type { PhysicalBus, RamRegion } from '../../memory/bus.js';
import { DEFAULT_EPOCH_SECONDS, type VirtualClock } from '../../time/clock.js';
import { AcpiPm } from '../../devices/acpi-pm.js';
import { CmosRtc } from '../../devices/cmos-rtc.js';
import { DmaController, NO_IOMMU, type DmaRecord, type DmaTranslation } from '../../devices/dma.js';
import { Hpet } from '../../devices/hpet.js';
import { IoApic, type IoApicMessage } from '../../devices/ioapic.js';
import { SharedIrqLine } from '../../devices/irq.js';
import { IsaDebugExit } from '../../devices/isa-debug-exit.js';
import { LocalApic } from '../../devices/lapic.js';
import { Pic8259Pair } from '../../devices/pic8259.js';
import { Pit8254 } from '../../devices/pit8254.js';
import { ResetControl, type ResetKind } from '../../devices/reset-control.js';
import { Uart16550, type ByteSink } from '../../devices/uart16550.js';
import { EduDevice } from '../../devices/pci/edu.js';
import { Q35HostBridge } from '../../devices/pci/host-bridge.js';
import { PciHost } from '../../devices/pci/host.js';
import { Ich9LpcBridge } from '../../devices/pci/lpc-bridge.js';
import type { PcBoard, PciFunctionDesc } from './board.js';

export interface PcWiring {
  readonly bus: PhysicalBus;
  readonly ports: IoPortBus;
  readonly clock: VirtualClock;
  /** Where COM1's output goes (stdout, a log buffer). */
  readonly console: ByteSink;
  /** Replaces the IOAPIC -> local APIC routing (messages are recorded in `ioApicMessages` either way). */
  readonly onIoApicMessage?: (msg: IoApicMessage) => void;
  /** NMI from LINT1 or an NMI IPI. */
  readonly onNmi?: () => void;
  readonly epochSeconds?: number;
  readonly dmaTranslation?: DmaTranslation;
  readonly onDebugExit?: (code: number, value: number) => void;
  readonly onPowerOff?: () => void;
  readonly onReset?: (kind: ResetKind) => void;
  /** A device's DMA aimed at something that is not RAM (platform/devices/dma.ts). */
  readonly onStrayDma?: (record: DmaRecord) => void;
}

export interface PcDevices {
  readonly ram: readonly RamRegion[];
  readonly uart: Uart16550;
  readonly debugExit: IsaDebugExit;
  readonly resetControl: ResetControl;
  readonly cmos: CmosRtc;
  readonly acpiPm: AcpiPm;
  readonly pic: Pic8259Pair;
  readonly ioapic: IoApic;
  /** One local APIC per CPU; index = APIC ID. */
  readonly lapics: readonly LocalApic[];
  readonly hpet: Hpet;
  readonly pit: Pit8254;
  readonly pci: PciHost;
  readonly hostBridge: Q35HostBridge;
  readonly lpc: Ich9LpcBridge;
  readonly edu: EduDevice;
  readonly dma: DmaController;
  /** The ISA IRQ wires 0..15 (PCI INTx share them), each feeding the PIC and the IOAPIC. */
  readonly irqLines: ReadonlyMap<number, SharedIrqLine>;
  /** Every IOAPIC message, in order (for traces and tests). */
  readonly ioApicMessages: IoApicMessage[];
}

function fn(board: PcBoard, name: PciFunctionDesc['name']): PciFunctionDesc {
  const d = board.pciFunctions.find((f) => f.name === name);
  if (!d) throw new Error(`pc board description has no ${name}`);
  return d;
}

export function attachPcDevices(board: PcBoard, w: PcWiring): PcDevices {
  const ioApicMessages: IoApicMessage[] = [];
  const lapics: LocalApic[] = [];
  const route = (m: IoApicMessage) => {
    ioApicMessages.push(m);
    if (w.onIoApicMessage) return w.onIoApicMessage(m);
    // Physical destination: that APIC ID (0xff = all); logical: every CPU whose LDR bit matches (flat model).
    for (const l of lapics) {
      const hit = m.logical ? ((l.read(0x0d0) >>> 24) & m.destination) !== 0 : m.destination === 0xff || m.destination === l.apicId;
      if (hit) l.accept(m.vector, m.level, m.deliveryMode);
    }
  };
  const ioapic = new IoApic(board.ioapic.id, board.ioapic.pins, route);
  w.bus.addMmio('ioapic', board.ioapic.base, board.ioapic.size, ioapic);
  const pic = new Pic8259Pair(board.pic.master, board.pic.slave, board.pic.elcr);
  for (let id = 0; id < board.cpus; id++) {
    lapics.push(new LocalApic(id, w.clock, { extInt: id === 0 ? pic : undefined, onLevelEoi: (v) => ioapic.eoi(v), onNmi: w.onNmi }));
  }
  // The xAPIC window shows the registers of the CPU that accesses it; with one CPU model that is the BSP.
  w.bus.addMmio('lapic', board.lapic.base, board.lapic.size, lapics[0]!);
  w.ports.claim(board.pic.master, 2, pic);
  w.ports.claim(board.pic.slave, 2, pic);
  w.ports.claim(board.pic.elcr, 2, pic);

  // ISA IRQ wires, routed as the MADT says.
  const irqLines = new Map<number, SharedIrqLine>();
  for (let irq = 0; irq < 16; irq++) {
    const gsi = board.interruptOverrides.find((o) => o.source === irq)?.gsi ?? irq;
    irqLines.set(irq, new SharedIrqLine([pic.irq(irq), ioapic.pin(gsi - board.ioapic.gsiBase)]));
  }
  const isa = (irq: number) => irqLines.get(irq)!.source();

  const ram = board.ram.map((r) => w.bus.addRam(r.name, r.base, r.size));

  const uart = new Uart16550(board.uart.port, w.console, isa(board.uart.irq));
  w.ports.claim(board.uart.port, 8, uart);

  const debugExit = new IsaDebugExit(board.debugExit.port, board.debugExit.size as 1, w.onDebugExit);
  w.ports.claim(board.debugExit.port, board.debugExit.size, debugExit);

  const lowAbove1M = Math.max(0, Math.min(board.lowRamTop, 64 * 2 ** 20) - 2 ** 20);
  const cmos = new CmosRtc(board.cmos.port, w.clock, isa(board.cmos.irq), w.epochSeconds ?? DEFAULT_EPOCH_SECONDS, {
    extendedKiB: lowAbove1M / 1024,
    above16M64K: Math.max(0, board.lowRamTop - 16 * 2 ** 20) / 65536,
    above4G64K: (board.memoryBytes - board.lowRamTop) / 65536,
  });
  w.ports.claim(board.cmos.port, 2, cmos);

  const pit = new Pit8254(board.pit.port, w.clock, isa(board.pit.irq));
  w.ports.claim(board.pit.port, 4, pit);
  w.ports.claim(board.pit.portB, 1, pit);

  const legacy = [isa(board.pit.irq), isa(board.cmos.irq)] as const;
  const hpet = new Hpet(w.clock, board.hpet.blockId, (t) => legacy[t], (pin) => ioapic.pin(pin));
  w.bus.addMmio('hpet', board.hpet.base, board.hpet.size, hpet);

  const acpiPm = new AcpiPm(
    { pm1aEvt: board.acpiPm.pm1aEvt, pm1aCnt: board.acpiPm.pm1aCnt, pmTmr: board.acpiPm.pmTmr, gpe0: board.acpiPm.gpe0, gpe0Len: board.acpiPm.gpe0Len, s5SlpTyp: board.acpiPm.s5SlpTyp },
    w.clock,
    isa(board.acpiPm.sciIrq),
    w.onPowerOff,
  );
  for (const [first, count] of acpiPm.portRanges) w.ports.claim(first, count, acpiPm);

  const resetControl = new ResetControl(w.onReset);
  const pci = new PciHost(resetControl);
  w.ports.claim(board.pciConfig.port, board.pciConfig.count, pci);
  w.bus.addMmio('ecam', board.ecam.base, board.ecam.size, pci.ecamHandler());
  w.bus.addMmio('pci-mmio32', board.pciMmio32.base, board.pciMmio32.end - board.pciMmio32.base, pci.mmioWindowHandler(board.pciMmio32.base));

  const dma = new DmaController(w.bus, w.clock, w.dmaTranslation ?? NO_IOMMU, w.onStrayDma);
  const hostBridge = new Q35HostBridge(fn(board, 'host-bridge'), board.ecam.base);
  const lpc = new Ich9LpcBridge(fn(board, 'lpc-bridge'), board.acpiPm.base);
  const eduDesc = fn(board, 'edu');
  const edu = new EduDevice(eduDesc, w.clock, dma, isa(eduDesc.interrupt!.gsi));
  pci.attach(hostBridge);
  pci.attach(lpc);
  pci.attach(edu);

  return { ram, uart, debugExit, resetControl, cmos, acpiPm, pic, ioapic, lapics, hpet, pit, pci, hostBridge, lpc, edu, dma, irqLines, ioApicMessages };
}
