/**
 * A64 SIMD&FP data processing: the integer vector operations compilers emit for memcpy/memset/string/checksum
 * code (DUP, INS, UMOV/SMOV, MOVI/MVNI/ORR/BIC immediate, three-same arithmetic/compare/logic, two-register
 * misc, across-lanes reductions, EXT, TBL/TBX, shifts by immediate, ZIP/UZP/TRN), and scalar floating point
 * (arithmetic, FMA, compare, select, conversions, FMOV) with FPCR.DN/FZ ignored and FPSR cumulative flags for
 * invalid operation, divide by zero and inexact conversions. Rounding: round-to-nearest-even only (FPCR.RMode
 * other than RN is reported as not implemented when an instruction would depend on it).
 * Every exec first honours the CPACR_EL1/CPTR_EL2 FP traps.
 */
import type { Aarch64Cpu } from '../cpu.js';
import type { DecodedOp, ExecFn, InsnSpec } from '../decoder.js';
import { COND_TABLE } from './common.js';
import { R, addc64, lsl64, mul64 } from '../int64.js';

const TWO32 = 4294967296;
const TMP = new Int32Array(8);
const TMPB = new Uint8Array(TMP.buffer);
const F64 = new Float64Array(1);
const F64W = new Int32Array(F64.buffer);
const F32 = new Float32Array(1);
const F32W = new Int32Array(F32.buffer);

const FPSR_IOC = 1, FPSR_DZC = 2, FPSR_IXC = 16;

function guard(fn: ExecFn): ExecFn {
  return (c, o) => {
    if (c.fpTrap) { c.fpAccessTrap(); return; }
    fn(c, o);
  };
}

// ---- element access -------------------------------------------------------------------------------------------

function getU(c: Aarch64Cpu, reg: number, size: number, i: number): number {
  switch (size) {
    case 0: return c.vb[reg * 16 + i]!;
    case 1: return c.vh[reg * 8 + i]!;
    default: return c.v[reg * 4 + i]! >>> 0;
  }
}

function getS(c: Aarch64Cpu, reg: number, size: number, i: number): number {
  switch (size) {
    case 0: return (c.vb[reg * 16 + i]! << 24) >> 24;
    case 1: return (c.vh[reg * 8 + i]! << 16) >> 16;
    default: return c.v[reg * 4 + i]! | 0;
  }
}

function setE(c: Aarch64Cpu, reg: number, size: number, i: number, val: number): void {
  switch (size) {
    case 0: c.vb[reg * 16 + i] = val; return;
    case 1: c.vh[reg * 8 + i] = val; return;
    default: c.v[reg * 4 + i] = val; return;
  }
}

function clearHigh(c: Aarch64Cpu, reg: number, q: number): void {
  if (!q) { c.v[reg * 4 + 2] = 0; c.v[reg * 4 + 3] = 0; }
}

/** Sets scalar register to a 32-bit pattern, zeroing the rest. */
function setS32(c: Aarch64Cpu, reg: number, bits: number): void {
  const b = reg * 4;
  c.v[b] = bits; c.v[b + 1] = 0; c.v[b + 2] = 0; c.v[b + 3] = 0;
}

function setD64(c: Aarch64Cpu, reg: number, lo: number, hi: number): void {
  const b = reg * 4;
  c.v[b] = lo; c.v[b + 1] = hi; c.v[b + 2] = 0; c.v[b + 3] = 0;
}

// ---- DUP, INS, UMOV/SMOV --------------------------------------------------------------------------------------

/** imm5 -> element size (lowest set bit) and index */
function prepImm5(o: DecodedOp): boolean {
  const imm5 = o.imm;
  if ((imm5 & 0xf) === 0) { o.size = -1; return true; } // reserved: UNDEFINED at execution
  const size = 31 - Math.clz32(imm5 & -imm5);
  o.size = size;
  o.aux = imm5 >>> (size + 1);
  return true;
}

const dupGeneral = guard((c, o) => {
  if (o.size < 0) { c.undefinedInstruction(); return; }
  const x = c.x;
  const d = o.vd, size = o.size;
  if (size === 3) {
    if (!o.q) { c.undefinedInstruction(); return; }
    const lo = x[o.rn]!, hi = x[o.rn + 1]!;
    const b = d * 4;
    c.v[b] = lo; c.v[b + 1] = hi; c.v[b + 2] = lo; c.v[b + 3] = hi;
    return;
  }
  const val = x[o.rn]!;
  const n = (o.q ? 16 : 8) >> size;
  for (let i = 0; i < n; i++) setE(c, d, size, i, val);
  clearHigh(c, d, o.q);
});

const dupElement = guard((c, o) => {
  const size = o.size, d = o.vd;
  if (size < 0 || (size === 3 && !o.q)) { c.undefinedInstruction(); return; }
  if (size === 3) {
    const s = o.vn * 4 + o.aux * 2;
    const lo = c.v[s]!, hi = c.v[s + 1]!;
    const b = d * 4;
    c.v[b] = lo; c.v[b + 1] = hi; c.v[b + 2] = o.q ? lo : 0; c.v[b + 3] = o.q ? hi : 0;
    return;
  }
  const val = getU(c, o.vn, size, o.aux);
  const n = (o.q ? 16 : 8) >> size;
  for (let i = 0; i < n; i++) setE(c, d, size, i, val);
  clearHigh(c, d, o.q);
});

const insGeneral = guard((c, o) => {
  if (o.size < 0) { c.undefinedInstruction(); return; }
  const x = c.x;
  if (o.size === 3) { const b = o.vd * 4 + o.aux * 2; c.v[b] = x[o.rn]!; c.v[b + 1] = x[o.rn + 1]!; return; }
  setE(c, o.vd, o.size, o.aux, x[o.rn]!);
});

const insElement = guard((c, o) => {
  const size = o.size;
  if (size < 0) { c.undefinedInstruction(); return; }
  const src = o.imm2 >>> size; // imm4 holds the source index in its top bits
  if (size === 3) {
    const s = o.vn * 4 + src * 2, b = o.vd * 4 + o.aux * 2;
    const lo = c.v[s]!, hi = c.v[s + 1]!;
    c.v[b] = lo; c.v[b + 1] = hi;
    return;
  }
  setE(c, o.vd, size, o.aux, getU(c, o.vn, size, src));
});

const umov = guard((c, o) => {
  if (o.size < 0 || (o.size === 3) !== (o.q === 1)) { c.undefinedInstruction(); return; }
  if (o.size === 3) { const s = o.vn * 4 + o.aux * 2; c.setX(o.rd, c.v[s]!, c.v[s + 1]!); return; }
  c.setX(o.rd, getU(c, o.vn, o.size, o.aux) | 0, 0);
});

const smov = guard((c, o) => {
  if (o.size < 0 || o.size >= 2 + o.q) { c.undefinedInstruction(); return; }
  const v = getS(c, o.vn, o.size, o.aux);
  if (o.q) c.setX(o.rd, v, v >> 31); else c.setX(o.rd, v, 0);
});

// ---- modified immediate (MOVI, MVNI, ORR, BIC, FMOV vector) -----------------------------------------------------

function prepModImm(o: DecodedOp): boolean {
  const cmode = o.opt, op = o.op, imm8 = o.imm;
  // AdvSIMDExpandImm into klo/khi (64-bit pattern, replicated to 128 for Q)
  let lo = 0, hi = 0;
  const rep32 = (v: number): void => { lo = v; hi = v; };
  switch (cmode >> 1) {
    case 0: rep32(imm8); break;
    case 1: rep32(imm8 << 8); break;
    case 2: rep32(imm8 << 16); break;
    case 3: rep32(imm8 << 24); break;
    case 4: rep32((imm8 | (imm8 << 16)) & 0x00ff00ff); break;
    case 5: rep32(((imm8 << 8) | (imm8 << 24)) | 0); break;
    case 6: rep32(cmode & 1 ? (imm8 << 16) | 0xffff : (imm8 << 8) | 0xff); break;
    default:
      if ((cmode & 1) === 0 && op === 0) { const b = imm8 * 0x01010101; rep32(b | 0); break; }
      if ((cmode & 1) === 0 && op === 1) {
        for (let i = 0; i < 4; i++) if (imm8 & (1 << i)) lo |= 0xff << (8 * i);
        for (let i = 0; i < 4; i++) if (imm8 & (1 << (i + 4))) hi |= 0xff << (8 * i);
        break;
      }
      if (op === 0) { // FMOV (vector, single)
        const a = (imm8 >> 7) & 1, b = (imm8 >> 6) & 1;
        const bits = (a << 31) | ((b ? 0x1f : 0x20) << 25) | ((imm8 & 0x3f) << 19);
        rep32(bits);
        break;
      }
      if (!o.q) { o.aux = -1; return true; } // FMOV (vector, double) needs Q = 1: UNDEFINED
      { // FMOV (vector, double)
        const a = (imm8 >> 7) & 1, b = (imm8 >> 6) & 1;
        hi = (a << 31) | ((b ? 0xff : 0x100) << 22) | ((imm8 & 0x3f) << 16);
        lo = 0;
      }
  }
  o.klo = lo | 0;
  o.khi = hi | 0;
  if (o.aux === -1) return true;
  // aux: 0 MOVI, 1 MVNI, 2 ORR, 3 BIC
  const shifting = cmode < 12;
  const logicalForm = (cmode < 8 && (cmode & 1) === 1) || (cmode >= 8 && cmode < 12 && (cmode & 1) === 1);
  if (logicalForm) o.aux = op ? 3 : 2;
  else if (op === 1 && (shifting || cmode === 12 || cmode === 13)) o.aux = 1;
  else o.aux = 0;
  return true;
}

const modImm = guard((c, o) => {
  if (o.aux < 0) { c.undefinedInstruction(); return; }
  const b = o.vd * 4, v = c.v;
  const lo = o.klo, hi = o.khi;
  switch (o.aux) {
    case 0: v[b] = lo; v[b + 1] = hi; v[b + 2] = o.q ? lo : 0; v[b + 3] = o.q ? hi : 0; break;
    case 1: v[b] = ~lo; v[b + 1] = ~hi; v[b + 2] = o.q ? ~lo : 0; v[b + 3] = o.q ? ~hi : 0; break;
    case 2: v[b] |= lo; v[b + 1] |= hi; if (o.q) { v[b + 2] |= lo; v[b + 3] |= hi; } else { v[b + 2] = 0; v[b + 3] = 0; } break;
    default: v[b] &= ~lo; v[b + 1] &= ~hi; if (o.q) { v[b + 2] &= ~lo; v[b + 3] &= ~hi; } else { v[b + 2] = 0; v[b + 3] = 0; } break;
  }
});

// ---- three same -----------------------------------------------------------------------------------------------------

const U_ = 32;
const OP3 = {
  ADD: 0x10, SUB: U_ | 0x10, CMTST: 0x11, CMEQ: U_ | 0x11, CMGT: 0x06, CMHI: U_ | 0x06, CMGE: 0x07, CMHS: U_ | 0x07,
  SMAX: 0x0c, UMAX: U_ | 0x0c, SMIN: 0x0d, UMIN: U_ | 0x0d, MUL: 0x13, ADDP: 0x17, SMAXP: 0x14, UMAXP: U_ | 0x14,
  SMINP: 0x15, MLA: 0x12, MLS: U_ | 0x12, UMINP: U_ | 0x15, LOGIC: 0x03, LOGICU: U_ | 0x03, UQSUB: U_ | 0x05, UQADD: U_ | 0x01, SSHL: 0x08, USHL: U_ | 0x08,
  UHADD: U_ | 0x00, URHADD: U_ | 0x02, SUBHN: 0, UABD: U_ | 0x0e, SABD: 0x0e,
} as const;

function lane64(c: Aarch64Cpu, o: DecodedOp): boolean {
  // 64-bit lanes for the operations that have them (ADD, SUB, CMEQ, CMTST, compares)
  const n = o.vn * 4, m = o.vm * 4, d = o.vd * 4, v = c.v;
  if (!o.q) return false;
  for (let e = 0; e < 2; e++) {
    const alo = v[n + 2 * e]!, ahi = v[n + 2 * e + 1]!, blo = v[m + 2 * e]!, bhi = v[m + 2 * e + 1]!;
    let rlo = 0, rhi = 0;
    switch (o.aux) {
      case OP3.ADD: { const l = (alo >>> 0) + (blo >>> 0); rlo = l | 0; rhi = (ahi + bhi + (l >= TWO32 ? 1 : 0)) | 0; break; }
      case OP3.SUB: { const l = (alo >>> 0) - (blo >>> 0); rlo = l | 0; rhi = (ahi - bhi - (l < 0 ? 1 : 0)) | 0; break; }
      case OP3.CMEQ: rlo = rhi = alo === blo && ahi === bhi ? -1 : 0; break;
      case OP3.CMTST: rlo = rhi = (alo & blo) | (ahi & bhi) ? -1 : 0; break;
      case OP3.CMGT: rlo = rhi = ahi > bhi || (ahi === bhi && alo >>> 0 > blo >>> 0) ? -1 : 0; break;
      case OP3.CMGE: rlo = rhi = ahi > bhi || (ahi === bhi && alo >>> 0 >= blo >>> 0) ? -1 : 0; break;
      case OP3.CMHI: rlo = rhi = ahi >>> 0 > bhi >>> 0 || (ahi === bhi && alo >>> 0 > blo >>> 0) ? -1 : 0; break;
      case OP3.CMHS: rlo = rhi = ahi >>> 0 > bhi >>> 0 || (ahi === bhi && alo >>> 0 >= blo >>> 0) ? -1 : 0; break;
      case OP3.UQADD: {
        const l = (alo >>> 0) + (blo >>> 0);
        const h = (ahi >>> 0) + (bhi >>> 0) + (l >= TWO32 ? 1 : 0);
        if (h >= TWO32) { rlo = -1; rhi = -1; } else { rlo = l | 0; rhi = h | 0; }
        break;
      }
      case OP3.UQSUB: {
        const ge = ahi >>> 0 > bhi >>> 0 || (ahi === bhi && alo >>> 0 >= blo >>> 0);
        if (!ge) { rlo = 0; rhi = 0; } else { const l = (alo >>> 0) - (blo >>> 0); rlo = l | 0; rhi = (ahi - bhi - (l < 0 ? 1 : 0)) | 0; }
        break;
      }
      case OP3.ADDP: {
        const s = e === 0 ? n : m;
        const l = (v[s]! >>> 0) + (v[s + 2]! >>> 0);
        rlo = l | 0; rhi = (v[s + 1]! + v[s + 3]! + (l >= TWO32 ? 1 : 0)) | 0;
        break;
      }
      default: return false;
    }
    TMP[2 * e] = rlo; TMP[2 * e + 1] = rhi;
  }
  v[d] = TMP[0]!; v[d + 1] = TMP[1]!; v[d + 2] = TMP[2]!; v[d + 3] = TMP[3]!;
  return true;
}

const NO_64BIT_LANES = new Set<number>([OP3.MUL, OP3.MLA, OP3.MLS, OP3.SMAX, OP3.UMAX, OP3.SMIN, OP3.UMIN, OP3.SMAXP, OP3.UMAXP,
  OP3.SMINP, OP3.UMINP, OP3.UHADD, OP3.URHADD, OP3.UABD, OP3.SABD]);

const threeSame = guard((c, o) => {
  const size = o.size, op = o.aux;
  if (op === OP3.LOGIC || op === OP3.LOGICU) { logic3(c, o); return; }
  if (size === 3 && (!o.q || NO_64BIT_LANES.has(op))) { c.undefinedInstruction(); return; }
  if (size === 3) {
    if (!lane64(c, o)) c.stopWith({ kind: 'unimplemented', detail: `SIMD three-same op ${op.toString(16)} on 64-bit lanes (0x${(o.word >>> 0).toString(16)})` });
    return;
  }
  const n = o.vn, m = o.vm;
  const count = (o.q ? 16 : 8) >> size;
  const bits = 8 << size;
  const mask = bits === 32 ? -1 : (1 << bits) - 1;
  const pairwise = op === OP3.ADDP || op === OP3.SMAXP || op === OP3.UMAXP || op === OP3.SMINP || op === OP3.UMINP;
  for (let i = 0; i < count; i++) {
    let a: number, b: number;
    if (pairwise) {
      const half = count >> 1;
      const src = i < half ? n : m, j = (i < half ? i : i - half) * 2;
      const signed = op === OP3.SMAXP || op === OP3.SMINP;
      a = signed ? getS(c, src, size, j) : getU(c, src, size, j);
      b = signed ? getS(c, src, size, j + 1) : getU(c, src, size, j + 1);
    } else {
      a = getU(c, n, size, i); b = getU(c, m, size, i);
    }
    let r: number;
    switch (op) {
      case OP3.ADD: case OP3.ADDP: r = a + b; break;
      case OP3.SUB: r = a - b; break;
      case OP3.MUL: r = Math.imul(a, b); break;
      case OP3.MLA: r = getU(c, o.vd, size, i) + Math.imul(a, b); break;
      case OP3.MLS: r = getU(c, o.vd, size, i) - Math.imul(a, b); break;
      case OP3.CMEQ: r = a === b ? -1 : 0; break;
      case OP3.CMTST: r = (a & b) !== 0 ? -1 : 0; break;
      case OP3.CMHI: r = a > b ? -1 : 0; break;
      case OP3.CMHS: r = a >= b ? -1 : 0; break;
      case OP3.CMGT: r = getS(c, n, size, i) > getS(c, m, size, i) ? -1 : 0; break;
      case OP3.CMGE: r = getS(c, n, size, i) >= getS(c, m, size, i) ? -1 : 0; break;
      case OP3.UMAX: case OP3.UMAXP: case OP3.SMAXP: r = Math.max(a, b); break;
      case OP3.UMIN: case OP3.UMINP: case OP3.SMINP: r = Math.min(a, b); break;
      case OP3.SMAX: r = Math.max(getS(c, n, size, i), getS(c, m, size, i)); break;
      case OP3.SMIN: r = Math.min(getS(c, n, size, i), getS(c, m, size, i)); break;
      case OP3.UQADD: r = Math.min(a + b, bits === 32 ? 0xffffffff : mask); break;
      case OP3.UQSUB: r = Math.max(a - b, 0); break;
      case OP3.UHADD: r = Math.floor((a + b) / 2); break;
      case OP3.URHADD: r = Math.floor((a + b + 1) / 2); break;
      case OP3.UABD: r = Math.abs(a - b); break;
      case OP3.SABD: r = Math.abs(getS(c, n, size, i) - getS(c, m, size, i)); break;
      default:
        c.stopWith({ kind: 'unimplemented', detail: `SIMD three-same operation (U:opcode 0x${op.toString(16)}) in 0x${(o.word >>> 0).toString(16)}` });
        return;
    }
    setTmp(size, i, r);
  }
  copyTmp(c, o.vd, o.q);
});

function setTmp(size: number, i: number, r: number): void {
  switch (size) {
    case 0: TMPB[i] = r; return;
    case 1: TMPB[2 * i] = r; TMPB[2 * i + 1] = r >> 8; return;
    default: TMP[i] = r; return;
  }
}

function copyTmp(c: Aarch64Cpu, d: number, q: number): void {
  const b = d * 4;
  c.v[b] = TMP[0]!; c.v[b + 1] = TMP[1]!;
  c.v[b + 2] = q ? TMP[2]! : 0; c.v[b + 3] = q ? TMP[3]! : 0;
}

function logic3(c: Aarch64Cpu, o: DecodedOp): void {
  const n = o.vn * 4, m = o.vm * 4, d = o.vd * 4, v = c.v;
  const words = o.q ? 4 : 2;
  const sel = (o.aux === OP3.LOGICU ? 4 : 0) | o.size;
  for (let i = 0; i < words; i++) {
    const a = v[n + i]!, b = v[m + i]!, dd = v[d + i]!;
    let r: number;
    switch (sel) {
      case 0: r = a & b; break; // AND
      case 1: r = a & ~b; break; // BIC
      case 2: r = a | b; break; // ORR
      case 3: r = a | ~b; break; // ORN
      case 4: r = a ^ b; break; // EOR
      case 5: r = (dd & a) | (~dd & b); break; // BSL
      case 6: r = (a & b) | (dd & ~b); break; // BIT
      default: r = (a & ~b) | (dd & b); break; // BIF
    }
    TMP[i] = r;
  }
  for (let i = 0; i < words; i++) v[d + i] = TMP[i]!;
  if (!o.q) { v[d + 2] = 0; v[d + 3] = 0; }
}

// ---- two-register misc -------------------------------------------------------------------------------------------

/** Two-register misc encodings that are reserved for a size (and Q). */
function miscReserved(op: number, size: number, q: number): boolean {
  switch (op) {
    case 0x00: return size === 3; // REV64
    case U_ | 0x00: return size >= 2; // REV32
    case 0x01: return size >= 1; // REV16
    case 0x05: return size !== 0; // CNT
    case U_ | 0x05: return size >= 2; // NOT, RBIT
    case U_ | 0x04: case 0x04: return size === 3; // CLZ, CLS
    case 0x12: return size === 3; // XTN
    case 0x08: case U_ | 0x08: case 0x09: case U_ | 0x09: case 0x0a: case 0x0b: case U_ | 0x0b:
      return size === 3 && !q; // compares with zero, ABS, NEG
    default: return false;
  }
}

const twoMisc = guard((c, o) => {
  const size = o.size, n = o.vn, op = o.aux;
  if (miscReserved(op, size, o.q)) { c.undefinedInstruction(); return; }
  if (op === (U_ | 0x05) && size === 1) { // RBIT (vector): reverse the bits of each byte
    const bytes = o.q ? 16 : 8;
    for (let i = 0; i < bytes; i++) { let b = c.vb[n * 16 + i]!, r = 0; for (let k = 0; k < 8; k++) { r = (r << 1) | (b & 1); b >>= 1; } TMPB[i] = r; }
    copyTmp(c, o.vd, o.q);
    return;
  }
  if ((op & 0x1f) === 0x1b || (op & 0x1f) === 0x1d) { if (fpConvSimd(c, o, false)) return; }
  if ((op & 0x1f) >= 0x0f && fpVectorMisc(c, o)) return;
  const count = (o.q ? 16 : 8) >> size;
  if (op === (U_ | 0x05) && size === 0) { // NOT
    const b = n * 4, d = o.vd * 4;
    for (let i = 0; i < 4; i++) TMP[i] = ~c.v[b + i]!;
    copyTmp(c, o.vd, o.q);
    void d;
    return;
  }
  if (op === 0x12 && size < 3) { // XTN, XTN2
    const outCount = 8 >> size;
    for (let i = 0; i < outCount; i++) setTmp(size, i, size === 2 ? c.v[n * 4 + 2 * i]! : getU(c, n, size + 1, i));
    const b = o.vd * 4;
    if (o.q) { c.v[b + 2] = TMP[0]!; c.v[b + 3] = TMP[1]!; } else { c.v[b] = TMP[0]!; c.v[b + 1] = TMP[1]!; c.v[b + 2] = 0; c.v[b + 3] = 0; }
    return;
  }
  if (size === 3) {
    const v = c.v, b = n * 4;
    if (!o.q) { c.undefinedInstruction(); return; }
    for (let e = 0; e < 2; e++) {
      const lo = v[b + 2 * e]!, hi = v[b + 2 * e + 1]!;
      let r: boolean;
      switch (op) {
        case 0x09: r = (lo | hi) === 0; break; // CMEQ #0
        case 0x08: r = hi > 0 || (hi === 0 && lo !== 0); break; // CMGT #0
        case U_ | 0x08: r = hi >= 0; break; // CMGE #0
        case U_ | 0x09: r = hi < 0 || (lo | hi) === 0; break; // CMLE #0
        case 0x0a: r = hi < 0; break; // CMLT #0
        case 0x0b: case U_ | 0x0b: { // ABS, NEG
          const neg = op === (U_ | 0x0b) || hi < 0;
          if (neg) { const l = (~lo >>> 0) + 1; TMP[2 * e] = l | 0; TMP[2 * e + 1] = (~hi + (l >= TWO32 ? 1 : 0)) | 0; } else { TMP[2 * e] = lo; TMP[2 * e + 1] = hi; }
          continue;
        }
        default:
          c.stopWith({ kind: 'unimplemented', detail: `SIMD two-reg misc op 0x${op.toString(16)} on 64-bit lanes` });
          return;
      }
      TMP[2 * e] = TMP[2 * e + 1] = r ? -1 : 0;
    }
    copyTmp(c, o.vd, 1);
    return;
  }
  for (let i = 0; i < count; i++) {
    const a = getU(c, n, size, i), s = getS(c, n, size, i);
    let r: number;
    switch (op) {
      case 0x09: r = a === 0 ? -1 : 0; break; // CMEQ #0
      case 0x08: r = s > 0 ? -1 : 0; break; // CMGT #0
      case U_ | 0x08: r = s >= 0 ? -1 : 0; break; // CMGE #0
      case U_ | 0x09: r = s <= 0 ? -1 : 0; break; // CMLE #0
      case 0x0a: r = s < 0 ? -1 : 0; break; // CMLT #0
      case 0x0b: r = Math.abs(s); break; // ABS
      case U_ | 0x0b: r = -s; break; // NEG
      case 0x05: { let v = a, k = 0; while (v) { k += v & 1; v >>>= 1; } r = k; break; } // CNT
      case U_ | 0x04: r = Math.clz32(a) - (32 - (8 << size)); break; // CLZ
      case 0x04: r = Math.clz32((s ^ (s >> 31)) >>> 0) - (32 - (8 << size)) - 1; break; // CLS
      case 0x00: case U_ | 0x00: case 0x01: { // REV64, REV32, REV16: reverse elements within containers
        const container = op === 0x00 ? 8 : op === 0x01 ? 2 : 4; // bytes
        const per = container >> size;
        const base = i - (i % per);
        r = getU(c, n, size, base + (per - 1 - (i % per)));
        break;
      }
      default:
        c.stopWith({ kind: 'unimplemented', detail: `SIMD two-register misc operation (U:opcode 0x${op.toString(16)}) in 0x${(o.word >>> 0).toString(16)}` });
        return;
    }
    setTmp(size, i, r);
  }
  copyTmp(c, o.vd, o.q);
});

// ---- across lanes -------------------------------------------------------------------------------------------------

const acrossLanes = guard((c, o) => {
  const size = o.size, n = o.vn, op = o.aux;
  if (size === 3 || (size === 2 && !o.q)) { c.undefinedInstruction(); return; }
  const count = (o.q ? 16 : 8) >> size;
  let acc: number;
  switch (op) {
    case 0x1b: acc = 0; for (let i = 0; i < count; i++) acc += getU(c, n, size, i); break; // ADDV
    case U_ | 0x0a: acc = 0; for (let i = 0; i < count; i++) acc = Math.max(acc, getU(c, n, size, i)); break; // UMAXV
    case U_ | 0x1a: acc = Infinity; for (let i = 0; i < count; i++) acc = Math.min(acc, getU(c, n, size, i)); break; // UMINV
    case 0x0a: acc = -Infinity; for (let i = 0; i < count; i++) acc = Math.max(acc, getS(c, n, size, i)); break; // SMAXV
    case 0x1a: acc = Infinity; for (let i = 0; i < count; i++) acc = Math.min(acc, getS(c, n, size, i)); break; // SMINV
    case U_ | 0x03: { // UADDLV: result is twice the element size
      acc = 0; for (let i = 0; i < count; i++) acc += getU(c, n, size, i);
      setS32(c, o.vd, 0);
      if (size + 1 === 3) { c.v[o.vd * 4] = acc % TWO32 | 0; c.v[o.vd * 4 + 1] = Math.floor(acc / TWO32) | 0; } else setE(c, o.vd, size + 1, 0, acc);
      return;
    }
    default:
      c.stopWith({ kind: 'unimplemented', detail: `SIMD across-lanes operation 0x${op.toString(16)}` });
      return;
  }
  setS32(c, o.vd, 0);
  setE(c, o.vd, size, 0, acc);
});

// ---- permutes -----------------------------------------------------------------------------------------------------

const ext = guard((c, o) => {
  const bytes = o.q ? 16 : 8;
  const pos = o.imm;
  if (!o.q && pos >= 8) { c.undefinedInstruction(); return; }
  const n = o.vn * 16, m = o.vm * 16, vb = c.vb;
  for (let i = 0; i < bytes; i++) {
    const k = pos + i;
    TMPB[i] = k < bytes ? vb[n + k]! : vb[m + k - bytes]!;
  }
  copyTmp(c, o.vd, o.q);
});

const tbl = guard((c, o) => {
  const regs = o.imm + 1;
  const bytes = o.q ? 16 : 8;
  const vb = c.vb, m = o.vm * 16, d = o.vd * 16;
  for (let i = 0; i < bytes; i++) {
    const idx = vb[m + i]!;
    if (idx < regs * 16) TMPB[i] = vb[((o.vn + (idx >> 4)) % 32) * 16 + (idx & 15)]!;
    else TMPB[i] = o.op ? vb[d + i]! : 0; // TBX keeps the destination byte
  }
  copyTmp(c, o.vd, o.q);
});

const zipUzpTrn = guard((c, o) => {
  const size = o.size;
  const count = (o.q ? 16 : 8) >> size;
  const half = count >> 1;
  const n = o.vn, m = o.vm;
  if (size === 3 && !o.q) { c.undefinedInstruction(); return; }
  const el = (reg: number, i: number): number => getU(c, reg, size, i);
  const put = (i: number, v: number): void => {
    if (size === 3) return;
    setTmp(size, i, v);
  };
  if (size === 3) {
    // two 64-bit lanes: every form picks lane `part` of Vn and of Vm
    const part = o.aux & 4 ? 1 : 0;
    const v = c.v, nb = n * 4, mb = m * 4;
    let a0: number, a1: number, b0: number, b1: number;
    if ((o.aux & 3) === 3 || (o.aux & 3) === 2) { // ZIP, TRN: {Vn[part], Vm[part]}
      a0 = v[nb + 2 * part]!; a1 = v[nb + 2 * part + 1]!; b0 = v[mb + 2 * part]!; b1 = v[mb + 2 * part + 1]!;
    } else { // UZP: {Vn[part], Vm[part]} as well for 2 lanes
      a0 = v[nb + 2 * part]!; a1 = v[nb + 2 * part + 1]!; b0 = v[mb + 2 * part]!; b1 = v[mb + 2 * part + 1]!;
    }
    TMP[0] = a0; TMP[1] = a1; TMP[2] = b0; TMP[3] = b1;
    copyTmp(c, o.vd, 1);
    return;
  }
  const part = o.aux & 4 ? 1 : 0; // opcode bit 2: ZIP2/UZP2/TRN2
  switch (o.aux & 3) {
    case 1: for (let i = 0; i < count; i++) put(i, i < half ? el(n, 2 * i + part) : el(m, 2 * (i - half) + part)); break; // UZP
    case 2: for (let i = 0; i < count; i += 2) { put(i, el(n, i + part)); put(i + 1, el(m, i + part)); } break; // TRN
    default: for (let i = 0; i < half; i++) { put(2 * i, el(n, part * half + i)); put(2 * i + 1, el(m, part * half + i)); } break; // ZIP
  }
  copyTmp(c, o.vd, o.q);
});

// ---- shifts by immediate ------------------------------------------------------------------------------------------

function prepShiftImm(o: DecodedOp): boolean {
  const immh = o.imm >> 3;
  if (immh === 0) return false;
  const size = 31 - Math.clz32(immh);
  o.size = size;
  const esize = 8 << size;
  o.scale = o.imm - esize; // left shift amount
  o.klo = 2 * esize - o.imm; // right shift amount
  return true;
}

const shiftImm = guard((c, o) => {
  const size = o.size, n = o.vn, op = o.aux;
  if (op === 0x14 || op === (U_ | 0x14)) { // SSHLL/USHLL (UXTL/SXTL), SSHLL2/USHLL2
    if (size === 3) { c.undefinedInstruction(); return; }
    const cnt = 8 >> size;
    const first = o.q ? cnt : 0;
    for (let i = 0; i < cnt; i++) {
      const v = op === 0x14 ? getS(c, n, size, first + i) : getU(c, n, size, first + i);
      if (size === 2) { lsl64(v | 0, op === 0x14 ? v >> 31 : 0, o.scale); TMP[2 * i] = R[0]!; TMP[2 * i + 1] = R[1]!; } else setTmp(size + 1, i, v * Math.pow(2, o.scale));
    }
    copyTmp(c, o.vd, 1);
    return;
  }
  if (op === 0x10 && size < 3) { // SHRN: narrow from 2*esize
    const cnt = 8 >> size;
    const sh = o.klo;
    for (let i = 0; i < cnt; i++) {
      let v: number;
      if (size === 2) { const b = n * 4 + 2 * i; v = sh >= 32 ? c.v[b + 1]! >>> (sh - 32) : (c.v[b]! >>> sh) | (sh ? c.v[b + 1]! << (32 - sh) : 0); } else v = getU(c, n, size + 1, i) >>> sh;
      setTmp(size, i, v);
    }
    const b = o.vd * 4;
    if (o.q) { c.v[b + 2] = TMP[0]!; c.v[b + 3] = TMP[1]!; } else { c.v[b] = TMP[0]!; c.v[b + 1] = TMP[1]!; c.v[b + 2] = 0; c.v[b + 3] = 0; }
    return;
  }
  if (size === 3) {
    if (!o.q || op === 0x10) { c.undefinedInstruction(); return; }
    const v = c.v, b = n * 4;
    for (let e = 0; e < 2; e++) {
      let lo = v[b + 2 * e]!, hi = v[b + 2 * e + 1]!;
      if (op === (U_ | 0x02)) { // USRA: accumulate the unsigned shift
        const s = o.klo;
        if (s >= 64) { lo = 0; hi = 0; } else if (s >= 32) { lo = hi >>> (s - 32); hi = 0; } else if (s) { lo = (lo >>> s) | (hi << (32 - s)); hi = hi >>> s; }
        const d = o.vd * 4 + 2 * e;
        const l = (v[d]! >>> 0) + (lo >>> 0);
        TMP[2 * e] = l | 0; TMP[2 * e + 1] = (v[d + 1]! + hi + (l >= TWO32 ? 1 : 0)) | 0;
        continue;
      }
      switch (op) {
        case 0x0a: { const s = o.scale; if (s >= 32) { hi = lo << (s - 32); lo = 0; } else if (s) { hi = (hi << s) | (lo >>> (32 - s)); lo <<= s; } break; }
        case U_ | 0x00: case 0x00: {
          const s = o.klo;
          const signed = op === 0x00;
          if (s >= 64) { lo = signed ? hi >> 31 : 0; hi = signed ? hi >> 31 : 0; } else if (s >= 32) { lo = signed ? hi >> (s - 32) : hi >>> (s - 32); hi = signed ? hi >> 31 : 0; } else if (s) { lo = (lo >>> s) | (hi << (32 - s)); hi = signed ? hi >> s : hi >>> s; }
          break;
        }
        default:
          c.stopWith({ kind: 'unimplemented', detail: `SIMD shift-by-immediate op 0x${op.toString(16)} on 64-bit lanes` });
          return;
      }
      TMP[2 * e] = lo; TMP[2 * e + 1] = hi;
    }
    copyTmp(c, o.vd, 1);
    return;
  }
  const count = (o.q ? 16 : 8) >> size;
  const esize = 8 << size;
  for (let i = 0; i < count; i++) {
    let r: number;
    switch (op) {
      case 0x0a: r = getU(c, n, size, i) << o.scale; break; // SHL
      case U_ | 0x00: r = o.klo >= esize ? 0 : getU(c, n, size, i) >>> o.klo; break; // USHR
      case 0x00: r = getS(c, n, size, i) >> Math.min(o.klo, 31); break; // SSHR
      case U_ | 0x02: r = (c.vb[0] === undefined ? 0 : getU(c, o.vd, size, i)) + (o.klo >= esize ? 0 : getU(c, n, size, i) >>> o.klo); break; // USRA
      default:
        c.stopWith({ kind: 'unimplemented', detail: `SIMD shift-by-immediate operation 0x${op.toString(16)} in 0x${(o.word >>> 0).toString(16)}` });
        return;
    }
    setTmp(size, i, r);
  }
  copyTmp(c, o.vd, o.q);
});

// ---- scalar floating point ---------------------------------------------------------------------------------------

function getF(c: Aarch64Cpu, reg: number, dbl: boolean): number {
  return dbl ? c.vf64[reg * 2]! : c.vf32[reg * 4]!;
}

function setF(c: Aarch64Cpu, reg: number, dbl: boolean, v: number): void {
  if (dbl) { F64[0] = v; setD64(c, reg, F64W[0]!, F64W[1]!); } else { F32[0] = v; setS32(c, reg, F32W[0]!); }
}

function isSignalling(c: Aarch64Cpu, reg: number, dbl: boolean): boolean {
  const v = getF(c, reg, dbl);
  if (v === v) return false;
  return dbl ? (c.v[reg * 4 + 1]! & 0x80000) === 0 : (c.v[reg * 4]! & 0x400000) === 0;
}

function prepFpType(o: DecodedOp): boolean {
  // type: 00 single, 01 double (half precision and 11 are not implemented/allocated here)
  return o.size === 0 || o.size === 1;
}

const fpRoundingGuard = (c: Aarch64Cpu): boolean => {
  if ((c.fpcr >>> 22) & 3) {
    c.stopWith({ kind: 'unimplemented', detail: `FPCR.RMode ${(c.fpcr >>> 22) & 3} (only round-to-nearest is implemented)` });
    return false;
  }
  return true;
};

function negateReg(c: Aarch64Cpu, reg: number, dbl: boolean): void {
  c.v[reg * 4 + (dbl ? 1 : 0)] ^= 0x80000000;
}

/** Writes the default NaN (FPCR.DN result and the result of invalid operations). */
function setDefaultNaN(c: Aarch64Cpu, reg: number, dbl: boolean): void {
  if (dbl) setD64(c, reg, 0, 0x7ff80000); else setS32(c, reg, 0x7fc00000);
}

function nanKind(c: Aarch64Cpu, reg: number, dbl: boolean): number {
  // 0: not a NaN, 1: quiet NaN, 2: signalling NaN (raw bits, so payloads are kept)
  const b = reg * 4;
  if (dbl) {
    const hi = c.v[b + 1]!, lo = c.v[b]!;
    if ((hi & 0x7ff00000) !== 0x7ff00000 || ((hi & 0xfffff) | lo) === 0) return 0;
    return hi & 0x80000 ? 1 : 2;
  }
  const w = c.v[b]!;
  if ((w & 0x7f800000) !== 0x7f800000 || (w & 0x7fffff) === 0) return 0;
  return w & 0x400000 ? 1 : 2;
}

/** The NaN operand `src` made quiet (sign flipped when `neg`), or the default NaN under FPCR.DN. */
function setQuietNaN(c: Aarch64Cpu, dest: number, src: number, dbl: boolean, neg: boolean): void {
  if (c.fpcr & (1 << 25)) { setDefaultNaN(c, dest, dbl); return; }
  const b = src * 4;
  const flip = neg ? 0x80000000 : 0;
  if (dbl) setD64(c, dest, c.v[b]!, (c.v[b + 1]! | 0x80000) ^ flip); else setS32(c, dest, (c.v[b]! | 0x400000) ^ flip);
}

/**
 * FPProcessNaNs / FPProcessNaNs3: the first signalling NaN (made quiet, with Invalid Operation), else the
 * first quiet NaN, in operand order. `negMask` bit i flips the sign of operand i (FPNeg before the operation).
 * Returns false when no operand is a NaN.
 */
function processNaNs(c: Aarch64Cpu, dest: number, dbl: boolean, r0: number, r1: number, r2: number, negMask: number): boolean {
  const k0 = nanKind(c, r0, dbl), k1 = nanKind(c, r1, dbl), k2 = r2 < 0 ? 0 : nanKind(c, r2, dbl);
  if ((k0 | k1 | k2) === 0) return false;
  if (k0 === 2 || k1 === 2 || k2 === 2) {
    c.fpsr |= FPSR_IOC;
    if (k0 === 2) setQuietNaN(c, dest, r0, dbl, (negMask & 1) !== 0);
    else if (k1 === 2) setQuietNaN(c, dest, r1, dbl, (negMask & 2) !== 0);
    else setQuietNaN(c, dest, r2, dbl, (negMask & 4) !== 0);
    return true;
  }
  if (k0) setQuietNaN(c, dest, r0, dbl, (negMask & 1) !== 0);
  else if (k1) setQuietNaN(c, dest, r1, dbl, (negMask & 2) !== 0);
  else setQuietNaN(c, dest, r2, dbl, (negMask & 4) !== 0);
  return true;
}

const fp2 = guard((c, o) => {
  if (!fpRoundingGuard(c)) return;
  const dbl = o.size === 1;
  const a = getF(c, o.vn, dbl), b = getF(c, o.vm, dbl);
  if (o.aux > 8) { c.undefinedInstruction(); return; }
  if (a !== a || b !== b) {
    // FMAXNM/FMINNM: a single quiet NaN operand gives the other operand
    if (o.aux === 6 || o.aux === 7) {
      const ka = nanKind(c, o.vn, dbl), kb = nanKind(c, o.vm, dbl);
      if (ka === 1 && kb === 0) { setF(c, o.vd, dbl, b); return; }
      if (kb === 1 && ka === 0) { setF(c, o.vd, dbl, a); return; }
    }
    processNaNs(c, o.vd, dbl, o.vn, o.vm, -1, 0);
    if (o.aux === 8) negateReg(c, o.vd, dbl); // FNMUL = FPNeg(FPMul(...)), NaNs included
    return;
  }
  let r: number;
  switch (o.aux) {
    case 0: r = a * b; break;
    case 1: r = a / b; if (b === 0 && a === a && a !== 0 && Math.abs(a) !== Infinity) c.fpsr |= FPSR_DZC; break;
    case 2: r = a + b; break;
    case 3: r = a - b; break;
    case 4: r = a !== a || b !== b ? NaN : Math.max(a, b); break;
    case 5: r = a !== a || b !== b ? NaN : Math.min(a, b); break;
    case 6: r = a !== a ? b : b !== b ? a : Math.max(a, b); break; // FMAXNM
    case 7: r = a !== a ? b : b !== b ? a : Math.min(a, b); break; // FMINNM
    case 8: r = -(a * b); break;
    default: c.undefinedInstruction(); return;
  }
  if (r !== r) { c.fpsr |= FPSR_IOC; setDefaultNaN(c, o.vd, dbl); if (o.aux === 8) negateReg(c, o.vd, dbl); return; } // invalid operation
  // FMAX/FMIN of zeros of different sign: +0 for max, -0 for min (Math.max/min agree)
  const rounded = dbl ? r : Math.fround(r);
  if (o.aux <= 3 || o.aux === 8) flagInexact(c, o.aux, a, b, r, rounded, dbl);
  setF(c, o.vd, dbl, rounded);
});

const FPSR_OFC = 4;

/** Error of the double product a*b (Dekker): a*b = p + e exactly when no overflow/underflow. */
function productError(a: number, b: number, p: number): number {
  const SPLIT = 134217729;
  const ta = SPLIT * a, ah = ta - (ta - a), al = a - ah;
  const tb = SPLIT * b, bh = tb - (tb - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** FPSR.IXC / OFC for add, sub, mul, div, nmul: whether the rounded result differs from the exact one. */
function flagInexact(c: Aarch64Cpu, op: number, a: number, b: number, r: number, rounded: number, dbl: boolean): void {
  if (!isFinite(a) || !isFinite(b) || r !== r || (op === 1 && b === 0)) return;
  if (!isFinite(rounded)) { c.fpsr |= FPSR_OFC | FPSR_IXC; return; }
  let inexact: boolean;
  if (!dbl) {
    // single-precision results computed in double are correctly rounded (53 >= 2*24 + 2); the exact value
    // is representable iff the double result was exact and fits a single
    inexact = rounded !== r;
    if (!inexact && (op === 2 || op === 3)) { const y = op === 2 ? b : -b, bb = r - a; inexact = (a - (r - bb)) + (y - bb) !== 0; }
    if (!inexact && op === 1) inexact = productError(rounded, b, rounded * b) !== 0 || rounded * b !== a;
  } else {
    switch (op) {
      case 0: inexact = fmaInexact(a, b, 0, r); break;
      case 8: inexact = fmaInexact(a, b, 0, -r); break;
      case 1: inexact = fmaInexact(r, -b, a, 0); break; // exact iff a - r*b == 0
      case 2: { const bb = r - a; inexact = (a - (r - bb)) + (b - bb) !== 0; break; }
      default: { const nb = -b, bb = r - a; inexact = (a - (r - bb)) + (nb - bb) !== 0; break; }
    }
  }
  if (inexact) c.fpsr |= FPSR_IXC;
}

/**
 * a*b + c with a single rounding. The product is split exactly (Dekker), the three exact parts are summed with
 * error-free transformations and the last addition uses rounding to odd (Boldo and Melquiond), which makes the
 * final round-to-nearest correct. Exact while no intermediate overflows or underflows (|a|, |b| below about
 * 2^995 and the product's error term above the subnormal range); outside that range the result may differ in
 * the last bit.
 */
function fusedMulAdd(a: number, b: number, c: number): number {
  // Keep the exact splitting in range: scale huge factors down and tiny products up by powers of two.
  const BIG = 2 ** 995, SMALL = 2 ** -900;
  if (isFinite(a) && isFinite(b) && !isFinite(c) && c === c) return c; // finite product plus an infinity
  if ((a === 0 && isFinite(b)) || (b === 0 && isFinite(a))) return a * b + c; // exact zero product
  if (isFinite(a) && isFinite(b) && isFinite(c)) {
    if (Math.abs(a) > BIG) return fusedMulAdd(a * 2 ** -64, b, c * 2 ** -64) * 2 ** 64;
    if (Math.abs(b) > BIG) return fusedMulAdd(a, b * 2 ** -64, c * 2 ** -64) * 2 ** 64;
    const q = a * b;
    if (!isFinite(q)) return fusedMulAdd(a * 2 ** -64, b, c * 2 ** -64) * 2 ** 64; // the exact product is finite
    if (q === 0 && a !== 0 && b !== 0) {
      // |a*b| is below half the smallest subnormal: the sum rounds to the addend, or to a zero with the product's sign
      return c !== 0 ? c : (a < 0) !== (b < 0) ? -0 : 0;
    }
    if (q !== 0 && Math.abs(q) < SMALL) {
      // a tiny product: negligible next to a large addend, else scale everything up into range
      if (Math.abs(c) >= 2 ** 800) return c;
      return fusedMulAdd(a * 2 ** 128, b, c * 2 ** 128) * 2 ** -128;
    }
  }
  const p = a * b;
  if (!isFinite(p) || p === 0 || !isFinite(c) || c === 0) return p + c;
  const e = productError(a, b, p); // a*b = p + e
  const s1 = p + c;
  const bb = s1 - p;
  const e1 = (p - (s1 - bb)) + (c - bb); // p + c = s1 + e1
  if (!isFinite(s1)) return s1;
  return s1 + sumRoundToOdd(e1, e);
}

/** RO(x + y): the sum rounded to nearest, moved one ulp to the odd neighbour when it was inexact. */
function sumRoundToOdd(x: number, y: number): number {
  const z = x + y;
  const bb = z - x;
  const err = (x - (z - bb)) + (y - bb);
  if (err === 0 || !isFinite(z)) return z;
  F64[0] = z;
  let lo = F64W[0]!, hi = F64W[1]!;
  if ((lo & 1) !== 0) return z;
  if ((err > 0) === (z > 0)) { lo = (lo + 1) | 0; if (lo === 0) hi = (hi + 1) | 0; } else { if (lo === 0) hi = (hi - 1) | 0; lo = (lo - 1) | 0; }
  F64W[0] = lo;
  F64W[1] = hi;
  return F64[0]!;
}

const fp3 = guard((c, o) => {
  if (!fpRoundingGuard(c)) return;
  const dbl = o.size === 1;
  const n = getF(c, o.vn, dbl), m = getF(c, o.vm, dbl), a = getF(c, o.va, dbl);
  // operand negations of FMSUB (n), FNMADD (a, n), FNMSUB (a) apply before NaN propagation
  const negN = o.aux === 1 || o.aux === 2, negA = o.aux === 2 || o.aux === 3;
  if (n !== n || m !== m || a !== a) {
    const aQuiet = nanKind(c, o.va, dbl) === 1;
    const infZero = (Math.abs(n) === Infinity && m === 0) || (n === 0 && Math.abs(m) === Infinity);
    if (aQuiet && infZero && nanKind(c, o.vn, dbl) === 0 && nanKind(c, o.vm, dbl) === 0) {
      c.fpsr |= FPSR_IOC;
      setDefaultNaN(c, o.vd, dbl);
      return;
    }
    processNaNs(c, o.vd, dbl, o.va, o.vn, o.vm, (negA ? 1 : 0) | (negN ? 2 : 0));
    return;
  }
  const nn = negN ? -n : n, aa = negA ? -a : a;
  const r = dbl ? fusedMulAdd(nn, m, aa) : Math.fround(fusedMulAddSingle(nn, m, aa));
  if (r !== r) { c.fpsr |= FPSR_IOC; setDefaultNaN(c, o.vd, dbl); return; }
  if (isFinite(nn) && isFinite(m) && isFinite(aa)) {
    if (!isFinite(r)) c.fpsr |= FPSR_OFC | FPSR_IXC;
    else if (fmaInexact(nn, m, aa, r)) c.fpsr |= FPSR_IXC;
  }
  setF(c, o.vd, dbl, r);
});

const EXP = new Float64Array(4);
const EXP_OUT = new Float64Array(4);

/** Whether the exact sum of the four doubles in EXP is zero (Shewchuk's grow-expansion: no rounding errors). */
function expansionIsZero(): boolean {
  let n = 0;
  for (let i = 0; i < 4; i++) {
    let q = EXP[i]!;
    for (let j = 0; j < n; j++) {
      const x = EXP_OUT[j]!;
      const s = q + x, bb = s - q, err = (q - (s - bb)) + (x - bb);
      EXP_OUT[j] = err;
      q = s;
    }
    EXP_OUT[n++] = q;
  }
  for (let j = 0; j < n; j++) if (EXP_OUT[j] !== 0) return false;
  return true;
}

/** Whether n*m + a (exact) differs from r, with power-of-two scaling to keep every step exact. */
function fmaInexact(n: number, m: number, a: number, r: number): boolean {
  if (n === 0 || m === 0) return r !== a; // zero product: the result is the addend itself
  const p = n * m;
  if (p === 0 && n !== 0 && m !== 0) {
    // the product underflowed in double: scale it into range if the addend allows, else it is certainly lost
    if (Math.abs(a) < 2 ** 800 && Math.abs(r) < 2 ** 800) return fmaInexact(n * 2 ** 256, m, a * 2 ** 256, r * 2 ** 256);
    return true;
  }
  if (Math.abs(n) > 2 ** 995) return fmaInexact(n * 2 ** -64, m, a * 2 ** -64, r * 2 ** -64) || (a !== 0 && a * 2 ** -64 * 2 ** 64 !== a);
  if (Math.abs(m) > 2 ** 995) return fmaInexact(n, m * 2 ** -64, a * 2 ** -64, r * 2 ** -64) || (a !== 0 && a * 2 ** -64 * 2 ** 64 !== a);
  if (p !== 0 && Math.abs(p) < 2 ** -900) {
    if (Math.abs(a) >= 2 ** 800 || Math.abs(r) >= 2 ** 800) return true; // the tiny product cannot be absorbed exactly
    return fmaInexact(n * 2 ** 128, m, a * 2 ** 128, r * 2 ** 128);
  }
  EXP[0] = p; EXP[1] = p === 0 ? 0 : productError(n, m, p); EXP[2] = a; EXP[3] = -r;
  return !expansionIsZero();
}

/**
 * Single-precision fused multiply-add: the product of two singles is exact in double; the sum is rounded to odd
 * in double so the final rounding to single is correct (53 >= 24 + 2 bits).
 */
function fusedMulAddSingle(n: number, m: number, a: number): number {
  const p = n * m;
  if (!isFinite(p) || !isFinite(a)) return p + a;
  return sumRoundToOdd(p, a);
}

const fp1 = guard((c, o) => {
  const dbl = o.size === 1;
  const a = getF(c, o.vn, dbl);
  switch (o.aux) {
    case 0: { // FMOV (register): bit copy
      const b = o.vn * 4;
      if (dbl) setD64(c, o.vd, c.v[b]!, c.v[b + 1]!); else setS32(c, o.vd, c.v[b]!);
      return;
    }
    case 1: { const b = o.vn * 4; if (dbl) setD64(c, o.vd, c.v[b]!, c.v[b + 1]! & 0x7fffffff); else setS32(c, o.vd, c.v[b]! & 0x7fffffff); return; } // FABS
    case 2: { const b = o.vn * 4; if (dbl) setD64(c, o.vd, c.v[b]!, c.v[b + 1]! ^ 0x80000000); else setS32(c, o.vd, c.v[b]! ^ 0x80000000); return; } // FNEG
    case 3: { // FSQRT
      if (a !== a) { processNaNs(c, o.vd, dbl, o.vn, o.vn, -1, 0); return; }
      if (a < 0) { c.fpsr |= FPSR_IOC; setDefaultNaN(c, o.vd, dbl); return; }
      const r = dbl ? Math.sqrt(a) : Math.fround(Math.sqrt(a));
      if (isFinite(a) && (r * r !== a || productError(r, r, r * r) !== 0)) c.fpsr |= FPSR_IXC;
      setF(c, o.vd, dbl, r);
      return;
    }
    case 4: case 5: { // FCVT between double (type 01) and single (type 00): opcode 4 = to single, 5 = to double
      const toDouble = o.aux === 5;
      if (toDouble === dbl) { c.undefinedInstruction(); return; }
      const kind = nanKind(c, o.vn, dbl);
      if (kind) {
        if (kind === 2) c.fpsr |= FPSR_IOC;
        if (c.fpcr & (1 << 25)) { setDefaultNaN(c, o.vd, toDouble); return; }
        const b = o.vn * 4;
        if (toDouble) {
          const w = c.v[b]!;
          setD64(c, o.vd, (w & 7) << 29, (w & 0x80000000) | 0x7ff80000 | ((w & 0x3fffff) >>> 3));
        } else {
          const hi = c.v[b + 1]!, lo = c.v[b]!;
          setS32(c, o.vd, (hi & 0x80000000) | 0x7fc00000 | ((((hi & 0xfffff) << 3) | (lo >>> 29)) & 0x3fffff));
        }
        return;
      }
      if (toDouble) { setF(c, o.vd, true, a); return; }
      const r = Math.fround(a);
      if (!isFinite(r) && isFinite(a)) c.fpsr |= FPSR_OFC | FPSR_IXC;
      else if (r !== a) c.fpsr |= FPSR_IXC;
      setF(c, o.vd, false, r);
      return;
    }
    case 7: { // FCVT Hd, Sn/Dn (IEEE half precision; FPCR.AHP alternative format not implemented)
      if (c.fpcr & (1 << 26)) { c.stopWith({ kind: 'unimplemented', detail: 'FCVT with FPCR.AHP (alternative half precision)' }); return; }
      const kind = nanKind(c, o.vn, dbl);
      let bits: number;
      if (kind) {
        if (kind === 2) c.fpsr |= FPSR_IOC;
        const b = o.vn * 4;
        const sign = (dbl ? c.v[b + 1]! : c.v[b]!) < 0 ? 0x8000 : 0;
        const top = dbl ? (c.v[b + 1]! >>> 10) & 0x1ff : (c.v[b]! >>> 13) & 0x1ff; // top payload bits below the quiet bit
        bits = c.fpcr & (1 << 25) ? 0x7e00 : sign | 0x7e00 | top;
      } else {
        bits = toHalfBits(c, a);
      }
      setS32(c, o.vd, bits & 0xffff);
      return;
    }
    case 8: case 9: case 10: case 11: case 12: case 14: case 15: { // FRINTN/P/M/Z/A/X/I
      if (a !== a) { processNaNs(c, o.vd, dbl, o.vn, o.vn, -1, 0); return; }
      let r: number;
      switch (o.aux) {
        case 9: r = Math.ceil(a); break;
        case 10: r = Math.floor(a); break;
        case 11: r = Math.trunc(a); break;
        case 12: r = a < 0 ? -Math.round(-a) : Math.round(a); break; // ties away from zero
        default: r = roundEven(a); break;
      }
      if (r === 0 && (a < 0 || Object.is(a, -0))) r = -0;
      if (o.aux === 14 && r !== a && a === a) c.fpsr |= FPSR_IXC;
      setF(c, o.vd, dbl, r);
      return;
    }
    default: c.undefinedInstruction();
  }
});

/** Double -> IEEE half precision bits, round to nearest even, with OFC/UFC-free IXC and OFC flags. */
function toHalfBits(c: Aarch64Cpu, v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  let e = Math.floor(Math.log2(a));
  if (Math.pow(2, e) > a) e--;
  else if (Math.pow(2, e + 1) <= a) e++;
  let bits: number;
  if (e < -14) {
    const m = roundEven(a / Math.pow(2, -24)); // subnormal (or rounds up to the smallest normal)
    if (m !== a / Math.pow(2, -24)) c.fpsr |= FPSR_IXC;
    bits = m;
  } else {
    const scaled = (a / Math.pow(2, e) - 1) * 1024;
    let frac = roundEven(scaled);
    if (frac !== scaled) c.fpsr |= FPSR_IXC;
    if (frac === 1024) { frac = 0; e++; }
    if (e + 15 >= 31) { c.fpsr |= FPSR_OFC | FPSR_IXC; return sign | 0x7c00; }
    bits = ((e + 15) << 10) | frac;
  }
  return sign | bits;
}

function roundEven(a: number): number {
  if (!isFinite(a)) return a;
  const f = Math.floor(a), d = a - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

const fcmp = guard((c, o) => {
  const dbl = o.size === 1;
  const a = getF(c, o.vn, dbl);
  const b = o.op ? 0 : getF(c, o.vm, dbl);
  let f: number;
  if (a !== a || b !== b) {
    f = 0x3; // unordered: C and V
    if (o.op2 || isSignalling(c, o.vn, dbl) || (!o.op && isSignalling(c, o.vm, dbl))) c.fpsr |= FPSR_IOC;
  } else if (a === b) f = 0x6;
  else if (a < b) f = 0x8;
  else f = 0x2;
  c.nzcv = (f << 28) >>> 0;
});

const fccmp = guard((c, o) => {
  if (!COND_TABLE[(o.cond << 4) | (c.nzcv >>> 28)]) { c.nzcv = (o.imm << 28) >>> 0; return; }
  const dbl = o.size === 1;
  const a = getF(c, o.vn, dbl), b = getF(c, o.vm, dbl);
  let f: number;
  if (a !== a || b !== b) {
    f = 0x3;
    if (o.op || nanKind(c, o.vn, dbl) === 2 || nanKind(c, o.vm, dbl) === 2) c.fpsr |= FPSR_IOC;
  } else if (a === b) f = 0x6; else if (a < b) f = 0x8; else f = 0x2;
  c.nzcv = (f << 28) >>> 0;
});

const fcsel = guard((c, o) => {
  const src = COND_TABLE[(o.cond << 4) | (c.nzcv >>> 28)] ? o.vn : o.vm;
  const b = src * 4;
  if (o.size === 1) setD64(c, o.vd, c.v[b]!, c.v[b + 1]!); else setS32(c, o.vd, c.v[b]!);
});

const fmovImm = guard((c, o) => {
  const imm8 = o.imm;
  const a = (imm8 >> 7) & 1, b = (imm8 >> 6) & 1;
  if (o.size === 1) setD64(c, o.vd, 0, (a << 31) | ((b ? 0xff : 0x100) << 22) | ((imm8 & 0x3f) << 16));
  else setS32(c, o.vd, (a << 31) | ((b ? 0x1f : 0x20) << 25) | ((imm8 & 0x3f) << 19));
});

let RES_LO = 0, RES_HI = 0;

/** Float -> integer with saturation and FPSR flags; result in RES_LO/RES_HI. mode: 0 N, 1 P, 2 M, 3 Z, 4 A. */
function fpToIntBits(c: Aarch64Cpu, v: number, mode: number, signed: boolean, bits64: boolean): void {
  let r: number;
  if (v !== v) { c.fpsr |= FPSR_IOC; RES_LO = 0; RES_HI = 0; return; }
  switch (mode) {
    case 0: r = roundEven(v); break;
    case 1: r = Math.ceil(v); break;
    case 2: r = Math.floor(v); break;
    case 3: r = Math.trunc(v); break;
    default: r = v < 0 ? -Math.round(-v) : Math.round(v); break;
  }
  // Bounds as exact powers of two: 2^63, 2^64, 2^31, 2^32.
  const limit = signed ? (bits64 ? 9223372036854775808 : 2147483648) : bits64 ? 18446744073709551616 : 4294967296;
  const min = signed ? -limit : 0;
  if (r >= limit) {
    c.fpsr |= FPSR_IOC;
    if (bits64) { RES_LO = -1; RES_HI = signed ? 0x7fffffff : -1; } else { RES_LO = signed ? 0x7fffffff : -1; RES_HI = 0; }
    return;
  }
  if (r < min) {
    c.fpsr |= FPSR_IOC;
    if (bits64) { RES_LO = 0; RES_HI = signed ? -0x80000000 : 0; } else { RES_LO = signed ? -0x80000000 : 0; RES_HI = 0; }
    return;
  }
  if (r !== v) c.fpsr |= FPSR_IXC;
  if (bits64) {
    const hi = Math.floor(r / TWO32);
    RES_LO = (r - hi * TWO32) | 0;
    RES_HI = hi | 0;
  } else {
    RES_LO = r | 0;
    RES_HI = 0;
  }
}

function fpToInt(c: Aarch64Cpu, v: number, mode: number, signed: boolean, bits64: boolean, rd: number): void {
  fpToIntBits(c, v, mode, signed, bits64);
  c.setX(rd, RES_LO, RES_HI);
}

/** FCVTZS/FCVTZU/SCVTF/UCVTF on SIMD registers, vector or scalar (element 0 only). */
function fpConvSimd(c: Aarch64Cpu, o: DecodedOp, scalar: boolean): boolean {
  const op = o.aux & 0x1f, u = (o.aux >> 5) & 1;
  const o2 = o.size >> 1, dbl = (o.size & 1) === 1;
  const toInt = op === 0x1b && o2 === 1;
  const toFp = op === 0x1d && o2 === 0;
  if (!toInt && !toFp) return false;
  if (!scalar && dbl && !o.q) { c.undefinedInstruction(); return true; }
  const count = scalar ? 1 : (o.q ? 4 : 2) >> (dbl ? 1 : 0);
  const v = c.v, n = o.vn * 4;
  for (let i = 0; i < count; i++) {
    if (toInt) {
      const f = dbl ? c.vf64[o.vn * 2 + i]! : c.vf32[o.vn * 4 + i]!;
      fpToIntBits(c, f, 3, u === 0, dbl);
      if (dbl) { TMP[2 * i] = RES_LO; TMP[2 * i + 1] = RES_HI; } else TMP[i] = RES_LO;
    } else {
      let val: number;
      if (dbl) { const lo = v[n + 2 * i]!, hi = v[n + 2 * i + 1]!; val = (u ? hi >>> 0 : hi) * TWO32 + (lo >>> 0); } else val = u ? v[n + i]! >>> 0 : v[n + i]! | 0;
      const r = dbl ? val : Math.fround(val);
      if (r !== val) c.fpsr |= FPSR_IXC;
      if (dbl) { F64[0] = r; TMP[2 * i] = F64W[0]!; TMP[2 * i + 1] = F64W[1]!; } else { F32[0] = r; TMP[i] = F32W[0]!; }
    }
  }
  if (scalar) {
    if (dbl) setD64(c, o.vd, TMP[0]!, TMP[1]!); else setS32(c, o.vd, TMP[0]!);
  } else copyTmp(c, o.vd, o.q);
  return true;
}

const fpConvScalar = guard((c, o) => {
  if (!fpConvSimd(c, o, true)) c.stopWith({ kind: 'unimplemented', detail: `SIMD scalar two-register misc 0x${(o.word >>> 0).toString(16)}` });
});

const fpIntConvert = guard((c, o) => {
  const x = c.x;
  const dbl = o.size === 1;
  const key = (o.op2 << 3) | o.imm3; // rmode:opcode
  const bits64 = o.sf === 1;
  switch (key) {
    case 0x02: case 0x03: { // SCVTF, UCVTF
      const lo = x[o.rn]!, hi = bits64 ? x[o.rn + 1]! : key === 0x02 ? x[o.rn]! >> 31 : 0;
      const v = key === 0x02 ? hi * TWO32 + (lo >>> 0) : (hi >>> 0) * TWO32 + (lo >>> 0);
      // v is the integer rounded to 53 bits; a single needs rounding to odd first (53 >= 24 + 2 bits)
      let r: number;
      if (dbl) r = v;
      else {
        const vh = Math.floor(v / TWO32);
        const vl = (v - vh * TWO32) >>> 0;
        let odd = v;
        if (!(vl === lo >>> 0 && (vh | 0) === (hi | 0))) {
          // v is the integer rounded to 53 bits; move it one ulp toward the integer when its last bit is even
          const below = key === 0x02 ? (hi | 0) < (vh | 0) || ((hi | 0) === (vh | 0) && lo >>> 0 < vl) : hi >>> 0 < vh >>> 0 || (hi >>> 0 === vh >>> 0 && lo >>> 0 < vl);
          F64[0] = v;
          let wl = F64W[0]!, wh = F64W[1]!;
          if ((wl & 1) === 0) {
            const up = below ? v < 0 : v > 0; // magnitude grows when the integer lies beyond v
            if (!up) { if (wl === 0) wh = (wh - 1) | 0; wl = (wl - 1) | 0; } else { wl = (wl + 1) | 0; if (wl === 0) wh = (wh + 1) | 0; }
            F64W[0] = wl; F64W[1] = wh;
            odd = F64[0]!;
          }
        }
        r = Math.fround(odd);
      }
      // inexact iff converting back does not reproduce the integer
      const bh = Math.floor(r / TWO32), bl = r - bh * TWO32;
      if (!((bl >>> 0) === (lo >>> 0) && (bh | 0) === (hi | 0))) c.fpsr |= FPSR_IXC;
      setF(c, o.vd, dbl, r);
      return;
    }
    case 0x06: // FMOV general <- FP (Wd <- Sn, Xd <- Dn)
      if (bits64 !== dbl) { c.undefinedInstruction(); return; }
      c.setX(o.rd, c.v[o.vn * 4]!, dbl ? c.v[o.vn * 4 + 1]! : 0);
      return;
    case 0x07: // FMOV FP <- general
      if (bits64 !== dbl) { c.undefinedInstruction(); return; }
      if (dbl) setD64(c, o.vd, x[o.rn]!, x[o.rn + 1]!); else setS32(c, o.vd, x[o.rn]!);
      return;
    case 0x0e: // FMOV Xd, Vn.D[1]
      if (!bits64 || o.size !== 2) { c.undefinedInstruction(); return; }
      c.setX(o.rd, c.v[o.vn * 4 + 2]!, c.v[o.vn * 4 + 3]!);
      return;
    case 0x0f: // FMOV Vd.D[1], Xn
      if (!bits64 || o.size !== 2) { c.undefinedInstruction(); return; }
      c.v[o.vd * 4 + 2] = x[o.rn]!; c.v[o.vd * 4 + 3] = x[o.rn + 1]!;
      return;
  }
  if (o.size > 1) { c.undefinedInstruction(); return; }
  const v = getF(c, o.vn, dbl);
  switch (key) {
    case 0x00: fpToInt(c, v, 0, true, bits64, o.rd); return; // FCVTNS
    case 0x01: fpToInt(c, v, 0, false, bits64, o.rd); return; // FCVTNU
    case 0x04: fpToInt(c, v, 4, true, bits64, o.rd); return; // FCVTAS
    case 0x05: fpToInt(c, v, 4, false, bits64, o.rd); return; // FCVTAU
    case 0x08: fpToInt(c, v, 1, true, bits64, o.rd); return; // FCVTPS
    case 0x09: fpToInt(c, v, 1, false, bits64, o.rd); return; // FCVTPU
    case 0x10: fpToInt(c, v, 2, true, bits64, o.rd); return; // FCVTMS
    case 0x11: fpToInt(c, v, 2, false, bits64, o.rd); return; // FCVTMU
    case 0x18: fpToInt(c, v, 3, true, bits64, o.rd); return; // FCVTZS
    case 0x19: fpToInt(c, v, 3, false, bits64, o.rd); return; // FCVTZU
  }
  c.undefinedInstruction();
});

// ---- scalar integer in SIMD registers -------------------------------------------------------------------------------

const addpScalar = guard((c, o) => {
  const b = o.vn * 4, v = c.v;
  const l = (v[b]! >>> 0) + (v[b + 2]! >>> 0);
  setD64(c, o.vd, l | 0, (v[b + 1]! + v[b + 3]! + (l >= TWO32 ? 1 : 0)) | 0);
});

// ---- structure loads and stores (LD1-LD4/ST1-ST4 multiple, LD1R, LD1/ST1 single lane) -----------------------------

const STRUCT_FORMS: Record<number, [rpt: number, selem: number]> = {
  0b0000: [1, 4], 0b0010: [4, 1], 0b0100: [1, 3], 0b0110: [3, 1], 0b0111: [1, 1], 0b1000: [1, 2], 0b1010: [2, 1],
};

function elementLoad(c: Aarch64Cpu, va: number, size: number): void {
  switch (size) {
    case 0: c.mlo = c.read8(va); c.mhi = 0; return;
    case 1: c.mlo = c.read16(va); c.mhi = 0; return;
    case 2: c.mlo = c.read32(va); c.mhi = 0; return;
    default: c.read64(va);
  }
}

function elementStore(c: Aarch64Cpu, va: number, reg: number, size: number, e: number): void {
  switch (size) {
    case 0: c.write8(va, c.vb[reg * 16 + e]!); return;
    case 1: c.write16(va, c.vh[reg * 8 + e]!); return;
    case 2: c.write32(va, c.v[reg * 4 + e]!); return;
    default: c.write64(va, c.v[reg * 4 + 2 * e]!, c.v[reg * 4 + 2 * e + 1]!);
  }
}

function setElement(c: Aarch64Cpu, reg: number, size: number, e: number, lo: number, hi: number): void {
  if (size === 3) { c.v[reg * 4 + 2 * e] = lo; c.v[reg * 4 + 2 * e + 1] = hi; } else setE(c, reg, size, e, lo);
}

/** Post-index writeback: Rm = 31 means "by the transfer size". */
function structWriteback(c: Aarch64Cpu, o: DecodedOp, va: number, bytes: number): void {
  if (!o.op2) return;
  const x = c.x;
  const add = o.rm === 62 ? bytes : x[o.rm + 1]! * TWO32 + (x[o.rm]! >>> 0);
  const t = va + add;
  const hi = Math.floor(t / TWO32);
  x[o.rn] = (t - hi * TWO32) | 0;
  x[o.rn + 1] = hi | 0;
  x[62] = 0; x[63] = 0;
}

const ldstMultiple = guard((c, o) => {
  const form = STRUCT_FORMS[o.imm3];
  const size = o.size;
  if (!form || (size === 3 && !o.q && form[1] > 1)) { c.undefinedInstruction(); return; }
  const [rpt, selem] = form;
  const esize = 1 << size;
  const elements = (o.q ? 16 : 8) >> size;
  const x = c.x;
  const base = x[o.rn + 1]! * TWO32 + (x[o.rn]! >>> 0);
  const total = rpt * selem * elements * esize;
  c.translateData(base, o.l === 0);
  c.translateData(base + total - 1, o.l === 0);
  let va = base;
  for (let r = 0; r < rpt; r++) {
    for (let e = 0; e < elements; e++) {
      for (let s = 0; s < selem; s++) {
        const reg = (o.vt + r + s) % 32;
        if (o.l) { elementLoad(c, va, size); setElement(c, reg, size, e, c.mlo, c.mhi); } else elementStore(c, va, reg, size, e);
        va += esize;
      }
    }
  }
  if (o.l && !o.q) for (let r = 0; r < rpt * selem; r++) clearHigh(c, (o.vt + r) % 32, 0);
  structWriteback(c, o, base, total);
});

const ld1r = guard((c, o) => {
  const size = o.size;
  const x = c.x;
  const base = x[o.rn + 1]! * TWO32 + (x[o.rn]! >>> 0);
  elementLoad(c, base, size);
  const elements = (o.q ? 16 : 8) >> size;
  for (let e = 0; e < elements; e++) setElement(c, o.vt, size, e, c.mlo, c.mhi);
  clearHigh(c, o.vt, o.q);
  structWriteback(c, o, base, 1 << size);
});

const ldstSingle = guard((c, o) => {
  // opcode<2:1> selects the element size; index from Q:S:size
  const kind = o.imm3 >> 1;
  let size: number, index: number;
  const qs = (o.q << 1) | o.s;
  switch (kind) {
    case 0: size = 0; index = (qs << 2) | o.size; break;
    case 1: if (o.size & 1) { c.undefinedInstruction(); return; } size = 1; index = (qs << 1) | (o.size >> 1); break;
    default:
      if (o.size === 0) { size = 2; index = qs; } else if (o.size === 1 && o.s === 0) { size = 3; index = o.q; } else { c.undefinedInstruction(); return; }
  }
  const x = c.x;
  const base = x[o.rn + 1]! * TWO32 + (x[o.rn]! >>> 0);
  if (o.l) { elementLoad(c, base, size); setElement(c, o.vt, size, index, c.mlo, c.mhi); } else elementStore(c, base, o.vt, size, index);
  structWriteback(c, o, base, 1 << size);
});

// ---- widening and long integer operations ----------------------------------------------------------------------

/** Three different: UMULL/SMULL(2), UMLAL/SMLAL(2), UADDL/SADDL(2), USUBL/SSUBL(2), UADDW/SADDW(2), UABAL/UABDL. */
const threeDifferent = guard((c, o) => {
  const size = o.size;
  if (size === 3) { c.undefinedInstruction(); return; }
  const unsigned = o.op === 1;
  const count = 8 >> size;
  const first = o.q ? count : 0;
  const n = o.vn, m = o.vm, d = o.vd;
  const wideN = o.imm3 === 0x1 || o.imm3 === 0x3; // ADDW/SUBW: Vn is already wide
  if (size === 2 && o.imm3 <= 0x7 && o.imm3 !== 0x4 && o.imm3 !== 0x6) {
    // ADDL/ADDW/SUBL/SUBW/ABAL/ABDL into 64-bit lanes, exactly
    for (let i = 0; i < 2; i++) {
      let alo: number, ahi: number;
      if (wideN) { alo = c.v[n * 4 + 2 * i]!; ahi = c.v[n * 4 + 2 * i + 1]!; } else { alo = c.v[n * 4 + first + i]!; ahi = unsigned ? 0 : alo >> 31; }
      const blo = c.v[m * 4 + first + i]!, bhi = unsigned ? 0 : blo >> 31;
      if (o.imm3 <= 1) addc64(alo, ahi, blo, bhi, 0);
      else if (o.imm3 <= 3) addc64(alo, ahi, ~blo, ~bhi, 1);
      else {
        // |a - b| of 32-bit values fits in 33 bits: exact as a Number
        const a = unsigned ? alo >>> 0 : alo, b = unsigned ? blo >>> 0 : blo;
        const diff = Math.abs(a - b);
        const dhi = Math.floor(diff / TWO32);
        if (o.imm3 === 0x7) { R[0] = (diff - dhi * TWO32) | 0; R[1] = dhi; } else addc64(c.v[d * 4 + 2 * i]!, c.v[d * 4 + 2 * i + 1]!, (diff - dhi * TWO32) | 0, dhi, 0);
      }
      TMP[2 * i] = R[0]!; TMP[2 * i + 1] = R[1]!;
    }
    copyTmp(c, d, 1);
    return;
  }
  if (size === 2 && (o.imm3 === 0x8 || o.imm3 === 0xa || o.imm3 === 0xc)) {
    // 32x32 -> 64-bit products and accumulation need all 64 bits exactly
    for (let i = 0; i < 2; i++) {
      const a = c.v[n * 4 + first + i]!, b = c.v[m * 4 + first + i]!;
      mul64(a, unsigned ? 0 : a >> 31, b, unsigned ? 0 : b >> 31);
      let lo = R[0]!, hi = R[1]!;
      if (o.imm3 !== 0xc) {
        const dlo = c.v[d * 4 + 2 * i]!, dhi = c.v[d * 4 + 2 * i + 1]!;
        if (o.imm3 === 0x8) addc64(dlo, dhi, lo, hi, 0); else addc64(dlo, dhi, ~lo, ~hi, 1);
        lo = R[0]!; hi = R[1]!;
      }
      TMP[2 * i] = lo; TMP[2 * i + 1] = hi;
    }
    copyTmp(c, d, 1);
    return;
  }
  for (let i = 0; i < count; i++) {
    const a = wideN ? (unsigned ? getWideU(c, n, size + 1, i) : getWideS(c, n, size + 1, i)) : unsigned ? getU(c, n, size, first + i) : getS(c, n, size, first + i);
    const b = unsigned ? getU(c, m, size, first + i) : getS(c, m, size, first + i);
    const acc = unsigned ? getWideU(c, d, size + 1, i) : getWideS(c, d, size + 1, i);
    let r: number;
    switch (o.imm3) {
      case 0x0: case 0x1: r = a + b; break; // ADDL, ADDW
      case 0x2: case 0x3: r = a - b; break; // SUBL, SUBW
      case 0x5: r = acc + Math.abs(a - b); break; // ABAL
      case 0x7: r = Math.abs(a - b); break; // ABDL
      case 0x8: r = acc + a * b; break; // MLAL
      case 0xa: r = acc - a * b; break; // MLSL
      case 0xc: r = a * b; break; // MULL
      default:
        c.stopWith({ kind: 'unimplemented', detail: `SIMD three-different operation 0x${o.imm3.toString(16)} in 0x${(o.word >>> 0).toString(16)}` });
        return;
    }
    putWide(size + 1, i, r);
  }
  copyTmp(c, d, 1);
});

function getWideU(c: Aarch64Cpu, reg: number, size: number, i: number): number {
  if (size < 3) return getU(c, reg, size, i);
  return (c.v[reg * 4 + 2 * i + 1]! >>> 0) * TWO32 + (c.v[reg * 4 + 2 * i]! >>> 0);
}

function getWideS(c: Aarch64Cpu, reg: number, size: number, i: number): number {
  if (size < 3) return getS(c, reg, size, i);
  return c.v[reg * 4 + 2 * i + 1]! * TWO32 + (c.v[reg * 4 + 2 * i]! >>> 0);
}

/** Stores a (possibly 64-bit, |v| < 2^53 or wrapped) element into TMP. */
function putWide(size: number, i: number, v: number): void {
  if (size < 3) { setTmp(size, i, v); return; }
  const hi = Math.floor(v / TWO32);
  TMP[2 * i] = (v - hi * TWO32) | 0;
  TMP[2 * i + 1] = hi | 0;
}

/** UADDLP/SADDLP/UADALP/SADALP: pairwise add long (IP checksums). */
const addLongPairwise = guard((c, o) => {
  const size = o.size;
  if (size === 3) { c.undefinedInstruction(); return; }
  const unsigned = o.op === 1;
  const accumulate = o.imm3 === 0x06;
  const count = (o.q ? 16 : 8) >> (size + 1);
  if (size === 2) {
    // 32-bit pairs into 64-bit lanes: exact 64-bit sums
    for (let i = 0; i < count; i++) {
      const a = c.v[o.vn * 4 + 2 * i]!, b = c.v[o.vn * 4 + 2 * i + 1]!;
      addc64(a, unsigned ? 0 : a >> 31, b, unsigned ? 0 : b >> 31, 0);
      if (accumulate) addc64(R[0]!, R[1]!, c.v[o.vd * 4 + 2 * i]!, c.v[o.vd * 4 + 2 * i + 1]!, 0);
      TMP[2 * i] = R[0]!; TMP[2 * i + 1] = R[1]!;
    }
    copyTmp(c, o.vd, o.q);
    return;
  }
  for (let i = 0; i < count; i++) {
    const a = unsigned ? getU(c, o.vn, size, 2 * i) : getS(c, o.vn, size, 2 * i);
    const b = unsigned ? getU(c, o.vn, size, 2 * i + 1) : getS(c, o.vn, size, 2 * i + 1);
    const acc = accumulate ? (unsigned ? getWideU(c, o.vd, size + 1, i) : getWideS(c, o.vd, size + 1, i)) : 0;
    putWide(size + 1, i, a + b + acc);
  }
  copyTmp(c, o.vd, o.q);
});

// ---- floating-point vector arithmetic --------------------------------------------------------------------------

const fpVector3 = guard((c, o) => {
  if (!fpRoundingGuard(c)) return;
  const dbl = (o.size & 1) === 1;
  if (dbl && !o.q) { c.undefinedInstruction(); return; }
  const count = dbl ? 2 : o.q ? 4 : 2;
  const key = (o.op << 6) | ((o.size >> 1) << 5) | o.imm3;
  for (let i = 0; i < count; i++) {
    const a = dbl ? c.vf64[o.vn * 2 + i]! : c.vf32[o.vn * 4 + i]!;
    const b = dbl ? c.vf64[o.vm * 2 + i]! : c.vf32[o.vm * 4 + i]!;
    const d = dbl ? c.vf64[o.vd * 2 + i]! : c.vf32[o.vd * 4 + i]!;
    let r: number;
    switch (key) {
      case 0x1a: r = a + b; break; // FADD
      case 0x3a: r = a - b; break; // FSUB
      case 0x5b: r = a * b; break; // FMUL
      case 0x5f: r = a / b; break; // FDIV
      case 0x19: r = dbl ? fusedMulAdd(a, b, d) : d + a * b; break; // FMLA
      case 0x39: r = dbl ? fusedMulAdd(-a, b, d) : d - a * b; break; // FMLS
      case 0x1e: r = a !== a || b !== b ? NaN : Math.max(a, b); break; // FMAX
      case 0x3e: r = a !== a || b !== b ? NaN : Math.min(a, b); break; // FMIN
      case 0x5a: { // FADDP
        const src = i < count / 2 ? o.vn : o.vm, j = (i % (count / 2)) * 2;
        r = dbl ? c.vf64[src * 2 + j]! + c.vf64[src * 2 + j + 1]! : c.vf32[src * 4 + j]! + c.vf32[src * 4 + j + 1]!;
        break;
      }
      default:
        c.stopWith({ kind: 'unimplemented', detail: `SIMD floating-point three-same operation in 0x${(o.word >>> 0).toString(16)}` });
        return;
    }
    if (dbl) { F64[0] = r; TMP[2 * i] = F64W[0]!; TMP[2 * i + 1] = F64W[1]!; } else { F32[0] = r; TMP[i] = F32W[0]!; }
  }
  copyTmp(c, o.vd, o.q);
});

// ---- vector by element -------------------------------------------------------------------------------------------

/** MUL/MLA/MLS, SMULL/UMULL/SMLAL/UMLAL/SMLSL/UMLSL and FMUL/FMLA/FMLS with one operand a single element. */
const byElement = guard((c, o) => {
  const key = (o.op << 4) | o.imm3;
  const known = [0x01, 0x05, 0x09, 0x19, 0x08, 0x10, 0x14, 0x02, 0x06, 0x0a, 0x12, 0x16, 0x1a];
  const allocatedButNotModelled = [0x03, 0x07, 0x0b, 0x0c, 0x0d];
  if (!known.includes(key)) {
    if (allocatedButNotModelled.includes(key)) c.stopWith({ kind: 'unimplemented', detail: `SIMD by-element operation in 0x${(o.word >>> 0).toString(16)}` });
    else c.undefinedInstruction();
    return;
  }
  const fp = key === 0x01 || key === 0x05 || key === 0x09 || key === 0x19;
  const size = o.size;
  let index: number, m: number;
  if (fp) {
    if (size < 2) { c.undefinedInstruction(); return; }
    const dbl = size === 3;
    if (dbl && (o.nbit || !o.q)) { c.undefinedInstruction(); return; }
    index = dbl ? o.immr : (o.immr << 1) | o.nbit;
    m = (o.imms << 4) | o.vm;
    const b = dbl ? c.vf64[m * 2 + index]! : c.vf32[m * 4 + index]!;
    const count = dbl ? 2 : o.q ? 4 : 2;
    for (let i = 0; i < count; i++) {
      const a = dbl ? c.vf64[o.vn * 2 + i]! : c.vf32[o.vn * 4 + i]!;
      const d = dbl ? c.vf64[o.vd * 2 + i]! : c.vf32[o.vd * 4 + i]!;
      let r: number;
      switch (key) {
        case 0x09: r = a * b; break;
        case 0x19: // FMULX: like FMUL, but 0 x infinity = 2 with the sign of the product
          r = (a === 0 && (b === Infinity || b === -Infinity)) || (b === 0 && (a === Infinity || a === -Infinity))
            ? ((Object.is(a, -0) || a < 0) !== (Object.is(b, -0) || b < 0) ? -2 : 2) : a * b;
          break;
        case 0x01: r = dbl ? fusedMulAdd(a, b, d) : d + a * b; break;
        default: r = dbl ? fusedMulAdd(-a, b, d) : d - a * b; break;
      }
      if (dbl) { F64[0] = r; TMP[2 * i] = F64W[0]!; TMP[2 * i + 1] = F64W[1]!; } else { F32[0] = r; TMP[i] = F32W[0]!; }
    }
    copyTmp(c, o.vd, o.q);
    return;
  }
  if (size === 1) { index = (o.immr << 2) | (o.nbit << 1) | o.imms; m = o.vm; } else if (size === 2) { index = (o.immr << 1) | o.nbit; m = (o.imms << 4) | o.vm; } else { c.undefinedInstruction(); return; }
  const long = (o.imm3 & 3) === 2; // SMLAL/SMLSL/SMULL and unsigned forms (opcode x010, x110, 1010)
  if (!long) {
    const b = getU(c, m, size, index);
    const count = (o.q ? 16 : 8) >> size;
    for (let i = 0; i < count; i++) {
      const a = getU(c, o.vn, size, i), d = getU(c, o.vd, size, i);
      let r: number;
      switch (key) {
        case 0x08: r = Math.imul(a, b); break; // MUL
        case 0x10: r = d + Math.imul(a, b); break; // MLA
        case 0x14: r = d - Math.imul(a, b); break; // MLS
        default:
          c.stopWith({ kind: 'unimplemented', detail: `SIMD by-element operation in 0x${(o.word >>> 0).toString(16)}` });
          return;
      }
      setTmp(size, i, r);
    }
    copyTmp(c, o.vd, o.q);
    return;
  }
  const unsigned = o.op === 1;
  const count = 8 >> size;
  const first = o.q ? count : 0;
  const b = unsigned ? getU(c, m, size, index) : getS(c, m, size, index);
  for (let i = 0; i < count; i++) {
    const a = unsigned ? getU(c, o.vn, size, first + i) : getS(c, o.vn, size, first + i);
    if (size === 2) {
      mul64(a | 0, unsigned ? 0 : a >> 31, b | 0, unsigned ? 0 : b >> 31);
      let lo = R[0]!, hi = R[1]!;
      if (o.imm3 !== 0xa) {
        const dlo = c.v[o.vd * 4 + 2 * i]!, dhi = c.v[o.vd * 4 + 2 * i + 1]!;
        if (o.imm3 === 0x2) addc64(dlo, dhi, lo, hi, 0); else addc64(dlo, dhi, ~lo, ~hi, 1);
        lo = R[0]!; hi = R[1]!;
      }
      TMP[2 * i] = lo; TMP[2 * i + 1] = hi;
    } else {
      const acc = unsigned ? getU(c, o.vd, 2, i) : getS(c, o.vd, 2, i);
      const p = a * b;
      putWide(2, i, o.imm3 === 0xa ? p : o.imm3 === 0x2 ? acc + p : acc - p);
    }
  }
  copyTmp(c, o.vd, 1);
});

// ---- floating-point vector two-register misc ---------------------------------------------------------------------

/** FABS, FNEG, FSQRT (vector), FCVTL/FCVTL2 (single -> double), FCVTN/FCVTN2 (double -> single). */
function fpVectorMisc(c: Aarch64Cpu, o: DecodedOp): boolean {
  const op = o.aux & 0x1f, u = (o.aux >> 5) & 1, o2 = o.size >> 1, dbl = (o.size & 1) === 1;
  if (op === 0x17 && u === 0 && o2 === 0) { // FCVTL: from the lower (or upper) half singles (sz = 1)
    if (!dbl) return false; // half precision is not implemented
    const first = o.q ? 2 : 0;
    for (let i = 0; i < 2; i++) { F64[0] = c.vf32[o.vn * 4 + first + i]!; TMP[2 * i] = F64W[0]!; TMP[2 * i + 1] = F64W[1]!; }
    copyTmp(c, o.vd, 1);
    return true;
  }
  if (op === 0x16 && u === 0 && o2 === 0) { // FCVTN: doubles to singles (sz = 1)
    if (!dbl) return false;
    const b = o.vd * 4;
    const r0 = Math.fround(c.vf64[o.vn * 2]!), r1 = Math.fround(c.vf64[o.vn * 2 + 1]!);
    F32[0] = r0; const w0 = F32W[0]!; F32[0] = r1; const w1 = F32W[0]!;
    if (o.q) { c.v[b + 2] = w0; c.v[b + 3] = w1; } else { c.v[b] = w0; c.v[b + 1] = w1; c.v[b + 2] = 0; c.v[b + 3] = 0; }
    return true;
  }
  const isAbsNeg = op === 0x0f && o2 === 1;
  const isSqrt = op === 0x1f && u === 1 && o2 === 1;
  if (!isAbsNeg && !isSqrt) return false;
  if (dbl && !o.q) { c.undefinedInstruction(); return true; }
  const words = o.q ? 4 : 2;
  const v = c.v, n = o.vn * 4;
  if (isAbsNeg) {
    for (let i = 0; i < words; i++) {
      const w = v[n + i]!;
      const signWord = dbl ? (i & 1) === 1 : true;
      TMP[i] = signWord ? (u ? w ^ 0x80000000 : w & 0x7fffffff) : w;
    }
  } else {
    const count = dbl ? 2 : words;
    for (let i = 0; i < count; i++) {
      if (dbl) { F64[0] = Math.sqrt(c.vf64[o.vn * 2 + i]!); TMP[2 * i] = F64W[0]!; TMP[2 * i + 1] = F64W[1]!; } else { F32[0] = Math.sqrt(c.vf32[n + i]!); TMP[i] = F32W[0]!; }
    }
  }
  copyTmp(c, o.vd, o.q);
  return true;
}

// ---- the table ------------------------------------------------------------------------------------------------------

const setAux = (f: (o: DecodedOp) => number) => (o: DecodedOp): void => { o.aux = f(o); };

export const SIMD_FP: InsnSpec[] = [
  // structure loads/stores: L = load, k = opcode, z = size; P marks post-index
  { name: 'LD1-4/ST1-4 (multiple structures)', pattern: '0q0011000 L 000000 kkkk zz NNNNN ggggg', exec: ldstMultiple, prepare: (o) => { o.op2 = 0; } },
  { name: 'LD1-4/ST1-4 (multiple structures, post-index)', pattern: '0q0011001 L 0 mmmmm kkkk zz NNNNN ggggg', exec: ldstMultiple, prepare: (o) => { o.op2 = 1; } },
  { name: 'LD1R', pattern: '0q0011010 1 0 00000 110 0 zz NNNNN ggggg', exec: ld1r, prepare: (o) => { o.op2 = 0; } },
  { name: 'LD1R (post-index)', pattern: '0q0011011 1 0 mmmmm 110 0 zz NNNNN ggggg', exec: ld1r, prepare: (o) => { o.op2 = 1; } },
  { name: 'LD1/ST1 (single structure)', pattern: '0q0011010 L 0 00000 kk0 S zz NNNNN ggggg', exec: ldstSingle, prepare: (o) => { o.op2 = 0; o.imm3 <<= 1; return o.imm3 >> 1 !== 3; } },
  { name: 'LD1/ST1 (single structure, post-index)', pattern: '0q0011011 L 0 mmmmm kk0 S zz NNNNN ggggg', exec: ldstSingle, prepare: (o) => { o.op2 = 1; o.imm3 <<= 1; return o.imm3 >> 1 !== 3; } },
  // vector x element: e = L, x = M, r = H, yyyy = Rm<3:0>
  { name: 'SIMD vector x indexed element', pattern: '0qp01111 zz e x yyyy kkkk r 0 wwwww vvvvv', exec: byElement },
  // three different (widening): p = U, k = opcode
  { name: 'SIMD three different', pattern: '0qp01110 zz 1 yyyyy kkkk 00 wwwww vvvvv', exec: threeDifferent },
  { name: 'UADDLP/SADDLP/UADALP/SADALP', pattern: '0qp01110 zz 10000 0kk10 10 wwwww vvvvv', exec: addLongPairwise, prepare: (o) => { if (o.imm3 >= 2) return false; o.imm3 = o.imm3 ? 0x06 : 0x02; return true; } },
  // floating-point three same (vector): bit 23 (P) and sz (z) — one letter each
  { name: 'SIMD floating-point three same', pattern: '0qp01110 P z 1 yyyyy 11 kkk 1 wwwww vvvvv', exec: fpVector3, prepare: (o) => { o.size = (o.op2 << 1) | o.size; o.imm3 |= 0x18; } },
  // copy: q = Q, i = imm5, j = imm4
  { name: 'DUP (general)', pattern: '0q001110000 iiiii 000011 nnnnn vvvvv', exec: dupGeneral, prepare: prepImm5 },
  { name: 'DUP (element)', pattern: '0q001110000 iiiii 000001 wwwww vvvvv', exec: dupElement, prepare: prepImm5 },
  { name: 'INS (general)', pattern: '01001110000 iiiii 000111 nnnnn vvvvv', exec: insGeneral, prepare: prepImm5 },
  { name: 'INS (element)', pattern: '01101110000 iiiii 0 jjjj 1 wwwww vvvvv', exec: insElement, prepare: prepImm5 },
  { name: 'UMOV', pattern: '0q001110000 iiiii 001111 wwwww ddddd', exec: umov, prepare: prepImm5 },
  { name: 'SMOV', pattern: '0q001110000 iiiii 001011 wwwww ddddd', exec: smov, prepare: prepImm5 },

  // modified immediate: p = op, o = cmode, i = abc:defgh
  { name: 'MOVI/MVNI/ORR/BIC/FMOV (vector, immediate)', pattern: '0qp0111100000 iii oooo 01 iiiii vvvvv', exec: modImm, prepare: prepModImm },

  // three same (integer): p = U, z = size
  {
    name: 'SIMD three same', pattern: '0qp01110 zz 1 yyyyy kkkkk 1 wwwww vvvvv', exec: threeSame,
    prepare: (o) => { o.aux = (o.op << 5) | o.imm3; return true; },
  },
  // two-register misc
  { name: 'SIMD two-register misc', pattern: '0qp01110 zz 10000 kkkkk 10 wwwww vvvvv', exec: twoMisc, prepare: setAux((o) => (o.op << 5) | o.imm3) },
  // across lanes
  { name: 'SIMD across lanes', pattern: '0qp01110 zz 11000 kkkkk 10 wwwww vvvvv', exec: acrossLanes, prepare: setAux((o) => (o.op << 5) | o.imm3) },
  // permutes
  { name: 'EXT', pattern: '0q101110000 yyyyy 0 iiii 0 wwwww vvvvv', exec: ext },
  { name: 'TBL/TBX', pattern: '0q001110000 yyyyy 0 ii p 00 wwwww vvvvv', exec: tbl },
  { name: 'UZP/TRN/ZIP', pattern: '0q001110 zz 0 yyyyy 0 kkk 10 wwwww vvvvv', exec: zipUzpTrn, prepare: (o) => { o.aux = o.imm3; return (o.imm3 & 3) !== 0; } },
  // shift by immediate: i = immh:immb
  { name: 'SIMD shift by immediate', pattern: '0qp011110 iiiiiii kkkkk 1 wwwww vvvvv', exec: shiftImm, prepare: (o) => { o.aux = (o.op << 5) | o.imm3; return prepShiftImm(o); } },
  { name: 'FCVTZS/FCVTZU/SCVTF/UCVTF (scalar, SIMD registers)', pattern: '01p11110 zz 10000 kkkkk 10 wwwww vvvvv', exec: fpConvScalar, prepare: setAux((o) => (o.op << 5) | o.imm3) },
  { name: 'ADDP (scalar)', pattern: '0101111011110001101110 wwwww vvvvv', exec: addpScalar },

  // scalar floating point: z = type
  { name: 'FP data-processing (2 source)', pattern: '00011110 zz 1 yyyyy kkkk 10 wwwww vvvvv', exec: fp2, prepare: (o) => { o.aux = o.imm3; return prepFpType(o); } },
  { name: 'FP data-processing (3 source)', pattern: '00011111 zz p yyyyy P AAAAA wwwww vvvvv', exec: fp3, prepare: (o) => { o.aux = (o.op << 1) | o.op2; return prepFpType(o); } },
  { name: 'FP data-processing (1 source)', pattern: '00011110 zz 1 kkkkkk 10000 wwwww vvvvv', exec: fp1, prepare: (o) => { o.aux = o.imm3; return prepFpType(o); } },
  { name: 'FCMP/FCMPE', pattern: '00011110 zz 1 yyyyy 001000 wwwww P p 000', exec: fcmp, prepare: prepFpType },
  { name: 'FCCMP/FCCMPE', pattern: '00011110 zz 1 yyyyy cccc 01 wwwww p iiii', exec: fccmp, prepare: prepFpType },
  { name: 'FCSEL', pattern: '00011110 zz 1 yyyyy cccc 11 wwwww vvvvv', exec: fcsel, prepare: prepFpType },
  { name: 'FMOV (scalar, immediate)', pattern: '00011110 zz 1 iiiiiiii 100 00000 vvvvv', exec: fmovImm, prepare: prepFpType },
  // conversions between FP and general registers: P = rmode, k = opcode; Rn/Rd read both as X and V indices
  {
    name: 'FP <-> integer conversions, FMOV (general)', pattern: 'f0011110 zz 1 PP kkk 000000 nnnnn ddddd', exec: fpIntConvert,
    prepare: (o) => { o.vn = o.rn >> 1; o.vd = o.rd >> 1; return true; },
  },
];
