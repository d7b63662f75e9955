/**
 * The GICv3 virtual interface control registers (ICH_*_EL2) of the single CPU interface, per the GICv3/v4
 * architecture specification (IHI 0069, chapter 12.5): the register state a hypervisor programs (list
 * registers, active priorities, VMCR, HCR) and the status registers derived from it (EISR, ELRSR, MISR).
 *
 * Implementation choices, reported through ICH_VTR_EL2 as the specification requires: 4 list registers,
 * 16-bit virtual INTIDs, 5 bits of virtual priority and preemption (so only ICH_AP0R0/ICH_AP1R0 exist; the
 * other APxRn encodings are UNDEFINED, like LR4..LR15), TDS = 1 (ICH_HCR_EL2.TDIR), no SEIS, no A3V.
 *
 * Not modelled: the virtual CPU interface itself (ICV_* registers seen by EL1 under HCR_EL2.IMO/FMO, virtual
 * interrupt signalling, the maintenance interrupt). A hypervisor only needs those once it enables the
 * interface for a guest, so setting ICH_HCR_EL2.En ends the run with a NotImplementedError naming it. A kernel
 * that merely resets and probes the interface (Linux at EL2 initialising KVM) runs unaffected.
 */
import { NotImplementedError } from '../../common/errors.js';
import type { IccRegister } from './gic.js';

export const ICH_LIST_REGS = 4;
const PRI_BITS = 5;
const PRE_BITS = 5;
/** ListRegs = n-1, TDS (bit 19), IDbits = 0 (16-bit), PREbits/PRIbits = n-1. */
export const ICH_VTR_VALUE = ((ICH_LIST_REGS - 1) | (1 << 19) | ((PRE_BITS - 1) << 26) | ((PRI_BITS - 1) << 29)) >>> 0;

/** ICH_HCR_EL2 fields that exist with this configuration: En..VGrp1DIE, TC, TALL0, TALL1, TDIR, EOIcount. */
const HCR_WRITABLE = (0xff | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 14) | (0x1f << 27)) >>> 0;
/** List register, high word: pINTID[44:32] (bit 41 = EOI when HW = 0), Priority[55:48] (top PRI_BITS), Group, HW, State. */
const LR_HI_WRITABLE = (0x1fff | (((0xff << (8 - PRI_BITS)) & 0xff) << 16) | (1 << 28) | (1 << 29) | (3 << 30)) >>> 0;
/** vINTID is 16 bits wide (IDbits = 0): bits [31:16] are RES0. */
const LR_LO_WRITABLE = 0xffff;
const VPMR_MASK = (0xff << (8 - PRI_BITS)) & 0xff;
/** Smallest binary point values with PRE_BITS of preemption: group 0 and group 1 (one more). */
const MIN_VBPR0 = 7 - PRE_BITS;
const MIN_VBPR1 = MIN_VBPR0 + 1;

export class GicV3VirtualInterface {
  hcr = 0;
  /** reset value UNKNOWN apart from the RES1 VFIQEn; binary points at their minimum */
  vmcr = ((1 << 3) | (MIN_VBPR1 << 18) | (MIN_VBPR0 << 21)) >>> 0;
  ap0r0 = 0;
  ap1r0 = 0;
  readonly lrLo = new Uint32Array(ICH_LIST_REGS);
  readonly lrHi = new Uint32Array(ICH_LIST_REGS);

  private lrState(i: number): number {
    return this.lrHi[i]! >>> 30;
  }

  /** ICH_EISR_EL2: list registers whose interrupt was deactivated with an EOI maintenance request. */
  eisr(): number {
    let v = 0;
    for (let i = 0; i < ICH_LIST_REGS; i++) {
      const hi = this.lrHi[i]!;
      if (this.lrState(i) === 0 && (hi & (1 << 29)) === 0 && (hi & (1 << 9)) !== 0) v |= 1 << i;
    }
    return v;
  }

  /** ICH_ELRSR_EL2: list registers that hold no valid interrupt and need no maintenance. */
  elrsr(): number {
    let v = 0;
    for (let i = 0; i < ICH_LIST_REGS; i++) {
      const hi = this.lrHi[i]!;
      if (this.lrState(i) === 0 && ((hi & (1 << 29)) !== 0 || (hi & (1 << 9)) === 0)) v |= 1 << i;
    }
    return v;
  }

  /** ICH_MISR_EL2: the maintenance conditions, each gated by its enable in ICH_HCR_EL2. */
  misr(): number {
    const hcr = this.hcr;
    let valid = 0;
    let pending = 0;
    for (let i = 0; i < ICH_LIST_REGS; i++) {
      const s = this.lrState(i);
      if (s !== 0) valid++;
      if (s === 1) pending++;
    }
    const eng0 = (this.vmcr & 1) !== 0;
    const eng1 = (this.vmcr & 2) !== 0;
    let v = 0;
    if (this.eisr() !== 0) v |= 1 << 0; // EOI
    if (hcr & (1 << 1) && valid <= 1) v |= 1 << 1; // U
    if (hcr & (1 << 2) && hcr >>> 27 !== 0) v |= 1 << 2; // LRENP
    if (hcr & (1 << 3) && pending === 0) v |= 1 << 3; // NP
    if (hcr & (1 << 4) && eng0) v |= 1 << 4; // VGrp0E
    if (hcr & (1 << 5) && !eng0) v |= 1 << 5; // VGrp0D
    if (hcr & (1 << 6) && eng1) v |= 1 << 6; // VGrp1E
    if (hcr & (1 << 7) && !eng1) v |= 1 << 7; // VGrp1D
    return v;
  }

  writeHcr(v: number): void {
    if (v & 1) throw new NotImplementedError('GICv3 virtual CPU interface: ICH_HCR_EL2.En = 1 (virtual interrupt delivery to a guest)');
    this.hcr = (v & HCR_WRITABLE) >>> 0;
  }

  writeVmcr(v: number): void {
    // VENG0, VENG1, VCBPR, VEOIM; VAckCtl is RES0 and VFIQEn RES1 with system-register access (ICC_SRE_EL1.SRE = 1).
    let bpr1 = (v >>> 18) & 7;
    let bpr0 = (v >>> 21) & 7;
    if (bpr0 < MIN_VBPR0) bpr0 = MIN_VBPR0;
    if (bpr1 < MIN_VBPR1) bpr1 = MIN_VBPR1;
    this.vmcr = ((v & ((1 << 0) | (1 << 1) | (1 << 4) | (1 << 9))) | (1 << 3) | (bpr1 << 18) | (bpr0 << 21) | (((v >>> 24) & VPMR_MASK) << 24)) >>> 0;
  }

  writeLr(i: number, lo: number, hi: number): void {
    this.lrLo[i] = lo & LR_LO_WRITABLE;
    this.lrHi[i] = hi & LR_HI_WRITABLE;
  }

  /** The ICH_* registers by encoding (op0 3, op1 4, CRn 12), accessible from EL2 only. */
  registers(): IccRegister[] {
    const r = (name: string, crm: number, op2: number, read: () => [number, number], write?: (lo: number, hi: number) => void): IccRegister => ({
      name, op0: 3, op1: 4, crn: 12, crm, op2, el: 2, read, ...(write ? { write } : {}),
    });
    const regs: IccRegister[] = [
      r('ICH_AP0R0_EL2', 8, 0, () => [this.ap0r0, 0], (lo) => { this.ap0r0 = lo >>> 0; }),
      r('ICH_AP1R0_EL2', 9, 0, () => [this.ap1r0, 0], (lo) => { this.ap1r0 = lo >>> 0; }),
      r('ICH_HCR_EL2', 11, 0, () => [this.hcr, 0], (lo) => this.writeHcr(lo)),
      r('ICH_VTR_EL2', 11, 1, () => [ICH_VTR_VALUE, 0]),
      r('ICH_MISR_EL2', 11, 2, () => [this.misr(), 0]),
      r('ICH_EISR_EL2', 11, 3, () => [this.eisr(), 0]),
      r('ICH_ELRSR_EL2', 11, 5, () => [this.elrsr(), 0]),
      r('ICH_VMCR_EL2', 11, 7, () => [this.vmcr, 0], (lo) => this.writeVmcr(lo)),
    ];
    for (let n = 0; n < ICH_LIST_REGS; n++) {
      regs.push(r(`ICH_LR${n}_EL2`, 12 + (n >> 3), n & 7, () => [this.lrLo[n]!, this.lrHi[n]!], (lo, hi) => this.writeLr(n, lo, hi)));
    }
    return regs;
  }
}
