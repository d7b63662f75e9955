/**
 * 64-bit integer arithmetic on two signed 32-bit halves (lo, hi), without BigInt and without allocation.
 *
 * Every helper leaves its result in the module-level scratch array `R` (R[0] = lo, R[1] = hi; R[2], R[3] hold
 * the upper 64 bits of 128-bit products). Callers copy the halves out immediately. Flags of
 * AddWithCarry (Arm ARM pseudocode) are returned packed as NZCV in bits 31..28, the PSTATE layout.
 */
export const R = new Int32Array(4);

const TWO32 = 4294967296;

/** AddWithCarry(x, y, carry_in) for 64-bit operands; returns NZCV in bits 31..28. */
export function addc64(alo: number, ahi: number, blo: number, bhi: number, cin: number): number {
  const l = (alo >>> 0) + (blo >>> 0) + cin;
  const lc = l >= TWO32 ? 1 : 0;
  const h = (ahi >>> 0) + (bhi >>> 0) + lc;
  const lo = l | 0;
  const hi = h | 0;
  R[0] = lo;
  R[1] = hi;
  const n = hi < 0 ? 0x80000000 : 0;
  const z = (lo | hi) === 0 ? 0x40000000 : 0;
  const c = h >= TWO32 ? 0x20000000 : 0;
  const v = ((ahi ^ hi) & (bhi ^ hi)) < 0 ? 0x10000000 : 0;
  return (n | z | c | v) >>> 0;
}

/** AddWithCarry for 32-bit operands (result in R[0], R[1] = 0). */
export function addc32(a: number, b: number, cin: number): number {
  const s = (a >>> 0) + (b >>> 0) + cin;
  const r = s | 0;
  R[0] = r;
  R[1] = 0;
  const n = r < 0 ? 0x80000000 : 0;
  const z = r === 0 ? 0x40000000 : 0;
  const c = s >= TWO32 ? 0x20000000 : 0;
  const v = ((a ^ r) & (b ^ r)) < 0 ? 0x10000000 : 0;
  return (n | z | c | v) >>> 0;
}

export function lsl64(lo: number, hi: number, n: number): void {
  n &= 63;
  if (n === 0) { R[0] = lo; R[1] = hi; } else if (n < 32) { R[1] = (hi << n) | (lo >>> (32 - n)); R[0] = lo << n; } else { R[1] = lo << (n - 32); R[0] = 0; }
}

export function lsr64(lo: number, hi: number, n: number): void {
  n &= 63;
  if (n === 0) { R[0] = lo; R[1] = hi; } else if (n < 32) { R[0] = (lo >>> n) | (hi << (32 - n)); R[1] = hi >>> n; } else { R[0] = hi >>> (n - 32); R[1] = 0; }
}

export function asr64(lo: number, hi: number, n: number): void {
  n &= 63;
  if (n === 0) { R[0] = lo; R[1] = hi; } else if (n < 32) { R[0] = (lo >>> n) | (hi << (32 - n)); R[1] = hi >> n; } else { R[0] = hi >> (n - 32); R[1] = hi >> 31; }
}

export function ror64(lo: number, hi: number, n: number): void {
  n &= 63;
  if (n === 0) { R[0] = lo; R[1] = hi; return; }
  if (n >= 32) { const t = lo; lo = hi; hi = t; n -= 32; }
  if (n === 0) { R[0] = lo; R[1] = hi; return; }
  R[0] = (lo >>> n) | (hi << (32 - n));
  R[1] = (hi >>> n) | (lo << (32 - n));
}

/** Shift of a register operand by type (0 LSL, 1 LSR, 2 ASR, 3 ROR) for 32-bit (sf=0) or 64-bit values. */
export function shiftOperand(lo: number, hi: number, type: number, n: number, sf: number): void {
  if (sf) {
    switch (type) {
      case 0: lsl64(lo, hi, n); return;
      case 1: lsr64(lo, hi, n); return;
      case 2: asr64(lo, hi, n); return;
      default: ror64(lo, hi, n); return;
    }
  }
  n &= 31;
  R[1] = 0;
  switch (type) {
    case 0: R[0] = lo << n; return;
    case 1: R[0] = lo >>> n; return;
    case 2: R[0] = lo >> n; return;
    default: R[0] = n === 0 ? lo : (lo >>> n) | (lo << (32 - n)); return;
  }
}

/** Unsigned 32x32 -> 64 product into R[0..1]. */
export function umul32(a: number, b: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  R[0] = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  R[1] = (p11 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536)) | 0;
}

/** Low 64 bits of a 64x64 product. */
export function mul64(alo: number, ahi: number, blo: number, bhi: number): void {
  umul32(alo, blo);
  R[1] = (R[1] + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

/** Full unsigned 64x64 -> 128 product: R[0..3] from least to most significant word. */
export function umul128(alo: number, ahi: number, blo: number, bhi: number): void {
  // 16-bit limbs keep each partial product exact in a double.
  const a0 = alo & 0xffff, a1 = alo >>> 16, a2 = ahi & 0xffff, a3 = ahi >>> 16;
  const b0 = blo & 0xffff, b1 = blo >>> 16, b2 = bhi & 0xffff, b3 = bhi >>> 16;
  let t = a0 * b0;
  const r0 = t & 0xffff; t = Math.floor(t / 65536);
  t += a0 * b1 + a1 * b0;
  const r1 = t % 65536; t = Math.floor(t / 65536);
  t += a0 * b2 + a1 * b1 + a2 * b0;
  const r2 = t % 65536; t = Math.floor(t / 65536);
  t += a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const r3 = t % 65536; t = Math.floor(t / 65536);
  t += a1 * b3 + a2 * b2 + a3 * b1;
  const r4 = t % 65536; t = Math.floor(t / 65536);
  t += a2 * b3 + a3 * b2;
  const r5 = t % 65536; t = Math.floor(t / 65536);
  t += a3 * b3;
  const r6 = t % 65536; t = Math.floor(t / 65536);
  const r7 = t % 65536;
  R[0] = r0 | (r1 << 16);
  R[1] = r2 | (r3 << 16);
  R[2] = r4 | (r5 << 16);
  R[3] = r6 | (r7 << 16);
}

/** Signed high 64 bits of a 64x64 product (SMULH) into R[0..1]. */
export function smulh(alo: number, ahi: number, blo: number, bhi: number): void {
  umul128(alo, ahi, blo, bhi);
  let h0 = R[2]!, h1 = R[3]!;
  // Signed correction: subtract b<<64 when a < 0 and a<<64 when b < 0.
  if (ahi < 0) { const s = (h0 >>> 0) - (blo >>> 0); h1 = (h1 - bhi - (s < 0 ? 1 : 0)) | 0; h0 = s | 0; }
  if (bhi < 0) { const s = (h0 >>> 0) - (alo >>> 0); h1 = (h1 - ahi - (s < 0 ? 1 : 0)) | 0; h0 = s | 0; }
  R[0] = h0;
  R[1] = h1;
}

function toNum(lo: number, hi: number): number {
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

/** Unsigned 64-bit division, quotient into R[0..1]; divide by zero gives 0 (A64 semantics). */
export function udiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) { R[0] = 0; R[1] = 0; return; }
  if (ahi === 0 && bhi === 0) { R[0] = Math.floor((alo >>> 0) / (blo >>> 0)) | 0; R[1] = 0; return; }
  if ((ahi >>> 0) < 0x200000 && (bhi >>> 0) < 0x200000) {
    const a = toNum(alo, ahi), b = toNum(blo, bhi);
    let q = Math.floor(a / b);
    const r = a - q * b;
    if (r < 0) q--; else if (r >= b) q++;
    R[0] = q % TWO32 | 0;
    R[1] = Math.floor(q / TWO32) | 0;
    return;
  }
  // Restoring long division, one quotient bit per step.
  let qlo = 0, qhi = 0, rlo = 0, rhi = 0;
  for (let i = 63; i >= 0; i--) {
    rhi = (rhi << 1) | (rlo >>> 31);
    rlo = (rlo << 1) | ((i >= 32 ? ahi >>> (i - 32) : alo >>> i) & 1);
    const ge = (rhi >>> 0) > (bhi >>> 0) || ((rhi >>> 0) === (bhi >>> 0) && (rlo >>> 0) >= (blo >>> 0));
    if (ge) {
      const s = (rlo >>> 0) - (blo >>> 0);
      rhi = (rhi - bhi - (s < 0 ? 1 : 0)) | 0;
      rlo = s | 0;
      if (i >= 32) qhi |= 1 << (i - 32); else qlo |= 1 << i;
    }
  }
  R[0] = qlo;
  R[1] = qhi;
}

export function neg64(lo: number, hi: number): void {
  const l = (~lo >>> 0) + 1;
  R[0] = l | 0;
  R[1] = (~hi + (l >= TWO32 ? 1 : 0)) | 0;
}

/** Signed 64-bit division rounding toward zero; INT64_MIN / -1 = INT64_MIN, x / 0 = 0. */
export function sdiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  const neg = (ahi ^ bhi) < 0;
  if (ahi < 0) { neg64(alo, ahi); alo = R[0]!; ahi = R[1]!; }
  if (bhi < 0) { neg64(blo, bhi); blo = R[0]!; bhi = R[1]!; }
  udiv64(alo, ahi, blo, bhi);
  if (neg) neg64(R[0]!, R[1]!);
}

export function clz64(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

export function rbit32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return (v >>> 16) | (v << 16);
}

export function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) | 0;
}

export function bswap16x2(v: number): number {
  return (((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8)) | 0;
}

/** Ones in the low n bits (0 <= n <= 64) into R[0..1]. */
export function ones64(n: number): void {
  if (n >= 64) { R[0] = -1; R[1] = -1; } else if (n >= 32) { R[0] = -1; R[1] = n === 32 ? 0 : (-1 >>> (64 - n)) | 0; } else { R[0] = n === 0 ? 0 : (-1 >>> (32 - n)) | 0; R[1] = 0; }
}

/** A 64-bit value as an exact signed Number when it lies within +-2^53 (addresses), else NaN-free rounding. */
export function toSigned(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}

/** Splits a signed Number address (|v| < 2^63, exact for |v| < 2^53) back into halves. */
export function fromSigned(v: number): void {
  const hi = Math.floor(v / TWO32);
  R[0] = (v - hi * TWO32) | 0;
  R[1] = hi | 0;
}

export function hex64(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
