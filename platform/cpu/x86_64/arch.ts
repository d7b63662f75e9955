/**
 * Architectural constants of x86-64 (control-register and EFER bits, exception vectors) and small numeric
 * helpers. A leaf module: the instruction handlers import it, so it must not import the CPU.
 */
import { NotImplementedError } from '../../../common/errors.js';

/** 2^47: linear addresses in (-2^47, 2^47) are canonical with 4-level and with 5-level paging. */
export const CANON_LIMIT = 140737488355328;

export const CR0_PE = 1;
export const CR0_MP = 2;
export const CR0_EM = 4;
export const CR0_TS = 8;
export const CR0_ET = 0x10;
export const CR0_NE = 0x20;
export const CR0_WP = 0x10000;
export const CR0_AM = 0x40000;
export const CR0_NW = 0x20000000;
export const CR0_CD = 0x40000000;
export const CR0_PG = 0x80000000 | 0;
export const CR4_PSE = 0x10;
export const CR4_PAE = 0x20;
export const CR4_PGE = 0x80;
export const CR4_OSFXSR = 0x200;
export const CR4_OSXMMEXCPT = 0x400;
export const CR4_LA57 = 0x1000;
export const CR4_FSGSBASE = 0x10000;
export const CR4_PCIDE = 0x20000;
export const CR4_OSXSAVE = 0x40000;
export const CR4_SMEP = 0x100000;
export const CR4_SMAP = 0x200000;

export const EFER_SCE = 1;
export const EFER_LME = 0x100;
export const EFER_LMA = 0x400;
export const EFER_NXE = 0x800;

export const VEC_DE = 0;
export const VEC_DB = 1;
export const VEC_BP = 3;
export const VEC_OF = 4;
export const VEC_BR = 5;
export const VEC_UD = 6;
export const VEC_NM = 7;
export const VEC_DF = 8;
export const VEC_TS = 10;
export const VEC_NP = 11;
export const VEC_SS = 12;
export const VEC_GP = 13;
export const VEC_PF = 14;
export const VEC_MF = 16;
export const VEC_AC = 17;
export const VEC_XM = 19;

/** TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT LA57 FSGSBASE PCIDE OSXSAVE SMEP SMAP */
export const CR4_SUPPORTED =
  0x4 | 0x8 | CR4_PSE | CR4_PAE | 0x40 | CR4_PGE | 0x100 | CR4_OSFXSR | 0x400 | CR4_LA57 | CR4_FSGSBASE | CR4_PCIDE |
  CR4_OSXSAVE | CR4_SMEP | CR4_SMAP;

/**
 * Canonical check of a 64-bit value loaded into state that holds a linear address (WRMSR of FS/GS/
 * KERNEL_GS base, LSTAR, CSTAR, SYSENTER_EIP/ESP; WRFSBASE/WRGSBASE). The processor checks these against
 * its maximum linear-address width, 57 bits for a CPU that enumerates LA57, whatever CR4.LA57 is (Intel,
 * "5-Level Paging and 5-Level EPT" white paper, 2.6). Canonical at 57 bits = bits 63:56 all equal.
 * Returns the address as a Number (signed), or NaN when it is not canonical. A canonical value beyond
 * +-2^53 cannot be held exactly by a Number: the model refuses it (see cpu.ts, header comment).
 */
export function canonicalState57(lo: number, hi: number): number {
  const h = hi | 0;
  const top = h >> 24;
  if (top !== 0 && top !== -1) return NaN;
  if (h >= 0x200000 || h < -0x200000) {
    throw new NotImplementedError(
      `the canonical 57-bit address 0x${(hi >>> 0).toString(16).padStart(8, '0')}${(lo >>> 0).toString(16).padStart(8, '0')} lies beyond +-2^53, which this CPU model does not represent`,
    );
  }
  return h * 4294967296 + (lo >>> 0);
}

/** Reduces an integer Number modulo 2^64 into the signed range (exact for |v| < 2^53). */
export function wrap64(v: number): number {
  const m = 18446744073709551616;
  v = v % m;
  if (v >= 9223372036854775808) v -= m;
  if (v < -9223372036854775808) v += m;
  return v;
}
