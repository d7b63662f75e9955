/**
 * Arm Generic Interrupt Controller for the `virt` board, one CPU: GICv2 (distributor + memory-mapped CPU
 * interface) or GICv3 (distributor with affinity routing, one redistributor, and the ICC_* system-register CPU
 * interface). Both versions share the interrupt state: enable, pending (edge latch or level input), active,
 * priority, group, trigger; SGIs 0-15, PPIs 16-31 (the generic timer), SPIs 32+ (devices).
 *
 * The CPU interface signals the CPU model through `setIrq`/`setFiq` (group 1 -> IRQ; group 0 -> IRQ on GICv2
 * unless FIQEn, FIQ on GICv3), priority drop and deactivation follow EOImode. Configuration is as on QEMU virt
 * without security extensions (GICD_CTLR.DS = 1 on GICv3). Not modelled: the virtual CPU interfaces (GICv2
 * GICV frame; GICv3 ICV_* registers; the hypervisor-side control state is in gic-v2-virt.ts and gic-v3-virt.ts),
 * LPIs/ITS, 1-of-N routing; these throw NotImplementedError.
 */
import { NotImplementedError } from '../../common/errors.js';
import type { MmioHandler } from '../memory/bus.js';

export const GIC_SPURIOUS = 1023;
/** Interrupt IDs: 32 private + 256 SPIs, as QEMU virt (GICD_TYPER.ITLinesNumber = 8). */
export const GIC_NUM_IRQS = 288;

export interface GicCpuLines {
  setIrq(level: boolean): void;
  setFiq(level: boolean): void;
}

/** Distributor register offsets shared by v2 and v3. */
export const GicdReg = {
  CTLR: 0x000,
  TYPER: 0x004,
  IIDR: 0x008,
  IGROUPR: 0x080,
  ISENABLER: 0x100,
  ICENABLER: 0x180,
  ISPENDR: 0x200,
  ICPENDR: 0x280,
  ISACTIVER: 0x300,
  ICACTIVER: 0x380,
  IPRIORITYR: 0x400,
  ITARGETSR: 0x800,
  ICFGR: 0xc00,
  SGIR: 0xf00,
  IROUTER: 0x6000,
} as const;

/** ID register blocks (PIDR4..7, PIDR0..3, CIDR0..3) as QEMU reports them; PIDR2 carries the architecture version. */
const GICV2_DIST_ID = [0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
const GICV3_DIST_ID = [0x44, 0x00, 0x00, 0x00, 0x92, 0xb4, 0x3b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
const GICV3_REDIST_ID = [0x44, 0x00, 0x00, 0x00, 0x93, 0xb4, 0x3b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
const ARM_IIDR = 0x0000043b;

export class Gic {
  readonly enabled = new Uint8Array(GIC_NUM_IRQS);
  /** Latched pending state (edge events, software set). */
  readonly latched = new Uint8Array(GIC_NUM_IRQS);
  /** Input line level. */
  readonly level = new Uint8Array(GIC_NUM_IRQS);
  readonly active = new Uint8Array(GIC_NUM_IRQS);
  readonly priority = new Uint8Array(GIC_NUM_IRQS);
  readonly group = new Uint8Array(GIC_NUM_IRQS);
  /** 1 = edge-triggered. SGIs are always edge. */
  readonly edge = new Uint8Array(GIC_NUM_IRQS);
  readonly targets = new Uint8Array(GIC_NUM_IRQS);
  distCtlr = 0;
  /** CPU interface state (GICC_* or ICC_*). */
  cpuCtlr = 0;
  pmr = 0;
  bpr = 0;
  grpEn0 = false;
  grpEn1 = false;
  /** INTIDs whose priority is running (acknowledged, not yet priority-dropped), innermost last. */
  private readonly running: number[] = [];
  private irqOut = false;
  private fiqOut = false;
  private lines: GicCpuLines | undefined;
  /** Redistributor WAKER.ProcessorSleep (GICv3). */
  processorSleep = true;

  constructor(readonly version: 2 | 3) {
    for (let i = 0; i < 16; i++) {
      this.edge[i] = 1;
      this.enabled[i] = version === 2 ? 1 : 0; // GICv2 SGIs are always enabled
    }
    this.targets.fill(1);
  }

  connect(lines: GicCpuLines): void {
    this.lines = lines;
    this.update();
  }

  // ---- inputs -------------------------------------------------------------------------------------------------

  /** A device line (SPI n = INTID 32 + n) or a private peripheral line (PPI n = INTID 16 + n). */
  setLine(intid: number, high: boolean): void {
    const was = this.level[intid] === 1;
    this.level[intid] = high ? 1 : 0;
    if (high && !was && this.edge[intid]) this.latched[intid] = 1;
    this.update();
  }

  spi(n: number): { setLevel(high: boolean): void } {
    return { setLevel: (high) => this.setLine(32 + n, high) };
  }

  ppi(n: number): { setLevel(high: boolean): void } {
    return { setLevel: (high) => this.setLine(16 + n, high) };
  }

  private isPending(i: number): boolean {
    return this.latched[i] === 1 || (this.edge[i] === 0 && this.level[i] === 1);
  }

  // ---- priority logic -----------------------------------------------------------------------------------------

  /** Group priority of the running interrupts; 0x100 when none runs. */
  runningPriority(): number {
    let p = 0x100;
    for (const i of this.running) p = Math.min(p, this.priority[i]! & this.priorityMask());
    return p;
  }

  /** Bits of priority that take part in preemption: the group priority field above the binary point. */
  private priorityMask(): number {
    return (0xff << (this.bpr + 1)) & 0xff;
  }

  private groupEnabled(g: number): boolean {
    if (this.version === 2) {
      return (this.distCtlr & (1 << g)) !== 0 && (this.cpuCtlr & (1 << g)) !== 0;
    }
    return (this.distCtlr & (1 << g)) !== 0 && (g === 0 ? this.grpEn0 : this.grpEn1);
  }

  /** Highest-priority pending interrupt of the groups in `groups` that may be signalled now, or 1023. */
  highestPending(groups: readonly number[] = [0, 1]): number {
    let best = GIC_SPURIOUS;
    let bestPrio = 0x100;
    for (let i = 0; i < GIC_NUM_IRQS; i++) {
      if (!this.enabled[i] || this.active[i] || !this.isPending(i)) continue;
      const g = this.group[i]!;
      if (!groups.includes(g) || !this.groupEnabled(g)) continue;
      const p = this.priority[i]!;
      if (p < bestPrio) {
        best = i;
        bestPrio = p;
      }
    }
    if (best === GIC_SPURIOUS) return best;
    if (bestPrio >= this.pmr) return GIC_SPURIOUS;
    if ((bestPrio & this.priorityMask()) >= this.runningPriority()) return GIC_SPURIOUS;
    return best;
  }

  /** Re-evaluates the CPU's IRQ/FIQ lines after a register change. */
  refresh(): void {
    this.update();
  }

  private update(): void {
    if (!this.lines) return;
    const i = this.highestPending();
    let irq = false;
    let fiq = false;
    if (i !== GIC_SPURIOUS) {
      const g = this.group[i]!;
      if (this.version === 3) {
        if (g === 0) fiq = true;
        else irq = true;
      } else if (g === 0 && this.cpuCtlr & (1 << 3)) {
        fiq = true; // GICC_CTLR.FIQEn
      } else {
        irq = true;
      }
    }
    if (irq !== this.irqOut) {
      this.irqOut = irq;
      this.lines.setIrq(irq);
    }
    if (fiq !== this.fiqOut) {
      this.fiqOut = fiq;
      this.lines.setFiq(fiq);
    }
  }

  // ---- CPU interface operations (shared by GICC_* MMIO and ICC_* system registers) --------------------------

  acknowledge(groups: readonly number[]): number {
    const i = this.highestPending(groups);
    if (i === GIC_SPURIOUS) return i;
    this.latched[i] = 0;
    this.active[i] = 1;
    this.running.push(i);
    this.update();
    return i;
  }

  private eoiModeSplit(): boolean {
    return (this.cpuCtlr & (this.version === 2 ? 1 << 9 : 1 << 1)) !== 0;
  }

  endOfInterrupt(intid: number): void {
    const at = this.running.lastIndexOf(intid);
    if (at >= 0) this.running.splice(at, 1);
    if (!this.eoiModeSplit()) this.active[intid] = 0;
    this.update();
  }

  deactivate(intid: number): void {
    if (intid < GIC_NUM_IRQS) this.active[intid] = 0;
    this.update();
  }

  /**
   * ICC_AP0R0/ICC_AP1R0 view of the running priorities of `group`: bit n set when an interrupt whose group
   * priority (with the CPU interface's 5 priority bits, PRIbits = 4) is n is active and not yet dropped.
   */
  activePriorities(group: number): number {
    let v = 0;
    for (const i of this.running) if (this.group[i] === group) v |= 1 << (this.priority[i]! >>> 3);
    return v >>> 0;
  }

  /**
   * Write to ICC_AP0R0/ICC_AP1R0. Software writes zero to forget all active priorities (Linux does at
   * CPU interface init) or the value it read before (save/restore); other values are not modelled.
   */
  writeActivePriorities(group: number, value: number): void {
    if (value >>> 0 === this.activePriorities(group)) return;
    if (value !== 0) throw new NotImplementedError(`ICC_AP${group}R0_EL1 write of 0x${(value >>> 0).toString(16)} (restoring active priorities)`);
    for (let k = this.running.length - 1; k >= 0; k--) if (this.group[this.running[k]!] === group) this.running.splice(k, 1);
    this.update();
  }

  /** A software-generated interrupt for this (only) CPU. */
  raiseSgi(sgi: number): void {
    this.latched[sgi & 15] = 1;
    this.update();
  }

  // ---- distributor registers -------------------------------------------------------------------------------

  /** Bit-per-interrupt registers: INTIDs 32*n .. 32*n+31. */
  readBits(arr: Uint8Array, index: number, pred: (i: number) => boolean = (i) => arr[i] === 1): number {
    let v = 0;
    for (let b = 0; b < 32; b++) {
      const i = index * 32 + b;
      if (i < GIC_NUM_IRQS && pred(i)) v |= 1 << b;
    }
    return v >>> 0;
  }

  writeBits(index: number, value: number, fn: (i: number) => void): void {
    for (let b = 0; b < 32; b++) {
      const i = index * 32 + b;
      if (i < GIC_NUM_IRQS && value & (1 << b)) fn(i);
    }
  }

  /** The per-interrupt register block at GICD offsets 0x080..0xcff (and the redistributor's SGI frame). */
  readIrqRegs(offset: number, size: number, base: number): number | undefined {
    const bitReg = (start: number) => (offset >= start && offset < start + 0x80 ? base + ((offset - start) >> 2) : -1);
    let n: number;
    if ((n = bitReg(GicdReg.IGROUPR)) >= 0) return this.readBits(this.group, n);
    if ((n = bitReg(GicdReg.ISENABLER)) >= 0 || (n = bitReg(GicdReg.ICENABLER)) >= 0) return this.readBits(this.enabled, n);
    if ((n = bitReg(GicdReg.ISPENDR)) >= 0 || (n = bitReg(GicdReg.ICPENDR)) >= 0) return this.readBits(this.latched, n, (i) => this.isPending(i));
    if ((n = bitReg(GicdReg.ISACTIVER)) >= 0 || (n = bitReg(GicdReg.ICACTIVER)) >= 0) return this.readBits(this.active, n);
    if (offset >= GicdReg.IPRIORITYR && offset < GicdReg.IPRIORITYR + 0x400) return this.readBytes(this.priority, base * 32 + offset - GicdReg.IPRIORITYR, size);
    if (offset >= GicdReg.ICFGR && offset < GicdReg.ICFGR + 0x100) {
      const first = base * 32 + (offset - GicdReg.ICFGR) * 4;
      let v = 0;
      for (let k = 0; k < 16; k++) if (first + k < GIC_NUM_IRQS && this.edge[first + k]) v |= 2 << (2 * k);
      return v >>> 0;
    }
    return undefined;
  }

  writeIrqRegs(offset: number, size: number, value: number, base: number): boolean {
    const bitReg = (start: number) => (offset >= start && offset < start + 0x80 ? base + ((offset - start) >> 2) : -1);
    const sgiLocked = (i: number) => this.version === 2 && i < 16;
    let n: number;
    if ((n = bitReg(GicdReg.IGROUPR)) >= 0) {
      for (let b = 0; b < 32; b++) if (n * 32 + b < GIC_NUM_IRQS) this.group[n * 32 + b] = (value >>> b) & 1;
    } else if ((n = bitReg(GicdReg.ISENABLER)) >= 0) this.writeBits(n, value, (i) => (this.enabled[i] = 1));
    else if ((n = bitReg(GicdReg.ICENABLER)) >= 0) this.writeBits(n, value, (i) => (this.enabled[i] = sgiLocked(i) ? 1 : 0));
    else if ((n = bitReg(GicdReg.ISPENDR)) >= 0) this.writeBits(n, value, (i) => (this.latched[i] = 1));
    else if ((n = bitReg(GicdReg.ICPENDR)) >= 0) this.writeBits(n, value, (i) => (this.latched[i] = 0));
    else if ((n = bitReg(GicdReg.ISACTIVER)) >= 0) this.writeBits(n, value, (i) => (this.active[i] = 1));
    else if ((n = bitReg(GicdReg.ICACTIVER)) >= 0) this.writeBits(n, value, (i) => (this.active[i] = 0));
    else if (offset >= GicdReg.IPRIORITYR && offset < GicdReg.IPRIORITYR + 0x400) this.writeBytes(this.priority, base * 32 + offset - GicdReg.IPRIORITYR, size, value);
    else if (offset >= GicdReg.ICFGR && offset < GicdReg.ICFGR + 0x100) {
      const first = base * 32 + (offset - GicdReg.ICFGR) * 4;
      for (let k = 0; k < 16; k++) {
        const i = first + k;
        if (i >= 16 && i < GIC_NUM_IRQS) this.edge[i] = (value >>> (2 * k + 1)) & 1;
      }
    } else return false;
    this.update();
    return true;
  }

  readBytes(arr: Uint8Array, first: number, size: number): number {
    let v = 0;
    for (let k = 0; k < Math.min(size, 4); k++) if (first + k < GIC_NUM_IRQS) v |= arr[first + k]! << (8 * k);
    return v >>> 0;
  }

  writeBytes(arr: Uint8Array, first: number, size: number, value: number): void {
    for (let k = 0; k < Math.min(size, 4); k++) if (first + k < GIC_NUM_IRQS) arr[first + k] = (value >>> (8 * k)) & 0xff;
  }

  typer(cpus: number): number {
    const lines = GIC_NUM_IRQS / 32 - 1;
    return this.version === 2 ? lines | ((cpus - 1) << 5) : lines | ((cpus - 1) << 5) | (9 << 19);
  }
}

/** GICv2 or GICv3 distributor frame. */
export class GicDistributor implements MmioHandler {
  constructor(private readonly gic: Gic) {}

  read(offset: number, size: number): number {
    const g = this.gic;
    const ids = g.version === 2 ? { at: 0xfd0, bytes: GICV2_DIST_ID } : { at: 0xffd0, bytes: GICV3_DIST_ID };
    if (offset >= ids.at && offset < ids.at + 0x30) return ids.bytes[(offset - ids.at) >> 2] ?? 0;
    switch (offset) {
      case GicdReg.CTLR:
        return g.version === 2 ? g.distCtlr : g.distCtlr | (1 << 4) | (1 << 6); // ARE and DS read as one
      case GicdReg.TYPER:
        return g.typer(1);
      case GicdReg.IIDR:
        return ARM_IIDR;
    }
    if (g.version === 3 && offset >= GicdReg.IROUTER && offset < GicdReg.IROUTER + 8 * GIC_NUM_IRQS) {
      return 0; // every SPI routes to affinity 0.0.0.0, the only CPU
    }
    if (g.version === 2 && offset >= GicdReg.ITARGETSR && offset < GicdReg.ITARGETSR + 0x400) {
      return g.readBytes(g.targets, offset - GicdReg.ITARGETSR, size);
    }
    // With affinity routing the private interrupts live in the redistributor (GICD copies are RAZ/WI).
    if (g.version === 3 && this.privateRange(offset)) return 0;
    return g.readIrqRegs(offset, size, 0) ?? 0;
  }

  write(offset: number, size: number, value: number): void {
    const g = this.gic;
    if (offset === GicdReg.CTLR) {
      g.distCtlr = value & 0x3;
      g.refresh();
      return;
    }
    if (g.version === 2 && offset === GicdReg.SGIR) {
      const filter = (value >>> 24) & 3;
      const targets = (value >>> 16) & 0xff;
      if (filter === 1 || (filter === 0 && targets & 1) || filter === 2) g.raiseSgi(value & 0xf);
      return;
    }
    if (g.version === 3 && offset >= GicdReg.IROUTER && offset < GicdReg.IROUTER + 8 * GIC_NUM_IRQS) {
      if (offset & 4) return;
      if (value & (1 << 31)) throw new NotImplementedError('GICv3 1-of-N SPI routing (IRM)');
      return;
    }
    if (g.version === 2 && offset >= GicdReg.ITARGETSR && offset < GicdReg.ITARGETSR + 0x400) {
      if (offset - GicdReg.ITARGETSR >= 32) g.writeBytes(g.targets, offset - GicdReg.ITARGETSR, size, value);
      return;
    }
    if (g.version === 3 && this.privateRange(offset)) return;
    g.writeIrqRegs(offset, size, value, 0);
  }

  /** The first word of each bit register and the first 32 priority bytes / 2 config words cover INTIDs < 32. */
  private privateRange(offset: number): boolean {
    const bit = [GicdReg.IGROUPR, GicdReg.ISENABLER, GicdReg.ICENABLER, GicdReg.ISPENDR, GicdReg.ICPENDR, GicdReg.ISACTIVER, GicdReg.ICACTIVER];
    if (bit.some((b) => offset >= b && offset < b + 4)) return true;
    if (offset >= GicdReg.IPRIORITYR && offset < GicdReg.IPRIORITYR + 32) return true;
    return offset >= GicdReg.ICFGR && offset < GicdReg.ICFGR + 8;
  }
}

/** GICv2 memory-mapped CPU interface (GICC). */
export class GicV2CpuInterface implements MmioHandler {
  constructor(private readonly gic: Gic) {}

  read(offset: number): number {
    const g = this.gic;
    switch (offset) {
      case 0x00:
        return g.cpuCtlr;
      case 0x04:
        return g.pmr;
      case 0x08:
        return g.bpr;
      case 0x0c:
        return g.acknowledge([0, 1]);
      case 0x14:
        return Math.min(g.runningPriority(), 0xff);
      case 0x18:
        return g.highestPending();
      case 0xfc:
        return 0x0202143b; // GICC_IIDR: GICv2, ARM
      default:
        return 0;
    }
  }

  write(offset: number, _size: number, value: number): void {
    const g = this.gic;
    switch (offset) {
      case 0x00:
        g.cpuCtlr = value & 0x3ff;
        g.refresh();
        return;
      case 0x04:
        g.pmr = value & 0xff;
        g.refresh();
        return;
      case 0x08:
        g.bpr = value & 7;
        return;
      case 0x10:
        g.endOfInterrupt(value & 0x3ff);
        return;
      case 0x1000:
        g.deactivate(value & 0x3ff);
        return;
      default:
        return;
    }
  }
}

/** The GICv2 virtual CPU interface frame (GICV): present in the memory map, not modelled. */
export class GicV2VirtualizationFrame implements MmioHandler {
  constructor(private readonly name: string) {}
  read(offset: number): number {
    throw new NotImplementedError(`GICv2 ${this.name} register 0x${offset.toString(16)} (virtualization extensions)`);
  }
  write(offset: number): void {
    throw new NotImplementedError(`GICv2 ${this.name} register 0x${offset.toString(16)} (virtualization extensions)`);
  }
}

/** GICv3 redistributor of the single CPU: RD_base frame, then SGI_base frame 64 KiB above. */
export class GicV3Redistributor implements MmioHandler {
  constructor(private readonly gic: Gic) {}

  read(offset: number, size: number): number {
    const g = this.gic;
    if (offset >= 0x20000) return 0; // beyond the only redistributor
    if (offset < 0x10000) {
      if (offset >= 0xffd0 && offset < 0x10000) return GICV3_REDIST_ID[(offset - 0xffd0) >> 2] ?? 0;
      switch (offset) {
        case 0x0000:
          return 0; // GICR_CTLR
        case 0x0004:
          return ARM_IIDR;
        case 0x0008:
          return 1 << 4; // GICR_TYPER low: Last; processor number 0
        case 0x000c:
          return 0; // GICR_TYPER high: affinity 0.0.0.0
        case 0x0014:
          return g.processorSleep ? 0x6 : 0; // WAKER: ProcessorSleep, ChildrenAsleep
        default:
          return 0;
      }
    }
    return g.readIrqRegs(offset - 0x10000, size, 0) ?? 0;
  }

  write(offset: number, size: number, value: number): void {
    const g = this.gic;
    if (offset >= 0x20000) return;
    if (offset < 0x10000) {
      if (offset === 0x0014) g.processorSleep = (value & 2) !== 0;
      return;
    }
    const off = offset - 0x10000;
    // Only the first word (INTIDs 0..31) of each register exists here.
    if (off >= GicdReg.IPRIORITYR + 32 && off < GicdReg.IPRIORITYR + 0x400) return;
    g.writeIrqRegs(off, size, value, 0);
  }
}

/**
 * The GICv3 CPU interface system registers (ICC_*), by encoding. The machine registers these with the CPU
 * model (Aarch64Cpu.defineSystemRegister); values are [lo, hi] 32-bit halves.
 */
export interface IccRegister {
  readonly name: string;
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
  /** Lowest EL that may access it. */
  readonly el: number;
  read(): [number, number];
  /** absent for read-only registers: an MSR to them is UNDEFINED */
  write?(lo: number, hi: number): void;
}

export function iccRegisters(g: Gic): IccRegister[] {
  const r = (name: string, op1: number, crn: number, crm: number, op2: number, el: number, read: () => number, write: (lo: number, hi: number) => void): IccRegister => ({
    name,
    op0: 3,
    op1,
    crn,
    crm,
    op2,
    el,
    read: () => [read() >>> 0, 0],
    write,
  });
  const none = () => {};
  let sre1 = 0x7;
  let sre2 = 0xf;
  return [
    r('ICC_PMR_EL1', 0, 4, 6, 0, 1, () => g.pmr, (v) => { g.pmr = v & 0xff; g.refresh(); }),
    r('ICC_IAR0_EL1', 0, 12, 8, 0, 1, () => g.acknowledge([0]), none),
    r('ICC_EOIR0_EL1', 0, 12, 8, 1, 1, () => 0, (v) => g.endOfInterrupt(v & 0xffffff)),
    r('ICC_HPPIR0_EL1', 0, 12, 8, 2, 1, () => g.highestPending([0]), none),
    r('ICC_BPR0_EL1', 0, 12, 8, 3, 1, () => g.bpr, (v) => { g.bpr = v & 7; }),
    // One active-priorities register per group: 5 priority bits need 32 bits (AP0R1..3/AP1R1..3 are UNDEFINED).
    r('ICC_AP0R0_EL1', 0, 12, 8, 4, 1, () => g.activePriorities(0), (v) => g.writeActivePriorities(0, v)),
    r('ICC_AP1R0_EL1', 0, 12, 9, 0, 1, () => g.activePriorities(1), (v) => g.writeActivePriorities(1, v)),
    r('ICC_DIR_EL1', 0, 12, 11, 1, 1, () => 0, (v) => g.deactivate(v & 0xffffff)),
    r('ICC_RPR_EL1', 0, 12, 11, 3, 1, () => Math.min(g.runningPriority(), 0xff), none),
    r('ICC_SGI1R_EL1', 0, 12, 11, 5, 1, () => 0, (lo, hi) => {
      // TargetList in bits 15:0 for Aff3.Aff2.Aff1 = 0.0.0; IRM (bit 40) = all but self.
      const irm = (hi >>> 8) & 1;
      const aff1 = (lo >>> 16) & 0xff;
      if (!irm && aff1 === 0 && hi === 0 && lo & 1) g.raiseSgi((lo >>> 24) & 0xf);
    }),
    r('ICC_IAR1_EL1', 0, 12, 12, 0, 1, () => g.acknowledge([1]), none),
    r('ICC_EOIR1_EL1', 0, 12, 12, 1, 1, () => 0, (v) => g.endOfInterrupt(v & 0xffffff)),
    r('ICC_HPPIR1_EL1', 0, 12, 12, 2, 1, () => g.highestPending([1]), none),
    r('ICC_BPR1_EL1', 0, 12, 12, 3, 1, () => g.bpr, (v) => { g.bpr = v & 7; }),
    r('ICC_CTLR_EL1', 0, 12, 12, 4, 1, () => g.cpuCtlr | (1 << 10) | (4 << 8), (v) => { g.cpuCtlr = v & 0x3; }),
    r('ICC_SRE_EL1', 0, 12, 12, 5, 1, () => sre1, (v) => { sre1 = (v & 0x6) | 1; }),
    r('ICC_IGRPEN0_EL1', 0, 12, 12, 6, 1, () => (g.grpEn0 ? 1 : 0), (v) => { g.grpEn0 = (v & 1) !== 0; g.refresh(); }),
    r('ICC_IGRPEN1_EL1', 0, 12, 12, 7, 1, () => (g.grpEn1 ? 1 : 0), (v) => { g.grpEn1 = (v & 1) !== 0; g.refresh(); }),
    r('ICC_SRE_EL2', 4, 12, 9, 5, 2, () => sre2, (v) => { sre2 = (v & 0xe) | 1; }),
  ];
}
