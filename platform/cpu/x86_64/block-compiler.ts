/**
 * Hot-block compiler: turns a decoded block that has run often into one JavaScript function that calls each
 * instruction's handler in sequence. The semantics are the interpreter's (same handlers, same RIP/curRip
 * bookkeeping, same breakBlock exits); what changes is that every call site in the generated function is
 * monomorphic, so V8 can inline the handlers, and the per-instruction loop disappears.
 *
 * The generated source only contains numeric literals and references to the handler/decoded-instruction
 * arrays passed in; no guest data ever reaches the code text.
 */
import type { X86Cpu } from './cpu.js';
import type { Handler, Insn } from './insn.js';

export type CompiledBlock = (cpu: X86Cpu) => void;

/** Blocks run this many times before they are compiled. */
export const COMPILE_THRESHOLD = 64;

export function compileBlock(insns: readonly Insn[]): CompiledBlock {
  const n = insns.length;
  const lines: string[] = ['return function compiledBlock(cpu) {', '  let r;'];
  for (let i = 0; i < n; i++) {
    const len = insns[i]!.len | 0;
    lines.push(`  r = cpu.rip; cpu.curRip = r; cpu.rip = r + ${len}; H${i}(cpu, D${i}); cpu.icount++;`);
    if (i < n - 1) lines.push('  if (cpu.breakBlock) return;');
  }
  lines.push('};');
  const params: string[] = [];
  const args: (Handler | Insn)[] = [];
  for (let i = 0; i < n; i++) {
    params.push(`H${i}`, `D${i}`);
    args.push(insns[i]!.exec, insns[i]!);
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function(...params, lines.join('\n')) as (...a: (Handler | Insn)[]) => CompiledBlock;
  return factory(...args);
}
