/**
 * Instruction-sequence generator for the host-native check: templates of user-level integer instructions
 * (register forms), random operands from a fixed-seed PRNG, and for every template the mask of flags the
 * SDM leaves undefined (so hardware and model may differ there).
 *
 * Undefined-flag masks (Intel SDM vol. 2 / AMD APM vol. 3), applied per case:
 *   AND/OR/XOR/TEST            AF
 *   SHL/SHR/SAR                AF always; OF when the masked count is not 1; CF when count >= width (8/16)
 *   ROL/ROR/RCL/RCR            OF when the masked count is not 1
 *   SHLD/SHRD                  AF; OF when the count is not 1
 *   MUL/IMUL                   SF ZF AF PF
 *   DIV/IDIV                   all six
 *   BSF/BSR                    CF OF SF AF PF; the destination when the source is 0
 *   BT/BTS/BTR/BTC             OF SF AF PF
 *   TZCNT/LZCNT                OF SF AF PF
 * Everything else (ADD..CMP, INC/DEC, NEG, POPCNT, CMPXCHG, XADD, CMOVcc, SETcc, MOVZX/SX, BSWAP, LEA,
 * CBW..CQO, CMC/STC/CLC, LAHF/SAHF) is compared in full. RSP is never an operand.
 */
import { Xorshift32 } from '../common/rng.js';

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;

export interface NativeCase {
  name: string;
  code: number[];
  /** rax..r15 as [lo, hi] unsigned halves (rsp unused) */
  regs: [number, number][];
  flags: number;
  /** flags to ignore */
  undefinedFlags: number;
  /** registers whose result is undefined (e.g. BSF destination for a zero source) */
  undefinedRegs: number[];
  /** XMM0-15 as 64 dwords (zero when absent) and MXCSR (0x1f80 when absent) */
  xmm?: number[];
  mxcsr?: number;
}

/** xorshift32 with a fixed seed (the same cases every run), plus interesting 64-bit operands. */
export class Rng extends Xorshift32 {
  constructor(seed = 0x1234567) {
    super(seed);
  }
  /** interesting 64-bit values: boundaries mixed with random ones */
  value(): [number, number] {
    const k = this.below(10);
    const specials: [number, number][] = [
      [0, 0], [1, 0], [0xffffffff, 0xffffffff], [0, 0x80000000], [0xffffffff, 0x7fffffff], [0x80000000, 0],
      [0x7fffffff, 0], [0xffffffff, 0], [0x80, 0], [0x8000, 0xffffffff],
    ];
    if (k < 3) return specials[this.below(specials.length)]!;
    if (k < 5) return [this.u32() & 0xff, 0];
    return [this.u32(), this.u32()];
  }
}

const REGS = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]; // no RSP

function rex(w: boolean, reg: number, rm: number, force = false): number[] {
  const r = 0x40 | (w ? 8 : 0) | ((reg >> 3) << 2) | (rm >> 3);
  return r !== 0x40 || force ? [r] : [];
}

function modrm(reg: number, rm: number): number {
  return 0xc0 | ((reg & 7) << 3) | (rm & 7);
}

type Size = 1 | 2 | 4 | 8;

/** Prefix bytes + REX for a register-register instruction of a given operand size. */
function enc(size: Size, opcode8: number[], opcodeV: number[], reg: number, rm: number, tail: number[] = []): number[] {
  const out: number[] = [];
  if (size === 2) out.push(0x66);
  // byte registers 4-7 without REX would be AH..BH: always emit REX for byte forms so they mean SPL..DIL
  out.push(...rex(size === 8, reg, rm, size === 1));
  out.push(...(size === 1 ? opcode8 : opcodeV), modrm(reg, rm), ...tail);
  return out;
}

function imm(n: number, bytes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes; i++) out.push((n >>> (8 * i)) & 0xff);
  return out;
}

const SIZES: Size[] = [1, 2, 4, 8];

export function generateCases(count: number, seed = 0x1234567): NativeCase[] {
  const rng = new Rng(seed);
  const cases: NativeCase[] = [];
  const pick = <T>(a: readonly T[]): T => a[rng.below(a.length)]!;
  for (let n = 0; n < count; n++) {
    const regs: [number, number][] = [];
    for (let i = 0; i < 16; i++) regs.push(rng.value());
    regs[4] = [0, 0];
    let flags = 0x202 | (rng.u32() & ARITH);
    const size = pick(SIZES);
    const bits = size * 8;
    const a = pick(REGS), b = pick(REGS);
    let code: number[] = [];
    let undef = 0;
    const undefRegs: number[] = [];
    let name = '';
    const kind = rng.below(24);
    switch (kind) {
      case 0: { // ALU r/m, r
        const op = rng.below(8);
        code = enc(size, [op * 8], [op * 8 + 1], b, a);
        name = `alu${op}-${bits}`;
        if (op === 1 || op === 4 || op === 6) undef = AF;
        break;
      }
      case 1: { // ALU r/m, imm
        const op = rng.below(8);
        const i = rng.u32();
        if (size === 1) code = enc(1, [0x80], [], op, a, imm(i, 1));
        else if (rng.below(2)) code = enc(size, [], [0x83], op, a, imm(i, 1));
        else code = enc(size, [], [0x81], op, a, imm(i, size === 2 ? 2 : 4));
        name = `alu${op}-imm-${bits}`;
        if (op === 1 || op === 4 || op === 6) undef = AF;
        break;
      }
      case 2: { // INC DEC NOT NEG
        const op = pick([0, 1, 2, 3]);
        if (op < 2) code = enc(size, [0xfe], [0xff], op, a);
        else code = enc(size, [0xf6], [0xf7], op, a);
        name = `${['inc', 'dec', 'not', 'neg'][op]}-${bits}`;
        break;
      }
      case 3: case 4: { // shifts and rotates by imm, 1, CL
        const op = pick([0, 1, 2, 3, 4, 5, 7]);
        const form = rng.below(3);
        let count: number;
        if (form === 0) {
          count = rng.below(70);
          code = enc(size, [0xc0], [0xc1], op, a, [count]);
        } else if (form === 1) {
          count = 1;
          code = enc(size, [0xd0], [0xd1], op, a);
        } else {
          count = regs[1]![0] & 0xff;
          if (a === 1) break;
          code = enc(size, [0xd2], [0xd3], op, a);
        }
        const masked = count & (size === 8 ? 63 : 31);
        if (op >= 4) {
          undef = AF;
          if (masked !== 1) undef |= OF;
          if (masked >= bits) undef |= CF;
        } else if (masked !== 1) undef = OF;
        if (op >= 2 && op <= 3 && size < 4 && masked > bits) undef |= CF; // RCL/RCR count mod 9/17: fine, but keep safe
        name = `shift${op}-${bits}`;
        break;
      }
      case 5: { // MUL IMUL (one operand)
        const op = pick([4, 5]);
        code = enc(size, [0xf6], [0xf7], op, a);
        undef = SF | ZF | AF | PF;
        name = `${op === 4 ? 'mul' : 'imul'}1-${bits}`;
        break;
      }
      case 6: { // DIV IDIV without #DE: RDX:RAX prepared so the quotient fits
        if (size === 1) break;
        const op = pick([6, 7]);
        if (a === 0 || a === 2) break;
        if (op === 6) {
          regs[2] = [0, 0];
          if ((regs[a]![0] | (size === 8 ? regs[a]![1] : 0)) === 0) regs[a] = [3, 0];
          if (size === 2 && (regs[a]![0] & 0xffff) === 0) regs[a] = [7, 0];
        } else {
          // sign-extend RAX into RDX and avoid MIN / -1
          const neg = size === 8 ? regs[0]![1] >>> 31 : size === 4 ? regs[0]![0] >>> 31 : (regs[0]![0] >>> 15) & 1;
          regs[2] = neg ? [0xffffffff, 0xffffffff] : [0, 0];
          if (size === 2) regs[2] = [neg ? 0xffff : 0, 0];
          regs[a] = [0x11 + rng.below(1000), 0];
        }
        code = enc(size, [0xf6], [0xf7], op, a);
        undef = ARITH;
        name = `${op === 6 ? 'div' : 'idiv'}-${bits}`;
        break;
      }
      case 7: { // IMUL r, r/m ; IMUL r, r/m, imm
        if (size === 1) break;
        if (rng.below(2)) code = enc(size, [], [0x0f, 0xaf], b, a);
        else if (rng.below(2)) code = enc(size, [], [0x6b], b, a, [rng.u32() & 0xff]);
        else code = enc(size, [], [0x69], b, a, imm(rng.u32(), size === 2 ? 2 : 4));
        undef = SF | ZF | AF | PF;
        name = `imul-${bits}`;
        break;
      }
      case 8: { // BSF BSR TZCNT LZCNT POPCNT
        if (size === 1) break;
        const op = rng.below(5);
        const pre = op >= 2 ? [0xf3] : [];
        const opc = [[0x0f, 0xbc], [0x0f, 0xbd], [0x0f, 0xbc], [0x0f, 0xbd], [0x0f, 0xb8]][op]!;
        code = [...(size === 2 ? [0x66] : []), ...pre, ...rex(size === 8, b, a), ...opc, modrm(b, a)];
        if (op < 2) {
          undef = CF | OF | SF | AF | PF;
          const src = regs[a]!;
          const zero = size === 8 ? (src[0] | src[1]) === 0 : size === 4 ? src[0] === 0 : (src[0] & 0xffff) === 0;
          if (zero) undefRegs.push(b);
        } else if (op < 4) undef = OF | SF | AF | PF;
        name = `${['bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt'][op]}-${bits}`;
        break;
      }
      case 9: { // BT BTS BTR BTC (register and immediate offsets)
        if (size === 1) break;
        const op = rng.below(4);
        if (rng.below(2)) code = enc(size, [], [0x0f, [0xa3, 0xab, 0xb3, 0xbb][op]!], b, a);
        else code = enc(size, [], [0x0f, 0xba], 4 + op, a, [rng.u32() & 0xff]);
        undef = OF | SF | AF | PF;
        name = `bt${op}-${bits}`;
        break;
      }
      case 10: { // MOVZX / MOVSX / MOVSXD
        if (size < 2) break;
        const op = rng.below(5);
        // without a REX prefix a byte source 4-7 is AH..BH: both encodings are generated
        if (op < 4) code = [...(size === 2 ? [0x66] : []), ...rex(size === 8, b, a, rng.below(2) === 0), 0x0f, [0xb6, 0xb7, 0xbe, 0xbf][op]!, modrm(b, a)];
        else code = [...rex(true, b, a), 0x63, modrm(b, a)];
        name = `movx${op}-${bits}`;
        break;
      }
      case 11: { // CMOVcc
        if (size === 1) break;
        code = enc(size, [], [0x0f, 0x40 + rng.below(16)], b, a);
        name = `cmov-${bits}`;
        break;
      }
      case 12: { // SETcc
        code = [...rex(false, 0, a, true), 0x0f, 0x90 + rng.below(16), modrm(0, a)];
        name = 'setcc';
        break;
      }
      case 13: { // BSWAP 32/64
        const s = rng.below(2) ? 8 : 4;
        code = [...rex(s === 8, 0, a), 0x0f, 0xc8 + (a & 7)];
        name = `bswap-${s * 8}`;
        break;
      }
      case 14: { // XADD, CMPXCHG, XCHG
        const op = rng.below(3);
        if (op === 0) code = enc(size, [0x0f, 0xc0], [0x0f, 0xc1], b, a);
        else if (op === 1) code = enc(size, [0x0f, 0xb0], [0x0f, 0xb1], b, a);
        else code = enc(size, [0x86], [0x87], b, a);
        name = `${['xadd', 'cmpxchg', 'xchg'][op]}-${bits}`;
        break;
      }
      case 15: { // LEA with base + index*scale + disp
        if (size < 2) break;
        const idx = pick(REGS);
        const base = pick(REGS.filter((r) => (r & 7) !== 5));
        const scale = rng.below(4);
        const disp = rng.u32() | 0;
        code = [...(size === 2 ? [0x66] : []), 0x40 | (size === 8 ? 8 : 0) | ((b >> 3) << 2) | ((idx >> 3) << 1) | (base >> 3), 0x8d,
          0x84 | ((b & 7) << 3), (scale << 6) | ((idx & 7) << 3) | (base & 7), ...imm(disp, 4)];
        name = `lea-${bits}`;
        break;
      }
      case 16: { // SHLD / SHRD (32/64)
        const s = rng.below(2) ? 8 : 4;
        const right = rng.below(2);
        const c = rng.below(64);
        code = [...rex(s === 8, b, a), 0x0f, right ? 0xac : 0xa4, modrm(b, a), c];
        const masked = c & (s === 8 ? 63 : 31);
        undef = AF | (masked !== 1 ? OF : 0);
        if (masked === 0) undef = 0;
        name = `sh${right ? 'r' : 'l'}d-${s * 8}`;
        break;
      }
      case 17: { // CBW CWDE CDQE CWD CDQ CQO
        const op = rng.below(6);
        code = [[0x66, 0x98], [0x98], [0x48, 0x98], [0x66, 0x99], [0x99], [0x48, 0x99]][op]!;
        name = `cbw${op}`;
        break;
      }
      case 18: { // CMC CLC STC LAHF SAHF
        code = [[0xf5], [0xf8], [0xf9], [0x9f], [0x9e]][rng.below(5)]!;
        name = 'flagops';
        break;
      }
      case 19: { // ADC/SBB chains with a preset carry
        const op = pick([2, 3]);
        flags = (flags & ~CF) | rng.below(2);
        code = [...enc(size, [op * 8], [op * 8 + 1], b, a), ...enc(size, [op * 8], [op * 8 + 1], a, b)];
        name = `adcsbb-${bits}`;
        break;
      }
      case 20: { // a short dependent sequence: add, shl, xor, imul, cmp, setcc
        if (size < 4) break;
        code = [
          ...enc(size, [], [0x01], b, a),
          ...enc(size, [], [0xc1], 4, a, [rng.below(31) + 1]),
          ...enc(size, [], [0x31], a, b),
          ...enc(size, [], [0x0f, 0xaf], b, a),
          ...enc(size, [], [0x39], b, a),
          ...rex(false, 0, a, true), 0x0f, 0x9c, modrm(0, a),
        ];
        undef = 0;
        name = `seq-${bits}`;
        break;
      }
      case 21: { // CMP/SUB/TEST/AND of every size followed by SETcc and Jcc-free CMOVcc on the result
        const op = pick([7, 5, 4]);
        const cc = rng.below(16);
        code = [...enc(size, [op * 8], [op * 8 + 1], b, a), ...rex(false, 0, a, true), 0x0f, 0x90 + cc, modrm(0, a)];
        if (op === 4) undef = AF;
        name = `cmp-setcc${cc}-${bits}`;
        break;
      }
      default: { // MOV forms incl. 64-bit immediates and 8-bit high registers without REX
        if (rng.below(2)) {
          code = [0x48 | (a >> 3), 0xb8 + (a & 7), ...imm(rng.u32(), 4), ...imm(rng.u32(), 4)];
        } else {
          // mov ah..bh <-> al..bl (no REX: registers 4-7 are the high bytes)
          code = [0x88, 0xc0 | (rng.below(8) << 3) | rng.below(4)];
        }
        name = 'mov';
      }
    }
    if (code.length === 0) {
      n--;
      continue;
    }
    cases.push({ name, code, regs, flags, undefinedFlags: undef, undefinedRegs: undefRegs });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------------------
// SSE/SSE2 floating point: register forms of every instruction exec-ssefp.ts implements, with operands drawn
// from the classes that matter for IEEE 754 (zeros, infinities, quiet and signalling NaNs with payloads,
// denormals, values near the underflow and overflow thresholds, values near 1, exact integers, random bit
// patterns) and a random MXCSR: rounding control, DAZ, FTZ and the sticky flags. Every exception stays
// masked (an unmasked one would kill the native harness with SIGFPE; #XM is covered by t-ssefp.c). Nothing
// is masked in the comparison: all XMM registers, MXCSR, the GPRs and the arithmetic flags must match.
// ---------------------------------------------------------------------------------------------------------

function f32Bits(rng: Rng): number {
  const sign = rng.below(2) << 31;
  const k = rng.below(16);
  switch (k) {
    case 0: return sign >>> 0; // +-0
    case 1: return (sign | 0x7f800000) >>> 0; // +-inf
    case 2: return (sign | 0x7fc00000 | (rng.u32() & 0x3fffff)) >>> 0; // QNaN
    case 3: return (sign | 0x7f800000 | ((rng.u32() & 0x3fffff) | 1)) >>> 0; // SNaN
    case 4: return (sign | ((rng.u32() & 0x7fffff) | 1)) >>> 0; // denormal
    case 5: return (sign | ((1 + rng.below(30)) << 23) | (rng.u32() & 0x7fffff)) >>> 0; // tiny normal
    case 6: return (sign | ((225 + rng.below(30)) << 23) | (rng.u32() & 0x7fffff)) >>> 0; // huge
    case 7: return rng.u32(); // anything
    case 8: { // small exact integer
      const f = new Float32Array([(rng.below(2) ? -1 : 1) * rng.below(100000)]);
      return new Uint32Array(f.buffer)[0]!;
    }
    default: return (sign | ((118 + rng.below(20)) << 23) | (rng.u32() & 0x7fffff)) >>> 0; // near 1
  }
}

function f64Bits(rng: Rng): [number, number] {
  const sign = rng.below(2) << 31;
  const lo = rng.u32();
  const k = rng.below(16);
  switch (k) {
    case 0: return [0, sign >>> 0];
    case 1: return [0, (sign | 0x7ff00000) >>> 0];
    case 2: return [lo, (sign | 0x7ff80000 | (rng.u32() & 0x7ffff)) >>> 0];
    case 3: return [lo | 1, (sign | 0x7ff00000 | (rng.u32() & 0x7ffff)) >>> 0];
    case 4: return [lo | 1, (sign | (rng.u32() & 0xfffff)) >>> 0];
    case 5: return [lo, (sign | ((1 + rng.below(60)) << 20) | (rng.u32() & 0xfffff)) >>> 0];
    case 6: return [lo, (sign | ((1990 + rng.below(56)) << 20) | (rng.u32() & 0xfffff)) >>> 0];
    case 7: return [lo, rng.u32()];
    case 8: {
      const f = new Float64Array([(rng.below(2) ? -1 : 1) * rng.below(1 << 30)]);
      const u = new Uint32Array(f.buffer);
      return [u[0]!, u[1]!];
    }
    case 9: { // a short significand: products and quotients that are often exact
      return [0, (sign | ((1015 + rng.below(16)) << 20) | (rng.u32() & 0xff000)) >>> 0];
    }
    default: return [lo, (sign | ((1013 + rng.below(20)) << 20) | (rng.u32() & 0xfffff)) >>> 0];
  }
}

/** Fills an XMM register (4 dwords at xmm[r*4]) with floats, doubles or integers. */
function fillXmm(rng: Rng, xmm: number[], r: number, kind: 'f' | 'd' | 'i'): void {
  for (let i = 0; i < 4; i++) {
    if (kind === 'f') xmm[r * 4 + i] = f32Bits(rng);
    else if (kind === 'i') xmm[r * 4 + i] = rng.below(3) ? rng.value()[0] : f32Bits(rng);
    else if (i % 2 === 0) {
      const [lo, hi] = f64Bits(rng);
      xmm[r * 4 + i] = lo;
      xmm[r * 4 + i + 1] = hi;
    }
  }
}

/** Makes register b's lanes close to a's (cancellation, exact differences, equal compares). */
function relate(rng: Rng, xmm: number[], a: number, b: number): void {
  for (let i = 0; i < 4; i++) {
    const v = xmm[a * 4 + i]!;
    const k = rng.below(3);
    xmm[b * 4 + i] = k === 0 ? v : k === 1 ? (v ^ (rng.u32() & 0xff)) >>> 0 : (v ^ 0x80000000) >>> 0;
  }
}

/** [prefix or -1, opcode, source format, destination kind] */
type FpOp = { name: string; pre: number; op: number; src: 'f' | 'd' | 'i'; imm?: boolean; gprDst?: boolean; gprSrc?: boolean };

const FP_OPS: FpOp[] = [];
{
  const pre = [-1, 0x66, 0xf3, 0xf2];
  const arith: [number, string][] = [[0x58, 'add'], [0x59, 'mul'], [0x5c, 'sub'], [0x5d, 'min'], [0x5e, 'div'], [0x5f, 'max'], [0x51, 'sqrt']];
  const sfx = ['ps', 'pd', 'ss', 'sd'];
  for (const [op, n] of arith) for (let p = 0; p < 4; p++) FP_OPS.push({ name: n + sfx[p], pre: pre[p]!, op, src: p % 2 ? 'd' : 'f' });
  for (let p = 0; p < 4; p++) FP_OPS.push({ name: 'cmp' + sfx[p], pre: pre[p]!, op: 0xc2, src: p % 2 ? 'd' : 'f', imm: true });
  FP_OPS.push({ name: 'ucomiss', pre: -1, op: 0x2e, src: 'f' }, { name: 'ucomisd', pre: 0x66, op: 0x2e, src: 'd' });
  FP_OPS.push({ name: 'comiss', pre: -1, op: 0x2f, src: 'f' }, { name: 'comisd', pre: 0x66, op: 0x2f, src: 'd' });
  FP_OPS.push({ name: 'cvtps2pd', pre: -1, op: 0x5a, src: 'f' }, { name: 'cvtpd2ps', pre: 0x66, op: 0x5a, src: 'd' });
  FP_OPS.push({ name: 'cvtss2sd', pre: 0xf3, op: 0x5a, src: 'f' }, { name: 'cvtsd2ss', pre: 0xf2, op: 0x5a, src: 'd' });
  FP_OPS.push({ name: 'cvtdq2ps', pre: -1, op: 0x5b, src: 'i' }, { name: 'cvtps2dq', pre: 0x66, op: 0x5b, src: 'f' });
  FP_OPS.push({ name: 'cvttps2dq', pre: 0xf3, op: 0x5b, src: 'f' });
  FP_OPS.push({ name: 'cvttpd2dq', pre: 0x66, op: 0xe6, src: 'd' }, { name: 'cvtdq2pd', pre: 0xf3, op: 0xe6, src: 'i' });
  FP_OPS.push({ name: 'cvtpd2dq', pre: 0xf2, op: 0xe6, src: 'd' });
  FP_OPS.push({ name: 'cvtsi2ss', pre: 0xf3, op: 0x2a, src: 'i', gprSrc: true }, { name: 'cvtsi2sd', pre: 0xf2, op: 0x2a, src: 'i', gprSrc: true });
  FP_OPS.push({ name: 'cvttss2si', pre: 0xf3, op: 0x2c, src: 'f', gprDst: true }, { name: 'cvttsd2si', pre: 0xf2, op: 0x2c, src: 'd', gprDst: true });
  FP_OPS.push({ name: 'cvtss2si', pre: 0xf3, op: 0x2d, src: 'f', gprDst: true }, { name: 'cvtsd2si', pre: 0xf2, op: 0x2d, src: 'd', gprDst: true });
  FP_OPS.push({ name: 'shufps', pre: -1, op: 0xc6, src: 'f', imm: true }, { name: 'shufpd', pre: 0x66, op: 0xc6, src: 'd', imm: true });
  FP_OPS.push({ name: 'unpcklps', pre: -1, op: 0x14, src: 'f' }, { name: 'unpcklpd', pre: 0x66, op: 0x14, src: 'd' });
  FP_OPS.push({ name: 'unpckhps', pre: -1, op: 0x15, src: 'f' }, { name: 'unpckhpd', pre: 0x66, op: 0x15, src: 'd' });
  FP_OPS.push({ name: 'andps', pre: -1, op: 0x54, src: 'f' }, { name: 'andnpd', pre: 0x66, op: 0x55, src: 'd' });
  FP_OPS.push({ name: 'orps', pre: -1, op: 0x56, src: 'f' }, { name: 'xorpd', pre: 0x66, op: 0x57, src: 'd' });
  FP_OPS.push({ name: 'movmskps', pre: -1, op: 0x50, src: 'f', gprDst: true }, { name: 'movmskpd', pre: 0x66, op: 0x50, src: 'd', gprDst: true });
}

/** Encodes `op reg, rm` (both xmm, or a GPR on the side the template says) with REX as needed. */
function encFp(o: FpOp, reg: number, rm: number, w: boolean, imm8: number): number[] {
  const out: number[] = [];
  if (o.pre >= 0) out.push(o.pre);
  out.push(...rex(w, reg, rm));
  out.push(0x0f, o.op, modrm(reg, rm));
  if (o.imm) out.push(imm8);
  return out;
}

/**
 * Directed cases: products, quotients and sums at the underflow and overflow thresholds, halfway cases and
 * exact results, under every rounding mode and with FTZ/DAZ (random operands rarely land exactly there).
 */
export function directedSseCases(): NativeCase[] {
  const A64: [number, number][] = [[1, 0x00100000], [1, 0x3ff00000], [0, 0x7fe00000], [3, 0], [0xffffffff, 0x3fefffff],
    [0xffffffff, 0x001fffff], [1, 0x43400000], [0, 0xbca00000], [0, 0x3cb00000], [0, 0x00100000], [0xffffffff, 0x000fffff]];
  const B64: [number, number][] = [[0, 0x3fe00000], [0xfffffffe, 0x3fefffff], [0, 0x40000000], [0, 0x3fd00000],
    [1, 0x3ff00000], [0, 0x3ca00000], [0xffffffff, 0x000fffff], [1, 0x7fe00000], [0, 0xc3400000], [0, 0x80100000]];
  const A32 = [0x00800001, 0x3f800001, 0x7f000000, 0x00000003, 0x3f7fffff, 0x00ffffff, 0x4b800001, 0xb3800000, 0x34000000, 0x00800000, 0x007fffff];
  const B32 = [0x3f000000, 0x3f7ffffe, 0x40000000, 0x3e800000, 0x3f800001, 0x33800000, 0x007fffff, 0x7f000001, 0xcb800000, 0x80800000];
  const modes = [0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9f80, 0x1fc0, 0xffc0, 0xbf80, 0xdf80];
  const cases: NativeCase[] = [];
  const regs: [number, number][] = Array.from({ length: 16 }, () => [0, 0] as [number, number]);
  for (const [op, name] of [[0x58, 'add'], [0x5c, 'sub'], [0x59, 'mul'], [0x5e, 'div'], [0x5a, 'cvt']] as const) {
    for (let i = 0; i < A64.length; i++) {
      for (let j = 0; j < B64.length; j++) {
        for (const mx of modes) {
          const xmm = new Array<number>(64).fill(0);
          // xmm0 = a (double in the low qword, float in the low dword of the high qword), xmm1 = b
          xmm[0] = A64[i]![0]; xmm[1] = A64[i]![1]; xmm[2] = A32[i]!;
          xmm[4] = B64[j]![0]; xmm[5] = B64[j]![1]; xmm[6] = B32[j]!;
          // op sd xmm0, xmm1 ; pshufd $0xee to bring the floats down into xmm2/xmm3 ; op ss xmm2, xmm3
          const code = [0xf2, 0x0f, op, 0xc1, 0x66, 0x0f, 0x70, 0xd0, 0xee, 0x66, 0x0f, 0x70, 0xd9, 0xee, 0xf3, 0x0f, op, 0xd3];
          if (op === 0x5a) code.splice(0, 4, 0xf2, 0x0f, 0x5a, 0xe1); // cvtsd2ss xmm4, xmm1 instead of a double op
          cases.push({ name: `${name}-directed`, code, regs, flags: 0x202, undefinedFlags: 0, undefinedRegs: [], xmm, mxcsr: mx });
        }
      }
    }
  }
  return cases;
}

export function generateSseCases(count: number, seed = 0x5eed5eed): NativeCase[] {
  const rng = new Rng(seed);
  const cases: NativeCase[] = [];
  for (let n = 0; n < count; n++) {
    const regs: [number, number][] = [];
    for (let i = 0; i < 16; i++) regs.push(rng.value());
    regs[4] = [0, 0];
    const flags = 0x202 | (rng.u32() & ARITH);
    const o = FP_OPS[rng.below(FP_OPS.length)]!;
    const xmm: number[] = new Array<number>(64).fill(0);
    const kind = o.src === 'i' ? 'i' : o.src;
    for (let r = 0; r < 16; r++) fillXmm(rng, xmm, r, kind);
    const a = rng.below(16);
    let b = rng.below(16);
    if (rng.below(4) === 0) b = a;
    else if (rng.below(3) === 0) relate(rng, xmm, a, b);
    // MXCSR: all exceptions masked; RC, DAZ, FTZ and the sticky flags random (half the cases start clean)
    let mxcsr = 0x1f80 | (rng.below(4) << 13);
    if (rng.below(4) === 0) mxcsr |= 0x40; // DAZ
    if (rng.below(4) === 0) mxcsr |= 0x8000; // FTZ
    if (rng.below(2)) mxcsr |= rng.u32() & 0x3f;
    let code: number[];
    const w = rng.below(2) === 1;
    if (o.gprSrc) {
      const g = REGS[rng.below(REGS.length)]!;
      code = encFp(o, a, g, w, 0);
    } else if (o.gprDst) {
      const g = REGS[rng.below(REGS.length)]!;
      code = encFp(o, g, b, w && o.op !== 0x50, 0);
    } else code = encFp(o, a, b, false, rng.below(256));
    // sometimes a dependent pair: the same operation again on its own result
    if (!o.gprDst && !o.gprSrc && rng.below(5) === 0) code = [...code, ...code];
    cases.push({ name: o.name + (w ? '-64' : ''), code, regs, flags, undefinedFlags: 0, undefinedRegs: [], xmm, mxcsr });
  }
  return cases;
}
