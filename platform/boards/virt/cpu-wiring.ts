/**
 * Connects the virt board's GIC to the AArch64 CPU model: the CPU interface drives the CPU's IRQ/FIQ inputs,
 * the generic timer outputs arrive as PPIs (EL1 physical -> 14, EL1 virtual -> 11, EL2 physical -> 10, from
 * the board description), and on GICv3 the ICC_* system registers are provided to the CPU, with the ICH_*
 * virtual interface control registers (gic-v3-virt.ts) when the board has EL2.
 */
import type { Aarch64Cpu } from '../../cpu/aarch64/cpu.js';
import { TIMER_HYP, TIMER_PHYS, TIMER_VIRT } from '../../cpu/aarch64/cpu.js';
import { R } from '../../cpu/aarch64/int64.js';
import { iccRegisters, type Gic } from '../../devices/gic.js';
import { GicV3VirtualInterface } from '../../devices/gic-v3-virt.js';
import type { VirtBoard } from './board.js';

/** The parts of the CPU model the wiring uses (so tests can stand in for it). */
export type GicCpuPort = Pick<Aarch64Cpu, 'setIrq' | 'setFiq' | 'onTimer' | 'defineSystemRegister'>;

export function wireGicToCpu(board: VirtBoard, gic: Gic, cpu: GicCpuPort): void {
  gic.connect({ setIrq: (l) => cpu.setIrq(l), setFiq: (l) => cpu.setFiq(l) });
  const ppiOf: Record<number, number> = {
    [TIMER_PHYS]: board.timer.nonSecurePpi,
    [TIMER_VIRT]: board.timer.virtPpi,
    [TIMER_HYP]: board.timer.hypPpi,
  };
  cpu.onTimer = (timer, level) => {
    const ppi = ppiOf[timer];
    if (ppi !== undefined) gic.setLine(16 + ppi, level);
  };
  if (gic.version === 3) {
    const ich = board.virtualization ? new GicV3VirtualInterface().registers() : [];
    for (const r of [...iccRegisters(gic), ...ich]) {
      cpu.defineSystemRegister(
        r.op0,
        r.op1,
        r.crn,
        r.crm,
        r.op2,
        r.el,
        () => {
          const [lo, hi] = r.read();
          R[0] = lo;
          R[1] = hi;
        },
        r.write ? (_c, lo, hi) => r.write!(lo >>> 0, hi >>> 0) : null,
      );
    }
  }
}
