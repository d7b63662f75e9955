/**
 * Wiring the firmware to the AArch64 CPU model (platform/cpu/aarch64): the FirmwareCpu adapter the trap
 * registry calls services through (AAPCS64, boot/firmware/abi.ts), and loading an Aarch64EntryState into
 * the CPU. The trap hook itself is `Aarch64Cpu.trapHook`, asked before every block lookup; the machine
 * installs it (platform/machine/virt-uefi.ts).
 */
import type { Aarch64Cpu } from '../../platform/cpu/aarch64/cpu.js';
import { MAIR_EL1, MAIR_EL2, SCTLR_EL1, SCTLR_EL2, TCR_EL1, TCR_EL2, TTBR0_EL1, TTBR0_EL2, VBAR_EL1, VBAR_EL2 } from '../../platform/cpu/aarch64/sysregs.js';
import { R } from '../../platform/cpu/aarch64/int64.js';
import { A64_SP, type FirmwareCpu } from './cpu.js';
import type { Aarch64EntryState } from './aarch64-entry.js';

const TWO32 = 0x1_0000_0000;
/** Index of the current SP in Aarch64Cpu.x (X0..X30 are 0..61 as lo/hi pairs, 62/63 the zero register). */
const CPU_SP_INDEX = 64;
/** PAR_EL1.F: the translation failed. */
const PAR_FAULT = 1;
/** DAIF with D, A, I, F masked. */
const DAIF_ALL_MASKED = 0x3c0;

export class Aarch64FirmwareCpu implements FirmwareCpu {
  readonly arch = 'aarch64' as const;
  constructor(readonly cpu: Aarch64Cpu) {}
  get bus() {
    return this.cpu.bus;
  }
  private slot(index: number): number {
    return index === A64_SP ? CPU_SP_INDEX : 2 * index;
  }
  regLo(i: number): number {
    return this.cpu.x[this.slot(i)]! >>> 0;
  }
  regHi(i: number): number {
    return this.cpu.x[this.slot(i) + 1]! >>> 0;
  }
  setReg(i: number, lo: number, hi: number): void {
    this.cpu.setX(this.slot(i), lo | 0, hi | 0);
  }
  pc(): number {
    return this.cpu.pc;
  }
  setPc(v: number): void {
    this.cpu.branchTo(v);
  }
  /**
   * A privileged access through the caller's translation regime, without faulting the guest: the CPU's AT
   * walk (stage 1 of the current EL, plus stage 2 when it is on) and its PAR result.
   */
  translate(virtual: number, write: boolean): number | undefined {
    const cpu = this.cpu;
    cpu.addressTranslate(virtual, Math.max(1, cpu.el), write, true);
    const lo = R[0]!, hi = R[1]!;
    if ((lo & PAR_FAULT) !== 0) return undefined;
    const page = (hi & 0xffff) * TWO32 + ((lo >>> 0) & 0xfffff000) ;
    return page + (((virtual % 4096) + 4096) % 4096);
  }
}

/** Loads the hand-over state: EL and SP_ELx, translation registers and VBAR of that EL, X0..X7, LR, PC, DAIF masked. */
export function applyAarch64Entry(cpu: Aarch64Cpu, s: Aarch64EntryState): void {
  const el2 = s.el === 2;
  cpu.setElSp(s.el, 1);
  const set = (slot: number, v: number) => cpu.setSys(slot, v % TWO32 | 0, Math.floor(v / TWO32) | 0);
  set(el2 ? TTBR0_EL2 : TTBR0_EL1, s.mmu.ttbr0);
  set(el2 ? VBAR_EL2 : VBAR_EL1, s.vbar);
  cpu.setSys(el2 ? TCR_EL2 : TCR_EL1, s.mmu.tcr.lo | 0, s.mmu.tcr.hi | 0);
  cpu.setSys(el2 ? MAIR_EL2 : MAIR_EL1, s.mmu.mair | 0, 0);
  const sctlr = el2 ? SCTLR_EL2 : SCTLR_EL1;
  cpu.setSys(sctlr, cpu.sys[2 * sctlr]! | s.mmu.sctlrSet, cpu.sys[2 * sctlr + 1]!);
  cpu.daif = DAIF_ALL_MASKED;
  for (let n = 0; n < 31; n++) cpu.setX(2 * n, 0, 0);
  s.x.forEach((v, n) => cpu.setX(2 * n, v % TWO32 | 0, Math.floor(v / TWO32) | 0));
  cpu.setX(2 * 30, s.lr % TWO32 | 0, Math.floor(s.lr / TWO32) | 0);
  cpu.setX(CPU_SP_INDEX, s.sp % TWO32 | 0, Math.floor(s.sp / TWO32) | 0);
  cpu.pc = s.pc;
  cpu.flushTlb();
  cpu.updateMode();
}
