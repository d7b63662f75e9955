// The 64-bit helpers of the interpreter (lo/hi Int32 halves, no BigInt) against BigInt arithmetic on random and
// edge-case operands, and the instruction tables' structural rules.
import { describe, expect, it } from 'vitest';
import * as I from '../../platform/cpu/aarch64/int64.js';
import { A64_TABLES } from '../../platform/cpu/aarch64/isa/index.js';
import { Xorshift32 } from '../common/rng.js';

const M64 = (1n << 64n) - 1n;
const EDGES = [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, M64, M64 - 1n, 10n, 0x1fffffffffffffn, 0x20000000000000n];

const rng = new Xorshift32(0x12345678);
const rnd32 = (): number => rng.u32();
function operands(): bigint[] {
  const out = [...EDGES];
  for (let i = 0; i < 150; i++) out.push((BigInt(rnd32()) << 32n) | BigInt(rnd32()));
  for (let i = 0; i < 30; i++) out.push(BigInt(rnd32() >>> (rnd32() & 31)));
  return out;
}
const lo = (v: bigint): number => Number(v & 0xffffffffn) | 0;
const hi = (v: bigint): number => Number((v >> 32n) & 0xffffffffn) | 0;
const res64 = (): bigint => (BigInt(I.R[1]! >>> 0) << 32n) | BigInt(I.R[0]! >>> 0);
const signed = (v: bigint): bigint => (v & (1n << 63n) ? v - (1n << 64n) : v);

describe('int64 helpers match BigInt arithmetic', () => {
  const vals = operands();
  it('add with carry and NZCV', () => {
    for (const a of vals) for (const b of vals.slice(0, 40)) for (const cin of [0, 1]) {
      const flags = I.addc64(lo(a), hi(a), lo(b), hi(b), cin);
      const sum = a + b + BigInt(cin);
      const r = sum & M64;
      expect(res64()).toBe(r);
      const n = (r >> 63n) & 1n, z = r === 0n ? 1n : 0n, c = sum > M64 ? 1n : 0n;
      const v = signed(a) + signed(b) + BigInt(cin) !== signed(r) ? 1n : 0n;
      expect(BigInt(flags >>> 28)).toBe((n << 3n) | (z << 2n) | (c << 1n) | v);
    }
  });
  it('multiplication: low 64 bits, UMULH, SMULH', () => {
    for (const a of vals) for (const b of vals.slice(0, 40)) {
      I.mul64(lo(a), hi(a), lo(b), hi(b));
      expect(res64()).toBe((a * b) & M64);
      I.umul128(lo(a), hi(a), lo(b), hi(b));
      expect((BigInt(I.R[3]! >>> 0) << 32n) | BigInt(I.R[2]! >>> 0)).toBe((a * b) >> 64n);
      I.smulh(lo(a), hi(a), lo(b), hi(b));
      expect(res64()).toBe(((signed(a) * signed(b)) >> 64n) & M64);
    }
  });
  it('division (UDIV/SDIV semantics: x/0 = 0, INT64_MIN/-1 = INT64_MIN)', () => {
    for (const a of vals) for (const b of vals.slice(0, 40)) {
      I.udiv64(lo(a), hi(a), lo(b), hi(b));
      expect(res64()).toBe(b === 0n ? 0n : a / b);
      I.sdiv64(lo(a), hi(a), lo(b), hi(b));
      const sa = signed(a), sb = signed(b);
      const q = sb === 0n ? 0n : sa === -(1n << 63n) && sb === -1n ? sa : sa / sb;
      expect(res64()).toBe(q & M64);
    }
  });
  it('shifts and rotates by every amount', () => {
    for (const a of vals.slice(0, 60)) for (let n = 0; n < 64; n++) {
      I.lsl64(lo(a), hi(a), n); expect(res64()).toBe((a << BigInt(n)) & M64);
      I.lsr64(lo(a), hi(a), n); expect(res64()).toBe(a >> BigInt(n));
      I.asr64(lo(a), hi(a), n); expect(res64()).toBe((signed(a) >> BigInt(n)) & M64);
      I.ror64(lo(a), hi(a), n); expect(res64()).toBe(((a >> BigInt(n)) | (a << BigInt(64 - n))) & M64);
    }
  });
});

describe('A64 instruction tables', () => {
  it('every row has a 32-bit pattern and no two rows share the same fixed bits', () => {
    const seen = new Map<string, string>();
    for (const table of A64_TABLES) for (const row of table) {
      const p = row.pattern.replace(/\s+/g, '');
      expect(p.length, row.name).toBe(32);
      const fixed = p.replace(/[^01]/g, '.');
      expect(seen.get(fixed), `${row.name} duplicates ${seen.get(fixed)}`).toBeUndefined();
      seen.set(fixed, row.name);
    }
  });
});
