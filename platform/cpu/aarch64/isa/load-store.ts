/**
 * A64 loads and stores: every addressing mode (unsigned offset, unscaled, pre/post-index, register offset,
 * literal, unprivileged), pairs, exclusives with the local monitor, load-acquire/store-release, Armv8.1 LSE
 * atomics (CAS, CASP, LDADD/LDCLR/LDEOR/LDSET/LD{S,U}{MAX,MIN}, SWP), PRFM, and the scalar SIMD&FP register
 * forms (B/H/S/D/Q). The transfer itself (`o.mem`) is picked at decode time from size and signedness.
 */
import type { Aarch64Cpu } from '../cpu.js';
import type { DecodedOp, InsnSpec, MemFn } from '../decoder.js';
import { R, addc64 } from '../int64.js';
import { sext, undefinedExec } from './common.js';
import { extendReg } from './data-processing.js';

const TWO32 = 4294967296;

// ---- transfers (general registers) ----------------------------------------------------------------------------

const st8: MemFn = (c, o, va) => c.write8(va, c.x[o.rt]! & 0xff);
const st16: MemFn = (c, o, va) => c.write16(va, c.x[o.rt]! & 0xffff);
const st32: MemFn = (c, o, va) => c.write32(va, c.x[o.rt]!);
const st64: MemFn = (c, o, va) => c.write64(va, c.x[o.rt]!, c.x[o.rt + 1]!);
const ld8: MemFn = (c, o, va) => c.setX(o.rt, c.read8(va), 0);
const ld16: MemFn = (c, o, va) => c.setX(o.rt, c.read16(va), 0);
const ld32: MemFn = (c, o, va) => c.setX(o.rt, c.read32(va), 0);
const ld64: MemFn = (c, o, va) => { c.read64(va); c.setX(o.rt, c.mlo, c.mhi); };
const lds8x: MemFn = (c, o, va) => { const v = (c.read8(va) << 24) >> 24; c.setX(o.rt, v, v >> 31); };
const lds16x: MemFn = (c, o, va) => { const v = (c.read16(va) << 16) >> 16; c.setX(o.rt, v, v >> 31); };
const lds32x: MemFn = (c, o, va) => { const v = c.read32(va); c.setX(o.rt, v, v >> 31); };
const lds8w: MemFn = (c, o, va) => c.setX(o.rt, (c.read8(va) << 24) >> 24, 0);
const lds16w: MemFn = (c, o, va) => c.setX(o.rt, (c.read16(va) << 16) >> 16, 0);
const prefetch: MemFn = () => {};

// ---- transfers (SIMD&FP registers) -----------------------------------------------------------------------------

function vstore(size: number): MemFn {
  return (c, o, va) => {
    if (c.fpTrap) { c.fpAccessTrap(); return; }
    const v = c.v, b = o.vt * 4;
    switch (size) {
      case 0: c.write8(va, v[b]! & 0xff); return;
      case 1: c.write16(va, v[b]! & 0xffff); return;
      case 2: c.write32(va, v[b]!); return;
      case 3: c.write64(va, v[b]!, v[b + 1]!); return;
      default:
        c.translateData(va + 15, true);
        c.write64(va, v[b]!, v[b + 1]!);
        c.write64(va + 8, v[b + 2]!, v[b + 3]!);
    }
  };
}

function vload(size: number): MemFn {
  return (c, o, va) => {
    if (c.fpTrap) { c.fpAccessTrap(); return; }
    const v = c.v, b = o.vt * 4;
    let w0 = 0, w1 = 0, w2 = 0, w3 = 0;
    switch (size) {
      case 0: w0 = c.read8(va); break;
      case 1: w0 = c.read16(va); break;
      case 2: w0 = c.read32(va); break;
      case 3: c.read64(va); w0 = c.mlo; w1 = c.mhi; break;
      default:
        c.read64(va + 8); w2 = c.mlo; w3 = c.mhi;
        c.read64(va); w0 = c.mlo; w1 = c.mhi;
    }
    v[b] = w0; v[b + 1] = w1; v[b + 2] = w2; v[b + 3] = w3;
  };
}
const VSTORE = [0, 1, 2, 3, 4].map(vstore);
const VLOAD = [0, 1, 2, 3, 4].map(vload);

const STORE = [st8, st16, st32, st64];
const LOAD = [ld8, ld16, ld32, ld64];

/**
 * Picks the transfer for general-register forms from size (31:30) and opc (23:22); false = unallocated.
 * `prfmAllowed` is false for the writeback and unprivileged forms (where size 11 / opc 10 is unallocated).
 */
function pickGeneral(o: DecodedOp, prfmAllowed: boolean): boolean {
  const size = o.size, opc = o.l;
  o.scale = size;
  switch (opc) {
    case 0: o.mem = STORE[size]!; return true;
    case 1: o.mem = LOAD[size]!; return true;
    case 2:
      if (size === 3) { o.mem = prefetch; return prfmAllowed; }
      o.mem = size === 0 ? lds8x : size === 1 ? lds16x : lds32x;
      return true;
    default:
      if (size >= 2) return false;
      o.mem = size === 0 ? lds8w : lds16w;
      return true;
  }
}

/** SIMD&FP forms: size:opc<1> selects B/H/S/D/Q, opc<0> load/store. */
function pickVector(o: DecodedOp): boolean {
  const scale = ((o.l & 2) << 1) | o.size;
  if (scale > 4) return false;
  o.scale = scale;
  o.mem = o.l & 1 ? VLOAD[scale]! : VSTORE[scale]!;
  return true;
}

// ---- addressing modes --------------------------------------------------------------------------------------------

function base(c: Aarch64Cpu, n: number): number {
  const x = c.x;
  return x[n + 1]! * TWO32 + (x[n]! >>> 0);
}

function writeback(c: Aarch64Cpu, n: number, va: number): void {
  const hi = Math.floor(va / TWO32);
  const x = c.x;
  x[n] = (va - hi * TWO32) | 0;
  x[n + 1] = hi | 0;
  x[62] = 0;
  x[63] = 0;
}

function offsetMode(c: Aarch64Cpu, o: DecodedOp): void {
  o.mem(c, o, base(c, o.rn) + o.aux);
}

function preIndex(c: Aarch64Cpu, o: DecodedOp): void {
  const va = base(c, o.rn) + o.aux;
  o.mem(c, o, va);
  writeback(c, o.rn, va);
}

function postIndex(c: Aarch64Cpu, o: DecodedOp): void {
  const va = base(c, o.rn);
  o.mem(c, o, va);
  writeback(c, o.rn, va + o.aux);
}

function unprivileged(c: Aarch64Cpu, o: DecodedOp): void {
  c.setUnprivileged(true);
  try {
    o.mem(c, o, base(c, o.rn) + o.aux);
  } finally {
    c.setUnprivileged(false);
  }
}

function registerOffset(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  extendReg(x[o.rm]!, x[o.rm + 1]!, o.opt, o.s ? o.scale : 0);
  o.mem(c, o, base(c, o.rn) + (R[1]! * TWO32 + (R[0]! >>> 0)));
}

function literal(c: Aarch64Cpu, o: DecodedOp): void {
  o.mem(c, o, c.pc + o.aux);
}

// ---- pairs ---------------------------------------------------------------------------------------------------------

function pair(c: Aarch64Cpu, o: DecodedOp, va: number): void {
  const x = c.x, t = o.rt, t2 = o.rt2;
  switch (o.imm3) {
    case 0: { // STP W
      c.write32(va, x[t]!);
      c.write32(va + 4, x[t2]!);
      return;
    }
    case 1: { // STP X
      if (((va & 0xfff) + 16) > 4096) c.translateData(va + 15, true);
      c.write64(va, x[t]!, x[t + 1]!);
      c.write64(va + 8, x[t2]!, x[t2 + 1]!);
      return;
    }
    case 2: { // LDP W
      const a = c.read32(va), b = c.read32(va + 4);
      c.setX(t, a, 0); c.setX(t2, b, 0);
      return;
    }
    case 3: { // LDP X
      c.read64(va); const alo = c.mlo, ahi = c.mhi;
      c.read64(va + 8);
      c.setX(t, alo, ahi); c.setX(t2, c.mlo, c.mhi);
      return;
    }
    case 4: { // LDPSW
      const a = c.read32(va), b = c.read32(va + 4);
      c.setX(t, a, a >> 31); c.setX(t2, b, b >> 31);
      return;
    }
  }
}

function vpair(c: Aarch64Cpu, o: DecodedOp, va: number): void {
  if (c.fpTrap) { c.fpAccessTrap(); return; }
  const step = 1 << o.scale;
  const t1 = o.vt, t2 = o.vt2;
  if (o.l) {
    // Read both before writing either register so a fault leaves them unchanged.
    if (o.scale === 4) c.translateData(va + 31, false);
    const load = VLOAD[o.scale]!;
    load(c, o, va);
    o.vt = t2;
    try { load(c, o, va + step); } finally { o.vt = t1; }
  } else {
    c.translateData(va + 2 * step - 1, true);
    const store = VSTORE[o.scale]!;
    store(c, o, va);
    o.vt = t2;
    try { store(c, o, va + step); } finally { o.vt = t1; }
  }
}

function prepPair(o: DecodedOp): boolean {
  // z = opc (31:30), L = load
  if (o.size === 3) return false;
  if (o.size === 1 && !o.l) return false; // STGP (MTE) is not in this architecture version
  o.imm3 = o.size === 0 ? (o.l ? 2 : 0) : o.size === 2 ? (o.l ? 3 : 1) : 4;
  o.scale = o.size === 2 ? 3 : 2;
  o.aux = sext(o.imm, 7) << o.scale;
  return true;
}

function prepVPair(o: DecodedOp): boolean {
  if (o.size === 3) return false;
  o.scale = 2 + o.size;
  o.aux = sext(o.imm, 7) * (1 << o.scale);
  return true;
}

const pairOffset = (c: Aarch64Cpu, o: DecodedOp): void => pair(c, o, base(c, o.rn) + o.aux);
const pairPre = (c: Aarch64Cpu, o: DecodedOp): void => { const va = base(c, o.rn) + o.aux; pair(c, o, va); writeback(c, o.rn, va); };
const pairPost = (c: Aarch64Cpu, o: DecodedOp): void => { const va = base(c, o.rn); pair(c, o, va); writeback(c, o.rn, va + o.aux); };
const vpairOffset = (c: Aarch64Cpu, o: DecodedOp): void => vpair(c, o, base(c, o.rn) + o.aux);
const vpairPre = (c: Aarch64Cpu, o: DecodedOp): void => { const va = base(c, o.rn) + o.aux; vpair(c, o, va); writeback(c, o.rn, va); };
const vpairPost = (c: Aarch64Cpu, o: DecodedOp): void => { const va = base(c, o.rn); vpair(c, o, va); writeback(c, o.rn, va + o.aux); };

// ---- exclusives and ordered ------------------------------------------------------------------------------------------

function checkAlign(c: Aarch64Cpu, va: number, bytes: number, write: boolean): void {
  if ((va & (bytes - 1)) !== 0) c.abort(va, write ? 1 : 0, 0x21, false);
}

function loadExclusive(c: Aarch64Cpu, o: DecodedOp): void {
  const va = base(c, o.rn);
  const bytes = 1 << o.size;
  checkAlign(c, va, o.op2 ? bytes * 2 : bytes, false);
  const pa = c.translateData(va, false);
  if (o.op2) {
    if (o.size === 3) {
      c.read64(va); const lo = c.mlo, hi = c.mhi;
      c.read64(va + 8);
      c.setX(o.rt, lo, hi); c.setX(o.rt2, c.mlo, c.mhi);
    } else {
      const a = c.read32(va), b = c.read32(va + 4);
      c.setX(o.rt, a, 0); c.setX(o.rt2, b, 0);
    }
    c.exclusiveSize = bytes * 2;
  } else {
    LOAD[o.size]!(c, o, va);
    c.exclusiveSize = bytes;
  }
  c.exclusiveAddr = pa;
}

function storeExclusive(c: Aarch64Cpu, o: DecodedOp): void {
  const va = base(c, o.rn);
  const bytes = (1 << o.size) * (o.op2 ? 2 : 1);
  checkAlign(c, va, bytes, true);
  const pa = c.translateData(va, true);
  const ok = c.exclusiveAddr === pa && c.exclusiveSize === bytes;
  c.exclusiveAddr = -1;
  if (ok) {
    if (o.op2) {
      const x = c.x;
      if (o.size === 3) { c.write64(va, x[o.rt]!, x[o.rt + 1]!); c.write64(va + 8, x[o.rt2]!, x[o.rt2 + 1]!); } else { c.write32(va, x[o.rt]!); c.write32(va + 4, x[o.rt2]!); }
    } else {
      STORE[o.size]!(c, o, va);
    }
  }
  c.setX(o.rs, ok ? 0 : 1, 0);
}

function loadAcquire(c: Aarch64Cpu, o: DecodedOp): void {
  LOAD[o.size]!(c, o, base(c, o.rn));
}

function storeRelease(c: Aarch64Cpu, o: DecodedOp): void {
  STORE[o.size]!(c, o, base(c, o.rn));
}

// ---- LSE atomics --------------------------------------------------------------------------------------------------

/** Reads `size` bytes at va into lo/hi (zero-extended). */
function readSized(c: Aarch64Cpu, va: number, size: number): void {
  switch (size) {
    case 0: c.mlo = c.read8(va); c.mhi = 0; return;
    case 1: c.mlo = c.read16(va); c.mhi = 0; return;
    case 2: c.mlo = c.read32(va); c.mhi = 0; return;
    default: c.read64(va);
  }
}

function writeSized(c: Aarch64Cpu, va: number, size: number, lo: number, hi: number): void {
  switch (size) {
    case 0: c.write8(va, lo & 0xff); return;
    case 1: c.write16(va, lo & 0xffff); return;
    case 2: c.write32(va, lo); return;
    default: c.write64(va, lo, hi);
  }
}

/** Compares a and b as `size`-byte integers; returns <0, 0, >0. */
function compareSized(alo: number, ahi: number, blo: number, bhi: number, size: number, signed: boolean): number {
  if (size < 3) {
    const sh = 32 - (8 << size);
    const a = signed ? (alo << sh) >> sh : size === 2 ? alo >>> 0 : alo & ((1 << (8 << size)) - 1);
    const b = signed ? (blo << sh) >> sh : size === 2 ? blo >>> 0 : blo & ((1 << (8 << size)) - 1);
    return a - b;
  }
  const ah = signed ? ahi : ahi >>> 0, bh = signed ? bhi : bhi >>> 0;
  if (ah !== bh) return ah - bh;
  return (alo >>> 0) - (blo >>> 0);
}

function atomic(c: Aarch64Cpu, o: DecodedOp): void {
  if (!c.model.lse) { c.undefinedInstruction(); return; }
  const va = base(c, o.rn);
  const size = o.size;
  checkAlign(c, va, 1 << size, true);
  c.translateData(va, true);
  readSized(c, va, size);
  const olo = c.mlo, ohi = c.mhi;
  const x = c.x;
  const slo = x[o.rs]!, shi = size === 3 ? x[o.rs + 1]! : 0;
  let nlo: number, nhi: number;
  switch (o.imm3) {
    case 0: addc64(olo, ohi, slo, shi, 0); nlo = R[0]!; nhi = R[1]!; break; // LDADD
    case 1: nlo = olo & ~slo; nhi = ohi & ~shi; break; // LDCLR
    case 2: nlo = olo ^ slo; nhi = ohi ^ shi; break; // LDEOR
    case 3: nlo = olo | slo; nhi = ohi | shi; break; // LDSET
    case 4: case 5: case 6: case 7: {
      const cmp = compareSized(olo, ohi, slo, shi, size, o.imm3 < 6);
      const takeOld = (o.imm3 & 1) === 0 ? cmp >= 0 : cmp <= 0; // MAX keeps the larger, MIN the smaller
      nlo = takeOld ? olo : slo; nhi = takeOld ? ohi : shi;
      break;
    }
    default: nlo = slo; nhi = shi; break; // SWP
  }
  writeSized(c, va, size, nlo, nhi);
  c.setX(o.rt, olo, size === 3 ? ohi : 0);
}

function cas(c: Aarch64Cpu, o: DecodedOp): void {
  if (!c.model.lse) { c.undefinedInstruction(); return; }
  const va = base(c, o.rn);
  const size = o.size;
  checkAlign(c, va, 1 << size, true);
  c.translateData(va, true);
  readSized(c, va, size);
  const olo = c.mlo, ohi = c.mhi;
  const x = c.x;
  if (compareSized(olo, ohi, x[o.rs]!, x[o.rs + 1]!, size, false) === 0) writeSized(c, va, size, x[o.rt]!, x[o.rt + 1]!);
  c.setX(o.rs, olo, size === 3 ? ohi : 0);
}

function casp(c: Aarch64Cpu, o: DecodedOp): void {
  if (!c.model.lse) { c.undefinedInstruction(); return; }
  const va = base(c, o.rn);
  const size = o.size === 1 ? 3 : 2;
  const bytes = 1 << size;
  checkAlign(c, va, bytes * 2, true);
  c.translateData(va, true);
  readSized(c, va, size); const alo = c.mlo, ahi = c.mhi;
  readSized(c, va + bytes, size); const blo = c.mlo, bhi = c.mhi;
  const x = c.x;
  const s = o.rs, s2 = o.rs + 2, t = o.rt, t2 = o.rt + 2;
  const eq = compareSized(alo, ahi, x[s]!, x[s + 1]!, size, false) === 0 && compareSized(blo, bhi, x[s2]!, x[s2 + 1]!, size, false) === 0;
  if (eq) { writeSized(c, va, size, x[t]!, x[t + 1]!); writeSized(c, va + bytes, size, x[t2]!, x[t2 + 1]!); }
  c.setX(s, alo, size === 3 ? ahi : 0);
  c.setX(s2, blo, size === 3 ? bhi : 0);
}

// ---- preparation helpers -----------------------------------------------------------------------------------------

const scaledImm12 = (o: DecodedOp): void => { o.aux = o.imm * (1 << o.scale); };
const imm9 = (o: DecodedOp): void => { o.aux = sext(o.imm, 9); };

function prepLiteral(o: DecodedOp): boolean {
  o.aux = sext(o.imm, 19) * 4;
  switch (o.size) {
    case 0: o.mem = ld32; return true;
    case 1: o.mem = ld64; return true;
    case 2: o.mem = lds32x; return true;
    default: o.mem = prefetch; return true;
  }
}

function prepVLiteral(o: DecodedOp): boolean {
  o.aux = sext(o.imm, 19) * 4;
  if (o.size === 3) return false;
  o.mem = VLOAD[o.size + 2]!;
  return true;
}

export const LOAD_STORE: InsnSpec[] = [
  // z = size, L = opc, t = Rt, N = Rn|SP
  { name: 'LDR/STR (unsigned offset)', pattern: 'zz111001 LL iiiiiiiiiiii NNNNN ttttt', exec: offsetMode, prepare: (o) => pickGeneral(o, true) && (scaledImm12(o), true) },
  { name: 'LDUR/STUR/PRFUM', pattern: 'zz111000 LL 0 iiiiiiiii 00 NNNNN ttttt', exec: offsetMode, prepare: (o) => pickGeneral(o, true) && (imm9(o), true) },
  { name: 'LDR/STR (post-index)', pattern: 'zz111000 LL 0 iiiiiiiii 01 NNNNN ttttt', exec: postIndex, prepare: (o) => pickGeneral(o, false) && (imm9(o), true) },
  { name: 'LDTR/STTR (unprivileged)', pattern: 'zz111000 LL 0 iiiiiiiii 10 NNNNN ttttt', exec: unprivileged, prepare: (o) => pickGeneral(o, false) && (imm9(o), true) },
  { name: 'LDR/STR (pre-index)', pattern: 'zz111000 LL 0 iiiiiiiii 11 NNNNN ttttt', exec: preIndex, prepare: (o) => pickGeneral(o, false) && (imm9(o), true) },
  { name: 'LDR/STR (register offset)', pattern: 'zz111000 LL 1 mmmmm ooo S 10 NNNNN ttttt', exec: registerOffset, prepare: (o) => (o.opt & 2) !== 0 && pickGeneral(o, true) },
  { name: 'LDR (literal) / LDRSW / PRFM', pattern: 'zz011000 iiiiiiiiiiiiiiiiiii ttttt', exec: literal, prepare: prepLiteral },

  // SIMD&FP register forms
  { name: 'LDR/STR SIMD&FP (unsigned offset)', pattern: 'zz111101 LL iiiiiiiiiiii NNNNN ggggg', exec: offsetMode, prepare: (o) => pickVector(o) && (scaledImm12(o), true) },
  { name: 'LDUR/STUR SIMD&FP', pattern: 'zz111100 LL 0 iiiiiiiii 00 NNNNN ggggg', exec: offsetMode, prepare: (o) => pickVector(o) && (imm9(o), true) },
  { name: 'LDR/STR SIMD&FP (post-index)', pattern: 'zz111100 LL 0 iiiiiiiii 01 NNNNN ggggg', exec: postIndex, prepare: (o) => pickVector(o) && (imm9(o), true) },
  { name: 'LDR/STR SIMD&FP (pre-index)', pattern: 'zz111100 LL 0 iiiiiiiii 11 NNNNN ggggg', exec: preIndex, prepare: (o) => pickVector(o) && (imm9(o), true) },
  { name: 'LDR/STR SIMD&FP (register offset)', pattern: 'zz111100 LL 1 mmmmm ooo S 10 NNNNN ggggg', exec: registerOffset, prepare: (o) => (o.opt & 2) !== 0 && pickVector(o) },
  { name: 'LDR SIMD&FP (literal)', pattern: 'zz011100 iiiiiiiiiiiiiiiiiii ggggg', exec: literal, prepare: prepVLiteral },

  // Pairs: z = opc, L = load
  { name: 'LDNP/STNP', pattern: 'zz101000 0 L iiiiiii uuuuu NNNNN ttttt', exec: pairOffset, prepare: (o) => o.size !== 1 && prepPair(o) },
  { name: 'LDP/STP (post-index)', pattern: 'zz101000 1 L iiiiiii uuuuu NNNNN ttttt', exec: pairPost, prepare: prepPair },
  { name: 'LDP/STP (offset)', pattern: 'zz101001 0 L iiiiiii uuuuu NNNNN ttttt', exec: pairOffset, prepare: prepPair },
  { name: 'LDP/STP (pre-index)', pattern: 'zz101001 1 L iiiiiii uuuuu NNNNN ttttt', exec: pairPre, prepare: prepPair },
  { name: 'LDNP/STNP SIMD&FP', pattern: 'zz101100 0 L iiiiiii GGGGG NNNNN ggggg', exec: vpairOffset, prepare: prepVPair },
  { name: 'LDP/STP SIMD&FP (post-index)', pattern: 'zz101100 1 L iiiiiii GGGGG NNNNN ggggg', exec: vpairPost, prepare: prepVPair },
  { name: 'LDP/STP SIMD&FP (offset)', pattern: 'zz101101 0 L iiiiiii GGGGG NNNNN ggggg', exec: vpairOffset, prepare: prepVPair },
  { name: 'LDP/STP SIMD&FP (pre-index)', pattern: 'zz101101 1 L iiiiiii GGGGG NNNNN ggggg', exec: vpairPre, prepare: prepVPair },

  // Exclusives, ordered, compare-and-swap: p = o2 (bit 23), L = load (22), P = o1 (21), S = o0 (15)
  { name: 'STXR/STLXR', pattern: 'zz0010000 0 0 sssss S uuuuu NNNNN ttttt', exec: storeExclusive, prepare: (o) => { o.op2 = 0; } },
  { name: 'LDXR/LDAXR', pattern: 'zz0010000 1 0 ..... S ..... NNNNN ttttt', exec: loadExclusive, prepare: (o) => { o.op2 = 0; } },
  { name: 'STXP/STLXP', pattern: '1z0010000 0 1 sssss S uuuuu NNNNN ttttt', exec: storeExclusive, prepare: (o) => { o.size |= 2; o.op2 = 1; } },
  { name: 'LDXP/LDAXP', pattern: '1z0010000 1 1 ..... S uuuuu NNNNN ttttt', exec: loadExclusive, prepare: (o) => { o.size |= 2; o.op2 = 1; } },
  { name: 'CASP', pattern: '0z0010000 L 1 sssss S 11111 NNNNN ttttt', exec: casp, prepare: (o) => ((o.rs | o.rt) & 2) === 0 },
  { name: 'STLR/STLLR', pattern: 'zz0010001 0 0 ..... S ..... NNNNN ttttt', exec: storeRelease },
  { name: 'LDAR/LDLAR', pattern: 'zz0010001 1 0 ..... S ..... NNNNN ttttt', exec: loadAcquire },
  { name: 'CAS', pattern: 'zz0010001 L 1 sssss S 11111 NNNNN ttttt', exec: cas },

  // LSE atomic memory operations: p = A, P = R, k = o3:opc (4 bits)
  { name: 'LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/LDUMIN/SWP', pattern: 'zz111000 p P 1 sssss kkkk 00 NNNNN ttttt', exec: atomic, prepare: (o) => o.imm3 <= 8 },

  // The remaining general-register load/store encodings (op0 x1x0 with V = 0) are unallocated.
  { name: 'unallocated (load/store)', pattern: '....100. ........................', exec: undefinedExec, ends: true },
];
