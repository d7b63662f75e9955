/**
 * String instructions (MOVS, STOS, LODS, CMPS, SCAS, INS, OUTS) with REP/REPE/REPNE.
 *
 * Registers are updated after every element, so a fault in the middle of a REP string restarts correctly
 * at the faulting element (RIP still points at the instruction). A whole REP counts as one retired
 * instruction. REP MOVSB/STOSB with DF=0 and an address size of 32/64 take a page-at-a-time fast path.
 */
import type { X86Cpu } from './cpu.js';
import { SEG_ES } from './insn.js';
import type { Handler, Insn } from './insn.js';
import { LazyOp } from './flags.js';

const MASK = [0, 0xff, 0xffff, 0, 0xffffffff];

function getIdx(cpu: X86Cpu, r: number, as: number): number {
  return as === 8 ? cpu.regNum(r) : as === 4 ? cpu.lo[r]! >>> 0 : cpu.lo[r]! & 0xffff;
}

function setIdx(cpu: X86Cpu, r: number, as: number, v: number): void {
  if (as === 8) cpu.setRegNum(r, v);
  else if (as === 4) {
    cpu.lo[r] = v;
    cpu.hi[r] = 0;
  } else cpu.lo[r] = (cpu.lo[r]! & ~0xffff) | (v & 0xffff);
}

function srcLin(cpu: X86Cpu, d: Insn, off: number): number {
  if (cpu.codeBits === 64) return d.seg >= 4 ? off + cpu.segBase[d.seg]! : off;
  return (off + cpu.segBase[d.seg]!) >>> 0;
}

function dstLin(cpu: X86Cpu, off: number): number {
  if (cpu.codeBits === 64) return off;
  return (off + cpu.segBase[SEG_ES]!) >>> 0;
}

function count(cpu: X86Cpu, as: number): number {
  return getIdx(cpu, 1, as);
}

function wrapIdx(v: number, as: number): number {
  return as === 8 ? v : as === 4 ? v >>> 0 : v & 0xffff;
}

/** The size of one element. */
function elem(d: Insn): number {
  return d.k1 === 0 && d.s1 === 1 ? 1 : d.s1;
}

const MOVS: Handler = (cpu, d) => {
  const as = d.asize;
  const size = elem(d);
  const step = cpu.dfStep * size;
  if (!d.rep) {
    const si = getIdx(cpu, 6, as), di = getIdx(cpu, 7, as);
    const v = cpu.readMem(srcLin(cpu, d, si), size);
    cpu.writeMem(dstLin(cpu, di), size, v, cpu.vhi);
    setIdx(cpu, 6, as, wrapIdx(si + step, as));
    setIdx(cpu, 7, as, wrapIdx(di + step, as));
    return;
  }
  let n = count(cpu, as);
  while (n > 0) {
    const si = getIdx(cpu, 6, as), di = getIdx(cpu, 7, as);
    const v = cpu.readMem(srcLin(cpu, d, si), size);
    cpu.writeMem(dstLin(cpu, di), size, v, cpu.vhi);
    setIdx(cpu, 6, as, wrapIdx(si + step, as));
    setIdx(cpu, 7, as, wrapIdx(di + step, as));
    n--;
    setIdx(cpu, 1, as, n);
  }
};

const STOS: Handler = (cpu, d) => {
  const as = d.asize;
  const size = elem(d);
  const step = cpu.dfStep * size;
  const v = cpu.readReg(size, 0, false);
  const vh = cpu.vhi;
  if (!d.rep) {
    const di = getIdx(cpu, 7, as);
    cpu.writeMem(dstLin(cpu, di), size, v, vh);
    setIdx(cpu, 7, as, wrapIdx(di + step, as));
    return;
  }
  let n = count(cpu, as);
  while (n > 0) {
    const di = getIdx(cpu, 7, as);
    cpu.writeMem(dstLin(cpu, di), size, v, vh);
    setIdx(cpu, 7, as, wrapIdx(di + step, as));
    n--;
    setIdx(cpu, 1, as, n);
  }
};

const LODS: Handler = (cpu, d) => {
  const as = d.asize;
  const size = elem(d);
  const step = cpu.dfStep * size;
  let n = d.rep ? count(cpu, as) : 1;
  while (n > 0) {
    const si = getIdx(cpu, 6, as);
    const v = cpu.readMem(srcLin(cpu, d, si), size);
    cpu.writeReg(size, 0, false, v, cpu.vhi);
    setIdx(cpu, 6, as, wrapIdx(si + step, as));
    n--;
    if (d.rep) setIdx(cpu, 1, as, n);
  }
};

function cmpFlags(cpu: X86Cpu, size: number, a: number, ah: number, b: number, bh: number): void {
  let r: number, rh = 0;
  if (size === 8) {
    const s = a - b;
    r = s >>> 0;
    rh = (ah - bh - (s < 0 ? 1 : 0)) >>> 0;
  } else r = size === 4 ? (a - b) >>> 0 : (a - b) & MASK[size]!;
  cpu.setLazy(LazyOp.SUB, size, r, rh, a, ah, b, bh);
}

const CMPS: Handler = (cpu, d) => {
  const as = d.asize;
  const size = elem(d);
  const step = cpu.dfStep * size;
  let n = d.rep ? count(cpu, as) : 1;
  while (n > 0) {
    const si = getIdx(cpu, 6, as), di = getIdx(cpu, 7, as);
    const a = cpu.readMem(srcLin(cpu, d, si), size);
    const ah = cpu.vhi;
    const b = cpu.readMem(dstLin(cpu, di), size);
    cmpFlags(cpu, size, a, ah, b, cpu.vhi);
    setIdx(cpu, 6, as, wrapIdx(si + step, as));
    setIdx(cpu, 7, as, wrapIdx(di + step, as));
    n--;
    if (!d.rep) break;
    setIdx(cpu, 1, as, n);
    const zf = cpu.getZF();
    if (d.rep === 0xf3 ? zf === 0 : zf === 1) break;
  }
};

const SCAS: Handler = (cpu, d) => {
  const as = d.asize;
  const size = elem(d);
  const step = cpu.dfStep * size;
  const a = cpu.readReg(size, 0, false);
  const ah = cpu.vhi;
  let n = d.rep ? count(cpu, as) : 1;
  while (n > 0) {
    const di = getIdx(cpu, 7, as);
    const b = cpu.readMem(dstLin(cpu, di), size);
    cmpFlags(cpu, size, a, ah, b, cpu.vhi);
    setIdx(cpu, 7, as, wrapIdx(di + step, as));
    n--;
    if (!d.rep) break;
    setIdx(cpu, 1, as, n);
    const zf = cpu.getZF();
    if (d.rep === 0xf3 ? zf === 0 : zf === 1) break;
  }
};

const INS: Handler = (cpu, d) => {
  const as = d.asize;
  const size = d.s1 === 1 ? 1 : d.osize === 2 ? 2 : 4;
  const step = cpu.dfStep * size;
  const port = cpu.lo[2]! & 0xffff;
  cpu.checkIo(port, size);
  let n = d.rep ? count(cpu, as) : 1;
  while (n > 0) {
    const di = getIdx(cpu, 7, as);
    const v = cpu.io.read(port, size as 1 | 2 | 4);
    cpu.writeMem(dstLin(cpu, di), size, v, 0);
    setIdx(cpu, 7, as, wrapIdx(di + step, as));
    n--;
    if (d.rep) setIdx(cpu, 1, as, n);
  }
};

const OUTS: Handler = (cpu, d) => {
  const as = d.asize;
  const size = d.s1 === 1 ? 1 : d.osize === 2 ? 2 : 4;
  const step = cpu.dfStep * size;
  const port = cpu.lo[2]! & 0xffff;
  cpu.checkIo(port, size);
  let n = d.rep ? count(cpu, as) : 1;
  while (n > 0) {
    const si = getIdx(cpu, 6, as);
    const v = cpu.readMem(srcLin(cpu, d, si), size);
    cpu.io.write(port, size as 1 | 2 | 4, v);
    setIdx(cpu, 6, as, wrapIdx(si + step, as));
    n--;
    if (d.rep) setIdx(cpu, 1, as, n);
  }
};

export const STRING_HANDLERS: Record<string, Handler> = { MOVS, STOS, LODS, CMPS, SCAS, INS, OUTS };
