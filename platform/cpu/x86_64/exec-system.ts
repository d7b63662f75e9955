/**
 * System instructions: control/debug registers, descriptor tables, TLB control, MSRs, time stamp counter,
 * CPUID, random numbers, XCR0, segment loads, interrupt flag, port I/O, FXSAVE/XSAVE state, hints.
 */
import { NotImplementedError } from '../../../common/errors.js';
import type { X86Cpu } from './cpu.js';
import { CR0_PE, CR0_TS, CR4_FSGSBASE, CR4_OSFXSR, CR4_OSXSAVE, CR4_PCIDE, VEC_GP, VEC_NM, VEC_UD, wrap64 } from './arch.js';
import { cpuid } from './cpuid.js';
import { FXSAVE, XSAVE_HEADER_OFFSET } from './fxsave-layout.js';
import { type Handler, type Insn, K, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from './insn.js';
import { AC, CF, IF, IOPL, VM } from './flags.js';

const TWO32 = 4294967296;

function crIndexValid(n: number): boolean {
  return n === 0 || n === 2 || n === 3 || n === 4 || n === 8;
}

const MOVFROMCR: Handler = (cpu, d) => {
  cpu.requireCpl0();
  const n = d.reg;
  if (!crIndexValid(n)) cpu.fault(VEC_UD);
  let v: number;
  switch (n) {
    case 0: v = cpu.cr0 >>> 0; break;
    case 2: v = cpu.cr2; break;
    case 3: v = cpu.cr3; break;
    case 4: v = cpu.cr4; break;
    default: v = cpu.cr8; break;
  }
  if (d.s1 === 8) cpu.writeReg(8, d.rm, true, v >>> 0, Math.floor(v / TWO32) >>> 0);
  else cpu.writeReg(4, d.rm, true, v >>> 0, 0);
};

const MOVTOCR: Handler = (cpu, d) => {
  cpu.requireCpl0();
  const n = d.reg;
  if (!crIndexValid(n)) cpu.fault(VEC_UD);
  const lo = cpu.readReg(d.s2, d.rm, true);
  const hi = d.s2 === 8 ? cpu.vhi : 0;
  switch (n) {
    case 0:
      if (hi) cpu.fault(VEC_GP, 0);
      cpu.writeCr0(lo);
      break;
    case 2: cpu.cr2 = wrap64((hi | 0) * TWO32 + lo); break;
    case 3: {
      // with CR4.PCIDE bit 63 is the "do not flush" hint and bits 11:0 the PCID; the TLB is flushed anyway
      // (flushing more than required is always allowed), so the PCID only needs to read back
      const h = cpu.cr4 & CR4_PCIDE ? hi & 0x7fffffff : hi;
      if (h & 0xfff00000) cpu.fault(VEC_GP, 0);
      cpu.writeCr3(h * TWO32 + lo);
      break;
    }
    case 4:
      if (hi) cpu.fault(VEC_GP, 0);
      cpu.writeCr4(lo);
      break;
    default:
      cpu.cr8 = lo & 0xf;
  }
};

const MOVFROMDR: Handler = (cpu, d) => {
  cpu.requireCpl0();
  const v = cpu.dr[d.reg & 7]!;
  cpu.writeReg(d.s1, d.rm, true, v >>> 0, Math.floor(v / TWO32) >>> 0);
};

const MOVTODR: Handler = (cpu, d) => {
  cpu.requireCpl0();
  const lo = cpu.readReg(d.s2, d.rm, true);
  cpu.dr[d.reg & 7] = (d.s2 === 8 ? cpu.vhi : 0) * TWO32 + lo;
};

/** LGDT/LIDT: limit (2 bytes) + base (8 in 64-bit mode, else 4; 24 bits with a 16-bit operand size). */
function readTableRegister(cpu: X86Cpu, d: Insn): [number, number] {
  const lin = cpu.ea(d);
  const limit = cpu.read16(lin);
  let base: number;
  if (cpu.codeBits === 64) {
    const lo = cpu.read32(lin + 2);
    const hi = cpu.read32(lin + 6) | 0;
    base = wrap64(hi * TWO32 + lo);
  } else {
    base = cpu.read32(lin + 2);
    if (d.osize === 2) base &= 0xffffff;
  }
  return [limit, base];
}

function storeTableRegister(cpu: X86Cpu, d: Insn, limit: number, base: number): void {
  const lin = cpu.ea(d);
  cpu.write16(lin, limit);
  if (cpu.codeBits === 64) cpu.writeMem(lin + 2, 8, base >>> 0, Math.floor(base / TWO32) >>> 0);
  else cpu.write32(lin + 2, base >>> 0);
}

const LGDT: Handler = (cpu, d) => {
  cpu.requireCpl0();
  const [limit, base] = readTableRegister(cpu, d);
  cpu.gdtrLimit = limit;
  cpu.gdtrBase = base;
};

const LIDT: Handler = (cpu, d) => {
  cpu.requireCpl0();
  const [limit, base] = readTableRegister(cpu, d);
  cpu.idtrLimit = limit;
  cpu.idtrBase = base;
};

const SGDT: Handler = (cpu, d) => storeTableRegister(cpu, d, cpu.gdtrLimit, cpu.gdtrBase);
const SIDT: Handler = (cpu, d) => storeTableRegister(cpu, d, cpu.idtrLimit, cpu.idtrBase);

function protectedOnly(cpu: X86Cpu): void {
  if (!(cpu.cr0 & CR0_PE)) cpu.fault(VEC_UD);
}

const LLDT: Handler = (cpu, d) => {
  protectedOnly(cpu);
  cpu.requireCpl0();
  const sel = cpu.readOp(d, K.E, 2);
  if ((sel & ~3) === 0) {
    cpu.ldtrSel = sel;
    cpu.ldtrBase = 0;
    cpu.ldtrLimit = 0;
    return;
  }
  if (sel & 4) cpu.fault(VEC_GP, sel & 0xfffc);
  const desc = cpu.readDescriptor(sel);
  if ((desc.attr & 0x1f) !== 0x02) cpu.fault(VEC_GP, sel & 0xfffc);
  cpu.ldtrSel = sel;
  cpu.ldtrBase = desc.base;
  cpu.ldtrLimit = desc.limit;
};

const LTR: Handler = (cpu, d) => {
  protectedOnly(cpu);
  cpu.requireCpl0();
  const sel = cpu.readOp(d, K.E, 2);
  if ((sel & ~3) === 0 || sel & 4) cpu.fault(VEC_GP, sel & 0xfffc);
  const desc = cpu.readDescriptor(sel);
  const type = desc.attr & 0x1f;
  if (type !== 0x09 && type !== 0x01) cpu.fault(VEC_GP, sel & 0xfffc);
  cpu.trSel = sel;
  cpu.trBase = desc.base;
  cpu.trLimit = desc.limit;
  cpu.trAttr = desc.attr | 2;
  // mark busy
  cpu.systemAccess = true;
  try {
    cpu.write32(cpu.gdtrBase + (sel & ~7) + 4, desc.hi | 0x200);
  } finally {
    cpu.systemAccess = false;
  }
};

const SLDT: Handler = (cpu, d) => {
  protectedOnly(cpu);
  cpu.writeOpFresh(d, K.E, d.isMem ? 2 : d.osize, cpu.ldtrSel, 0);
};
const STR: Handler = (cpu, d) => {
  protectedOnly(cpu);
  cpu.writeOpFresh(d, K.E, d.isMem ? 2 : d.osize, cpu.trSel, 0);
};
const SMSW: Handler = (cpu, d) => {
  const v = cpu.cr0 >>> 0;
  if (d.isMem) cpu.writeOpFresh(d, K.E, 2, v & 0xffff, 0);
  else cpu.writeOpFresh(d, K.E, d.osize, d.osize === 2 ? v & 0xffff : v, 0);
};
const LMSW: Handler = (cpu, d) => {
  cpu.requireCpl0();
  const v = cpu.readOp(d, K.E, 2);
  // LMSW sets PE but never clears it; only MP, EM, TS otherwise
  cpu.writeCr0((cpu.cr0 & ~0xe) | (v & 0xf) | (cpu.cr0 & 1));
};

const INVLPG: Handler = (cpu, d) => {
  cpu.requireCpl0();
  // a non-canonical operand makes INVLPG a no-op (SDM INVLPG)
  const lin = cpu.eaQuiet(d);
  if (lin === lin) cpu.invlpg(lin);
};

const CLTS: Handler = (cpu) => {
  cpu.requireCpl0();
  cpu.cr0 &= ~CR0_TS;
};

const PRIV_NOP: Handler = (cpu) => cpu.requireCpl0();

/**
 * STAC/CLAC set/clear EFLAGS.AC. #UD at CPL > 0 (and in virtual-8086 mode) and when CPUID does not report
 * SMAP; our CPUID model always reports it. Allowed in real mode (CPL 0).
 */
const smapFlag = (set: boolean): Handler => (cpu) => {
  if (cpu.cr0 & CR0_PE && (cpu.cpl !== 0 || cpu.flagBits & VM)) cpu.fault(VEC_UD);
  if (set) cpu.flagBits |= AC;
  else cpu.flagBits &= ~AC;
};
const NOP: Handler = () => {};

const CPUID: Handler = (cpu) => cpuid(cpu);

const RDMSR: Handler = (cpu) => {
  cpu.requireCpl0();
  const v = cpu.msr.read(cpu.lo[1]! >>> 0);
  cpu.writeReg(4, 0, false, v.lo, 0);
  cpu.writeReg(4, 2, false, v.hi, 0);
};

const WRMSR: Handler = (cpu) => {
  cpu.requireCpl0();
  cpu.msr.write(cpu.lo[1]! >>> 0, cpu.lo[0]! >>> 0, cpu.lo[2]! >>> 0);
  cpu.breakBlock = true;
};

const RDTSC: Handler = (cpu) => {
  if (cpu.cr4 & 4 && cpu.cpl !== 0) cpu.fault(VEC_GP, 0);
  const t = cpu.tscValue();
  cpu.writeReg(4, 0, false, t >>> 0, 0);
  cpu.writeReg(4, 2, false, Math.floor(t / TWO32) >>> 0, 0);
};

const RDTSCP: Handler = (cpu) => {
  RDTSC(cpu, null as unknown as Insn);
  cpu.writeReg(4, 1, false, cpu.msr.read(0xc0000103).lo, 0);
};

const RDRAND: Handler = (cpu, d) => {
  const lo = cpu.nextRandom();
  const hi = d.osize === 8 ? cpu.nextRandom() : 0;
  cpu.writeReg(d.osize, d.rm, d.rex, d.osize === 2 ? lo & 0xffff : lo, hi);
  cpu.setArith(CF, 0, 0, 0, 0, 0);
};

const XGETBV: Handler = (cpu) => {
  if (!(cpu.cr4 & CR4_OSXSAVE)) cpu.fault(VEC_UD);
  if ((cpu.lo[1]! >>> 0) !== 0) cpu.fault(VEC_GP, 0);
  cpu.writeReg(4, 0, false, cpu.xcr0, 0);
  cpu.writeReg(4, 2, false, 0, 0);
};

const XSETBV: Handler = (cpu) => {
  if (!(cpu.cr4 & CR4_OSXSAVE)) cpu.fault(VEC_UD);
  cpu.requireCpl0();
  const v = cpu.lo[0]! >>> 0;
  if ((cpu.lo[1]! >>> 0) !== 0 || cpu.lo[2]! !== 0 || !(v & 1) || v & ~3) cpu.fault(VEC_GP, 0);
  cpu.xcr0 = v;
};

const SWAPGS: Handler = (cpu) => {
  cpu.requireCpl0();
  const t = cpu.segBase[SEG_GS]!;
  cpu.segBase[SEG_GS] = cpu.msr.kernelGsBase;
  cpu.msr.kernelGsBase = t;
};

const fsgsBase = (seg: number, write: boolean): Handler => (cpu, d) => {
  if (!(cpu.cr4 & CR4_FSGSBASE)) cpu.fault(VEC_UD);
  const size = d.s1;
  if (write) {
    const lo = cpu.readReg(size, d.rm, true);
    const v = size === 8 ? cpu.canonicalState(lo, cpu.vhi) : lo;
    if (v !== v) cpu.fault(VEC_GP, 0);
    cpu.segBase[seg] = v;
  } else {
    const v = cpu.segBase[seg]!;
    cpu.writeReg(size, d.rm, true, v >>> 0, Math.floor(v / TWO32) >>> 0);
  }
};

const CLI: Handler = (cpu) => {
  if (cpu.cr0 & CR0_PE && cpu.cpl > ((cpu.flagBits & IOPL) >> 12)) cpu.fault(VEC_GP, 0);
  cpu.flagBits &= ~IF;
};

const STI: Handler = (cpu) => {
  if (cpu.cr0 & CR0_PE && cpu.cpl > ((cpu.flagBits & IOPL) >> 12)) cpu.fault(VEC_GP, 0);
  if (!(cpu.flagBits & IF)) cpu.inhibitUntil = cpu.icount + 2; // one-instruction interrupt shadow
  cpu.flagBits |= IF;
};

function ioSize(size: number): 1 | 2 | 4 {
  return size === 1 ? 1 : size === 2 ? 2 : 4;
}

const IN: Handler = (cpu, d) => {
  const port = d.k2 === K.DX ? cpu.lo[2]! & 0xffff : d.imm & 0xff;
  const size = ioSize(d.s1);
  cpu.checkIo(port, size);
  cpu.writeReg(size, 0, false, cpu.io.read(port, size) >>> 0, 0);
};

const OUT: Handler = (cpu, d) => {
  const port = d.k1 === K.DX ? cpu.lo[2]! & 0xffff : d.imm & 0xff;
  const size = ioSize(d.s2);
  cpu.checkIo(port, size);
  cpu.io.write(port, size, cpu.readReg(size, 0, false));
  // a device may have ended the run or raised an interrupt: leave the block so the loop sees it
  if (cpu.stopReason) cpu.breakBlock = true;
};

const MOVTOSEG: Handler = (cpu, d) => {
  if (d.reg === SEG_CS || d.reg > SEG_GS) cpu.fault(VEC_UD);
  const sel = cpu.readOp(d, K.E, 2);
  cpu.loadSegment(d.reg, sel);
  if (d.reg === SEG_SS) cpu.inhibitUntil = cpu.icount + 2;
};

const MOVFROMSEG: Handler = (cpu, d) => {
  if ((d.reg & 7) > SEG_GS) cpu.fault(VEC_UD);
  const sel = cpu.segSel[d.reg & 7]!;
  if (d.isMem) cpu.writeOpFresh(d, K.E, 2, sel, 0);
  else cpu.writeReg(d.osize === 2 ? 2 : d.osize, d.rm, d.rex, sel, 0);
};

const loadFar = (seg: number): Handler => (cpu, d) => {
  const lin = cpu.ea(d);
  const size = d.osize;
  const off = cpu.readMem(lin, size);
  const offHi = cpu.vhi;
  const sel = cpu.read16(lin + size);
  cpu.loadSegment(seg, sel);
  cpu.writeReg(size, d.reg, d.rex, off, offHi);
};

const XLAT: Handler = (cpu, d) => {
  const as = d.asize;
  const base = as === 8 ? cpu.regNum(3) : as === 4 ? cpu.lo[3]! >>> 0 : cpu.lo[3]! & 0xffff;
  const off = base + (cpu.lo[0]! & 0xff);
  const lin = cpu.codeBits === 64 ? off + (d.seg >= SEG_FS ? cpu.segBase[d.seg]! : 0) : ((as === 2 ? off & 0xffff : off) + cpu.segBase[d.seg]!) >>> 0;
  cpu.writeReg(1, 0, false, cpu.read8(lin), 0);
};

const UD: Handler = (cpu) => cpu.fault(VEC_UD);

// ---- FXSAVE / FXRSTOR / XSAVE / XRSTOR / MXCSR ----

function checkFpuAvailable(cpu: X86Cpu): void {
  if (cpu.cr0 & 4) cpu.fault(VEC_UD); // CR0.EM
  if (cpu.cr0 & CR0_TS) cpu.fault(VEC_NM);
}

/** every MXCSR bit 0-15 is writable, DAZ (bit 6) included; bits 16-31 are reserved (#GP) */
const MXCSR_MASK = 0xffff;

function saveX87(cpu: X86Cpu, lin: number): void {
  cpu.write16(lin + FXSAVE.fcw, cpu.fcw);
  cpu.write16(lin + FXSAVE.fsw, cpu.fsw);
  cpu.write8(lin + FXSAVE.ftw, cpu.ftw);
  cpu.write8(lin + FXSAVE.ftw + 1, 0);
  cpu.write16(lin + FXSAVE.fop, 0);
  cpu.writeMem(lin + FXSAVE.fip, 8, 0, 0);
  cpu.writeMem(lin + FXSAVE.fdp, 8, 0, 0);
  for (let i = 0; i < 128; i++) cpu.write8(lin + FXSAVE.st0 + i, cpu.x87[i]!);
}

function loadX87(cpu: X86Cpu, lin: number): void {
  cpu.fcw = cpu.read16(lin + FXSAVE.fcw);
  cpu.fsw = cpu.read16(lin + FXSAVE.fsw);
  cpu.ftw = cpu.read8(lin + FXSAVE.ftw);
  for (let i = 0; i < 128; i++) cpu.x87[i] = cpu.read8(lin + FXSAVE.st0 + i);
}

function initX87(cpu: X86Cpu): void {
  cpu.fcw = 0x37f;
  cpu.fsw = 0;
  cpu.ftw = 0;
  cpu.x87.fill(0);
}

function saveSse(cpu: X86Cpu, lin: number, mxcsr: boolean): void {
  if (mxcsr) {
    cpu.write32(lin + FXSAVE.mxcsr, cpu.mxcsr);
    cpu.write32(lin + FXSAVE.mxcsrMask, MXCSR_MASK);
  }
  const n = cpu.codeBits === 64 ? 16 : 8;
  for (let i = 0; i < n * 4; i++) cpu.write32(lin + FXSAVE.xmm0 + i * 4, cpu.xmm[i]! >>> 0);
}

function loadSse(cpu: X86Cpu, lin: number, mxcsr: boolean): void {
  if (mxcsr) {
    const m = cpu.read32(lin + FXSAVE.mxcsr);
    if (m & ~MXCSR_MASK) cpu.fault(VEC_GP, 0);
    cpu.mxcsr = m;
  }
  const n = cpu.codeBits === 64 ? 16 : 8;
  for (let i = 0; i < n * 4; i++) cpu.xmm[i] = cpu.read32(lin + FXSAVE.xmm0 + i * 4);
}

const FXSAVE_H: Handler = (cpu, d) => {
  checkFpuAvailable(cpu);
  const lin = cpu.ea(d);
  if (lin % 16 !== 0) cpu.fault(VEC_GP, 0);
  saveX87(cpu, lin);
  cpu.write32(lin + FXSAVE.mxcsr, cpu.mxcsr);
  cpu.write32(lin + FXSAVE.mxcsrMask, MXCSR_MASK);
  if (cpu.cr4 & CR4_OSFXSR) saveSse(cpu, lin, false);
};

const FXRSTOR_H: Handler = (cpu, d) => {
  checkFpuAvailable(cpu);
  const lin = cpu.ea(d);
  if (lin % 16 !== 0) cpu.fault(VEC_GP, 0);
  const m = cpu.read32(lin + FXSAVE.mxcsr);
  if (m & ~MXCSR_MASK) cpu.fault(VEC_GP, 0);
  loadX87(cpu, lin);
  cpu.mxcsr = m;
  if (cpu.cr4 & CR4_OSFXSR) loadSse(cpu, lin, false);
};

function xsaveCommon(cpu: X86Cpu, d: Insn): [number, number] {
  if (!(cpu.cr4 & CR4_OSXSAVE)) cpu.fault(VEC_UD);
  if (cpu.cr0 & CR0_TS) cpu.fault(VEC_NM);
  const lin = cpu.ea(d);
  if (lin % 64 !== 0) cpu.fault(VEC_GP, 0);
  return [lin, cpu.xcr0 & (cpu.lo[0]! >>> 0)];
}

const XSAVE_H: Handler = (cpu, d) => {
  const [lin, rfbm] = xsaveCommon(cpu, d);
  if (rfbm & 1) saveX87(cpu, lin);
  if (rfbm & 2) saveSse(cpu, lin, true);
  const bv = cpu.read8(lin + XSAVE_HEADER_OFFSET);
  cpu.write8(lin + XSAVE_HEADER_OFFSET, (bv & ~rfbm) | rfbm);
};

const XRSTOR_H: Handler = (cpu, d) => {
  const [lin, rfbm] = xsaveCommon(cpu, d);
  const bv = cpu.read32(lin + XSAVE_HEADER_OFFSET);
  const comp = cpu.read32(lin + XSAVE_HEADER_OFFSET + 8) | cpu.read32(lin + XSAVE_HEADER_OFFSET + 12);
  if (comp & 0x80000000 || bv & ~cpu.xcr0) cpu.fault(VEC_GP, 0); // compacted format not supported by our CPUID
  if (rfbm & 1) {
    if (bv & 1) loadX87(cpu, lin);
    else initX87(cpu);
  }
  if (rfbm & 2) {
    if (bv & 2) loadSse(cpu, lin, true);
    else {
      cpu.xmm.fill(0);
      cpu.mxcsr = 0x1f80;
    }
  }
};

/** LDMXCSR/STMXCSR are SSE instructions: #UD with CR0.EM or without CR4.OSFXSR, #NM with CR0.TS. */
function checkMxcsrAccess(cpu: X86Cpu): void {
  if (!(cpu.cr4 & CR4_OSFXSR)) cpu.fault(VEC_UD);
  checkFpuAvailable(cpu);
}

const LDMXCSR: Handler = (cpu, d) => {
  checkMxcsrAccess(cpu);
  const v = cpu.read32(cpu.ea(d));
  if (v & ~MXCSR_MASK) cpu.fault(VEC_GP, 0);
  cpu.mxcsr = v;
};

const STMXCSR: Handler = (cpu, d) => {
  checkMxcsrAccess(cpu);
  cpu.write32(cpu.ea(d), cpu.mxcsr);
};

/** INVPCID: every type (address, single context, all incl./excl. globals) flushes the whole TLB. */
const INVPCID: Handler = (cpu, d) => {
  cpu.requireCpl0();
  const type = cpu.readReg(8, d.reg, true);
  const typeHi = cpu.vhi;
  const lin = cpu.ea(d);
  const pcid = cpu.read32(lin);
  const descHi = cpu.read32(lin + 4);
  if (typeHi !== 0 || type > 3 || (descHi | (pcid & ~0xfff)) !== 0) cpu.fault(VEC_GP, 0);
  if (type === 1 || type === 0) {
    // (type 0: the linear address must be canonical)
    const a = (cpu.read32(lin + 12) | 0) * TWO32 + cpu.read32(lin + 8);
    if (type === 0 && (a >= 2 ** 47 || a < -(2 ** 47))) cpu.canonicalWide(wrap64(a), VEC_GP);
  }
  cpu.flushTlb();
};

// ---- x87 control and status (no x87 arithmetic in this model) ----

/** x87 instructions: CR0.EM or CR0.TS raise #NM. */
function checkX87(cpu: X86Cpu): void {
  if (cpu.cr0 & (4 | CR0_TS)) cpu.fault(VEC_NM);
}

const FNINIT: Handler = (cpu) => {
  checkX87(cpu);
  cpu.fcw = 0x37f;
  cpu.fsw = 0;
  cpu.ftw = 0;
};
const FNCLEX: Handler = (cpu) => {
  checkX87(cpu);
  cpu.fsw &= 0x7f00;
};
const FLDCW: Handler = (cpu, d) => {
  checkX87(cpu);
  cpu.fcw = cpu.read16(cpu.ea(d));
};
const FNSTCW: Handler = (cpu, d) => {
  checkX87(cpu);
  cpu.write16(cpu.ea(d), cpu.fcw);
};
const FNSTSW: Handler = (cpu, d) => {
  checkX87(cpu);
  cpu.write16(cpu.ea(d), cpu.fsw);
};
const FNSTSWAX: Handler = (cpu) => {
  checkX87(cpu);
  cpu.writeReg(2, 0, false, cpu.fsw, 0);
};

const CLFLUSH: Handler = (cpu, d) => {
  cpu.read8(cpu.ea(d)); // faults like a byte load; caches are not modelled
};

const RDPMC: Handler = () => {
  throw new NotImplementedError('RDPMC (performance counters)');
};

export const SYSTEM_HANDLERS: Record<string, Handler> = {
  MOVFROMCR,
  MOVTOCR,
  MOVFROMDR,
  MOVTODR,
  LGDT,
  LIDT,
  SGDT,
  SIDT,
  LLDT,
  LTR,
  SLDT,
  STR,
  SMSW,
  LMSW,
  INVLPG,
  CLTS,
  WBINVD: PRIV_NOP,
  INVD: PRIV_NOP,
  CPUID,
  RDMSR,
  WRMSR,
  RDTSC,
  RDTSCP,
  RDRAND,
  RDSEED: RDRAND,
  XGETBV,
  XSETBV,
  SWAPGS,
  RDFSBASE: fsgsBase(SEG_FS, false),
  RDGSBASE: fsgsBase(SEG_GS, false),
  WRFSBASE: fsgsBase(SEG_FS, true),
  WRGSBASE: fsgsBase(SEG_GS, true),
  CLI,
  STI,
  IN,
  OUT,
  MOVTOSEG,
  MOVFROMSEG,
  LSS: loadFar(SEG_SS),
  LFS: loadFar(SEG_FS),
  LGS: loadFar(SEG_GS),
  LES: loadFar(SEG_ES),
  LDS: loadFar(SEG_DS),
  XLAT,
  UD2: UD,
  UD1: UD,
  NOP,
  NOPM: NOP,
  FENCE: NOP,
  PAUSE: NOP,
  FWAIT: (cpu) => {
    if ((cpu.cr0 & (CR0_TS | 2)) === (CR0_TS | 2)) cpu.fault(VEC_NM);
  },
  EMMS: NOP,
  CLAC: smapFlag(false),
  STAC: smapFlag(true),
  MONITOR: PRIV_NOP,
  MWAIT: PRIV_NOP,
  FXSAVE: FXSAVE_H,
  FXRSTOR: FXRSTOR_H,
  XSAVE: XSAVE_H,
  XSAVEOPT: XSAVE_H,
  XRSTOR: XRSTOR_H,
  LDMXCSR,
  STMXCSR,
  CLFLUSH,
  INVPCID,
  FNINIT,
  FNCLEX,
  FLDCW,
  FNSTCW,
  FNSTSW,
  FNSTSWAX,
  RDPMC,
};

