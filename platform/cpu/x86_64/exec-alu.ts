/**
 * Integer ALU instructions: arithmetic/logic with exact (lazy) flags, shifts and rotates, multiply/divide,
 * bit scans and tests, moves and conversions, exchanges and atomics.
 *
 * Flags that the SDM leaves undefined are set the way QEMU's TCG sets them (so the differential tests can
 * compare whole outputs); the native-host test masks them (see test/cpu-x86_64/native.test.ts).
 */
import type { X86Cpu } from './cpu.js';
import { VEC_DE, VEC_GP } from './arch.js';
import { type Handler, type Insn, K } from './insn.js';
import { CF, LazyOp, OF, PARITY, ZF, AF, SF, PF } from './flags.js';
import { ALU_NAMES, CONDITION_NAMES, SHIFT_NAMES } from './opcode-table.js';
import { W, bit64, divu128, muls64, mulu32, mulu64, neg64, sar64, shl64, shr64 } from './wide.js';

const MASK = [0, 0xff, 0xffff, 0, 0xffffffff];
const TWO32 = 4294967296;

/**
 * Reads the destination operand; returns the linear address used in `lastLin` for a memory operand (registers
 * leave 0, which writeOp ignores for them: any Number, negative ones included, is a linear address).
 */
let lastLin = 0;
function readDst(cpu: X86Cpu, d: Insn, size: number): number {
  if (d.k1 === K.E && d.isMem) {
    lastLin = cpu.ea(d);
    return cpu.readMem(lastLin, size);
  }
  lastLin = 0;
  return cpu.readOp(d, d.k1, size);
}

function sext32(v: number, size: number): number {
  return size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v | 0;
}

// ---------------------------------------------------------------------------------------------------------
// ADD OR ADC SBB AND SUB XOR CMP (+ TEST)
// ---------------------------------------------------------------------------------------------------------

function aluOp(op: number): Handler {
  return (cpu, d) => {
    const size = d.s1;
    const a = readDst(cpu, d, size);
    const ah = cpu.vhi;
    const lin = lastLin;
    const b = cpu.readOp(d, d.k2, size);
    const bh = cpu.vhi;
    let r: number;
    let rh = 0;
    switch (op) {
      case 0: case 2: { // ADD, ADC
        const cin = op === 2 ? cpu.getCF() : 0;
        if (size === 8) {
          const s = a + b + cin;
          r = s >>> 0;
          rh = (ah + bh + (s > 0xffffffff ? 1 : 0)) >>> 0;
        } else {
          r = size === 4 ? (a + b + cin) >>> 0 : (a + b + cin) & MASK[size]!;
        }
        cpu.setLazy(LazyOp.ADD, size, r, rh, a, ah, b, bh);
        cpu.lazyCin = cin;
        break;
      }
      case 3: case 5: case 7: { // SBB, SUB, CMP
        const cin = op === 3 ? cpu.getCF() : 0;
        if (size === 8) {
          const s = a - b - cin;
          r = s >>> 0;
          rh = (ah - bh - (s < 0 ? 1 : 0)) >>> 0;
        } else {
          r = size === 4 ? (a - b - cin) >>> 0 : (a - b - cin) & MASK[size]!;
        }
        cpu.setLazy(LazyOp.SUB, size, r, rh, a, ah, b, bh);
        cpu.lazyCin = cin;
        if (op === 7) return;
        break;
      }
      case 1: r = (a | b) >>> 0; rh = (ah | bh) >>> 0; cpu.setLazy(LazyOp.LOGIC, size, r, rh, 0, 0, 0, 0); break;
      case 4: r = (a & b) >>> 0; rh = (ah & bh) >>> 0; cpu.setLazy(LazyOp.LOGIC, size, r, rh, 0, 0, 0, 0); break;
      case 6: r = (a ^ b) >>> 0; rh = (ah ^ bh) >>> 0; cpu.setLazy(LazyOp.LOGIC, size, r, rh, 0, 0, 0, 0); break;
      default: { // 8: TEST
        r = (a & b) >>> 0;
        rh = (ah & bh) >>> 0;
        cpu.setLazy(LazyOp.LOGIC, size, r, rh, 0, 0, 0, 0);
        return;
      }
    }
    cpu.writeOp(d, d.k1, size, r, rh, lin);
  };
}

const incDec = (dec: boolean): Handler => (cpu, d) => {
  const size = d.s1;
  const a = readDst(cpu, d, size);
  const ah = cpu.vhi;
  const lin = lastLin;
  const cf = cpu.getCF();
  let r: number;
  let rh = 0;
  if (size === 8) {
    const s = dec ? a - 1 : a + 1;
    r = s >>> 0;
    rh = (ah + (dec ? (s < 0 ? -1 : 0) : s > 0xffffffff ? 1 : 0)) >>> 0;
  } else {
    r = ((dec ? a - 1 : a + 1) & MASK[size]!) >>> 0;
  }
  cpu.setLazy(dec ? LazyOp.DEC : LazyOp.INC, size, r, rh, a, ah, 1, 0);
  cpu.lazyCF = cf;
  cpu.writeOp(d, d.k1, size, r, rh, lin);
};

const NEG: Handler = (cpu, d) => {
  const size = d.s1;
  const a = readDst(cpu, d, size);
  const ah = cpu.vhi;
  const lin = lastLin;
  let r: number;
  let rh = 0;
  if (size === 8) {
    neg64(a, ah);
    r = W.lo;
    rh = W.hi;
  } else r = ((-a) & MASK[size]!) >>> 0;
  cpu.setLazy(LazyOp.SUB, size, r, rh, 0, 0, a, ah);
  cpu.writeOp(d, d.k1, size, r, rh, lin);
};

const NOT: Handler = (cpu, d) => {
  const size = d.s1;
  const a = readDst(cpu, d, size);
  const ah = cpu.vhi;
  cpu.writeOp(d, d.k1, size, (~a & MASK[size === 8 ? 4 : size]!) >>> 0, (~ah) >>> 0, lastLin);
};

// ---------------------------------------------------------------------------------------------------------
// shifts and rotates (eager flags)
// ---------------------------------------------------------------------------------------------------------

function msb(v: number, vh: number, size: number): number {
  return size === 8 ? vh >>> 31 : (v >>> (size * 8 - 1)) & 1;
}

function szp(cpu: X86Cpu, r: number, rh: number, size: number, cf: number, of: number): void {
  const zf = (size === 8 ? r | rh : r) === 0 ? 1 : 0;
  cpu.setArith(cf, PARITY[r & 0xff]!, 0, zf, msb(r, rh, size), of);
}

function shiftOp(kind: number): Handler {
  return (cpu, d) => {
    const size = d.s1;
    const a = readDst(cpu, d, size);
    const ah = cpu.vhi;
    const lin = lastLin;
    let c = cpu.readOp(d, d.k2, 1) & (size === 8 ? 63 : 31);
    if (c === 0) {
      if (size === 4 && !d.isMem) cpu.hi[d.rm] = 0; // the 32-bit destination is still written (zero-extended)
      return;
    }
    const bits = size * 8;
    let r = 0;
    let rh = 0;
    let cf = 0;
    switch (kind) {
      case 4: case 6: { // SHL/SAL
        if (size === 8) {
          shl64(a, ah, c);
          r = W.lo; rh = W.hi;
          cf = bit64(a, ah, 64 - c);
        } else {
          r = ((a << c) & MASK[size]!) >>> 0;
          cf = c <= bits ? (a >>> (bits - c)) & 1 : 0;
        }
        szp(cpu, r, rh, size, cf, msb(r, rh, size) ^ cf);
        break;
      }
      case 5: { // SHR
        if (size === 8) {
          shr64(a, ah, c);
          r = W.lo; rh = W.hi;
          cf = bit64(a, ah, c - 1);
        } else {
          r = c >= 32 ? 0 : a >>> c;
          cf = c - 1 < 32 ? (a >>> (c - 1)) & 1 : 0;
        }
        szp(cpu, r, rh, size, cf, c === 1 ? msb(a, ah, size) : 0);
        break;
      }
      case 7: { // SAR
        if (size === 8) {
          sar64(a, ah, c);
          r = W.lo; rh = W.hi;
          cf = c - 1 < 64 ? bit64(a, ah, c - 1) : ah >>> 31;
        } else {
          const s = sext32(a, size);
          r = ((s >> c) & MASK[size]!) >>> 0;
          cf = (s >> (c - 1)) & 1;
        }
        szp(cpu, r, rh, size, cf, 0);
        break;
      }
      case 0: case 1: { // ROL, ROR: only CF and OF change
        const n = c % bits;
        if (size === 8) {
          if (kind === 0) {
            shl64(a, ah, n); const l = W.lo, h = W.hi;
            shr64(a, ah, (64 - n) & 63); r = n ? (l | W.lo) >>> 0 : a; rh = n ? (h | W.hi) >>> 0 : ah;
          } else {
            shr64(a, ah, n); const l = W.lo, h = W.hi;
            shl64(a, ah, (64 - n) & 63); r = n ? (l | W.lo) >>> 0 : a; rh = n ? (h | W.hi) >>> 0 : ah;
          }
        } else if (n === 0) {
          r = a;
        } else if (kind === 0) {
          r = ((a << n) | (a >>> (bits - n))) & MASK[size]!;
        } else {
          r = ((a >>> n) | (a << (bits - n))) & MASK[size]!;
        }
        r >>>= 0;
        cpu.materializeFlags();
        let of: number;
        if (kind === 0) {
          cf = r & 1;
          of = msb(r, rh, size) ^ cf;
        } else {
          cf = msb(r, rh, size);
          const second = size === 8 ? (rh >>> 30) & 1 : (r >>> (bits - 2)) & 1;
          of = cf ^ second;
        }
        cpu.flagBits = (cpu.flagBits & ~(CF | OF)) | cf | (of << 11);
        break;
      }
      default: { // RCL (2), RCR (3): rotate through CF, one bit at a time (rare in compiled code)
        if (size < 4) c %= bits + 1;
        cpu.materializeFlags();
        cf = cpu.flagBits & CF;
        r = a;
        rh = ah;
        for (let i = 0; i < c; i++) {
          if (kind === 2) {
            const out = msb(r, rh, size);
            if (size === 8) { rh = ((rh << 1) | (r >>> 31)) >>> 0; r = ((r << 1) | cf) >>> 0; }
            else r = (((r << 1) | cf) & MASK[size]!) >>> 0;
            cf = out;
          } else {
            const out = r & 1;
            if (size === 8) { r = ((r >>> 1) | (rh << 31)) >>> 0; rh = ((rh >>> 1) | (cf << 31)) >>> 0; }
            else r = ((r >>> 1) | (cf << (bits - 1))) >>> 0;
            cf = out;
          }
        }
        const of = kind === 2 ? msb(r, rh, size) ^ cf : msb(r, rh, size) ^ (size === 8 ? (rh >>> 30) & 1 : (r >>> (bits - 2)) & 1);
        if (c !== 0) cpu.flagBits = (cpu.flagBits & ~(CF | OF)) | cf | (of << 11);
        break;
      }
    }
    cpu.writeOp(d, d.k1, size, r, rh, lin);
  };
}

/** SHLD/SHRD Ev,Gv,Ib|CL */
const doubleShift = (left: boolean): Handler => (cpu, d) => {
  const size = d.s1;
  const a = readDst(cpu, d, size);
  const ah = cpu.vhi;
  const lin = lastLin;
  const b = cpu.readReg(size, d.reg, d.rex);
  const bh = cpu.vhi;
  const c = (d.k3 === K.CL ? cpu.lo[1]! : d.imm) & (size === 8 ? 63 : 31);
  if (c === 0) {
    if (size === 4 && !d.isMem) cpu.hi[d.rm] = 0;
    return;
  }
  const bits = size * 8;
  let r = a, rh = ah, cf = 0;
  // bit-serial: shift `a` by one, feeding bits of `b`, c times (c < 64)
  let sl = b, sh = bh; // source bits
  for (let i = 0; i < c; i++) {
    if (left) {
      cf = msb(r, rh, size);
      const inb = size === 8 ? sh >>> 31 : (sl >>> (bits - 1)) & 1;
      if (size === 8) { rh = ((rh << 1) | (r >>> 31)) >>> 0; r = ((r << 1) | inb) >>> 0; sh = ((sh << 1) | (sl >>> 31)) >>> 0; sl = (sl << 1) >>> 0; }
      else { r = (((r << 1) | inb) & MASK[size]!) >>> 0; sl = ((sl << 1) & MASK[size]!) >>> 0; }
    } else {
      cf = r & 1;
      const inb = sl & 1;
      if (size === 8) { r = ((r >>> 1) | (rh << 31)) >>> 0; rh = ((rh >>> 1) | (inb << 31)) >>> 0; sl = ((sl >>> 1) | (sh << 31)) >>> 0; sh = sh >>> 1; }
      else { r = ((r >>> 1) | (inb << (bits - 1))) >>> 0; sl = sl >>> 1; }
    }
  }
  szp(cpu, r, rh, size, cf, msb(r, rh, size) ^ msb(a, ah, size));
  cpu.writeOp(d, d.k1, size, r, rh, lin);
};

// ---------------------------------------------------------------------------------------------------------
// multiply / divide
// ---------------------------------------------------------------------------------------------------------

function mulFlags(cpu: X86Cpu, lo: number, lohi: number, size: number, overflow: number): void {
  // CF=OF=overflow; SF/ZF/PF from the low half and AF=0 as QEMU does (undefined in the SDM)
  const zf = (size === 8 ? lo | lohi : lo) === 0 ? 1 : 0;
  cpu.setArith(overflow, PARITY[lo & 0xff]!, 0, zf, msb(lo, lohi, size), overflow);
}

const MUL: Handler = (cpu, d) => {
  const size = d.s1;
  const b = cpu.readOp(d, K.E, size);
  const bh = cpu.vhi;
  switch (size) {
    case 1: {
      const r = (cpu.lo[0]! & 0xff) * b;
      cpu.writeReg(2, 0, false, r, 0);
      mulFlags(cpu, r & 0xff, 0, 1, r > 0xff ? 1 : 0);
      return;
    }
    case 2: {
      const r = (cpu.lo[0]! & 0xffff) * b;
      cpu.writeReg(2, 0, false, r & 0xffff, 0);
      cpu.writeReg(2, 2, false, r >>> 16, 0);
      mulFlags(cpu, r & 0xffff, 0, 2, r > 0xffff ? 1 : 0);
      return;
    }
    case 4: {
      mulu32(cpu.lo[0]! >>> 0, b);
      cpu.writeReg(4, 0, false, W.lo, 0);
      cpu.writeReg(4, 2, false, W.hi, 0);
      mulFlags(cpu, W.lo, 0, 4, W.hi !== 0 ? 1 : 0);
      return;
    }
    default: {
      mulu64(cpu.lo[0]! >>> 0, cpu.hi[0]! >>> 0, b, bh);
      cpu.writeReg(8, 0, false, W.lo, W.hi);
      cpu.writeReg(8, 2, false, W.lo2, W.hi2);
      mulFlags(cpu, W.lo, W.hi, 8, (W.lo2 | W.hi2) !== 0 ? 1 : 0);
    }
  }
};

/** Signed multiply of a and b (size bytes): result low part -> (rl, rh), overflow flag -> returns */
let imRl = 0, imRh = 0, imHl = 0, imHh = 0;
function imul(a: number, ah: number, b: number, bh: number, size: number): number {
  if (size <= 2) {
    const r = sext32(a, size) * sext32(b, size);
    const bits = size * 8;
    imRl = (r & MASK[size]!) >>> 0;
    imRh = 0;
    imHl = (r >> bits) & MASK[size]!;
    return r !== sext32(imRl, size) ? 1 : 0;
  }
  if (size === 4) {
    const r = (a | 0) * (b | 0); // |r| < 2^62: not exact; compute exactly via halves
    void r;
    muls64(a, (a | 0) < 0 ? 0xffffffff : 0, b, (b | 0) < 0 ? 0xffffffff : 0);
    imRl = W.lo;
    imRh = 0;
    imHl = W.hi;
    return W.hi !== ((W.lo | 0) < 0 ? 0xffffffff : 0) ? 1 : 0;
  }
  muls64(a, ah, b, bh);
  imRl = W.lo;
  imRh = W.hi;
  imHl = W.lo2;
  imHh = W.hi2;
  const sx = (W.hi | 0) < 0 ? 0xffffffff : 0;
  return W.lo2 !== sx || W.hi2 !== sx ? 1 : 0;
}

const IMUL1: Handler = (cpu, d) => {
  const size = d.s1;
  const b = cpu.readOp(d, K.E, size);
  const bh = cpu.vhi;
  const a = cpu.readReg(size, 0, false);
  const ah = cpu.vhi;
  const of = imul(a, ah, b, bh, size);
  if (size === 1) cpu.writeReg(2, 0, false, (imRl | (imHl << 8)) & 0xffff, 0);
  else if (size === 2) { cpu.writeReg(2, 0, false, imRl, 0); cpu.writeReg(2, 2, false, imHl, 0); }
  else if (size === 4) { cpu.writeReg(4, 0, false, imRl, 0); cpu.writeReg(4, 2, false, imHl, 0); }
  else { cpu.writeReg(8, 0, false, imRl, imRh); cpu.writeReg(8, 2, false, imHl, imHh); }
  mulFlags(cpu, imRl, imRh, size, of);
};

const IMUL2: Handler = (cpu, d) => {
  const size = d.s1;
  const a = cpu.readReg(size, d.reg, d.rex);
  const ah = cpu.vhi;
  const b = cpu.readOp(d, K.E, size);
  const bh = cpu.vhi;
  const of = imul(a, ah, b, bh, size);
  cpu.writeReg(size, d.reg, d.rex, imRl, imRh);
  mulFlags(cpu, imRl, imRh, size, of);
};

const IMUL3: Handler = (cpu, d) => {
  const size = d.s1;
  const a = cpu.readOp(d, K.E, size);
  const ah = cpu.vhi;
  const b = cpu.readOp(d, K.I, size);
  const bh = cpu.vhi;
  const of = imul(a, ah, b, bh, size);
  cpu.writeReg(size, d.reg, d.rex, imRl, imRh);
  mulFlags(cpu, imRl, imRh, size, of);
};

const DIV: Handler = (cpu, d) => {
  const size = d.s1;
  const b = cpu.readOp(d, K.E, size);
  const bh = cpu.vhi;
  if ((b | bh) === 0) cpu.fault(VEC_DE);
  switch (size) {
    case 1: {
      const n = cpu.lo[0]! & 0xffff;
      const q = Math.floor(n / b);
      if (q > 0xff) cpu.fault(VEC_DE);
      cpu.writeReg(2, 0, false, q | ((n % b) << 8), 0);
      return;
    }
    case 2: {
      const n = ((cpu.lo[2]! & 0xffff) << 16 | (cpu.lo[0]! & 0xffff)) >>> 0;
      const q = Math.floor(n / b);
      if (q > 0xffff) cpu.fault(VEC_DE);
      cpu.writeReg(2, 0, false, q, 0);
      cpu.writeReg(2, 2, false, n % b, 0);
      return;
    }
    case 4: {
      divu128(cpu.lo[0]! >>> 0, cpu.lo[2]! >>> 0, 0, 0, b, 0);
      if (!W.ok || W.hi !== 0) cpu.fault(VEC_DE);
      cpu.writeReg(4, 0, false, W.lo, 0);
      cpu.writeReg(4, 2, false, W.rem, 0);
      return;
    }
    default: {
      divu128(cpu.lo[0]! >>> 0, cpu.hi[0]! >>> 0, cpu.lo[2]! >>> 0, cpu.hi[2]! >>> 0, b, bh);
      if (!W.ok) cpu.fault(VEC_DE);
      cpu.writeReg(8, 0, false, W.lo, W.hi);
      cpu.writeReg(8, 2, false, W.rem, W.remHi);
    }
  }
};

const IDIV: Handler = (cpu, d) => {
  const size = d.s1;
  const b = cpu.readOp(d, K.E, size);
  const bh = cpu.vhi;
  if ((b | bh) === 0) cpu.fault(VEC_DE);
  if (size <= 2) {
    const n = size === 1 ? (cpu.lo[0]! << 16) >> 16 : ((cpu.lo[2]! & 0xffff) << 16) | (cpu.lo[0]! & 0xffff);
    const dv = sext32(b, size);
    const q = Math.trunc(n / dv);
    const r = n - q * dv;
    const lim = size === 1 ? 0x80 : 0x8000;
    if (q >= lim || q < -lim) cpu.fault(VEC_DE);
    if (size === 1) cpu.writeReg(2, 0, false, (q & 0xff) | ((r & 0xff) << 8), 0);
    else { cpu.writeReg(2, 0, false, q & 0xffff, 0); cpu.writeReg(2, 2, false, r & 0xffff, 0); }
    return;
  }
  // magnitudes, unsigned divide, then signs
  let n0: number, n1: number, n2: number, n3: number, dl: number, dh: number;
  if (size === 4) {
    n0 = cpu.lo[0]! >>> 0; n1 = cpu.lo[2]! >>> 0;
    const nneg = (n1 | 0) < 0;
    if (nneg) { neg64(n0, n1); n0 = W.lo; n1 = W.hi; }
    const dneg = (b | 0) < 0;
    dl = dneg ? (-(b | 0)) >>> 0 : b;
    divu128(n0, n1, 0, 0, dl, 0);
    if (!W.ok || W.hi !== 0) cpu.fault(VEC_DE);
    const neg = nneg !== dneg;
    if (neg ? W.lo > 0x80000000 : W.lo > 0x7fffffff) cpu.fault(VEC_DE);
    cpu.writeReg(4, 0, false, neg ? (-W.lo) >>> 0 : W.lo, 0);
    cpu.writeReg(4, 2, false, nneg ? (-W.rem) >>> 0 : W.rem, 0);
    return;
  }
  n0 = cpu.lo[0]! >>> 0; n1 = cpu.hi[0]! >>> 0; n2 = cpu.lo[2]! >>> 0; n3 = cpu.hi[2]! >>> 0;
  const nneg = (n3 | 0) < 0;
  if (nneg) {
    // negate 128-bit
    n0 = (~n0) >>> 0; n1 = (~n1) >>> 0; n2 = (~n2) >>> 0; n3 = (~n3) >>> 0;
    let s = n0 + 1; n0 = s >>> 0;
    if (s > 0xffffffff) { s = n1 + 1; n1 = s >>> 0; if (s > 0xffffffff) { s = n2 + 1; n2 = s >>> 0; if (s > 0xffffffff) n3 = (n3 + 1) >>> 0; } }
  }
  const dneg = (bh | 0) < 0;
  dl = b; dh = bh;
  if (dneg) { neg64(b, bh); dl = W.lo; dh = W.hi; }
  divu128(n0, n1, n2, n3, dl, dh);
  if (!W.ok) cpu.fault(VEC_DE);
  const neg = nneg !== dneg;
  const ql = W.lo, qh = W.hi, rl = W.rem, rh = W.remHi;
  if (neg ? qh > 0x80000000 || (qh === 0x80000000 && ql !== 0) : qh > 0x7fffffff) cpu.fault(VEC_DE);
  if (neg) { neg64(ql, qh); cpu.writeReg(8, 0, false, W.lo, W.hi); } else cpu.writeReg(8, 0, false, ql, qh);
  if (nneg) { neg64(rl, rh); cpu.writeReg(8, 2, false, W.lo, W.hi); } else cpu.writeReg(8, 2, false, rl, rh);
};

// ---------------------------------------------------------------------------------------------------------
// bits
// ---------------------------------------------------------------------------------------------------------

/** BT/BTS/BTR/BTC: op 0 test, 1 set, 2 reset, 3 complement */
const bitTest = (op: number): Handler => (cpu, d) => {
  const size = d.s1;
  const bits = size * 8;
  let off: number;
  let lin = 0;
  if (d.k2 === K.I) {
    off = d.imm & (bits - 1);
    if (d.isMem) lin = cpu.ea(d);
  } else {
    const o = cpu.readReg(size, d.reg, d.rex);
    const oh = cpu.vhi;
    if (d.isMem) {
      // the register bit offset is signed and may address beyond the operand
      const signed = size === 8 ? (oh | 0) * TWO32 + o : sext32(o, size);
      const unit = Math.floor(signed / bits);
      lin = cpu.ea(d) + unit * size;
      off = signed - unit * bits;
    } else off = o & (bits - 1);
  }
  const v = d.isMem ? cpu.readMem(lin, size) : cpu.readReg(size, d.rm, d.rex);
  const vh = cpu.vhi;
  const cf = size === 8 ? bit64(v, vh, off) : (v >>> off) & 1;
  cpu.materializeFlags();
  cpu.flagBits = (cpu.flagBits & ~CF) | cf;
  if (op === 0) return;
  let r = v, rh = vh;
  const inHi = size === 8 && off >= 32;
  const m = 1 << (inHi ? off - 32 : off);
  if (inHi) rh = (op === 1 ? rh | m : op === 2 ? rh & ~m : rh ^ m) >>> 0;
  else r = (op === 1 ? r | m : op === 2 ? r & ~m : r ^ m) >>> 0;
  if (d.isMem) cpu.writeMem(lin, size, r, rh);
  else cpu.writeReg(size, d.rm, d.rex, r, rh);
};

function ctz64(lo: number, hi: number): number {
  if (lo) return 31 - Math.clz32(lo & -lo);
  return 32 + (31 - Math.clz32(hi & -hi));
}

function clz(v: number, vh: number, size: number): number {
  if (size === 8) return vh ? Math.clz32(vh) : 32 + Math.clz32(v);
  return Math.clz32(v) - (32 - size * 8);
}

const BSF: Handler = (cpu, d) => {
  const size = d.s1;
  const v = cpu.readOp(d, K.E, size);
  const vh = cpu.vhi;
  cpu.materializeFlags();
  if ((v | vh) === 0) {
    cpu.flagBits |= ZF;
    return;
  }
  cpu.flagBits &= ~ZF;
  cpu.writeReg(size, d.reg, d.rex, ctz64(v, size === 8 ? vh : 0), 0);
};

const BSR: Handler = (cpu, d) => {
  const size = d.s1;
  const v = cpu.readOp(d, K.E, size);
  const vh = cpu.vhi;
  cpu.materializeFlags();
  if ((v | vh) === 0) {
    cpu.flagBits |= ZF;
    return;
  }
  cpu.flagBits &= ~ZF;
  cpu.writeReg(size, d.reg, d.rex, size * 8 - 1 - clz(v, vh, size), 0);
};

const TZCNT: Handler = (cpu, d) => {
  const size = d.s1;
  const v = cpu.readOp(d, K.E, size);
  const vh = cpu.vhi;
  const r = (v | vh) === 0 ? size * 8 : ctz64(v, size === 8 ? vh : 0);
  cpu.writeReg(size, d.reg, d.rex, r, 0);
  cpu.materializeFlags();
  cpu.flagBits = (cpu.flagBits & ~(CF | ZF)) | ((v | vh) === 0 ? CF : 0) | (r === 0 ? ZF : 0);
};

const LZCNT: Handler = (cpu, d) => {
  const size = d.s1;
  const v = cpu.readOp(d, K.E, size);
  const vh = cpu.vhi;
  const r = clz(v, vh, size);
  cpu.writeReg(size, d.reg, d.rex, r, 0);
  cpu.materializeFlags();
  cpu.flagBits = (cpu.flagBits & ~(CF | ZF)) | ((v | vh) === 0 ? CF : 0) | (r === 0 ? ZF : 0);
};

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const POPCNT: Handler = (cpu, d) => {
  const size = d.s1;
  const v = cpu.readOp(d, K.E, size);
  const vh = cpu.vhi;
  const r = popcount32(v) + (size === 8 ? popcount32(vh) : 0);
  cpu.writeReg(size, d.reg, d.rex, r, 0);
  cpu.setArith(0, 0, 0, r === 0 ? 1 : 0, 0, 0);
};

function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) >>> 0;
}

const BSWAP: Handler = (cpu, d) => {
  if (d.s1 === 8) {
    const l = cpu.lo[d.reg]!, h = cpu.hi[d.reg]!;
    cpu.lo[d.reg] = bswap32(h);
    cpu.hi[d.reg] = bswap32(l);
  } else if (d.osize === 2) {
    cpu.writeReg(2, d.reg, true, 0, 0); // 16-bit BSWAP is undefined; hardware and QEMU give 0
  } else cpu.writeReg(4, d.reg, true, bswap32(cpu.lo[d.reg]! >>> 0), 0);
};

// ---------------------------------------------------------------------------------------------------------
// moves, conversions, exchanges
// ---------------------------------------------------------------------------------------------------------

const MOV: Handler = (cpu, d) => {
  const v = cpu.readOp(d, d.k2, d.s1);
  cpu.writeOpFresh(d, d.k1, d.s1, v, cpu.vhi);
};

const LEA: Handler = (cpu, d) => {
  // the offset only: no segment base, truncated to the address size and then to the operand size
  let off: number;
  if (d.asize === 8) {
    cpu.offset64(d);
    cpu.writeReg(d.osize, d.reg, d.rex, cpu.eaLo, cpu.eaHi >>> 0);
    return;
  }
  off = d.disp;
  if (d.base >= 0) off += d.base === 16 ? cpu.rip : cpu.lo[d.base]!;
  if (d.index >= 0) off += cpu.lo[d.index]! << d.scale;
  if (d.asize === 2) off &= 0xffff;
  cpu.writeReg(d.osize, d.reg, d.rex, off >>> 0, 0);
};

const MOVZX: Handler = (cpu, d) => {
  const v = cpu.readOp(d, K.E, d.s2);
  cpu.writeReg(d.s1, d.reg, d.rex, v, 0);
};

const MOVSX: Handler = (cpu, d) => {
  const v = sext32(cpu.readOp(d, K.E, d.s2), d.s2);
  cpu.writeReg(d.s1, d.reg, d.rex, v >>> 0, v < 0 ? 0xffffffff : 0);
};

const XCHG: Handler = (cpu, d) => {
  const size = d.s1;
  if (d.k1 === K.Z && d.reg === 0 && d.opcode === 0x90) return; // 90: NOP (no zero-extension)
  const a = readDst(cpu, d, size);
  const ah = cpu.vhi;
  const lin = lastLin;
  const b = cpu.readOp(d, d.k2, size);
  const bh = cpu.vhi;
  cpu.writeOp(d, d.k1, size, b, bh, lin);
  cpu.writeOpFresh(d, d.k2, size, a, ah);
};

const XADD: Handler = (cpu, d) => {
  const size = d.s1;
  const a = readDst(cpu, d, size);
  const ah = cpu.vhi;
  const lin = lastLin;
  const b = cpu.readReg(size, d.reg, d.rex);
  const bh = cpu.vhi;
  let r: number, rh = 0;
  if (size === 8) { const s = a + b; r = s >>> 0; rh = (ah + bh + (s > 0xffffffff ? 1 : 0)) >>> 0; }
  else r = size === 4 ? (a + b) >>> 0 : (a + b) & MASK[size]!;
  cpu.setLazy(LazyOp.ADD, size, r, rh, a, ah, b, bh);
  cpu.writeReg(size, d.reg, d.rex, a, ah);
  cpu.writeOp(d, d.k1, size, r, rh, lin);
};

const CMPXCHG: Handler = (cpu, d) => {
  const size = d.s1;
  const dst = readDst(cpu, d, size);
  const dh = cpu.vhi;
  const lin = lastLin;
  const acc = cpu.readReg(size, 0, false);
  const acch = cpu.vhi;
  // flags as CMP acc, dst
  let r: number, rh = 0;
  if (size === 8) { const s = acc - dst; r = s >>> 0; rh = (acch - dh - (s < 0 ? 1 : 0)) >>> 0; }
  else r = size === 4 ? (acc - dst) >>> 0 : (acc - dst) & MASK[size]!;
  cpu.setLazy(LazyOp.SUB, size, r, rh, acc, acch, dst, dh);
  if (acc === dst && acch === dh) {
    const src = cpu.readReg(size, d.reg, d.rex);
    cpu.writeOp(d, d.k1, size, src, cpu.vhi, lin);
  } else {
    if (d.isMem) cpu.writeMem(lin, size, dst, dh); // the locked cycle always writes
    cpu.writeReg(size, 0, false, dst, dh);
  }
};

const CMPXCHG8B: Handler = (cpu, d) => {
  const lin = cpu.ea(d);
  cpu.materializeFlags();
  if (d.osize === 8) {
    if (lin % 16 !== 0) cpu.fault(VEC_GP, 0);
    const m0 = cpu.read32(lin), m1 = cpu.read32(lin + 4), m2 = cpu.read32(lin + 8), m3 = cpu.read32(lin + 12);
    if (m0 === cpu.lo[0]! >>> 0 && m1 === cpu.hi[0]! >>> 0 && m2 === cpu.lo[2]! >>> 0 && m3 === cpu.hi[2]! >>> 0) {
      cpu.writeMem(lin, 8, cpu.lo[3]! >>> 0, cpu.hi[3]! >>> 0);
      cpu.writeMem(lin + 8, 8, cpu.lo[1]! >>> 0, cpu.hi[1]! >>> 0);
      cpu.flagBits |= ZF;
    } else {
      cpu.writeMem(lin, 8, m0, m1);
      cpu.writeMem(lin + 8, 8, m2, m3);
      cpu.lo[0] = m0; cpu.hi[0] = m1; cpu.lo[2] = m2; cpu.hi[2] = m3;
      cpu.flagBits &= ~ZF;
    }
    return;
  }
  const m0 = cpu.read32(lin), m1 = cpu.read32(lin + 4);
  if (m0 === cpu.lo[0]! >>> 0 && m1 === cpu.lo[2]! >>> 0) {
    cpu.writeMem(lin, 8, cpu.lo[3]! >>> 0, cpu.lo[1]! >>> 0);
    cpu.flagBits |= ZF;
  } else {
    cpu.writeMem(lin, 8, m0, m1);
    cpu.writeReg(4, 0, false, m0, 0);
    cpu.writeReg(4, 2, false, m1, 0);
    cpu.flagBits &= ~ZF;
  }
};

const CMOV = (cc: number): Handler => (cpu, d) => {
  const v = cpu.readOp(d, K.E, d.s1);
  const vh = cpu.vhi;
  if (cpu.cond(cc)) cpu.writeReg(d.s1, d.reg, d.rex, v, vh);
  else if (d.s1 === 4) cpu.hi[d.reg] = 0; // a 32-bit CMOV zero-extends even when the condition is false
};

const SET = (cc: number): Handler => (cpu, d) => {
  cpu.writeOpFresh(d, K.E, 1, cpu.cond(cc) ? 1 : 0, 0);
};

const CBW: Handler = (cpu, d) => {
  if (d.osize === 2) cpu.writeReg(2, 0, false, ((cpu.lo[0]! << 24) >> 24) & 0xffff, 0);
  else if (d.osize === 4) cpu.writeReg(4, 0, false, ((cpu.lo[0]! << 16) >> 16) >>> 0, 0);
  else cpu.hi[0] = cpu.lo[0]! >> 31;
};

const CWD: Handler = (cpu, d) => {
  if (d.osize === 2) cpu.writeReg(2, 2, false, (cpu.lo[0]! << 16) >> 31, 0);
  else if (d.osize === 4) cpu.writeReg(4, 2, false, (cpu.lo[0]! >> 31) >>> 0, 0);
  else { const s = cpu.hi[0]! >> 31; cpu.lo[2] = s; cpu.hi[2] = s; }
};

const MOVSXD: Handler = (cpu, d) => {
  const v = cpu.readOp(d, K.E, 4) | 0;
  cpu.writeReg(d.osize, d.reg, d.rex, v >>> 0, v < 0 ? 0xffffffff : 0);
};

// ---------------------------------------------------------------------------------------------------------
// flag instructions
// ---------------------------------------------------------------------------------------------------------

const flagOp = (fn: (f: number) => number): Handler => (cpu) => {
  cpu.materializeFlags();
  cpu.flagBits = fn(cpu.flagBits);
};

const LAHF: Handler = (cpu) => {
  const f = cpu.getFlags();
  cpu.writeReg(1, 4, false, (f & 0xd5) | 2, 0);
};

const SAHF: Handler = (cpu) => {
  cpu.materializeFlags();
  const ah = (cpu.lo[0]! >>> 8) & 0xd5;
  cpu.flagBits = (cpu.flagBits & ~(CF | PF | AF | ZF | SF)) | ah;
};

export const ALU_HANDLERS: Record<string, Handler> = {
  TEST: aluOp(8),
  INC: incDec(false),
  DEC: incDec(true),
  NEG,
  NOT,
  SHLD: doubleShift(true),
  SHRD: doubleShift(false),
  MUL,
  IMUL1,
  IMUL2,
  IMUL3,
  DIV,
  IDIV,
  BT: bitTest(0),
  BTS: bitTest(1),
  BTR: bitTest(2),
  BTC: bitTest(3),
  BSF,
  BSR,
  TZCNT,
  LZCNT,
  POPCNT,
  BSWAP,
  MOV,
  LEA,
  MOVZX,
  MOVSX,
  MOVSXD,
  XCHG,
  XADD,
  CMPXCHG,
  CMPXCHG8B,
  CBW,
  CWD,
  CLC: flagOp((f) => f & ~CF),
  STC: flagOp((f) => f | CF),
  CMC: flagOp((f) => f ^ CF),
  CLD: flagOp((f) => f & ~0x400),
  STD: flagOp((f) => f | 0x400),
  LAHF,
  SAHF,
};
ALU_NAMES.forEach((m, i) => (ALU_HANDLERS[m] = aluOp(i)));
SHIFT_NAMES.forEach((m, i) => (ALU_HANDLERS[m] = shiftOp(i)));
CONDITION_NAMES.forEach((c, i) => {
  ALU_HANDLERS[`CMOV${c}`] = CMOV(i);
  ALU_HANDLERS[`SET${c}`] = SET(i);
});
