/**
 * The 36-byte System Description Table header every ACPI table except the RSDP and FACS starts with
 * (ACPI 6.5 section 5.2.6), and the checksum rule: all bytes of a table sum to zero modulo 256.
 */
import { defineStruct, viewOf } from '../../common/struct.js';

export const SdtHeader = defineStruct('acpi_sdt_header', 36, {
  signature: [0, ['ascii', 4]],
  length: [4, 'u32'],
  revision: [8, 'u8'],
  checksum: [9, 'u8'],
  oem_id: [10, ['ascii', 6]],
  oem_table_id: [16, ['ascii', 8]],
  oem_revision: [24, 'u32'],
  creator_id: [28, ['ascii', 4]],
  creator_revision: [32, 'u32'],
});

/** Identity fields common to every table of one board. */
export interface AcpiIds {
  readonly oemId: string;
  readonly oemTableId: string;
  readonly oemRevision: number;
  readonly creatorId: string;
  readonly creatorRevision: number;
}

export function sum8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s = (s + bytes[i]!) & 0xff;
  return s;
}

/** The byte that makes `bytes[start..end)` sum to zero when stored at `at` (which must hold 0 before). */
export function checksumByte(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return (0x100 - sum8(bytes, start, end)) & 0xff;
}

/**
 * Allocates a table of `length` bytes, writes its header (length and checksum included) after `fill` has
 * written the body. The checksum is computed last, over the finished bytes.
 */
export function buildTable(
  signature: string,
  revision: number,
  length: number,
  ids: AcpiIds,
  fill: (view: DataView, bytes: Uint8Array) => void,
): Uint8Array {
  const bytes = new Uint8Array(length);
  const view = viewOf(bytes);
  SdtHeader.write(view, 0, {
    signature,
    length,
    revision,
    checksum: 0,
    oem_id: ids.oemId,
    oem_table_id: ids.oemTableId,
    oem_revision: ids.oemRevision,
    creator_id: ids.creatorId,
    creator_revision: ids.creatorRevision,
  });
  fill(view, bytes);
  bytes[SdtHeader.offsetOf('checksum')] = checksumByte(bytes);
  return bytes;
}
