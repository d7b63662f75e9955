/**
 * Model-specific registers the model implements (RDMSR/WRMSR). Unknown MSRs raise #GP(0) as on hardware.
 * Values are 32-bit halves; this is a cold path (MSR accesses are rare), so a Map is fine.
 */
import type { X86Cpu } from './cpu.js';
import { EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE, VEC_GP, wrap64 } from './arch.js';
import { SEG_FS, SEG_GS } from './insn.js';

export const MSR_TSC = 0x10;
export const MSR_APIC_BASE = 0x1b;
export const MSR_FEATURE_CONTROL = 0x3a;
export const MSR_TSC_ADJUST = 0x3b;
export const MSR_MTRRCAP = 0xfe;
export const MSR_SYSENTER_CS = 0x174;
export const MSR_SYSENTER_ESP = 0x175;
export const MSR_SYSENTER_EIP = 0x176;
export const MSR_MISC_ENABLE = 0x1a0;
export const MSR_PAT = 0x277;
export const MSR_MTRR_DEF_TYPE = 0x2ff;
export const MSR_EFER = 0xc0000080;
export const MSR_STAR = 0xc0000081;
export const MSR_LSTAR = 0xc0000082;
export const MSR_CSTAR = 0xc0000083;
export const MSR_FMASK = 0xc0000084;
export const MSR_FS_BASE = 0xc0000100;
export const MSR_GS_BASE = 0xc0000101;
export const MSR_KERNEL_GS_BASE = 0xc0000102;
export const MSR_TSC_AUX = 0xc0000103;

const TWO32 = 4294967296;

export interface MsrValue {
  lo: number;
  hi: number;
}

/** MTRR MSRs that read back what was written: variable ranges 0x200-0x20f, fixed ranges. */
const MTRR_STORAGE = [
  ...Array.from({ length: 16 }, (_, i) => 0x200 + i),
  0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f, MSR_MTRR_DEF_TYPE,
];

export class MsrFile {
  private readonly store = new Map<number, MsrValue>();
  tscOffset = 0;
  kernelGsBase = 0;

  constructor(private readonly cpu: X86Cpu) {
    this.store.set(MSR_APIC_BASE, { lo: 0xfee00900, hi: 0 }); // BSP, xAPIC enabled
    this.store.set(MSR_PAT, { lo: 0x00070406, hi: 0x00070406 }); // power-on PAT
    this.store.set(MSR_MTRRCAP, { lo: 0x508, hi: 0 }); // 8 variable ranges, fixed ranges, WC
    this.store.set(MSR_FEATURE_CONTROL, { lo: 1, hi: 0 }); // locked, VMX off
    this.store.set(MSR_MISC_ENABLE, { lo: 1, hi: 0 }); // fast strings
    for (const m of [MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_FMASK, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_TSC_AUX]) {
      this.store.set(m, { lo: 0, hi: 0 });
    }
    for (const m of MTRR_STORAGE) this.store.set(m, { lo: 0, hi: 0 });
  }

  star(): MsrValue {
    return this.store.get(MSR_STAR)!;
  }

  lstar(): number {
    const v = this.store.get(MSR_LSTAR)!;
    return (v.hi | 0) * TWO32 + v.lo;
  }

  cstar(): number {
    const v = this.store.get(MSR_CSTAR)!;
    return (v.hi | 0) * TWO32 + v.lo;
  }

  fmask(): number {
    return this.store.get(MSR_FMASK)!.lo;
  }

  read(index: number): MsrValue {
    const cpu = this.cpu;
    switch (index) {
      case MSR_TSC: {
        const t = cpu.tscValue();
        return { lo: t >>> 0, hi: Math.floor(t / TWO32) >>> 0 };
      }
      case MSR_EFER: return { lo: cpu.efer, hi: 0 };
      case MSR_FS_BASE: return split(cpu.segBase[SEG_FS]!);
      case MSR_GS_BASE: return split(cpu.segBase[SEG_GS]!);
      case MSR_KERNEL_GS_BASE: return split(this.kernelGsBase);
      case MSR_TSC_ADJUST: return split(this.tscOffset);
    }
    const v = this.store.get(index >>> 0);
    if (!v) return cpu.fault(VEC_GP, 0);
    return { lo: v.lo, hi: v.hi };
  }

  write(index: number, lo: number, hi: number): void {
    const cpu = this.cpu;
    index >>>= 0;
    switch (index) {
      case MSR_TSC:
        this.tscOffset = hi * TWO32 + lo - cpu.icount;
        return;
      case MSR_TSC_ADJUST:
        this.tscOffset = (hi | 0) * TWO32 + lo;
        return;
      case MSR_EFER: {
        const allowed = EFER_SCE | EFER_LME | EFER_NXE;
        if (lo & ~(allowed | EFER_LMA) || hi) cpu.fault(VEC_GP, 0);
        // LME may not change while paging is on; LMA is read-only
        if (cpu.cr0 & 0x80000000 && (lo ^ cpu.efer) & EFER_LME) cpu.fault(VEC_GP, 0);
        cpu.efer = (lo & allowed) | (cpu.efer & EFER_LMA);
        cpu.flushTlb();
        return;
      }
      case MSR_FS_BASE: cpu.segBase[SEG_FS] = canonical(cpu, lo, hi); return;
      case MSR_GS_BASE: cpu.segBase[SEG_GS] = canonical(cpu, lo, hi); return;
      case MSR_KERNEL_GS_BASE: this.kernelGsBase = canonical(cpu, lo, hi); return;
      case MSR_MTRRCAP:
        return cpu.fault(VEC_GP, 0);
      case MSR_FEATURE_CONTROL:
        if (this.store.get(index)!.lo & 1) cpu.fault(VEC_GP, 0); // locked
        break;
      case MSR_LSTAR: case MSR_CSTAR: case MSR_SYSENTER_EIP: case MSR_SYSENTER_ESP:
        canonical(cpu, lo, hi);
        break;
      case MSR_APIC_BASE:
        if (hi & ~0xf) cpu.fault(VEC_GP, 0);
        break;
    }
    const v = this.store.get(index);
    if (!v) return cpu.fault(VEC_GP, 0);
    v.lo = lo >>> 0;
    v.hi = hi >>> 0;
  }
}

function split(v: number): MsrValue {
  return { lo: v >>> 0, hi: Math.floor(v / TWO32) >>> 0 };
}

function canonical(cpu: X86Cpu, lo: number, hi: number): number {
  const v = wrap64((hi | 0) * TWO32 + lo);
  if (v >= 2 ** 47 || v < -(2 ** 47)) cpu.fault(VEC_GP, 0);
  return v;
}
