/**
 * A64 branches, exception generation and system instructions (hints, barriers, MSR/MRS, SYS: AT, DC, IC,
 * TLBI). Every row ends its decoded block: the PC, the exception level or the translation may change.
 */
import type { Aarch64Cpu } from '../cpu.js';
import type { DecodedOp, InsnSpec } from '../decoder.js';
import { R } from '../int64.js';
import { SLOT } from '../sysregs.js';
import { COND_TABLE, sext, undefinedExec } from './common.js';

const TWO32 = 4294967296;

function link(c: Aarch64Cpu): void {
  const t = c.pc + 4;
  const hi = Math.floor(t / TWO32);
  c.setX(60, (t - hi * TWO32) | 0, hi | 0);
}

function hcr(c: Aarch64Cpu): number {
  return c.sys[2 * SLOT['HCR_EL2']!]!;
}

/** ESR ISS for a trapped MSR/MRS/SYS (EC 0x18). */
function sysTrapIss(o: DecodedOp, read: boolean): number {
  const w = o.word >>> 0;
  const op0 = (w >>> 19) & 3, op1 = (w >>> 16) & 7, crn = (w >>> 12) & 15, crm = (w >>> 8) & 15, op2 = (w >>> 5) & 7;
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | ((o.rt >> 1) << 5) | (crm << 1) | (read ? 1 : 0);
}

// ---- exception generation --------------------------------------------------------------------------------------

function svc(c: Aarch64Cpu, o: DecodedOp): void {
  c.takeException(c.syncTarget(), 0, ((0x15 << 26) | (1 << 25) | o.imm) >>> 0, c.pc + 4, NaN);
}

function hvc(c: Aarch64Cpu, o: DecodedOp): void {
  if (c.el === 0 || (hcr(c) & (1 << 29)) !== 0) { c.undefinedInstruction(); return; }
  if (c.firmware?.onHvc?.(c, o.imm)) return;
  c.takeException(2, 0, ((0x16 << 26) | (1 << 25) | o.imm) >>> 0, c.pc + 4, NaN);
}

function smc(c: Aarch64Cpu, o: DecodedOp): void {
  if (c.el === 0) { c.undefinedInstruction(); return; }
  if (c.el === 1 && (hcr(c) & (1 << 19)) !== 0) {
    // HCR_EL2.TSC: trapped SMC, preferred return is the SMC itself
    c.takeException(2, 0, ((0x17 << 26) | (1 << 25) | o.imm) >>> 0, c.pc, NaN);
    return;
  }
  if (c.firmware?.onSmc(c, o.imm)) return;
  c.undefinedInstruction();
}

function brk(c: Aarch64Cpu, o: DecodedOp): void {
  c.syncException(0x3c, o.imm);
}

// ---- branches --------------------------------------------------------------------------------------------------

function b(c: Aarch64Cpu, o: DecodedOp): void {
  if (o.op) link(c);
  c.branchTo(c.pc + o.aux);
}

function bcond(c: Aarch64Cpu, o: DecodedOp): void {
  if (COND_TABLE[(o.cond << 4) | (c.nzcv >>> 28)]) c.branchTo(c.pc + o.aux);
}

function cbz(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  const zero = o.sf ? (x[o.rt]! | x[o.rt + 1]!) === 0 : x[o.rt] === 0;
  if (zero !== (o.op === 1)) c.branchTo(c.pc + o.aux);
}

function tbz(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  const bit = o.imms;
  const v = bit >= 32 ? (x[o.rt + 1]! >>> (bit - 32)) & 1 : (x[o.rt]! >>> bit) & 1;
  if (v === o.op) c.branchTo(c.pc + o.aux);
}

function br(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  const lo = x[o.rn]!, hi = x[o.rn + 1]!;
  if (o.opt === 1) link(c);
  c.setPcFromHalves(lo, hi);
}

function eret(c: Aarch64Cpu, _o: DecodedOp): void {
  if (c.el === 0) { c.undefinedInstruction(); return; }
  c.eret();
}

// ---- hints and barriers --------------------------------------------------------------------------------------

function hint(c: Aarch64Cpu, o: DecodedOp): void {
  switch (o.imm) {
    case 2: { // WFE
      if (c.eventRegister) { c.eventRegister = false; return; }
      if (trapWait(c, true)) return;
      // Sleep until the next interrupt or timer event; with no wake source (a lone CPU waiting for another's
      // event) WFE completes at once, as a spurious wake-up is always allowed.
      c.waitForInterrupt();
      return;
    }
    case 3: { // WFI
      if (trapWait(c, false)) return;
      if (!c.waitForInterrupt()) c.stopWith({ kind: 'halted', detail: `WFI at EL${c.el} with no interrupt or timer that could wake the CPU` });
      return;
    }
    case 4: case 5: c.eventRegister = true; return; // SEV, SEVL (single CPU: the event reaches ourselves)
    default: return; // NOP, YIELD and the rest of the hint space (BTI, PAC hints, ESB, CSDB...) execute as NOP
  }
}

/** WFI/WFE traps: SCTLR_EL1.nTWI/nTWE at EL0 and HCR_EL2.TWI/TWE at EL0/EL1. */
function trapWait(c: Aarch64Cpu, wfe: boolean): boolean {
  const iss = (1 << 24) | (0xe << 20) | (wfe ? 1 : 0);
  if (c.el === 0 && (c.sys[2 * SLOT['SCTLR_EL1']!]! & (wfe ? 1 << 18 : 1 << 16)) === 0) {
    c.syncException(0x01, iss);
    return true;
  }
  if (c.el <= 1 && (hcr(c) & (wfe ? 1 << 14 : 1 << 13)) !== 0) {
    c.syncException(0x01, iss, 2);
    return true;
  }
  return false;
}

function barrier(c: Aarch64Cpu, o: DecodedOp): void {
  if (o.imm2 === 2) c.exclusiveAddr = -1; // CLREX; DSB/DMB/ISB/SB order nothing in a sequential model
}

function msrImm(c: Aarch64Cpu, o: DecodedOp): void {
  // op1:op2 selects the PSTATE field; CRm is the immediate
  const field = (o.imm3 << 3) | o.imm2;
  switch (field) {
    case 0x05: // SPSel
      if (c.el === 0) { c.undefinedInstruction(); return; }
      c.setElSp(c.el, o.imm & 1);
      return;
    case 0x1e: case 0x1f: // DAIFSet, DAIFClr
      if (c.el === 0 && (c.sys[2 * SLOT['SCTLR_EL1']!]! & (1 << 9)) === 0) { c.syncException(0x18, sysTrapIss(o, false)); return; }
      if (field === 0x1e) c.daif |= o.imm << 6; else c.daif &= ~(o.imm << 6);
      return;
    default:
      c.undefinedInstruction();
  }
}

function mrs(c: Aarch64Cpu, o: DecodedOp): void {
  const r = c.readSysreg(o.aux);
  if (r < 0) { c.undefinedInstruction(); return; }
  if (r > 0) { c.syncException(0x18, sysTrapIss(o, true), r); return; }
  c.setX(o.rt, R[0]!, R[1]!);
}

function msr(c: Aarch64Cpu, o: DecodedOp): void {
  const x = c.x;
  const r = c.writeSysreg(o.aux, x[o.rt]!, x[o.rt + 1]!);
  if (r < 0) c.undefinedInstruction();
  else if (r > 0) c.syncException(0x18, sysTrapIss(o, false), r);
}

// ---- SYS: cache maintenance, address translation, TLB maintenance -------------------------------------------------

function sys(c: Aarch64Cpu, o: DecodedOp): void {
  const op1 = o.imm3, crn = o.cond, crm = o.imm, op2 = o.imm2;
  const x = c.x;
  const va = x[o.rt + 1]! * TWO32 + (x[o.rt]! >>> 0);
  const el = c.el;
  const minEl = op1 === 4 ? 2 : op1 === 3 ? 0 : 1;
  if (el < minEl) { c.undefinedInstruction(); return; }
  const sctlr1 = c.sys[2 * SLOT['SCTLR_EL1']!]!;
  if (crn === 7) {
    const key = (op1 << 8) | (crm << 4) | op2;
    switch (key) {
      case 0x010: case 0x050: return; // IC IALLUIS, IC IALLU: decoded blocks already follow stores to code
      case 0x351: // IC IVAU
        if (el === 0 && (sctlr1 & (1 << 26)) === 0) { c.syncException(0x18, sysTrapIss(o, false)); return; }
        c.cacheMaintenance(va, false);
        return;
      case 0x061: c.cacheMaintenance(va, true); return; // DC IVAC (needs write permission)
      case 0x062: case 0x0a2: case 0x0e2: // DC ISW, CSW, CISW: set/way, no translation; HCR_EL2.TSW traps them
        if (el === 1 && (hcr(c) & (1 << 22)) !== 0) c.syncException(0x18, sysTrapIss(o, false), 2);
        return;
      case 0x341: { // DC ZVA
        if (el === 0 && (sctlr1 & (1 << 14)) === 0) { c.syncException(0x18, sysTrapIss(o, false)); return; }
        const base = va - (((va % 64) + 64) % 64);
        c.translateData(base, true);
        for (let i = 0; i < 64; i += 8) c.write64(base + i, 0, 0);
        return;
      }
      case 0x3a1: case 0x3b1: case 0x3c1: case 0x3e1: // DC CVAC, CVAU, CVAP, CIVAC
        if (el === 0 && (sctlr1 & (1 << 26)) === 0) { c.syncException(0x18, sysTrapIss(o, false)); return; }
        c.cacheMaintenance(va, false);
        return;
      case 0x080: case 0x081: case 0x082: case 0x083: // AT S1E1R, S1E1W, S1E0R, S1E0W
        c.addressTranslate(va, op2 >= 2 ? 0 : 1, (op2 & 1) === 1);
        c.setSys(SLOT['PAR_EL1']!, R[0]!, R[1]!);
        return;
      case 0x484: case 0x485: case 0x486: case 0x487: // AT S12E1R, S12E1W, S12E0R, S12E0W
        c.addressTranslate(va, op2 >= 6 ? 0 : 1, (op2 & 1) === 1, true);
        c.setSys(SLOT['PAR_EL1']!, R[0]!, R[1]!);
        return;
      case 0x480: case 0x481: // AT S1E2R, S1E2W
        c.addressTranslate(va, 2, op2 === 1);
        c.setSys(SLOT['PAR_EL1']!, R[0]!, R[1]!);
        return;
    }
    c.stopWith({ kind: 'unimplemented', detail: `SYS #${op1}, C7, C${crm}, #${op2} (cache/AT operation) is not implemented` });
    return;
  }
  if (crn === 8) {
    if (el === 1 && (hcr(c) & (1 << 25)) !== 0) { c.syncException(0x18, sysTrapIss(o, false), 2); return; } // HCR_EL2.TTLB
    // TLBI by VA (VAE1, VAAE1, VALE1, VAALE1 and VAE2, VALE2; local, IS and OS forms) drops the entries of that
    // page; every other variant invalidates the whole software TLB (a superset of what was asked).
    const notRange = crm === 1 || crm === 3 || crm === 7;
    if (notRange && op1 === 0 && (op2 & 1) === 1) c.invalidateTlbVa(1, x[o.rt]!, x[o.rt + 1]!);
    else if (notRange && op1 === 4 && (op2 === 1 || op2 === 5)) c.invalidateTlbVa(2, x[o.rt]!, x[o.rt + 1]!);
    else c.flushTlb();
    return;
  }
  c.undefinedInstruction();
}

// ---- the table --------------------------------------------------------------------------------------------------

const imm26 = (o: DecodedOp): void => { o.aux = sext(o.imm, 26) * 4; };
const imm19 = (o: DecodedOp): void => { o.aux = sext(o.imm, 19) * 4; };
const imm14 = (o: DecodedOp): void => { o.aux = sext(o.imm, 14) * 4; };
const sysKey = (o: DecodedOp): void => { o.aux = (o.word >>> 5) & 0xffff; };

export const BRANCH_SYSTEM: InsnSpec[] = [
  { name: 'B/BL', pattern: 'p00101 iiiiiiiiiiiiiiiiiiiiiiiiii', exec: b, prepare: imm26, ends: true },
  // Conditional branches do not end a block: the not-taken path continues in it, a taken one leaves it.
  { name: 'B.cond', pattern: '01010100 iiiiiiiiiiiiiiiiiii 0 cccc', exec: bcond, prepare: imm19 },
  { name: 'CBZ/CBNZ', pattern: 'f011010p iiiiiiiiiiiiiiiiiii ttttt', exec: cbz, prepare: imm19 },
  { name: 'TBZ/TBNZ', pattern: 'x011011p xxxxx iiiiiiiiiiiiii ttttt', exec: tbz, prepare: imm14 },
  { name: 'BR/BLR/RET', pattern: '1101011 00oo 11111 000000 nnnnn 00000', exec: br, prepare: (o) => o.opt !== 3, ends: true },
  { name: 'ERET', pattern: '1101011 0100 11111 000000 11111 00000', exec: eret, ends: true },

  { name: 'SVC', pattern: '11010100 000 iiiiiiiiiiiiiiii 000 01', exec: svc, ends: true },
  { name: 'HVC', pattern: '11010100 000 iiiiiiiiiiiiiiii 000 10', exec: hvc, ends: true },
  { name: 'SMC', pattern: '11010100 000 iiiiiiiiiiiiiiii 000 11', exec: smc, ends: true },
  { name: 'BRK', pattern: '11010100 001 iiiiiiiiiiiiiiii 000 00', exec: brk, ends: true },

  { name: 'hint (NOP, WFI, WFE, SEV, ...)', pattern: '11010101000000110010 iiiiiii 11111', exec: hint, ends: true },
  { name: 'barrier (CLREX, DSB, DMB, ISB, SB)', pattern: '11010101000000110011 kkkk jjj 11111', exec: barrier, ends: true },
  { name: 'MSR (immediate)', pattern: '1101010100000 kkk 0100 iiii jjj 11111', exec: msrImm, ends: true },
  { name: 'SYS', pattern: '1101010100001 kkk cccc iiii jjj ttttt', exec: sys, ends: true },
  { name: 'MRS', pattern: '11010101001 ................ ttttt', exec: mrs, prepare: sysKey, ends: true },
  { name: 'MSR (register)', pattern: '11010101000 ................ ttttt', exec: msr, prepare: sysKey, ends: true },

  // The rest of "branches, exception generating and system instructions" (op0 101x) is unallocated here
  // (SYSL, HLT, DCPS, pointer-authenticated branches of later architecture versions).
  { name: 'unallocated (branch/exception/system)', pattern: '...101.. ........................', exec: undefinedExec, ends: true },
];
