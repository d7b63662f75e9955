/**
 * Compiles hot decoded blocks into JavaScript functions (the "compiled blocks" step of the design).
 *
 * A compiled block is straight-line JS for the block's instructions: the common integer operations, loads,
 * stores and branches are emitted inline with their decoded fields as constants; every other instruction calls
 * its table exec function exactly as the interpreter would. Semantics are unchanged: the interpreter's exec
 * functions remain the reference, and the differential suite runs with compilation forced on as well.
 *
 * Contract of the generated function `(c, ops) => retired`: it starts at `c.pc`, returns the number of
 * instructions retired, and leaves `c.pc` at the next instruction (with `c.redirect` set when control left the
 * block early). Before any instruction that may raise a guest exception it stores that instruction's address
 * in `c.pc`, so a fault reports the right ELR and the caller can count what retired.
 */
import type { Aarch64Cpu } from './cpu.js';
import type { DecodedOp } from './decoder.js';
import { R, addc32, addc64 } from './int64.js';
import { COND_TABLE, undefinedExec } from './isa/common.js';
import { DATA_PROCESSING } from './isa/data-processing.js';
import { mul64 } from './int64.js';

/** Table rows that can neither fault nor change the PC: called without the PC store and redirect check. */
const PURE = new Set(DATA_PROCESSING.filter((r) => r.exec !== undefinedExec && r.name !== 'ADR' && r.name !== 'ADRP'));

export type CompiledBlock = (c: Aarch64Cpu, ops: DecodedOp[]) => number;

const HALF = '4294967296';

function addrExpr(n: number, k: number): string {
  return `(x[${n + 1}] * ${HALF} + (x[${n}] >>> 0) + ${k})`;
}

/** Register write, skipping the zero register. */
function setX(d: number, lo: string, hi: string): string {
  if (d === 62) return `${lo}; ${hi};`;
  return `x[${d}] = ${lo}; x[${d + 1}] = ${hi};`;
}

function loadCode(o: DecodedOp, addr: string): string | null {
  const t = o.rt;
  const size = o.size, opc = o.l;
  if (o.name.includes('SIMD')) return null;
  switch (opc) {
    case 0:
      switch (size) {
        case 0: return `c.write8(${addr}, x[${t}] & 0xff);`;
        case 1: return `c.write16(${addr}, x[${t}] & 0xffff);`;
        case 2: return `c.write32(${addr}, x[${t}]);`;
        default: return `c.write64(${addr}, x[${t}], x[${t + 1}]);`;
      }
    case 1:
      switch (size) {
        case 0: return `{ const v = c.read8(${addr}); ${setX(t, 'v', '0')} }`;
        case 1: return `{ const v = c.read16(${addr}); ${setX(t, 'v', '0')} }`;
        case 2: return `{ const v = c.read32(${addr}); ${setX(t, 'v', '0')} }`;
        default: return `{ c.read64(${addr}); ${setX(t, 'c.mlo', 'c.mhi')} }`;
      }
    case 2:
      if (size === 3) return `${addr};`; // PRFM
      switch (size) {
        case 0: return `{ const v = (c.read8(${addr}) << 24) >> 24; ${setX(t, 'v', 'v >> 31')} }`;
        case 1: return `{ const v = (c.read16(${addr}) << 16) >> 16; ${setX(t, 'v', 'v >> 31')} }`;
        default: return `{ const v = c.read32(${addr}); ${setX(t, 'v', 'v >> 31')} }`;
      }
    default:
      return size === 0 ? `{ const v = (c.read8(${addr}) << 24) >> 24; ${setX(t, 'v', '0')} }` : `{ const v = (c.read16(${addr}) << 16) >> 16; ${setX(t, 'v', '0')} }`;
  }
}

/** Inline code for one instruction, or null to call its exec function. `pcExpr` is its address. */
function emit(o: DecodedOp, i: number, pcExpr: string, last: number): string | null {
  const name = o.name;
  const d = o.rd, n = o.rn, m = o.rm;
  const setPc = `c.pc = ${pcExpr};`;
  switch (name) {
    case 'ADD/SUB (immediate)': {
      const k = o.op ? -o.klo : o.klo;
      if (!o.sf) return setX(d, `(x[${n}] + ${k}) | 0`, '0');
      return `{ const l = (x[${n}] >>> 0) + ${k}; const h = (x[${n + 1}] + (l >= ${HALF} ? 1 : l < 0 ? -1 : 0)) | 0; ${setX(d, 'l | 0', 'h')} }`;
    }
    case 'ADDS/SUBS (immediate)': {
      const call = o.sf
        ? (o.op ? `addc64(x[${n}], x[${n + 1}], ${~o.klo}, -1, 1)` : `addc64(x[${n}], x[${n + 1}], ${o.klo}, 0, 0)`)
        : (o.op ? `addc32(x[${n}], ${~o.klo}, 1)` : `addc32(x[${n}], ${o.klo}, 0)`);
      return `c.nzcv = ${call}; ${setX(d, 'R[0]', 'R[1]')}`;
    }
    case 'ADD/SUB (shifted register)': {
      if (o.imm !== 0) return null;
      const hiB = o.sf ? `x[${m + 1}]` : '0';
      const call = o.sf
        ? (o.op ? `addc64(x[${n}], x[${n + 1}], ~x[${m}], ~${hiB}, 1)` : `addc64(x[${n}], x[${n + 1}], x[${m}], ${hiB}, 0)`)
        : (o.op ? `addc32(x[${n}], ~x[${m}], 1)` : `addc32(x[${n}], x[${m}], 0)`);
      return `${o.s ? 'c.nzcv = ' : ''}${call}; ${setX(d, 'R[0]', o.sf ? 'R[1]' : '0')}`;
    }
    case 'logical (shifted register)': {
      if (o.imm !== 0) return null;
      const inv = o.nbit ? '~' : '';
      const op = o.opt === 1 ? '|' : o.opt === 2 ? '^' : '&';
      const lo = `(x[${n}] ${op} ${inv}x[${m}])`;
      const hi = o.sf ? `(x[${n + 1}] ${op} ${inv}x[${m + 1}])` : '0';
      if (o.opt === 3) {
        return `{ const lo = ${lo} | 0, hi = ${hi} | 0; c.nzcv = ((${o.sf ? 'hi' : 'lo'} < 0 ? 0x80000000 : 0) | ((lo | hi) === 0 ? 0x40000000 : 0)) >>> 0; ${setX(d, 'lo', 'hi')} }`;
      }
      return `{ const lo = ${lo} | 0, hi = ${hi} | 0; ${setX(d, 'lo', 'hi')} }`;
    }
    case 'AND/ORR/EOR (immediate)': {
      const op = o.opt === 1 ? '|' : o.opt === 2 ? '^' : '&';
      return `{ const lo = (x[${n}] ${op} ${o.klo}) | 0, hi = ${o.sf ? `(x[${n + 1}] ${op} ${o.khi}) | 0` : '0'}; ${setX(d, 'lo', 'hi')} }`;
    }
    case 'MOVZ': return setX(d, `${o.klo}`, `${o.khi}`);
    case 'MADD/MSUB': {
      const a = o.ra;
      if (!o.sf) return setX(d, `(x[${a}] ${o.op2 ? '-' : '+'} Math.imul(x[${n}], x[${m}])) | 0`, '0');
      return `mul64(x[${n}], x[${n + 1}], x[${m}], x[${m + 1}]); ${o.op2 ? `addc64(x[${a}], x[${a + 1}], ~R[0], ~R[1], 1)` : `addc64(x[${a}], x[${a + 1}], R[0], R[1], 0)`}; ${setX(d, 'R[0]', 'R[1]')}`;
    }
    case 'CSEL/CSINC/CSINV/CSNEG': {
      const sel = (o.op << 1) | o.op2;
      const hiN = o.sf ? `x[${n + 1}]` : '0';
      let alt: string;
      switch (sel) {
        case 0: alt = `${setX(d, `x[${m}]`, o.sf ? `x[${m + 1}]` : '0')}`; break;
        case 1: alt = `{ const l = (x[${m}] >>> 0) + 1; ${setX(d, 'l | 0', o.sf ? `(x[${m + 1}] + (l >= ${HALF} ? 1 : 0)) | 0` : '0')} }`; break;
        case 2: alt = `${setX(d, `~x[${m}]`, o.sf ? `~x[${m + 1}]` : '0')}`; break;
        default: alt = `{ const l = (~x[${m}] >>> 0) + 1; ${setX(d, 'l | 0', o.sf ? `(~x[${m + 1}] + (l >= ${HALF} ? 1 : 0)) | 0` : '0')} }`; break;
      }
      return `if (COND[${o.cond << 4} | (c.nzcv >>> 28)]) { ${setX(d, `x[${n}]`, hiN)} } else { ${alt} }`;
    }
    case 'LDR/STR (register offset)': {
      if (o.name.includes('SIMD')) return null;
      const sh = o.s ? o.scale : 0;
      let off: string;
      switch (o.opt) {
        case 2: off = `(x[${m}] >>> 0) * ${2 ** sh}`; break; // UXTW
        case 6: off = `(x[${m}] | 0) * ${2 ** sh}`; break; // SXTW
        default: off = `(x[${m + 1}] * ${HALF} + (x[${m}] >>> 0)) * ${2 ** sh}`; break; // LSL / SXTX
      }
      const code = loadCode(o, 'va');
      return code === null ? null : `${setPc} { const va = ${addrExpr(n, 0)} + ${off}; ${code} }`;
    }
    case 'MOVN': return setX(d, `${~o.klo}`, o.sf ? `${~o.khi}` : '0');
    case 'LDR/STR (unsigned offset)':
    case 'LDUR/STUR/PRFUM': {
      const code = loadCode(o, addrExpr(n, o.aux));
      return code === null ? null : `${setPc} ${code}`;
    }
    case 'LDR/STR (post-index)': case 'LDR/STR (pre-index)': {
      const pre = name === 'LDR/STR (pre-index)';
      const code = loadCode(o, 'va');
      if (code === null) return null;
      const wb = pre ? 'va' : `va + ${o.aux}`;
      return `${setPc} { const va = ${pre ? addrExpr(n, o.aux) : addrExpr(n, 0)}; ${code} const w = ${wb}; const wh = Math.floor(w / ${HALF}); x[${n}] = (w - wh * ${HALF}) | 0; x[${n + 1}] = wh | 0; }`;
    }
    case 'LDP/STP (offset)': case 'LDP/STP (pre-index)': case 'LDP/STP (post-index)': {
      if (o.imm3 !== 1 && o.imm3 !== 3) return null; // 64-bit pairs only; the rest through exec
      const t = o.rt, t2 = o.rt2;
      const mode = name.includes('pre') ? 1 : name.includes('post') ? 2 : 0;
      const va = mode === 1 || mode === 0 ? addrExpr(n, o.aux) : addrExpr(n, 0);
      const body = o.imm3 === 1
        ? `if (((va & 0xfff) + 16) > 4096) c.translateData(va + 15, true); c.write64(va, x[${t}], x[${t + 1}]); c.write64(va + 8, x[${t2}], x[${t2 + 1}]);`
        : `c.read64(va); const alo = c.mlo, ahi = c.mhi; c.read64(va + 8); ${setX(t, 'alo', 'ahi')} ${setX(t2, 'c.mlo', 'c.mhi')}`;
      const wb = mode === 0 ? '' : `const w = ${mode === 1 ? 'va' : `va + ${o.aux}`}; const wh = Math.floor(w / ${HALF}); x[${n}] = (w - wh * ${HALF}) | 0; x[${n + 1}] = wh | 0;`;
      return `${setPc} { const va = ${va}; ${body} ${wb} }`;
    }
    case 'B/BL': {
      const link = o.op ? `{ const t = ${pcExpr} + 4; const th = Math.floor(t / ${HALF}); x[60] = (t - th * ${HALF}) | 0; x[61] = th | 0; }` : '';
      return `${link} c.pc = ${pcExpr} + ${o.aux}; c.redirect = true; return ${i + 1};`;
    }
    case 'B.cond':
      return `if (COND[${o.cond << 4} | (c.nzcv >>> 28)]) { c.pc = ${pcExpr} + ${o.aux}; c.redirect = true; return ${i + 1}; }`;
    case 'CBZ/CBNZ': {
      const zero = o.sf ? `(x[${o.rt}] | x[${o.rt + 1}]) === 0` : `x[${o.rt}] === 0`;
      return `if ((${zero}) === ${o.op === 0}) { c.pc = ${pcExpr} + ${o.aux}; c.redirect = true; return ${i + 1}; }`;
    }
    case 'TBZ/TBNZ': {
      const bit = o.imms;
      const v = bit >= 32 ? `((x[${o.rt + 1}] >>> ${bit - 32}) & 1)` : `((x[${o.rt}] >>> ${bit}) & 1)`;
      return `if (${v} === ${o.op}) { c.pc = ${pcExpr} + ${o.aux}; c.redirect = true; return ${i + 1}; }`;
    }
    case 'BR/BLR/RET': {
      const link = o.opt === 1 ? `{ const t = ${pcExpr} + 4; const th = Math.floor(t / ${HALF}); x[60] = (t - th * ${HALF}) | 0; x[61] = th | 0; }` : '';
      return `{ const lo = x[${n}], hi = x[${n + 1}]; ${link} c.pc = hi * ${HALF} + (lo >>> 0); c.redirect = true; return ${i + 1}; }`;
    }
    default:
      void last;
      return null;
  }
}

export function compileBlock(ops: DecodedOp[]): CompiledBlock {
  const lines: string[] = ['const x = c.x; const pc0 = c.pc;'];
  const n = ops.length;
  for (let i = 0; i < n; i++) {
    const o = ops[i]!;
    const pcExpr = i === 0 ? 'pc0' : `(pc0 + ${4 * i})`;
    const code = emit(o, i, pcExpr, n - 1);
    if (code !== null) {
      lines.push(code);
    } else if (o.spec && PURE.has(o.spec)) {
      lines.push(`ops[${i}].exec(c, ops[${i}]);`);
    } else {
      lines.push(`c.pc = ${pcExpr}; ops[${i}].exec(c, ops[${i}]); if (c.redirect) return ${i + 1};`);
    }
  }
  lines.push(`c.pc = pc0 + ${4 * n}; return ${n};`);
  const factory = new Function('addc64', 'addc32', 'mul64', 'R', 'COND', `return function compiledBlock(c, ops) {\n${lines.join('\n')}\n};`);
  return factory(addc64, addc32, mul64, R, COND_TABLE) as CompiledBlock;
}
