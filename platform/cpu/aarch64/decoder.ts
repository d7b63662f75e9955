/**
 * The A64 decoder, generated from the declarative instruction tables in `isa/`.
 *
 * Each table row gives an encoding as a 32-character pattern (bit 31 first; spaces ignored): '0'/'1' are fixed
 * bits, '.' is "any", and a letter names a field. `FIELD_LEGEND` says which operand slot of `DecodedOp` a letter
 * fills and how (register numbers become indices into the register file; 31 means SP for the capitalised
 * letters and ZR otherwise). From the rows we build a 2048-way dispatch on bits 31..21: every bucket holds the
 * rows whose fixed bits agree with that key, most specific first, so decoding an instruction tests only a few
 * masks. Decoding happens once per instruction per block (the block cache keeps the result).
 */
import type { Aarch64Cpu } from './cpu.js';

export type ExecFn = (c: Aarch64Cpu, o: DecodedOp) => void;

export interface InsnSpec {
  /** mnemonic group for verdicts and statistics */
  readonly name: string;
  readonly pattern: string;
  readonly exec: ExecFn;
  /** the instruction may change control flow or system state: it ends a decoded block */
  readonly ends?: boolean;
  /** derives values from the fields; returns false when the field combination is unallocated */
  readonly prepare?: (o: DecodedOp) => boolean | void;
}

/** One decoded instruction. One class with every slot so all ops share a single hidden shape. */
export class DecodedOp {
  exec: ExecFn = undefined as unknown as ExecFn;
  name = '';
  word = 0;
  /** register-file indices (2 * register number; SP = 64, ZR = 62) */
  rd = 0; rn = 0; rm = 0; ra = 0; rt = 0; rt2 = 0; rs = 0;
  /** SIMD&FP register numbers (0..31) */
  vd = 0; vn = 0; vm = 0; vt = 0; vt2 = 0; va = 0;
  sf = 0; imm = 0; imm2 = 0; imm3 = 0; cond = 0; opt = 0; sh = 0; nbit = 0; immr = 0; imms = 0;
  size = 0; q = 0; op = 0; op2 = 0; s = 0; l = 0;
  /** derived 64-bit constant (bitmask immediates, shifted MOV immediates) */
  klo = 0; khi = 0;
  /** derived scale / element count / flags for the exec function */
  scale = 0; aux = 0;
  spec: InsnSpec | null = null;
  /** the memory transfer of a load/store (chosen at decode time by size and sign) */
  mem: MemFn = noMem;
}

export type MemFn = (c: Aarch64Cpu, o: DecodedOp, va: number) => void;
function noMem(): void {}

type Slot = keyof DecodedOp;
interface FieldRule { slot: Slot; kind: 'raw' | 'zr' | 'sp' }

/** Field letters used in the patterns. */
export const FIELD_LEGEND: Readonly<Record<string, FieldRule>> = {
  d: { slot: 'rd', kind: 'zr' }, D: { slot: 'rd', kind: 'sp' },
  n: { slot: 'rn', kind: 'zr' }, N: { slot: 'rn', kind: 'sp' },
  m: { slot: 'rm', kind: 'zr' }, a: { slot: 'ra', kind: 'zr' },
  t: { slot: 'rt', kind: 'zr' }, u: { slot: 'rt2', kind: 'zr' }, s: { slot: 'rs', kind: 'zr' },
  v: { slot: 'vd', kind: 'raw' }, w: { slot: 'vn', kind: 'raw' }, y: { slot: 'vm', kind: 'raw' },
  g: { slot: 'vt', kind: 'raw' }, G: { slot: 'vt2', kind: 'raw' }, A: { slot: 'va', kind: 'raw' },
  f: { slot: 'sf', kind: 'raw' }, i: { slot: 'imm', kind: 'raw' }, j: { slot: 'imm2', kind: 'raw' },
  k: { slot: 'imm3', kind: 'raw' }, c: { slot: 'cond', kind: 'raw' }, o: { slot: 'opt', kind: 'raw' },
  h: { slot: 'sh', kind: 'raw' }, e: { slot: 'nbit', kind: 'raw' }, r: { slot: 'immr', kind: 'raw' },
  x: { slot: 'imms', kind: 'raw' }, z: { slot: 'size', kind: 'raw' }, q: { slot: 'q', kind: 'raw' },
  p: { slot: 'op', kind: 'raw' }, P: { slot: 'op2', kind: 'raw' }, S: { slot: 's', kind: 'raw' },
  L: { slot: 'l', kind: 'raw' },
};

interface Extractor { slot: Slot; kind: FieldRule['kind']; bits: number[] }

interface CompiledSpec {
  spec: InsnSpec;
  mask: number;
  value: number;
  fields: Extractor[];
  specificity: number;
}

function compile(spec: InsnSpec): CompiledSpec {
  const p = spec.pattern.replace(/\s+/g, '');
  if (p.length !== 32) throw new Error(`a64 table: pattern of ${spec.name} has ${p.length} bits: ${spec.pattern}`);
  let mask = 0, value = 0;
  const byLetter = new Map<string, number[]>();
  for (let i = 0; i < 32; i++) {
    const ch = p[i]!;
    const bit = 31 - i;
    if (ch === '0' || ch === '1') {
      mask |= 1 << bit;
      if (ch === '1') value |= 1 << bit;
    } else if (ch !== '.') {
      if (!FIELD_LEGEND[ch]) throw new Error(`a64 table: unknown field letter '${ch}' in ${spec.name}`);
      let bits = byLetter.get(ch);
      if (!bits) byLetter.set(ch, (bits = []));
      bits.push(bit);
    }
  }
  const fields = [...byLetter].map(([ch, bits]) => ({ ...FIELD_LEGEND[ch]!, bits }));
  let specificity = 0;
  for (let b = 0; b < 32; b++) if (mask & (1 << b)) specificity++;
  return { spec, mask: mask >>> 0, value: value >>> 0, fields, specificity };
}

export class A64Decoder {
  private readonly buckets: CompiledSpec[][] = [];

  constructor(tables: readonly (readonly InsnSpec[])[]) {
    const all = tables.flat().map(compile);
    // Most fixed bits first: a specific encoding (e.g. ERET) wins over the group it sits in.
    all.sort((a, b) => b.specificity - a.specificity);
    for (let key = 0; key < 2048; key++) {
      const top = (key << 21) >>> 0;
      this.buckets.push(all.filter((c) => ((top ^ c.value) & c.mask & 0xffe00000) >>> 0 === 0));
    }
  }

  /** Decodes one word; returns null when no table row matches. */
  decode(word: number, out: DecodedOp): boolean {
    word >>>= 0;
    const bucket = this.buckets[word >>> 21]!;
    for (const c of bucket) {
      if (((word & c.mask) >>> 0) !== c.value) continue;
      out.word = word | 0;
      out.spec = c.spec;
      out.name = c.spec.name;
      out.exec = c.spec.exec;
      for (const f of c.fields) {
        let v = 0;
        for (const b of f.bits) v = (v << 1) | ((word >>> b) & 1);
        if (f.kind === 'zr') v = v * 2;
        else if (f.kind === 'sp') v = v === 31 ? 64 : v * 2;
        (out as unknown as Record<string, number>)[f.slot] = v;
      }
      if (c.spec.prepare && c.spec.prepare(out) === false) continue;
      return true;
    }
    return false;
  }
}
