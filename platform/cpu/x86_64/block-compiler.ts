/**
 * Hot-block compiler: turns a decoded block that has run often into one JavaScript function.
 *
 * Instructions with a fast form (exec-fast.ts) are emitted inline from the form's template with their
 * operands as numeric literals; every other instruction calls its handler with its decoded instruction. The
 * semantics are the interpreter's; what changes:
 *  - an instruction that can neither fault, nor read RIP, nor transfer control (register MOV/ALU/shift/LEA/
 *    MOVZX/CMOVcc) updates neither RIP nor the instruction count: those are stored, with the current RIP, only
 *    before an instruction that may need them (a fault reports curRip; devices and RDTSC read the count), and
 *    at the end of the block;
 *  - a flag update that a later instruction of the block overwrites, with only such register instructions
 *    between (none of them reading flags), is left out: nothing can observe those flags.
 * A block ends at the first instruction that transfers control, so RIP after any handler that does not set
 * breakBlock is the next instruction's.
 *
 * The generated source only contains numeric literals and references to the handler/decoded-instruction
 * arrays passed in; no guest data ever reaches the code text.
 */
import { CANON_LIMIT } from './arch.js';
import type { X86Cpu } from './cpu.js';
import type { Operands } from './exec-fast.js';
import { PARITY } from './flags.js';
import { BASE_RIP, type Handler, type Insn, SEG_FS } from './insn.js';

export type CompiledBlock = (cpu: X86Cpu) => void;

/** Blocks run this many times before they are compiled. */
export const COMPILE_THRESHOLD = 64;

/** Whether instruction i's flag update can be observed (see the module comment). */
function flagsLive(insns: readonly Insn[], i: number): boolean {
  for (let k = i + 1; k < insns.length; k++) {
    const d = insns[k]!;
    const f = d.form;
    if (f === undefined || f.sync(d) || f.readsFlags) return true;
    if (f.writesFlags(d)) return false;
  }
  return true;
}

const lit = (v: number): string => (v < 0 ? `(${v})` : `${v}`);

/**
 * X86Cpu.ea's and offset64's fast path with the operand's fields as literals (64-bit addressing, no FS/GS
 * base): statements leaving the offset in `A<i>` and in `F<i>` whether it is exact (every register term below
 * 2^48 in magnitude). Anything else falls back to the CPU's own ea/offset64.
 */
function addressCode(d: Insn, i: number, ripNext: string): string | null {
  if (!d.isMem || d.asize !== 8 || d.seg >= SEG_FS || d.disp < -2147483648 || d.disp > 2147483647) return null;
  if (d.base === BASE_RIP) return `const A${i} = ${ripNext} + ${lit(d.disp)}, F${i} = true;`;
  const terms: string[] = [lit(d.disp)];
  const checks: string[] = [];
  const reg = (r: number, scale: number): void => {
    terms.push(`(H[${r}] * 4294967296 + (L[${r}] >>> 0))${scale ? ` * ${1 << scale}` : ''}`);
    checks.push(`H[${r}] <= 0xffff && H[${r}] >= -0x10000`);
  };
  if (d.base >= 0) reg(d.base, 0);
  if (d.index >= 0) reg(d.index, d.scale);
  return `const A${i} = ${terms.join(' + ')}, F${i} = ${checks.length ? checks.join(' && ') : 'true'};`;
}

function literalOperands(d: Insn, i: number, exact: boolean): Operands {
  return {
    d: `D${i}`, reg: lit(d.reg), rm: lit(d.rm), imm: lit(d.imm), immHi: lit(d.immHi), rex: d.rex ? 'true' : 'false',
    ea: exact ? `(F${i} && A${i} < ${CANON_LIMIT} && A${i} >= -${CANON_LIMIT} ? A${i} : cpu.ea(D${i}))` : `cpu.ea(D${i})`,
    offsetOk: exact ? `F${i}` : 'false',
    offset: exact ? `A${i}` : '0',
  };
}

export function compileBlock(insns: readonly Insn[]): CompiledBlock {
  const n = insns.length;
  const lines: string[] = ['return function compiledBlock(cpu) {', 'const L = cpu.lo, H = cpu.hi, R0 = cpu.rip;'];
  const at = (off: number): string => (off === 0 ? 'R0' : `R0 + ${off}`);
  let off = 0;
  /** retired instructions not yet added to cpu.icount */
  let pending = 0;
  let ripStored = false;
  for (let i = 0; i < n; i++) {
    const d = insns[i]!;
    const len = d.len | 0;
    const f = d.form;
    const address = f === undefined ? null : addressCode(d, i, at(off + len));
    // a RIP-relative operand the address code cannot compute from literals reads cpu.rip: store it first
    const sync = f === undefined || f.sync(d) || (d.base === BASE_RIP && address === null);
    if (sync) {
      if (pending > 0) lines.push(`cpu.icount += ${pending};`);
      lines.push(`cpu.curRip = ${at(off)}; cpu.rip = ${at(off + len)};`);
      pending = 0;
    }
    if (f !== undefined) {
      lines.push(`{ ${address ?? ''} ${f.code(literalOperands(d, i, address !== null), !f.writesFlags(d) || flagsLive(insns, i))} }`);
    } else lines.push(`X${i}(cpu, D${i});`);
    pending++;
    off += len;
    ripStored = sync;
    if (sync && i < n - 1) {
      lines.push(`if (cpu.breakBlock) { cpu.icount += 1; return; }`);
    }
  }
  lines.push(`cpu.icount += ${pending};`);
  if (!ripStored) lines.push(`cpu.rip = ${at(off)};`);
  lines.push('};');
  const params: string[] = ['PARITY'];
  const args: (Handler | Insn | Uint8Array)[] = [PARITY];
  for (let i = 0; i < n; i++) {
    params.push(`X${i}`, `D${i}`);
    args.push(insns[i]!.exec, insns[i]!);
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function(...params, lines.join('\n')) as (...a: (Handler | Insn | Uint8Array)[]) => CompiledBlock;
  return factory(...args);
}
