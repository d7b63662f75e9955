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
}

/** xorshift32 with a fixed seed: the same cases every run. */
export class Rng {
  constructor(private s = 0x1234567) {}
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return this.u32() % n;
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
