/**
 * Root System Description Table (ACPI 6.5 section 5.2.7): 32-bit pointers to the same tables the XSDT lists.
 * OSPMs of ACPI 2.0+ take the XSDT; the RSDT is there for consumers that read only RsdtAddress, as SeaBIOS's
 * and OVMF's tables provide it (GRUB's `halt` finds the FADT, and with it \_S5 and PM1a_CNT, this way).
 */
import { buildTable, SdtHeader, type AcpiIds } from './sdt-header.js';

export const RSDT_ENTRY_SIZE = 4;

export function rsdtLength(entries: number): number {
  return SdtHeader.size + entries * RSDT_ENTRY_SIZE;
}

export function encodeRsdt(ids: AcpiIds, tableAddresses: readonly number[]): Uint8Array {
  return buildTable('RSDT', 1, rsdtLength(tableAddresses.length), ids, (view) => {
    tableAddresses.forEach((a, i) => {
      if (a >= 2 ** 32) throw new RangeError(`RSDT entry ${i}: table at 0x${a.toString(16)} lies above 4 GiB`);
      view.setUint32(SdtHeader.size + i * RSDT_ENTRY_SIZE, a, true);
    });
  });
}
