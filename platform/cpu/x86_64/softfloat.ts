/**
 * Exact IEEE 754 binary32/binary64 arithmetic for the SSE/SSE2 model: the slow path behind exec-ssefp.ts.
 *
 * exec-ssefp.ts computes the common case (round to nearest, all exceptions masked, normal operands and a
 * normal result) with JavaScript doubles. Everything else comes here: other rounding modes, denormal
 * operands and results, overflow, NaNs and invalid operations, DAZ/FTZ, unmasked exceptions. This path uses
 * BigInt and allocates, which is acceptable because it is cold (a guest only reaches it for special values
 * or non-default MXCSR settings).
 *
 * Method: every finite operand is an exact value m * 2^e (m a BigInt). The operation is computed exactly
 * (add, mul) or to p+2 significant bits plus a sticky bit (div, sqrt), then `round` applies MXCSR.RC and
 * derives the flags from that exact value:
 *   PE  the discarded bits (or the sticky bit) are non-zero, or the result overflowed/was flushed;
 *   OE  the rounded value (exponent unbounded) is >= 2^(emax+1); result inf or the largest finite number
 *       depending on RC and sign (SDM vol. 1, 4.9.1.4);
 *   UE  tininess is detected AFTER rounding as x86 does: the value rounded to p bits with an unbounded
 *       exponent is below 2^emin. Masked (UM=1): UE when tiny and inexact; with FTZ the result becomes a
 *       signed zero and UE|PE are set for every tiny result. Unmasked: UE when tiny.
 *   ZE  finite non-zero / zero;  IE  SNaN operand or invalid operation (inf-inf, 0*inf, 0/0, inf/inf,
 *       sqrt(<0)) with the default QNaN (sign set, "real indefinite") as the result;
 *   DE  an operand is denormal and MXCSR.DAZ is clear (with DAZ set denormal operands read as signed zeros
 *       and DE is never set); not reported when an operand is a NaN or the operation is invalid.
 * NaN results follow the SDM (vol. 1, table 4-7, SSE rules): the first source operand's NaN if it is one,
 * else the second's, quieted (an SNaN raises IE).
 */

export const MX_IE = 0x1;
export const MX_DE = 0x2;
export const MX_ZE = 0x4;
export const MX_OE = 0x8;
export const MX_UE = 0x10;
export const MX_PE = 0x20;
export const MX_DAZ = 0x40;
export const MX_UM = 0x800;
export const MX_FTZ = 0x8000;
export const MX_RC_SHIFT = 13;

/** 0 binary32, 1 binary64 */
export type Fmt = 0 | 1;

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;
export const OP_SQRT = 4;

const P = [24, 53];
const EMIN = [-126, -1022];
const EMAX = [127, 1023];

const ZERO = 0;
const FIN = 1;
const INF = 2;
const QNAN = 3;
const SNAN = 4;

/** The result of the last operation, as raw bits (binary32 in lo). */
export const res = { lo: 0, hi: 0 };

interface Val {
  cls: number;
  sign: number;
  m: bigint;
  e: number;
  den: boolean;
  lo: number;
  hi: number;
}

export function decode(fmt: Fmt, lo: number, hi: number, daz: boolean): Val {
  let sign: number, ex: number, frac: bigint, fracZero: boolean, quiet: boolean;
  if (fmt === 1) {
    sign = hi >>> 31;
    ex = (hi >>> 20) & 0x7ff;
    const fh = hi & 0xfffff;
    frac = (BigInt(fh) << 32n) | BigInt(lo >>> 0);
    fracZero = (fh | lo) === 0;
    quiet = (hi & 0x80000) !== 0;
    if (ex === 0x7ff) ex = -1;
  } else {
    sign = lo >>> 31;
    ex = (lo >>> 23) & 0xff;
    frac = BigInt(lo & 0x7fffff);
    fracZero = (lo & 0x7fffff) === 0;
    quiet = (lo & 0x400000) !== 0;
    if (ex === 0xff) ex = -1;
  }
  const v: Val = { cls: FIN, sign, m: 0n, e: 0, den: false, lo: lo >>> 0, hi: hi >>> 0 };
  const p = P[fmt]!;
  if (ex === -1) v.cls = fracZero ? INF : quiet ? QNAN : SNAN;
  else if (ex === 0) {
    if (fracZero || daz) v.cls = ZERO;
    else {
      v.m = frac;
      v.e = EMIN[fmt]! - (p - 1);
      v.den = true;
    }
  } else {
    v.m = frac | (1n << BigInt(p - 1));
    v.e = ex - (EMAX[fmt]! + p - 1);
  }
  return v;
}

const isNaN_ = (v: Val): boolean => v.cls >= QNAN;

export function setQuiet(fmt: Fmt, v: { lo: number; hi: number }): void {
  if (fmt === 1) {
    res.lo = v.lo >>> 0;
    res.hi = (v.hi | 0x80000) >>> 0;
  } else {
    res.lo = (v.lo | 0x400000) >>> 0;
    res.hi = 0;
  }
}

export function setDefaultNaN(fmt: Fmt): void {
  if (fmt === 1) {
    res.lo = 0;
    res.hi = 0xfff80000;
  } else {
    res.lo = 0xffc00000;
    res.hi = 0;
  }
}

function setInf(fmt: Fmt, sign: number): void {
  if (fmt === 1) {
    res.lo = 0;
    res.hi = ((sign << 31) | 0x7ff00000) >>> 0;
  } else {
    res.lo = ((sign << 31) | 0x7f800000) >>> 0;
    res.hi = 0;
  }
}

function setZero(fmt: Fmt, sign: number): void {
  if (fmt === 1) {
    res.lo = 0;
    res.hi = (sign << 31) >>> 0;
  } else {
    res.lo = (sign << 31) >>> 0;
    res.hi = 0;
  }
}

function setMax(fmt: Fmt, sign: number): void {
  if (fmt === 1) {
    res.lo = 0xffffffff;
    res.hi = ((sign << 31) | 0x7fefffff) >>> 0;
  } else {
    res.lo = ((sign << 31) | 0x7f7fffff) >>> 0;
    res.hi = 0;
  }
}

function bitlen(m: bigint): number {
  return m.toString(2).length;
}

/**
 * Rounds the integer m * 2^-sh (sh >= 1) per rounding control `rc` for a value of sign `sign`; `sticky` says
 * the true value is slightly above m * 2^-sh. Sets `lastInexact`.
 */
let lastInexact = false;
function roundInt(m: bigint, sh: number, sticky: boolean, sign: number, rc: number): bigint {
  if (sh <= 0) {
    lastInexact = sticky;
    const q = m << BigInt(-sh);
    if (!sticky) return q;
    // (only reached with sh === 0 and a sticky bit: the value lies strictly between q and q+1, below half)
    return (rc === 1 && sign) || (rc === 2 && !sign) ? q + 1n : q;
  }
  const b = BigInt(sh);
  let q = m >> b;
  const rem = m & ((1n << b) - 1n);
  const half = 1n << (b - 1n);
  lastInexact = rem !== 0n || sticky;
  if (!lastInexact) return q;
  switch (rc) {
    case 0:
      if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q += 1n;
      break;
    case 1:
      if (sign) q += 1n;
      break;
    case 2:
      if (!sign) q += 1n;
      break;
  }
  return q;
}

/** Rounds sign * (m + sticky) * 2^e (m > 0) into `res`; returns the MXCSR flags (see the header). */
export function round(fmt: Fmt, sign: number, m: bigint, e: number, sticky: boolean, mx: number): number {
  const p = P[fmt]!, emin = EMIN[fmt]!, emax = EMAX[fmt]!;
  const rc = (mx >> MX_RC_SHIFT) & 3;
  let n = bitlen(m);
  if (n < p + 2) {
    m <<= BigInt(p + 2 - n);
    e -= p + 2 - n;
    n = p + 2;
  }
  const E = e + n - 1;
  let tiny = false;
  if (E < emin - 1) tiny = true;
  else if (E === emin - 1) tiny = bitlen(roundInt(m, n - p, sticky, sign, rc)) <= p;
  const lsb = Math.max(E - p + 1, emin - p + 1);
  let r = roundInt(m, lsb - e, sticky, sign, rc);
  const inexact = lastInexact;
  let q = lsb;
  if (bitlen(r) > p) {
    r >>= 1n;
    q++;
  }
  let flags = inexact ? MX_PE : 0;
  if (r === 0n) {
    // rounded to zero (a tiny value under RZ/RD/RU or RN below half the smallest denormal)
    setZero(fmt, sign);
  } else if (q + bitlen(r) - 1 > emax) {
    flags |= MX_OE | MX_PE;
    if (rc === 0 || (rc === 1 && sign) || (rc === 2 && !sign)) setInf(fmt, sign);
    else setMax(fmt, sign);
    return flags;
  } else encode(fmt, sign, r, q);
  if (tiny) {
    if (mx & MX_UM) {
      if (mx & MX_FTZ) {
        setZero(fmt, sign);
        flags |= MX_UE | MX_PE;
      } else if (inexact) flags |= MX_UE;
    } else flags |= MX_UE;
  }
  return flags;
}

/** r * 2^q with r < 2^p, q >= emin - p + 1 (denormal when r < 2^(p-1)). */
function encode(fmt: Fmt, sign: number, r: bigint, q: number): void {
  const p = P[fmt]!;
  let biased: number;
  let frac: bigint;
  if (r < 1n << BigInt(p - 1)) {
    biased = 0;
    frac = r;
  } else {
    biased = q + p - 1 + EMAX[fmt]!;
    frac = r - (1n << BigInt(p - 1));
  }
  if (fmt === 1) {
    res.lo = Number(frac & 0xffffffffn);
    res.hi = ((sign << 31) | (biased << 20) | Number(frac >> 32n)) >>> 0;
  } else {
    res.lo = ((sign << 31) | (biased << 23) | Number(frac)) >>> 0;
    res.hi = 0;
  }
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitlen(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** a op b (SQRT: sqrt b) for binary32/64 bit patterns; result in `res`, returns MXCSR flags. */
export function arith(op: number, fmt: Fmt, aLo: number, aHi: number, bLo: number, bHi: number, mx: number): number {
  const daz = (mx & MX_DAZ) !== 0;
  const b = decode(fmt, bLo, bHi, daz);
  if (op === OP_SQRT) {
    if (isNaN_(b)) {
      setQuiet(fmt, b);
      return b.cls === SNAN ? MX_IE : 0;
    }
    if (b.cls === ZERO) {
      setZero(fmt, b.sign);
      return 0;
    }
    if (b.sign) {
      setDefaultNaN(fmt);
      return MX_IE;
    }
    if (b.cls === INF) {
      setInf(fmt, 0);
      return 0;
    }
    let m = b.m, e = b.e;
    if (e & 1) {
      m <<= 1n;
      e -= 1;
    }
    const want = 2 * (P[fmt]! + 2);
    let k = Math.max(0, Math.ceil((want - bitlen(m)) / 2)) + 1;
    const M = m << BigInt(2 * k);
    const r = isqrt(M);
    return round(fmt, 0, r, (e - 2 * k) / 2, r * r !== M, mx) | (b.den ? MX_DE : 0);
  }
  const a = decode(fmt, aLo, aHi, daz);
  if (isNaN_(a) || isNaN_(b)) {
    setQuiet(fmt, isNaN_(a) ? a : b);
    return a.cls === SNAN || b.cls === SNAN ? MX_IE : 0;
  }
  const de = a.den || b.den ? MX_DE : 0;
  const rc = (mx >> MX_RC_SHIFT) & 3;
  let bs = b.sign;
  if (op === OP_SUB) bs ^= 1;
  switch (op) {
    case OP_ADD:
    case OP_SUB: {
      if (a.cls === INF || b.cls === INF) {
        if (a.cls === INF && b.cls === INF && a.sign !== bs) {
          setDefaultNaN(fmt);
          return MX_IE;
        }
        setInf(fmt, a.cls === INF ? a.sign : bs);
        return de;
      }
      if (a.cls === ZERO && b.cls === ZERO) {
        setZero(fmt, a.sign === bs ? a.sign : rc === 1 ? 1 : 0);
        return de;
      }
      const e = Math.min(a.cls === ZERO ? b.e : a.e, b.cls === ZERO ? a.e : b.e);
      const ma = a.cls === ZERO ? 0n : a.m << BigInt(a.e - e);
      const mb = b.cls === ZERO ? 0n : b.m << BigInt(b.e - e);
      const s = (a.sign ? -ma : ma) + (bs ? -mb : mb);
      if (s === 0n) {
        setZero(fmt, rc === 1 ? 1 : 0);
        return de;
      }
      return round(fmt, s < 0n ? 1 : 0, s < 0n ? -s : s, e, false, mx) | de;
    }
    case OP_MUL: {
      const sign = a.sign ^ b.sign;
      if (a.cls === INF || b.cls === INF) {
        if (a.cls === ZERO || b.cls === ZERO) {
          setDefaultNaN(fmt);
          return MX_IE;
        }
        setInf(fmt, sign);
        return de;
      }
      if (a.cls === ZERO || b.cls === ZERO) {
        setZero(fmt, sign);
        return de;
      }
      return round(fmt, sign, a.m * b.m, a.e + b.e, false, mx) | de;
    }
    default: {
      // OP_DIV
      const sign = a.sign ^ b.sign;
      if (a.cls === INF) {
        if (b.cls === INF) {
          setDefaultNaN(fmt);
          return MX_IE;
        }
        setInf(fmt, sign);
        return de;
      }
      if (b.cls === INF) {
        setZero(fmt, sign);
        return de;
      }
      if (b.cls === ZERO) {
        if (a.cls === ZERO) {
          setDefaultNaN(fmt);
          return MX_IE;
        }
        setInf(fmt, sign);
        return MX_ZE; // a denormal dividend: ZE alone, no DE (as the host processor reports)
      }
      if (a.cls === ZERO) {
        setZero(fmt, sign);
        return de;
      }
      const k = Math.max(0, P[fmt]! + 3 + bitlen(b.m) - bitlen(a.m));
      const num = a.m << BigInt(k);
      const q = num / b.m;
      return round(fmt, sign, q, a.e - b.e - k, q * b.m !== num, mx) | de;
    }
  }
}

/** Converts a signed integer (exact BigInt) to binary32/64 per MXCSR.RC; result in `res`. */
export function fromInt(fmt: Fmt, v: bigint, mx: number): number {
  if (v === 0n) {
    setZero(fmt, 0);
    return 0;
  }
  const sign = v < 0n ? 1 : 0;
  return round(fmt, sign, sign ? -v : v, 0, false, mx);
}

/**
 * Converts binary32/64 to a signed integer of `bits` (32/64) bits, rounding per RC (or toward zero when
 * `truncate`). NaN, infinity and out-of-range values give the integer indefinite 0x80..0 with IE (and no
 * PE); otherwise PE when inexact. Denormal operands: no DE (the SDM lists only IE and PE), DAZ applies.
 */
export function toInt(fmt: Fmt, lo: number, hi: number, bits: number, truncate: boolean, mx: number): number {
  const v = decode(fmt, lo, hi, (mx & MX_DAZ) !== 0);
  const indefinite = (): number => {
    res.lo = bits === 64 ? 0 : 0x80000000;
    res.hi = bits === 64 ? 0x80000000 : 0;
    return MX_IE;
  };
  if (v.cls >= INF) return indefinite();
  if (v.cls === ZERO) {
    res.lo = res.hi = 0;
    return 0;
  }
  const rc = truncate ? 3 : (mx >> MX_RC_SHIFT) & 3;
  let r = v.e >= 0 ? v.m << BigInt(v.e) : roundInt(v.m, -v.e, false, v.sign, rc);
  const inexact = v.e >= 0 ? false : lastInexact;
  const limit = 1n << BigInt(bits - 1);
  if (v.sign ? r > limit : r >= limit) return indefinite();
  if (v.sign) r = -r;
  const u = BigInt.asUintN(64, r);
  res.lo = Number(u & 0xffffffffn);
  res.hi = bits === 64 ? Number(u >> 32n) : 0;
  return inexact ? MX_PE : 0;
}

/**
 * binary32 <-> binary64 (CVTSS2SD / CVTSD2SS): an SNaN is quieted with IE, a QNaN keeps its payload (shifted
 * between the formats), a denormal operand raises DE unless DAZ; narrowing rounds per RC with OE/UE/PE.
 */
export function convert(toFmt: Fmt, lo: number, hi: number, mx: number): number {
  const from: Fmt = toFmt === 1 ? 0 : 1;
  const v = decode(from, lo, hi, (mx & MX_DAZ) !== 0);
  if (v.cls >= QNAN) {
    if (toFmt === 1) {
      // payload: the 23 fraction bits become the top of the 52
      res.hi = ((v.sign << 31) | 0x7ff80000 | ((lo & 0x7fffff) >>> 3)) >>> 0;
      res.lo = (lo << 29) >>> 0;
    } else {
      res.lo = ((v.sign << 31) | 0x7fc00000 | ((hi & 0xfffff) << 3) | (lo >>> 29)) >>> 0;
      res.hi = 0;
    }
    return v.cls === SNAN ? MX_IE : 0;
  }
  if (v.cls === INF) {
    setInf(toFmt, v.sign);
    return 0;
  }
  if (v.cls === ZERO) {
    setZero(toFmt, v.sign);
    return 0;
  }
  return round(toFmt, v.sign, v.m, v.e, false, mx) | (v.den ? MX_DE : 0);
}
