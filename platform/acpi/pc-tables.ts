/**
 * All ACPI tables of the pc board, placed at consecutive addresses in one region: RSDP first (16-byte
 * aligned, so a legacy scan of 0xe0000..0xfffff finds it), FACS 64-byte aligned, then DSDT, FADT, MADT,
 * MCFG, HPET, SPCR, DBG2, the XSDT that points at the tables OSPM looks up by signature and the RSDT that
 * lists the same tables with 32-bit pointers.
 */
import { NovaImageError } from '../../common/errors.js';
import type { PcBoard } from '../boards/pc/board.js';
import { encodeDbg2 } from './dbg2.js';
import { encodeDsdt } from './dsdt.js';
import { encodeFacs, FACS_ALIGN } from './facs.js';
import { encodeFadt } from './fadt.js';
import { encodeHpet } from './hpet.js';
import { encodeMadt } from './madt.js';
import { encodeMcfg } from './mcfg.js';
import { encodeRsdp, RSDP_LENGTH } from './rsdp.js';
import { encodeRsdt, rsdtLength } from './rsdt.js';
import { encodeSpcr } from './spcr.js';
import { encodeXsdt, xsdtLength } from './xsdt.js';

export interface PlacedTable {
  readonly signature: string;
  readonly address: number;
  readonly bytes: Uint8Array;
}

export interface AcpiImage {
  /** Guest-physical address of `bytes[0]`. */
  readonly base: number;
  readonly bytes: Uint8Array;
  readonly rsdpAddress: number;
  /** RSDP, FACS, DSDT, FADT ... XSDT, RSDT in address order. */
  readonly tables: readonly PlacedTable[];
}

const TABLE_ALIGN = 16;

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** The tables do not fit the region the board reserves for them, or the base is misaligned. */
export class AcpiLayoutError extends NovaImageError {}

export function buildPcAcpiTables(board: PcBoard, base = board.acpiRegion.base, limit = board.acpiRegion.size): AcpiImage {
  if (base % TABLE_ALIGN !== 0) throw new AcpiLayoutError(`ACPI base 0x${base.toString(16)} is not 16-byte aligned`);
  // Tables whose bytes do not depend on other tables' addresses.
  const facs = encodeFacs();
  const dsdt = encodeDsdt(board);
  const fixed = [encodeMadt(board), encodeMcfg(board), encodeHpet(board), encodeSpcr(board), encodeDbg2(board)];

  let cursor = base;
  const place = (length: number, align = TABLE_ALIGN) => {
    cursor = alignUp(cursor, align);
    const at = cursor;
    cursor += length;
    return at;
  };
  const rsdpAt = place(RSDP_LENGTH);
  const facsAt = place(facs.length, FACS_ALIGN);
  const dsdtAt = place(dsdt.length);
  const fadt = encodeFadt(board, { facs: facsAt, dsdt: dsdtAt });
  const fadtAt = place(fadt.length);
  const fixedAt = fixed.map((t) => place(t.length));
  const xsdtEntries = [fadtAt, ...fixedAt];
  const xsdtAt = place(xsdtLength(xsdtEntries.length));
  const xsdt = encodeXsdt(board.acpiIds, xsdtEntries);
  const rsdtAt = place(rsdtLength(xsdtEntries.length));
  const rsdt = encodeRsdt(board.acpiIds, xsdtEntries);
  const rsdp = encodeRsdp(board.acpiIds.oemId, xsdtAt, rsdtAt);

  const size = cursor - base;
  if (size > limit) throw new AcpiLayoutError(`ACPI tables need ${size} bytes, region holds ${limit}`);
  const tables: PlacedTable[] = [
    { signature: 'RSD PTR ', address: rsdpAt, bytes: rsdp },
    { signature: 'FACS', address: facsAt, bytes: facs },
    { signature: 'DSDT', address: dsdtAt, bytes: dsdt },
    { signature: 'FACP', address: fadtAt, bytes: fadt },
    ...fixed.map((bytes, i) => ({ signature: Buffer.from(bytes.subarray(0, 4)).toString('latin1'), address: fixedAt[i]!, bytes })),
    { signature: 'XSDT', address: xsdtAt, bytes: xsdt },
    { signature: 'RSDT', address: rsdtAt, bytes: rsdt },
  ];
  const bytes = new Uint8Array(size);
  for (const t of tables) bytes.set(t.bytes, t.address - base);
  return { base, bytes, rsdpAddress: rsdpAt, tables };
}
