/**
 * 64- and 128-bit integer helpers on 32-bit halves (no BigInt on the hot path). Results are left in the
 * exported mutable `W` record so the helpers allocate nothing.
 */
export const W = { lo: 0, hi: 0, lo2: 0, hi2: 0, rem: 0, remHi: 0, ok: true };

/** Unsigned 32x32 -> 64: W.lo, W.hi. */
export function mulu32(a: number, b: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  W.lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
  W.hi = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/** Unsigned 64x64 -> 128: W.lo, W.hi (low 64) and W.lo2, W.hi2 (high 64). */
export function mulu64(alo: number, ahi: number, blo: number, bhi: number): void {
  mulu32(alo, blo);
  const r0 = W.lo;
  let r1 = W.hi;
  mulu32(alo, bhi);
  const t1lo = W.lo, t1hi = W.hi;
  mulu32(ahi, blo);
  const t2lo = W.lo, t2hi = W.hi;
  mulu32(ahi, bhi);
  let r3 = W.hi;
  let r2 = W.lo;
  // r1 += t1lo + t2lo with carries into r2/r3
  let s = r1 + t1lo + t2lo;
  r1 = s >>> 0;
  let c = Math.floor(s / 4294967296);
  s = r2 + t1hi + t2hi + c;
  r2 = s >>> 0;
  c = Math.floor(s / 4294967296);
  r3 = (r3 + c) >>> 0;
  W.lo = r0;
  W.hi = r1;
  W.lo2 = r2;
  W.hi2 = r3;
}

/** Signed 64x64 -> 128 (two's complement halves). */
export function muls64(alo: number, ahi: number, blo: number, bhi: number): void {
  mulu64(alo, ahi, blo, bhi);
  let lo2 = W.lo2, hi2 = W.hi2;
  if (ahi & 0x80000000) {
    // high -= b
    const s = lo2 - blo;
    lo2 = s >>> 0;
    hi2 = (hi2 - bhi - (s < 0 ? 1 : 0)) >>> 0;
  }
  if (bhi & 0x80000000) {
    const s = lo2 - alo;
    lo2 = s >>> 0;
    hi2 = (hi2 - ahi - (s < 0 ? 1 : 0)) >>> 0;
  }
  W.lo2 = lo2;
  W.hi2 = hi2;
}

/**
 * Unsigned 128/64 division: (n3:n2:n1:n0) / (dhi:dlo). Sets W.ok=false when the quotient does not fit in
 * 64 bits or the divisor is zero; otherwise quotient in W.lo/W.hi, remainder in W.rem/W.remHi.
 */
export function divu128(n0: number, n1: number, n2: number, n3: number, dlo: number, dhi: number): void {
  if ((dlo | dhi) === 0) {
    W.ok = false;
    return;
  }
  // quotient fits iff high 64 bits < divisor
  if (n3 > dhi || (n3 === dhi && n2 >= dlo)) {
    W.ok = false;
    return;
  }
  W.ok = true;
  if (n3 === 0 && n2 === 0 && n1 < 0x200000 && dhi < 0x200000) {
    const n = n1 * 4294967296 + n0;
    const dv = dhi * 4294967296 + dlo;
    const q = Math.floor(n / dv);
    const r = n - q * dv;
    W.lo = q >>> 0;
    W.hi = Math.floor(q / 4294967296) >>> 0;
    W.rem = r >>> 0;
    W.remHi = Math.floor(r / 4294967296) >>> 0;
    return;
  }
  if (dhi === 0 && n3 === 0) {
    // 96/32 by 16-bit digits: every partial remainder is < d < 2^32, times 2^16 stays exact
    const d = dlo;
    let r = n2;
    let q = 0;
    const digits = [n1 >>> 16, n1 & 0xffff, n0 >>> 16, n0 & 0xffff];
    let qhi = 0;
    for (let i = 0; i < 4; i++) {
      const cur = r * 65536 + digits[i]!;
      const qd = Math.floor(cur / d);
      r = cur - qd * d;
      if (i < 2) qhi = qhi * 65536 + qd;
      else q = q * 65536 + qd;
    }
    W.lo = q >>> 0;
    W.hi = qhi >>> 0;
    W.rem = r >>> 0;
    W.remHi = 0;
    return;
  }
  // general case: restoring shift-subtract over 64 quotient bits
  let rlo = n2, rhi = n3; // remainder starts as the high 64 bits (< divisor)
  let qlo = 0, qhi = 0;
  let lo = n0, hi = n1;
  for (let i = 0; i < 64; i++) {
    const top = rhi >>> 31;
    rhi = ((rhi << 1) | (rlo >>> 31)) >>> 0;
    rlo = ((rlo << 1) | (hi >>> 31)) >>> 0;
    hi = ((hi << 1) | (lo >>> 31)) >>> 0;
    lo = (lo << 1) >>> 0;
    qhi = ((qhi << 1) | (qlo >>> 31)) >>> 0;
    qlo = (qlo << 1) >>> 0;
    if (top || rhi > dhi || (rhi === dhi && rlo >= dlo)) {
      const s = rlo - dlo;
      rlo = s >>> 0;
      rhi = (rhi - dhi - (s < 0 ? 1 : 0)) >>> 0;
      qlo = (qlo | 1) >>> 0;
    }
  }
  W.lo = qlo;
  W.hi = qhi;
  W.rem = rlo;
  W.remHi = rhi;
}

/** Two's complement negation of a 64-bit value into W.lo/W.hi. */
export function neg64(lo: number, hi: number): void {
  const l = (-lo) >>> 0;
  W.lo = l;
  W.hi = (~hi + (l === 0 ? 1 : 0)) >>> 0;
}

/** Logical shift left of a 64-bit value by c (0..63). */
export function shl64(lo: number, hi: number, c: number): void {
  if (c === 0) { W.lo = lo >>> 0; W.hi = hi >>> 0; }
  else if (c < 32) { W.hi = ((hi << c) | (lo >>> (32 - c))) >>> 0; W.lo = (lo << c) >>> 0; }
  else { W.hi = (lo << (c - 32)) >>> 0; W.lo = 0; }
}

/** Logical shift right by c (0..63). */
export function shr64(lo: number, hi: number, c: number): void {
  if (c === 0) { W.lo = lo >>> 0; W.hi = hi >>> 0; }
  else if (c < 32) { W.lo = ((lo >>> c) | (hi << (32 - c))) >>> 0; W.hi = hi >>> c; }
  else { W.lo = hi >>> (c - 32); W.hi = 0; }
}

/** Arithmetic shift right by c (0..63). */
export function sar64(lo: number, hi: number, c: number): void {
  if (c === 0) { W.lo = lo >>> 0; W.hi = hi >>> 0; }
  else if (c < 32) { W.lo = ((lo >>> c) | (hi << (32 - c))) >>> 0; W.hi = (hi >> c) >>> 0; }
  else { W.lo = (hi >> (c - 32)) >>> 0; W.hi = (hi >> 31) >>> 0; }
}

/** Bit c (0..63) of a 64-bit value. */
export function bit64(lo: number, hi: number, c: number): number {
  return c < 32 ? (lo >>> c) & 1 : (hi >>> (c - 32)) & 1;
}
