/** Extended System Description Table (ACPI 6.5 section 5.2.8): 64-bit pointers to the other tables. */
import { buildTable, SdtHeader, type AcpiIds } from './sdt-header.js';

export const XSDT_ENTRY_SIZE = 8;

export function xsdtLength(entries: number): number {
  return SdtHeader.size + entries * XSDT_ENTRY_SIZE;
}

export function encodeXsdt(ids: AcpiIds, tableAddresses: readonly number[]): Uint8Array {
  return buildTable('XSDT', 1, xsdtLength(tableAddresses.length), ids, (view) => {
    tableAddresses.forEach((a, i) => view.setBigUint64(SdtHeader.size + i * XSDT_ENTRY_SIZE, BigInt(a), true));
  });
}

export function decodeXsdtEntries(table: Uint8Array): number[] {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const count = Math.floor((table.length - SdtHeader.size) / XSDT_ENTRY_SIZE);
  return Array.from({ length: count }, (_, i) => Number(view.getBigUint64(SdtHeader.size + i * XSDT_ENTRY_SIZE, true)));
}
