/**
 * Architectural constants of x86-64 (control-register and EFER bits, exception vectors) and small numeric
 * helpers. A leaf module: the instruction handlers import it, so it must not import the CPU.
 */
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

/** TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT FSGSBASE PCIDE OSXSAVE SMEP */
export const CR4_SUPPORTED =
  0x4 | 0x8 | CR4_PSE | CR4_PAE | 0x40 | CR4_PGE | 0x100 | CR4_OSFXSR | 0x400 | CR4_FSGSBASE | CR4_PCIDE | CR4_OSXSAVE |
  CR4_SMEP;

/** Reduces an integer Number modulo 2^64 into the signed range (exact for |v| < 2^53). */
export function wrap64(v: number): number {
  const m = 18446744073709551616;
  v = v % m;
  if (v >= 9223372036854775808) v -= m;
  if (v < -9223372036854775808) v += m;
  return v;
}
