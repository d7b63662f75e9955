/**
 * The GICv2 virtual interface control frame (GICH, GIC architecture specification v2, IHI 0048B, section 5.3)
 * of the single CPU: the register state a hypervisor programs (GICH_HCR, GICH_VMCR, GICH_APR, list registers)
 * and the status registers derived from it (GICH_MISR, GICH_EISR0/1, GICH_ELRSR0/1). Reserved offsets are
 * RAZ/WI. Configuration, reported through GICH_VTR: 4 list registers, 5 bits of virtual priority and
 * preemption (as the virt board's GIC in QEMU).
 *
 * Not modelled: the virtual CPU interface (GICV frame, virtual interrupt signalling, the maintenance
 * interrupt). A hypervisor needs them only once it enables the interface for a guest, so setting GICH_HCR.En
 * ends the run with a NotImplementedError; a kernel that resets and probes GICH (Linux's KVM at boot) runs.
 */
import { NotImplementedError } from '../../common/errors.js';
import type { MmioHandler } from '../memory/bus.js';

export const GICH_LIST_REGS = 4;
const PRI_BITS = 5;
/** ListRegs = n-1 [5:0], PREbits [28:26] and PRIbits [31:29] = n-1. */
export const GICH_VTR_VALUE = ((GICH_LIST_REGS - 1) | ((PRI_BITS - 1) << 26) | ((PRI_BITS - 1) << 29)) >>> 0;

export const GichReg = {
  HCR: 0x000,
  VTR: 0x004,
  VMCR: 0x008,
  MISR: 0x010,
  EISR0: 0x020,
  EISR1: 0x024,
  ELRSR0: 0x030,
  ELRSR1: 0x034,
  APR: 0x0f0,
  LR0: 0x100,
} as const;

/** En, UIE, LRENPIE, NPIE, VGrp0EIE, VGrp0DIE, VGrp1EIE, VGrp1DIE, EOICount[31:27]. */
const HCR_WRITABLE = (0xff | (0x1f << 27)) >>> 0;
/** VMGrp0En, VMGrp1En, VMAckCtl, VMFIQEn, VMCBPR, VEM, VMABP[20:18], VMBP[23:21], VMPriMask[31:27] (5 bits). */
const VMCR_WRITABLE = (0x1f | (1 << 9) | (7 << 18) | (7 << 21) | (0x1f << 27)) >>> 0;
/** VirtualID[9:0], PhysicalID[19:10] (bit 19 = EOI when HW = 0), Priority[27:23] (5 bits), State, Grp1, HW. */
const LR_WRITABLE = (0x3ff | (0x3ff << 10) | (0x1f << 23) | (3 << 28) | (1 << 30) | (1 << 31)) >>> 0;

export class GicV2HypInterface implements MmioHandler {
  hcr = 0;
  vmcr = 0;
  apr = 0;
  readonly lr = new Uint32Array(GICH_LIST_REGS);

  private state(i: number): number {
    return (this.lr[i]! >>> 28) & 3;
  }

  /** List registers that are invalid, software-owned (HW = 0) and request an EOI maintenance interrupt. */
  eisr(): number {
    let v = 0;
    for (let i = 0; i < GICH_LIST_REGS; i++) {
      const lr = this.lr[i]!;
      if (this.state(i) === 0 && (lr & (1 << 31)) === 0 && (lr & (1 << 19)) !== 0) v |= 1 << i;
    }
    return v;
  }

  /** List registers that hold no interrupt and need no maintenance. */
  elrsr(): number {
    let v = 0;
    for (let i = 0; i < GICH_LIST_REGS; i++) {
      const lr = this.lr[i]!;
      if (this.state(i) === 0 && ((lr & (1 << 31)) !== 0 || (lr & (1 << 19)) === 0)) v |= 1 << i;
    }
    return v;
  }

  misr(): number {
    const hcr = this.hcr;
    let valid = 0;
    let pending = 0;
    for (let i = 0; i < GICH_LIST_REGS; i++) {
      const s = this.state(i);
      if (s !== 0) valid++;
      if (s === 1) pending++;
    }
    const grp0 = (this.vmcr & 1) !== 0;
    const grp1 = (this.vmcr & 2) !== 0;
    let v = 0;
    if (this.eisr() !== 0) v |= 1 << 0; // EOI
    if (hcr & (1 << 1) && valid <= 1) v |= 1 << 1; // U
    if (hcr & (1 << 2) && hcr >>> 27 !== 0) v |= 1 << 2; // LRENP
    if (hcr & (1 << 3) && pending === 0) v |= 1 << 3; // NP
    if (hcr & (1 << 4) && grp0) v |= 1 << 4; // VGrp0E
    if (hcr & (1 << 5) && !grp0) v |= 1 << 5; // VGrp0D
    if (hcr & (1 << 6) && grp1) v |= 1 << 6; // VGrp1E
    if (hcr & (1 << 7) && !grp1) v |= 1 << 7; // VGrp1D
    return v;
  }

  read(offset: number): number {
    if (offset >= GichReg.LR0 && offset < GichReg.LR0 + 4 * GICH_LIST_REGS) return this.lr[(offset - GichReg.LR0) >> 2]!;
    switch (offset) {
      case GichReg.HCR: return this.hcr;
      case GichReg.VTR: return GICH_VTR_VALUE;
      case GichReg.VMCR: return this.vmcr;
      case GichReg.MISR: return this.misr();
      case GichReg.EISR0: return this.eisr();
      case GichReg.ELRSR0: return this.elrsr();
      case GichReg.APR: return this.apr;
      default: return 0; // EISR1/ELRSR1 (no list registers 32..63), LR4..63 and reserved offsets
    }
  }

  write(offset: number, _size: number, value: number): void {
    if (offset >= GichReg.LR0 && offset < GichReg.LR0 + 4 * GICH_LIST_REGS) {
      this.lr[(offset - GichReg.LR0) >> 2] = value & LR_WRITABLE;
      return;
    }
    switch (offset) {
      case GichReg.HCR:
        if (value & 1) throw new NotImplementedError('GICv2 virtual CPU interface: GICH_HCR.En = 1 (virtual interrupt delivery to a guest)');
        this.hcr = (value & HCR_WRITABLE) >>> 0;
        return;
      case GichReg.VMCR:
        this.vmcr = (value & VMCR_WRITABLE) >>> 0;
        return;
      case GichReg.APR:
        this.apr = value >>> 0;
        return;
      default:
        return; // read-only and reserved registers ignore writes
    }
  }
}
