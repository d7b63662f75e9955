/**
 * The x86-64 processor model: architectural state, lazy flags, operand access, the software TLB over the
 * paging structures, exception/interrupt delivery and the run loop over cached decoded blocks.
 *
 * Representation (hot path, no BigInt, no allocation per instruction):
 * - a 64-bit GPR is two Int32Array halves (`lo`, `hi`); values travel through the operand helpers as an
 *   unsigned low half (the return value) and an unsigned high half left in `vhi`.
 * - RIP and linear addresses are Numbers: in long mode a canonical address is a signed value in
 *   [-2^47, 2^47) (4-level paging), which a double holds exactly; in legacy modes they are unsigned 32-bit.
 *   With 5-level paging (CR4.LA57) canonical addresses span [-2^56, 2^56); the model represents the part
 *   within [-2^53, 2^53) (PML5 slots 0-31 and 480-511) and ends the run with a NotImplementedError verdict
 *   when a guest uses a canonical address beyond it (a double cannot hold it exactly).
 * - physical addresses are Numbers below 2^52.
 */
import { type PhysicalBus, PAGE_SIZE, type RamRegion, BusError } from '../../memory/bus.js';
import type { IoPortBus } from '../../memory/io-ports.js';
import { Decoder, DecoderTables, DecodeFailure } from './decoder.js';
import { BASE_RIP, type Handler, type Insn, K, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from './insn.js';
import { AC, CF, DF, ID, IF, IOPL, LazyOp, NT, OF, PARITY, PF, RF, SF, TF, VM, ZF, AF } from './flags.js';
import { HANDLERS } from './handlers.js';
import { type CompiledBlock, COMPILE_THRESHOLD, compileBlock } from './block-compiler.js';
import { MsrFile, type X2ApicMsrTarget } from './msr.js';
import { NotImplementedError } from '../../../common/errors.js';
import {
  CANON_LIMIT,
  canonicalState57,
  CR0_CD,
  CR0_ET,
  CR0_NW,
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_LA57,
  CR4_PAE,
  CR4_PCIDE,
  CR4_PSE,
  CR4_SMAP,
  CR4_SMEP,
  CR4_SUPPORTED,
  EFER_LMA,
  EFER_LME,
  EFER_NXE,
  VEC_DB,
  VEC_DF,
  VEC_GP,
  VEC_NP,
  VEC_PF,
  VEC_SS,
  VEC_TS,
  VEC_UD,
  wrap64,
} from './arch.js';

/** Thrown (as this one object, never allocated per fault) when a guest exception interrupts an instruction. */
export const GUEST_FAULT = { guestFault: true } as const;

export * from './arch.js';


const ACC_READ = 0;
const ACC_WRITE = 1;
const ACC_EXEC = 2;

const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;
const TWO32 = 4294967296;
const LA57_EXACT_LIMIT = 9007199254740992; // 2^53: 57-bit canonical addresses the model represents
const CANON57_LIMIT = 72057594037927936; // 2^56
const MAX_BLOCK = 64;
const BLOCK_CACHE_SIZE = 8192;

function blockSlot(key: number): number {
  return ((key >>> 2) ^ (key / 65536)) & (BLOCK_CACHE_SIZE - 1);
}

export type StopReason =
  | 'halted' // HLT with no deliverable interrupt: the board advances virtual time and runs again
  | 'exit' // a device ended the run (debug-exit port, ACPI S5, ...)
  | 'triple-fault'
  | 'unimplemented' // an instruction or feature the model does not implement
  | 'internal-error' // a bug in the model itself (message carries the host stack)
  | 'budget'
  | 'shutdown';

export interface RunResult {
  reason: StopReason;
  /** instructions retired by this call */
  instructions: number;
  /** debug-exit value (reason 'exit') */
  exitCode?: number;
  message?: string;
  registers?: string;
}

export interface InterruptSource {
  /** true when an interrupt is waiting (the CPU delivers it when RFLAGS.IF allows) */
  hasPending(): boolean;
  /** returns the vector of the highest-priority pending interrupt and marks it in service */
  acknowledge(): number;
}

interface Block {
  insns: Insn[];
  pages: number[];
  /** Successor links (block chaining): valid while `epoch` equals the CPU's chain epoch. */
  epoch: number;
  succRip0: number;
  succ0: Block | undefined;
  succRip1: number;
  succ1: Block | undefined;
  /** executions so far; at the CPU's compileThreshold the block is compiled to one JavaScript function */
  runs: number;
  compiled: CompiledBlock | undefined;
}

/** Decoded descriptor fields (cold-path helper). */
export interface Descriptor {
  base: number;
  limit: number;
  /** access byte (bits 40-47) | flags nibble (bits 52-55) << 8 */
  attr: number;
  lo: number;
  hi: number;
}

export class X86Cpu {
  // ---- architectural state ----
  readonly lo = new Int32Array(16);
  readonly hi = new Int32Array(16);
  rip = 0;
  /** address of the instruction being executed (faults restart here) */
  curRip = 0;
  /** high half of the last 64-bit value produced by a read helper */
  vhi = 0;
  flagBits = 2;
  lazyOp = LazyOp.NONE;
  lazySize = 4;
  lazyRLo = 0;
  lazyRHi = 0;
  lazyALo = 0;
  lazyAHi = 0;
  lazyBLo = 0;
  lazyBHi = 0;
  lazyCin = 0;
  lazyCF = 0;

  readonly segSel = new Uint16Array(6);
  readonly segBase = new Float64Array(6);
  readonly segLimit = new Float64Array(6);
  readonly segAttr = new Uint16Array(6);
  gdtrBase = 0;
  gdtrLimit = 0xffff;
  idtrBase = 0;
  idtrLimit = 0x3ff;
  ldtrSel = 0;
  ldtrBase = 0;
  ldtrLimit = 0;
  trSel = 0;
  trBase = 0;
  trLimit = 0xffff;
  trAttr = 0x8b;

  cr0 = CR0_ET | CR0_CD | CR0_NW;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  cr8 = 0;
  efer = 0;
  xcr0 = 1;
  readonly dr = new Float64Array(8);
  cpl = 0;
  /** 16, 32 or 64: the current code segment's default size */
  codeBits = 16;
  /** stack pointer width in bytes (2, 4 or 8) */
  stackSize = 2;

  readonly xmm = new Int32Array(64);
  /** binary32 / binary64 views of the same XMM storage (exec-ssefp.ts; the host is little-endian like x86) */
  readonly xmmF32 = new Float32Array(this.xmm.buffer);
  readonly xmmF64 = new Float64Array(this.xmm.buffer);
  mxcsr = 0x1f80;
  fcw = 0x37f;
  fsw = 0;
  ftw = 0;
  /** x87/MMX register file image (8 x 16 bytes as FXSAVE lays it out); we do not execute x87 code */
  readonly x87 = new Uint8Array(128);

  readonly msr: MsrFile;
  /** retired instructions: the virtual time base (RDTSC) */
  icount = 0;
  /**
   * Cycles the CPU spent halted (HLT) or inside a firmware service that waits (Stall) while the board moved
   * time on; the board adds them. The
   * TSC counts them too: it runs at a constant rate whatever the CPU does (invariant TSC, SDM vol. 3, 18.17),
   * so it stays in step with the board's timers across idle periods.
   */
  haltedCycles = 0;
  rngState = 0x2545f491;

  // ---- run state ----
  halted = false;
  /** set by handlers to leave the current block (mode change, stop request, code modified) */
  breakBlock = false;
  stopReason: StopReason | null = null;
  stopMessage = '';
  exitCode = 0;
  /** instruction count until which interrupts are inhibited (STI, MOV SS shadow) */
  inhibitUntil = -1;
  /** pending external interrupts raised through raiseInterrupt (bit per vector) */
  private readonly pendingIrq = new Uint32Array(8);
  private pendingIrqCount = 0;
  interruptSource: InterruptSource | null = null;
  /**
   * 5-level paging is part of the CPU model (CPUID.7.0:ECX.LA57, 57 linear-address bits, CR4.LA57, 57-bit
   * canonical checks on state loads). A board may turn it off before the guest runs, e.g. for a Linux that
   * would otherwise switch to 5-level paging and place its direct map beyond +-2^53 (see the header).
   */
  la57Supported = true;
  /** The board's local APIC for the x2APIC MSRs 0x800-0x8ff and IA32_APIC_BASE.EN/EXTD (msr.ts). */
  apic: X2ApicMsrTarget | null = null;
  /**
   * Checked before every block with the RIP about to run (HLE firmware trap addresses are function entry
   * points, so they always start a block). Returning true means the hook serviced that address: it may have
   * changed RIP and registers or called stop(). Each serviced trap counts as one retired instruction, so a
   * hook that never moves RIP still ends with the budget.
   */
  trapHook: ((rip: number) => boolean) | null = null;
  /** Compile hot blocks to JavaScript functions (block-compiler.ts); off = pure interpreter. */
  compileBlocks = true;
  /** A block is compiled on this run (tests set 1 to run every block compiled from the start). */
  compileThreshold = COMPILE_THRESHOLD;

  faultVector = 0;
  faultError = -1;
  /** a data access on behalf of the system (descriptor tables, TSS): U/S checks as supervisor */
  systemAccess = false;

  // ---- software TLB (direct mapped; separate read/write/exec) ----
  private readonly tlbTag = [new Float64Array(TLB_SIZE), new Float64Array(TLB_SIZE), new Float64Array(TLB_SIZE)];
  private readonly tlbUser = [new Uint8Array(TLB_SIZE), new Uint8Array(TLB_SIZE), new Uint8Array(TLB_SIZE)];
  private readonly tlbOff = [new Float64Array(TLB_SIZE), new Float64Array(TLB_SIZE), new Float64Array(TLB_SIZE)];
  private readonly tlbView: DataView[][] = [[], [], []];
  private readonly tlbBytes: Uint8Array[][] = [[], [], []];
  private readonly tlbPhys = [new Float64Array(TLB_SIZE), new Float64Array(TLB_SIZE), new Float64Array(TLB_SIZE)];
  private readonly regionViews = new Map<RamRegion, DataView>();

  // ---- decoded blocks ----
  private readonly blocks = new Map<number, Block>();
  /** direct-mapped front cache of `blocks` (avoids Map lookups with non-Smi keys on every block) */
  private readonly blockCacheKey = new Float64Array(BLOCK_CACHE_SIZE).fill(NaN);
  private readonly blockCacheVal: (Block | undefined)[] = new Array(BLOCK_CACHE_SIZE).fill(undefined);
  private readonly blocksByPage = new Map<number, number[]>();
  private readonly decoder: Decoder;

  /** host-side hook for OUT/IN tracing and boards */
  readonly bus: PhysicalBus;
  readonly io: IoPortBus;

  constructor(bus: PhysicalBus, io: IoPortBus) {
    this.bus = bus;
    this.io = io;
    this.msr = new MsrFile(this);
    decoderTables ??= new DecoderTables(HANDLERS);
    this.decoder = new Decoder(decoderTables, unimplemented);
    for (const t of this.tlbTag) t.fill(NaN);
    bus.onCodeWrite((page) => this.invalidateCodePage(page));
    this.reset();
  }

  /** Power-on state (SDM vol. 3, 9.1.1), except that execution starts wherever the loader sets RIP. */
  reset(): void {
    this.lo.fill(0);
    this.hi.fill(0);
    this.lo[2] = 0x600; // EDX: family/model/stepping at reset
    this.setFlags(2);
    this.cr0 = CR0_ET | CR0_CD | CR0_NW;
    this.cr2 = this.cr3 = this.cr4 = this.cr8 = 0;
    this.efer = 0;
    this.xcr0 = 1;
    for (let s = 0; s < 6; s++) {
      this.segSel[s] = 0;
      this.segBase[s] = 0;
      this.segLimit[s] = 0xffff;
      this.segAttr[s] = 0x93;
    }
    this.segSel[SEG_CS] = 0xf000;
    this.segBase[SEG_CS] = 0xffff0000;
    this.segAttr[SEG_CS] = 0x9b;
    this.rip = 0xfff0;
    this.cpl = 0;
    this.halted = false;
    this.updateMode();
    this.flushTlb();
  }

  // =====================================================================================================
  // flags
  // =====================================================================================================

  getCF(): number {
    switch (this.lazyOp) {
      case LazyOp.NONE: return this.flagBits & CF;
      case LazyOp.ADD:
        if (this.lazySize === 8) {
          const rh = this.lazyRHi >>> 0, ah = this.lazyAHi >>> 0;
          if (rh !== ah) return rh < ah ? 1 : 0;
          const rl = this.lazyRLo >>> 0, al = this.lazyALo >>> 0;
          return rl < al || (this.lazyCin !== 0 && rl === al) ? 1 : 0;
        }
        return this.lazyRLo < this.lazyALo || (this.lazyCin !== 0 && this.lazyRLo === this.lazyALo) ? 1 : 0;
      case LazyOp.SUB:
        if (this.lazySize === 8) {
          const ah = this.lazyAHi >>> 0, bh = this.lazyBHi >>> 0;
          if (ah !== bh) return ah < bh ? 1 : 0;
          const al = this.lazyALo >>> 0, bl = this.lazyBLo >>> 0;
          return al < bl || (this.lazyCin !== 0 && al === bl) ? 1 : 0;
        }
        return this.lazyALo < this.lazyBLo || (this.lazyCin !== 0 && this.lazyALo === this.lazyBLo) ? 1 : 0;
      case LazyOp.LOGIC: return 0;
      default: return this.lazyCF;
    }
  }

  private topBit(lo: number, hi: number): number {
    const s = this.lazySize;
    return s === 8 ? hi >>> 31 : (lo >>> (s * 8 - 1)) & 1;
  }

  getZF(): number {
    if (this.lazyOp === LazyOp.NONE) return (this.flagBits >> 6) & 1;
    return (this.lazyRLo | (this.lazySize === 8 ? this.lazyRHi : 0)) === 0 ? 1 : 0;
  }

  getSF(): number {
    if (this.lazyOp === LazyOp.NONE) return (this.flagBits >> 7) & 1;
    return this.topBit(this.lazyRLo, this.lazyRHi);
  }

  getOF(): number {
    switch (this.lazyOp) {
      case LazyOp.NONE: return (this.flagBits >> 11) & 1;
      case LazyOp.ADD: case LazyOp.INC:
        return this.topBit(
          (this.lazyALo ^ this.lazyRLo) & (this.lazyBLo ^ this.lazyRLo),
          (this.lazyAHi ^ this.lazyRHi) & (this.lazyBHi ^ this.lazyRHi),
        );
      case LazyOp.SUB: case LazyOp.DEC:
        return this.topBit(
          (this.lazyALo ^ this.lazyBLo) & (this.lazyALo ^ this.lazyRLo),
          (this.lazyAHi ^ this.lazyBHi) & (this.lazyAHi ^ this.lazyRHi),
        );
      default: return 0;
    }
  }

  getPF(): number {
    if (this.lazyOp === LazyOp.NONE) return (this.flagBits >> 2) & 1;
    return PARITY[this.lazyRLo & 0xff]!;
  }

  getAF(): number {
    if (this.lazyOp === LazyOp.NONE) return (this.flagBits >> 4) & 1;
    if (this.lazyOp === LazyOp.LOGIC) return 0;
    return ((this.lazyALo ^ this.lazyBLo ^ this.lazyRLo) >> 4) & 1;
  }

  /** RFLAGS (low 32 bits; the upper half is reserved zero). */
  getFlags(): number {
    if (this.lazyOp === LazyOp.NONE) return this.flagBits;
    return (
      (this.flagBits & ~(CF | PF | AF | ZF | SF | OF)) |
      this.getCF() |
      (this.getPF() << 2) |
      (this.getAF() << 4) |
      (this.getZF() << 6) |
      (this.getSF() << 7) |
      (this.getOF() << 11)
    );
  }

  setFlags(v: number): void {
    this.flagBits = (v | 2) & ~(8 | 0x20 | 0x8000) & 0x3fffff;
    this.lazyOp = LazyOp.NONE;
  }

  /** Turns lazy flags into flagBits so individual bits can be changed. */
  materializeFlags(): void {
    if (this.lazyOp !== LazyOp.NONE) this.setFlags(this.getFlags());
  }

  /** Sets all six arithmetic flags at once (eagerly computed results). */
  setArith(cf: number, pf: number, af: number, zf: number, sf: number, of: number): void {
    this.flagBits =
      (this.flagBits & ~(CF | PF | AF | ZF | SF | OF)) | cf | (pf << 2) | (af << 4) | (zf << 6) | (sf << 7) | (of << 11);
    this.lazyOp = LazyOp.NONE;
  }

  setLazy(op: LazyOp, size: number, rlo: number, rhi: number, alo: number, ahi: number, blo: number, bhi: number): void {
    this.lazyOp = op;
    this.lazySize = size;
    this.lazyRLo = rlo;
    this.lazyRHi = rhi;
    this.lazyALo = alo;
    this.lazyAHi = ahi;
    this.lazyBLo = blo;
    this.lazyBHi = bhi;
    this.lazyCin = 0;
  }

  /**
   * Condition codes 0-15 in Jcc order. Kept small so V8 inlines it where `cc` is a literal (compiled blocks,
   * the generated Jcc/CMOVcc handlers) and folds the switch: after a CMP/SUB (no borrow in) or a logic
   * operation the common conditions come straight from the operands, without computing the flags.
   */
  cond(cc: number): boolean {
    if (this.lazyOp === LazyOp.SUB && this.lazyCin === 0) return this.condAfterSub(cc);
    if (this.lazyOp === LazyOp.LOGIC) return this.condAfterLogic(cc);
    return this.condFromFlags(cc);
  }

  private condAfterSub(cc: number): boolean {
    const sz = this.lazySize;
    switch (cc) {
      case 4: return this.getZF() === 1;
      case 5: return this.getZF() === 0;
      case 2: case 3: case 6: case 7: {
        let lt: boolean;
        let eq: boolean;
        if (sz === 8) {
          const ah = this.lazyAHi >>> 0, bh = this.lazyBHi >>> 0;
          lt = ah < bh || (ah === bh && this.lazyALo >>> 0 < this.lazyBLo >>> 0);
          eq = ah === bh && this.lazyALo === this.lazyBLo;
        } else {
          lt = this.lazyALo < this.lazyBLo;
          eq = this.lazyALo === this.lazyBLo;
        }
        return cc === 2 ? lt : cc === 3 ? !lt : cc === 6 ? lt || eq : !(lt || eq);
      }
      case 12: case 13: case 14: case 15: {
        let lt: boolean;
        let eq: boolean;
        if (sz === 8) {
          const ah = this.lazyAHi | 0, bh = this.lazyBHi | 0;
          lt = ah < bh || (ah === bh && this.lazyALo >>> 0 < this.lazyBLo >>> 0);
          eq = ah === bh && this.lazyALo === this.lazyBLo;
        } else {
          const sh = 32 - sz * 8;
          const a = (this.lazyALo << sh) >> sh, b = (this.lazyBLo << sh) >> sh;
          lt = a < b;
          eq = a === b;
        }
        return cc === 12 ? lt : cc === 13 ? !lt : cc === 14 ? lt || eq : !(lt || eq);
      }
      default: return this.condFromFlags(cc);
    }
  }

  private condAfterLogic(cc: number): boolean {
    switch (cc) {
      case 4: return this.getZF() === 1;
      case 5: return this.getZF() === 0;
      case 8: case 12: return this.getSF() === 1;
      case 9: case 13: return this.getSF() === 0;
      case 14: return this.getZF() === 1 || this.getSF() === 1;
      case 15: return this.getZF() === 0 && this.getSF() === 0;
      default: return this.condFromFlags(cc);
    }
  }

  private condFromFlags(cc: number): boolean {
    let r: number;
    switch (cc >> 1) {
      case 0: r = this.getOF(); break;
      case 1: r = this.getCF(); break;
      case 2: r = this.getZF(); break;
      case 3: r = this.getCF() | this.getZF(); break;
      case 4: r = this.getSF(); break;
      case 5: r = this.getPF(); break;
      case 6: r = this.getSF() ^ this.getOF(); break;
      default: r = (this.getSF() ^ this.getOF()) | this.getZF(); break;
    }
    return (r ^ (cc & 1)) !== 0;
  }

  // =====================================================================================================
  // registers
  // =====================================================================================================

  /** Reads a GPR of `size` bytes. Returns the low half unsigned; the high half (size 8) is left in vhi. */
  readReg(size: number, r: number, rex: boolean): number {
    switch (size) {
      case 8: this.vhi = this.hi[r]! >>> 0; return this.lo[r]! >>> 0;
      case 4: this.vhi = 0; return this.lo[r]! >>> 0;
      case 2: this.vhi = 0; return this.lo[r]! & 0xffff;
      default:
        this.vhi = 0;
        if (!rex && r >= 4 && r < 8) return (this.lo[r - 4]! >>> 8) & 0xff;
        return this.lo[r]! & 0xff;
    }
  }

  writeReg(size: number, r: number, rex: boolean, v: number, vhi: number): void {
    switch (size) {
      case 8: this.lo[r] = v; this.hi[r] = vhi; return;
      case 4: this.lo[r] = v; this.hi[r] = 0; return;
      case 2: this.lo[r] = (this.lo[r]! & ~0xffff) | (v & 0xffff); return;
      default:
        if (!rex && r >= 4 && r < 8) this.lo[r - 4] = (this.lo[r - 4]! & ~0xff00) | ((v & 0xff) << 8);
        else this.lo[r] = (this.lo[r]! & ~0xff) | (v & 0xff);
    }
  }

  /** A register as a Number (exact below 2^53; used for addresses and counts). */
  regNum(r: number): number {
    return this.hi[r]! * TWO32 + (this.lo[r]! >>> 0);
  }

  /** Writes a register from a signed or unsigned Number (exact integers within +-2^53). */
  setRegNum(r: number, v: number): void {
    this.lo[r] = v | 0;
    this.hi[r] = Math.floor(v / TWO32) | 0;
  }

  // =====================================================================================================
  // operands
  // =====================================================================================================

  /** Linear address of the memory operand (segment base added; canonical check in long mode). */
  /** Low/high halves of the last 64-bit effective-address computation (offset64). */
  eaLo = 0;
  eaHi = 0;

  /** The 64-bit offset (base + index*scale + disp, exact modulo 2^64) into eaLo/eaHi. */
  offset64(d: Insn): void {
    // fast path: register terms below 2^48 in magnitude make the double sum exact
    const b0 = d.base, x0 = d.index;
    const bh = b0 >= 0 && b0 !== BASE_RIP ? this.hi[b0]! : 0;
    const xh = x0 >= 0 ? this.hi[x0]! : 0;
    if (bh <= 0xffff && bh >= -0x10000 && xh <= 0xffff && xh >= -0x10000 && d.disp >= -2147483648 && d.disp <= 2147483647) {
      let l = d.disp;
      if (b0 >= 0) l += b0 === BASE_RIP ? this.rip : bh * TWO32 + (this.lo[b0]! >>> 0);
      if (x0 >= 0) l += (xh * TWO32 + (this.lo[x0]! >>> 0)) * (1 << d.scale);
      this.eaLo = l >>> 0;
      this.eaHi = Math.floor(l / TWO32) | 0;
      return;
    }
    let lo: number;
    let hi: number;
    const disp = d.disp;
    if (disp >= -2147483648 && disp <= 2147483647) {
      lo = disp >>> 0;
      hi = disp < 0 ? -1 : 0;
    } else {
      lo = disp >>> 0; // moffs64: a full canonical address
      hi = Math.floor(disp / TWO32);
    }
    const b = d.base;
    if (b >= 0) {
      if (b === BASE_RIP) {
        lo += this.rip >>> 0;
        hi += Math.floor(this.rip / TWO32);
      } else {
        lo += this.lo[b]! >>> 0;
        hi += this.hi[b]!;
      }
    }
    if (d.index >= 0) {
      const m = 1 << d.scale;
      lo += (this.lo[d.index]! >>> 0) * m;
      hi += this.hi[d.index]! * m;
    }
    const carry = Math.floor(lo / TWO32);
    this.eaLo = (lo - carry * TWO32) >>> 0;
    this.eaHi = (hi + carry) | 0;
  }

  ea(d: Insn): number {
    const asize = d.asize;
    let off: number;
    if (asize === 8) {
      // fast path: with every register term below 2^48 in magnitude the double sum is exact
      let l = d.disp;
      const b = d.base;
      let fast = true;
      if (b >= 0) {
        if (b === BASE_RIP) l += this.rip;
        else {
          const h = this.hi[b]!;
          if (h > 0xffff || h < -0x10000) fast = false;
          l += h * TWO32 + (this.lo[b]! >>> 0);
        }
      }
      const x = d.index;
      if (x >= 0) {
        const h = this.hi[x]!;
        if (h > 0xffff || h < -0x10000) fast = false;
        l += (h * TWO32 + (this.lo[x]! >>> 0)) * (1 << d.scale);
      }
      if (d.seg >= SEG_FS) l += this.segBase[d.seg]!;
      if (fast && l < CANON_LIMIT && l >= -CANON_LIMIT) return l;
      this.offset64(d);
      let hi = this.eaHi;
      let lo = this.eaLo;
      if (d.seg >= SEG_FS) {
        const base = this.segBase[d.seg]!;
        lo += base >>> 0;
        hi += Math.floor(base / TWO32);
        const carry = Math.floor(lo / TWO32);
        lo -= carry * TWO32;
        hi = (hi + carry) | 0;
      }
      const exact = hi * TWO32 + lo;
      if (exact >= CANON_LIMIT || exact < -CANON_LIMIT) return this.canonicalWide(exact, d.seg === SEG_SS ? VEC_SS : VEC_GP);
      return exact;
    }
    off = d.disp;
    if (d.base >= 0) off += d.base === BASE_RIP ? this.rip : this.lo[d.base]!;
    if (d.index >= 0) off += this.lo[d.index]! << d.scale;
    if (asize === 4) {
      off >>>= 0;
      if (this.codeBits === 64) return d.seg >= SEG_FS ? wrap64(off + this.segBase[d.seg]!) : off;
      return (off + this.segBase[d.seg]!) >>> 0;
    }
    return ((off & 0xffff) + this.segBase[d.seg]!) >>> 0;
  }

  /**
   * The memory operand's linear address, or NaN where `ea` would fault for a non-canonical address (or stop
   * for a canonical 5-level one beyond +-2^53, which no TLB entry can hold): for INVLPG, a no-op then.
   */
  eaQuiet(d: Insn): number {
    try {
      return this.ea(d);
    } catch (e) {
      if (e === GUEST_FAULT || e instanceof NotImplementedError) return NaN;
      throw e;
    }
  }

  /** Reads operand 1/2/3 according to its kind. */
  readOp(d: Insn, k: K, size: number): number {
    switch (k) {
      case K.E:
        if (!d.isMem) return this.readReg(size, d.rm, d.rex);
        return this.readMem(this.ea(d), size);
      case K.G: case K.Z: return this.readReg(size, d.reg, d.rex);
      case K.I: this.vhi = size === 8 ? d.immHi : 0; return size === 8 ? d.imm : size === 4 ? d.imm >>> 0 : d.imm & (size === 2 ? 0xffff : 0xff);
      case K.ACC: return this.readReg(size, 0, d.rex);
      case K.CL: this.vhi = 0; return this.lo[1]! & 0xff;
      case K.ONE: this.vhi = 0; return 1;
      case K.O: return this.readMem(this.ea(d), size);
      case K.DX: this.vhi = 0; return this.lo[2]! & 0xffff;
    }
    throw new Error(`readOp: operand kind ${k} of ${d.mnemonic}`);
  }

  /**
   * Writes operand (kind E/G/Z/ACC/O). For a memory E operand `lin` is the address computed when it was read
   * (a read-modify-write must not compute it twice); registers ignore it. Callers that did not read the
   * operand use writeOpFresh: a "no address" sentinel would have to be a non-Smi (every Number is a linear
   * address), and such a value here makes V8 handle `lin` as a double in the hottest handlers.
   */
  writeOp(d: Insn, k: K, size: number, v: number, vhi: number, lin: number): void {
    switch (k) {
      case K.E:
        if (!d.isMem) return this.writeReg(size, d.rm, d.rex, v, vhi);
        return this.writeMem(lin, size, v, vhi);
      case K.G: case K.Z: return this.writeReg(size, d.reg, d.rex, v, vhi);
      case K.ACC: return this.writeReg(size, 0, d.rex, v, vhi);
      case K.O: return this.writeMem(this.ea(d), size, v, vhi);
    }
    throw new Error(`writeOp: operand kind ${k} of ${d.mnemonic}`);
  }

  /** Writes operand (kind E/G/Z/ACC/O) that was not read first: a memory operand's address is computed now. */
  writeOpFresh(d: Insn, k: K, size: number, v: number, vhi: number): void {
    switch (k) {
      case K.E:
        if (!d.isMem) return this.writeReg(size, d.rm, d.rex, v, vhi);
        return this.writeMem(this.ea(d), size, v, vhi);
      case K.G: case K.Z: return this.writeReg(size, d.reg, d.rex, v, vhi);
      case K.ACC: return this.writeReg(size, 0, d.rex, v, vhi);
      case K.O: return this.writeMem(this.ea(d), size, v, vhi);
    }
    throw new Error(`writeOpFresh: operand kind ${k} of ${d.mnemonic}`);
  }

  // =====================================================================================================
  // memory (linear addresses through the TLB)
  // =====================================================================================================

  private isUser(): boolean {
    return this.cpl === 3 && !this.systemAccess;
  }

  /**
   * May this data access use a TLB entry of a user page without a page walk? User accesses may; supervisor
   * accesses only while SMAP cannot refuse them: CR4.SMAP clear, or an explicit access (CPL < 3, not on
   * behalf of the system) with EFLAGS.AC set (SDM vol. 3, 4.6.1). The walk (checkAccess) raises the #PF.
   */
  private userPageOk(): boolean {
    return (this.cr4 & CR4_SMAP) === 0 || (!this.systemAccess && (this.cpl === 3 || (this.flagBits & AC) !== 0));
  }

  /**
   * Canonical check of a value loaded into state that holds a linear address (MSRs, WRFSBASE): at the CPU's
   * maximum linear-address width (arch.ts, canonicalState57), 48 bits without LA57. NaN when not canonical.
   */
  canonicalState(lo: number, hi: number): number {
    if (this.la57Supported) return canonicalState57(lo, hi);
    const v = (hi | 0) * TWO32 + (lo >>> 0);
    return v >= CANON_LIMIT || v < -CANON_LIMIT ? NaN : v;
  }

  /** 5-level paging is in use (CR4.LA57 counts only in IA-32e mode). */
  la57Active(): boolean {
    return (this.cr4 & CR4_LA57) !== 0 && (this.efer & EFER_LMA) !== 0;
  }

  /**
   * The canonical check for a 64-bit linear address outside [-2^47, 2^47) (already reduced modulo 2^64):
   * non-canonical with 4-level paging; with 5-level paging canonical below 2^56 in magnitude, and usable by
   * this model below 2^53 (see the header comment). Returns the address or raises `vector`(0).
   */
  canonicalWide(v: number, vector: number): number {
    if (!this.la57Active() || v >= CANON57_LIMIT || v < -CANON57_LIMIT) this.fault(vector, 0);
    if (v >= LA57_EXACT_LIMIT || v < -LA57_EXACT_LIMIT) {
      throw new NotImplementedError(
        `5-level paging: the canonical linear address ${v < 0 ? '-' : ''}0x${Math.abs(v).toString(16)} lies beyond +-2^53, which this CPU model does not represent`,
      );
    }
    return v;
  }

  readMem(lin: number, size: number): number {
    switch (size) {
      case 1: this.vhi = 0; return this.read8(lin);
      case 2: this.vhi = 0; return this.read16(lin);
      case 4: this.vhi = 0; return this.read32(lin);
      default: {
        const l = this.read32(lin);
        this.vhi = this.read32(lin + 4);
        return l;
      }
    }
  }

  writeMem(lin: number, size: number, v: number, vhi: number): void {
    switch (size) {
      case 1: return this.write8(lin, v);
      case 2: return this.write16(lin, v);
      case 4: return this.write32(lin, v);
      default:
        // check both halves are writable before changing memory (a fault must not leave a torn write)
        if ((lin & 0xfff) > 0xff8) this.translate(lin + 7, ACC_WRITE);
        this.write32(lin, v);
        this.write32(lin + 4, vhi);
    }
  }

  read8(lin: number): number {
    const vpn = Math.floor(lin / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    if (this.tlbTag[0]![i] === vpn && (this.tlbUser[0]![i] ? this.userPageOk() : !this.isUser())) {
      return this.tlbBytes[0]![i]![this.tlbOff[0]![i]! + (lin & 0xfff)]!;
    }
    return this.slowRead(lin, 1);
  }

  read16(lin: number): number {
    const vpn = Math.floor(lin / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    const po = lin & 0xfff;
    if (po <= 0xffe && this.tlbTag[0]![i] === vpn && (this.tlbUser[0]![i] ? this.userPageOk() : !this.isUser())) {
      return this.tlbView[0]![i]!.getUint16(this.tlbOff[0]![i]! + po, true);
    }
    if (po > 0xffe) return this.read8(lin) | (this.read8(lin + 1) << 8);
    return this.slowRead(lin, 2);
  }

  read32(lin: number): number {
    const vpn = Math.floor(lin / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    const po = lin & 0xfff;
    if (po <= 0xffc && this.tlbTag[0]![i] === vpn && (this.tlbUser[0]![i] ? this.userPageOk() : !this.isUser())) {
      return this.tlbView[0]![i]!.getUint32(this.tlbOff[0]![i]! + po, true);
    }
    if (po > 0xffc) return (this.read16(lin) | (this.read16(lin + 2) << 16)) >>> 0;
    return this.slowRead(lin, 4);
  }

  write8(lin: number, v: number): void {
    const vpn = Math.floor(lin / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    if (this.tlbTag[1]![i] === vpn && (this.tlbUser[1]![i] ? this.userPageOk() : !this.isUser())) {
      this.tlbBytes[1]![i]![this.tlbOff[1]![i]! + (lin & 0xfff)] = v;
      return;
    }
    this.slowWrite(lin, 1, v);
  }

  write16(lin: number, v: number): void {
    const vpn = Math.floor(lin / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    const po = lin & 0xfff;
    if (po <= 0xffe && this.tlbTag[1]![i] === vpn && (this.tlbUser[1]![i] ? this.userPageOk() : !this.isUser())) {
      this.tlbView[1]![i]!.setUint16(this.tlbOff[1]![i]! + po, v, true);
      return;
    }
    if (po > 0xffe) {
      this.translate(lin + 1, ACC_WRITE);
      this.write8(lin, v);
      this.write8(lin + 1, v >>> 8);
      return;
    }
    this.slowWrite(lin, 2, v);
  }

  write32(lin: number, v: number): void {
    const vpn = Math.floor(lin / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    const po = lin & 0xfff;
    if (po <= 0xffc && this.tlbTag[1]![i] === vpn && (this.tlbUser[1]![i] ? this.userPageOk() : !this.isUser())) {
      this.tlbView[1]![i]!.setUint32(this.tlbOff[1]![i]! + po, v, true);
      return;
    }
    if (po > 0xffc) {
      this.translate(lin + 3, ACC_WRITE);
      this.write16(lin, v);
      this.write16(lin + 2, v >>> 16);
      return;
    }
    this.slowWrite(lin, 4, v);
  }

  private slowRead(lin: number, size: number): number {
    const phys = this.translate(lin, ACC_READ);
    try {
      return size === 1 ? this.bus.read8(phys) : size === 2 ? this.bus.read16(phys) : this.bus.read32(phys);
    } catch (e) {
      if (e instanceof BusError) return this.unassigned(e);
      throw e;
    }
  }

  private slowWrite(lin: number, size: number, v: number): void {
    const phys = this.translate(lin, ACC_WRITE);
    try {
      if (size === 1) this.bus.write8(phys, v & 0xff);
      else if (size === 2) this.bus.write16(phys, v & 0xffff);
      else this.bus.write32(phys, v >>> 0);
    } catch (e) {
      if (e instanceof BusError) {
        this.unassigned(e);
        return;
      }
      throw e;
    }
  }

  /** Unassigned physical addresses read as all ones and ignore writes, as on a PC. */
  private unassigned(_e: BusError): number {
    return 0xffffffff;
  }

  /** Fetches one code byte (instruction decode; not a hot path thanks to the block cache). */
  fetchCode8(lin: number): number {
    const vpn = Math.floor(lin / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    if (this.tlbTag[2]![i] === vpn && (this.isUser() ? this.tlbUser[2]![i] === 1 : !(this.cr4 & CR4_SMEP && this.tlbUser[2]![i]))) {
      return this.tlbBytes[2]![i]![this.tlbOff[2]![i]! + (lin & 0xfff)]!;
    }
    const phys = this.translate(lin, ACC_EXEC);
    try {
      return this.bus.read8(phys);
    } catch (e) {
      if (e instanceof BusError) return 0xff;
      throw e;
    }
  }

  // =====================================================================================================
  // paging
  // =====================================================================================================

  flushTlb(): void {
    for (const t of this.tlbTag) t.fill(NaN);
    this.chainEpoch++;
  }

  /**
   * Block-chaining epoch: successor links between decoded blocks are keyed by linear RIP, so anything that
   * can change what a linear address means or may execute (TLB flushes, INVLPG, mode/CPL changes, code
   * invalidation) starts a new epoch.
   */
  chainEpoch = 0;

  invlpg(lin: number): void {
    const vpn = Math.floor(lin / PAGE_SIZE);
    const i = vpn & TLB_MASK;
    // large pages cover many TLB slots: drop every slot that maps a page of the same 1 GiB region cheaply
    for (let a = 0; a < 3; a++) if (this.tlbTag[a]![i] === vpn) this.tlbTag[a]![i] = NaN;
    this.chainEpoch++;
    if (this.largePagesSeen) this.flushTlb();
  }

  private largePagesSeen = false;

  /** Translates a linear address for an access, filling the TLB; raises #PF on a violation. */
  translate(lin: number, access: number): number {
    // every 64-bit access reaches here canonical-checked except string operands: check them here (slow path)
    if ((lin >= CANON_LIMIT || lin < -CANON_LIMIT) && this.efer & EFER_LMA) this.canonicalWide(lin, VEC_GP);
    const user = this.isUser();
    let phys: number;
    let userOk = 1;
    let writable = 1;
    if (!(this.cr0 & CR0_PG)) {
      phys = this.codeBits === 64 ? lin : lin >>> 0;
    } else {
      phys = this.walk(lin, access, user);
      userOk = this.walkUser;
      writable = this.walkWritable;
    }
    // fill the TLB when the page is RAM
    const ppage = Math.floor(phys / PAGE_SIZE);
    const region = this.bus.regionAt(ppage * PAGE_SIZE);
    if (region && region.kind === 'ram' && region.base <= ppage * PAGE_SIZE && region.base + region.size >= (ppage + 1) * PAGE_SIZE) {
      if (access !== ACC_WRITE || (writable && !this.bus.isCodePage(ppage))) {
        const vpn = Math.floor(lin / PAGE_SIZE);
        const i = vpn & TLB_MASK;
        let view = this.regionViews.get(region);
        if (!view) {
          view = new DataView(region.bytes.buffer, region.bytes.byteOffset, region.bytes.byteLength);
          this.regionViews.set(region, view);
        }
        this.tlbTag[access]![i] = vpn;
        this.tlbUser[access]![i] = userOk;
        this.tlbOff[access]![i] = ppage * PAGE_SIZE - region.base;
        this.tlbView[access]![i] = view;
        this.tlbBytes[access]![i] = region.bytes;
        this.tlbPhys[access]![i] = ppage;
      }
    }
    return phys;
  }

  private walkUser = 1;
  private walkWritable = 1;

  private pageFault(lin: number, present: boolean, access: number, user: boolean, rsvd: boolean): never {
    this.cr2 = lin;
    let err = (present ? 1 : 0) | (access === ACC_WRITE ? 2 : 0) | (user ? 4 : 0) | (rsvd ? 8 : 0);
    if (access === ACC_EXEC && this.efer & EFER_NXE && this.cr4 & CR4_PAE) err |= 16;
    this.fault(VEC_PF, err);
  }

  /** Reads a paging-structure entry at a physical address into (walkLo, walkHi). */
  private walkLo = 0;
  private walkHi = 0;
  private readPte(phys: number, is64: boolean): void {
    const ram = this.bus.ram(phys, is64 ? 8 : 4);
    if (ram) {
      this.walkLo = (ram[0]! | (ram[1]! << 8) | (ram[2]! << 16) | (ram[3]! << 24)) >>> 0;
      this.walkHi = is64 ? (ram[4]! | (ram[5]! << 8) | (ram[6]! << 16) | (ram[7]! << 24)) >>> 0 : 0;
      return;
    }
    try {
      this.walkLo = this.bus.read32(phys);
      this.walkHi = is64 ? this.bus.read32(phys + 4) : 0;
    } catch (e) {
      if (!(e instanceof BusError)) throw e;
      this.walkLo = this.walkHi = 0xffffffff;
    }
  }

  private writePteLo(phys: number, lo: number): void {
    this.bus.write32(phys, lo >>> 0);
  }

  private walk(lin: number, access: number, user: boolean): number {
    const write = access === ACC_WRITE;
    const nxe = (this.efer & EFER_NXE) !== 0;
    let us = 1;
    let rw = 1;
    let nx = 0;
    if (!(this.cr4 & CR4_PAE)) {
      // 32-bit paging: 2 levels, 4 MiB pages with CR4.PSE
      const l = lin >>> 0;
      const pdeAddr = (this.cr3 & 0xfffff000) + ((l >>> 22) << 2);
      this.readPte(pdeAddr >>> 0, false);
      let e = this.walkLo;
      if (!(e & 1)) this.pageFault(lin, false, access, user, false);
      us &= (e >> 2) & 1;
      rw &= (e >> 1) & 1;
      if (!(e & 0x20)) this.writePteLo(pdeAddr >>> 0, e | 0x20);
      if (e & 0x80 && this.cr4 & CR4_PSE) {
        this.checkAccess(lin, access, user, us, rw, 0);
        if (write && !(e & 0x40)) this.writePteLo(pdeAddr >>> 0, e | 0x60);
        this.largePagesSeen = true;
        this.walkUser = us;
        this.walkWritable = rw && (e & 0x40 || write) ? 1 : 0;
        return ((e & 0xffc00000) >>> 0) + (l & 0x3fffff);
      }
      const pteAddr = ((e & 0xfffff000) >>> 0) + (((l >>> 12) & 0x3ff) << 2);
      this.readPte(pteAddr, false);
      e = this.walkLo;
      if (!(e & 1)) this.pageFault(lin, false, access, user, false);
      us &= (e >> 2) & 1;
      rw &= (e >> 1) & 1;
      this.checkAccess(lin, access, user, us, rw, 0);
      if (!(e & 0x20) || (write && !(e & 0x40))) this.writePteLo(pteAddr, e | 0x20 | (write ? 0x40 : 0));
      this.walkUser = us;
      this.walkWritable = rw && (e & 0x40 || write) ? 1 : 0;
      return ((e & 0xfffff000) >>> 0) + (l & 0xfff);
    }
    let table: number;
    let level: number;
    if (this.efer & EFER_LMA) {
      table = this.cr3 - (this.cr3 % PAGE_SIZE);
      table = table % 4503599627370496; // bits 51:12
      // CR3 points at the PML5 table with CR4.LA57 (SDM vol. 3, 4.5): one more level above the PML4
      level = this.cr4 & CR4_LA57 ? 5 : 4;
    } else {
      // PAE: the PDPT is 32-byte aligned at CR3
      const l = lin >>> 0;
      const pdpteAddr = (this.cr3 & 0xffffffe0) + ((l >>> 30) << 3);
      this.readPte(pdpteAddr >>> 0, true);
      if (!(this.walkLo & 1)) this.pageFault(lin, false, access, user, false);
      table = (this.walkHi & 0xfffff) * TWO32 + ((this.walkLo & 0xfffff000) >>> 0);
      level = 2;
      lin = l;
    }
    for (;;) {
      const shift = 12 + 9 * (level - 1);
      const idx = Math.floor(lin / 2 ** shift) & 511;
      const addr = table + idx * 8;
      this.readPte(addr, true);
      const elo = this.walkLo;
      const ehi = this.walkHi;
      if (!(elo & 1)) this.pageFault(lin, false, access, user, false);
      if (ehi & 0x80000000 && !nxe) this.pageFault(lin, true, access, user, true);
      us &= (elo >> 2) & 1;
      rw &= (elo >> 1) & 1;
      nx |= ehi >>> 31;
      const leaf = level === 1 || (elo & 0x80 && level <= 3);
      // PS is reserved in PML4 and PML5 entries
      if (elo & 0x80 && level >= 4) this.pageFault(lin, true, access, user, true);
      if (!leaf) {
        if (!(elo & 0x20)) this.writePteLo(addr, elo | 0x20);
        table = (ehi & 0xfffff) * TWO32 + ((elo & 0xfffff000) >>> 0);
        level--;
        continue;
      }
      this.checkAccess(lin, access, user, us, rw, nx);
      if (!(elo & 0x20) || (write && !(elo & 0x40))) this.writePteLo(addr, elo | 0x20 | (write ? 0x40 : 0));
      this.walkUser = us;
      this.walkWritable = rw && (elo & 0x40 || write) ? 1 : 0;
      const pageSize = 2 ** shift;
      if (level > 1) this.largePagesSeen = true;
      const frame = (ehi & 0xfffff) * TWO32 + ((elo & 0xfffff000) >>> 0);
      const base = frame - (frame % pageSize);
      const off = lin - Math.floor(lin / pageSize) * pageSize;
      return base + off;
    }
  }

  private checkAccess(lin: number, access: number, user: boolean, us: number, rw: number, nx: number): void {
    if (user && !us) this.pageFault(lin, true, access, user, false);
    if (access === ACC_WRITE && !rw && (user || this.cr0 & CR0_WP)) this.pageFault(lin, true, access, user, false);
    if (access === ACC_EXEC && nx) this.pageFault(lin, true, access, user, false);
    if (access === ACC_EXEC && !user && us && this.cr4 & CR4_SMEP) this.pageFault(lin, true, access, user, false);
    // SMAP: supervisor data accesses to user pages, unless explicit (CPL < 3, not a system-structure access)
    // with EFLAGS.AC = 1 (SDM vol. 3, 4.6.1)
    if (access !== ACC_EXEC && !user && us && this.cr4 & CR4_SMAP && (this.systemAccess || this.cpl === 3 || !(this.flagBits & AC))) {
      this.pageFault(lin, true, access, user, false);
    }
  }

  // =====================================================================================================
  // stack
  // =====================================================================================================

  private stackLin(off: number): number {
    if (this.stackSize === 8) {
      if (off >= CANON_LIMIT || off < -CANON_LIMIT) {
        off = wrap64(off);
        if (off >= CANON_LIMIT || off < -CANON_LIMIT) off = this.canonicalWide(off, VEC_SS);
      }
      return off;
    }
    return (off + this.segBase[SEG_SS]!) >>> 0;
  }

  /** Pushes a value of `size` bytes (2, 4 or 8). */
  push(size: number, v: number, vhi: number): void {
    const ss = this.stackSize;
    let sp: number;
    if (ss === 8) sp = this.regNum(4) - size;
    else if (ss === 4) sp = ((this.lo[4]! >>> 0) - size) >>> 0;
    else sp = ((this.lo[4]! & 0xffff) - size) & 0xffff;
    this.writeMem(this.stackLin(sp), size, v, vhi);
    if (ss === 8) this.setRegNum(4, sp);
    else if (ss === 4) this.lo[4] = sp;
    else this.lo[4] = (this.lo[4]! & ~0xffff) | sp;
  }

  /** Pops `size` bytes; the high half (size 8) lands in vhi. */
  pop(size: number): number {
    const ss = this.stackSize;
    let sp: number;
    if (ss === 8) sp = this.regNum(4);
    else if (ss === 4) sp = this.lo[4]! >>> 0;
    else sp = this.lo[4]! & 0xffff;
    const v = this.readMem(this.stackLin(sp), size);
    if (ss === 8) this.setRegNum(4, sp + size);
    else if (ss === 4) this.lo[4] = sp + size;
    else this.lo[4] = (this.lo[4]! & ~0xffff) | ((sp + size) & 0xffff);
    return v;
  }

  /** Reads at stack offset (without popping): used by far returns/IRET to validate before committing. */
  stackRead(size: number, offset: number): number {
    const ss = this.stackSize;
    let sp: number;
    if (ss === 8) sp = this.regNum(4) + offset;
    else if (ss === 4) sp = ((this.lo[4]! >>> 0) + offset) >>> 0;
    else sp = ((this.lo[4]! & 0xffff) + offset) & 0xffff;
    return this.readMem(this.stackLin(sp), size);
  }

  /** Adds to the stack pointer (size-correct). */
  addSp(n: number): void {
    const ss = this.stackSize;
    if (ss === 8) this.setRegNum(4, this.regNum(4) + n);
    else if (ss === 4) this.lo[4] = (this.lo[4]! >>> 0) + n;
    else this.lo[4] = (this.lo[4]! & ~0xffff) | ((this.lo[4]! + n) & 0xffff);
  }

  // =====================================================================================================
  // control flow helpers
  // =====================================================================================================

  /** Sets RIP for a near branch to `target` (truncated to the operand size; canonical check in 64-bit). */
  branch(target: number, osize: number): void {
    if (osize === 8 || this.codeBits === 64 && osize !== 2) {
      if (this.codeBits !== 64) target = target >>> 0;
      if (target >= CANON_LIMIT || target < -CANON_LIMIT) {
        target = wrap64(target);
        if (target >= CANON_LIMIT || target < -CANON_LIMIT) target = this.canonicalWide(target, VEC_GP);
      }
    } else if (osize === 4) {
      target = target >>> 0;
    } else {
      target = target & 0xffff;
    }
    this.rip = target;
  }

  /** Raises a guest exception (aborts the current instruction). */
  fault(vector: number, error = -1): never {
    this.faultVector = vector;
    this.faultError = error;
    throw GUEST_FAULT;
  }

  /** Ends the run with a verdict (host-side decision, e.g. an unimplemented instruction). */
  stop(reason: StopReason, message: string): void {
    this.stopReason = reason;
    this.stopMessage = message;
    this.breakBlock = true;
  }

  /** External interrupt request (local APIC interface). */
  raiseInterrupt(vector: number): void {
    const w = vector >>> 5;
    const bit = 1 << (vector & 31);
    if (!(this.pendingIrq[w]! & bit)) {
      this.pendingIrq[w]! |= bit;
      this.pendingIrqCount++;
    }
  }

  private takePendingIrq(): number {
    if (this.pendingIrqCount > 0) {
      for (let w = 7; w >= 0; w--) {
        const bits = this.pendingIrq[w]!;
        if (bits) {
          const b = 31 - Math.clz32(bits);
          this.pendingIrq[w] = bits & ~(1 << b);
          this.pendingIrqCount--;
          return w * 32 + b;
        }
      }
    }
    if (this.interruptSource && this.interruptSource.hasPending()) return this.interruptSource.acknowledge();
    return -1;
  }

  /** An external interrupt can be taken before the next instruction (IF set, no STI/MOV SS shadow, one pending). */
  private interruptDue(): boolean {
    return (this.flagBits & IF) !== 0 && this.icount >= this.inhibitUntil && this.interruptPending();
  }

  private interruptPending(): boolean {
    return this.pendingIrqCount > 0 || (this.interruptSource !== null && this.interruptSource.hasPending());
  }

  // =====================================================================================================
  // segments and modes
  // =====================================================================================================

  updateMode(): void {
    this.chainEpoch++;
    const attr = this.segAttr[SEG_CS]!;
    if (!(this.cr0 & CR0_PE)) {
      this.codeBits = 16;
      this.stackSize = 2;
      return;
    }
    if (this.efer & EFER_LMA && attr & 0x200) {
      this.codeBits = 64;
      this.stackSize = 8;
      return;
    }
    this.codeBits = attr & 0x400 ? 32 : 16;
    this.stackSize = this.segAttr[SEG_SS]! & 0x400 ? 4 : 2;
    if (this.efer & EFER_LMA) this.stackSize = this.segAttr[SEG_SS]! & 0x400 ? 4 : 2;
  }

  /** Reads a descriptor (GDT or LDT) for a selector; #GP(selector) beyond the table limit. */
  readDescriptor(sel: number, vector = VEC_GP): Descriptor {
    const ti = sel & 4;
    const base = ti ? this.ldtrBase : this.gdtrBase;
    const limit = ti ? this.ldtrLimit : this.gdtrLimit;
    const off = sel & ~7;
    if (off + 7 > limit) this.fault(vector, sel & 0xfffc);
    const saved = this.systemAccess;
    this.systemAccess = true;
    try {
      const lo = this.read32(base + off);
      const hi = this.read32(base + off + 4);
      let dbase = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
      let dlimit = (lo & 0xffff) | (hi & 0xf0000);
      if (hi & 0x800000) dlimit = dlimit * 4096 + 4095;
      // system descriptors in long mode are 16 bytes (TSS, LDT, call gates)
      if (this.efer & EFER_LMA && !(hi & 0x1000)) {
        // bits 63:32 taken as signed keep a higher-half base exact (unsigned, the sum would exceed 2^53 and
        // round: a TSS at 0xffff800000001000 would land on a neighbouring address)
        const hi2 = this.read32(base + off + 8);
        dbase += (hi2 | 0) * TWO32;
      }
      return { base: dbase, limit: dlimit, attr: ((hi >>> 8) & 0xff) | (((hi >>> 20) & 0xf) << 8), lo, hi };
    } finally {
      this.systemAccess = saved;
    }
  }

  /** Sets the accessed bit of a code/data descriptor (as hardware does on load). */
  private touchDescriptor(sel: number, d: Descriptor): void {
    if (d.attr & 1) return;
    const base = sel & 4 ? this.ldtrBase : this.gdtrBase;
    const saved = this.systemAccess;
    this.systemAccess = true;
    try {
      this.write32(base + (sel & ~7) + 4, d.hi | 0x100);
    } finally {
      this.systemAccess = saved;
    }
  }

  /** MOV/POP to a data segment register or SS, with the protected-mode checks that matter to kernels. */
  loadSegment(seg: number, sel: number): void {
    sel &= 0xffff;
    if (!(this.cr0 & CR0_PE)) {
      this.segSel[seg] = sel;
      this.segBase[seg] = sel * 16;
      if (seg === SEG_CS) this.updateMode();
      return;
    }
    if ((sel & ~3) === 0) {
      if (seg === SEG_SS && (this.codeBits !== 64 || this.cpl === 3)) this.fault(VEC_GP, 0);
      this.segSel[seg] = sel;
      this.segBase[seg] = 0;
      this.segLimit[seg] = 0;
      this.segAttr[seg] = seg === SEG_SS ? 0x93 | (this.cpl << 5) : 0;
      if (seg === SEG_SS) this.updateMode();
      return;
    }
    const d = this.readDescriptor(sel);
    const present = d.attr & 0x80;
    const isCodeData = d.attr & 0x10;
    if (!isCodeData) this.fault(VEC_GP, sel & 0xfffc);
    if (seg === SEG_SS) {
      const writableData = (d.attr & 0x0a) === 0x02;
      const dpl = (d.attr >> 5) & 3;
      if (!writableData || (sel & 3) !== this.cpl || dpl !== this.cpl) this.fault(VEC_GP, sel & 0xfffc);
      if (!present) this.fault(VEC_SS, sel & 0xfffc);
    } else {
      if ((d.attr & 0x0a) === 0x08) this.fault(VEC_GP, sel & 0xfffc); // execute-only code
      if (!present) this.fault(VEC_NP, sel & 0xfffc);
    }
    this.touchDescriptor(sel, d);
    this.segSel[seg] = sel;
    this.segBase[seg] = this.codeBits === 64 && seg < SEG_FS ? 0 : d.base >>> 0;
    this.segLimit[seg] = d.limit;
    this.segAttr[seg] = d.attr | 1;
    if (seg === SEG_SS) this.updateMode();
  }

  /** Loads CS for a far transfer to privilege `cpl`. */
  loadCs(sel: number, d: Descriptor, cpl: number): void {
    if (!(d.attr & 0x80)) this.fault(VEC_NP, sel & 0xfffc);
    this.touchDescriptor(sel, d);
    this.segSel[SEG_CS] = (sel & ~3) | cpl;
    this.segBase[SEG_CS] = d.base >>> 0;
    this.segLimit[SEG_CS] = d.limit;
    this.segAttr[SEG_CS] = d.attr | 1;
    this.cpl = cpl;
    this.updateMode();
    this.breakBlock = true;
  }

  /** Far JMP/CALL target: returns after CS:RIP are loaded (call gates not supported). */
  farJump(sel: number, offset: number): void {
    if (!(this.cr0 & CR0_PE)) {
      this.segSel[SEG_CS] = sel;
      this.segBase[SEG_CS] = sel * 16;
      this.rip = offset;
      this.breakBlock = true;
      return;
    }
    if ((sel & ~3) === 0) this.fault(VEC_GP, 0);
    const d = this.readDescriptor(sel);
    if (!(d.attr & 0x10) || !(d.attr & 0x08)) {
      throw new NotImplementedError(`far transfer through a system descriptor (type 0x${(d.attr & 0x1f).toString(16)}) is not implemented`);
    }
    const dpl = (d.attr >> 5) & 3;
    const conforming = d.attr & 4;
    if (conforming ? dpl > this.cpl : dpl !== this.cpl) this.fault(VEC_GP, sel & 0xfffc);
    this.loadCs(sel, d, this.cpl);
    this.rip = this.codeBits === 64 ? offset : offset >>> 0;
  }

  /** Writes CR0 with the mode transitions it implies. */
  writeCr0(v: number): void {
    v = (v | CR0_ET) >>> 0;
    if (v & 0x80000000 && !(v & CR0_PE)) this.fault(VEC_GP, 0);
    const wasPg = this.cr0 & CR0_PG;
    if (!wasPg && v & 0x80000000 && this.efer & EFER_LME) {
      if (!(this.cr4 & CR4_PAE)) this.fault(VEC_GP, 0);
      this.efer |= EFER_LMA;
    }
    if (wasPg && !(v & 0x80000000) && this.efer & EFER_LMA) {
      if (this.codeBits === 64) this.fault(VEC_GP, 0);
      this.efer &= ~EFER_LMA;
    }
    this.cr0 = v | 0;
    this.updateMode();
    this.flushTlb();
    this.breakBlock = true;
  }

  writeCr4(v: number): void {
    // bits of features the CPUID model does not advertise (VME, PVI, UMIP, VMXE, SMXE, PKE, CET, ...) are
    // reserved: #GP(0)
    if (v & ~CR4_SUPPORTED || (v & CR4_LA57 && !this.la57Supported)) this.fault(VEC_GP, 0);
    // PCIDE may be set only in long mode with CR3[11:0] = 0 (SDM 4.10.1)
    if (v & CR4_PCIDE && !(this.cr4 & CR4_PCIDE) && (!(this.efer & EFER_LMA) || this.cr3 % PAGE_SIZE !== 0)) this.fault(VEC_GP, 0);
    if (this.efer & EFER_LMA && !(v & CR4_PAE)) this.fault(VEC_GP, 0);
    // LA57 may change only outside IA-32e mode (SDM vol. 2, MOV to CR4): the paging mode, and with it every
    // TLB entry and canonical check, can switch only while paging is off, so 4-level and 5-level
    // translations never meet in the TLB (it is flushed on every CR0/CR4 write anyway)
    if (this.efer & EFER_LMA && (v ^ this.cr4) & CR4_LA57) this.fault(VEC_GP, 0);
    this.cr4 = v;
    this.flushTlb();
    this.breakBlock = true;
  }

  writeCr3(v: number): void {
    this.cr3 = v;
    this.flushTlb();
  }

  // =====================================================================================================
  // exceptions and interrupts
  // =====================================================================================================

  /**
   * Delivers an event through the IDT. `soft` = INT n/INT3/INTO (gate DPL checked, no error code);
   * `returnRip` is what the handler's IRET returns to.
   */
  /** set by deliver(): the instruction being single-stepped transferred through the IDT itself */
  eventDelivered = false;

  deliver(vector: number, error: number, soft: boolean, returnRip: number): void {
    this.halted = false;
    this.eventDelivered = true;
    if (!(this.cr0 & CR0_PE)) return this.deliverReal(vector, returnRip);
    const long = (this.efer & EFER_LMA) !== 0;
    const gateSize = long ? 16 : 8;
    const gateErr = vector * 8 + 2 + (soft ? 0 : 1);
    if (vector * gateSize + gateSize - 1 > this.idtrLimit) this.fault(VEC_GP, gateErr);
    const saved = this.systemAccess;
    this.systemAccess = true;
    const g0 = this.read32(this.idtrBase + vector * gateSize);
    const g1 = this.read32(this.idtrBase + vector * gateSize + 4);
    const g2 = long ? this.read32(this.idtrBase + vector * gateSize + 8) : 0;
    this.systemAccess = saved;
    const type = (g1 >> 8) & 0x1f;
    const gdpl = (g1 >> 13) & 3;
    const isTrapGate = (type & 0xf) === 0xf || (type & 0xf) === 0x7;
    const validType = long ? type === 0xe || type === 0xf : type === 0xe || type === 0xf || type === 0x6 || type === 0x7;
    if (!validType) {
      if (type === 0x5) throw new NotImplementedError('task gates in the IDT are not implemented');
      this.fault(VEC_GP, gateErr);
    }
    if (soft && gdpl < this.cpl) this.fault(VEC_GP, gateErr);
    if (!(g1 & 0x8000)) this.fault(VEC_NP, gateErr);
    const sel = g0 >>> 16;
    let offset = (g0 & 0xffff) | (g1 & 0xffff0000);
    offset >>>= 0;
    if (long) {
      // The upper dword taken as signed keeps a canonical higher-half target exact (|value| < 2^47); read
      // unsigned, 0xffffffff * 2^32 exceeds 2^53 and the double would round the low bits of the handler away.
      offset = (g2 | 0) * TWO32 + offset;
      if (offset >= CANON_LIMIT) offset = wrap64(offset);
    }
    const ist = long ? g1 & 7 : 0;
    if ((sel & ~3) === 0) this.fault(VEC_GP, 0);
    const cd = this.readDescriptor(sel);
    if (!(cd.attr & 0x08) || !(cd.attr & 0x10)) this.fault(VEC_GP, sel & 0xfffc);
    const dpl = (cd.attr >> 5) & 3;
    const newCpl = cd.attr & 4 ? this.cpl : dpl;
    if (newCpl > this.cpl) this.fault(VEC_GP, sel & 0xfffc);
    const flags = this.getFlags();
    const oldCs = this.segSel[SEG_CS]!;
    const oldSs = this.segSel[SEG_SS]!;
    if (long) {
      if (!(cd.attr & 0x200) || cd.attr & 0x400) this.fault(VEC_GP, sel & 0xfffc);
      const oldRspLo = this.lo[4]!;
      const oldRspHi = this.hi[4]!;
      let rsp: number;
      if (ist) rsp = this.readTss64(0x24 + (ist - 1) * 8);
      else if (newCpl < this.cpl) rsp = this.readTss64(4 + newCpl * 8);
      else rsp = this.regNum(4);
      rsp = Math.floor(rsp / 16) * 16; // the 64-bit frame is 16-byte aligned (SDM vol. 3, 6.14.2)
      // push the frame on the new stack as a supervisor; when the event raises the privilege, the pushes
      // are made on behalf of the system (implicit: SMAP applies whatever EFLAGS.AC says; QEMU agrees)
      const saveCpl = this.cpl;
      const saveSys = this.systemAccess;
      this.cpl = newCpl;
      this.systemAccess = newCpl < saveCpl;
      this.stackSize = 8;
      this.setRegNum(4, rsp);
      try {
        this.push(8, newCpl < saveCpl ? oldSs : oldSs, 0);
        this.push(8, oldRspLo >>> 0, oldRspHi >>> 0);
        this.push(8, flags, 0);
        this.push(8, oldCs, 0);
        this.push(8, returnRip >>> 0, Math.floor(returnRip / TWO32) >>> 0);
        if (error >= 0) this.push(8, error >>> 0, 0);
      } catch (e) {
        this.cpl = saveCpl;
        this.lo[4] = oldRspLo;
        this.hi[4] = oldRspHi;
        this.updateMode();
        throw e;
      } finally {
        this.systemAccess = saveSys;
      }
      if (newCpl < saveCpl) {
        this.segSel[SEG_SS] = newCpl;
        this.segBase[SEG_SS] = 0;
        this.segAttr[SEG_SS] = 0x93 | (newCpl << 5);
      }
      this.loadCs(sel, cd, newCpl);
      this.rip = offset;
    } else {
      const size = type & 8 ? 4 : 2;
      if (newCpl < this.cpl) {
        const esp0 = this.readTss32(4 + newCpl * 8);
        const ss0 = this.readTss32(8 + newCpl * 8) & 0xffff;
        const oldEsp = this.lo[4]! >>> 0;
        const saveCpl = this.cpl;
        this.cpl = newCpl;
        this.loadSegment(SEG_SS, ss0);
        this.lo[4] = esp0;
        const saveSys = this.systemAccess;
        this.systemAccess = true; // implicit pushes, as in the 64-bit case
        try {
          this.push(size, oldSs, 0);
          this.push(size, oldEsp, 0);
          this.push(size, flags, 0);
          this.push(size, oldCs, 0);
          this.push(size, returnRip >>> 0, 0);
          if (error >= 0) this.push(size, error >>> 0, 0);
        } catch (e) {
          this.cpl = saveCpl;
          throw e;
        } finally {
          this.systemAccess = saveSys;
        }
      } else {
        this.push(size, flags, 0);
        this.push(size, oldCs, 0);
        this.push(size, returnRip >>> 0, 0);
        if (error >= 0) this.push(size, error >>> 0, 0);
      }
      this.loadCs(sel, cd, newCpl);
      this.rip = offset >>> 0;
    }
    let nf = flags & ~(TF | NT | RF | VM);
    if (!isTrapGate) nf &= ~IF;
    this.setFlags(nf);
    this.breakBlock = true;
  }

  private readTss64(o: number): number {
    if (o + 7 > this.trLimit) this.fault(VEC_TS, this.trSel & 0xfffc);
    const saved = this.systemAccess;
    this.systemAccess = true;
    try {
      const l = this.read32(this.trBase + o);
      const h = this.read32(this.trBase + o + 4) | 0;
      return h * TWO32 + l;
    } finally {
      this.systemAccess = saved;
    }
  }

  private readTss32(off: number): number {
    if (off + 3 > this.trLimit) this.fault(VEC_TS, this.trSel & 0xfffc);
    const saved = this.systemAccess;
    this.systemAccess = true;
    try {
      return this.read32(this.trBase + off);
    } finally {
      this.systemAccess = saved;
    }
  }

  private deliverReal(vector: number, returnRip: number): void {
    if (vector * 4 + 3 > this.idtrLimit) this.fault(VEC_GP, 0);
    const ip = this.read16(this.idtrBase + vector * 4);
    const cs = this.read16(this.idtrBase + vector * 4 + 2);
    const flags = this.getFlags();
    this.push(2, flags & 0xffff, 0);
    this.push(2, this.segSel[SEG_CS]!, 0);
    this.push(2, returnRip & 0xffff, 0);
    this.setFlags(flags & ~(IF | TF | AC));
    this.segSel[SEG_CS] = cs;
    this.segBase[SEG_CS] = cs * 16;
    this.rip = ip;
    this.breakBlock = true;
  }

  /** Delivers a fault with #DF/triple-fault escalation (SDM vol. 3, table 6-5). */
  private deliverFault(vector: number, error: number, returnRip: number): void {
    let first = -1;
    for (;;) {
      try {
        this.deliver(vector, error, false, returnRip);
        return;
      } catch (e) {
        if (e !== GUEST_FAULT) throw e;
        const second = this.faultVector;
        if (vector === VEC_DF) {
          this.stop('triple-fault', `triple fault: exception ${second} while delivering #DF`);
          return;
        }
        const contributory = (v: number): boolean => v === 0 || (v >= 10 && v <= 13);
        first = vector;
        if ((contributory(first) && contributory(second)) || (first === VEC_PF && (contributory(second) || second === VEC_PF))) {
          vector = VEC_DF;
          error = 0;
        } else {
          vector = second;
          error = this.faultError;
        }
      }
    }
  }

  /** INT n / INT3 / INTO / INT1 from the instruction stream. */
  softwareInterrupt(vector: number): void {
    this.deliver(vector, -1, true, this.rip);
  }

  // =====================================================================================================
  // run loop
  // =====================================================================================================

  private invalidateCodePage(page: number): void {
    const keys = this.blocksByPage.get(page);
    if (!keys) return;
    for (const k of keys) {
      this.blocks.delete(k);
      const ci = blockSlot(k);
      if (this.blockCacheKey[ci] === k) {
        this.blockCacheKey[ci] = NaN;
        this.blockCacheVal[ci] = undefined;
      }
    }
    this.blocksByPage.delete(page);
    this.breakBlock = true;
    this.chainEpoch++;
  }

  private buildBlock(key: number): Block {
    const insns: Insn[] = [];
    const pages: number[] = [];
    const startLin = this.codeLinear(this.rip);
    let lin = startLin;
    const bits = this.codeBits;
    for (let n = 0; n < MAX_BLOCK; n++) {
      let d: Insn | null;
      const at = lin;
      try {
        d = this.decoder.decode((i) => this.fetchCode8(at + i), bits);
      } catch (e) {
        if (e === GUEST_FAULT && n > 0) break; // fault on a later instruction: take it when we get there
        throw e;
      }
      if (!d) {
        if (n > 0) break;
        if (this.decoder.failure === DecodeFailure.TOO_LONG) this.fault(VEC_GP, 0);
        this.fault(VEC_UD);
      }
      insns.push(d);
      const lastByte = lin + d.len - 1;
      const firstPage = Math.floor(this.translate(lin, ACC_EXEC) / PAGE_SIZE);
      if (!pages.includes(firstPage)) pages.push(firstPage);
      const lastPage = Math.floor(this.translate(lastByte, ACC_EXEC) / PAGE_SIZE);
      if (!pages.includes(lastPage)) pages.push(lastPage);
      lin += d.len;
      if (d.endsBlock) break;
      if ((lin & 0xfff) === 0 || Math.floor(lin / PAGE_SIZE) !== Math.floor(startLin / PAGE_SIZE)) break;
    }
    const block: Block = {
      insns,
      pages,
      epoch: -1,
      succRip0: NaN,
      succ0: undefined,
      succRip1: NaN,
      succ1: undefined,
      runs: 0,
      compiled: undefined,
    };
    this.blocks.set(key, block);
    let newCodePage = false;
    for (const p of pages) {
      let list = this.blocksByPage.get(p);
      if (!list) {
        list = [];
        this.blocksByPage.set(p, list);
      }
      list.push(key);
      if (!this.bus.isCodePage(p)) {
        this.bus.markCodePage(p);
        newCodePage = true;
      }
    }
    // fast-path writes must not bypass code-page tracking: drop write TLB entries for code pages
    if (newCodePage) {
      const wt = this.tlbTag[1]!;
      const wp = this.tlbPhys[1]!;
      for (let i = 0; i < TLB_SIZE; i++) if (wt[i] === wt[i] && this.bus.isCodePage(wp[i]!)) wt[i] = NaN;
    }
    return block;
  }

  /** The decoded block at `rip` (through the exec TLB and the block cache; decodes on a miss). */
  private lookupBlock(rip: number): Block {
    const lin = this.codeLinear(rip);
    const vpn = Math.floor(lin / PAGE_SIZE);
    const ti = vpn & TLB_MASK;
    // a supervisor fetch from a user page must take the slow path when SMEP is on (it faults there)
    const hit = this.tlbTag[2]![ti] === vpn && (this.isUser() ? this.tlbUser[2]![ti] === 1 : !(this.cr4 & CR4_SMEP && this.tlbUser[2]![ti]));
    const phys = hit ? this.tlbPhys[2]![ti]! * PAGE_SIZE + (lin & 0xfff) : this.translate(lin, ACC_EXEC);
    const key = phys * 4 + (this.codeBits >> 5);
    const ci = blockSlot(key);
    let block = this.blockCacheKey[ci] === key ? this.blockCacheVal[ci] : undefined;
    if (!block) {
      block = this.blocks.get(key) ?? this.buildBlock(key);
      this.blockCacheKey[ci] = key;
      this.blockCacheVal[ci] = block;
    }
    return block;
  }

  codeLinear(rip: number): number {
    if (this.codeBits === 64) return rip;
    return (rip + this.segBase[SEG_CS]!) >>> 0;
  }

  /**
   * Runs up to `maxInstructions` instructions. Returns when the budget is spent, the guest halts with no
   * interrupt to wake it, writes the debug-exit port, faults fatally, or reaches unimplemented territory.
   */
  run(maxInstructions: number): RunResult {
    const start = this.icount;
    this.sliceEnd = start + maxInstructions;
    this.stopReason = null;
    let prev: Block | undefined;
    while (this.icount < this.sliceEnd) {
      const end = this.sliceEnd;
      // interrupts
      if (this.interruptDue()) {
        const vec = this.takePendingIrq();
        if (vec >= 0) this.deliverFault(vec, -1, this.rip);
        prev = undefined;
        if (this.stopReason) break;
      }
      if (this.halted) {
        this.stopReason = 'halted';
        break;
      }
      this.breakBlock = false;
      if (this.trapHook !== null && this.trapHook(this.rip)) {
        prev = undefined;
        this.icount++;
        if (this.stopReason) break;
        continue;
      }
      try {
        const rip = this.rip;
        this.curRip = rip;
        let block: Block | undefined;
        if (prev !== undefined) {
          if (prev.epoch !== this.chainEpoch) {
            prev.epoch = this.chainEpoch;
            prev.succ0 = prev.succ1 = undefined;
            prev.succRip0 = prev.succRip1 = NaN;
          } else if (prev.succRip0 === rip) block = prev.succ0;
          else if (prev.succRip1 === rip) block = prev.succ1;
        }
        if (block === undefined) {
          block = this.lookupBlock(rip);
          if (prev !== undefined) {
            if (prev.succ0 === undefined) {
              prev.succRip0 = rip;
              prev.succ0 = block;
            } else {
              prev.succRip1 = rip;
              prev.succ1 = block;
            }
          }
        }
        const insns = block.insns;
        const n = insns.length;
        const budget = end - this.icount;
        if (this.flagBits & TF) {
          // single-step: one instruction, then a #DB trap unless it faulted or delivered an event itself
          prev = undefined;
          const d = insns[0]!;
          this.rip = rip + d.len;
          this.eventDelivered = false;
          d.exec(this, d);
          this.icount++;
          if (!this.eventDelivered && !this.stopReason) {
            this.dr[6] = this.dr[6]! | 0x4000; // DR6.BS
            this.deliverFault(VEC_DB, -1, this.rip);
          }
          if (this.stopReason) break;
          continue;
        }
        if (block.compiled === undefined && this.compileBlocks && ++block.runs >= this.compileThreshold) block.compiled = compileBlock(insns);
        if (block.compiled !== undefined && n <= budget) {
          prev = this.runCompiled(block, end);
          if (this.stopReason) break;
          continue;
        }
        const limit = n < budget ? n : budget;
        for (let i = 0; i < limit; i++) {
          const d = insns[i]!;
          const cur = this.rip;
          this.curRip = cur;
          this.rip = cur + d.len;
          d.exec(this, d);
          this.icount++;
          if (this.breakBlock) break;
        }
        prev = this.breakBlock || limit < n ? undefined : block;
      } catch (e) {
        prev = undefined;
        if (e !== GUEST_FAULT) {
          if (e instanceof NotImplementedError) {
            this.stop('unimplemented', `${e.message} at rip ${this.curRip.toString(16)}`);
          } else {
            // never let a model bug take the host down: end the run with a verdict that says so
            const err = e instanceof Error ? (e.stack ?? e.message) : String(e);
            this.stop('internal-error', `CPU model error at rip ${this.curRip.toString(16)}: ${err}`);
          }
          this.rip = this.curRip;
          break;
        }
        this.rip = this.curRip;
        this.deliverFault(this.faultVector, this.faultError, this.curRip);
      }
      if (this.stopReason) break;
    }
    const reason: StopReason = (this.stopReason as StopReason | null) ?? 'budget';
    const result: RunResult = { reason, instructions: this.icount - start };
    if (reason === 'exit') result.exitCode = this.exitCode;
    if (reason !== 'budget') {
      result.message = this.stopMessage || reason;
      if (reason !== 'exit' && reason !== 'halted') result.registers = this.dumpRegisters();
    }
    return result;
  }

  /**
   * Runs `block` (compiled) and then, while nothing needs the run loop, the chained compiled successors: the
   * checks between blocks are the run loop's (slice end, pending interrupt, stale chain, single-step, trap
   * hook, a block that stopped early). Returns the last block for chaining, or undefined when it stopped early.
   */
  private runCompiled(first: Block, end: number): Block | undefined {
    let block = first;
    for (;;) {
      block.compiled!(this);
      if (this.breakBlock) return undefined;
      if (this.icount >= end || block.epoch !== this.chainEpoch || this.trapHook !== null) return block;
      if (this.flagBits & TF || this.interruptDue()) return block;
      const rip = this.rip;
      const next = block.succRip0 === rip ? block.succ0 : block.succRip1 === rip ? block.succ1 : undefined;
      if (next === undefined || next.compiled === undefined || next.insns.length > end - this.icount) return block;
      this.curRip = rip;
      block = next;
    }
  }

  /** The instruction count at which the running slice ends (`run`'s budget; `endSlice` moves it closer). */
  private sliceEnd = 0;

  /**
   * Ends the running slice after the instruction now executing (a device scheduled an event that falls due
   * before the slice would end, so the board must get control back in time to deliver it).
   */
  endSlice(): void {
    if (this.sliceEnd > this.icount + 1) this.sliceEnd = this.icount + 1;
    this.breakBlock = true;
  }

  /** Called by HLT. */
  halt(): void {
    this.halted = true;
    this.breakBlock = true;
  }

  /** A device requests the end of the run (debug-exit port, ACPI S5 ...). */
  requestExit(code: number, message: string): void {
    this.exitCode = code;
    this.stop('exit', message);
  }

  /** Bytes of the instruction at the current RIP (for verdicts). */
  instructionBytes(rip: number, count = 15): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      try {
        out.push(this.fetchCode8(this.codeLinear(rip) + i).toString(16).padStart(2, '0'));
      } catch {
        break;
      }
    }
    return out.join(' ');
  }

  dumpRegisters(): string {
    const names = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
    const h = (lo: number, hi: number): string => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
    const num = (v: number): string => (v < 0 ? h(v | 0, Math.floor(v / TWO32)) : h(v % TWO32, Math.floor(v / TWO32)));
    const lines: string[] = [];
    for (let i = 0; i < 16; i += 4) {
      lines.push(names.slice(i, i + 4).map((n, j) => `${n.padStart(3)}=${h(this.lo[i + j]!, this.hi[i + j]!)}`).join(' '));
    }
    lines.push(`rip=${num(this.rip)} rflags=${this.getFlags().toString(16).padStart(8, '0')} cpl=${this.cpl} mode=${this.codeBits}-bit`);
    const segn = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
    lines.push(segn.map((n, i) => `${n}=${this.segSel[i]!.toString(16).padStart(4, '0')}`).join(' '));
    lines.push(`cr0=${(this.cr0 >>> 0).toString(16)} cr2=${num(this.cr2)} cr3=${num(this.cr3)} cr4=${this.cr4.toString(16)} efer=${this.efer.toString(16)}`);
    lines.push(`bytes at rip: ${this.instructionBytes(this.rip)}`);
    return lines.join('\n');
  }

  // =====================================================================================================
  // misc used by handlers
  // =====================================================================================================

  /**
   * I/O permission (SDM vol. 1, 19.5): allowed when CPL <= IOPL; otherwise every bit for the accessed ports
   * in the TSS I/O permission bitmap (base at TSS offset 0x66) must be clear, else #GP(0).
   */
  checkIo(port: number, size: number): void {
    if (!(this.cr0 & CR0_PE) || this.cpl <= (this.flagBits & IOPL) >> 12) return;
    const saved = this.systemAccess;
    this.systemAccess = true;
    try {
      if (this.trLimit < 0x67) this.fault(VEC_GP, 0);
      const base = this.read16(this.trBase + 0x66);
      const at = base + (port >>> 3);
      if (at + 1 > this.trLimit) this.fault(VEC_GP, 0);
      const bits = this.read16(this.trBase + at);
      const mask = ((1 << size) - 1) << (port & 7);
      if (bits & mask) this.fault(VEC_GP, 0);
    } finally {
      this.systemAccess = saved;
    }
  }

  /** Privileged instructions: #GP(0) unless CPL 0. */
  requireCpl0(): void {
    if (this.cpl !== 0 && this.cr0 & CR0_PE) this.fault(VEC_GP, 0);
  }

  /** Deterministic RDRAND/RDSEED source (xorshift32, seeded at construction). */
  nextRandom(): number {
    let x = this.rngState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rngState = x;
    return x >>> 0;
  }

  tscValue(): number {
    return this.icount + this.haltedCycles + this.msr.tscOffset;
  }

  updateFlagsFromPop(v: number, size: number): void {
    let mask = AC | ID | TF | DF | NT | 0x8d5;
    if (this.cpl === 0 || !(this.cr0 & CR0_PE)) mask |= IOPL | IF;
    else if (this.cpl <= ((this.flagBits & IOPL) >> 12)) mask |= IF;
    if (size === 2) mask &= 0xffff;
    const cur = this.getFlags();
    this.setFlags((cur & ~mask) | (v & mask));
  }

  get dfStep(): number {
    return this.flagBits & DF ? -1 : 1;
  }

}


const unimplemented: Handler = (cpu, d) => {
  cpu.rip = cpu.curRip;
  cpu.stop(
    'unimplemented',
    `instruction ${d.mnemonic} (bytes ${cpu.instructionBytes(cpu.curRip, d.len)}) at ${cpu.curRip.toString(16)} is not implemented by the CPU model`,
  );
};

/** Built on first use: the exec-* modules import this one, so the tables cannot be built at load time. */
let decoderTables: DecoderTables | undefined;

export { SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS, K };
