/**
 * A decoded instruction: everything execution needs, computed once when a block is decoded and reused every
 * time the block runs (so execution allocates nothing).
 */
import type { X86Cpu } from './cpu.js';
import type { FastForm } from './exec-fast.js';

export type Handler = (cpu: X86Cpu, d: Insn) => void;

/** Operand kinds (from the table's operand letters). */
export const enum K {
  NONE = 0,
  E = 1, // ModRM rm: register or memory
  G = 2, // ModRM reg
  I = 3, // immediate
  J = 4, // relative branch target
  ACC = 5, // AL/AX/EAX/RAX
  CL = 6,
  DX = 7,
  ONE = 8,
  Z = 9, // register in the opcode's low 3 bits (+REX.B)
  O = 10, // moffs
  S = 11, // segment register in ModRM.reg
  C = 12, // control register
  D = 13, // debug register
  V = 14, // xmm in ModRM.reg
  W = 15, // xmm or memory in ModRM.rm
  SEG = 16, // fixed segment register (PUSH ES ...)
  AP = 17, // far pointer immediate
}

export const SEG_ES = 0;
export const SEG_CS = 1;
export const SEG_SS = 2;
export const SEG_DS = 3;
export const SEG_FS = 4;
export const SEG_GS = 5;

/** Base-register value meaning RIP-relative addressing. */
export const BASE_RIP = 16;

export class Insn {
  exec: Handler;
  mnemonic: string;
  /** Linear address and length: for diagnostics and for RIP arithmetic. */
  len = 0;
  osize = 4;
  asize = 4;
  k1 = K.NONE;
  k2 = K.NONE;
  k3 = K.NONE;
  /** operand sizes in bytes (16 for xmm) */
  s1 = 0;
  s2 = 0;
  s3 = 0;
  /** ModRM.reg (+REX.R), or the opcode-embedded register (+REX.B), or a fixed segment index. */
  reg = 0;
  /** ModRM.rm (+REX.B) when the rm operand is a register. */
  rm = 0;
  isMem = false;
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  seg = SEG_DS;
  /** true when a segment override prefix chose `seg` */
  segOverride = false;
  imm = 0;
  immHi = 0;
  imm2 = 0;
  /** 0, 0xf3 (REP/REPE) or 0xf2 (REPNE) when the prefix applies to a string instruction */
  rep = 0;
  lock = false;
  /** A REX prefix was present: byte registers 4-7 are SPL..DIL instead of AH..BH. */
  rex = false;
  endsBlock = false;
  /** Opcode byte (last opcode byte), available to handlers for sub-operation selection. */
  opcode = 0;
  /** Group index (ModRM.reg field without REX) */
  groupIndex = 0;
  /** A legacy-SSE 128-bit memory operand that must be 16-byte aligned (#GP(0) otherwise). */
  align16 = false;
  /** The fast form (exec-fast.ts) `exec` was generated from, if any: the block compiler inlines it. */
  form: FastForm | undefined = undefined;

  constructor(exec: Handler, mnemonic: string) {
    this.exec = exec;
    this.mnemonic = mnemonic;
  }
}
