/**
 * A64 data processing: immediate (add/sub, logical, move wide, bitfield, extract, PC-relative) and register
 * (shifted, extended, with carry, conditional compare/select, 1-, 2- and 3-source). Flags exactly per the
 * Arm ARM AddWithCarry pseudocode.
 */
import type { Aarch64Cpu } from '../cpu.js';
import type { DecodedOp, InsnSpec } from '../decoder.js';
import {
  R, addc32, addc64, asr64, bswap16x2, bswap32, clz64, lsl64, lsr64, mul64, ones64, rbit32, ror64, sdiv64,
  shiftOperand, smulh, udiv64, umul128,
} from '../int64.js';
import { COND_TABLE, undefinedExec } from './common.js';

const TWO32 = 4294967296;

// ---- shared operand forms ----------------------------------------------------------------------------------

function addsub(c: Aarch64Cpu, o: DecodedOp, blo: number, bhi: number): void {
  const x = c.x;
  const n = o.rn;
  let f: number;
  if (o.sf) f = o.op ? addc64(x[n]!, x[n + 1]!, ~blo, ~bhi, 1) : addc64(x[n]!, x[n + 1]!, blo, bhi, 0);
  else f = o.op ? addc32(x[n]!, ~blo, 1) : addc32(x[n]!, blo, 0);
  if (o.s) c.nzcv = f;
  c.setX(o.rd, R[0]!, R[1]!);
}

function logicalResult(c: Aarch64Cpu, o: DecodedOp, lo: number, hi: number): void {
  if (!o.sf) hi = 0;
  if (o.opt === 3) {
    const neg = o.sf ? hi < 0 : lo < 0;
    c.nzcv = ((neg ? 0x80000000 : 0) | ((lo | hi) === 0 ? 0x40000000 : 0)) >>> 0;
  }
  c.setX(o.rd, lo, hi);
}

function logical(c: Aarch64Cpu, o: DecodedOp, blo: number, bhi: number): void {
  const x = c.x;
  const alo = x[o.rn]!, ahi = x[o.rn + 1]!;
  switch (o.opt) {
    case 0: case 3: logicalResult(c, o, alo & blo, ahi & bhi); return;
    case 1: logicalResult(c, o, alo | blo, ahi | bhi); return;
    default: logicalResult(c, o, alo ^ blo, ahi ^ bhi); return;
  }
}

/** ExtendReg(m, option, shift) into R. */
export function extendReg(lo: number, hi: number, option: number, shift: number): void {
  switch (option) {
    case 0: lo &= 0xff; hi = 0; break;
    case 1: lo &= 0xffff; hi = 0; break;
    case 2: hi = 0; break;
    case 4: lo = (lo << 24) >> 24; hi = lo >> 31; break;
    case 5: lo = (lo << 16) >> 16; hi = lo >> 31; break;
    case 6: hi = lo >> 31; break;
    default: break;
  }
  lsl64(lo, hi, shift);
}

/** DecodeBitMasks for logical immediates: wmask into o.klo/o.khi; false when reserved. */
function decodeBitMask(o: DecodedOp): boolean {
  const n = o.nbit, imms = o.imms, immr = o.immr;
  if (!o.sf && n) return false;
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return false;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return false;
  const levels = (1 << len) - 1;
  const s = imms & levels;
  if (s === levels) return false;
  const r = immr & levels;
  const esize = 1 << len;
  // element: s+1 ones rotated right by r within esize bits
  ones64(s + 1);
  let elo = R[0]!, ehi = R[1]!;
  if (r !== 0) {
    if (esize === 64) { ror64(elo, ehi, r); elo = R[0]!; ehi = R[1]!; } else {
      const m = esize === 32 ? -1 : (1 << esize) - 1;
      const v = elo & m;
      elo = ((v >>> r) | (v << (esize - r))) & m;
      ehi = 0;
    }
  }
  if (esize < 64) {
    let v = elo;
    for (let w = esize; w < 32; w *= 2) v = v | (v << w);
    elo = v;
    ehi = v;
  }
  o.klo = elo;
  o.khi = o.sf ? ehi : 0;
  return true;
}

// ---- PC-relative addressing ---------------------------------------------------------------------------------

function adr(c: Aarch64Cpu, o: DecodedOp): void {
  const t = c.pc + o.aux;
  const hi = Math.floor(t / TWO32);
  c.setX(o.rd, (t - hi * TWO32) | 0, hi | 0);
}

function adrp(c: Aarch64Cpu, o: DecodedOp): void {
  const base = c.pc - (((c.pc % 4096) + 4096) % 4096);
  const t = base + o.aux * 4096;
  const hi = Math.floor(t / TWO32);
  c.setX(o.rd, (t - hi * TWO32) | 0, hi | 0);
}

function prepAdr(o: DecodedOp): void {
  o.aux = (((o.imm << 2) | o.imm2) << 11) >> 11;
}

// ---- bitfield ------------------------------------------------------------------------------------------------

function prepBitfield(o: DecodedOp): boolean {
  if (o.sf !== o.nbit) return false;
  if (!o.sf && ((o.immr | o.imms) & 0x20)) return false;
  const size = o.sf ? 64 : 32;
  if (o.imms >= o.immr) { o.aux = o.imms - o.immr + 1; o.scale = 0; o.imm = o.immr; } else { o.aux = o.imms + 1; o.scale = size - o.immr; o.imm = 0; }
  ones64(o.aux);
  lsl64(R[0]!, R[1]!, o.scale);
  o.klo = R[0]!;
  o.khi = o.sf ? R[1]! : 0;
  return true;
}

/** field = (Rn >> imm) with `aux` bits, optionally sign-extended, then << scale; into R. */
function bitfieldField(c: Aarch64Cpu, o: DecodedOp, signed: boolean): void {
  const x = c.x;
  let lo = x[o.rn]!, hi = o.sf ? x[o.rn + 1]! : 0;
  lsr64(lo, hi, o.imm);
  lo = R[0]!; hi = R[1]!;
  const w = o.aux;
  lsl64(lo, hi, 64 - w);
  if (signed) asr64(R[0]!, R[1]!, 64 - w); else lsr64(R[0]!, R[1]!, 64 - w);
  lsl64(R[0]!, R[1]!, o.scale);
}

function sbfm(c: Aarch64Cpu, o: DecodedOp): void {
  bitfieldField(c, o, true);
  if (o.sf) { c.setX(o.rd, R[0]!, R[1]!); return; }
  // 32-bit: sign bits above the field fill up to bit 31 only.
  c.setX(o.rd, R[0]!, 0);
}

function ubfm(c: Aarch64Cpu, o: DecodedOp): void {
  bitfieldField(c, o, false);
  c.setX(o.rd, R[0]!, o.sf ? R[1]! : 0);
}

function bfm(c: Aarch64Cpu, o: DecodedOp): void {
  bitfieldField(c, o, false);
  const x = c.x;
  const lo = (x[o.rd]! & ~o.klo) | (R[0]! & o.klo);
  const hi = o.sf ? (x[o.rd + 1]! & ~o.khi) | (R[1]! & o.khi) : 0;
  c.setX(o.rd, lo, hi);
}

function extr(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  const lsb = o.imms;
  if (o.sf) {
    // (Rn:Rm) >> lsb, low 64 bits
    lsr64(x[o.rm]!, x[o.rm + 1]!, lsb);
    const lo = R[0]!, hi = R[1]!;
    if (lsb === 0) { c.setX(o.rd, lo, hi); return; }
    lsl64(x[o.rn]!, x[o.rn + 1]!, 64 - lsb);
    c.setX(o.rd, lo | R[0]!, hi | R[1]!);
  } else {
    lsr64(x[o.rm]!, x[o.rn]!, lsb);
    c.setX(o.rd, R[0]!, 0);
  }
}

// ---- move wide ----------------------------------------------------------------------------------------------

function prepMovWide(o: DecodedOp): boolean {
  if (!o.sf && o.sh >= 2) return false;
  o.aux = o.sh * 16;
  lsl64(o.imm, 0, o.aux);
  o.klo = R[0]!;
  o.khi = R[1]!;
  return true;
}

function movn(c: Aarch64Cpu, o: DecodedOp): void {
  c.setX(o.rd, ~o.klo, o.sf ? ~o.khi : 0);
}
function movz(c: Aarch64Cpu, o: DecodedOp): void {
  c.setX(o.rd, o.klo, o.khi);
}
function movk(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  ones64(16);
  lsl64(R[0]!, R[1]!, o.aux);
  const mlo = R[0]!, mhi = R[1]!;
  c.setX(o.rd, (x[o.rd]! & ~mlo) | o.klo, o.sf ? (x[o.rd + 1]! & ~mhi) | o.khi : 0);
}

// ---- conditional --------------------------------------------------------------------------------------------

function csel(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  if (COND_TABLE[(o.cond << 4) | (c.nzcv >>> 28)]) {
    c.setX(o.rd, x[o.rn]!, o.sf ? x[o.rn + 1]! : 0);
    return;
  }
  let lo = x[o.rm]!, hi = o.sf ? x[o.rm + 1]! : 0;
  // op:op2<0>: 00 CSEL, 01 CSINC, 10 CSINV, 11 CSNEG
  switch ((o.op << 1) | o.op2) {
    case 1: { const l = (lo >>> 0) + 1; hi = (hi + (l >= TWO32 ? 1 : 0)) | 0; lo = l | 0; break; }
    case 2: lo = ~lo; hi = ~hi; break;
    case 3: { const l = (~lo >>> 0) + 1; hi = (~hi + (l >= TWO32 ? 1 : 0)) | 0; lo = l | 0; break; }
  }
  c.setX(o.rd, lo, o.sf ? hi : 0);
}

function ccmp(c: Aarch64Cpu, o: DecodedOp, blo: number, bhi: number): void {
  if (!COND_TABLE[(o.cond << 4) | (c.nzcv >>> 28)]) { c.nzcv = (o.imm << 28) >>> 0; return; }
  const x = c.x;
  const n = o.rn;
  if (o.sf) c.nzcv = o.op ? addc64(x[n]!, x[n + 1]!, ~blo, ~bhi, 1) : addc64(x[n]!, x[n + 1]!, blo, bhi, 0);
  else c.nzcv = o.op ? addc32(x[n]!, ~blo, 1) : addc32(x[n]!, blo, 0);
}

// ---- multiply and divide ------------------------------------------------------------------------------------

function maddsub(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  mul64(x[o.rn]!, x[o.rn + 1]!, x[o.rm]!, x[o.rm + 1]!);
  const plo = R[0]!, phi = R[1]!;
  const a = o.ra;
  if (o.op2) addc64(x[a]!, x[a + 1]!, ~plo, ~phi, 1); else addc64(x[a]!, x[a + 1]!, plo, phi, 0);
  c.setX(o.rd, R[0]!, o.sf ? R[1]! : 0);
}

function maddlong(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  const signed = o.op === 1;
  const n = x[o.rn]!, m = x[o.rm]!;
  mul64(n, signed ? n >> 31 : 0, m, signed ? m >> 31 : 0);
  const plo = R[0]!, phi = R[1]!;
  const a = o.ra;
  if (o.op2) addc64(x[a]!, x[a + 1]!, ~plo, ~phi, 1); else addc64(x[a]!, x[a + 1]!, plo, phi, 0);
  c.setX(o.rd, R[0]!, R[1]!);
}

function smulhExec(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  smulh(x[o.rn]!, x[o.rn + 1]!, x[o.rm]!, x[o.rm + 1]!);
  c.setX(o.rd, R[0]!, R[1]!);
}

function umulhExec(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  umul128(x[o.rn]!, x[o.rn + 1]!, x[o.rm]!, x[o.rm + 1]!);
  c.setX(o.rd, R[2]!, R[3]!);
}

function divide(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  const signed = o.opt & 1;
  if (o.sf) {
    if (signed) sdiv64(x[o.rn]!, x[o.rn + 1]!, x[o.rm]!, x[o.rm + 1]!); else udiv64(x[o.rn]!, x[o.rn + 1]!, x[o.rm]!, x[o.rm + 1]!);
    c.setX(o.rd, R[0]!, R[1]!);
    return;
  }
  const a = x[o.rn]!, b = x[o.rm]!;
  let q: number;
  if (b === 0) q = 0;
  else if (signed) q = a === -0x80000000 && b === -1 ? a : Math.trunc(a / b) | 0;
  else q = Math.floor((a >>> 0) / (b >>> 0)) | 0;
  c.setX(o.rd, q, 0);
}

function shiftVariable(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  const amount = x[o.rm]! & (o.sf ? 63 : 31);
  shiftOperand(x[o.rn]!, x[o.rn + 1]!, o.opt & 3, amount, o.sf);
  c.setX(o.rd, R[0]!, o.sf ? R[1]! : 0);
}

// ---- CRC32 ------------------------------------------------------------------------------------------------------

function crcTable(poly: number): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let v = i;
    for (let k = 0; k < 8; k++) v = v & 1 ? (v >>> 1) ^ poly : v >>> 1;
    t[i] = v;
  }
  return t;
}
const CRC32 = crcTable(0xedb88320);
const CRC32C = crcTable(0x82f63b78);

function crc(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  const table = o.opt & 4 ? CRC32C : CRC32;
  const bytes = 1 << (o.opt & 3);
  let acc = x[o.rn]!;
  for (let i = 0; i < bytes; i++) {
    const b = i < 4 ? (x[o.rm]! >>> (8 * i)) & 0xff : (x[o.rm + 1]! >>> (8 * (i - 4))) & 0xff;
    acc = table[(acc ^ b) & 0xff]! ^ (acc >>> 8);
  }
  c.setX(o.rd, acc, 0);
}

function prepCrc(o: DecodedOp): boolean {
  // sf must be 1 exactly for the X (64-bit data) forms
  return ((o.opt & 3) === 3) === (o.sf === 1);
}

// ---- 1-source ---------------------------------------------------------------------------------------------------

function rbit(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  if (o.sf) c.setX(o.rd, rbit32(x[o.rn + 1]!), rbit32(x[o.rn]!)); else c.setX(o.rd, rbit32(x[o.rn]!), 0);
}
function rev16(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  c.setX(o.rd, bswap16x2(x[o.rn]!), o.sf ? bswap16x2(x[o.rn + 1]!) : 0);
}
function rev32(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  // REV (32-bit) and REV32 (64-bit): byte-reverse each word
  c.setX(o.rd, bswap32(x[o.rn]!), o.sf ? bswap32(x[o.rn + 1]!) : 0);
}
function rev64(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  c.setX(o.rd, bswap32(x[o.rn + 1]!), bswap32(x[o.rn]!));
}
function clz(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  c.setX(o.rd, o.sf ? clz64(x[o.rn]!, x[o.rn + 1]!) : Math.clz32(x[o.rn]!), 0);
}
function cls(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  if (o.sf) {
    const lo = x[o.rn]!, hi = x[o.rn + 1]!;
    const s = hi >> 31;
    c.setX(o.rd, clz64(lo ^ s, hi ^ s) - 1, 0);
  } else {
    const v = x[o.rn]!;
    c.setX(o.rd, Math.clz32(v ^ (v >> 31)) - 1, 0);
  }
}

// ---- the table -------------------------------------------------------------------------------------------------

export const DATA_PROCESSING: InsnSpec[] = [
  // PC-rel: immlo (j) bits 30:29, immhi (i) bits 23:5
  { name: 'ADR', pattern: '0jj10000 iiiiiiiiiiiiiiiiiii ddddd', exec: adr, prepare: prepAdr },
  { name: 'ADRP', pattern: '1jj10000 iiiiiiiiiiiiiiiiiii ddddd', exec: adrp, prepare: prepAdr },

  // Add/subtract (immediate)
  {
    name: 'ADD/SUB (immediate)', pattern: 'fp0100010h iiiiiiiiiiii NNNNN DDDDD',
    exec: (c, o) => addsub(c, o, o.klo, 0), prepare: (o) => { o.klo = o.sh ? o.imm << 12 : o.imm; },
  },
  {
    name: 'ADDS/SUBS (immediate)', pattern: 'fpS100010h iiiiiiiiiiii NNNNN ddddd',
    exec: (c, o) => addsub(c, o, o.klo, 0), prepare: (o) => { o.klo = o.sh ? o.imm << 12 : o.imm; },
  },

  // Logical (immediate): AND ORR EOR take Rd|SP, ANDS takes Rd
  { name: 'AND/ORR/EOR (immediate)', pattern: 'foo100100 e rrrrrr xxxxxx nnnnn DDDDD', exec: (c, o) => logical(c, o, o.klo, o.khi), prepare: (o) => o.opt !== 3 && decodeBitMask(o) },
  { name: 'ANDS (immediate)', pattern: 'f11100100 e rrrrrr xxxxxx nnnnn ddddd', exec: (c, o) => logical(c, o, o.klo, o.khi), prepare: (o) => { o.opt = 3; return decodeBitMask(o); } },

  // Move wide
  { name: 'MOVN', pattern: 'f00100101 hh iiiiiiiiiiiiiiii ddddd', exec: movn, prepare: prepMovWide },
  { name: 'MOVZ', pattern: 'f10100101 hh iiiiiiiiiiiiiiii ddddd', exec: movz, prepare: prepMovWide },
  { name: 'MOVK', pattern: 'f11100101 hh iiiiiiiiiiiiiiii ddddd', exec: movk, prepare: prepMovWide },

  // Bitfield and extract
  { name: 'SBFM', pattern: 'f00100110 e rrrrrr xxxxxx nnnnn ddddd', exec: sbfm, prepare: prepBitfield },
  { name: 'BFM', pattern: 'f01100110 e rrrrrr xxxxxx nnnnn ddddd', exec: bfm, prepare: prepBitfield },
  { name: 'UBFM', pattern: 'f10100110 e rrrrrr xxxxxx nnnnn ddddd', exec: ubfm, prepare: prepBitfield },
  {
    name: 'EXTR', pattern: 'f00100111 e 0 mmmmm xxxxxx nnnnn ddddd', exec: extr,
    prepare: (o) => o.sf === o.nbit && (o.sf === 1 || o.imms < 32),
  },

  // Logical (shifted register); e = invert operand 2 (BIC, ORN, EON, BICS)
  {
    name: 'logical (shifted register)', pattern: 'foo01010 hh e mmmmm iiiiii nnnnn ddddd',
    prepare: (o) => o.sf === 1 || o.imm < 32,
    exec: (c, o) => {
      const x = c.x;
      shiftOperand(x[o.rm]!, x[o.rm + 1]!, o.sh, o.imm, o.sf);
      if (o.nbit) logical(c, o, ~R[0]!, ~R[1]!); else logical(c, o, R[0]!, R[1]!);
    },
  },

  // Add/subtract (shifted register); shift type 3 is reserved
  {
    name: 'ADD/SUB (shifted register)', pattern: 'fpS01011 hh 0 mmmmm iiiiii nnnnn ddddd',
    prepare: (o) => o.sh !== 3 && (o.sf === 1 || o.imm < 32),
    exec: (c, o) => {
      const x = c.x;
      shiftOperand(x[o.rm]!, x[o.rm + 1]!, o.sh, o.imm, o.sf);
      addsub(c, o, R[0]!, R[1]!);
    },
  },

  // Add/subtract (extended register): Rn|SP always, Rd|SP unless flags are set
  {
    name: 'ADD/SUB (extended register)', pattern: 'fp001011 00 1 mmmmm ooo kkk NNNNN DDDDD', prepare: (o) => o.imm3 <= 4,
    exec: (c, o) => { const x = c.x; extendReg(x[o.rm]!, x[o.rm + 1]!, o.opt, o.imm3); addsub(c, o, R[0]!, R[1]!); },
  },
  {
    name: 'ADDS/SUBS (extended register)', pattern: 'fpS01011 00 1 mmmmm ooo kkk NNNNN ddddd', prepare: (o) => o.imm3 <= 4,
    exec: (c, o) => { const x = c.x; extendReg(x[o.rm]!, x[o.rm + 1]!, o.opt, o.imm3); addsub(c, o, R[0]!, R[1]!); },
  },

  // Add/subtract with carry
  {
    name: 'ADC/SBC', pattern: 'fpS11010000 mmmmm 000000 nnnnn ddddd',
    exec: (c, o) => {
      const x = c.x;
      const cin = (c.nzcv >>> 29) & 1;
      let blo = x[o.rm]!, bhi = x[o.rm + 1]!;
      if (o.op) { blo = ~blo; bhi = ~bhi; }
      const f = o.sf ? addc64(x[o.rn]!, x[o.rn + 1]!, blo, bhi, cin) : addc32(x[o.rn]!, blo, cin);
      if (o.s) c.nzcv = f;
      c.setX(o.rd, R[0]!, o.sf ? R[1]! : 0);
    },
  },

  // Conditional compare
  {
    name: 'CCMN/CCMP (register)', pattern: 'fp111010010 mmmmm cccc 00 nnnnn 0 iiii',
    exec: (c, o) => { const x = c.x; ccmp(c, o, x[o.rm]!, x[o.rm + 1]!); },
  },
  { name: 'CCMN/CCMP (immediate)', pattern: 'fp111010010 jjjjj cccc 10 nnnnn 0 iiii', exec: (c, o) => ccmp(c, o, o.imm2, 0) },

  // Conditional select: op (bit 30) and op2<0> (bit 10)
  { name: 'CSEL/CSINC/CSINV/CSNEG', pattern: 'fp011010100 mmmmm cccc 0P nnnnn ddddd', exec: csel },

  // Data processing (3 source)
  { name: 'MADD/MSUB', pattern: 'f0011011000 mmmmm P aaaaa nnnnn ddddd', exec: maddsub },
  { name: 'SMADDL/SMSUBL', pattern: '10011011001 mmmmm P aaaaa nnnnn ddddd', exec: maddlong, prepare: (o) => { o.op = 1; } },
  { name: 'UMADDL/UMSUBL', pattern: '10011011101 mmmmm P aaaaa nnnnn ddddd', exec: maddlong, prepare: (o) => { o.op = 0; } },
  { name: 'SMULH', pattern: '10011011010 mmmmm 0 ..... nnnnn ddddd', exec: smulhExec },
  { name: 'UMULH', pattern: '10011011110 mmmmm 0 ..... nnnnn ddddd', exec: umulhExec },

  // Data processing (2 source)
  { name: 'UDIV/SDIV', pattern: 'f0011010110 mmmmm 00001o nnnnn ddddd', exec: divide },
  { name: 'LSLV/LSRV/ASRV/RORV', pattern: 'f0011010110 mmmmm 0010oo nnnnn ddddd', exec: shiftVariable },
  { name: 'CRC32/CRC32C', pattern: 'f0011010110 mmmmm 010ooo nnnnn ddddd', exec: crc, prepare: prepCrc },

  // Data processing (1 source)
  { name: 'RBIT', pattern: 'f101101011000000000000 nnnnn ddddd', exec: rbit },
  { name: 'REV16', pattern: 'f101101011000000000001 nnnnn ddddd', exec: rev16 },
  { name: 'REV (32-bit) / REV32', pattern: 'f101101011000000000010 nnnnn ddddd', exec: rev32 },
  { name: 'REV (64-bit)', pattern: '1101101011000000000011 nnnnn ddddd', exec: rev64 },
  { name: 'CLZ', pattern: 'f101101011000000000100 nnnnn ddddd', exec: clz },
  { name: 'CLS', pattern: 'f101101011000000000101 nnnnn ddddd', exec: cls },

  // op0 = 00xx: UDF (permanently undefined), the reserved space, and SVE, which these models do not have.
  { name: 'UDF / reserved / SVE', pattern: '...00... ........................', exec: undefinedExec, ends: true },

  // Everything else in "data processing (immediate)" (op0 100x) and "(register)" (op0 x101) is unallocated in
  // the architecture versions this model implements: it raises an Undefined exception.
  { name: 'unallocated (data processing, immediate)', pattern: '...100.. ........................', exec: undefinedExec, ends: true },
  { name: 'unallocated (data processing, register)', pattern: '....101. ........................', exec: undefinedExec, ends: true },
];
