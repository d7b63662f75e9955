/**
 * Model-specific registers the model implements (RDMSR/WRMSR). Unknown MSRs raise #GP(0) as on hardware.
 * Values are 32-bit halves; this is a cold path (MSR accesses are rare), so a Map is fine.
 */
import type { X86Cpu } from './cpu.js';
import { EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE, VEC_GP } from './arch.js';
import { SEG_FS, SEG_GS } from './insn.js';

export const MSR_TSC = 0x10;
export const MSR_APIC_BASE = 0x1b;
export const MSR_FEATURE_CONTROL = 0x3a;
export const MSR_BIOS_SIGN_ID = 0x8b;
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
/** The microcode update revision CPUID.01H reports in IA32_BIOS_SIGN_ID[63:32]: 0, no update loaded. */
export const MICROCODE_UPDATE_REVISION = 0;

export interface MsrValue {
  lo: number;
  hi: number;
}

/**
 * The local APIC as the CPU's MSR file sees it: the x2APIC register interface (MSRs 0x800-0x8ff) and the
 * two IA32_APIC_BASE bits the APIC obeys. A board connects its LAPIC through `X86Cpu.apic`; with one
 * connected, CPUID reports x2APIC.
 */
export interface X2ApicMsrTarget {
  readMsr(index: number): [number, number];
  writeMsr(index: number, lo: number, hi: number): void;
  /** IA32_APIC_BASE.EN */
  hardwareEnabled: boolean;
  /** IA32_APIC_BASE.EXTD */
  x2apic: boolean;
}

export const X2APIC_FIRST = 0x800;
export const X2APIC_LAST = 0x8ff;
const APIC_BASE_EN = 0x800;
const APIC_BASE_EXTD = 0x400;
const X2_READ = 1;
const X2_WRITE = 2;

/**
 * Access rights of the x2APIC MSRs (SDM vol. 3, table 11-6, "x2APIC register address space"); an MSR not
 * listed, a read of a write-only one or a write of a read-only one is #GP(0).
 */
const X2APIC_ACCESS = (() => {
  const t = new Uint8Array(256);
  const rw = X2_READ | X2_WRITE;
  const set = (first: number, last: number, a: number): void => {
    for (let i = first; i <= last; i++) t[i - X2APIC_FIRST] = a;
  };
  set(0x802, 0x803, X2_READ); // ID, version
  set(0x808, 0x808, rw); // TPR
  set(0x80a, 0x80a, X2_READ); // PPR
  set(0x80b, 0x80b, X2_WRITE); // EOI
  set(0x80d, 0x80d, X2_READ); // LDR
  set(0x80f, 0x80f, rw); // SVR
  set(0x810, 0x827, X2_READ); // ISR, TMR, IRR
  set(0x828, 0x828, rw); // ESR
  set(0x82f, 0x82f, rw); // LVT CMCI
  set(0x830, 0x830, rw); // ICR (64 bits: the destination in the high half)
  set(0x832, 0x838, rw); // LVT timer, thermal, perf, LINT0, LINT1, error; timer initial count
  set(0x839, 0x839, X2_READ); // timer current count
  set(0x83e, 0x83e, rw); // timer divide configuration
  set(0x83f, 0x83f, X2_WRITE); // SELF IPI
  return t;
})();

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
    // IA32_BIOS_SIGN_ID (SDM vol. 4, table 2-2): read/write; CPUID.01H loads the update signature (see below)
    this.store.set(MSR_BIOS_SIGN_ID, { lo: 0, hi: 0 });
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

  /**
   * CPUID.01H loads IA32_BIOS_SIGN_ID[63:32] with the revision of the loaded microcode update; software
   * writes 0 there first and reads it back after CPUID (SDM vol. 3, 9.11.7.1). Bits 31:0 are reserved (0).
   */
  loadUpdateSignature(): void {
    const v = this.store.get(MSR_BIOS_SIGN_ID)!;
    v.lo = 0;
    v.hi = MICROCODE_UPDATE_REVISION;
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
    if (index >= X2APIC_FIRST && index <= X2APIC_LAST) {
      const apic = this.x2apicTarget(index, X2_READ);
      const [lo, hi] = apic.readMsr(index);
      return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    const v = this.store.get(index >>> 0);
    if (!v) return cpu.fault(VEC_GP, 0);
    return { lo: v.lo, hi: v.hi };
  }

  /** The connected APIC for an x2APIC MSR access, or #GP(0): no APIC, not in x2APIC mode, no such access. */
  private x2apicTarget(index: number, access: number): X2ApicMsrTarget {
    const apic = this.cpu.apic;
    const base = this.store.get(MSR_APIC_BASE)!.lo;
    if (!apic || (base & (APIC_BASE_EN | APIC_BASE_EXTD)) !== (APIC_BASE_EN | APIC_BASE_EXTD)) return this.cpu.fault(VEC_GP, 0);
    if (!(X2APIC_ACCESS[index - X2APIC_FIRST]! & access)) return this.cpu.fault(VEC_GP, 0);
    return apic;
  }

  write(index: number, lo: number, hi: number): void {
    const cpu = this.cpu;
    index >>>= 0;
    switch (index) {
      case MSR_TSC:
        this.tscOffset = hi * TWO32 + lo - (cpu.tscValue() - this.tscOffset);
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
      case MSR_APIC_BASE: {
        if (hi & ~0xf) cpu.fault(VEC_GP, 0);
        // x2APIC mode (EXTD) needs an APIC that implements it; EXTD without EN and x2APIC -> xAPIC without
        // passing through "disabled" are invalid transitions (SDM vol. 3, 11.12.5)
        const cur = this.store.get(MSR_APIC_BASE)!.lo;
        const apic = cpu.apic;
        if (lo & APIC_BASE_EXTD && (!apic || !(lo & APIC_BASE_EN))) cpu.fault(VEC_GP, 0);
        if (cur & APIC_BASE_EXTD && lo & APIC_BASE_EN && !(lo & APIC_BASE_EXTD)) cpu.fault(VEC_GP, 0);
        if (apic) {
          apic.hardwareEnabled = (lo & APIC_BASE_EN) !== 0;
          apic.x2apic = (lo & APIC_BASE_EXTD) !== 0;
        }
        break;
      }
      default:
        if (index >= X2APIC_FIRST && index <= X2APIC_LAST) {
          const apic = this.x2apicTarget(index, X2_WRITE);
          // the high half is reserved except in the ICR; EOI takes only 0
          if ((hi !== 0 && index !== 0x830) || (index === 0x80b && lo !== 0)) cpu.fault(VEC_GP, 0);
          apic.writeMsr(index, lo >>> 0, hi >>> 0);
          return;
        }
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

/** MSRs that hold linear addresses take canonical values at the CPU's linear-address width (57 bits). */
function canonical(cpu: X86Cpu, lo: number, hi: number): number {
  const v = cpu.canonicalState(lo, hi);
  if (v !== v) cpu.fault(VEC_GP, 0);
  return v;
}
