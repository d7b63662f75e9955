/**
 * The hottest instruction forms gcc emits (64/32-bit MOV and ALU operations on registers, immediates and
 * simple memory operands, shifts by an immediate, LEA, MOVZX, CMOVcc, Jcc, PUSH/POP/CALL/RET), written once as
 * JavaScript source templates. The decoder asks `specialize` after decoding; a form not listed here keeps its
 * generic handler from exec-*.ts.
 *
 * Each template is turned into code twice from the same text:
 *  - the interpreter's handler for the form: operands read from the decoded instruction (`d.reg`, `d.imm`);
 *  - inline code in a compiled block (block-compiler.ts): the operands are numeric literals, so V8 folds the
 *    size and register choices away, and a flag update that the block overwrites before anything can observe
 *    it is left out.
 * Every form gets its own generated function: closures from one factory would share one feedback vector and
 * make the hot handlers polymorphic.
 *
 * In the templates, `L`/`H` are the low/high register halves (cpu.lo/cpu.hi), `cpu` is the CPU. The generated
 * text contains only numeric literals and these names; no guest data ever reaches it.
 */
import { LazyOp, PARITY } from './flags.js';
import { type Handler, type Insn, K } from './insn.js';

/** How a template names the instruction's operands. */
export interface Operands {
  /** the decoded instruction (memory operands, through cpu.ea/offset64) */
  readonly d: string;
  readonly reg: string;
  readonly rm: string;
  readonly imm: string;
  readonly immHi: string;
  readonly rex: string;
  /** the memory operand's linear address (evaluating it may fault) */
  readonly ea: string;
  /**
   * `offsetOk` true when `offset` holds the memory operand's 64-bit offset (LEA) as an exact Number; else the
   * template computes it with cpu.offset64
   */
  readonly offsetOk: string;
  readonly offset: string;
}

export interface FastForm {
  readonly key: string;
  /** JS statements; with `flags` false the arithmetic-flag update is left out (the caller proved it dead) */
  code(o: Operands, flags: boolean): string;
  /**
   * The instruction may raise a guest exception, reads RIP or transfers control: a compiled block stores
   * RIP, the current RIP and the retired-instruction count before it, and checks breakBlock after it.
   */
  sync(d: Insn): boolean;
  /** This instruction sets all six arithmetic flags (a shift by 0 sets none). */
  writesFlags(d: Insn): boolean;
  readonly readsFlags: boolean;
  /** The interpreter's handler, generated from `code`. */
  readonly handler: Handler;
}

const HANDLER_OPERANDS: Operands = {
  d: 'd', reg: 'd.reg', rm: 'd.rm', imm: 'd.imm', immHi: 'd.immHi', rex: 'd.rex', ea: 'cpu.ea(d)', offsetOk: 'false', offset: '0',
};

const never = (): boolean => false;
const always = (): boolean => true;

function form(
  key: string,
  code: (o: Operands, flags: boolean) => string,
  props: { sync: (d: Insn) => boolean; writesFlags?: (d: Insn) => boolean; readsFlags?: boolean },
): FastForm {
  const name = `fast_${key.replace(/[^A-Za-z0-9]/g, '_')}`;
  const source = `return function ${name}(cpu, d) {\nconst L = cpu.lo, H = cpu.hi;\n${code(HANDLER_OPERANDS, true)}\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const handler = new Function('PARITY', source)(PARITY) as Handler;
  return { key, code, sync: props.sync, writesFlags: props.writesFlags ?? never, readsFlags: props.readsFlags ?? false, handler };
}

const memo = new Map<string, FastForm>();
function cached(key: string, make: (key: string) => FastForm): FastForm {
  let f = memo.get(key);
  if (!f) {
    f = make(key);
    memo.set(key, f);
  }
  return f;
}

const lazy = (op: LazyOp, size: number, r: string, rh: string, a: string, ah: string, b: string, bh: string): string =>
  `cpu.setLazy(${op}, ${size}, ${r}, ${rh}, ${a}, ${ah}, ${b}, ${bh});`;

// ---- MOV ----

const movRR = (size: number, rev: boolean): FastForm =>
  cached(`mov-rr${size}${rev ? 'r' : ''}`, (key) =>
    form(key, (o) => {
      const [dst, src] = rev ? [o.reg, o.rm] : [o.rm, o.reg];
      return `L[${dst}] = L[${src}]; H[${dst}] = ${size === 8 ? `H[${src}]` : '0'};`;
    }, { sync: never }));

const movLoad = (size: number): FastForm =>
  cached(`mov-load${size}`, (key) =>
    form(key, (o) => size === 8
      ? `{ const lin = ${o.ea}; const lo = cpu.read32(lin); const hi = cpu.read32(lin + 4); L[${o.reg}] = lo; H[${o.reg}] = hi; }`
      : `L[${o.reg}] = cpu.read32(${o.ea}); H[${o.reg}] = 0;`, { sync: always }));

const movStore = (size: number): FastForm =>
  cached(`mov-store${size}`, (key) =>
    form(key, (o) => size === 8
      ? `cpu.writeMem(${o.ea}, 8, L[${o.reg}] >>> 0, H[${o.reg}] >>> 0);`
      : `cpu.write32(${o.ea}, L[${o.reg}] >>> 0);`, { sync: always }));

const movImm = (size: number): FastForm =>
  cached(`mov-imm${size}`, (key) =>
    form(key, (o) => `L[${o.reg}] = ${o.imm}; H[${o.reg}] = ${size === 8 ? o.immHi : '0'};`, { sync: never }));

// ---- ALU (sizes 4 and 8): ADD OR AND SUB XOR CMP TEST ----

const ALU_INDEX: Record<string, number> = { ADD: 0, OR: 1, AND: 4, SUB: 5, XOR: 6, CMP: 7, TEST: 8 };

/**
 * `a`,`ah`,`b`,`bh` are expressions of unsigned 32-bit halves (ah/bh '0' for size 4); writes the result to
 * register `dst` (except CMP and TEST).
 */
function aluCode(op: number, size: number, dst: string, a: string, ah: string, b: string, bh: string, flags: boolean): string {
  const wide = size === 8;
  let compute: string;
  let flagCode: string;
  switch (op) {
    case 0: // ADD
      compute = wide
        ? `const s = a + b; const r = s >>> 0; const rh = (ah + bh + (s > 0xffffffff ? 1 : 0)) >>> 0;`
        : `const r = (a + b) >>> 0; const rh = 0;`;
      flagCode = lazy(LazyOp.ADD, size, 'r', 'rh', 'a', 'ah', 'b', 'bh');
      break;
    case 5: case 7: // SUB, CMP
      compute = wide
        ? `const s = a - b; const r = s >>> 0; const rh = (ah - bh - (s < 0 ? 1 : 0)) >>> 0;`
        : `const r = (a - b) >>> 0; const rh = 0;`;
      flagCode = lazy(LazyOp.SUB, size, 'r', 'rh', 'a', 'ah', 'b', 'bh');
      break;
    default: { // OR AND XOR TEST
      const sym = op === 1 ? '|' : op === 6 ? '^' : '&';
      compute = `const r = (a ${sym} b) >>> 0; const rh = ${wide ? `(ah ${sym} bh) >>> 0` : '0'};`;
      flagCode = lazy(LazyOp.LOGIC, size, 'r', 'rh', '0', '0', '0', '0');
    }
  }
  const write = op === 7 || op === 8 ? '' : `L[${dst}] = r; H[${dst}] = rh;`;
  if (!flags && write === '') return '';
  return `{ const a = ${a}, ah = ${ah}, b = ${b}, bh = ${bh}; ${compute} ${flags ? flagCode : ''} ${write} }`;
}

const high = (size: number, e: string): string => (size === 8 ? e : '0');

const aluRR = (op: number, size: number, rev: boolean): FastForm =>
  cached(`alu${op}-rr${size}${rev ? 'r' : ''}`, (key) =>
    form(key, (o, flags) => {
      const [x, y] = rev ? [o.reg, o.rm] : [o.rm, o.reg];
      return aluCode(op, size, x, `L[${x}] >>> 0`, high(size, `H[${x}] >>> 0`), `L[${y}] >>> 0`, high(size, `H[${y}] >>> 0`), flags);
    }, { sync: never, writesFlags: always }));

const aluRI = (op: number, size: number): FastForm =>
  cached(`alu${op}-ri${size}`, (key) =>
    form(key, (o, flags) =>
      aluCode(op, size, o.rm, `L[${o.rm}] >>> 0`, high(size, `H[${o.rm}] >>> 0`), size === 8 ? o.imm : `${o.imm} >>> 0`, high(size, o.immHi), flags),
    { sync: never, writesFlags: always }));

const aluRM = (op: number, size: number): FastForm =>
  cached(`alu${op}-rm${size}`, (key) =>
    form(key, (o, flags) =>
      `{ const lin = ${o.ea}; const m = cpu.read32(lin); const mh = ${size === 8 ? 'cpu.read32(lin + 4)' : '0'}; ` +
      `${aluCode(op, size, o.reg, `L[${o.reg}] >>> 0`, high(size, `H[${o.reg}] >>> 0`), 'm', 'mh', flags)} }`,
    { sync: always, writesFlags: always }));

// ---- SHL/SHR/SAR reg, imm8 (sizes 4 and 8): flags as in exec-alu.ts (AF=0, OF from the last step) ----

const SHIFT_KIND: Record<string, number> = { SHL: 4, SAL: 4, SHR: 5, SAR: 7 };

function shiftCode(kind: number, size: number, o: Operands, flags: boolean): string {
  const r = o.rm;
  const arith = (zf: string, sf: string): string =>
    flags ? `cpu.setArith(cf, PARITY[lo & 0xff], 0, ${zf}, ${sf}, of);` : '';
  if (size === 4) {
    const step =
      kind === 4 ? 'cf = (lo >>> (32 - c)) & 1; lo = (lo << c) >>> 0; of = (lo >>> 31) ^ cf;'
      : kind === 5 ? 'cf = (lo >>> (c - 1)) & 1; of = c === 1 ? lo >>> 31 : 0; lo = lo >>> c;'
      : 'cf = ((lo | 0) >> (c - 1)) & 1; lo = ((lo | 0) >> c) >>> 0; of = 0;';
    return `{ const c = ${o.imm} & 31;
      if (c === 0) H[${r}] = 0;
      else { let lo = L[${r}] >>> 0, cf, of; ${step} L[${r}] = lo; H[${r}] = 0; ${arith('lo === 0 ? 1 : 0', 'lo >>> 31')} } }`;
  }
  const step =
    kind === 4
      ? `cf = c <= 32 ? (hi >>> (32 - c)) & 1 : (lo >>> (64 - c)) & 1;
         if (c < 32) { hi = ((hi << c) | (lo >>> (32 - c))) >>> 0; lo = (lo << c) >>> 0; } else { hi = (lo << (c - 32)) >>> 0; lo = 0; }
         of = (hi >>> 31) ^ cf;`
      : kind === 5
        ? `cf = c <= 32 ? (lo >>> (c - 1)) & 1 : (hi >>> (c - 33)) & 1; of = c === 1 ? hi >>> 31 : 0;
           if (c < 32) { lo = ((lo >>> c) | (hi << (32 - c))) >>> 0; hi = hi >>> c; } else { lo = hi >>> (c - 32); hi = 0; }`
        : `cf = c <= 32 ? (lo >>> (c - 1)) & 1 : ((hi | 0) >> (c - 33)) & 1; of = 0;
           if (c < 32) { lo = ((lo >>> c) | (hi << (32 - c))) >>> 0; hi = ((hi | 0) >> c) >>> 0; }
           else { lo = ((hi | 0) >> (c - 32)) >>> 0; hi = ((hi | 0) >> 31) >>> 0; }`;
  return `{ const c = ${o.imm} & 63;
    if (c !== 0) { let lo = L[${r}] >>> 0, hi = H[${r}] >>> 0, cf, of; ${step} L[${r}] = lo; H[${r}] = hi; ${arith('(lo | hi) === 0 ? 1 : 0', 'hi >>> 31')} } }`;
}

const shiftRI = (kind: number, size: number): FastForm =>
  cached(`sh${kind}-ri${size}`, (key) =>
    form(key, (o, flags) => shiftCode(kind, size, o, flags), {
      sync: never,
      writesFlags: (d) => (d.imm & (size === 8 ? 63 : 31)) !== 0,
    }));

// ---- control flow and stack (64-bit mode) ----

const jcc = (cc: number): FastForm =>
  cached(`j${cc}`, (key) => form(key, (o) => `if (cpu.cond(${cc})) cpu.branch(cpu.rip + (${o.imm} | 0), 8);`, { sync: always, readsFlags: true }));

const push64 = (): FastForm => cached('push64', (key) => form(key, (o) => `cpu.push(8, L[${o.reg}] >>> 0, H[${o.reg}] >>> 0);`, { sync: always }));
const pop64 = (): FastForm => cached('pop64', (key) => form(key, (o) => `{ const lo = cpu.pop(8); L[${o.reg}] = lo; H[${o.reg}] = cpu.vhi; }`, { sync: always }));
const call64 = (): FastForm =>
  cached('call64', (key) =>
    form(key, (o) => `{ const ret = cpu.rip; cpu.push(8, ret >>> 0, Math.floor(ret / 4294967296) >>> 0); cpu.branch(ret + (${o.imm} | 0), 8); }`, { sync: always }));
const ret64 = (): FastForm =>
  cached('ret64', (key) => form(key, () => `{ const lo = cpu.pop(8); cpu.branch((cpu.vhi | 0) * 4294967296 + lo, 8); }`, { sync: always }));

// ---- LEA / MOVZX / CMOVcc ----

/** LEA neither faults nor touches memory (a RIP-relative one reads RIP: see the block compiler's address code). */
const lea = (size: number): FastForm =>
  cached(`lea${size}`, (key) =>
    form(key, (o) => `if (${o.offsetOk}) { const l = ${o.offset}; L[${o.reg}] = l >>> 0; H[${o.reg}] = ${size === 8 ? 'Math.floor(l / 4294967296) | 0' : '0'}; }
      else { cpu.offset64(${o.d}); L[${o.reg}] = cpu.eaLo; H[${o.reg}] = ${size === 8 ? 'cpu.eaHi' : '0'}; }`, {
      sync: never,
    }));

const movzxLoad = (from: number): FastForm =>
  cached(`movzx-load${from}`, (key) =>
    form(key, (o) => `L[${o.reg}] = cpu.read${from * 8}(${o.ea}); H[${o.reg}] = 0;`, { sync: always }));

const movzxReg = (from: number): FastForm =>
  cached(`movzx-reg${from}`, (key) =>
    form(key, (o) => from === 2
      ? `L[${o.reg}] = L[${o.rm}] & 0xffff; H[${o.reg}] = 0;`
      : `L[${o.reg}] = !${o.rex} && ${o.rm} >= 4 && ${o.rm} < 8 ? (L[${o.rm} - 4] >>> 8) & 0xff : L[${o.rm}] & 0xff; H[${o.reg}] = 0;`,
    { sync: never }));

const cmov = (cc: number, size: number): FastForm =>
  cached(`cmov${cc}-${size}`, (key) =>
    form(key, (o) => size === 8
      ? `if (cpu.cond(${cc})) { L[${o.reg}] = L[${o.rm}]; H[${o.reg}] = H[${o.rm}]; }`
      : `if (cpu.cond(${cc})) L[${o.reg}] = L[${o.rm}]; H[${o.reg}] = 0;`,
    { sync: never, readsFlags: true }));

/** The fast form of this decoded instruction, or undefined to keep the generic handler. */
export function specialize(d: Insn): FastForm | undefined {
  if (d.lock || d.segOverride) return undefined;
  const m = d.mnemonic;
  // 64-bit mode forms (operand size 8 for near branches and stack operations)
  if (d.asize === 8 && d.osize !== 2 && m.length <= 3 && m[0] === 'J' && d.k1 === K.J && m !== 'JMP') return jcc(d.opcode & 15);
  if (d.osize === 8 && d.asize === 8) {
    if (m === 'PUSH' && d.k1 === K.Z) return push64();
    if (m === 'POP' && d.k1 === K.Z) return pop64();
    if (m === 'CALL' && d.k1 === K.J) return call64();
    if (m === 'RET' && d.k1 === K.NONE) return ret64();
  }
  if (d.asize === 8 && m === 'LEA' && (d.osize === 8 || d.osize === 4)) return lea(d.osize);
  if (m === 'MOVZX' && (d.s1 === 4 || d.s1 === 8)) return d.isMem ? movzxLoad(d.s2) : movzxReg(d.s2);
  if (m.startsWith('CMOV') && !d.isMem && (d.s1 === 4 || d.s1 === 8)) return cmov(d.opcode & 15, d.s1);
  if (m === 'MOV' && d.k1 === K.Z && d.k2 === K.I && (d.s1 === 4 || d.s1 === 8)) return movImm(d.s1);
  const size = d.s1;
  if (size !== 4 && size !== 8) return undefined;
  if (m === 'MOV') {
    if (d.k1 === K.E && d.k2 === K.G) return d.isMem ? movStore(size) : movRR(size, false);
    if (d.k1 === K.G && d.k2 === K.E) return d.isMem ? movLoad(size) : movRR(size, true);
    return undefined;
  }
  const sk = SHIFT_KIND[m];
  if (sk !== undefined) return d.k1 === K.E && !d.isMem && d.k2 === K.I ? shiftRI(sk, size) : undefined;
  const op = ALU_INDEX[m];
  if (op === undefined) return undefined;
  if (d.k1 === K.E && !d.isMem && d.k2 === K.G) return aluRR(op, size, false);
  if (d.k1 === K.G && d.k2 === K.E && !d.isMem && op !== 8) return aluRR(op, size, true);
  if (d.k1 === K.G && d.k2 === K.E && d.isMem && op !== 8) return aluRM(op, size);
  if (d.k1 === K.E && !d.isMem && d.k2 === K.I) return aluRI(op, size);
  return undefined;
}
