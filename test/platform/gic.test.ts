import { describe, expect, it } from 'vitest';
import { PhysicalBus } from '../../platform/memory/bus.js';
import { VirtualClock } from '../../platform/time/clock.js';
import { virtBoard } from '../../platform/boards/virt/board.js';
import { attachVirtDevices } from '../../platform/boards/virt/devices.js';
import { wireGicToCpu, type GicCpuPort } from '../../platform/boards/virt/cpu-wiring.js';
import { iccRegisters, type IccRegister } from '../../platform/devices/gic.js';
import { R } from '../../platform/cpu/aarch64/int64.js';
import { TIMER_HYP, TIMER_PHYS, TIMER_VIRT } from '../../platform/cpu/aarch64/cpu.js';
import { NotImplementedError } from '../../common/errors.js';

/** A stand-in for the CPU model's GIC-facing surface. */
class FakeCpu implements GicCpuPort {
  irq = false;
  fiq = false;
  onTimer: GicCpuPort['onTimer'] = null;
  readonly sysregs = new Map<string, { read: () => void; write: (lo: number, hi: number) => void }>();
  setIrq(l: boolean) {
    this.irq = l;
  }
  setFiq(l: boolean) {
    this.fiq = l;
  }
  defineSystemRegister(op0: number, op1: number, crn: number, crm: number, op2: number, _el: number, read: (c: never) => void, write: ((c: never, lo: number, hi: number) => void) | null) {
    this.sysregs.set(`${op0}.${op1}.${crn}.${crm}.${op2}`, {
      read: () => read(undefined as never),
      write: (lo, hi) => {
        if (!write) throw new Error('UNDEFINED: MSR to a read-only register');
        write(undefined as never, lo, hi);
      },
    });
  }
  mrs(key: string): number {
    this.sysregs.get(key)!.read();
    return R[0]! >>> 0;
  }
  msr(key: string, lo: number, hi = 0) {
    this.sysregs.get(key)!.write(lo, hi);
  }
}

function machine(gic: 2 | 3) {
  const board = virtBoard({ gic, memoryBytes: 32 * 2 ** 20, virtualization: true });
  const bus = new PhysicalBus();
  const clock = new VirtualClock();
  const out: number[] = [];
  const dev = attachVirtDevices(board, { bus, clock, console: (b) => out.push(b) });
  const cpu = new FakeCpu();
  wireGicToCpu(board, dev.gic, cpu);
  return { board, bus, clock, dev, cpu, out };
}

const GICD = 0x08000000;
const GICC = 0x08010000;
const GICR = 0x080a0000;
const GICH = 0x08030000;
const GICV = 0x08040000;
const SGI_BASE = GICR + 0x10000;
// ICC register keys (op0.op1.CRn.CRm.op2).
const ICC_IAR1 = '3.0.12.12.0';
const ICC_EOIR1 = '3.0.12.12.1';
const ICC_PMR = '3.0.4.6.0';
const ICC_IGRPEN1 = '3.0.12.12.7';
const ICC_SGI1R = '3.0.12.11.5';
const ICC_CTLR = '3.0.12.12.4';
const ICC_DIR = '3.0.12.11.1';
const ICC_AP0R0 = '3.0.12.8.4';
const ICC_AP1R0 = '3.0.12.9.0';
const ICH_HCR = '3.4.12.11.0';
const ICH_VTR = '3.4.12.11.1';
const ICH_MISR = '3.4.12.11.2';
const ICH_EISR = '3.4.12.11.3';
const ICH_ELRSR = '3.4.12.11.5';
const ICH_VMCR = '3.4.12.11.7';
const ICH_LR0 = '3.4.12.12.0';

describe('GIC identification (how NOVA and Linux find the version)', () => {
  it('GICv2: GICD_PIDR2 (0xfe8) ArchRev 2, GICD_TYPER lines, GICC_IIDR', () => {
    const { bus } = machine(2);
    expect((bus.read32(GICD + 0xfe8) >> 4) & 0xf).toBe(2);
    expect(bus.read32(GICD + 0x004) & 0x1f).toBe(8);
    expect(bus.read32(GICC + 0xfc)).toBe(0x0202143b);
  });
  it('GICv3: GICD_PIDR2 (0xffe8) and GICR_PIDR2 ArchRev 3, ARE set, GICR_TYPER.Last', () => {
    const { bus } = machine(3);
    expect((bus.read32(GICD + 0xffe8) >> 4) & 0xf).toBe(3);
    expect((bus.read32(GICR + 0xffe8) >> 4) & 0xf).toBe(3);
    expect(bus.read32(GICD) & (1 << 4)).toBe(1 << 4);
    expect(bus.read32(GICR + 0x8) & (1 << 4)).toBe(1 << 4);
  });
});

describe('GICv2 delivery (Linux gic-v2 driver sequence)', () => {
  it('PL011 SPI 1 -> INTID 33 -> IRQ line; IAR acknowledges, EOIR completes; level re-pends while asserted', () => {
    const { bus, cpu } = machine(2);
    bus.write32(GICD + 0x104, 1 << 1); // ISENABLER1: INTID 33
    bus.write32(GICD + 0x420, 0xa0a0a0a0); // priorities of 32..35
    bus.write32(GICD, 1);
    bus.write32(GICC + 0x04, 0xf0); // PMR
    bus.write32(GICC, 1);
    // UART TX interrupt: unmask TXIM then transmit.
    bus.write32(0x09000038, 0x20);
    bus.write32(0x09000000, 0x41);
    expect(cpu.irq).toBe(true);
    expect(bus.read32(GICC + 0x0c)).toBe(33);
    expect(cpu.irq).toBe(false); // active, not pending again while active
    bus.write32(GICC + 0x10, 33);
    expect(cpu.irq).toBe(true); // the UART still asserts its level line
    bus.read32(GICC + 0x0c);
    bus.write32(0x09000044, 0x20); // clear at the device
    bus.write32(GICC + 0x10, 33);
    expect(cpu.irq).toBe(false);
    expect(bus.read32(GICC + 0x0c)).toBe(1023);
  });

  it('priority mask and preemption: a lower-priority interrupt waits for EOI of a higher one', () => {
    const { bus, dev, cpu } = machine(2);
    bus.write32(GICD + 0x104, 0b110); // INTIDs 33, 34
    bus.write8(GICD + 0x400 + 33, 0x80);
    bus.write8(GICD + 0x400 + 34, 0x40);
    bus.write32(GICD, 1);
    bus.write32(GICC, 1);
    bus.write32(GICC + 0x04, 0x50); // PMR: only priorities < 0x50
    dev.gic.setLine(33, true);
    expect(cpu.irq).toBe(false);
    bus.write32(GICC + 0x04, 0xff);
    dev.gic.setLine(34, true);
    expect(bus.read32(GICC + 0x0c)).toBe(34);
    expect(bus.read32(GICC + 0x0c)).toBe(1023); // 33 (0x80) cannot preempt 34 (0x40)
    dev.gic.setLine(34, false); // the device is serviced, its level line drops
    bus.write32(GICC + 0x10, 34);
    expect(bus.read32(GICC + 0x0c)).toBe(33);
  });

  it('SGIs through GICD_SGIR; the timer PPIs arrive from the CPU', () => {
    const { bus, cpu } = machine(2);
    bus.write32(GICD + 0x100, (1 << 3) | (1 << 30) | (1 << 27) | (1 << 26));
    bus.write32(GICD, 1);
    bus.write32(GICC + 0x04, 0xff);
    bus.write32(GICC, 1);
    bus.write32(GICD + 0xf00, (2 << 24) | 3); // SGI 3 to self
    expect(bus.read32(GICC + 0x0c)).toBe(3);
    bus.write32(GICC + 0x10, 3);
    cpu.onTimer!(TIMER_PHYS, true);
    expect(bus.read32(GICC + 0x0c)).toBe(30);
    bus.write32(GICC + 0x10, 30);
    cpu.onTimer!(TIMER_PHYS, false);
    cpu.onTimer!(TIMER_VIRT, true);
    expect(bus.read32(GICC + 0x0c)).toBe(27);
    bus.write32(GICC + 0x10, 27);
    cpu.onTimer!(TIMER_VIRT, false);
    cpu.onTimer!(TIMER_HYP, true);
    expect(bus.read32(GICC + 0x0c)).toBe(26);
  });

  it('the GICV virtual CPU interface frame is mapped but not modelled', () => {
    const { bus } = machine(2);
    expect(() => bus.read32(GICV)).toThrow(NotImplementedError);
  });

  it('GICH (KVM probes it at boot): VTR reports 4 list registers and 5 priority bits; LRs keep their defined fields', () => {
    const { bus } = machine(2);
    expect(bus.read32(GICH + 0x004) >>> 0).toBe((3 | (4 << 26) | (4 << 29)) >>> 0);
    bus.write32(GICH + 0x000, 0xfffffffe); // HCR without En
    expect(bus.read32(GICH + 0x000) >>> 0).toBe(0xf80000fe);
    for (let i = 0; i < 4; i++) bus.write32(GICH + 0x100 + 4 * i, 0);
    expect(bus.read32(GICH + 0x030)).toBe(0xf); // ELRSR0: all empty
    bus.write32(GICH + 0x100, 0xffffffff);
    expect(bus.read32(GICH + 0x100) >>> 0).toBe(0xff8fffff); // Priority[27:23] only 5 bits
    bus.write32(GICH + 0x100, (1 << 28) | 33); // LR0: vINTID 33 pending
    bus.write32(GICH + 0x104, (1 << 19) | 34); // LR1: invalid, EOI maintenance requested
    bus.write32(GICH + 0x108, (1 << 31) | 35); // LR2: invalid, hardware
    expect(bus.read32(GICH + 0x030)).toBe(0b1100);
    expect(bus.read32(GICH + 0x020)).toBe(0b0010);
    bus.write32(GICH + 0x000, (1 << 1) | (1 << 3)); // UIE, NPIE
    expect(bus.read32(GICH + 0x010)).toBe(0b011); // EOI, U (one valid LR); NP clear: LR0 pends
    expect(bus.read32(GICH + 0x1fc)).toBe(0); // LR63 does not exist: reserved, RAZ
    expect(() => bus.write32(GICH + 0x000, 1)).toThrow(NotImplementedError); // En: virtual interrupt delivery
  });
});

describe('GICv3 delivery (redistributor + ICC system registers)', () => {
  const enableGroup1 = (m: ReturnType<typeof machine>) => {
    m.bus.write32(GICR + 0x14, 0); // wake the redistributor
    m.bus.write32(GICD, 1 << 1); // EnableGrp1
    m.cpu.msr(ICC_PMR, 0xff);
    m.cpu.msr(ICC_IGRPEN1, 1);
  };

  it('wakes the redistributor through GICR_WAKER', () => {
    const m = machine(3);
    expect(m.bus.read32(GICR + 0x14) & 0x4).toBe(0x4);
    m.bus.write32(GICR + 0x14, 0);
    expect(m.bus.read32(GICR + 0x14) & 0x4).toBe(0);
  });

  it('an SPI in group 1 raises IRQ; IAR1/EOIR1 handle it', () => {
    const m = machine(3);
    enableGroup1(m);
    m.bus.write32(GICD + 0x084, 1 << 2); // IGROUPR1: INTID 34 (the RTC, SPI 2) group 1
    m.bus.write32(GICD + 0x104, 1 << 2);
    m.dev.gic.setLine(34, true);
    expect(m.cpu.irq).toBe(true);
    expect(m.cpu.fiq).toBe(false);
    expect(m.cpu.mrs(ICC_IAR1)).toBe(34);
    m.dev.gic.setLine(34, false);
    m.cpu.msr(ICC_EOIR1, 34);
    expect(m.cpu.irq).toBe(false);
    expect(m.cpu.mrs(ICC_IAR1)).toBe(1023);
  });

  it('group 0 interrupts are FIQs on GICv3', () => {
    const m = machine(3);
    m.bus.write32(GICR + 0x14, 0);
    m.bus.write32(GICD, 1); // EnableGrp0
    m.cpu.msr(ICC_PMR, 0xff);
    m.cpu.msr('3.0.12.12.6', 1); // ICC_IGRPEN0_EL1
    m.bus.write32(GICD + 0x104, 1 << 1);
    m.dev.gic.setLine(33, true);
    expect(m.cpu.fiq).toBe(true);
    expect(m.cpu.irq).toBe(false);
  });

  it('PPIs and SGIs are configured in the redistributor SGI frame; GICD copies are RAZ/WI', () => {
    const m = machine(3);
    enableGroup1(m);
    m.bus.write32(GICD + 0x100, 0xffffffff);
    expect(m.bus.read32(GICD + 0x100)).toBe(0);
    m.bus.write32(SGI_BASE + 0x080, 0xffffffff); // all private interrupts group 1
    m.bus.write32(SGI_BASE + 0x100, (1 << 26) | (1 << 5)); // hyp timer PPI and SGI 5
    expect(m.bus.read32(SGI_BASE + 0x100)).toBe((1 << 26) | (1 << 5));
    m.cpu.onTimer!(TIMER_HYP, true);
    expect(m.cpu.mrs(ICC_IAR1)).toBe(26);
    m.cpu.msr(ICC_EOIR1, 26);
    m.cpu.onTimer!(TIMER_HYP, false);
    m.cpu.msr(ICC_SGI1R, (5 << 24) | 1, 0); // SGI 5 to Aff 0.0.0, target list CPU 0
    expect(m.cpu.mrs(ICC_IAR1)).toBe(5);
  });

  it('EOImode 1 (Linux at EL2): EOIR drops priority, DIR deactivates', () => {
    const m = machine(3);
    enableGroup1(m);
    m.cpu.msr(ICC_CTLR, 0x2);
    m.bus.write32(GICD + 0x084, 0b110);
    m.bus.write32(GICD + 0x104, 0b110);
    m.dev.gic.setLine(33, true);
    expect(m.cpu.mrs(ICC_IAR1)).toBe(33);
    m.cpu.msr(ICC_EOIR1, 33);
    expect(m.dev.gic.active[33]).toBe(1);
    expect(m.cpu.mrs(ICC_IAR1)).toBe(1023); // still active: not pending again
    m.cpu.msr(ICC_DIR, 33);
    expect(m.dev.gic.active[33]).toBe(0);
    expect(m.cpu.mrs(ICC_IAR1)).toBe(33);
  });

  it('ICC_AP1R0_EL1 shows the active group priorities; Linux clears it at init (only APxR0 exists with 5 priority bits)', () => {
    const m = machine(3);
    enableGroup1(m);
    m.bus.write32(GICD + 0x084, 0b10); // SPI 1 (INTID 33) in group 1
    m.bus.write32(GICD + 0x104, 0b10);
    m.bus.write32(GICD + 0x420, 0xa0 << 8); // priority 0xa0 -> group priority 0xa0 >> 3 = 20
    m.dev.gic.setLine(33, true);
    expect(m.cpu.mrs(ICC_AP1R0)).toBe(0);
    expect(m.cpu.mrs(ICC_IAR1)).toBe(33);
    expect(m.cpu.mrs(ICC_AP1R0)).toBe(1 << 20);
    expect(m.cpu.mrs(ICC_AP0R0)).toBe(0);
    m.cpu.msr(ICC_AP1R0, 0); // forget the running priority: the level-asserted line is pending again once deactivated
    expect(m.cpu.mrs(ICC_AP1R0)).toBe(0);
    expect(m.cpu.sysregs.has('3.0.12.8.5')).toBe(false); // ICC_AP0R1_EL1
    expect(m.cpu.sysregs.has('3.0.12.9.1')).toBe(false); // ICC_AP1R1_EL1
  });

  it('ICH_VTR_EL2 reports 4 list registers, 16-bit vINTIDs, 5 priority/preemption bits and TDS; it is read-only', () => {
    const m = machine(3);
    expect(m.cpu.mrs(ICH_VTR)).toBe((0x3 | (1 << 19) | (4 << 26) | (4 << 29)) >>> 0);
    expect(() => m.cpu.msr(ICH_VTR, 0)).toThrow(/UNDEFINED/);
    // Only the registers that the configuration implements exist (LR0..3, AP0R0/AP1R0): the rest are UNDEFINED.
    expect(m.cpu.sysregs.has('3.4.12.12.3')).toBe(true); // ICH_LR3_EL2
    expect(m.cpu.sysregs.has('3.4.12.12.4')).toBe(false); // ICH_LR4_EL2
    expect(m.cpu.sysregs.has('3.4.12.13.7')).toBe(false); // ICH_LR15_EL2
    expect(m.cpu.sysregs.has('3.4.12.8.1')).toBe(false); // ICH_AP0R1_EL2 (needs 6 preemption bits)
  });

  it('Linux at EL2 resets the virtual interface: ICH_HCR_EL2 and the list registers keep only their defined fields', () => {
    const m = machine(3);
    m.cpu.msr(ICH_HCR, 0xffffffff & ~1);
    expect(m.cpu.mrs(ICH_HCR)).toBe(0xf8005cfe); // EOIcount, TDIR, TALL1, TALL0, TC, the maintenance enables
    m.cpu.msr(ICH_HCR, 0);
    expect(m.cpu.mrs(ICH_HCR)).toBe(0);
    m.cpu.msr(ICH_LR0, 0xffffffff, 0xffffffff);
    m.cpu.mrs(ICH_LR0);
    expect([R[0]! >>> 0, R[1]! >>> 0]).toEqual([0xffff, 0xf0f81fff]); // vINTID[15:0]; State, HW, Group, Priority[7:3], pINTID
    m.cpu.msr(ICH_VMCR, 0xffffffff);
    expect(m.cpu.mrs(ICH_VMCR)).toBe(0xf8fc021b); // VPMR[7:3], VBPR0, VBPR1, VEOIM, VCBPR, VFIQEn (RES1), VENG1, VENG0
    m.cpu.msr(ICH_VMCR, 0);
    expect(m.cpu.mrs(ICH_VMCR)).toBe((2 << 21) | (3 << 18) | (1 << 3)); // binary points clamp to their minimum
  });

  it('ICH_ELRSR/EISR/MISR follow the list register states', () => {
    const m = machine(3);
    for (let i = 0; i < 4; i++) m.cpu.msr(`3.4.12.12.${i}`, 0, 0);
    expect(m.cpu.mrs(ICH_ELRSR)).toBe(0xf);
    m.cpu.msr('3.4.12.12.1', 40, (1 << 30) | (0xa0 << 16)); // LR1: vINTID 40 pending
    m.cpu.msr('3.4.12.12.2', 41, 1 << 9); // LR2: invalid, EOI maintenance requested
    m.cpu.msr('3.4.12.12.3', 42, (1 << 29) | 7); // LR3: invalid, hardware interrupt
    expect(m.cpu.mrs(ICH_ELRSR)).toBe(0b1001);
    expect(m.cpu.mrs(ICH_EISR)).toBe(0b0100);
    expect(m.cpu.mrs(ICH_MISR)).toBe(1); // EOI
    m.cpu.msr(ICH_HCR, (1 << 1) | (1 << 3) | (1 << 6) | (1 << 7)); // UIE, NPIE, VGrp1EIE, VGrp1DIE
    expect(m.cpu.mrs(ICH_MISR)).toBe(1 | (1 << 1) | (1 << 7)); // EOI, U (one valid LR), VGrp1D (VENG1 = 0); LR1 pends
    m.cpu.msr(ICH_VMCR, 2);
    expect(m.cpu.mrs(ICH_MISR)).toBe(1 | (1 << 1) | (1 << 6));
  });

  it('enabling the virtual CPU interface (ICH_HCR_EL2.En) ends the run as not implemented', () => {
    const m = machine(3);
    expect(() => m.cpu.msr(ICH_HCR, 1)).toThrow(NotImplementedError);
  });

  it('without EL2 (virtualization=off) the ICH_* registers do not exist', () => {
    const board = virtBoard({ gic: 3, memoryBytes: 32 * 2 ** 20, virtualization: false });
    const dev = attachVirtDevices(board, { bus: new PhysicalBus(), clock: new VirtualClock(), console: () => {} });
    const cpu = new FakeCpu();
    wireGicToCpu(board, dev.gic, cpu);
    expect(cpu.sysregs.has(ICH_VTR)).toBe(false);
    expect(cpu.sysregs.has(ICC_IAR1)).toBe(true);
  });

  it('exposes the ICC registers with their architectural encodings', () => {
    const names = iccRegisters(machine(3).dev.gic).map((r: IccRegister) => `${r.name}=${r.op0}.${r.op1}.${r.crn}.${r.crm}.${r.op2}`);
    expect(names).toContain('ICC_IAR1_EL1=3.0.12.12.0');
    expect(names).toContain('ICC_SRE_EL2=3.4.12.9.5');
    expect(names).toContain('ICC_PMR_EL1=3.0.4.6.0');
  });
});
