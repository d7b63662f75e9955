/**
 * Builds a flattened devicetree blob. The API mirrors rust-vmm's vm-fdt: open a node, add its properties,
 * open and close subnodes, close it, finish. Misuse (property after a subnode, bad names, unbalanced nodes,
 * duplicate properties) throws FdtWriteError instead of producing a blob dtc would reject.
 *
 * Blob layout: header (40 bytes), memory reservation block (8-aligned), structure block, strings block.
 */
import { FdtWriteError } from './errors.js';
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_PROP,
  FDT_VERSION,
  FdtHeader,
  FdtPropHeader,
  FdtReserveEntry,
} from './header.js';
import { viewOf } from '../../common/struct.js';

const NODE_NAME = /^[0-9a-zA-Z,._+-]{1,31}(@[0-9a-zA-Z,._+-]+)?$/;
const PROP_NAME = /^[0-9a-zA-Z,._+?#-]{1,31}$/;

export interface MemoryReservation {
  readonly address: bigint;
  readonly size: bigint;
}

/** Handle returned by beginNode; endNode checks that nodes are closed in order. */
export interface FdtNode {
  readonly depth: number;
  readonly name: string;
}

interface OpenNode {
  readonly handle: FdtNode;
  readonly props: Set<string>;
  readonly children: Set<string>;
  hasChildren: boolean;
}

export class FdtWriter {
  private struct: number[] = [];
  private readonly strings: number[] = [];
  private readonly stringOffsets = new Map<string, number>();
  private readonly stack: OpenNode[] = [];
  private rootDone = false;
  private finished = false;

  constructor(
    private readonly reservations: readonly MemoryReservation[] = [],
    private readonly bootCpuidPhys = 0,
  ) {}

  beginNode(name: string): FdtNode {
    this.checkOpen();
    if (this.stack.length === 0) {
      if (this.rootDone) throw new FdtWriteError('second-root', `node "${name}" after the root node was closed`);
      if (name !== '') throw new FdtWriteError('root-not-first', `the first node must be the root "" (got "${name}")`);
    } else {
      if (!NODE_NAME.test(name)) throw new FdtWriteError('invalid-node-name', `"${name}"`);
      const parent = this.stack[this.stack.length - 1]!;
      if (parent.children.has(name)) {
        throw new FdtWriteError('duplicate-node', `"${name}" twice under "${parent.handle.name || '/'}"`);
      }
      parent.children.add(name);
      parent.hasChildren = true;
    }
    this.token(FDT_BEGIN_NODE);
    this.bytes(cstring(name, 'node name'));
    const handle: FdtNode = { depth: this.stack.length, name };
    this.stack.push({ handle, props: new Set(), children: new Set(), hasChildren: false });
    return handle;
  }

  endNode(node: FdtNode): void {
    this.checkOpen();
    const top = this.stack[this.stack.length - 1];
    if (!top) throw new FdtWriteError('end-without-begin', `endNode("${node.name}") with no open node`);
    if (top.handle !== node) {
      throw new FdtWriteError('end-node-mismatch', `endNode("${node.name}") while "${top.handle.name}" is the innermost open node`);
    }
    this.stack.pop();
    this.token(FDT_END_NODE);
    if (this.stack.length === 0) this.rootDone = true;
  }

  /** A property with raw bytes as value. */
  property(name: string, value: Uint8Array): void {
    this.checkOpen();
    const node = this.stack[this.stack.length - 1];
    if (!node) throw new FdtWriteError('property-outside-node', `property "${name}" outside any node`);
    if (!PROP_NAME.test(name)) throw new FdtWriteError('invalid-property-name', `"${name}"`);
    if (node.hasChildren) {
      throw new FdtWriteError('property-after-subnode', `property "${name}" of "${node.handle.name}" after a subnode`);
    }
    if (node.props.has(name)) throw new FdtWriteError('duplicate-property', `"${name}" twice in "${node.handle.name || '/'}"`);
    node.props.add(name);
    this.token(FDT_PROP);
    const hdr = FdtPropHeader.encode({ len: value.length, nameoff: this.stringOffset(name) });
    this.bytes(hdr);
    this.bytes(value);
  }

  propertyNull(name: string): void {
    this.property(name, new Uint8Array(0));
  }

  propertyString(name: string, value: string): void {
    this.property(name, cstring(value, `property ${name}`));
  }

  propertyStringList(name: string, values: readonly string[]): void {
    const parts = values.map((v) => cstring(v, `property ${name}`));
    this.property(name, concat(parts));
  }

  propertyU32(name: string, value: number): void {
    this.propertyArrayU32(name, [value]);
  }

  propertyU64(name: string, value: bigint): void {
    this.propertyArrayU64(name, [value]);
  }

  propertyArrayU32(name: string, values: readonly number[]): void {
    const out = new Uint8Array(values.length * 4);
    const view = viewOf(out);
    values.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new FdtWriteError('value-out-of-range', `property ${name}[${i}] = ${v} is not a u32`);
      }
      view.setUint32(i * 4, v, false);
    });
    this.property(name, out);
  }

  propertyArrayU64(name: string, values: readonly bigint[]): void {
    const out = new Uint8Array(values.length * 8);
    const view = viewOf(out);
    values.forEach((v, i) => {
      if (v < 0n || v > 0xffffffffffffffffn) {
        throw new FdtWriteError('value-out-of-range', `property ${name}[${i}] = ${v} is not a u64`);
      }
      view.setBigUint64(i * 8, v, false);
    });
    this.property(name, out);
  }

  propertyPhandle(value: number): void {
    this.propertyU32('phandle', value);
  }

  /** Closes the structure block and returns the blob. The writer cannot be used afterwards. */
  finish(): Uint8Array {
    this.checkOpen();
    if (this.stack.length !== 0) {
      throw new FdtWriteError('unclosed-nodes', `${this.stack.map((n) => n.handle.name || '/').join(' > ')} still open`);
    }
    if (!this.rootDone) throw new FdtWriteError('unclosed-nodes', 'no root node was written');
    this.token(FDT_END);
    this.finished = true;

    const rsvOffset = align(FdtHeader.size, 8);
    const rsvSize = (this.reservations.length + 1) * FdtReserveEntry.size;
    const structOffset = rsvOffset + rsvSize;
    const stringsOffset = structOffset + this.struct.length;
    const total = stringsOffset + this.strings.length;
    const out = new Uint8Array(total);
    const view = viewOf(out);
    FdtHeader.write(view, 0, {
      magic: FDT_MAGIC,
      totalsize: total,
      off_dt_struct: structOffset,
      off_dt_strings: stringsOffset,
      off_mem_rsvmap: rsvOffset,
      version: FDT_VERSION,
      last_comp_version: FDT_LAST_COMP_VERSION,
      boot_cpuid_phys: this.bootCpuidPhys,
      size_dt_strings: this.strings.length,
      size_dt_struct: this.struct.length,
    });
    this.reservations.forEach((r, i) => FdtReserveEntry.write(view, rsvOffset + i * 16, r));
    out.set(this.struct, structOffset);
    out.set(this.strings, stringsOffset);
    return out;
  }

  private checkOpen(): void {
    if (this.finished) throw new FdtWriteError('finished', 'the writer was already finished');
  }

  private token(t: number): void {
    this.struct.push((t >>> 24) & 0xff, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff);
  }

  /** Appends bytes and pads the structure block to the next 4-byte boundary. */
  private bytes(b: Uint8Array): void {
    for (const x of b) this.struct.push(x);
    while (this.struct.length % 4 !== 0) this.struct.push(0);
  }

  private stringOffset(name: string): number {
    let off = this.stringOffsets.get(name);
    if (off === undefined) {
      off = this.strings.length;
      this.stringOffsets.set(name, off);
      for (const x of Buffer.from(name, 'latin1')) this.strings.push(x);
      this.strings.push(0);
    }
    return off;
  }
}

function cstring(s: string, what: string): Uint8Array {
  if (s.includes('\0')) throw new FdtWriteError('string-contains-nul', `${what}: ${JSON.stringify(s)}`);
  const b = Buffer.from(s, 'utf8');
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
