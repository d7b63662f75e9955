/**
 * SSE/SSE2: the 128-bit moves and integer operations compilers emit for memcpy/memset/string code.
 * XMM registers live in one Int32Array (cpu.xmm, 4 dwords per register) with byte/word views over the same
 * buffer. The bitwise PS/PD forms (ANDPS/ANDNPD/ORPS/XORPD...), UNPCK*PS/PD, SHUFPS/PD and MOVMSKPS/PD live
 * here too; floating-point arithmetic, compares and conversions are in exec-ssefp.ts.
 * A 128-bit memory operand must be 16-byte aligned except in the `ua` rows of the opcode table
 * (MOVUPS/MOVUPD/MOVDQU): `sseAddress` raises #GP(0) otherwise.
 */
import type { X86Cpu } from './cpu.js';
import { CR0_TS, VEC_GP, VEC_NM, VEC_UD } from './arch.js';
import type { Handler, Insn } from './insn.js';

const SBUF = new ArrayBuffer(16);
const S8 = new Uint8Array(SBUF);
const S16 = new Uint16Array(SBUF);
const S32 = new Int32Array(SBUF);
const SS8 = new Int8Array(SBUF);
const SS16 = new Int16Array(SBUF);
const TBUF = new ArrayBuffer(16);
const T8 = new Uint8Array(TBUF);
const T16 = new Uint16Array(TBUF);
const T32 = new Int32Array(TBUF);

interface XmmViews {
  b: Uint8Array;
  w: Uint16Array;
  d: Int32Array;
  sb: Int8Array;
  sw: Int16Array;
}
const viewCache = new WeakMap<X86Cpu, XmmViews>();
function views(cpu: X86Cpu): XmmViews {
  let v = viewCache.get(cpu);
  if (!v) {
    const buf = cpu.xmm.buffer;
    v = { b: new Uint8Array(buf), w: new Uint16Array(buf), d: cpu.xmm, sb: new Int8Array(buf), sw: new Int16Array(buf) };
    viewCache.set(cpu, v);
  }
  return v;
}

export function checkSse(cpu: X86Cpu): void {
  if (cpu.cr0 & 4 || !(cpu.cr4 & 0x200)) cpu.fault(VEC_UD); // CR0.EM or !CR4.OSFXSR
  if (cpu.cr0 & CR0_TS) cpu.fault(VEC_NM);
}

/** The linear address of a memory operand, with the 16-byte alignment check of an aligned m128 operand. */
export function sseAddress(cpu: X86Cpu, d: Insn): number {
  const lin = cpu.ea(d);
  if (d.align16 && (lin & 15) !== 0) cpu.fault(VEC_GP, 0);
  return lin;
}

/** Loads the W operand (16 bytes) into the scratch S. */
function loadW(cpu: X86Cpu, d: Insn): void {
  if (d.isMem) {
    const lin = sseAddress(cpu, d);
    for (let i = 0; i < 4; i++) S32[i] = cpu.read32(lin + i * 4);
  } else {
    const o = d.rm * 4;
    for (let i = 0; i < 4; i++) S32[i] = cpu.xmm[o + i]!;
  }
}

/** Loads `bytes` (4 or 8) of W into S, zeroing the rest. */
function loadWLow(cpu: X86Cpu, d: Insn, bytes: number): void {
  S32[1] = S32[2] = S32[3] = 0;
  if (d.isMem) {
    const lin = cpu.ea(d);
    S32[0] = cpu.read32(lin);
    if (bytes === 8) S32[1] = cpu.read32(lin + 4);
  } else {
    S32[0] = cpu.xmm[d.rm * 4]!;
    if (bytes === 8) S32[1] = cpu.xmm[d.rm * 4 + 1]!;
  }
}

function storeW(cpu: X86Cpu, d: Insn, src: Int32Array, srcOff: number, dwords: number): void {
  if (d.isMem) {
    const lin = sseAddress(cpu, d);
    if (dwords === 4 && (lin & 0xfff) > 0xff0) {
      // check the whole store before writing any part of it
      cpu.write8(lin + 15, cpu.read8(lin + 15));
    }
    for (let i = 0; i < dwords; i++) cpu.write32(lin + i * 4, src[srcOff + i]! >>> 0);
  } else {
    for (let i = 0; i < dwords; i++) cpu.xmm[d.rm * 4 + i] = src[srcOff + i]!;
  }
}

const sse = (h: Handler): Handler => (cpu, d) => {
  checkSse(cpu);
  h(cpu, d);
};

// ---- moves ----

// the moves write the destination register only after every memory read succeeded (a fault restarts the
// instruction with the register unchanged); TypedArray.set is avoided on these hot paths

const MOVUPS: Handler = (cpu, d) => {
  checkSse(cpu);
  const x = cpu.xmm;
  if (d.k1 === 14 /* V */) {
    const o = d.reg * 4;
    if (d.isMem) {
      const lin = sseAddress(cpu, d);
      const v0 = cpu.read32(lin), v1 = cpu.read32(lin + 4), v2 = cpu.read32(lin + 8), v3 = cpu.read32(lin + 12);
      x[o] = v0;
      x[o + 1] = v1;
      x[o + 2] = v2;
      x[o + 3] = v3;
    } else {
      const r = d.rm * 4;
      x[o] = x[r]!;
      x[o + 1] = x[r + 1]!;
      x[o + 2] = x[r + 2]!;
      x[o + 3] = x[r + 3]!;
    }
  } else storeW(cpu, d, x, d.reg * 4, 4);
};

const MOVSS: Handler = (cpu, d) => {
  checkSse(cpu);
  const x = cpu.xmm;
  const o = d.reg * 4;
  if (d.k1 === 14) {
    if (d.isMem) {
      x[o] = cpu.read32(cpu.ea(d));
      x[o + 1] = x[o + 2] = x[o + 3] = 0;
    } else x[o] = x[d.rm * 4]!;
  } else storeW(cpu, d, x, o, 1);
};

const MOVSD: Handler = (cpu, d) => {
  checkSse(cpu);
  const x = cpu.xmm;
  const o = d.reg * 4;
  if (d.k1 === 14) {
    if (d.isMem) {
      const lin = cpu.ea(d);
      const v0 = cpu.read32(lin), v1 = cpu.read32(lin + 4);
      x[o] = v0;
      x[o + 1] = v1;
      x[o + 2] = x[o + 3] = 0;
    } else {
      x[o] = x[d.rm * 4]!;
      x[o + 1] = x[d.rm * 4 + 1]!;
    }
  } else storeW(cpu, d, x, o, 2);
};

const moveHalf = (high: boolean): Handler =>
  sse((cpu, d) => {
    const o = d.reg * 4 + (high ? 2 : 0);
    if (d.k1 === 14) {
      const lin = cpu.ea(d);
      cpu.xmm[o] = cpu.read32(lin);
      cpu.xmm[o + 1] = cpu.read32(lin + 4);
    } else storeW(cpu, d, cpu.xmm, o, 2);
  });

const MOVDTOX: Handler = (cpu, d) => {
  checkSse(cpu);
  const size = d.s2;
  const lo = cpu.readOp(d, 1 /* E */, size);
  const o = d.reg * 4;
  cpu.xmm[o] = lo;
  cpu.xmm[o + 1] = size === 8 ? cpu.vhi : 0;
  cpu.xmm[o + 2] = 0;
  cpu.xmm[o + 3] = 0;
};

const MOVDFROMX: Handler = (cpu, d) => {
  checkSse(cpu);
  const size = d.s1;
  const o = d.reg * 4;
  cpu.writeOpFresh(d, 1 /* E */, size, cpu.xmm[o]! >>> 0, size === 8 ? cpu.xmm[o + 1]! >>> 0 : 0);
};

const MOVQTOX: Handler = (cpu, d) => {
  checkSse(cpu);
  loadWLow(cpu, d, 8);
  cpu.xmm.set(S32, d.reg * 4);
};

const MOVQFROMX: Handler = (cpu, d) => {
  checkSse(cpu);
  if (d.isMem) storeW(cpu, d, cpu.xmm, d.reg * 4, 2);
  else {
    const o = d.rm * 4;
    cpu.xmm[o] = cpu.xmm[d.reg * 4]!;
    cpu.xmm[o + 1] = cpu.xmm[d.reg * 4 + 1]!;
    cpu.xmm[o + 2] = 0;
    cpu.xmm[o + 3] = 0;
  }
};

const MOVMSKPS: Handler = (cpu, d) => {
  checkSse(cpu);
  const o = d.rm * 4;
  let m = 0;
  for (let i = 0; i < 4; i++) m |= (cpu.xmm[o + i]! >>> 31) << i;
  cpu.writeReg(4, d.reg, true, m, 0);
};

const MOVMSKPD: Handler = (cpu, d) => {
  checkSse(cpu);
  const o = d.rm * 4;
  cpu.writeReg(4, d.reg, true, (cpu.xmm[o + 1]! >>> 31) | ((cpu.xmm[o + 3]! >>> 31) << 1), 0);
};

const PMOVMSKB: Handler = (cpu, d) => {
  checkSse(cpu);
  const v = views(cpu);
  const o = d.rm * 16;
  let m = 0;
  for (let i = 0; i < 16; i++) m |= (v.b[o + i]! >>> 7) << i;
  cpu.writeReg(4, d.reg, true, m, 0);
};

// ---- lane-wise integer operations ----

const bitwise = (fn: (a: number, b: number) => number): Handler =>
  sse((cpu, d) => {
    loadW(cpu, d);
    const o = d.reg * 4;
    for (let i = 0; i < 4; i++) cpu.xmm[o + i] = fn(cpu.xmm[o + i]!, S32[i]!);
  });

const lanes8 = (fn: (a: number, b: number) => number, signed: boolean): Handler =>
  sse((cpu, d) => {
    loadW(cpu, d);
    const v = views(cpu);
    const o = d.reg * 16;
    if (signed) for (let i = 0; i < 16; i++) v.b[o + i] = fn(v.sb[o + i]!, SS8[i]!);
    else for (let i = 0; i < 16; i++) v.b[o + i] = fn(v.b[o + i]!, S8[i]!);
  });

const lanes16 = (fn: (a: number, b: number) => number, signed: boolean): Handler =>
  sse((cpu, d) => {
    loadW(cpu, d);
    const v = views(cpu);
    const o = d.reg * 8;
    if (signed) for (let i = 0; i < 8; i++) v.w[o + i] = fn(v.sw[o + i]!, SS16[i]!);
    else for (let i = 0; i < 8; i++) v.w[o + i] = fn(v.w[o + i]!, S16[i]!);
  });

const lanes32 = (fn: (a: number, b: number) => number): Handler =>
  sse((cpu, d) => {
    loadW(cpu, d);
    const o = d.reg * 4;
    for (let i = 0; i < 4; i++) cpu.xmm[o + i] = fn(cpu.xmm[o + i]!, S32[i]!);
  });

const lanes64 = (sub: boolean): Handler =>
  sse((cpu, d) => {
    loadW(cpu, d);
    const x = cpu.xmm;
    const o = d.reg * 4;
    for (let q = 0; q < 2; q++) {
      const al = x[o + q * 2]! >>> 0, ah = x[o + q * 2 + 1]! >>> 0;
      const bl = S32[q * 2]! >>> 0, bh = S32[q * 2 + 1]! >>> 0;
      const s = sub ? al - bl : al + bl;
      x[o + q * 2] = s;
      x[o + q * 2 + 1] = sub ? ah - bh - (s < 0 ? 1 : 0) : ah + bh + (s > 0xffffffff ? 1 : 0);
    }
  });

const sat = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

const unpack = (lane: number, high: boolean): Handler =>
  sse((cpu, d) => {
    loadW(cpu, d);
    const v = views(cpu);
    const o = d.reg * 16;
    for (let i = 0; i < 4; i++) T32[i] = v.d[d.reg * 4 + i]!;
    const n = 16 / lane / 2; // pairs
    const base = high ? 8 : 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < lane; k++) {
        v.b[o + 2 * i * lane + k] = T8[base + i * lane + k]!;
        v.b[o + (2 * i + 1) * lane + k] = S8[base + i * lane + k]!;
      }
    }
  });

// dword and qword interleaves (UNPCKLPS/UNPCKHPS, UNPCKLPD/UNPCKHPD = PUNPCKLQDQ/PUNPCKHQDQ are hot in
// compiled floating-point code): dword moves instead of the byte loop above
const PUNPCKLDQ: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const x = cpu.xmm, o = d.reg * 4;
  const d1 = x[o + 1]!;
  x[o + 1] = S32[0]!;
  x[o + 2] = d1;
  x[o + 3] = S32[1]!;
};
const PUNPCKHDQ: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const x = cpu.xmm, o = d.reg * 4;
  x[o] = x[o + 2]!;
  x[o + 1] = S32[2]!;
  x[o + 2] = x[o + 3]!;
  x[o + 3] = S32[3]!;
};
const PUNPCKLQDQ: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const x = cpu.xmm, o = d.reg * 4;
  x[o + 2] = S32[0]!;
  x[o + 3] = S32[1]!;
};
const PUNPCKHQDQ: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const x = cpu.xmm, o = d.reg * 4;
  x[o] = x[o + 2]!;
  x[o + 1] = x[o + 3]!;
  x[o + 2] = S32[2]!;
  x[o + 3] = S32[3]!;
};

const PACKSSWB: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const v = views(cpu);
  const o = d.reg * 16;
  for (let i = 0; i < 8; i++) T16[i] = v.sw[d.reg * 8 + i]!;
  for (let i = 0; i < 8; i++) v.b[o + i] = sat((T16[i]! << 16) >> 16, -128, 127) & 0xff;
  for (let i = 0; i < 8; i++) v.b[o + 8 + i] = sat(SS16[i]!, -128, 127) & 0xff;
};

const PACKUSWB: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const v = views(cpu);
  const o = d.reg * 16;
  for (let i = 0; i < 8; i++) T16[i] = v.sw[d.reg * 8 + i]!;
  for (let i = 0; i < 8; i++) v.b[o + i] = sat((T16[i]! << 16) >> 16, 0, 255);
  for (let i = 0; i < 8; i++) v.b[o + 8 + i] = sat(SS16[i]!, 0, 255);
};

const PACKSSDW: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const v = views(cpu);
  const o = d.reg * 8;
  for (let i = 0; i < 4; i++) T32[i] = v.d[d.reg * 4 + i]!;
  for (let i = 0; i < 4; i++) v.w[o + i] = sat(T32[i]!, -32768, 32767) & 0xffff;
  for (let i = 0; i < 4; i++) v.w[o + 4 + i] = sat(S32[i]!, -32768, 32767) & 0xffff;
};

const PSHUFD: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const o = d.reg * 4;
  const imm = d.imm;
  for (let i = 0; i < 4; i++) cpu.xmm[o + i] = S32[(imm >> (2 * i)) & 3]!;
};

const pshufw = (high: boolean): Handler =>
  sse((cpu, d) => {
    loadW(cpu, d);
    const v = views(cpu);
    const o = d.reg * 8;
    const base = high ? 4 : 0;
    for (let i = 0; i < 8; i++) v.w[o + i] = S16[i]!;
    for (let i = 0; i < 4; i++) v.w[o + base + i] = S16[base + ((d.imm >> (2 * i)) & 3)]!;
  });

const SHUFPS: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const o = d.reg * 4;
  for (let i = 0; i < 4; i++) T32[i] = cpu.xmm[o + i]!;
  const imm = d.imm;
  cpu.xmm[o] = T32[imm & 3]!;
  cpu.xmm[o + 1] = T32[(imm >> 2) & 3]!;
  cpu.xmm[o + 2] = S32[(imm >> 4) & 3]!;
  cpu.xmm[o + 3] = S32[(imm >> 6) & 3]!;
};

const SHUFPD: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const o = d.reg * 4;
  for (let i = 0; i < 4; i++) T32[i] = cpu.xmm[o + i]!;
  const a = (d.imm & 1) * 2, b = ((d.imm >> 1) & 1) * 2;
  cpu.xmm[o] = T32[a]!;
  cpu.xmm[o + 1] = T32[a + 1]!;
  cpu.xmm[o + 2] = S32[b]!;
  cpu.xmm[o + 3] = S32[b + 1]!;
};

/** Shift count from the low qword of W (register-count forms) or the immediate. */
function shiftCount(cpu: X86Cpu, d: Insn): number {
  if (d.k2 === 3 /* I */) return d.imm & 0xff;
  loadW(cpu, d);
  return S32[1] !== 0 || S32[0]! >>> 0 > 255 ? 255 : S32[0]!;
}

/** kind: 0 logical right, 1 arithmetic right, 2 left; lane 2/4/8 bytes */
const pshift = (lane: number, kind: number): Handler =>
  sse((cpu, d) => {
    const c = shiftCount(cpu, d);
    const r = d.k2 === 3 ? d.rm : d.reg;
    const v = views(cpu);
    if (lane === 2) {
      const o = r * 8;
      for (let i = 0; i < 8; i++) {
        const x = v.w[o + i]!;
        if (kind === 1) v.w[o + i] = (((x << 16) >> 16) >> (c > 15 ? 15 : c)) & 0xffff;
        else v.w[o + i] = c > 15 ? 0 : kind === 0 ? x >>> c : (x << c) & 0xffff;
      }
    } else if (lane === 4) {
      const o = r * 4;
      for (let i = 0; i < 4; i++) {
        const x = cpu.xmm[o + i]!;
        if (kind === 1) cpu.xmm[o + i] = x >> (c > 31 ? 31 : c);
        else cpu.xmm[o + i] = c > 31 ? 0 : kind === 0 ? x >>> c : x << c;
      }
    } else {
      const o = r * 4;
      for (let q = 0; q < 2; q++) {
        let lo = cpu.xmm[o + q * 2]! >>> 0, hi = cpu.xmm[o + q * 2 + 1]! >>> 0;
        if (c > 63) lo = hi = 0;
        else if (kind === 0) {
          if (c >= 32) { lo = hi >>> (c - 32); hi = 0; } else if (c) { lo = (lo >>> c) | (hi << (32 - c)); hi >>>= c; }
        } else {
          if (c >= 32) { hi = lo << (c - 32); lo = 0; } else if (c) { hi = (hi << c) | (lo >>> (32 - c)); lo <<= c; }
        }
        cpu.xmm[o + q * 2] = lo;
        cpu.xmm[o + q * 2 + 1] = hi;
      }
    }
  });

const byteShift = (left: boolean): Handler =>
  sse((cpu, d) => {
    const c = d.imm & 0xff;
    const v = views(cpu);
    const o = d.rm * 16;
    for (let i = 0; i < 16; i++) T8[i] = v.b[o + i]!;
    for (let i = 0; i < 16; i++) {
      const src = left ? i - c : i + c;
      v.b[o + i] = src >= 0 && src < 16 ? T8[src]! : 0;
    }
  });

const PMULUDQ: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const o = d.reg * 4;
  for (let q = 0; q < 2; q++) {
    const a = cpu.xmm[o + q * 2]! >>> 0, b = S32[q * 2]! >>> 0;
    const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
    const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    cpu.xmm[o + q * 2] = (mid << 16) | (p00 & 0xffff);
    cpu.xmm[o + q * 2 + 1] = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  }
};

const PSADBW: Handler = (cpu, d) => {
  checkSse(cpu);
  loadW(cpu, d);
  const v = views(cpu);
  const o = d.reg * 16;
  for (let q = 0; q < 2; q++) {
    let s = 0;
    for (let i = 0; i < 8; i++) s += Math.abs(v.b[o + q * 8 + i]! - S8[q * 8 + i]!);
    cpu.xmm[d.reg * 4 + q * 2] = s;
    cpu.xmm[d.reg * 4 + q * 2 + 1] = 0;
  }
};

const MOVHLPS: Handler = (cpu, d) => {
  checkSse(cpu);
  cpu.xmm[d.reg * 4] = cpu.xmm[d.rm * 4 + 2]!;
  cpu.xmm[d.reg * 4 + 1] = cpu.xmm[d.rm * 4 + 3]!;
};

const MOVLHPS: Handler = (cpu, d) => {
  checkSse(cpu);
  cpu.xmm[d.reg * 4 + 2] = cpu.xmm[d.rm * 4]!;
  cpu.xmm[d.reg * 4 + 3] = cpu.xmm[d.rm * 4 + 1]!;
};

const PINSRW: Handler = (cpu, d) => {
  checkSse(cpu);
  const v = cpu.readOp(d, 1 /* E */, 2);
  views(cpu).w[d.reg * 8 + (d.imm & 7)] = v;
};

const PEXTRW: Handler = (cpu, d) => {
  checkSse(cpu);
  cpu.writeReg(4, d.reg, true, views(cpu).w[d.rm * 8 + (d.imm & 7)]!, 0);
};

export const SSE_HANDLERS: Record<string, Handler> = {
  PINSRW,
  PEXTRW,
  MOVHLPS,
  MOVLHPS,
  MOVUPS,
  MOVSS,
  MOVSD,
  MOVLPS: moveHalf(false),
  MOVHPS: moveHalf(true),
  MOVDTOX,
  MOVDFROMX,
  MOVQTOX,
  MOVQFROMX,
  MOVMSKPS,
  MOVMSKPD,
  PMOVMSKB,
  PAND: bitwise((a, b) => a & b),
  PANDN: bitwise((a, b) => ~a & b),
  POR: bitwise((a, b) => a | b),
  PXOR: bitwise((a, b) => a ^ b),
  PADDB: lanes8((a, b) => a + b, false),
  PADDW: lanes16((a, b) => a + b, false),
  PADDD: lanes32((a, b) => a + b),
  PADDQ: lanes64(false),
  PSUBB: lanes8((a, b) => a - b, false),
  PSUBW: lanes16((a, b) => a - b, false),
  PSUBD: lanes32((a, b) => a - b),
  PSUBQ: lanes64(true),
  PADDUSB: lanes8((a, b) => sat(a + b, 0, 255), false),
  PADDUSW: lanes16((a, b) => sat(a + b, 0, 65535), false),
  PSUBUSB: lanes8((a, b) => sat(a - b, 0, 255), false),
  PSUBUSW: lanes16((a, b) => sat(a - b, 0, 65535), false),
  PADDSB: lanes8((a, b) => sat(a + b, -128, 127), true),
  PADDSW: lanes16((a, b) => sat(a + b, -32768, 32767), true),
  PSUBSB: lanes8((a, b) => sat(a - b, -128, 127), true),
  PSUBSW: lanes16((a, b) => sat(a - b, -32768, 32767), true),
  PMINUB: lanes8((a, b) => (a < b ? a : b), false),
  PMAXUB: lanes8((a, b) => (a > b ? a : b), false),
  PMINSW: lanes16((a, b) => (a < b ? a : b), true),
  PMAXSW: lanes16((a, b) => (a > b ? a : b), true),
  PAVGB: lanes8((a, b) => (a + b + 1) >> 1, false),
  PAVGW: lanes16((a, b) => (a + b + 1) >> 1, false),
  PMULLW: lanes16((a, b) => Math.imul(a, b), false),
  PCMPEQB: lanes8((a, b) => (a === b ? 0xff : 0), false),
  PCMPEQW: lanes16((a, b) => (a === b ? 0xffff : 0), false),
  PCMPEQD: lanes32((a, b) => (a === b ? -1 : 0)),
  PCMPGTB: lanes8((a, b) => (a > b ? 0xff : 0), true),
  PCMPGTW: lanes16((a, b) => (a > b ? 0xffff : 0), true),
  PCMPGTD: lanes32((a, b) => (a > b ? -1 : 0)),
  PUNPCKLBW: unpack(1, false),
  PUNPCKLWD: unpack(2, false),
  PUNPCKLDQ,
  PUNPCKLQDQ,
  PUNPCKHBW: unpack(1, true),
  PUNPCKHWD: unpack(2, true),
  PUNPCKHDQ,
  PUNPCKHQDQ,
  UNPCKLPS: PUNPCKLDQ,
  UNPCKHPS: PUNPCKHDQ,
  PACKSSWB,
  PACKUSWB,
  PACKSSDW,
  PSHUFD,
  PSHUFHW: pshufw(true),
  PSHUFLW: pshufw(false),
  SHUFPS,
  SHUFPD,
  PSRLW: pshift(2, 0),
  PSRAW: pshift(2, 1),
  PSLLW: pshift(2, 2),
  PSRLD: pshift(4, 0),
  PSRAD: pshift(4, 1),
  PSLLD: pshift(4, 2),
  PSRLQ: pshift(8, 0),
  PSLLQ: pshift(8, 2),
  PSRLDQ: byteShift(false),
  PSLLDQ: byteShift(true),
  PMULUDQ,
  PSADBW,
};
