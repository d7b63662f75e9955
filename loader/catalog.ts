/**
 * The payload catalog of a mono-image: a table of contents the loader stub reads at boot and `inspect`
 * shows. Version 1 layout (little endian), at a 4 KiB-aligned file offset named by the stub's info block:
 *
 *   header (32 bytes):  magic "NOVA-CAT", version u16 = 1, header_size u16 = 32, entry_size u16 = 96,
 *                       entry_count u16, flags u32 = 0, reserved u32 + u64 = 0
 *   entry (96 bytes):   type u32, flags u32 = 0, offset u64 (file offset, 4 KiB aligned), size u64,
 *                       name[40] (ASCII, NUL padded), sha256[32] of the payload bytes
 *
 * Entry types: 1 kernel ELF, 2 root task ELF (the first Multiboot2 module), 3 module, 4 command line
 * (ASCII, no NUL), 5 ACPI table override. Readers must accept entry_size/header_size larger than they know
 * (later versions append fields) and refuse a different major version.
 */
import { createHash } from 'node:crypto';
import { defineStruct, hex, viewOf } from '../common/struct.js';
import { CatalogError } from './errors.js';
import { findStubInfo } from './stub-info.js';

export const CATALOG_MAGIC = 'NOVA-CAT';
export const CATALOG_VERSION = 1;
export const CATALOG_ALIGN = 0x1000;
export const CATALOG_NAME_LENGTH = 40;

export const CatalogHeader = defineStruct('nova_catalog_header', 32, {
  magic: [0x00, ['ascii', 8]],
  version: [0x08, 'u16'],
  header_size: [0x0a, 'u16'],
  entry_size: [0x0c, 'u16'],
  entry_count: [0x0e, 'u16'],
  flags: [0x10, 'u32'],
  reserved: [0x14, 'u32'],
  reserved2: [0x18, 'u64'],
});

export const CatalogEntry = defineStruct('nova_catalog_entry', 96, {
  type: [0x00, 'u32'],
  flags: [0x04, 'u32'],
  offset: [0x08, 'u64'],
  size: [0x10, 'u64'],
  name: [0x18, ['ascii', CATALOG_NAME_LENGTH]],
  sha256: [0x40, ['bytes', 32]],
});

export const PayloadType = {
  KERNEL: 1,
  ROOT: 2,
  MODULE: 3,
  CMDLINE: 4,
  ACPI_TABLE: 5,
} as const;
export type PayloadTypeValue = (typeof PayloadType)[keyof typeof PayloadType];

export const PAYLOAD_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'kernel',
  2: 'root',
  3: 'module',
  4: 'cmdline',
  5: 'acpi-table',
};

/** The stub supports at most this many entries (MAX_PAYLOADS in loader/stub/x86_64/stub.h). */
export const CATALOG_MAX_ENTRIES = 32;

export interface CatalogPayload {
  type: PayloadTypeValue;
  name: string;
  data: Uint8Array;
}

export interface CatalogEntryInfo {
  index: number;
  type: number;
  typeName: string;
  name: string;
  offset: number;
  size: number;
  sha256: string;
}

export interface Catalog {
  /** File offset of the catalog header. */
  offset: number;
  version: number;
  entries: CatalogEntryInfo[];
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** Size in bytes of the catalog for `count` entries. */
export function catalogSize(count: number): number {
  return CatalogHeader.size + count * CatalogEntry.size;
}

/**
 * Encodes the catalog for payloads placed at the given file offsets (same order). Names longer than the
 * field are refused rather than cut, so what `inspect` shows is what the user typed.
 */
export function encodeCatalog(payloads: readonly CatalogPayload[], offsets: readonly number[]): Uint8Array {
  if (payloads.length > CATALOG_MAX_ENTRIES) {
    throw new RangeError(`payload catalog: ${payloads.length} entries, the loader stub takes at most ${CATALOG_MAX_ENTRIES}`);
  }
  const out = new Uint8Array(catalogSize(payloads.length));
  const view = viewOf(out);
  CatalogHeader.write(view, 0, {
    magic: CATALOG_MAGIC,
    version: CATALOG_VERSION,
    header_size: CatalogHeader.size,
    entry_size: CatalogEntry.size,
    entry_count: payloads.length,
  });
  payloads.forEach((p, i) => {
    if (p.name.length > CATALOG_NAME_LENGTH - 1 || !/^[\x20-\x7e]*$/.test(p.name)) {
      throw new RangeError(`payload name ${JSON.stringify(p.name)}: printable ASCII, at most ${CATALOG_NAME_LENGTH - 1} characters`);
    }
    if (offsets[i]! % CATALOG_ALIGN !== 0) throw new RangeError(`payload ${p.name} at ${hex(offsets[i]!)} is not 4 KiB aligned`);
    CatalogEntry.write(view, CatalogHeader.size + i * CatalogEntry.size, {
      type: p.type,
      offset: BigInt(offsets[i]!),
      size: BigInt(p.data.length),
      name: p.name,
      sha256: sha256(p.data),
    });
  });
  return out;
}

/**
 * Finds and reads the catalog of a mono-image through the loader stub's info block. Returns undefined for
 * a file that is not a nova-image mono-image; throws CatalogError for one whose catalog is damaged.
 * Structural checks only; verifyCatalog checks the hashes.
 */
export function readCatalog(bytes: Uint8Array, file: string): Catalog | undefined {
  const info = findStubInfo(bytes, file);
  if (!info) return undefined;
  return readCatalogAt(bytes, file, info.value.catalog_offset);
}

/** Reads the catalog at a known file offset. */
export function readCatalogAt(bytes: Uint8Array, file: string, offset: number): Catalog {
  const view = viewOf(bytes);
  if (offset < 0 || offset + CatalogHeader.size > bytes.length) {
    throw new CatalogError(file, offset, 'nova_catalog_header', `catalog at ${hex(offset)} lies outside the file (${hex(bytes.length)} bytes)`);
  }
  const h = CatalogHeader.read(view, offset, file);
  if (h.magic !== CATALOG_MAGIC) {
    throw new CatalogError(file, offset, 'nova_catalog_header.magic', `is ${JSON.stringify(h.magic)}, expected ${JSON.stringify(CATALOG_MAGIC)}`);
  }
  if (h.version !== CATALOG_VERSION) {
    throw new CatalogError(file, offset + CatalogHeader.offsetOf('version'), 'nova_catalog_header.version', `${h.version} is not supported (this reader knows ${CATALOG_VERSION})`);
  }
  if (h.header_size < CatalogHeader.size || h.entry_size < CatalogEntry.size) {
    throw new CatalogError(file, offset + CatalogHeader.offsetOf('header_size'), 'nova_catalog_header.header_size', `header ${h.header_size} / entry ${h.entry_size} bytes are below the version-1 sizes ${CatalogHeader.size} / ${CatalogEntry.size}`);
  }
  const entries: CatalogEntryInfo[] = [];
  for (let i = 0; i < h.entry_count; i++) {
    const at = offset + h.header_size + i * h.entry_size;
    const e = CatalogEntry.read(view, at, file);
    const start = Number(e.offset);
    const size = Number(e.size);
    if (e.offset + e.size > BigInt(bytes.length)) {
      throw new CatalogError(file, at + CatalogEntry.offsetOf('offset'), `nova_catalog_entry[${i}].offset`, `payload ${hex(e.offset)}+${hex(e.size)} extends past the end of the file (${hex(bytes.length)})`);
    }
    entries.push({
      index: i,
      type: e.type,
      typeName: PAYLOAD_TYPE_NAMES[e.type] ?? `unknown(${e.type})`,
      name: e.name,
      offset: start,
      size,
      sha256: Buffer.from(e.sha256).toString('hex'),
    });
  }
  return { offset, version: h.version, entries };
}

/** Checks every entry's SHA-256 against the bytes it points at; throws on the first mismatch. */
export function verifyCatalog(bytes: Uint8Array, file: string, catalog: Catalog): void {
  for (const e of catalog.entries) {
    const actual = Buffer.from(sha256(bytes.subarray(e.offset, e.offset + e.size))).toString('hex');
    if (actual !== e.sha256) {
      const at = catalog.offset + CatalogHeader.size + e.index * CatalogEntry.size + CatalogEntry.offsetOf('sha256');
      throw new CatalogError(file, at, `nova_catalog_entry[${e.index}].sha256`, `payload ${JSON.stringify(e.name)} hashes to ${actual}, catalog says ${e.sha256}`);
    }
  }
}
