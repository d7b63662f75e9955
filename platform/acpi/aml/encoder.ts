/**
 * A small AML encoder (ACPI 6.5 chapter 20): the term objects the board's DSDT needs (Scope, Device, Name,
 * Method with Return, Package, Buffer, integers, strings, EISA IDs). Each function returns the encoded bytes
 * of one term so definitions nest like the ASL they stand for.
 */

import { NovaImageError } from '../../../common/errors.js';

export type Aml = Uint8Array;

const Op = {
  ZERO: 0x00,
  ONE: 0x01,
  NAME: 0x08,
  BYTE_PREFIX: 0x0a,
  WORD_PREFIX: 0x0b,
  DWORD_PREFIX: 0x0c,
  STRING_PREFIX: 0x0d,
  QWORD_PREFIX: 0x0e,
  SCOPE: 0x10,
  BUFFER: 0x11,
  PACKAGE: 0x12,
  METHOD: 0x14,
  DUAL_NAME_PREFIX: 0x2e,
  MULTI_NAME_PREFIX: 0x2f,
  EXT_PREFIX: 0x5b,
  ROOT_CHAR: 0x5c,
  PARENT_PREFIX: 0x5e,
  RETURN: 0xa4,
  ONES: 0xff,
} as const;
const ExtOp = { DEVICE: 0x82 } as const;

/** An AML term that cannot be encoded (bad name segment, value out of range). */
export class AmlError extends NovaImageError {}

export function concat(...parts: readonly Aml[]): Aml {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** NameSeg: 4 characters, lead A-Z or '_', then A-Z, 0-9, '_'; short names are padded with '_'. */
export function nameSeg(seg: string): Aml {
  if (!/^[A-Z_][A-Z0-9_]{0,3}$/.test(seg)) throw new AmlError(`invalid AML name segment "${seg}"`);
  return Uint8Array.from(Buffer.from(seg.padEnd(4, '_'), 'latin1'));
}

/** NameString: optional root '\' or parent '^' prefixes, then one, two (DualNamePrefix) or more segments. */
export function nameString(path: string): Aml {
  let i = 0;
  const prefix: number[] = [];
  if (path[0] === '\\') {
    prefix.push(Op.ROOT_CHAR);
    i = 1;
  } else {
    while (path[i] === '^') {
      prefix.push(Op.PARENT_PREFIX);
      i++;
    }
  }
  const rest = path.slice(i);
  const segs = rest === '' ? [] : rest.split('.').map(nameSeg);
  let body: Aml;
  if (segs.length === 0) body = Uint8Array.of(0x00); // NullName
  else if (segs.length === 1) body = segs[0]!;
  else if (segs.length === 2) body = concat(Uint8Array.of(Op.DUAL_NAME_PREFIX), ...segs);
  else body = concat(Uint8Array.of(Op.MULTI_NAME_PREFIX, segs.length), ...segs);
  return concat(Uint8Array.from(prefix), body);
}

/**
 * PkgLength: the length of the package including the PkgLength bytes themselves. One byte holds up to 63;
 * longer lengths take 2-4 bytes (low nibble in the lead byte, then whole bytes).
 */
export function pkgLength(contentLength: number): Aml {
  for (let n = 1; n <= 4; n++) {
    const total = contentLength + n;
    if (n === 1 && total <= 0x3f) return Uint8Array.of(total);
    if (n > 1 && total < 2 ** (4 + 8 * (n - 1))) {
      const out = new Uint8Array(n);
      out[0] = ((n - 1) << 6) | (total & 0x0f);
      for (let k = 1; k < n; k++) out[k] = (total >>> (4 + 8 * (k - 1))) & 0xff;
      return out;
    }
  }
  throw new AmlError(`package of ${contentLength} bytes is too long for PkgLength`);
}

function pkg(opcode: readonly number[], content: Aml): Aml {
  return concat(Uint8Array.from(opcode), pkgLength(content.length), content);
}

/** Integer constant in the shortest encoding, as iasl emits it. */
export function integer(value: number | bigint): Aml {
  const v = BigInt(value);
  if (v < 0n || v > 0xffffffffffffffffn) throw new AmlError(`integer ${v} out of range`);
  if (v === 0n) return Uint8Array.of(Op.ZERO);
  if (v === 1n) return Uint8Array.of(Op.ONE);
  if (v === 0xffffffffffffffffn) return Uint8Array.of(Op.ONES);
  const le = (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
    return out;
  };
  if (v <= 0xffn) return concat(Uint8Array.of(Op.BYTE_PREFIX), le(1));
  if (v <= 0xffffn) return concat(Uint8Array.of(Op.WORD_PREFIX), le(2));
  if (v <= 0xffffffffn) return concat(Uint8Array.of(Op.DWORD_PREFIX), le(4));
  return concat(Uint8Array.of(Op.QWORD_PREFIX), le(8));
}

export function string(s: string): Aml {
  if (!/^[\x01-\x7f]*$/.test(s)) throw new AmlError(`AML strings are ASCII without NUL: ${JSON.stringify(s)}`);
  return concat(Uint8Array.of(Op.STRING_PREFIX), Uint8Array.from(Buffer.from(s, 'latin1')), Uint8Array.of(0));
}

/** EISA ID ("PNP0A08") compressed to the 32-bit integer iasl's EisaId() produces. */
export function eisaId(id: string): Aml {
  const m = /^([A-Z]{3})([0-9A-F]{4})$/.exec(id);
  if (!m) throw new AmlError(`invalid EISA ID "${id}"`);
  const c = (i: number) => m[1]!.charCodeAt(i) - 0x40;
  const vendor = (c(0) << 10) | (c(1) << 5) | c(2);
  const product = parseInt(m[2]!, 16);
  // Bytes in memory: vendor big-endian, then product big-endian.
  const bytes = [vendor >> 8, vendor & 0xff, product >> 8, product & 0xff];
  return integer((bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0);
}

export function buffer(data: Uint8Array): Aml {
  return pkg([Op.BUFFER], concat(integer(data.length), data));
}

export function packageOf(elements: readonly Aml[]): Aml {
  if (elements.length > 255) throw new AmlError('Package with more than 255 elements needs VarPackage');
  return pkg([Op.PACKAGE], concat(Uint8Array.of(elements.length), ...elements));
}

export function name(path: string, value: Aml): Aml {
  return concat(Uint8Array.of(Op.NAME), nameString(path), value);
}

export function scope(path: string, ...terms: Aml[]): Aml {
  return pkg([Op.SCOPE], concat(nameString(path), ...terms));
}

export function device(path: string, ...terms: Aml[]): Aml {
  return pkg([Op.EXT_PREFIX, ExtOp.DEVICE], concat(nameString(path), ...terms));
}

/** Method with `argCount` arguments (0-7), NotSerialized, sync level 0. */
export function method(path: string, argCount: number, ...terms: Aml[]): Aml {
  if (argCount < 0 || argCount > 7) throw new AmlError(`method ${path}: ${argCount} arguments`);
  return pkg([Op.METHOD], concat(nameString(path), Uint8Array.of(argCount), ...terms));
}

export function returnValue(value: Aml): Aml {
  return concat(Uint8Array.of(Op.RETURN), value);
}
