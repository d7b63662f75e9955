/**
 * SSE/SSE2 floating point: ADD/SUB/MUL/DIV/SQRT/MIN/MAX/CMP (scalar and packed, single and double),
 * COMIS/UCOMIS, and the conversions between binary32, binary64 and 32/64-bit integers.
 *
 * Fast path (no BigInt, no allocation): MXCSR has every exception masked and RC = nearest, the operands are
 * normal or zero and the result is normal. JavaScript's double arithmetic is IEEE binary64 with round to
 * nearest even, so + - * / sqrt give the exact binary64 result; for binary32 the double result rounded with
 * Math.fround is the correctly rounded binary32 result (53 >= 2*24 + 2, so double rounding is innocuous).
 * The only flag the fast path can raise is PE, and only when it is still clear (it is sticky, so once a
 * guest has seen an inexact result the check is skipped). Inexactness is derived without rounding:
 *   binary64 add/sub   Knuth's two-sum error term of the rounded sum is non-zero;
 *   binary64 mul       Dekker's two-product (Veltkamp split, no FMA) error term is non-zero;
 *   binary64 div       q*b != a, with q*b computed exactly by two-product;
 *   binary64 sqrt      r*r != b, the same way;
 *   binary32 add/sub   the double sum is inexact (two-sum) or differs from its binary32 rounding;
 *   binary32 mul       the double product (exact: 24x24 bits) differs from its binary32 rounding;
 *   binary32 div/sqrt  f*b != a / f*f != b (exact in double).
 * These error terms are exact only away from the ends of the exponent range, so operands or results beyond
 * 2^+-960 take the slow path when PE is still clear. Anything else (NaN, infinity, denormal operand or
 * result, zero products that may have underflowed, another RC, an unmasked exception, DAZ/FTZ effects) goes
 * to softfloat.ts, which is exact for every case (see there for how each flag is derived).
 *
 * An unmasked exception (its MXCSR flag set and mask bit clear) leaves the destination unchanged, sets the
 * flags and raises #XM when CR4.OSXMMEXCPT is set, #UD otherwise (SDM vol. 1, 11.5.2). CR0.EM or a clear
 * CR4.OSFXSR give #UD and CR0.TS gives #NM before anything else, as for the other SSE instructions.
 */
import type { X86Cpu } from './cpu.js';
import { CR4_OSXMMEXCPT, VEC_UD, VEC_XM } from './arch.js';
import type { Handler, Insn } from './insn.js';
import { checkSse, sseAddress } from './exec-sse.js';
import {
  arith,
  convert,
  fromInt,
  MX_DAZ,
  MX_DE,
  MX_IE,
  MX_PE,
  MX_RC_SHIFT,
  OP_ADD,
  OP_DIV,
  OP_MUL,
  OP_SQRT,
  OP_SUB,
  res,
  toInt,
  type Fmt,
} from './softfloat.js';

const MIN_D = 2.2250738585072014e-308;
const MAX_D = 1.7976931348623157e308;
const MIN_F = 1.1754943508222875e-38;
const MAX_F = 3.4028234663852886e38;
/** Range inside which the error-term tricks of the fast path are exact (see the header). */
const SAFE_LO = 2 ** -960;
const SAFE_HI = 2 ** 960;
const SPLIT = 134217729; // 2^27 + 1 (Veltkamp)
const TWO32 = 4294967296;
/** MXCSR bits 7-14: all six masks set and RC = 00 */
const FAST_CTRL = 0x1f80;
const CTRL_MASK = 0x7f80;

// the W operand when it is in memory (16 bytes), and a result buffer for instructions that commit late
const SBUF = new ArrayBuffer(16);
const S32 = new Int32Array(SBUF);
const SF = new Float32Array(SBUF);
const SD = new Float64Array(SBUF);
const TBUF = new ArrayBuffer(16);
const T32 = new Int32Array(TBUF);
const TF = new Float32Array(TBUF);
const TD = new Float64Array(TBUF);

// the source operand: one of the xmm views or the scratch above; `wo` is its offset in dwords
let W32: Int32Array = S32;
let WF: Float32Array = SF;
let WD: Float64Array = SD;
let wo = 0;

function loadSrc(cpu: X86Cpu, d: Insn, bytes: number): void {
  if (d.isMem) {
    const lin = sseAddress(cpu, d);
    S32[0] = cpu.read32(lin);
    if (bytes >= 8) S32[1] = cpu.read32(lin + 4);
    if (bytes === 16) {
      S32[2] = cpu.read32(lin + 8);
      S32[3] = cpu.read32(lin + 12);
    }
    W32 = S32;
    WF = SF;
    WD = SD;
    wo = 0;
  } else {
    W32 = cpu.xmm;
    WF = cpu.xmmF32;
    WD = cpu.xmmF64;
    wo = d.rm * 4;
  }
}

/** Adds `flags` to MXCSR; raises #XM/#UD if one of them is unmasked. */
function signal(cpu: X86Cpu, flags: number): void {
  const mx = cpu.mxcsr;
  cpu.mxcsr = mx | flags;
  if (flags & ~(mx >> 7) & 0x3f) cpu.fault(cpu.cr4 & CR4_OSXMMEXCPT ? VEC_XM : VEC_UD);
}

/** The exact path's scalar result (softfloat `res`) into the low element of xmm `o / 4`, after `flags` are signalled. */
function storeScalar(cpu: X86Cpu, o: number, fmt: Fmt, flags: number): void {
  signal(cpu, flags);
  cpu.xmm[o] = res.lo;
  if (fmt === 1) cpu.xmm[o + 1] = res.hi;
}

// ---- fast-path error terms (each returns true when the rounded result is exact) ----

function twoSumExact(a: number, b: number, s: number): boolean {
  const bb = s - a;
  return a - (s - bb) + (b - bb) === 0;
}

/** x * y === p exactly (p the rounded product), by Dekker's two-product. */
function productIs(x: number, y: number, p: number, target: number): boolean {
  let c = SPLIT * x;
  const xh = c - (c - x), xl = x - xh;
  c = SPLIT * y;
  const yh = c - (c - y), yl = y - yh;
  const err = xh * yh - p + xh * yl + xl * yh + xl * yl;
  return p === target && err === 0;
}

const normD = (x: number): boolean => {
  const a = Math.abs(x);
  return a >= MIN_D && a <= MAX_D;
};
const normF = (x: number): boolean => {
  const a = Math.abs(x);
  return a >= MIN_F && a <= MAX_F;
};
const safe = (x: number): boolean => {
  const a = Math.abs(x);
  return a >= SAFE_LO && a <= SAFE_HI;
};

let fr = 0;

/** binary64 lane on the fast path: result in `fr`, returns flags or -1 for the slow path. */
function fastD(op: number, a: number, b: number, pe: boolean): number {
  let r: number;
  switch (op) {
    case OP_ADD: r = a + b; break;
    case OP_SUB: r = a - b; break;
    case OP_MUL: r = a * b; break;
    case OP_DIV: r = a / b; break;
    default: r = Math.sqrt(b);
  }
  if (!(b === 0 || normD(b))) return -1;
  if (op !== OP_SQRT && !(a === 0 || normD(a))) return -1;
  if (!(Math.abs(r) > MIN_D && Math.abs(r) <= MAX_D)) {
    // (a result of exactly 2^-1022 may come from a value that is tiny after rounding with an unbounded
    // exponent, which sets UE/flushes under FTZ: slow path)
    // exact zeros: x - x, 0 * y, 0 / y, sqrt(+-0)
    if (r !== 0 || !(op <= OP_SUB || a === 0 || (op === OP_MUL && b === 0) || (op === OP_SQRT && b === 0))) return -1;
    fr = r;
    return 0;
  }
  fr = r;
  if (pe) return 0;
  let exact: boolean;
  switch (op) {
    case OP_ADD:
    case OP_SUB:
      if (Math.abs(r) > SAFE_HI) return -1;
      exact = twoSumExact(a, op === OP_SUB ? -b : b, r);
      break;
    case OP_MUL:
      if (!safe(a) || !safe(b) || !safe(r)) return -1;
      exact = productIs(a, b, r, r);
      break;
    case OP_DIV:
      if (!safe(a) || !safe(b) || !safe(r)) return -1;
      exact = productIs(r, b, r * b, a);
      break;
    default:
      if (!safe(b)) return -1;
      exact = productIs(r, r, r * r, b);
  }
  return exact ? 0 : MX_PE;
}

/** binary32 lane on the fast path (operands are the exact float values as doubles). */
function fastF(op: number, a: number, b: number, pe: boolean): number {
  let r: number;
  switch (op) {
    case OP_ADD: r = a + b; break;
    case OP_SUB: r = a - b; break;
    case OP_MUL: r = a * b; break;
    case OP_DIV: r = a / b; break;
    default: r = Math.sqrt(b);
  }
  const f = Math.fround(r);
  if (!(b === 0 || normF(b))) return -1;
  if (op !== OP_SQRT && !(a === 0 || normF(a))) return -1;
  if (!(Math.abs(f) > MIN_F && Math.abs(f) <= MAX_F)) {
    if (f !== 0 || r !== 0 || !(op <= OP_SUB || a === 0 || (op === OP_MUL && b === 0) || (op === OP_SQRT && b === 0))) return -1;
    fr = f;
    return 0;
  }
  fr = f;
  if (pe) return 0;
  let exact: boolean;
  switch (op) {
    case OP_ADD:
    case OP_SUB:
      exact = f === r && twoSumExact(a, op === OP_SUB ? -b : b, r);
      break;
    case OP_MUL:
      exact = f === r;
      break;
    case OP_DIV:
      exact = f * b === a;
      break;
    default:
      exact = f * f === b;
  }
  return exact ? 0 : MX_PE;
}

// ---- arithmetic ----

const arithmetic = (op: number, fmt: Fmt, packed: boolean): Handler => {
  const lanes = packed ? (fmt === 1 ? 2 : 4) : 1;
  const bytes = packed ? 16 : fmt === 1 ? 8 : 4;
  return (cpu, d) => {
    checkSse(cpu);
    loadSrc(cpu, d, bytes);
    arithLoaded(cpu, d, op, fmt, lanes);
  };
};

/** The arithmetic on an already loaded source operand (loadSrc): every MXCSR setting, every operand. */
function arithLoaded(cpu: X86Cpu, d: Insn, op: number, fmt: Fmt, lanes: number): void {
  const mx = cpu.mxcsr;
  const x = cpu.xmm;
  const o = d.reg * 4;
  if ((mx & CTRL_MASK) === FAST_CTRL) {
    // all masked: no exception can be raised, lanes are written as they are computed
    let flags = 0;
    for (let i = 0; i < lanes; i++) {
      let f: number;
      if (fmt === 1) {
        f = fastD(op, cpu.xmmF64[d.reg * 2 + i]!, WD[(wo >> 1) + i]!, ((mx | flags) & MX_PE) !== 0);
        if (f >= 0) cpu.xmmF64[d.reg * 2 + i] = fr;
        else {
          f = arith(op, 1, x[o + 2 * i]!, x[o + 2 * i + 1]!, W32[wo + 2 * i]!, W32[wo + 2 * i + 1]!, mx);
          x[o + 2 * i] = res.lo;
          x[o + 2 * i + 1] = res.hi;
        }
      } else {
        f = fastF(op, cpu.xmmF32[o + i]!, WF[wo + i]!, ((mx | flags) & MX_PE) !== 0);
        if (f >= 0) cpu.xmmF32[o + i] = fr;
        else {
          f = arith(op, 0, x[o + i]!, 0, W32[wo + i]!, 0, mx);
          x[o + i] = res.lo;
        }
      }
      flags |= f;
    }
    cpu.mxcsr = mx | flags;
    return;
  }
  let flags = 0;
  for (let i = 0; i < 4; i++) T32[i] = x[o + i]!;
  for (let i = 0; i < lanes; i++) {
    if (fmt === 1) {
      flags |= arith(op, 1, x[o + 2 * i]!, x[o + 2 * i + 1]!, W32[wo + 2 * i]!, W32[wo + 2 * i + 1]!, mx);
      T32[2 * i] = res.lo;
      T32[2 * i + 1] = res.hi;
    } else {
      flags |= arith(op, 0, x[o + i]!, 0, W32[wo + i]!, 0, mx);
      T32[i] = res.lo;
    }
  }
  signal(cpu, flags);
  x.set(T32, o);
}

/*
 * The hottest forms gcc emits (scalar and packed double, scalar single add/sub/mul/div) as handlers of their
 * own: one function literal each, so V8 sees one operation per call site and inlines it. They only take the
 * case where nothing can be raised and nothing must be detected: default control bits with PE already set
 * (it is sticky), normal (or zero) operands and a normal result; everything else goes to arithLoaded.
 */
const SETTLED = 0x7fa0; // masks, RC and PE
const SETTLED_VALUE = 0x1fa0;
const okD = (a: number, b: number, r: number): boolean => {
  const aa = Math.abs(a), ab = Math.abs(b), ar = Math.abs(r);
  return (aa >= MIN_D || a === 0) && aa <= MAX_D && (ab >= MIN_D || b === 0) && ab <= MAX_D && ar > MIN_D && ar <= MAX_D;
};
const okF = (a: number, b: number, f: number): boolean => {
  const aa = Math.abs(a), ab = Math.abs(b), af = Math.abs(f);
  return (aa >= MIN_F || a === 0) && aa <= MAX_F && (ab >= MIN_F || b === 0) && ab <= MAX_F && af > MIN_F && af <= MAX_F;
};

const ADDSD: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 8);
  const i = d.reg * 2, a = cpu.xmmF64[i]!, b = WD[wo >> 1]!, r = a + b;
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okD(a, b, r)) cpu.xmmF64[i] = r;
  else arithLoaded(cpu, d, OP_ADD, 1, 1);
};
const SUBSD: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 8);
  const i = d.reg * 2, a = cpu.xmmF64[i]!, b = WD[wo >> 1]!, r = a - b;
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okD(a, b, r)) cpu.xmmF64[i] = r;
  else arithLoaded(cpu, d, OP_SUB, 1, 1);
};
const MULSD: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 8);
  const i = d.reg * 2, a = cpu.xmmF64[i]!, b = WD[wo >> 1]!, r = a * b;
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okD(a, b, r)) cpu.xmmF64[i] = r;
  else arithLoaded(cpu, d, OP_MUL, 1, 1);
};
const DIVSD: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 8);
  const i = d.reg * 2, a = cpu.xmmF64[i]!, b = WD[wo >> 1]!, r = a / b;
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okD(a, b, r)) cpu.xmmF64[i] = r;
  else arithLoaded(cpu, d, OP_DIV, 1, 1);
};
const ADDPD: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 16);
  const i = d.reg * 2, j = wo >> 1, a0 = cpu.xmmF64[i]!, a1 = cpu.xmmF64[i + 1]!, b0 = WD[j]!, b1 = WD[j + 1]!;
  const r0 = a0 + b0, r1 = a1 + b1;
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okD(a0, b0, r0) && okD(a1, b1, r1)) {
    cpu.xmmF64[i] = r0;
    cpu.xmmF64[i + 1] = r1;
  } else arithLoaded(cpu, d, OP_ADD, 1, 2);
};
const SUBPD: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 16);
  const i = d.reg * 2, j = wo >> 1, a0 = cpu.xmmF64[i]!, a1 = cpu.xmmF64[i + 1]!, b0 = WD[j]!, b1 = WD[j + 1]!;
  const r0 = a0 - b0, r1 = a1 - b1;
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okD(a0, b0, r0) && okD(a1, b1, r1)) {
    cpu.xmmF64[i] = r0;
    cpu.xmmF64[i + 1] = r1;
  } else arithLoaded(cpu, d, OP_SUB, 1, 2);
};
const MULPD: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 16);
  const i = d.reg * 2, j = wo >> 1, a0 = cpu.xmmF64[i]!, a1 = cpu.xmmF64[i + 1]!, b0 = WD[j]!, b1 = WD[j + 1]!;
  const r0 = a0 * b0, r1 = a1 * b1;
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okD(a0, b0, r0) && okD(a1, b1, r1)) {
    cpu.xmmF64[i] = r0;
    cpu.xmmF64[i + 1] = r1;
  } else arithLoaded(cpu, d, OP_MUL, 1, 2);
};
const DIVPD: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 16);
  const i = d.reg * 2, j = wo >> 1, a0 = cpu.xmmF64[i]!, a1 = cpu.xmmF64[i + 1]!, b0 = WD[j]!, b1 = WD[j + 1]!;
  const r0 = a0 / b0, r1 = a1 / b1;
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okD(a0, b0, r0) && okD(a1, b1, r1)) {
    cpu.xmmF64[i] = r0;
    cpu.xmmF64[i + 1] = r1;
  } else arithLoaded(cpu, d, OP_DIV, 1, 2);
};
const ADDSS: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 4);
  const i = d.reg * 4, a = cpu.xmmF32[i]!, b = WF[wo]!, f = Math.fround(a + b);
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okF(a, b, f)) cpu.xmmF32[i] = f;
  else arithLoaded(cpu, d, OP_ADD, 0, 1);
};
const SUBSS: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 4);
  const i = d.reg * 4, a = cpu.xmmF32[i]!, b = WF[wo]!, f = Math.fround(a - b);
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okF(a, b, f)) cpu.xmmF32[i] = f;
  else arithLoaded(cpu, d, OP_SUB, 0, 1);
};
const MULSS: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 4);
  const i = d.reg * 4, a = cpu.xmmF32[i]!, b = WF[wo]!, f = Math.fround(a * b);
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okF(a, b, f)) cpu.xmmF32[i] = f;
  else arithLoaded(cpu, d, OP_MUL, 0, 1);
};
const DIVSS: Handler = (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 4);
  const i = d.reg * 4, a = cpu.xmmF32[i]!, b = WF[wo]!, f = Math.fround(a / b);
  if ((cpu.mxcsr & SETTLED) === SETTLED_VALUE && okF(a, b, f)) cpu.xmmF32[i] = f;
  else arithLoaded(cpu, d, OP_DIV, 0, 1);
};

// ---- MIN / MAX ----

/**
 * MINPS/MAXPS...: dest = (a < b) ? a : b (MAX: a > b). When either operand is a NaN (quiet or signalling)
 * the second operand is returned unchanged and IE is raised; when both are zeros of any sign the second is
 * returned (SDM vol. 2, MINPS). Denormal operands raise DE, or read as signed zeros under DAZ.
 */
const minmax = (max: boolean, fmt: Fmt, packed: boolean): Handler => {
  const lanes = packed ? (fmt === 1 ? 2 : 4) : 1;
  const bytes = packed ? 16 : fmt === 1 ? 8 : 4;
  return (cpu, d) => {
    checkSse(cpu);
    loadSrc(cpu, d, bytes);
    const mx = cpu.mxcsr;
    const daz = (mx & MX_DAZ) !== 0;
    const x = cpu.xmm;
    const o = d.reg * 4;
    let flags = 0;
    for (let i = 0; i < 4; i++) T32[i] = x[o + i]!;
    for (let i = 0; i < lanes; i++) {
      let a: number, b: number, min: number;
      let denA = false, denB = false;
      if (fmt === 1) {
        a = cpu.xmmF64[d.reg * 2 + i]!;
        b = WD[(wo >> 1) + i]!;
        min = MIN_D;
      } else {
        a = cpu.xmmF32[o + i]!;
        b = WF[wo + i]!;
        min = MIN_F;
      }
      let takeA: boolean;
      let flushA = false, flushB = false;
      // DAZ reads denormal operands as signed zeros before anything else (also when the other is a NaN)
      if (a !== 0 && Math.abs(a) < min) {
        if (daz) { a = a < 0 ? -0 : 0; flushA = true; } else denA = true;
      }
      if (b !== 0 && Math.abs(b) < min) {
        if (daz) { b = b < 0 ? -0 : 0; flushB = true; } else denB = true;
      }
      if (a !== a || b !== b) {
        flags |= MX_IE;
        takeA = false;
      } else {
        if (denA || denB) flags |= MX_DE;
        takeA = max ? a > b : a < b;
      }
      const flush = takeA ? flushA : flushB;
      if (fmt === 1) {
        if (takeA) { T32[2 * i] = x[o + 2 * i]!; T32[2 * i + 1] = x[o + 2 * i + 1]!; } else { T32[2 * i] = W32[wo + 2 * i]!; T32[2 * i + 1] = W32[wo + 2 * i + 1]!; }
        if (flush) { T32[2 * i] = 0; T32[2 * i + 1] &= 0x80000000; }
      } else {
        T32[i] = takeA ? x[o + i]! : W32[wo + i]!;
        if (flush) T32[i] &= 0x80000000;
      }
    }
    if (flags) signal(cpu, flags);
    x.set(T32, o);
  };
};

// ---- compares ----

/**
 * Classifies the lane pair (a from the destination, b from the source) for compares: returns -1 when either
 * is a NaN, else sets cmpA/cmpB (DAZ applied) and returns 0. Accumulates IE (SNaN, or any NaN when
 * `signalQuiet`) and DE in cmpFlags.
 */
let cmpA = 0, cmpB = 0, cmpFlags = 0;
function classify(fmt: Fmt, a: number, b: number, aBits: number, bBits: number, signalQuiet: boolean, daz: boolean): number {
  if (a !== a || b !== b) {
    const qbit = fmt === 1 ? 0x80000 : 0x400000;
    if (signalQuiet || (a !== a && !(aBits & qbit)) || (b !== b && !(bBits & qbit))) cmpFlags |= MX_IE;
    return -1;
  }
  const min = fmt === 1 ? MIN_D : MIN_F;
  if (a !== 0 && Math.abs(a) < min) {
    if (daz) a = 0; else cmpFlags |= MX_DE;
  }
  if (b !== 0 && Math.abs(b) < min) {
    if (daz) b = 0; else cmpFlags |= MX_DE;
  }
  cmpA = a;
  cmpB = b;
  return 0;
}

/** CMPPS/CMPPD/CMPSS/CMPSD with predicates EQ LT LE UNORD NEQ NLT NLE ORD (imm8 bits 2:0). */
const compare = (fmt: Fmt, packed: boolean): Handler => {
  const lanes = packed ? (fmt === 1 ? 2 : 4) : 1;
  const bytes = packed ? 16 : fmt === 1 ? 8 : 4;
  return (cpu, d) => {
    checkSse(cpu);
    loadSrc(cpu, d, bytes);
    const pred = d.imm & 7;
    const signalQuiet = pred === 1 || pred === 2 || pred === 5 || pred === 6;
    const daz = (cpu.mxcsr & MX_DAZ) !== 0;
    const x = cpu.xmm;
    const o = d.reg * 4;
    cmpFlags = 0;
    for (let i = 0; i < 4; i++) T32[i] = x[o + i]!;
    for (let i = 0; i < lanes; i++) {
      let unord: boolean;
      if (fmt === 1) unord = classify(1, cpu.xmmF64[d.reg * 2 + i]!, WD[(wo >> 1) + i]!, x[o + 2 * i + 1]!, W32[wo + 2 * i + 1]!, signalQuiet, daz) < 0;
      else unord = classify(0, cpu.xmmF32[o + i]!, WF[wo + i]!, x[o + i]!, W32[wo + i]!, signalQuiet, daz) < 0;
      let t: boolean;
      switch (pred) {
        case 0: t = !unord && cmpA === cmpB; break;
        case 1: t = !unord && cmpA < cmpB; break;
        case 2: t = !unord && cmpA <= cmpB; break;
        case 3: t = unord; break;
        case 4: t = unord || cmpA !== cmpB; break;
        case 5: t = unord || !(cmpA < cmpB); break;
        case 6: t = unord || !(cmpA <= cmpB); break;
        default: t = !unord;
      }
      const v = t ? -1 : 0;
      if (fmt === 1) T32[2 * i] = T32[2 * i + 1] = v;
      else T32[i] = v;
    }
    if (cmpFlags) signal(cpu, cmpFlags);
    x.set(T32, o);
  };
};

/** COMISS/COMISD (IE on any NaN) and UCOMISS/UCOMISD (IE on SNaN): ZF PF CF; OF SF AF cleared. */
const comis = (fmt: Fmt, signalQuiet: boolean): Handler => {
  const bytes = fmt === 1 ? 8 : 4;
  return (cpu, d) => {
    checkSse(cpu);
    loadSrc(cpu, d, bytes);
    const x = cpu.xmm;
    const o = d.reg * 4;
    cmpFlags = 0;
    const daz = (cpu.mxcsr & MX_DAZ) !== 0;
    const unord = fmt === 1
      ? classify(1, cpu.xmmF64[d.reg * 2]!, WD[wo >> 1]!, x[o + 1]!, W32[wo + 1]!, signalQuiet, daz) < 0
      : classify(0, cpu.xmmF32[o]!, WF[wo]!, x[o]!, W32[wo]!, signalQuiet, daz) < 0;
    if (cmpFlags) signal(cpu, cmpFlags);
    const f = unord ? 0x45 : cmpA < cmpB ? 0x1 : cmpA === cmpB ? 0x40 : 0;
    cpu.setFlags((cpu.getFlags() & ~0x8d5) | f);
  };
};

// ---- conversions ----

/** round to nearest even for |x| < 2^63 */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

let cvLo = 0, cvHi = 0;
/**
 * Float (as a double value, with its raw bits for the slow path) to a 32/64-bit integer in cvLo/cvHi;
 * returns flags. Fast when the value is normal, within range and RC is nearest (or truncation).
 */
function floatToInt(fmt: Fmt, v: number, lo: number, hi: number, bits: number, truncate: boolean, mx: number): number {
  const a = Math.abs(v);
  const limit = bits === 64 ? 9223372036854775808 : 2147483648;
  if (a >= (fmt === 1 ? MIN_D : MIN_F) && a < limit && (truncate || ((mx >> MX_RC_SHIFT) & 3) === 0)) {
    const r = truncate ? Math.trunc(v) : rint(v);
    if (r === limit) return slowToInt(fmt, lo, hi, bits, truncate, mx);
    const hiPart = Math.floor(r / TWO32);
    cvLo = (r - hiPart * TWO32) >>> 0;
    cvHi = bits === 64 ? hiPart >>> 0 : 0;
    if (bits === 32) cvLo = r >>> 0;
    return r !== v ? MX_PE : 0;
  }
  if (v === 0) {
    cvLo = cvHi = 0;
    return 0;
  }
  return slowToInt(fmt, lo, hi, bits, truncate, mx);
}

function slowToInt(fmt: Fmt, lo: number, hi: number, bits: number, truncate: boolean, mx: number): number {
  const f = toInt(fmt, lo, hi, bits, truncate, mx);
  cvLo = res.lo;
  cvHi = res.hi;
  return f;
}

/** CVTSS2SI/CVTSD2SI/CVTTSS2SI/CVTTSD2SI Gy,W */
const cvtToSi = (fmt: Fmt, truncate: boolean): Handler => (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, fmt === 1 ? 8 : 4);
  const bits = d.s1 === 8 ? 64 : 32;
  const v = fmt === 1 ? WD[wo >> 1]! : WF[wo]!;
  const flags = floatToInt(fmt, v, W32[wo]!, fmt === 1 ? W32[wo + 1]! : 0, bits, truncate, cpu.mxcsr);
  if (flags) signal(cpu, flags);
  cpu.writeReg(d.s1, d.reg, true, cvLo, cvHi);
};

/** CVTSI2SS/CVTSI2SD Vx,Ey (32- or 64-bit signed source; rounding per RC for inexact cases). */
const cvtFromSi = (fmt: Fmt): Handler => (cpu, d) => {
  checkSse(cpu);
  const lo = cpu.readOp(d, 1 /* E */, d.s2);
  const hi = d.s2 === 8 ? cpu.vhi : 0;
  const mx = cpu.mxcsr;
  const v = d.s2 === 8 ? (hi | 0) * TWO32 + lo : lo | 0;
  const o = d.reg * 4;
  if (Math.abs(v) < 9007199254740992 && (mx & CTRL_MASK) === FAST_CTRL) {
    if (fmt === 1) cpu.xmmF64[d.reg * 2] = v; // exact below 2^53
    else {
      const f = Math.fround(v);
      cpu.xmmF32[o] = f;
      if (f !== v) cpu.mxcsr = mx | MX_PE;
    }
    return;
  }
  const big = d.s2 === 8 ? BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)) : BigInt(lo | 0);
  storeScalar(cpu, o, fmt, fromInt(fmt, big, mx));
};

/** CVTSS2SD / CVTSD2SS (scalar): binary32 <-> binary64 */
const cvtScalar = (toFmt: Fmt): Handler => (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, toFmt === 1 ? 4 : 8);
  const mx = cpu.mxcsr;
  const o = d.reg * 4;
  if ((mx & CTRL_MASK) === FAST_CTRL) {
    if (toFmt === 1) {
      const v = WF[wo]!;
      if (v === 0 || normF(v) || Math.abs(v) === Infinity) {
        cpu.xmmF64[d.reg * 2] = v;
        return;
      }
    } else {
      const v = WD[wo >> 1]!;
      const f = Math.fround(v);
      if (v === 0 || (normD(v) && normF(f) && Math.abs(f) !== MIN_F)) {
        cpu.xmmF32[o] = f;
        if (f !== v) cpu.mxcsr = mx | MX_PE;
        return;
      }
    }
  }
  storeScalar(cpu, o, toFmt, convert(toFmt, W32[wo]!, toFmt === 1 ? 0 : W32[wo + 1]!, mx));
};

/** CVTDQ2PS/CVTDQ2PD: signed dwords to 4 floats / 2 doubles (the latter exact) */
const cvtDq = (toFmt: Fmt): Handler => (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, toFmt === 1 ? 8 : 16);
  const mx = cpu.mxcsr;
  let flags = 0;
  if (toFmt === 1) {
    TD[0] = W32[wo]!;
    TD[1] = W32[wo + 1]!;
  } else {
    for (let i = 0; i < 4; i++) {
      const v = W32[wo + i]!;
      if ((mx & CTRL_MASK) === FAST_CTRL) {
        const f = Math.fround(v);
        TF[i] = f;
        if (f !== v) flags |= MX_PE;
      } else {
        flags |= fromInt(0, BigInt(v), mx);
        T32[i] = res.lo;
      }
    }
    if (flags) signal(cpu, flags);
  }
  cpu.xmm.set(T32, d.reg * 4);
};

/** CVTPS2DQ/CVTTPS2DQ (4 lanes) and CVTPD2DQ/CVTTPD2DQ (2 lanes, upper half zeroed) */
const cvtToDq = (fmt: Fmt, truncate: boolean): Handler => (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, 16);
  const mx = cpu.mxcsr;
  let flags = 0;
  T32[2] = T32[3] = 0;
  const lanes = fmt === 1 ? 2 : 4;
  for (let i = 0; i < lanes; i++) {
    if (fmt === 1) flags |= floatToInt(1, WD[(wo >> 1) + i]!, W32[wo + 2 * i]!, W32[wo + 2 * i + 1]!, 32, truncate, mx);
    else flags |= floatToInt(0, WF[wo + i]!, W32[wo + i]!, 0, 32, truncate, mx);
    T32[i] = cvLo;
  }
  if (flags) signal(cpu, flags);
  cpu.xmm.set(T32, d.reg * 4);
};

/** CVTPS2PD (2 floats from the low qword) and CVTPD2PS (2 doubles to the low qword, upper zeroed) */
const cvtPacked = (toFmt: Fmt): Handler => (cpu, d) => {
  checkSse(cpu);
  loadSrc(cpu, d, toFmt === 1 ? 8 : 16);
  const mx = cpu.mxcsr;
  let flags = 0;
  if (toFmt === 0) T32[2] = T32[3] = 0;
  for (let i = 0; i < 2; i++) {
    if (toFmt === 1) {
      const v = WF[wo + i]!;
      if ((mx & CTRL_MASK) === FAST_CTRL && (v === 0 || normF(v) || Math.abs(v) === Infinity)) TD[i] = v;
      else {
        flags |= convert(1, W32[wo + i]!, 0, mx);
        T32[2 * i] = res.lo;
        T32[2 * i + 1] = res.hi;
      }
    } else {
      const v = WD[(wo >> 1) + i]!;
      const f = Math.fround(v);
      if ((mx & CTRL_MASK) === FAST_CTRL && (v === 0 || (normD(v) && normF(f) && Math.abs(f) !== MIN_F))) {
        TF[i] = f;
        if (f !== v) flags |= MX_PE;
      } else {
        flags |= convert(0, W32[wo + 2 * i]!, W32[wo + 2 * i + 1]!, mx);
        T32[i] = res.lo;
      }
    }
  }
  if (flags) signal(cpu, flags);
  cpu.xmm.set(T32, d.reg * 4);
};

const SSE_UD: Handler = (cpu) => cpu.fault(VEC_UD);

const PS = (op: number): Handler => arithmetic(op, 0, true);
const PD = (op: number): Handler => arithmetic(op, 1, true);
const SS = (op: number): Handler => arithmetic(op, 0, false);
const SDh = (op: number): Handler => arithmetic(op, 1, false);

export const SSEFP_HANDLERS: Record<string, Handler> = {
  ADDPS: PS(OP_ADD), ADDPD, ADDSS, ADDSD,
  SUBPS: PS(OP_SUB), SUBPD, SUBSS, SUBSD,
  MULPS: PS(OP_MUL), MULPD, MULSS, MULSD,
  DIVPS: PS(OP_DIV), DIVPD, DIVSS, DIVSD,
  SQRTPS: PS(OP_SQRT), SQRTPD: PD(OP_SQRT), SQRTSS: SS(OP_SQRT), SQRTSD: SDh(OP_SQRT),
  MINPS: minmax(false, 0, true), MINPD: minmax(false, 1, true), MINSS: minmax(false, 0, false), MINSD: minmax(false, 1, false),
  MAXPS: minmax(true, 0, true), MAXPD: minmax(true, 1, true), MAXSS: minmax(true, 0, false), MAXSD: minmax(true, 1, false),
  CMPPS: compare(0, true), CMPPD: compare(1, true), CMPSS: compare(0, false), CMPSD: compare(1, false),
  COMISS: comis(0, true), COMISD: comis(1, true), UCOMISS: comis(0, false), UCOMISD: comis(1, false),
  CVTSS2SI: cvtToSi(0, false), CVTSD2SI: cvtToSi(1, false), CVTTSS2SI: cvtToSi(0, true), CVTTSD2SI: cvtToSi(1, true),
  CVTSI2SS: cvtFromSi(0), CVTSI2SD: cvtFromSi(1),
  CVTSS2SD: cvtScalar(1), CVTSD2SS: cvtScalar(0),
  CVTDQ2PS: cvtDq(0), CVTDQ2PD: cvtDq(1),
  CVTPS2DQ: cvtToDq(0, false), CVTTPS2DQ: cvtToDq(0, true), CVTPD2DQ: cvtToDq(1, false), CVTTPD2DQ: cvtToDq(1, true),
  CVTPS2PD: cvtPacked(1), CVTPD2PS: cvtPacked(0),
  SSEUD: SSE_UD,
};
