/**
 * Reads a flattened devicetree blob into a tree of nodes and properties. Every structural rule of the
 * Devicetree Specification's chapter 5 that a reader depends on is checked; a violation throws
 * FdtFormatError naming the file, the offset and the field.
 */
import { viewOf } from '../../common/struct.js';
import { FdtFormatError } from './errors.js';
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  FdtHeader,
  FdtPropHeader,
  FdtReserveEntry,
} from './header.js';
import type { MemoryReservation } from './writer.js';

export interface FdtProperty {
  readonly name: string;
  readonly value: Uint8Array;
  /** Offset of the FDT_PROP token in the blob. */
  readonly offset: number;
}

export interface FdtTreeNode {
  /** Full name including unit address ("" for the root). */
  readonly name: string;
  readonly path: string;
  readonly offset: number;
  readonly properties: FdtProperty[];
  readonly children: FdtTreeNode[];
}

export interface FdtTree {
  readonly header: ReturnType<typeof FdtHeader.read>;
  readonly reservations: MemoryReservation[];
  readonly root: FdtTreeNode;
}

export function parseFdt(blob: Uint8Array, file = '<fdt>'): FdtTree {
  const view = viewOf(blob);
  const fail = (offset: number, field: string, rule: string): never => {
    throw new FdtFormatError(file, offset, field, rule);
  };
  if (blob.length < FdtHeader.size) {
    fail(blob.length, 'fdt_header', `truncated: the header needs ${FdtHeader.size} bytes, blob has ${blob.length}`);
  }
  const header = FdtHeader.read(view, 0, file);
  if (header.magic !== FDT_MAGIC) fail(0, 'fdt_header.magic', `0x${header.magic.toString(16)} is not 0xd00dfeed`);
  if (header.totalsize > blob.length) {
    fail(4, 'fdt_header.totalsize', `${header.totalsize} bytes claimed, blob has ${blob.length}`);
  }
  if (header.totalsize < FdtHeader.size) fail(4, 'fdt_header.totalsize', `${header.totalsize} is smaller than the header`);
  if (header.last_comp_version > 17 || header.version < 16) {
    fail(0x14, 'fdt_header.version', `version ${header.version} (compatible down to ${header.last_comp_version}) is not 16 or 17`);
  }
  const total = header.totalsize;
  const block = (off: number, size: number, field: string, align: number) => {
    if (off % align !== 0) fail(FdtHeader.offsetOf(field as 'off_dt_struct'), `fdt_header.${field}`, `0x${off.toString(16)} is not ${align}-byte aligned`);
    if (off < FdtHeader.size || off + size > total) {
      fail(FdtHeader.offsetOf(field as 'off_dt_struct'), `fdt_header.${field}`, `block 0x${off.toString(16)}+0x${size.toString(16)} lies outside the blob (totalsize 0x${total.toString(16)})`);
    }
  };
  block(header.off_dt_struct, header.size_dt_struct, 'off_dt_struct', 4);
  block(header.off_dt_strings, header.size_dt_strings, 'off_dt_strings', 1);
  block(header.off_mem_rsvmap, 16, 'off_mem_rsvmap', 8);

  const reservations: MemoryReservation[] = [];
  for (let off = header.off_mem_rsvmap; ; off += 16) {
    if (off + 16 > total) fail(off, 'fdt_reserve_entry', 'memory reservation block has no terminating zero entry');
    const e = FdtReserveEntry.read(view, off, file);
    if (e.address === 0n && e.size === 0n) break;
    reservations.push(e);
  }

  const structEnd = header.off_dt_struct + header.size_dt_struct;
  const stringsStart = header.off_dt_strings;
  const stringsEnd = stringsStart + header.size_dt_strings;

  const cstr = (off: number, end: number, field: string): string => {
    const nul = blob.indexOf(0, off);
    if (nul < 0 || nul >= end) fail(off, field, 'string is not NUL-terminated inside its block');
    return Buffer.from(blob.subarray(off, nul)).toString('utf8');
  };

  let off = header.off_dt_struct;
  const readToken = (): number => {
    if (off + 4 > structEnd) fail(off, 'structure block', 'ends without an FDT_END token');
    const t = view.getUint32(off, false);
    off += 4;
    return t;
  };

  let root: FdtTreeNode | undefined;
  const stack: FdtTreeNode[] = [];
  for (;;) {
    const at = off;
    const token = readToken();
    if (token === FDT_NOP) continue;
    if (token === FDT_BEGIN_NODE) {
      const name = cstr(off, structEnd, 'FDT_BEGIN_NODE.name');
      off = align4(off + Buffer.byteLength(name, 'utf8') + 1);
      if (stack.length === 0 && root) fail(at, 'FDT_BEGIN_NODE', 'a second root node');
      if (stack.length === 0 && name !== '') fail(at, 'FDT_BEGIN_NODE.name', `root node has name "${name}"`);
      const parent = stack[stack.length - 1];
      const path = !parent ? '/' : parent.path === '/' ? `/${name}` : `${parent.path}/${name}`;
      const node: FdtTreeNode = { name, path, offset: at, properties: [], children: [] };
      if (parent) parent.children.push(node);
      else root = node;
      stack.push(node);
    } else if (token === FDT_END_NODE) {
      if (!stack.pop()) fail(at, 'FDT_END_NODE', 'without a matching FDT_BEGIN_NODE');
    } else if (token === FDT_PROP) {
      const node = stack[stack.length - 1];
      if (!node) fail(at, 'FDT_PROP', 'property outside any node');
      if (off + 8 > structEnd) fail(off, 'fdt_prop', 'truncated property header');
      const { len, nameoff } = FdtPropHeader.read(view, off, file);
      if (nameoff >= header.size_dt_strings) {
        fail(off + 4, 'fdt_prop.nameoff', `0x${nameoff.toString(16)} is outside the strings block (size 0x${header.size_dt_strings.toString(16)})`);
      }
      const name = cstr(stringsStart + nameoff, stringsEnd, 'property name');
      const valueAt = off + 8;
      if (valueAt + len > structEnd) fail(off, 'fdt_prop.len', `${len} bytes run past the structure block`);
      if (node!.children.length > 0) fail(at, `FDT_PROP ${name}`, 'property after a subnode');
      node!.properties.push({ name, value: blob.slice(valueAt, valueAt + len), offset: at });
      off = align4(valueAt + len);
    } else if (token === FDT_END) {
      if (stack.length !== 0) fail(at, 'FDT_END', `${stack.length} node(s) still open`);
      break;
    } else {
      fail(at, 'structure token', `unknown token 0x${token.toString(16)}`);
    }
  }
  if (!root) fail(header.off_dt_struct, 'structure block', 'has no root node');
  return { header, reservations, root: root! };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

// ---- lookups used by tests and by consumers (firmware, inspect) -----------------------------------------

export function findNode(tree: FdtTree, path: string): FdtTreeNode | undefined {
  if (path === '/') return tree.root;
  let node: FdtTreeNode | undefined = tree.root;
  for (const part of path.split('/').filter(Boolean)) {
    node = node?.children.find((c) => c.name === part || c.name.split('@')[0] === part);
    if (!node) return undefined;
  }
  return node;
}

export function prop(node: FdtTreeNode, name: string): Uint8Array | undefined {
  return node.properties.find((p) => p.name === name)?.value;
}

export function propU32s(node: FdtTreeNode, name: string): number[] | undefined {
  const v = prop(node, name);
  if (!v) return undefined;
  const view = viewOf(v);
  return Array.from({ length: v.length >> 2 }, (_, i) => view.getUint32(i * 4, false));
}

export function propStrings(node: FdtTreeNode, name: string): string[] | undefined {
  const v = prop(node, name);
  if (!v) return undefined;
  const s = Buffer.from(v).toString('utf8');
  return s.endsWith('\0') ? s.slice(0, -1).split('\0') : [s];
}
