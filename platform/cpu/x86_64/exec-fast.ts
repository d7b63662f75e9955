/**
 * Specialised handlers for the hottest instruction forms gcc emits (64/32-bit MOV and ALU operations on
 * registers, immediates and simple memory operands). The decoder asks `specialize` after decoding; a form
 * not listed here keeps its generic handler from exec-*.ts. Semantics are identical (the differential and
 * native tests run through both paths); these only skip the generic operand-kind dispatch.
 */
import type { X86Cpu } from './cpu.js';
import { LazyOp, PARITY } from './flags.js';
import { type Handler, type Insn, K } from './insn.js';

// ---- MOV ----

const movRR64: Handler = (cpu, d) => {
  cpu.lo[d.rm] = cpu.lo[d.reg]!;
  cpu.hi[d.rm] = cpu.hi[d.reg]!;
};
const movRR64rev: Handler = (cpu, d) => {
  cpu.lo[d.reg] = cpu.lo[d.rm]!;
  cpu.hi[d.reg] = cpu.hi[d.rm]!;
};
const movRR32: Handler = (cpu, d) => {
  cpu.lo[d.rm] = cpu.lo[d.reg]!;
  cpu.hi[d.rm] = 0;
};
const movRR32rev: Handler = (cpu, d) => {
  cpu.lo[d.reg] = cpu.lo[d.rm]!;
  cpu.hi[d.reg] = 0;
};
const movLoad64: Handler = (cpu, d) => {
  const lin = cpu.ea(d);
  const lo = cpu.read32(lin);
  const hi = cpu.read32(lin + 4);
  cpu.lo[d.reg] = lo;
  cpu.hi[d.reg] = hi;
};
const movLoad32: Handler = (cpu, d) => {
  cpu.lo[d.reg] = cpu.read32(cpu.ea(d));
  cpu.hi[d.reg] = 0;
};
const movStore64: Handler = (cpu, d) => {
  cpu.writeMem(cpu.ea(d), 8, cpu.lo[d.reg]! >>> 0, cpu.hi[d.reg]! >>> 0);
};
const movStore32: Handler = (cpu, d) => {
  cpu.write32(cpu.ea(d), cpu.lo[d.reg]! >>> 0);
};

// ---- ALU on registers / immediates (sizes 4 and 8) ----

function alu(cpu: X86Cpu, op: number, size: number, dst: number, a: number, ah: number, b: number, bh: number): void {
  let r: number;
  let rh = 0;
  switch (op) {
    case 0: { // ADD
      if (size === 8) {
        const s = a + b;
        r = s >>> 0;
        rh = (ah + bh + (s > 0xffffffff ? 1 : 0)) >>> 0;
      } else r = (a + b) >>> 0;
      cpu.setLazy(LazyOp.ADD, size, r, rh, a, ah, b, bh);
      break;
    }
    case 5: case 7: { // SUB, CMP
      if (size === 8) {
        const s = a - b;
        r = s >>> 0;
        rh = (ah - bh - (s < 0 ? 1 : 0)) >>> 0;
      } else r = (a - b) >>> 0;
      cpu.setLazy(LazyOp.SUB, size, r, rh, a, ah, b, bh);
      if (op === 7) return;
      break;
    }
    case 1: r = (a | b) >>> 0; rh = (ah | bh) >>> 0; cpu.setLazy(LazyOp.LOGIC, size, r, rh, 0, 0, 0, 0); break;
    case 4: r = (a & b) >>> 0; rh = (ah & bh) >>> 0; cpu.setLazy(LazyOp.LOGIC, size, r, rh, 0, 0, 0, 0); break;
    case 6: r = (a ^ b) >>> 0; rh = (ah ^ bh) >>> 0; cpu.setLazy(LazyOp.LOGIC, size, r, rh, 0, 0, 0, 0); break;
    default: // 8: TEST
      cpu.setLazy(LazyOp.LOGIC, size, (a & b) >>> 0, (ah & bh) >>> 0, 0, 0, 0, 0);
      return;
  }
  cpu.lo[dst] = r;
  cpu.hi[dst] = size === 8 ? rh : 0;
}

const aluRR = (op: number, size: number): Handler => (cpu, d) => {
  const a = cpu.lo[d.rm]! >>> 0;
  const b = cpu.lo[d.reg]! >>> 0;
  if (size === 8) alu(cpu, op, 8, d.rm, a, cpu.hi[d.rm]! >>> 0, b, cpu.hi[d.reg]! >>> 0);
  else alu(cpu, op, 4, d.rm, a, 0, b, 0);
};
const aluRRrev = (op: number, size: number): Handler => (cpu, d) => {
  const a = cpu.lo[d.reg]! >>> 0;
  const b = cpu.lo[d.rm]! >>> 0;
  if (size === 8) alu(cpu, op, 8, d.reg, a, cpu.hi[d.reg]! >>> 0, b, cpu.hi[d.rm]! >>> 0);
  else alu(cpu, op, 4, d.reg, a, 0, b, 0);
};
const aluRI = (op: number, size: number): Handler => (cpu, d) => {
  const a = cpu.lo[d.rm]! >>> 0;
  if (size === 8) alu(cpu, op, 8, d.rm, a, cpu.hi[d.rm]! >>> 0, d.imm, d.immHi);
  else alu(cpu, op, 4, d.rm, a, 0, d.imm >>> 0, 0);
};
const aluRM = (op: number, size: number): Handler => (cpu, d) => {
  const lin = cpu.ea(d);
  const b = cpu.read32(lin);
  const a = cpu.lo[d.reg]! >>> 0;
  if (size === 8) alu(cpu, op, 8, d.reg, a, cpu.hi[d.reg]! >>> 0, b, cpu.read32(lin + 4));
  else alu(cpu, op, 4, d.reg, a, 0, b, 0);
};

// ---- SHL/SHR/SAR reg, imm8 (sizes 4 and 8): flags as in exec-alu.ts (AF=0, OF from the last step) ----

const shiftRI = (kind: number, size: number): Handler => (cpu, d) => {
  const r = d.rm;
  const c = d.imm & (size === 8 ? 63 : 31);
  if (c === 0) {
    if (size === 4) cpu.hi[r] = 0;
    return;
  }
  let lo = cpu.lo[r]! >>> 0;
  let hi = size === 8 ? cpu.hi[r]! >>> 0 : 0;
  let cf: number;
  let of: number;
  if (size === 4) {
    if (kind === 4) {
      cf = (lo >>> (32 - c)) & 1;
      lo = (lo << c) >>> 0;
      of = (lo >>> 31) ^ cf;
    } else if (kind === 5) {
      cf = (lo >>> (c - 1)) & 1;
      of = c === 1 ? lo >>> 31 : 0;
      lo = lo >>> c;
    } else {
      cf = ((lo | 0) >> (c - 1)) & 1;
      lo = ((lo | 0) >> c) >>> 0;
      of = 0;
    }
    cpu.lo[r] = lo;
    cpu.hi[r] = 0;
    cpu.setArith(cf, PARITY[lo & 0xff]!, 0, lo === 0 ? 1 : 0, lo >>> 31, of);
    return;
  }
  if (kind === 4) {
    cf = c <= 32 ? (hi >>> (32 - c)) & 1 : (lo >>> (64 - c)) & 1;
    if (c < 32) { hi = ((hi << c) | (lo >>> (32 - c))) >>> 0; lo = (lo << c) >>> 0; }
    else { hi = (lo << (c - 32)) >>> 0; lo = 0; }
    of = (hi >>> 31) ^ cf;
  } else if (kind === 5) {
    cf = c <= 32 ? (lo >>> (c - 1)) & 1 : (hi >>> (c - 33)) & 1;
    of = c === 1 ? hi >>> 31 : 0;
    if (c < 32) { lo = ((lo >>> c) | (hi << (32 - c))) >>> 0; hi = hi >>> c; }
    else { lo = hi >>> (c - 32); hi = 0; }
  } else {
    cf = c <= 32 ? (lo >>> (c - 1)) & 1 : ((hi | 0) >> (c - 33)) & 1;
    of = 0;
    if (c < 32) { lo = ((lo >>> c) | (hi << (32 - c))) >>> 0; hi = ((hi | 0) >> c) >>> 0; }
    else { lo = ((hi | 0) >> (c - 32)) >>> 0; hi = ((hi | 0) >> 31) >>> 0; }
  }
  cpu.lo[r] = lo;
  cpu.hi[r] = hi;
  cpu.setArith(cf, PARITY[lo & 0xff]!, 0, (lo | hi) === 0 ? 1 : 0, hi >>> 31, of);
};

// ---- control flow and stack (64-bit mode) ----

const jcc = (cc: number): Handler => (cpu, d) => {
  if (cpu.cond(cc)) cpu.branch(cpu.rip + (d.imm | 0), 8);
};

const push64: Handler = (cpu, d) => {
  const r = d.reg;
  cpu.push(8, cpu.lo[r]! >>> 0, cpu.hi[r]! >>> 0);
};
const pop64: Handler = (cpu, d) => {
  const lo = cpu.pop(8);
  cpu.lo[d.reg] = lo;
  cpu.hi[d.reg] = cpu.vhi;
};
const call64: Handler = (cpu, d) => {
  const ret = cpu.rip;
  cpu.push(8, ret >>> 0, Math.floor(ret / 4294967296) >>> 0);
  cpu.branch(ret + (d.imm | 0), 8);
};
const ret64: Handler = (cpu) => {
  const lo = cpu.pop(8);
  cpu.branch((cpu.vhi | 0) * 4294967296 + lo, 8);
};

// ---- LEA / MOVZX / MOV r, imm ----

const lea64: Handler = (cpu, d) => {
  cpu.offset64(d);
  cpu.lo[d.reg] = cpu.eaLo;
  cpu.hi[d.reg] = cpu.eaHi;
};
const lea32: Handler = (cpu, d) => {
  cpu.offset64(d);
  cpu.lo[d.reg] = cpu.eaLo;
  cpu.hi[d.reg] = 0;
};
const movzxLoad8: Handler = (cpu, d) => {
  cpu.lo[d.reg] = cpu.read8(cpu.ea(d));
  cpu.hi[d.reg] = 0;
};
const movzxLoad16: Handler = (cpu, d) => {
  cpu.lo[d.reg] = cpu.read16(cpu.ea(d));
  cpu.hi[d.reg] = 0;
};
const movzxReg8: Handler = (cpu, d) => {
  const r = d.rm;
  cpu.lo[d.reg] = !d.rex && r >= 4 && r < 8 ? (cpu.lo[r - 4]! >>> 8) & 0xff : cpu.lo[r]! & 0xff;
  cpu.hi[d.reg] = 0;
};
const movzxReg16: Handler = (cpu, d) => {
  cpu.lo[d.reg] = cpu.lo[d.rm]! & 0xffff;
  cpu.hi[d.reg] = 0;
};
const cmov = (cc: number, size: number): Handler => (cpu, d) => {
  if (cpu.cond(cc)) {
    cpu.lo[d.reg] = cpu.lo[d.rm]!;
    cpu.hi[d.reg] = size === 8 ? cpu.hi[d.rm]! : 0;
  } else if (size === 4) cpu.hi[d.reg] = 0;
};
const movImm32: Handler = (cpu, d) => {
  cpu.lo[d.reg] = d.imm;
  cpu.hi[d.reg] = 0;
};
const movImm64: Handler = (cpu, d) => {
  cpu.lo[d.reg] = d.imm;
  cpu.hi[d.reg] = d.immHi;
};

const SHIFT_KIND: Record<string, number> = { SHL: 4, SAL: 4, SHR: 5, SAR: 7 };

const ALU_INDEX: Record<string, number> = { ADD: 0, OR: 1, AND: 4, SUB: 5, XOR: 6, CMP: 7, TEST: 8 };

const cache = new Map<string, Handler>();
function memo(key: string, make: () => Handler): Handler {
  let h = cache.get(key);
  if (!h) {
    h = make();
    cache.set(key, h);
  }
  return h;
}

/** A faster handler for this decoded instruction, or undefined to keep the generic one. */
export function specialize(d: Insn): Handler | undefined {
  if (d.lock || d.segOverride) return undefined;
  const m = d.mnemonic;
  // 64-bit mode forms (operand size 8 for near branches and stack operations)
  if (d.asize === 8 && d.osize !== 2 && m.length <= 3 && m[0] === 'J' && d.k1 === K.J && m !== 'JMP') {
    return memo(`j${d.opcode & 15}`, () => jcc(d.opcode & 15));
  }
  if (d.osize === 8 && d.asize === 8) {
    if (m === 'PUSH' && d.k1 === K.Z) return push64;
    if (m === 'POP' && d.k1 === K.Z) return pop64;
    if (m === 'CALL' && d.k1 === K.J) return call64;
    if (m === 'RET' && d.k1 === K.NONE) return ret64;
  }
  if (d.asize === 8 && m === 'LEA' && (d.osize === 8 || d.osize === 4)) return d.osize === 8 ? lea64 : lea32;
  if (m === 'MOVZX' && (d.s1 === 4 || d.s1 === 8)) {
    if (d.isMem) return d.s2 === 1 ? movzxLoad8 : movzxLoad16;
    return d.s2 === 1 ? movzxReg8 : movzxReg16;
  }
  if (m.startsWith('CMOV') && !d.isMem && (d.s1 === 4 || d.s1 === 8)) {
    const cc = d.opcode & 15;
    const size = d.s1;
    return memo(`cmov${cc}/${size}`, () => cmov(cc, size));
  }
  if (m === 'MOV' && d.k1 === K.Z && d.k2 === K.I) {
    if (d.s1 === 4) return movImm32;
    if (d.s1 === 8) return movImm64;
  }
  const size = d.s1;
  if (size !== 4 && size !== 8) return undefined;
  if (m === 'MOV') {
    if (d.k1 === K.E && d.k2 === K.G) {
      if (!d.isMem) return size === 8 ? movRR64 : movRR32;
      return size === 8 ? movStore64 : movStore32;
    }
    if (d.k1 === K.G && d.k2 === K.E) {
      if (!d.isMem) return size === 8 ? movRR64rev : movRR32rev;
      return size === 8 ? movLoad64 : movLoad32;
    }
    return undefined;
  }
  const sk = SHIFT_KIND[m];
  if (sk !== undefined) {
    if (d.k1 === K.E && !d.isMem && d.k2 === K.I) return memo(`sh${sk}/${size}`, () => shiftRI(sk, size));
    return undefined;
  }
  const op = ALU_INDEX[m];
  if (op === undefined) return undefined;
  if (d.k1 === K.E && !d.isMem && d.k2 === K.G) return memo(`rr${op}/${size}`, () => aluRR(op, size));
  if (d.k1 === K.G && d.k2 === K.E && !d.isMem && op !== 8) return memo(`rrr${op}/${size}`, () => aluRRrev(op, size));
  if (d.k1 === K.G && d.k2 === K.E && d.isMem && op !== 8) return memo(`rm${op}/${size}`, () => aluRM(op, size));
  if (d.k1 === K.E && !d.isMem && d.k2 === K.I) return memo(`ri${op}/${size}`, () => aluRI(op, size));
  return undefined;
}
