import { NotImplementedError } from '../../../common/errors.js';
/**
 * Control transfer and stack instructions: Jcc/JMP/CALL/RET (near and far), LOOP, INT n/IRET(Q),
 * PUSH/POP (incl. segment registers, flags, PUSHA/POPA), ENTER/LEAVE, HLT, SYSCALL/SYSRET, SYSENTER/SYSEXIT.
 */
import type { X86Cpu } from './cpu.js';
import {
  CANON_LIMIT,
  CR0_PE,
  EFER_LMA,
  EFER_SCE,
  VEC_BP,
  VEC_DB,
  VEC_GP,
  VEC_OF,
  VEC_UD,
  wrap64,
} from './arch.js';
import { type Handler, type Insn, K, SEG_CS, SEG_SS } from './insn.js';
import { CONDITION_NAMES } from './opcode-table.js';
import { IF, NT, RF, VM } from './flags.js';

const TWO32 = 4294967296;

/** Relative branch target from the decoded displacement (sign-extended in imm/immHi). */
function relTarget(cpu: X86Cpu, d: Insn): number {
  return cpu.rip + (d.imm | 0);
}

const J = (cc: number): Handler => (cpu, d) => {
  if (cpu.cond(cc)) cpu.branch(relTarget(cpu, d), d.osize);
};

const JMP: Handler = (cpu, d) => cpu.branch(relTarget(cpu, d), d.osize);

function pushRip(cpu: X86Cpu, osize: number): void {
  const r = cpu.rip;
  if (osize === 8) cpu.push(8, r >>> 0, Math.floor(r / TWO32) >>> 0);
  else cpu.push(osize, osize === 4 ? r >>> 0 : r & 0xffff, 0);
}

const CALL: Handler = (cpu, d) => {
  const target = relTarget(cpu, d);
  pushRip(cpu, d.osize);
  cpu.branch(target, d.osize);
};

function readTarget(cpu: X86Cpu, d: Insn): number {
  const size = d.osize;
  const lo = cpu.readOp(d, K.E, size);
  return size === 8 ? (cpu.vhi | 0) * TWO32 + lo : lo;
}

const CALLN: Handler = (cpu, d) => {
  const t = readTarget(cpu, d);
  pushRip(cpu, d.osize);
  cpu.branch(t, d.osize);
};

const JMPN: Handler = (cpu, d) => cpu.branch(readTarget(cpu, d), d.osize);

const RET: Handler = (cpu, d) => {
  const size = d.osize;
  const lo = cpu.pop(size);
  const t = size === 8 ? (cpu.vhi | 0) * TWO32 + lo : lo;
  if (d.k1 === K.I) cpu.addSp(d.imm & 0xffff);
  cpu.branch(t, size);
};

const loopOp = (kind: number): Handler => (cpu, d) => {
  // kind: 0 LOOPNE, 1 LOOPE, 2 LOOP, 3 JCXZ
  const as = d.asize;
  let c: number;
  if (kind === 3) {
    c = as === 8 ? cpu.lo[1]! | cpu.hi[1]! : as === 4 ? cpu.lo[1]! : cpu.lo[1]! & 0xffff;
    if (c === 0) cpu.branch(relTarget(cpu, d), d.osize);
    return;
  }
  if (as === 8) {
    const v = cpu.regNum(1) - 1;
    cpu.setRegNum(1, v === -1 ? -1 : v);
    c = cpu.lo[1]! | cpu.hi[1]!;
  } else if (as === 4) {
    cpu.lo[1] = cpu.lo[1]! - 1;
    c = cpu.lo[1]!;
    if (cpu.codeBits === 64) cpu.hi[1] = 0;
  } else {
    cpu.lo[1] = (cpu.lo[1]! & ~0xffff) | ((cpu.lo[1]! - 1) & 0xffff);
    c = cpu.lo[1]! & 0xffff;
  }
  let take = c !== 0;
  if (take && kind === 0) take = cpu.getZF() === 0;
  if (take && kind === 1) take = cpu.getZF() === 1;
  if (take) cpu.branch(relTarget(cpu, d), d.osize);
};

const PUSH: Handler = (cpu, d) => {
  const size = d.osize;
  const v = cpu.readOp(d, d.k1, size);
  cpu.push(size, v, cpu.vhi);
};

const POP: Handler = (cpu, d) => {
  const size = d.osize;
  if (d.k1 === K.E && d.isMem) {
    // the address is computed after RSP is incremented (SDM: POP m with RSP as base)
    const v = cpu.pop(size);
    const vh = cpu.vhi;
    cpu.writeMem(cpu.ea(d), size, v, vh);
    return;
  }
  const v = cpu.pop(size);
  cpu.writeOpFresh(d, d.k1, size, v, cpu.vhi);
};

const PUSHSEG: Handler = (cpu, d) => {
  const size = d.osize;
  cpu.push(size, cpu.segSel[d.reg]!, 0);
};

const POPSEG: Handler = (cpu, d) => {
  const size = d.osize;
  const sel = cpu.stackRead(size, 0) & 0xffff;
  cpu.loadSegment(d.reg, sel);
  cpu.addSp(size);
  if (d.reg === SEG_SS) cpu.inhibitUntil = cpu.icount + 2;
  cpu.breakBlock = true;
};

const PUSHF: Handler = (cpu, d) => {
  const f = cpu.getFlags() & ~(VM | RF);
  cpu.push(d.osize, d.osize === 2 ? f & 0xffff : f, 0);
};

const POPF: Handler = (cpu, d) => {
  const v = cpu.pop(d.osize);
  cpu.updateFlagsFromPop(v, d.osize);
  cpu.breakBlock = true; // IF may have changed
};

const PUSHA: Handler = (cpu, d) => {
  const size = d.osize;
  const sp = cpu.readReg(size, 4, false);
  for (let r = 0; r < 8; r++) cpu.push(size, r === 4 ? sp : cpu.readReg(size, r, false), 0);
};

const POPA: Handler = (cpu, d) => {
  const size = d.osize;
  for (let r = 7; r >= 0; r--) {
    const v = cpu.pop(size);
    if (r !== 4) cpu.writeReg(size, r, false, v, 0);
  }
};

const ENTER: Handler = (cpu, d) => {
  const size = d.osize;
  const alloc = d.imm & 0xffff;
  const level = d.imm2 & 31;
  const bp = cpu.readReg(size, 5, false);
  const bph = cpu.vhi;
  cpu.push(size, bp, bph);
  const frame = cpu.readReg(cpu.stackSize, 4, false);
  const frameHi = cpu.vhi;
  if (level > 0) {
    let p = size === 8 ? (bph | 0) * TWO32 + bp : bp;
    for (let i = 1; i < level; i++) {
      p -= size;
      const lin = cpu.stackSize === 8 ? p : (p + cpu.segBase[SEG_SS]!) >>> 0;
      const v = cpu.readMem(lin, size);
      cpu.push(size, v, cpu.vhi);
    }
    cpu.push(size, frame, frameHi);
  }
  cpu.writeReg(size, 5, false, frame, frameHi);
  cpu.addSp(-alloc);
};

const LEAVE: Handler = (cpu, d) => {
  const ss = cpu.stackSize;
  cpu.writeReg(ss, 4, false, cpu.readReg(ss, 5, false), cpu.vhi);
  const v = cpu.pop(d.osize);
  cpu.writeReg(d.osize, 5, false, v, cpu.vhi);
};

const HLT: Handler = (cpu) => {
  cpu.requireCpl0();
  cpu.halt();
};

const INT: Handler = (cpu, d) => cpu.softwareInterrupt(d.imm & 0xff);
const INT3: Handler = (cpu) => cpu.softwareInterrupt(VEC_BP);
const INT1: Handler = (cpu) => cpu.deliver(VEC_DB, -1, false, cpu.rip);
const INTO: Handler = (cpu) => {
  if (cpu.getOF()) cpu.softwareInterrupt(VEC_OF);
};

const IRET: Handler = (cpu, d) => {
  const size = d.osize;
  if (!(cpu.cr0 & CR0_PE)) {
    const ip = cpu.pop(size);
    const cs = cpu.pop(size) & 0xffff;
    const fl = cpu.pop(size);
    cpu.segSel[SEG_CS] = cs;
    cpu.segBase[SEG_CS] = cs * 16;
    cpu.rip = ip;
    cpu.updateFlagsFromPop(fl, size);
    cpu.breakBlock = true;
    return;
  }
  if (cpu.getFlags() & NT && !(cpu.efer & EFER_LMA)) throw new NotImplementedError('IRET with NT set (task return) is not implemented');
  // read the frame first; commit only when every check passed
  const ripLo = cpu.stackRead(size, 0);
  const ripHi = cpu.vhi;
  const cs = cpu.stackRead(size, size) & 0xffff;
  const fl = cpu.stackRead(size, 2 * size);
  const rpl = cs & 3;
  if ((cs & ~3) === 0 || rpl < cpu.cpl) cpu.fault(VEC_GP, cs & 0xfffc);
  const desc = cpu.readDescriptor(cs);
  if (!(desc.attr & 0x18)) cpu.fault(VEC_GP, cs & 0xfffc);
  const long = (cpu.efer & EFER_LMA) !== 0;
  const target = size === 8 ? (ripHi | 0) * TWO32 + ripLo : ripLo;
  // a return to 64-bit code at a non-canonical RIP is #GP(0) at the IRET, before any state changes (SDM
  // IRET; 48 or 57 bits by the paging mode)
  if (long && desc.attr & 0x200 && (target >= CANON_LIMIT || target < -CANON_LIMIT)) cpu.canonicalWide(target, VEC_GP);
  const oldCpl = cpu.cpl;
  if (rpl > cpu.cpl || (long && size === 8)) {
    const sp = cpu.stackRead(size, 3 * size);
    const spHi = cpu.vhi;
    const ss = cpu.stackRead(size, 4 * size) & 0xffff;
    cpu.updateFlagsFromPop(fl, size);
    cpu.loadCs(cs, desc, rpl);
    cpu.segSel[SEG_SS] = ss;
    if ((ss & ~3) === 0) {
      if (!long || rpl === 3) cpu.fault(VEC_GP, 0);
      cpu.segBase[SEG_SS] = 0;
      cpu.segAttr[SEG_SS] = 0x93 | (rpl << 5);
      cpu.segSel[SEG_SS] = ss;
    } else {
      cpu.loadSegment(SEG_SS, ss);
    }
    cpu.updateMode();
    if (size === 8) {
      cpu.lo[4] = sp;
      cpu.hi[4] = spHi;
    } else cpu.writeReg(cpu.stackSize === 8 ? 8 : size, 4, false, sp, 0);
    if (rpl > oldCpl) {
      // data segments the new CPL may not use are nulled (SDM IRET: RETURN-TO-OUTER-PRIVILEGE-LEVEL)
      for (const s of [0, 3, 4, 5]) {
        const a = cpu.segAttr[s]!;
        const dpl = (a >> 5) & 3;
        const conformingCode = (a & 0x1c) === 0x1c;
        if (!conformingCode && dpl < rpl && (cpu.segSel[s]! & ~3) !== 0) {
          cpu.segSel[s] = 0;
          cpu.segAttr[s] = 0;
        }
      }
    }
  } else {
    cpu.addSp(3 * size);
    cpu.updateFlagsFromPop(fl, size);
    cpu.loadCs(cs, desc, rpl);
  }
  cpu.rip = cpu.codeBits === 64 ? target : target >>> 0;
  cpu.breakBlock = true;
};

const RETF: Handler = (cpu, d) => {
  const size = d.osize;
  const ipLo = cpu.stackRead(size, 0);
  const ipHi = cpu.vhi;
  const cs = cpu.stackRead(size, size) & 0xffff;
  const extra = d.k1 === K.I ? d.imm & 0xffff : 0;
  if (!(cpu.cr0 & CR0_PE)) {
    cpu.addSp(2 * size + extra);
    cpu.farJump(cs, ipLo & 0xffff);
    return;
  }
  const rpl = cs & 3;
  if (rpl < cpu.cpl) cpu.fault(VEC_GP, cs & 0xfffc);
  const desc = cpu.readDescriptor(cs);
  const target = size === 8 ? (ipHi | 0) * TWO32 + ipLo : ipLo;
  if (rpl > cpu.cpl) {
    const sp = cpu.stackRead(size, 2 * size + extra);
    const spHi = cpu.vhi;
    const ss = cpu.stackRead(size, 3 * size + extra) & 0xffff;
    cpu.loadCs(cs, desc, rpl);
    cpu.loadSegment(SEG_SS, ss);
    if (size === 8) { cpu.lo[4] = sp; cpu.hi[4] = spHi; } else cpu.writeReg(size, 4, false, sp, 0);
    cpu.addSp(extra);
  } else {
    cpu.addSp(2 * size + extra);
    cpu.loadCs(cs, desc, rpl);
  }
  cpu.rip = cpu.codeBits === 64 ? target : target >>> 0;
};

const JMPF: Handler = (cpu, d) => {
  if (d.k1 === K.AP) {
    cpu.farJump(d.imm2, d.imm);
    return;
  }
  const lin = cpu.ea(d);
  const off = cpu.readMem(lin, d.osize);
  const offHi = cpu.vhi;
  const sel = cpu.read16(lin + d.osize);
  cpu.farJump(sel, d.osize === 8 ? (offHi | 0) * TWO32 + off : off);
};

const CALLF: Handler = (cpu, d) => {
  let sel: number;
  let off: number;
  if (d.k1 === K.AP) {
    sel = d.imm2;
    off = d.imm;
  } else {
    const lin = cpu.ea(d);
    off = cpu.readMem(lin, d.osize);
    const offHi = cpu.vhi;
    sel = cpu.read16(lin + d.osize);
    if (d.osize === 8) off = (offHi | 0) * TWO32 + off;
  }
  const oldCs = cpu.segSel[SEG_CS]!;
  const ret = cpu.rip;
  const size = d.osize;
  // push after validating the target: farJump faults before any state changes
  const savedSp = cpu.regNum(4);
  cpu.push(size, oldCs, 0);
  if (size === 8) cpu.push(8, ret >>> 0, Math.floor(ret / TWO32) >>> 0);
  else cpu.push(size, ret >>> 0, 0);
  try {
    cpu.farJump(sel, off);
  } catch (e) {
    cpu.setRegNum(4, savedSp);
    throw e;
  }
};

// ---- SYSCALL / SYSRET (AMD64; Intel allows them in long mode only) ----

const SYSCALL: Handler = (cpu) => {
  if (!(cpu.efer & EFER_SCE) || !(cpu.efer & EFER_LMA)) cpu.fault(VEC_UD);
  const star = cpu.msr.star();
  const sel = (star.hi & 0xffff) & ~3;
  cpu.setRegNum(1, cpu.rip);
  const fl = cpu.getFlags();
  cpu.writeReg(8, 11, false, fl & ~RF, 0);
  cpu.setFlags(fl & ~cpu.msr.fmask() & ~RF);
  setFlatCs(cpu, sel, 0, cpu.codeBits === 64 || true);
  setFlatSs(cpu, sel + 8, 0);
  cpu.rip = cpu.codeBits === 64 ? cpu.msr.lstar() : cpu.msr.cstar();
  cpu.breakBlock = true;
};

const SYSRET: Handler = (cpu, d) => {
  if (!(cpu.efer & EFER_SCE) || !(cpu.efer & EFER_LMA)) cpu.fault(VEC_UD);
  if (cpu.cpl !== 0) cpu.fault(VEC_GP, 0);
  const star = cpu.msr.star();
  const base = star.hi >>> 16;
  const to64 = d.osize === 8;
  let target: number;
  if (to64) {
    target = cpu.regNum(1);
    // RCX must be canonical for the current paging mode (48 bits, or 57 with CR4.LA57): the #GP is taken
    // at CPL 0, before the return (SDM SYSRET)
    if (target >= CANON_LIMIT || target < -CANON_LIMIT) target = cpu.canonicalWide(target, VEC_GP);
    setFlatCs(cpu, (base + 16) | 3, 3, true);
  } else {
    target = cpu.lo[1]! >>> 0;
    setFlatCs(cpu, base | 3, 3, false);
  }
  setFlatSs(cpu, (base + 8) | 3, 3);
  cpu.setFlags((cpu.lo[11]! & 0x3c7fd7) | 2);
  cpu.rip = target;
  cpu.breakBlock = true;
};

/** SYSCALL/SYSRET/SYSENTER load flat CS/SS from fixed values, not from the GDT (SDM). */
function setFlatCs(cpu: X86Cpu, sel: number, cpl: number, long: boolean): void {
  cpu.segSel[SEG_CS] = sel;
  cpu.segBase[SEG_CS] = 0;
  cpu.segLimit[SEG_CS] = 0xffffffff;
  cpu.segAttr[SEG_CS] = 0x9b | (cpl << 5) | (long ? 0x200 | 0x800 : 0xc00);
  cpu.cpl = cpl;
  cpu.updateMode();
}

function setFlatSs(cpu: X86Cpu, sel: number, cpl: number): void {
  cpu.segSel[SEG_SS] = sel;
  cpu.segBase[SEG_SS] = 0;
  cpu.segLimit[SEG_SS] = 0xffffffff;
  cpu.segAttr[SEG_SS] = 0x93 | (cpl << 5) | 0xc00;
  cpu.updateMode();
}

const SYSENTER: Handler = (cpu) => {
  if (!(cpu.cr0 & CR0_PE)) cpu.fault(VEC_GP, 0);
  const cs = cpu.msr.read(0x174).lo & 0xffff;
  if ((cs & ~3) === 0) cpu.fault(VEC_GP, 0);
  const long = (cpu.efer & EFER_LMA) !== 0;
  const esp = cpu.msr.read(0x175);
  const eip = cpu.msr.read(0x176);
  cpu.setFlags(cpu.getFlags() & ~(VM | IF | RF));
  setFlatCs(cpu, cs & ~3, 0, long);
  setFlatSs(cpu, (cs & ~3) + 8, 0);
  if (long) {
    cpu.lo[4] = esp.lo; cpu.hi[4] = esp.hi;
    cpu.rip = wrap64((esp.hi | 0) * 0 + (eip.hi | 0) * TWO32 + eip.lo);
  } else {
    cpu.writeReg(4, 4, false, esp.lo, 0);
    cpu.rip = eip.lo >>> 0;
  }
  cpu.breakBlock = true;
};

const SYSEXIT: Handler = (cpu, d) => {
  if (!(cpu.cr0 & CR0_PE) || cpu.cpl !== 0) cpu.fault(VEC_GP, 0);
  const cs = cpu.msr.read(0x174).lo & 0xffff;
  const to64 = d.osize === 8;
  setFlatCs(cpu, ((to64 ? cs + 32 : cs + 16) & ~3) | 3, 3, to64);
  setFlatSs(cpu, ((to64 ? cs + 40 : cs + 24) & ~3) | 3, 3);
  if (to64) {
    cpu.lo[4] = cpu.lo[1]!; cpu.hi[4] = cpu.hi[1]!;
    cpu.rip = cpu.regNum(2);
  } else {
    cpu.writeReg(4, 4, false, cpu.lo[1]! >>> 0, 0);
    cpu.rip = cpu.lo[2]! >>> 0;
  }
  cpu.breakBlock = true;
};

export const CONTROL_HANDLERS: Record<string, Handler> = {
  JMP,
  CALL,
  CALLN,
  JMPN,
  RET,
  LOOPNE: loopOp(0),
  LOOPE: loopOp(1),
  LOOP: loopOp(2),
  JCXZ: loopOp(3),
  PUSH,
  POP,
  PUSHSEG,
  POPSEG,
  PUSHF,
  POPF,
  PUSHA,
  POPA,
  ENTER,
  LEAVE,
  HLT,
  INT,
  INT3,
  INT1,
  INTO,
  IRET,
  RETF,
  JMPF,
  CALLF,
  SYSCALL,
  SYSRET,
  SYSENTER,
  SYSEXIT,
};
CONDITION_NAMES.forEach((c, i) => (CONTROL_HANDLERS[`J${c}`] = J(i)));
