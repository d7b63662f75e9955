/**
 * The AArch64 processor model: register file, PSTATE, exception levels EL0..EL2, software TLB, decoded-block
 * cache, generic timer on virtual time, and the run loop boards call.
 *
 * Hot-path representation (no BigInt, no allocation per instruction):
 * - X0..X30 live in `x` (Int32Array) as lo/hi pairs at index 2n/2n+1; index 62/63 is the zero register and
 *   64/65 the current SP. Decoded ops carry these indices, so "31 = SP or ZR" is resolved at decode time.
 * - Virtual addresses and the PC are signed Numbers (a 64-bit value read as two's complement); every
 *   canonical address is below 2^53 in magnitude, so they are exact.
 * - NZCV is kept packed in bits 31..28 as in SPSR.
 * - Memory accesses go through a direct-mapped software TLB (per translation regime) that caches the host
 *   DataView and offset of RAM pages with their permissions; misses walk the tables (mmu.ts).
 * - Decoded blocks are keyed by physical address; pages that hold decoded code are marked on the bus and a
 *   write to them drops their blocks. Blocks chain to their successors while the translation generation is
 *   unchanged, and a block executed `compileThreshold` times is compiled to a JavaScript function
 *   (block-compiler.ts); interpretation and compiled execution retire identical instruction counts.
 * - Translation: stage 1 for the EL2 and EL1&0 regimes and stage 2 (HCR_EL2.VM) in mmu.ts; TLB entries hold
 *   the combined result and are flushed on TTBR/TCR/SCTLR/HCR/VTTBR/VTCR writes and on every TLBI except
 *   those by VA, which drop the pages of that VA's stage-1 mapping (ASIDs and VMIDs are therefore handled by
 *   invalidation rather than tagging).
 * - Guest exceptions raised inside a memory access unwind with the preallocated `GUEST_EXCEPTION` sentinel.
 */
import { NotImplementedError } from '../../../common/errors.js';
import { BusError, PAGE_SIZE, type PhysicalBus, type RamRegion } from '../../memory/bus.js';
import { CORTEX_A57, type CpuModel } from './cpu-model.js';
import { A64Decoder, DecodedOp } from './decoder.js';
import { R, addc64, hex64 } from './int64.js';
import { P_R0, P_R1, P_W0, P_W1, P_X0, P_X1, Stage2Result, WalkResult, walk, walkStage2, type RegimeRegs } from './mmu.js';
import * as S from './sysregs.js';
import { A64_TABLES } from './isa/index.js';
import { compileBlock, type CompiledBlock } from './block-compiler.js';

const TWO32 = 4294967296;

/** Thrown (never allocated per use) to unwind the interpreter after a guest exception was set up. */
export const GUEST_EXCEPTION = { kind: 'guest-exception' } as const;

/** The board's firmware: PSCI and other SMCCC calls that EL3 firmware would answer. */
export interface Aarch64Firmware {
  /** Called for SMC (not trapped to EL2). Return true when handled (results written to X0..X3). */
  onSmc(cpu: Aarch64Cpu, imm16: number): boolean;
  /** Called for HVC before it is taken to EL2; return true when the firmware answered it (HVC conduit). */
  onHvc?(cpu: Aarch64Cpu, imm16: number): boolean;
}

export type StopReason =
  | { kind: 'budget' }
  | { kind: 'power-off'; detail: string }
  | { kind: 'reset'; detail: string }
  | { kind: 'unimplemented'; detail: string }
  | { kind: 'fault'; detail: string }
  | { kind: 'halted'; detail: string };

export interface RunResult {
  reason: StopReason;
  instructions: number;
  /** register dump for verdicts other than budget / power-off */
  dump?: string;
}

/** Timer outputs in the order of the array given to `onTimer`: EL1 physical, EL1 virtual, EL2 physical. */
export const TIMER_PHYS = 0, TIMER_VIRT = 1, TIMER_HYP = 2;

const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;
/** perms bit: the page holds no decoded code, so stores may bypass the bus */
const P_FASTW = 64;

class SoftTlb {
  readonly tag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly perm = new Int32Array(TLB_SIZE);
  readonly off = new Int32Array(TLB_SIZE);
  readonly pa = new Float64Array(TLB_SIZE);
  readonly view: (DataView | null)[] = new Array<DataView | null>(TLB_SIZE).fill(null);
  /** 4 KiB pages the entry's mapping spans (1 for a page; 512 for a 2 MiB block ...): TLBI by VA drops all of it */
  readonly span = new Float64Array(TLB_SIZE);
  /** some entry spans more than one page (then TLBI by VA scans the whole TLB) */
  blocks = false;
  flush(): void {
    this.tag.fill(NaN);
    this.blocks = false;
  }
  /** Drops every entry that translates the page `vpn`. */
  invalidatePage(vpn: number): void {
    if (!this.blocks) {
      const i = vpn & TLB_MASK;
      if (this.tag[i] === vpn) this.tag[i] = NaN;
      return;
    }
    for (let i = 0; i < TLB_SIZE; i++) {
      const t = this.tag[i]!, n = this.span[i]!;
      if (t === t && Math.floor(t / n) === Math.floor(vpn / n)) this.tag[i] = NaN;
    }
  }
}

class Block {
  /** successor cache (block chaining): valid while `gen` equals the CPU's translation generation */
  gen = -1;
  nextVa1 = NaN;
  next1: Block | null = null;
  nextVa2 = NaN;
  next2: Block | null = null;
  /** executions so far, and the compiled form once hot */
  hits = 0;
  fn: CompiledBlock | null = null;
  constructor(readonly pa: number, readonly ops: DecodedOp[]) {}
}

const MAX_BLOCK = 64;
/** Consecutive exceptions with no instruction retired before run() calls it an exception loop. */
const MAX_FRUITLESS_EXCEPTIONS = 10_000;

export class Aarch64Cpu {
  readonly x = new Int32Array(68);
  /** SIMD&FP registers V0..V31, 128 bits each, with typed views over the same bytes */
  readonly v = new Int32Array(128);
  readonly vb = new Uint8Array(this.v.buffer);
  readonly vh = new Uint16Array(this.v.buffer);
  readonly vf32 = new Float32Array(this.v.buffer);
  readonly vf64 = new Float64Array(this.v.buffer);
  /** system registers, lo/hi per table row */
  readonly sys = new Int32Array(S.SYSREGS.length * 2);
  /** banked stack pointers SP_EL0, SP_EL1, SP_EL2 (lo, hi) */
  readonly spBank = new Int32Array(6);

  pc = 0;
  nzcv = 0;
  el = 2;
  spsel = 1;
  /** DAIF in its register layout (D bit 9, A 8, I 7, F 6) */
  daif = 0x3c0;
  fpcr = 0;
  fpsr = 0;

  /** set by an exec that changed the PC (branch taken, exception) */
  redirect = false;
  retired = 0;
  /** virtual time skipped while waiting for interrupts (WFI) */
  idleTicks = 0;
  stop: StopReason | null = null;

  /** exclusive monitor: armed physical address or -1 */
  exclusiveAddr = -1;
  exclusiveSize = 0;
  eventRegister = false;
  private cmAccess = false;

  irqLine = false;
  fiqLine = false;
  /** physical SError (asynchronous external abort) pending; cleared when taken */
  serrorPending = false;
  /** derived: some interrupt source may be pending (lines or HCR_EL2 virtual bits) */
  private interruptHint = false;

  /** derived from EL, SCTLR, HCR, CPACR/CPTR by updateMode() */
  fpTrap = 0;
  private mmuOn = false;
  /** HCR_EL2.VM for the EL1&0 regime */
  private stage2 = false;
  private needR = P_R1;
  private needW = P_W1 | P_FASTW;
  private needX = P_X1;
  private tlb: SoftTlb;
  private readonly tlbEl1 = new SoftTlb();
  private readonly tlbEl2 = new SoftTlb();
  private readonly regs: RegimeRegs = { regime: 2, tcrLo: 0, tcrHi: 0, ttbr0Lo: 0, ttbr0Hi: 0, ttbr1Lo: 0, ttbr1Hi: 0, wxn: false, paBits: 44, granules: [12] };
  private readonly wr = new WalkResult();

  private readonly blocks = new Map<number, Block>();
  /** bumped whenever translation, EL or decoded code changes: invalidates block chaining */
  private gen = 0;
  private readonly pageBlocks = new Map<number, number[]>();
  private readonly decoder: A64Decoder;

  /** result of rd64 */
  mlo = 0;
  mhi = 0;

  firmware: Aarch64Firmware | null = null;
  /**
   * Built-in firmware entered through trap addresses (boot/firmware/traps.ts): asked with the PC before a
   * block is looked up (never for a chained successor: no block is ever built at a trap address, so none
   * can be chained to). Returns true when it served a call there (it has set the PC or stopped the run).
   */
  trapHook: ((pc: number) => boolean) | null = null;
  /**
   * The board's next clock event in CPU ticks (retired + idle), or Infinity: WFI skips no further than this,
   * so a device alarm earlier than the next CPU timer is delivered on time. Null: no board clock to respect.
   */
  idleHorizon: (() => number) | null = null;
  /** executions after which a block is compiled to JavaScript (Infinity: interpret only) */
  compileThreshold = 16;
  /** address of the instruction that raised the last synchronous exception (for retired counts) */
  private excFromPc = 0;
  /** the board's GIC sees the timer output levels here */
  onTimer: ((timer: number, level: boolean) => void) | null = null;
  private readonly timerLevel = [false, false, false];
  private nextTimerEvent = Infinity;

  private readonly sysByKey = new Map<number, number>();
  /** extra system registers a board provides (GICv3 ICC_* for example) */
  private readonly extSys = new Map<number, { el: number; read: (c: Aarch64Cpu) => void; write: ((c: Aarch64Cpu, lo: number, hi: number) => void) | null }>();

  constructor(readonly bus: PhysicalBus, readonly model: CpuModel = CORTEX_A57) {
    this.decoder = sharedDecoder();
    this.tlb = this.tlbEl2;
    S.SYSREGS.forEach((r, i) => this.sysByKey.set(r.key, i));
    bus.onCodeWrite((page) => this.invalidateCodePage(page));
    this.reset();
  }

  reset(): void {
    this.x.fill(0);
    this.v.fill(0);
    this.sys.fill(0);
    this.spBank.fill(0);
    S.SYSREGS.forEach((r, i) => {
      if (r.reset) { this.sys[2 * i] = r.reset[0]; this.sys[2 * i + 1] = r.reset[1]; }
    });
    const m = this.model;
    this.setSys(S.MIDR_EL1, m.midr, 0);
    this.setSys(S.VPIDR_EL2, m.midr, 0);
    this.setSys(S.MPIDR_EL1, 0x80000000 | 0, 0);
    this.setSys(S.VMPIDR_EL2, 0x80000000 | 0, 0);
    this.setSys(S.ID_AA64PFR0_EL1, m.pfr0, 0);
    this.setSys(S.ID_AA64DFR0_EL1, m.dfr0, 0);
    this.setSys(S.ID_AA64ISAR0_EL1, m.isar0, 0);
    this.setSys(S.ID_AA64MMFR0_EL1, m.mmfr0, 0);
    this.setSys(S.ID_AA64MMFR1_EL1, m.mmfr1, 0);
    this.setSys(S.CTR_EL0, m.ctr, 0);
    this.setSys(S.CLIDR_EL1, m.clidr, 0);
    this.setSys(S.DCZID_EL0, 4, 0);
    this.regs.paBits = m.paBits;
    this.regs.granules = m.granules;
    this.pc = 0;
    this.nzcv = 0;
    this.el = 2;
    this.spsel = 1;
    this.daif = 0x3c0;
    this.fpcr = 0;
    this.fpsr = 0;
    this.exclusiveAddr = -1;
    this.retired = 0;
    this.idleTicks = 0;
    this.stop = null;
    this.blocks.clear();
    this.pageBlocks.clear();
    this.updateMode();
  }

  // ---- register helpers used by the exec functions -------------------------------------------------------

  setSys(slot: number, lo: number, hi: number): void {
    this.sys[2 * slot] = lo;
    this.sys[2 * slot + 1] = hi;
  }

  /** Writes X[d] (d = register-file index) and keeps the zero register zero. */
  setX(d: number, lo: number, hi: number): void {
    const x = this.x;
    x[d] = lo;
    x[d + 1] = hi;
    x[62] = 0;
    x[63] = 0;
  }

  /** X[n] as a signed Number address. */
  addr(n: number): number {
    return this.x[n + 1]! * TWO32 + (this.x[n]! >>> 0);
  }

  setPcFromHalves(lo: number, hi: number): void {
    this.pc = hi * TWO32 + (lo >>> 0);
    this.redirect = true;
  }

  branchTo(target: number): void {
    this.pc = target;
    this.redirect = true;
  }

  get ticks(): number {
    return this.retired + this.idleTicks;
  }

  // ---- derived mode state ---------------------------------------------------------------------------------

  /** Recomputes everything derived from EL, SCTLR, TCR/TTBR, HCR, CPACR/CPTR. Called after any change. */
  updateMode(): void {
    this.gen++;
    const el = this.el;
    const sys = this.sys;
    const regime = el === 2 ? 2 : 1;
    const hcrLo = sys[2 * S.HCR_EL2]!;
    const hcrHi = sys[2 * S.HCR_EL2 + 1]!;
    this.stage2 = regime === 1 && (hcrLo & 1) !== 0;
    if ((hcrHi & (1 << 2)) !== 0) this.stopWith({ kind: 'unimplemented', detail: 'HCR_EL2.E2H (VHE) is not implemented' });
    const sctlr = sys[2 * (regime === 2 ? S.SCTLR_EL2 : S.SCTLR_EL1)]!;
    // With HCR_EL2.TGE (and no VHE) the EL1&0 stage 1 is disabled for EL0: it runs with a flat mapping.
    this.mmuOn = (sctlr & 1) !== 0 && !(el === 0 && (hcrLo & (1 << 27)) !== 0);
    const r = this.regs;
    r.regime = regime;
    r.wxn = (sctlr & (1 << 19)) !== 0;
    if (regime === 2) {
      r.tcrLo = sys[2 * S.TCR_EL2]!; r.tcrHi = sys[2 * S.TCR_EL2 + 1]!;
      r.ttbr0Lo = sys[2 * S.TTBR0_EL2]!; r.ttbr0Hi = sys[2 * S.TTBR0_EL2 + 1]!;
      r.ttbr1Lo = 0; r.ttbr1Hi = 0;
    } else {
      r.tcrLo = sys[2 * S.TCR_EL1]!; r.tcrHi = sys[2 * S.TCR_EL1 + 1]!;
      r.ttbr0Lo = sys[2 * S.TTBR0_EL1]!; r.ttbr0Hi = sys[2 * S.TTBR0_EL1 + 1]!;
      r.ttbr1Lo = sys[2 * S.TTBR1_EL1]!; r.ttbr1Hi = sys[2 * S.TTBR1_EL1 + 1]!;
    }
    this.tlb = regime === 2 ? this.tlbEl2 : this.tlbEl1;
    if (el === 0) { this.needR = P_R0; this.needW = P_W0 | P_FASTW; this.needX = P_X0; } else { this.needR = P_R1; this.needW = P_W1 | P_FASTW; this.needX = P_X1; }
    // FP/SIMD traps: 1 = to EL1 (CPACR_EL1.FPEN), 2 = to EL2 (CPTR_EL2.TFP).
    const fpen = (sys[2 * S.CPACR_EL1]! >>> 20) & 3;
    let trap = 0;
    if (el === 0 && fpen !== 3) trap = (hcrLo & (1 << 27)) !== 0 ? 2 : 1; // HCR_EL2.TGE routes to EL2
    else if (el === 1 && (fpen === 0 || fpen === 2)) trap = 1;
    if (trap === 0 && el <= 2 && (sys[2 * S.CPTR_EL2]! & (1 << 10)) !== 0) trap = 2;
    this.fpTrap = trap;
    this.updateInterruptHint();
  }

  private updateInterruptHint(): void {
    const hcr = this.sys[2 * S.HCR_EL2]!;
    this.interruptHint = this.irqLine || this.fiqLine || this.serrorPending || (hcr & 0x1c0) !== 0;
  }

  setIrq(level: boolean): void {
    this.irqLine = level;
    this.updateInterruptHint();
  }

  setFiq(level: boolean): void {
    this.fiqLine = level;
    this.updateInterruptHint();
  }

  /** Signals a physical SError (for example a bus error on a posted write); masked by PSTATE.A. */
  raiseSError(): void {
    this.serrorPending = true;
    this.updateInterruptHint();
  }

  flushTlb(): void {
    this.gen++;
    this.tlbEl1.flush();
    this.tlbEl2.flush();
  }

  /**
   * TLBI by VA (Xt: VA[55:12] in bits 43:0, ASID above; the ASID is ignored: entries are not ASID-tagged, so
   * dropping every match is a superset of what was asked) for the EL1&0 (regime 1) or EL2 (2) regime.
   */
  invalidateTlbVa(regime: 1 | 2, xtLo: number, xtHi: number): void {
    this.gen++;
    const field = (xtHi & 0xfff) * TWO32 + (xtLo >>> 0); // bits 43:0
    const vpn = field >= 2 ** 43 ? field - 2 ** 44 : field; // VA[55] selects the upper range
    (regime === 2 ? this.tlbEl2 : this.tlbEl1).invalidatePage(vpn);
  }

  // ---- PSTATE and exceptions -------------------------------------------------------------------------------

  /** PSTATE as an SPSR value (AArch64 format). */
  pstateAsSpsr(): number {
    return (this.nzcv | this.daif | (this.el << 2) | this.spsel) >>> 0;
  }

  private spIndex(): number {
    return this.spsel ? this.el : 0;
  }

  /** Switches EL/SPSel, banking the stack pointer. */
  setElSp(el: number, spsel: number): void {
    const x = this.x;
    const old = this.spIndex();
    this.spBank[2 * old] = x[64]!;
    this.spBank[2 * old + 1] = x[65]!;
    this.el = el;
    this.spsel = spsel;
    const now = this.spIndex();
    x[64] = this.spBank[2 * now]!;
    x[65] = this.spBank[2 * now + 1]!;
    this.updateMode();
  }

  /**
   * Takes an exception to `target` EL. kind: 0 synchronous, 1 IRQ, 2 FIQ, 3 SError. `ret` is the preferred
   * return address. FAR is written when `far` is not NaN.
   */
  takeException(target: number, kind: number, esr: number, ret: number, far: number): void {
    this.excFromPc = this.pc;
    const from = this.el;
    const spsr = this.pstateAsSpsr();
    const spx = this.spsel;
    this.setElSp(target, 1);
    const elrSlot = target === 2 ? S.ELR_EL2 : S.ELR_EL1;
    const spsrSlot = target === 2 ? S.SPSR_EL2 : S.SPSR_EL1;
    const hi = Math.floor(ret / TWO32);
    this.setSys(elrSlot, (ret - hi * TWO32) | 0, hi | 0);
    this.setSys(spsrSlot, spsr | 0, 0);
    if (kind === 0) {
      this.setSys(target === 2 ? S.ESR_EL2 : S.ESR_EL1, esr | 0, 0);
      if (far === far) {
        const fhi = Math.floor(far / TWO32);
        this.setSys(target === 2 ? S.FAR_EL2 : S.FAR_EL1, (far - fhi * TWO32) | 0, fhi | 0);
      }
    }
    this.daif = 0x3c0;
    this.exclusiveAddr = -1;
    const vbarSlot = target === 2 ? S.VBAR_EL2 : S.VBAR_EL1;
    const vbar = this.sys[2 * vbarSlot + 1]! * TWO32 + (this.sys[2 * vbarSlot]! >>> 0);
    let offset = from === target ? (spx ? 0x200 : 0) : 0x400;
    offset += kind * 0x80;
    this.pc = vbar + offset;
    this.redirect = true;
    this.updateMode();
  }

  /** Routing target for synchronous exceptions that architecturally go to EL1 from EL0/EL1. */
  syncTarget(): number {
    if (this.el === 2) return 2;
    if (this.el === 0 && (this.sys[2 * S.HCR_EL2]! & (1 << 27)) !== 0) return 2; // TGE
    return 1;
  }

  /** Raises a synchronous exception for the instruction at this.pc (ELR = this.pc). */
  syncException(ec: number, iss: number, target = this.syncTarget(), far = NaN): void {
    this.takeException(target, 0, ((ec << 26) | (1 << 25) | (iss & 0x1ffffff)) >>> 0, this.pc, far);
  }

  undefinedInstruction(): void {
    this.syncException(0, 0);
  }

  fpAccessTrap(): void {
    this.syncException(0x07, 0, this.fpTrap === 2 ? 2 : this.syncTarget());
  }

  eret(): void {
    const el = this.el;
    const spsr = this.sys[2 * (el === 2 ? S.SPSR_EL2 : S.SPSR_EL1)]! >>> 0;
    const elrSlot = el === 2 ? S.ELR_EL2 : S.ELR_EL1;
    const target = (spsr >>> 2) & 3;
    if ((spsr & 0x10) !== 0) {
      this.stopWith({ kind: 'unimplemented', detail: `ERET to AArch32 state (SPSR 0x${spsr.toString(16)}) is not implemented` });
      return;
    }
    if (target > el || target === 3) {
      this.stopWith({ kind: 'fault', detail: `illegal exception return from EL${el} to EL${target} (SPSR 0x${spsr.toString(16)})` });
      return;
    }
    if (target < 2 && el === 2 && !hcrRw(this)) {
      this.stopWith({ kind: 'unimplemented', detail: 'ERET to EL1 with HCR_EL2.RW=0 (AArch32 EL1) is not implemented' });
      return;
    }
    this.nzcv = (spsr & 0xf0000000) >>> 0;
    this.daif = spsr & 0x3c0;
    this.exclusiveAddr = -1;
    this.setPcFromHalves(this.sys[2 * elrSlot]!, this.sys[2 * elrSlot + 1]!);
    this.setElSp(target, spsr & 1);
  }

  /** Checks the interrupt inputs at an instruction boundary and takes the highest-priority one. */
  private checkInterrupts(): boolean {
    const hcr = this.sys[2 * S.HCR_EL2]!;
    const el = this.el;
    const tge = (hcr & (1 << 27)) !== 0;
    // Physical SError, FIQ, IRQ: routed to EL2 by HCR_EL2.AMO/FMO/IMO (or TGE), else to EL1.
    if (this.serrorPending && this.deliver(3, (hcr & (1 << 5)) !== 0 || tge, 0x100)) {
      this.serrorPending = false;
      this.updateInterruptHint();
      return true;
    }
    if (this.fiqLine && this.deliver(2, (hcr & (1 << 3)) !== 0 || tge, 0x40)) return true;
    if (this.irqLine && this.deliver(1, (hcr & (1 << 4)) !== 0 || tge, 0x80)) return true;
    if (el <= 1 && !tge) {
      // Virtual interrupts (HCR_EL2.VF/VI/VSE) go to EL1 when the physical ones are routed to EL2.
      if ((hcr & (1 << 6)) && (hcr & (1 << 3)) && !(this.daif & 0x40)) { this.takeException(1, 2, 0, this.pc, NaN); return true; }
      if ((hcr & (1 << 7)) && (hcr & (1 << 4)) && !(this.daif & 0x80)) { this.takeException(1, 1, 0, this.pc, NaN); return true; }
      if ((hcr & (1 << 8)) && (hcr & (1 << 5)) && !(this.daif & 0x100)) {
        this.sys[2 * S.HCR_EL2] = hcr & ~(1 << 8);
        this.takeException(1, 3, 0x96000000 | 0, this.pc, NaN);
        this.setSys(S.ESR_EL1, (0x2f << 26) | (1 << 25), 0);
        return true;
      }
    }
    return false;
  }

  private deliver(kind: number, toEl2: boolean, mask: number): boolean {
    const el = this.el;
    const target = toEl2 ? 2 : 1;
    if (target < el) return false;
    if (target === el && (this.daif & mask) !== 0) return false;
    this.takeException(target, kind, 0, this.pc, NaN);
    // SError: ESR EC 0x2f, IL 1, ISS 0 (uncategorized)
    if (kind === 3) this.setSys(target === 2 ? S.ESR_EL2 : S.ESR_EL1, ((0x2f << 26) | (1 << 25)) | 0, 0);
    return true;
  }

  // ---- system registers ------------------------------------------------------------------------------------

  /**
   * Advertises the GIC system-register CPU interface (ID_AA64PFR0_EL1.GIC = 1, as on a GICv3 board); the board
   * provides the ICC_* registers themselves with defineSystemRegister.
   */
  advertiseGicSystemRegisters(on = true): void {
    const slot = 2 * S.ID_AA64PFR0_EL1;
    this.sys[slot] = (this.sys[slot]! & ~0x0f000000) | (on ? 0x01000000 : 0);
  }

  /**
   * Provides a system register from outside (for example a GICv3 CPU interface's ICC_* registers). A null
   * `write` makes it read-only: MSR to it is UNDEFINED.
   */
  defineSystemRegister(op0: number, op1: number, crn: number, crm: number, op2: number, el: number,
    read: (c: Aarch64Cpu) => void, write: ((c: Aarch64Cpu, lo: number, hi: number) => void) | null): void {
    this.extSys.set(S.sysregKey(op0, op1, crn, crm, op2), { el, read, write });
  }

  /**
   * Whether an access from the current EL is trapped to a higher EL (returns that EL, else 0), following
   * HCR_EL2.TID1/TID2/TID3/TVM/TRVM/TACR, CNTHCTL_EL2.EL1PCTEN/EL1PCEN and CNTKCTL_EL1.EL0*.
   */
  private sysTrap(spec: S.SysregSpec, write: boolean): number {
    const g = spec.trap;
    if (!g || this.el === 2) return 0;
    const hcr = this.sys[2 * S.HCR_EL2]!;
    const tge = (hcr & (1 << 27)) !== 0;
    if (this.el === 0) {
      const k = this.sys[2 * S.CNTKCTL_EL1]!;
      let allowed = true;
      switch (g) {
        case 'pcount': allowed = (k & 1) !== 0; break;
        case 'vcount': allowed = (k & 2) !== 0; break;
        case 'ptimer': allowed = (k & (1 << 9)) !== 0; break;
        case 'vtimer': allowed = (k & (1 << 8)) !== 0; break;
        case 'id2': allowed = (this.sys[2 * S.SCTLR_EL1]! & (1 << 15)) !== 0; break; // SCTLR_EL1.UCT for CTR_EL0
        default: break;
      }
      if (!allowed) return tge ? 2 : 1;
    }
    const cnthctl = this.sys[2 * S.CNTHCTL_EL2]!;
    switch (g) {
      case 'id1': return hcr & (1 << 16) ? 2 : 0;
      case 'id2': return hcr & (1 << 17) ? 2 : 0;
      case 'id3': return hcr & (1 << 18) ? 2 : 0;
      case 'vm': return (write ? hcr & (1 << 26) : hcr & (1 << 30)) ? 2 : 0;
      case 'actlr': return hcr & (1 << 21) ? 2 : 0;
      case 'pcount': return tge || cnthctl & 1 ? 0 : 2;
      case 'ptimer': return tge || cnthctl & 2 ? 0 : 2;
      default: return 0;
    }
  }

  /** MRS: 0 = done (value in R[0..1]), -1 = UNDEFINED, 1 or 2 = trapped to that EL. */
  readSysreg(key: number): number {
    const ext = this.extSys.get(key);
    if (ext) { if (this.el < ext.el) return -1; ext.read(this); return 0; }
    const slot = this.sysByKey.get(key);
    if (slot === undefined) return -1;
    const spec = S.SYSREGS[slot]!;
    if (this.el < spec.el || spec.writeOnly) return -1;
    const trap = this.sysTrap(spec, false);
    if (trap) return trap;
    if (!spec.special) {
      // At EL1 the identification registers show what EL2 programmed in VPIDR_EL2 / VMPIDR_EL2.
      const src = this.el === 1 ? (slot === S.MIDR_EL1 ? S.VPIDR_EL2 : slot === S.MPIDR_EL1 ? S.VMPIDR_EL2 : slot) : slot;
      R[0] = this.sys[2 * src]!; R[1] = this.sys[2 * src + 1]!;
      return 0;
    }
    R[1] = 0;
    switch (spec.name) {
      case 'NZCV': R[0] = this.nzcv | 0; return 0;
      case 'DAIF': R[0] = this.daif; return 0;
      case 'CurrentEL': R[0] = this.el << 2; return 0;
      case 'SPSel': R[0] = this.spsel; return 0;
      case 'SP_EL0': case 'SP_EL1': {
        const idx = spec.name === 'SP_EL0' ? 0 : 1;
        if (this.spIndex() === idx) return -1;
        R[0] = this.spBank[2 * idx]!; R[1] = this.spBank[2 * idx + 1]!;
        return 0;
      }
      case 'FPCR': R[0] = this.fpcr; return 0;
      case 'FPSR': R[0] = this.fpsr; return 0;
      case 'ISR_EL1': R[0] = (this.irqLine ? 0x80 : 0) | (this.fiqLine ? 0x40 : 0); return 0;
      case 'CNTPCT_EL0': splitTo(this.ticks); return 0;
      case 'CNTVCT_EL0': this.virtualCount(); return 0;
      case 'CNTP_CTL_EL0': { const v = this.timerCtl(TIMER_PHYS); R[0] = v; R[1] = 0; } return 0;
      case 'CNTV_CTL_EL0': { const v = this.timerCtl(TIMER_VIRT); R[0] = v; R[1] = 0; } return 0;
      case 'CNTHP_CTL_EL2': { const v = this.timerCtl(TIMER_HYP); R[0] = v; R[1] = 0; } return 0;
      case 'CNTP_TVAL_EL0': { const v = this.timerTval(TIMER_PHYS); R[0] = v; R[1] = 0; } return 0;
      case 'CNTV_TVAL_EL0': { const v = this.timerTval(TIMER_VIRT); R[0] = v; R[1] = 0; } return 0;
      case 'CNTHP_TVAL_EL2': { const v = this.timerTval(TIMER_HYP); R[0] = v; R[1] = 0; } return 0;
    }
    throw new Error(`sysreg ${spec.name}: no special read`);
  }

  /** MSR: 0 = done, -1 = UNDEFINED, 1 or 2 = trapped to that EL. */
  writeSysreg(key: number, lo: number, hi: number): number {
    const ext = this.extSys.get(key);
    if (ext) { if (this.el < ext.el || !ext.write) return -1; ext.write(this, lo, hi); return 0; }
    const slot = this.sysByKey.get(key);
    if (slot === undefined) return -1;
    const spec = S.SYSREGS[slot]!;
    if (this.el < spec.el || spec.readOnly) return -1;
    const trap = this.sysTrap(spec, true);
    if (trap) return trap;
    if (!spec.special) {
      if (spec.writable) {
        const [wl, wh] = spec.writable;
        const reset = spec.reset ?? [0, 0];
        lo = (lo & wl) | (reset[0] & ~wl);
        hi = (hi & wh) | (reset[1] & ~wh);
      }
      this.sys[2 * slot] = lo;
      this.sys[2 * slot + 1] = hi;
    } else {
      switch (spec.name) {
        case 'NZCV': this.nzcv = (lo & 0xf0000000) >>> 0; break;
        case 'DAIF': this.daif = lo & 0x3c0; break;
        case 'SPSel': this.setElSp(this.el, lo & 1); break;
        case 'SP_EL0': case 'SP_EL1': {
          const idx = spec.name === 'SP_EL0' ? 0 : 1;
          if (this.spIndex() === idx) return -1;
          this.spBank[2 * idx] = lo; this.spBank[2 * idx + 1] = hi;
          break;
        }
        case 'FPCR': this.fpcr = lo & 0x07ff9f00; break;
        case 'FPSR': this.fpsr = lo & 0xf800009f; break;
        case 'CNTP_CTL_EL0': this.setSys(S.CNTP_CTL_EL0, lo & 3, 0); break;
        case 'CNTV_CTL_EL0': this.setSys(S.CNTV_CTL_EL0, lo & 3, 0); break;
        case 'CNTHP_CTL_EL2': this.setSys(S.CNTHP_CTL_EL2, lo & 3, 0); break;
        case 'CNTP_TVAL_EL0': this.setTval(TIMER_PHYS, lo); break;
        case 'CNTV_TVAL_EL0': this.setTval(TIMER_VIRT, lo); break;
        case 'CNTHP_TVAL_EL2': this.setTval(TIMER_HYP, lo); break;
        default: throw new Error(`sysreg ${spec.name}: no special write`);
      }
    }
    switch (spec.effect) {
      case 'mmu': this.flushTlb(); this.updateMode(); break;
      case 'fp': case 'irq': this.updateMode(); break;
      case 'timer': this.updateTimers(); break;
    }
    return 0;
  }

  // ---- generic timer ---------------------------------------------------------------------------------------

  private static readonly CTL = [S.CNTP_CTL_EL0, S.CNTV_CTL_EL0, S.CNTHP_CTL_EL2];
  private static readonly CVAL = [S.CNTP_CVAL_EL0, S.CNTV_CVAL_EL0, S.CNTHP_CVAL_EL2];

  /** Count of timer t (physical or virtual = physical - CNTVOFF, modulo 2^64) into R[0..1]. */
  private timerCount(t: number): void {
    splitTo(this.ticks);
    if (t === TIMER_VIRT) {
      const o = 2 * S.CNTVOFF_EL2;
      addc64(R[0]!, R[1]!, ~this.sys[o]!, ~this.sys[o + 1]!, 1);
    }
  }

  private virtualCount(): void {
    this.timerCount(TIMER_VIRT);
  }

  /** CVAL - count as a signed 64-bit difference, as a Number (exact when small, which is all that matters). */
  private timerDelta(t: number): number {
    this.timerCount(t);
    const s = 2 * Aarch64Cpu.CVAL[t]!;
    addc64(this.sys[s]!, this.sys[s + 1]!, ~R[0]!, ~R[1]!, 1);
    return R[1]! * TWO32 + (R[0]! >>> 0);
  }

  /** Whether count >= CVAL, comparing unsigned 64-bit values. */
  private timerMet(t: number): boolean {
    this.timerCount(t);
    const clo = R[0]! >>> 0, chi = R[1]! >>> 0;
    const s = 2 * Aarch64Cpu.CVAL[t]!;
    const vlo = this.sys[s]! >>> 0, vhi = this.sys[s + 1]! >>> 0;
    return chi > vhi || (chi === vhi && clo >= vlo);
  }

  private timerCtl(t: number): number {
    const ctl = this.sys[2 * Aarch64Cpu.CTL[t]!]! & 3;
    return ctl | ((ctl & 1) !== 0 && this.timerMet(t) ? 4 : 0);
  }

  private timerTval(t: number): number {
    this.timerDelta(t);
    return R[0]!;
  }

  private setTval(t: number, lo: number): void {
    this.timerCount(t);
    addc64(R[0]!, R[1]!, lo | 0, (lo | 0) >> 31, 0);
    this.setSys(Aarch64Cpu.CVAL[t]!, R[0]!, R[1]!);
  }

  /** Re-evaluates the three timer outputs and the next virtual time at which one changes. */
  updateTimers(): void {
    let next = Infinity;
    for (let t = 0; t < 3; t++) {
      const ctl = this.sys[2 * Aarch64Cpu.CTL[t]!]! & 3;
      let level = false;
      if (ctl & 1) {
        if (this.timerMet(t)) level = (ctl & 2) === 0;
        else next = Math.min(next, this.ticks + Math.max(1, this.timerDelta(t)));
      }
      if (level !== this.timerLevel[t]) {
        this.timerLevel[t] = level;
        this.onTimer?.(t, level);
      }
    }
    this.nextTimerEvent = next;
  }

  /**
   * WFI: sleeps in virtual time until an interrupt input or a timer changes; false when nothing can wake.
   * With `idleHorizon` the sleep ends at the board's next clock event when that comes first: the slice then
   * ends (as if its budget were spent) with the PC still on the WFI, the board runs its event, and the WFI
   * executes again, now woken by the device's interrupt or sleeping on.
   */
  waitForInterrupt(): boolean {
    if (this.irqLine || this.fiqLine || (this.sys[2 * S.HCR_EL2]! & 0x1c0) !== 0) return true;
    this.updateTimers();
    if (this.irqLine || this.fiqLine) return true;
    const horizon = this.idleHorizon === null ? Infinity : this.idleHorizon();
    if (horizon < this.nextTimerEvent) {
      if (horizon > this.ticks) this.idleTicks += horizon - this.ticks;
      this.stopWith({ kind: 'budget' });
      return true;
    }
    if (this.nextTimerEvent === Infinity) return false;
    this.idleTicks += this.nextTimerEvent - this.ticks;
    this.updateTimers();
    return true;
  }

  // ---- memory access ---------------------------------------------------------------------------------------

  /** Translates and fills the TLB; raises the guest abort (and throws) on a fault. acc: 0 read, 1 write, 2 fetch. */
  private fill(va: number, acc: number, need: number): number {
    const vpn = Math.floor(va / PAGE_SIZE);
    let pa: number;
    let perms: number;
    if (!this.mmuOn) {
      if (va < 0 || va >= Math.pow(2, this.regs.paBits)) this.abort(va, acc, 0x00, false);
      pa = vpn * PAGE_SIZE;
      perms = P_R1 | P_W1 | P_X1 | P_R0 | P_W0 | P_X0;
    } else {
      const w = this.wr;
      walk(this.bus, this.regs, va, w, this.stage2 ? this.s2TableMapper : undefined);
      if (w.fault === -1) this.stage2Abort(va, this.s2FaultIpa, acc, this.s2r.fault, true);
      if (w.fault) this.abort(va, acc, w.fault, false);
      pa = w.pa;
      perms = w.perms;
      if (this.regs.regime === 2) perms |= (perms & (P_R1 | P_W1 | P_X1)) << 3;
    }
    const needBits = need & ~P_FASTW;
    if ((perms & needBits) === 0) this.abort(va, acc, 0x0c | (this.mmuOn ? this.wr.level : 0), false);
    if (this.stage2) {
      // Stage 2 on the IPA that stage 1 produced; its faults go to EL2 with HPFAR_EL2.
      const ipa = pa;
      const r = this.s2r;
      walkStage2(this.bus, this.sys[2 * S.VTCR_EL2]!, this.sys[2 * S.VTTBR_EL2]!, this.sys[2 * S.VTTBR_EL2 + 1]!, this.regs.paBits, this.regs.granules, ipa, r);
      if (r.fault) this.stage2Abort(va, ipa, acc, r.fault, false);
      if ((r.perms & needBits) === 0) this.stage2Abort(va, ipa, acc, 0x0c | r.level, false);
      perms &= r.perms | P_FASTW;
      pa = r.pa;
    }
    const region = this.bus.regionAt(pa);
    if (region && region.kind === 'ram' && pa + PAGE_SIZE <= region.base + region.size) {
      const i = vpn & TLB_MASK;
      const t = this.tlb;
      t.tag[i] = vpn;
      t.perm[i] = perms | (this.bus.isCodePage(pa / PAGE_SIZE) ? 0 : P_FASTW);
      t.off[i] = pa - region.base;
      t.pa[i] = pa;
      t.view[i] = viewOf(region);
      // stage 1's mapping size: a TLBI by VA anywhere in a stage-1 block must drop every page cached from it
      const span = this.mmuOn ? this.wr.pages : 1;
      t.span[i] = span;
      if (span > 1) t.blocks = true;
    }
    return pa + (va - vpn * PAGE_SIZE);
  }

  private readonly s2r = new Stage2Result();
  private s2FaultIpa = 0;
  /** stage-1 descriptor addresses are IPAs when stage 2 is on */
  private readonly s2TableMapper = (ipa: number): number => {
    const r = this.s2r;
    walkStage2(this.bus, this.sys[2 * S.VTCR_EL2]!, this.sys[2 * S.VTTBR_EL2]!, this.sys[2 * S.VTTBR_EL2 + 1]!, this.regs.paBits, this.regs.granules, ipa - (ipa % 8), r);
    if (!r.fault && (r.perms & P_R1) === 0) r.fault = 0x0c | r.level;
    if (r.fault) { this.s2FaultIpa = ipa; return -1; }
    return r.pa + (ipa % PAGE_SIZE);
  };

  /**
   * A stage-2 abort, always taken to EL2: ESR with S1PTW, and for single-register loads/stores without
   * writeback the instruction syndrome (ISV, SAS, SSE, SRT, SF, AR) a hypervisor needs to emulate MMIO.
   */
  private stage2Abort(va: number, ipa: number, acc: number, fsc: number, s1ptw: boolean): never {
    const hi = Math.floor(ipa / TWO32);
    // HPFAR_EL2.FIPA[43:4] = IPA[51:12]
    this.setSys(S.HPFAR_EL2, (((ipa - hi * TWO32) >>> 12) << 4) | 0, (hi >>> 12) & 0xff);
    if (acc === 2) {
      this.syncException(0x20, fsc | (s1ptw ? 1 << 7 : 0), 2, va);
    } else {
      const cm = this.cmAccess;
      let iss = fsc | (acc === 1 || cm ? 1 << 6 : 0) | (cm ? 1 << 8 : 0) | (s1ptw ? 1 << 7 : 0);
      if (!s1ptw && !cm) iss |= this.instructionSyndrome();
      this.syncException(0x24, iss, 2, va);
    }
    throw GUEST_EXCEPTION;
  }

  private readonly scratchOp = new DecodedOp();

  /** ISV..AR bits of a data abort syndrome for the instruction at this.pc (0 when ISV would be 0). */
  private instructionSyndrome(): number {
    const t = this.tlb, vpn = Math.floor(this.pc / PAGE_SIZE), i = vpn & TLB_MASK;
    if (t.tag[i] !== vpn) return 0;
    const word = this.bus.read32(t.pa[i]! + (this.pc & 0xfff)) | 0;
    const o = this.scratchOp;
    if (!this.decoder.decode(word, o)) return 0;
    const single = ['LDR/STR (unsigned offset)', 'LDUR/STUR/PRFUM', 'LDR/STR (register offset)', 'LDTR/STTR (unprivileged)'];
    const ordered = o.name === 'STLR/STLLR' || o.name === 'LDAR/LDLAR';
    if (!single.includes(o.name) && !ordered) return 0;
    const size = o.size;
    const opc = ordered ? ((word >>> 22) & 1) : o.l;
    const signed = !ordered && opc >= 2;
    const sf = signed ? (opc & 1) === 0 : size === 3;
    return (1 << 24) | (size << 22) | (signed ? 1 << 21 : 0) | ((o.rt >> 1) << 16) | (sf ? 1 << 15 : 0) | (ordered ? 1 << 14 : 0);
  }

  /** Raises an instruction/data abort for `va` and unwinds. */
  abort(va: number, acc: number, fsc: number, cm: boolean): never {
    const target = this.syncTarget();
    const lower = target > this.el;
    if (acc === 2) {
      this.syncException(lower ? 0x20 : 0x21, fsc, target, va);
    } else {
      cm ||= this.cmAccess;
      this.syncException(lower ? 0x24 : 0x25, fsc | (acc === 1 || cm ? 1 << 6 : 0) | (cm ? 1 << 8 : 0), target, va);
    }
    throw GUEST_EXCEPTION;
  }

  /** DC/IC by VA: translates with the access checks of the operation; aborts report CM = 1 and WnR = 1. */
  cacheMaintenance(va: number, write: boolean): void {
    this.cmAccess = true;
    try {
      this.fill(va, write ? 1 : 0, write ? this.needW : this.needR);
    } finally {
      this.cmAccess = false;
    }
  }

  /** LDTR/STTR at EL1: accesses are checked as if made from EL0. */
  setUnprivileged(on: boolean): void {
    if (this.el !== 1) return;
    if (on) { this.needR = P_R0; this.needW = P_W0 | P_FASTW; } else { this.needR = P_R1; this.needW = P_W1 | P_FASTW; }
  }

  /** Translation for cache maintenance and AT: physical address or throws after the abort. */
  translateData(va: number, write: boolean): number {
    return this.fill(va, write ? 1 : 0, write ? this.needW : this.needR);
  }

  /** AT: walks without faulting; returns the PAR_EL1 value in R[0..1]. */
  addressTranslate(va: number, stage1El: number, write: boolean, withStage2 = false): void {
    const savedEl = this.el;
    this.el = stage1El;
    this.updateMode();
    let par0 = 0, par1 = 0;
    try {
      if (!this.mmuOn) {
        splitTo(va - (va % PAGE_SIZE));
        par0 = R[0]!; par1 = R[1]!;
      } else {
        const w = this.wr;
        walk(this.bus, this.regs, va, w, this.stage2 ? this.s2TableMapper : undefined);
        if (w.fault === -1) {
          // stage-2 fault on the stage-1 walk: PAR.S (bit 9) and PAR.PTW (bit 8)
          R[0] = 1 | (this.s2r.fault << 1) | (1 << 8) | (1 << 9); R[1] = 0;
          return;
        }
        let fsc = w.fault;
        if (!fsc) {
          let perms = w.perms;
          if (this.regs.regime === 2) perms |= (perms & (P_R1 | P_W1 | P_X1)) << 3;
          const need = stage1El === 0 ? (write ? P_W0 : P_R0) : (write ? P_W1 : P_R1);
          if ((perms & need) === 0) fsc = 0x0c | w.level;
        }
        if (fsc) { par0 = 1 | (fsc << 1); par1 = 0; }
        else {
          splitTo(w.pa);
          const mair = this.regs.regime === 2 ? S.MAIR_EL2 : S.MAIR_EL1;
          const idx = w.attrIndex;
          const attr = ((idx < 4 ? this.sys[2 * mair]! : this.sys[2 * mair + 1]!) >>> ((idx & 3) * 8)) & 0xff;
          par0 = (R[0]! & ~0xfff) | (w.sh << 7) | (w.ns << 9) | 0x800;
          par1 = (R[1]! & 0xffff) | (attr << 24);
        }
      }
      if (withStage2 && this.stage2 && (par0 & 1) === 0) {
        // AT S12E*: the stage-1 output is an IPA; finish with the stage-2 walk
        const ipa = (par1 & 0xffff) * TWO32 + ((par0 >>> 0) & 0xfffff000) + (va % PAGE_SIZE + PAGE_SIZE) % PAGE_SIZE;
        const r = this.s2r;
        walkStage2(this.bus, this.sys[2 * S.VTCR_EL2]!, this.sys[2 * S.VTTBR_EL2]!, this.sys[2 * S.VTTBR_EL2 + 1]!, this.regs.paBits, this.regs.granules, ipa, r);
        let fsc = r.fault;
        if (!fsc && (r.perms & (write ? P_W1 : P_R1)) === 0) fsc = 0x0c | r.level;
        if (fsc) { par0 = 1 | (fsc << 1) | (1 << 9); par1 = 0; } else {
          splitTo(r.pa);
          par0 = (R[0]! & ~0xfff) | (par0 & 0xfff);
          par1 = (R[1]! & 0xffff) | (par1 & ~0xffff);
        }
      }
    } finally {
      this.el = savedEl;
      this.updateMode();
    }
    R[0] = par0; R[1] = par1;
  }

  read8(va: number): number {
    const vpn = Math.floor(va / PAGE_SIZE);
    const t = this.tlb, i = vpn & TLB_MASK;
    if (t.tag[i] === vpn && (t.perm[i]! & this.needR) !== 0) return t.view[i]!.getUint8(t.off[i]! + (va & 0xfff));
    return this.slowRead(va, 1);
  }

  read16(va: number): number {
    const vpn = Math.floor(va / PAGE_SIZE);
    const t = this.tlb, i = vpn & TLB_MASK, o = va & 0xfff;
    if (t.tag[i] === vpn && (t.perm[i]! & this.needR) !== 0 && o <= 4094) return t.view[i]!.getUint16(t.off[i]! + o, true);
    return this.slowRead(va, 2);
  }

  read32(va: number): number {
    const vpn = Math.floor(va / PAGE_SIZE);
    const t = this.tlb, i = vpn & TLB_MASK, o = va & 0xfff;
    if (t.tag[i] === vpn && (t.perm[i]! & this.needR) !== 0 && o <= 4092) return t.view[i]!.getInt32(t.off[i]! + o, true);
    return this.slowRead(va, 4) | 0;
  }

  /** 64-bit read into mlo/mhi. */
  read64(va: number): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    const t = this.tlb, i = vpn & TLB_MASK, o = va & 0xfff;
    if (t.tag[i] === vpn && (t.perm[i]! & this.needR) !== 0 && o <= 4088) {
      const dv = t.view[i]!, off = t.off[i]! + o;
      this.mlo = dv.getInt32(off, true);
      this.mhi = dv.getInt32(off + 4, true);
      return;
    }
    this.mlo = this.slowRead(va, 4) | 0;
    this.mhi = this.slowRead(va + 4, 4) | 0;
  }

  write8(va: number, v: number): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    const t = this.tlb, i = vpn & TLB_MASK;
    if (t.tag[i] === vpn && (t.perm[i]! & this.needW) === this.needW) { t.view[i]!.setUint8(t.off[i]! + (va & 0xfff), v); return; }
    this.slowWrite(va, 1, v);
  }

  write16(va: number, v: number): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    const t = this.tlb, i = vpn & TLB_MASK, o = va & 0xfff;
    if (t.tag[i] === vpn && (t.perm[i]! & this.needW) === this.needW && o <= 4094) { t.view[i]!.setUint16(t.off[i]! + o, v, true); return; }
    this.slowWrite(va, 2, v);
  }

  write32(va: number, v: number): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    const t = this.tlb, i = vpn & TLB_MASK, o = va & 0xfff;
    if (t.tag[i] === vpn && (t.perm[i]! & this.needW) === this.needW && o <= 4092) { t.view[i]!.setInt32(t.off[i]! + o, v, true); return; }
    this.slowWrite(va, 4, v);
  }

  write64(va: number, lo: number, hi: number): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    const t = this.tlb, i = vpn & TLB_MASK, o = va & 0xfff;
    if (t.tag[i] === vpn && (t.perm[i]! & this.needW) === this.needW && o <= 4088) {
      const dv = t.view[i]!, off = t.off[i]! + o;
      dv.setInt32(off, lo, true);
      dv.setInt32(off + 4, hi, true);
      return;
    }
    // Translate both halves before writing either, so a fault on the second page leaves memory untouched.
    if (((va & 0xfff) + 8) > PAGE_SIZE) { this.translateData(va, true); this.translateData(va + 8 - 1, true); }
    this.slowWrite(va, 4, lo);
    this.slowWrite(va + 4, 4, hi);
  }

  private slowRead(va: number, size: number): number {
    if (((va & 0xfff) + size) > PAGE_SIZE) {
      let v = 0;
      for (let k = size - 1; k >= 0; k--) v = v * 256 + this.read8(va + k);
      return v;
    }
    const pa = this.fill(va, 0, this.needR);
    try {
      switch (size) {
        case 1: return this.bus.read8(pa);
        case 2: return this.bus.read16(pa);
        default: return this.bus.read32(pa);
      }
    } catch (e) {
      if (e instanceof BusError) this.externalAbort(va, 0);
      throw e;
    }
  }

  private slowWrite(va: number, size: number, v: number): void {
    if (((va & 0xfff) + size) > PAGE_SIZE) {
      this.translateData(va, true);
      this.translateData(va + size - 1, true);
      for (let k = 0; k < size; k++) this.write8(va + k, (v >>> (8 * k)) & 0xff);
      return;
    }
    const pa = this.fill(va, 1, this.needW);
    try {
      switch (size) {
        case 1: this.bus.write8(pa, v); return;
        case 2: this.bus.write16(pa, v); return;
        default: this.bus.write32(pa, v); return;
      }
    } catch (e) {
      if (e instanceof BusError) this.externalAbort(va, 1);
      throw e;
    }
  }

  /** An access to an unassigned physical address: synchronous external abort (FSC 0x10). */
  private externalAbort(va: number, acc: number): never {
    this.abort(va, acc, 0x10, false);
  }

  /** Physical address of `va` for a fetch, filling the TLB. */
  private fetchPa(va: number): number {
    const vpn = Math.floor(va / PAGE_SIZE);
    const t = this.tlb, i = vpn & TLB_MASK;
    if (t.tag[i] === vpn && (t.perm[i]! & this.needX) !== 0) return t.pa[i]! + (va & 0xfff);
    return this.fill(va, 2, this.needX);
  }

  // ---- decoded blocks ---------------------------------------------------------------------------------------

  private invalidateCodePage(page: number): void {
    this.gen++;
    const list = this.pageBlocks.get(page);
    if (!list) return;
    for (const pa of list) this.blocks.delete(pa);
    this.pageBlocks.delete(page);
  }

  private buildBlock(pa: number): Block {
    const ops: DecodedOp[] = [];
    const page = Math.floor(pa / PAGE_SIZE);
    const region = this.bus.regionAt(pa);
    if (!region || region.kind !== 'ram') {
      const op = new DecodedOp();
      op.exec = execNoMemory;
      op.name = region ? `fetch from MMIO region ${region.name}` : 'fetch from unassigned memory';
      ops.push(op);
      return new Block(pa, ops);
    }
    const dv = viewOf(region);
    let a = pa;
    const end = Math.min((page + 1) * PAGE_SIZE, region.base + region.size);
    while (a < end && ops.length < MAX_BLOCK) {
      const word = dv.getInt32(a - region.base, true);
      const op = new DecodedOp();
      if (!this.decoder.decode(word, op)) {
        op.word = word;
        op.exec = execUnimplemented;
        op.name = 'unknown encoding';
        ops.push(op);
        break;
      }
      ops.push(op);
      a += 4;
      if (op.spec!.ends) break;
    }
    const block = new Block(pa, ops);
    this.blocks.set(pa, block);
    let list = this.pageBlocks.get(page);
    if (!list) this.pageBlocks.set(page, (list = []));
    list.push(pa);
    if (!this.bus.isCodePage(page)) {
      this.bus.markCodePage(page);
      // Stores to this page must now go through the bus so the blocks are dropped when it changes.
      for (const t of [this.tlbEl1, this.tlbEl2]) {
        for (let i = 0; i < TLB_SIZE; i++) if (t.pa[i] === page * PAGE_SIZE) t.perm[i] = t.perm[i]! & ~P_FASTW;
      }
    }
    return block;
  }

  stopWith(reason: StopReason): void {
    if (!this.stop) this.stop = reason;
    this.redirect = true;
  }

  // ---- run loop ---------------------------------------------------------------------------------------------

  /** Runs until the guest powers off, faults fatally, or `maxInstructions` have retired. */
  run(maxInstructions: number): RunResult {
    const start = this.retired;
    const end = this.retired + maxInstructions;
    this.stop = null;
    this.updateTimers();
    // Exceptions taken in a row without one retired instruction: a vector that faults itself (not mapped,
    // not executable). Nothing retires, so the budget could never end the run; this does.
    let fruitless = 0;
    let retiredAtException = -1;
    while (this.stop === null) {
      if (this.retired >= end) return { reason: { kind: 'budget' }, instructions: this.retired - start };
      try {
        this.runBlocks(end);
      } catch (e) {
        if (e === GUEST_EXCEPTION) {
          if (this.retired !== retiredAtException) { retiredAtException = this.retired; fruitless = 0; }
          else if (++fruitless >= MAX_FRUITLESS_EXCEPTIONS) {
            splitTo(this.pc);
            this.stop = { kind: 'fault', detail: `exception loop at 0x${hex64(R[0]!, R[1]!)} (EL${this.el}): ${MAX_FRUITLESS_EXCEPTIONS} exceptions in a row without retiring an instruction; the vector table faults itself` };
            break;
          }
          continue;
        }
        if (e instanceof NotImplementedError) { this.stop = { kind: 'unimplemented', detail: e.message }; break; }
        throw e;
      }
    }
    const reason = this.stop as StopReason;
    const result: RunResult = { reason, instructions: this.retired - start };
    if (reason.kind !== 'power-off' && reason.kind !== 'budget') result.dump = this.dump();
    return result;
  }

  private runBlocks(end: number): void {
    let prev: Block | null = null;
    while (this.stop === null && this.retired < end) {
      if (this.retired + this.idleTicks >= this.nextTimerEvent) this.updateTimers();
      if (this.interruptHint && this.checkInterrupts()) prev = null;
      let pc = this.pc;
      let block: Block | undefined;
      // Chained successor: same translation generation means the fetch mapping and permissions still hold.
      if (prev !== null && prev.gen === this.gen) {
        if (prev.nextVa1 === pc) block = prev.next1!;
        else if (prev.nextVa2 === pc) block = prev.next2!;
      }
      if (block === undefined) {
        if (this.trapHook !== null && this.trapHook(pc)) {
          // A firmware call retires as one instruction: a guest that loops through traps still spends its budget.
          this.retired++;
          prev = null;
          continue;
        }
        if ((pc & 3) !== 0) { this.pcAlignmentFault(); prev = null; continue; }
        const pa = this.fetchPa(pc);
        block = this.blocks.get(pa);
        if (block === undefined) block = this.buildBlock(pa);
        if (prev !== null) {
          if (prev.gen !== this.gen) { prev.gen = this.gen; prev.nextVa1 = pc; prev.next1 = block; prev.nextVa2 = NaN; prev.next2 = null; }
          else if (prev.nextVa1 !== prev.nextVa1) { prev.nextVa1 = pc; prev.next1 = block; }
          else { prev.nextVa2 = pc; prev.next2 = block; }
        }
      }
      const ops = block.ops;
      this.redirect = false;
      if (block.fn === null && ++block.hits >= this.compileThreshold) block.fn = compileBlock(ops);
      if (block.fn !== null) {
        try {
          this.retired += block.fn(this, ops);
        } catch (e) {
          if (e === GUEST_EXCEPTION) this.retired += (this.excFromPc - pc) / 4;
          throw e;
        }
        prev = block;
        continue;
      }
      const n = ops.length;
      let i = 0;
      try {
        for (; i < n; i++) {
          const o = ops[i]!;
          this.pc = pc;
          o.exec(this, o);
          if (this.redirect) { i++; break; }
          pc += 4;
        }
      } finally {
        this.retired += i;
      }
      if (!this.redirect) this.pc = pc;
      prev = block;
    }
  }

  /** Branch to a misaligned address: PC alignment fault on the fetch (EC 0x22), FAR = the PC. */
  private pcAlignmentFault(): void {
    const target = this.syncTarget();
    this.takeException(target, 0, ((0x22 << 26) | (1 << 25)) >>> 0, this.pc, this.pc);
  }

  /** Register dump for verdicts. */
  dump(): string {
    const lines: string[] = [];
    for (let r = 0; r < 31; r += 2) {
      const a = `x${r}`.padStart(3) + '=' + hex64(this.x[2 * r]!, this.x[2 * r + 1]!);
      const b = r + 1 < 31 ? `  ${`x${r + 1}`.padStart(3)}=` + hex64(this.x[2 * r + 2]!, this.x[2 * r + 3]!) : '';
      lines.push(a + b);
    }
    splitTo(this.pc);
    lines.push(` sp=${hex64(this.x[64]!, this.x[65]!)}   pc=${hex64(R[0]!, R[1]!)}`);
    const n = this.nzcv >>> 0;
    lines.push(`EL${this.el}${this.spsel ? 'h' : 't'} NZCV=${(n >>> 28).toString(2).padStart(4, '0')} DAIF=${(this.daif >>> 6).toString(2).padStart(4, '0')} retired=${this.retired}`);
    for (const name of ['ESR_EL2', 'FAR_EL2', 'ELR_EL2', 'SCTLR_EL2', 'HCR_EL2', 'ESR_EL1', 'FAR_EL1', 'ELR_EL1', 'SCTLR_EL1', 'TCR_EL1']) {
      const s = S.SLOT[name]!;
      lines.push(`${name.padEnd(10)}=${hex64(this.sys[2 * s]!, this.sys[2 * s + 1]!)}`);
    }
    return lines.join('\n');
  }
}

/** HCR_EL2.RW (bit 31): EL1 is AArch64. */
function hcrRw(c: Aarch64Cpu): boolean {
  return ((c.sys[2 * S.HCR_EL2]! >>> 31) & 1) === 1;
}

/** Splits a Number (exact below 2^53, may be negative) into R[0..1]. */
export function splitTo(v: number): void {
  const hi = Math.floor(v / TWO32);
  R[0] = (v - hi * TWO32) | 0;
  R[1] = hi | 0;
}

const views = new WeakMap<RamRegion, DataView>();
function viewOf(region: RamRegion): DataView {
  let dv = views.get(region);
  if (!dv) views.set(region, (dv = new DataView(region.bytes.buffer, region.bytes.byteOffset, region.bytes.byteLength)));
  return dv;
}

let decoderInstance: A64Decoder | null = null;
function sharedDecoder(): A64Decoder {
  return (decoderInstance ??= new A64Decoder(A64_TABLES));
}

function execUnimplemented(c: Aarch64Cpu, o: DecodedOp): void {
  splitTo(c.pc);
  c.stopWith({ kind: 'unimplemented', detail: `instruction 0x${(o.word >>> 0).toString(16).padStart(8, '0')} at 0x${hex64(R[0]!, R[1]!)} is not implemented by the model` });
}

function execNoMemory(c: Aarch64Cpu, o: DecodedOp): void {
  splitTo(c.pc);
  c.stopWith({ kind: 'fault', detail: `instruction fetch at 0x${hex64(R[0]!, R[1]!)}: ${o.name}` });
}
