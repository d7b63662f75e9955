/**
 * The instruction decoder, generated at load time from OPCODE_TABLE: each table row becomes an OpInfo in a
 * per-map, per-prefix slot (with ModRM-indexed groups). Decoding walks prefixes, picks the slot and reads
 * ModRM/SIB/displacement/immediates as the row's operand letters say.
 */
import { OPCODE_TABLE } from './opcode-table.js';
import { specialize } from './exec-fast.js';
import { BASE_RIP, type Handler, Insn, K, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from './insn.js';

const F_D64 = 1;
const F_F64 = 2;
const F_I64 = 4;
const F_O64 = 8;
const F_END = 16;
const F_UA = 32;

/** Immediate encodings */
const enum Imm {
  NONE = 0,
  B = 1, // byte, zero-extended
  BS = 2, // byte, sign-extended to operand size
  W = 3,
  Z = 4, // word or dword (sign-extended in 64-bit)
  V = 5, // word, dword or qword
  JB = 6,
  JZ = 7,
  O = 8, // moffs (address size)
  AP = 9, // ptr16:16/32
}

interface OpInfo {
  mnemonic: string;
  handler: Handler | undefined;
  kinds: K[];
  sizes: string[];
  imms: Imm[];
  flags: number;
  needsModrm: boolean;
  memOnly: boolean;
  regOnly: boolean;
  fixedSeg: number;
  /** a 128-bit memory operand that must be 16-byte aligned (legacy SSE, not an `ua` row) */
  align16: boolean;
}

interface Group {
  mem: (OpInfo | undefined)[];
  reg: (OpInfo | undefined)[];
  full: Map<number, OpInfo>;
}

type Node = OpInfo | Group;

interface Slot {
  variants: (Node | undefined)[]; // index: 0 none, 1 = 66, 2 = F3, 3 = F2
}

const SEGMENT_NAMES: Record<string, number> = { ES: SEG_ES, CS: SEG_CS, SS: SEG_SS, DS: SEG_DS, FS: SEG_FS, GS: SEG_GS };

function parseOperand(tok: string, info: OpInfo): void {
  const push = (k: K, size: string, imm: Imm = Imm.NONE): void => {
    info.kinds.push(k);
    info.sizes.push(size);
    info.imms.push(imm);
  };
  if (tok in SEGMENT_NAMES) {
    info.fixedSeg = SEGMENT_NAMES[tok]!;
    push(K.SEG, 'w');
    return;
  }
  switch (tok) {
    case 'AL': return push(K.ACC, 'b');
    case 'rAX': return push(K.ACC, 'v');
    case 'CL': return push(K.CL, 'b');
    case 'DX': return push(K.DX, 'w');
    case '1': return push(K.ONE, 'b');
    case 'b': case 'v': return push(K.NONE, tok);
    case 'Ib': return push(K.I, 'b', Imm.B);
    case 'Ibs': return push(K.I, 'v', Imm.BS);
    case 'Iw': return push(K.I, 'w', Imm.W);
    case 'Iz': return push(K.I, 'v', Imm.Z);
    case 'Iv': return push(K.I, 'v', Imm.V);
    case 'Jb': return push(K.J, 'v', Imm.JB);
    case 'Jz': return push(K.J, 'v', Imm.JZ);
    case 'Ap': return push(K.AP, 'p', Imm.AP);
  }
  const letter = tok[0]!;
  const size = tok.slice(1) || 'v';
  switch (letter) {
    case 'E': info.needsModrm = true; return push(K.E, size);
    case 'M': info.needsModrm = true; info.memOnly = true; return push(K.E, size);
    case 'R': info.needsModrm = true; info.regOnly = true; return push(K.E, size);
    case 'G': info.needsModrm = true; return push(K.G, size);
    case 'S': info.needsModrm = true; return push(K.S, 'w');
    case 'C': info.needsModrm = true; return push(K.C, size);
    case 'D': info.needsModrm = true; return push(K.D, size);
    case 'V': info.needsModrm = true; return push(K.V, size);
    case 'W': info.needsModrm = true; return push(K.W, size);
    case 'U': info.needsModrm = true; info.regOnly = true; return push(K.W, size);
    case 'Z': return push(K.Z, size);
    case 'O': return push(K.O, size, Imm.O);
  }
  throw new Error(`opcode table: unknown operand ${tok}`);
}

function parseRow(row: string, handlers: Readonly<Record<string, Handler>>): OpInfo {
  const parts = row.split(' ');
  const mnemonic = parts[0]!;
  const info: OpInfo = {
    mnemonic,
    handler: handlers[mnemonic],
    kinds: [],
    sizes: [],
    imms: [],
    flags: 0,
    needsModrm: false,
    memOnly: false,
    regOnly: false,
    fixedSeg: -1,
    align16: false,
  };
  for (const p of parts.slice(1)) {
    switch (p) {
      case 'd64': info.flags |= F_D64; continue;
      case 'f64': info.flags |= F_F64; continue;
      case 'i64': info.flags |= F_I64; continue;
      case 'o64': info.flags |= F_O64; continue;
      case 'end': info.flags |= F_END; continue;
      case 'ua': info.flags |= F_UA; continue;
    }
    for (const tok of p.split(',')) parseOperand(tok, info);
  }
  info.align16 = (info.flags & F_UA) === 0 && info.kinds.some((k, i) => (k === K.W || k === K.E) && info.sizes[i] === 'x');
  return info;
}

export class DecoderTables {
  /** 0: one-byte map, 1: 0F, 2: 0F 38, 3: 0F 3A */
  readonly maps: Slot[][] = [[], [], [], []];

  constructor(handlers: Readonly<Record<string, Handler>>) {
    for (let m = 0; m < 4; m++) for (let i = 0; i < 256; i++) this.maps[m]![i] = { variants: [] };
    for (const [key, row] of Object.entries(OPCODE_TABLE)) this.add(key, parseRow(row, handlers));
  }

  private add(key: string, info: OpInfo): void {
    const toks = key.split(' ');
    let variant = 0;
    if (toks[0] === '66' || toks[0] === 'F3' || toks[0] === 'F2') {
      variant = toks[0] === '66' ? 1 : toks[0] === 'F3' ? 2 : 3;
      toks.shift();
    }
    let map = 0;
    if (toks[0] === '0F') {
      map = 1;
      toks.shift();
      const third = toks[0] as string;
      if (third === '38' || third === '3A') {
        map = third === '38' ? 2 : 3;
        toks.shift();
      }
    }
    const [op, regSel, form] = toks[0]!.split('/');
    const slot = this.maps[map]![parseInt(op!, 16)]!;
    if (toks.length === 2) {
      const g = this.group(slot, variant);
      g.full.set(parseInt(toks[1]!, 16), info);
      return;
    }
    if (regSel === undefined) {
      slot.variants[variant] = info;
      return;
    }
    info.needsModrm = true;
    const g = this.group(slot, variant);
    if (regSel === 'mem' || regSel === 'reg') {
      // a row for every ModRM.reg value of that form (e.g. MOVLPS m64 vs MOVHLPS xmm)
      for (let r = 0; r < 8; r++) (regSel === 'mem' ? g.mem : g.reg)[r] = info;
      return;
    }
    const r = parseInt(regSel, 10);
    if (form !== 'reg') g.mem[r] = info;
    if (form !== 'mem') g.reg[r] = info;
  }

  private group(slot: Slot, variant: number): Group {
    let g = slot.variants[variant];
    if (!g || !('mem' in g)) {
      g = { mem: [], reg: [], full: new Map() };
      slot.variants[variant] = g;
    }
    return g as Group;
  }
}

/** Why decoding did not produce an instruction. */
export const enum DecodeFailure {
  NONE = 0,
  UNDEFINED = 1, // #UD
  TOO_LONG = 2, // more than 15 bytes: #GP
}

/** Fetches the code byte at `offset` from the instruction start (may throw a guest fault). */
export type ByteFetcher = (offset: number) => number;


/**
 * Decodes one instruction. `codeBits` is 16, 32 or 64. Returns the instruction, or null with `failure` set.
 */
export class Decoder {
  failure: DecodeFailure = DecodeFailure.NONE;
  /** Bytes of the last decode attempt, for diagnostics. */
  lastLength = 0;

  constructor(
    private readonly tables: DecoderTables,
    private readonly unimplemented: Handler,
  ) {}

  decode(fetch: ByteFetcher, codeBits: number): Insn | null {
    let pos = 0;
    const next = (): number => {
      if (pos >= 15) throw TOO_LONG;
      return fetch(pos++);
    };
    try {
      return this.decodeInner(next, codeBits, () => pos);
    } catch (e) {
      if (e === TOO_LONG) {
        this.failure = DecodeFailure.TOO_LONG;
        return null;
      }
      throw e;
    } finally {
      this.lastLength = pos;
    }
  }

  private decodeInner(next: () => number, codeBits: number, position: () => number): Insn | null {
    const long = codeBits === 64;
    let opsizePrefix = false;
    let adsizePrefix = false;
    let rep = 0;
    let lock = false;
    let seg = -1;
    let rex = 0;
    let mandatory = 0; // last of 66/F3/F2 seen (F3/F2 win over 66)
    let b: number;
    for (;;) {
      b = next();
      switch (b) {
        case 0x66: opsizePrefix = true; rex = 0; if (mandatory === 0) mandatory = 1; continue;
        case 0x67: adsizePrefix = true; rex = 0; continue;
        case 0xf3: rep = 0xf3; mandatory = 2; rex = 0; continue;
        case 0xf2: rep = 0xf2; mandatory = 3; rex = 0; continue;
        case 0xf0: lock = true; rex = 0; continue;
        case 0x26: seg = SEG_ES; rex = 0; continue;
        case 0x2e: seg = SEG_CS; rex = 0; continue;
        case 0x36: seg = SEG_SS; rex = 0; continue;
        case 0x3e: seg = SEG_DS; rex = 0; continue;
        case 0x64: seg = SEG_FS; rex = 0; continue;
        case 0x65: seg = SEG_GS; rex = 0; continue;
      }
      if (long && (b & 0xf0) === 0x40) {
        rex = b; // REX must be last: a later prefix cancels it (handled above)
        continue;
      }
      break;
    }
    let map = 0;
    if (b === 0x0f) {
      map = 1;
      b = next();
      if (b === 0x38 || b === 0x3a) {
        map = b === 0x38 ? 2 : 3;
        b = next();
      }
    }
    const slot = this.tables.maps[map]![b]!;
    let node: Node | undefined;
    let usedMandatory = 0;
    if (mandatory >= 2 && slot.variants[mandatory]) {
      node = slot.variants[mandatory];
      usedMandatory = mandatory;
    } else if (opsizePrefix && slot.variants[1]) {
      node = slot.variants[1];
      usedMandatory = 1;
    } else {
      node = slot.variants[0];
      if (!node && map === 1 && (mandatory >= 2 || opsizePrefix)) node = undefined;
    }
    if (!node) {
      this.failure = DecodeFailure.UNDEFINED;
      return null;
    }
    let modrm = -1;
    let info: OpInfo | undefined;
    if ('mem' in node) {
      modrm = next();
      const g = node as Group;
      info = g.full.get(modrm);
      if (!info) info = (modrm >> 6) === 3 ? g.reg[(modrm >> 3) & 7] : g.mem[(modrm >> 3) & 7];
    } else {
      info = node as OpInfo;
      if (info.needsModrm) modrm = next();
    }
    if (!info) {
      this.failure = DecodeFailure.UNDEFINED;
      return null;
    }
    if ((long && info.flags & F_I64) || (!long && info.flags & F_O64)) {
      this.failure = DecodeFailure.UNDEFINED;
      return null;
    }
    if (modrm >= 0 && ((info.memOnly && modrm >> 6 === 3) || (info.regOnly && modrm >> 6 !== 3))) {
      this.failure = DecodeFailure.UNDEFINED;
      return null;
    }
    // LOCK is only valid on read-modify-write instructions with a memory destination (#UD otherwise)
    if (lock && (!LOCKABLE.has(info.mnemonic) || modrm < 0 || modrm >> 6 === 3)) {
      this.failure = DecodeFailure.UNDEFINED;
      return null;
    }
    const d = new Insn(info.handler ?? this.unimplemented, info.mnemonic);
    d.opcode = b;
    d.rex = rex !== 0;
    d.lock = lock;
    d.endsBlock = (info.flags & F_END) !== 0;
    // operand size
    let osize: number;
    if (long) {
      if (rex & 8) osize = 8;
      else if (info.flags & F_F64) osize = 8;
      else if (info.flags & F_D64) osize = opsizePrefix && usedMandatory !== 1 ? 2 : 8;
      else osize = opsizePrefix && usedMandatory !== 1 ? 2 : 4;
    } else {
      const def = codeBits === 32 ? 4 : 2;
      osize = opsizePrefix && usedMandatory !== 1 ? 6 - def : def;
    }
    d.osize = osize;
    d.asize = long ? (adsizePrefix ? 4 : 8) : codeBits === 32 ? (adsizePrefix ? 2 : 4) : adsizePrefix ? 4 : 2;
    if (usedMandatory < 2) d.rep = rep;
    if (seg >= 0) {
      d.seg = seg;
      d.segOverride = true;
    }
    // ModRM
    if (modrm >= 0) {
      const mod = modrm >> 6;
      d.groupIndex = (modrm >> 3) & 7;
      d.reg = d.groupIndex | ((rex & 4) << 1);
      const rm = modrm & 7;
      if (mod === 3) {
        d.rm = rm | ((rex & 1) << 3);
      } else {
        d.isMem = true;
        d.align16 = info.align16;
        if (d.asize === 2) this.decodeModrm16(d, mod, rm, next);
        else this.decodeModrm32(d, mod, rm, rex, long, next);
        if (seg >= 0) d.seg = seg;
      }
    }
    // operands
    const n = info.kinds.length;
    let firstImm = true;
    for (let i = 0; i < n; i++) {
      const k = info.kinds[i]!;
      const size = sizeOf(info.sizes[i]!, osize, rex);
      if (i === 0) { d.k1 = k; d.s1 = size; } else if (i === 1) { d.k2 = k; d.s2 = size; } else { d.k3 = k; d.s3 = size; }
      if (k === K.Z) d.reg = (b & 7) | ((rex & 1) << 3);
      if (k === K.SEG) d.reg = info.fixedSeg;
      const immKind = info.imms[i]!;
      if (immKind !== Imm.NONE) {
        let lo = 0;
        let hi = 0;
        switch (immKind) {
          case Imm.B: lo = next(); break;
          case Imm.BS: case Imm.JB: {
            const v = (next() << 24) >> 24;
            lo = v >>> 0;
            hi = v < 0 ? 0xffffffff : 0;
            break;
          }
          case Imm.W: lo = next() | (next() << 8); break;
          case Imm.Z: case Imm.JZ: {
            if (osize === 2) {
              const v = ((next() | (next() << 8)) << 16) >> 16;
              lo = v >>> 0;
              hi = v < 0 ? 0xffffffff : 0;
            } else {
              const v = next() | (next() << 8) | (next() << 16) | (next() << 24);
              lo = v >>> 0;
              hi = v < 0 ? 0xffffffff : 0;
            }
            break;
          }
          case Imm.V:
            lo = osize === 2 ? next() | (next() << 8) : (next() | (next() << 8) | (next() << 16) | (next() << 24)) >>> 0;
            if (osize === 8) hi = (next() | (next() << 8) | (next() << 16) | (next() << 24)) >>> 0;
            break;
          case Imm.O: {
            d.isMem = true;
            d.base = -1;
            d.index = -1;
            if (d.asize === 2) lo = next() | (next() << 8);
            else lo = (next() | (next() << 8) | (next() << 16) | (next() << 24)) >>> 0;
            if (d.asize === 8) hi = (next() | (next() << 8) | (next() << 16) | (next() << 24)) | 0;
            // moffs: the absolute address as displacement (64-bit: a Number, exact for canonical addresses)
            d.disp = hi * 4294967296 + lo;
            lo = 0;
            hi = 0;
            break;
          }
          case Imm.AP:
            lo = osize === 2 ? next() | (next() << 8) : (next() | (next() << 8) | (next() << 16) | (next() << 24)) >>> 0;
            d.imm2 = next() | (next() << 8);
            break;
        }
        if (immKind === Imm.O) continue;
        if (firstImm) {
          d.imm = lo;
          d.immHi = hi;
          if (immKind !== Imm.AP) firstImm = false;
        } else {
          d.imm2 = lo;
        }
      }
    }
    d.len = position();
    const fast = specialize(d);
    if (fast) {
      d.exec = fast.handler;
      d.form = fast;
    }
    return d;
  }

  private decodeModrm16(d: Insn, mod: number, rm: number, next: () => number): void {
    const BASES = [3, 3, 5, 5, 6, 7, 5, 3]; // BX BX BP BP SI DI BP BX
    const INDEXES = [6, 7, 6, 7, -1, -1, -1, -1]; // SI DI SI DI
    if (mod === 0 && rm === 6) {
      d.base = -1;
      d.index = -1;
      d.disp = next() | (next() << 8);
      return;
    }
    d.base = BASES[rm]!;
    d.index = INDEXES[rm]!;
    if (!d.segOverride && (rm === 2 || rm === 3 || rm === 6)) d.seg = SEG_SS;
    if (mod === 1) d.disp = (next() << 24) >> 24;
    else if (mod === 2) d.disp = ((next() | (next() << 8)) << 16) >> 16;
  }

  private decodeModrm32(d: Insn, mod: number, rm: number, rex: number, long: boolean, next: () => number): void {
    let base: number;
    let index = -1;
    let scale = 0;
    if (rm === 4) {
      const sib = next();
      scale = sib >> 6;
      const idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
      if (idx !== 4) index = idx;
      const b = sib & 7;
      if (b === 5 && mod === 0) {
        base = -1;
        d.disp = next() | (next() << 8) | (next() << 16) | (next() << 24);
      } else {
        base = b | ((rex & 1) << 3);
      }
    } else if (rm === 5 && mod === 0) {
      base = long ? BASE_RIP : -1;
      d.disp = next() | (next() << 8) | (next() << 16) | (next() << 24);
    } else {
      base = rm | ((rex & 1) << 3);
    }
    if (mod === 1) d.disp = (next() << 24) >> 24;
    else if (mod === 2) d.disp = next() | (next() << 8) | (next() << 16) | (next() << 24);
    d.base = base;
    d.index = index;
    d.scale = scale;
    if (base === 4 || base === 5) d.seg = SEG_SS;
  }
}

const TOO_LONG = { tooLong: true };

const LOCKABLE = new Set([
  'ADD', 'ADC', 'AND', 'BTC', 'BTR', 'BTS', 'CMPXCHG', 'CMPXCHG8B', 'DEC', 'INC', 'NEG', 'NOT', 'OR', 'SBB',
  'SUB', 'XOR', 'XADD', 'XCHG',
]);

function sizeOf(code: string, osize: number, rex: number): number {
  switch (code) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'q': return 8;
    case 'v': return osize;
    case 'z': return osize === 2 ? 2 : 4;
    case 'y': return rex & 8 || osize === 8 ? 8 : 4;
    case 'x': return 16;
    case 'p': return osize + 2;
    case '': return osize;
  }
  return osize;
}
