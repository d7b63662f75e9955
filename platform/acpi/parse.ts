/**
 * Walks a machine's ACPI tables the way an OS does: RSDP -> XSDT (or RSDT) -> each table, FADT -> DSDT and
 * FACS. Every checksum and length is verified; a violation throws AcpiFormatError naming the source, the
 * guest-physical address of the bad byte and the field. Used by the tests, by `inspect` and by firmware.
 */
import { viewOf } from '../../common/struct.js';
import { AcpiFormatError } from './errors.js';
import { Facs } from './facs.js';
import { decodeFadt, Fadt } from './fadt.js';
import { Rsdp, RSDP_LENGTH, RSDP_SIGNATURE, RSDP_V1_LENGTH } from './rsdp.js';
import { SdtHeader, sum8 } from './sdt-header.js';
import { decodeXsdtEntries } from './xsdt.js';

/** Guest-physical memory as a table reader sees it. */
export interface AcpiMemory {
  /** Bytes at [address, address+length); throws AcpiFormatError when the range is not readable. */
  read(address: number, length: number): Uint8Array;
}

/** Memory consisting of one blob placed at `base` (e.g. what buildPcAcpiTables returns, or a dump). */
export function blobMemory(base: number, bytes: Uint8Array, file = '<acpi>'): AcpiMemory {
  return {
    read(address, length) {
      if (address < base || address + length > base + bytes.length) {
        throw new AcpiFormatError(file, address, 'address', `0x${address.toString(16)}+${length} is outside the table region 0x${base.toString(16)}..0x${(base + bytes.length).toString(16)}`);
      }
      return bytes.subarray(address - base, address - base + length);
    },
  };
}

/** Memory made of several dumped ranges (e.g. the BIOS area and the top of low RAM of a real machine). */
export function regionsMemory(regions: readonly { base: number; bytes: Uint8Array }[], file = '<acpi>'): AcpiMemory {
  return {
    read(address, length) {
      const r = regions.find((x) => address >= x.base && address + length <= x.base + x.bytes.length);
      if (!r) throw new AcpiFormatError(file, address, 'address', `0x${address.toString(16)}+${length} is outside every dumped range`);
      return r.bytes.subarray(address - r.base, address - r.base + length);
    },
  };
}

export interface ParsedTable {
  readonly signature: string;
  readonly address: number;
  readonly revision: number;
  readonly oemId: string;
  readonly oemTableId: string;
  readonly bytes: Uint8Array;
}

export interface AcpiTables {
  readonly rsdpAddress: number;
  readonly rsdp: ReturnType<typeof Rsdp.read>;
  /** The root table used: XSDT for revision >= 2 with a non-zero address, else RSDT. */
  readonly root: ParsedTable;
  /** Tables listed in the root table, then DSDT and FACS reached through the FADT. */
  readonly tables: readonly ParsedTable[];
  get(signature: string): ParsedTable | undefined;
}

/** Scans `[start, end)` on 16-byte boundaries for a valid RSDP, as an OS does in the BIOS area. */
export function findRsdp(mem: AcpiMemory, start = 0xe0000, end = 0x100000): number | undefined {
  for (let a = start; a + RSDP_V1_LENGTH <= end; a += 16) {
    let b: Uint8Array;
    try {
      b = mem.read(a, RSDP_V1_LENGTH);
    } catch {
      continue;
    }
    if (Buffer.from(b.subarray(0, 8)).toString('latin1') === RSDP_SIGNATURE && sum8(b) === 0) return a;
  }
  return undefined;
}

export function parseAcpi(mem: AcpiMemory, rsdpAddress: number, file = '<acpi>'): AcpiTables {
  const fail = (address: number, field: string, rule: string): never => {
    throw new AcpiFormatError(file, address, field, rule);
  };
  const v1 = mem.read(rsdpAddress, RSDP_V1_LENGTH);
  if (Buffer.from(v1.subarray(0, 8)).toString('latin1') !== RSDP_SIGNATURE) fail(rsdpAddress, 'RSDP.signature', 'is not "RSD PTR "');
  if (sum8(v1) !== 0) fail(rsdpAddress + Rsdp.offsetOf('checksum'), 'RSDP.checksum', `first 20 bytes sum to 0x${sum8(v1).toString(16)}, not 0`);
  const revision = v1[Rsdp.offsetOf('revision')]!;
  let rsdpBytes = new Uint8Array(RSDP_LENGTH);
  rsdpBytes.set(v1);
  if (revision >= 2) {
    rsdpBytes = mem.read(rsdpAddress, RSDP_LENGTH).slice();
    const length = viewOf(rsdpBytes).getUint32(Rsdp.offsetOf('length'), true);
    if (length < RSDP_LENGTH) fail(rsdpAddress + Rsdp.offsetOf('length'), 'RSDP.length', `${length} < ${RSDP_LENGTH}`);
    const full = mem.read(rsdpAddress, length);
    if (sum8(full) !== 0) {
      fail(rsdpAddress + Rsdp.offsetOf('extended_checksum'), 'RSDP.extended_checksum', `${length} bytes sum to 0x${sum8(full).toString(16)}, not 0`);
    }
  }
  const rsdp = Rsdp.read(viewOf(rsdpBytes), 0, file);

  const readTable = (address: number, field: string, expect?: string): ParsedTable => {
    if (address === 0) fail(address, field, 'is a null pointer');
    const hdr = SdtHeader.read(viewOf(mem.read(address, SdtHeader.size)), 0, file);
    if (expect && hdr.signature !== expect) fail(address, `${field} signature`, `"${hdr.signature}", expected "${expect}"`);
    if (!/^[A-Z0-9_ ]{4}$/.test(hdr.signature)) fail(address, `${field} signature`, `${JSON.stringify(hdr.signature)} is not a table signature`);
    if (hdr.length < SdtHeader.size) fail(address + 4, `${hdr.signature}.length`, `${hdr.length} is shorter than the 36-byte header`);
    const bytes = mem.read(address, hdr.length).slice();
    const s = sum8(bytes);
    if (s !== 0) fail(address + SdtHeader.offsetOf('checksum'), `${hdr.signature}.checksum`, `table bytes sum to 0x${s.toString(16)}, not 0`);
    return { signature: hdr.signature, address, revision: hdr.revision, oemId: hdr.oem_id, oemTableId: hdr.oem_table_id, bytes };
  };

  const useXsdt = rsdp.revision >= 2 && rsdp.xsdt_address !== 0n;
  const root = useXsdt
    ? readTable(Number(rsdp.xsdt_address), 'RSDP.xsdt_address', 'XSDT')
    : readTable(rsdp.rsdt_address, 'RSDP.rsdt_address', 'RSDT');
  const entrySize = useXsdt ? 8 : 4;
  if ((root.bytes.length - SdtHeader.size) % entrySize !== 0) {
    fail(root.address + 4, `${root.signature}.length`, `${root.bytes.length - SdtHeader.size} entry bytes are not a multiple of ${entrySize}`);
  }
  const entries = useXsdt
    ? decodeXsdtEntries(root.bytes)
    : Array.from({ length: (root.bytes.length - SdtHeader.size) / 4 }, (_, i) => viewOf(root.bytes).getUint32(SdtHeader.size + i * 4, true));

  const tables: ParsedTable[] = entries.map((a, i) => readTable(a, `${root.signature}.entry[${i}]`));
  const fadt = tables.find((t) => t.signature === 'FACP');
  if (fadt) {
    const f = decodeFadt(fadt.bytes, file);
    // Older, shorter FADTs lack the X_ fields; decodeFadt reads those as zero.
    const has = (field: 'x_dsdt' | 'x_firmware_ctrl') => fadt.bytes.length >= Fadt.offsetOf(field) + 8;
    const dsdtAt = has('x_dsdt') && f.x_dsdt !== 0n ? Number(f.x_dsdt) : f.dsdt;
    tables.push(readTable(dsdtAt, 'FACP.x_dsdt', 'DSDT'));
    const facsAt = has('x_firmware_ctrl') && f.x_firmware_ctrl !== 0n ? Number(f.x_firmware_ctrl) : f.firmware_ctrl;
    if (facsAt !== 0) {
      const facs = Facs.read(viewOf(mem.read(facsAt, Facs.size)), 0, file);
      if (facs.signature !== 'FACS') fail(facsAt, 'FACS.signature', `"${facs.signature}", expected "FACS"`);
      if (facs.length < Facs.size) fail(facsAt + 4, 'FACS.length', `${facs.length} < ${Facs.size}`);
      if (facsAt % 64 !== 0) fail(facsAt, 'FACP.x_firmware_ctrl', `FACS at 0x${facsAt.toString(16)} is not 64-byte aligned`);
      tables.push({ signature: 'FACS', address: facsAt, revision: facs.version, oemId: '', oemTableId: '', bytes: mem.read(facsAt, facs.length).slice() });
    }
  }
  return {
    rsdpAddress,
    rsdp,
    root,
    tables,
    get: (signature) => tables.find((t) => t.signature === signature),
  };
}
