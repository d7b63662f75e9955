/** Root System Description Pointer, revision 2 (ACPI 6.5 section 5.2.5.3). */
import { defineStruct, viewOf } from '../../common/struct.js';
import { checksumByte } from './sdt-header.js';

export const Rsdp = defineStruct('acpi_rsdp', 36, {
  signature: [0, ['ascii', 8]],
  checksum: [8, 'u8'],
  oem_id: [9, ['ascii', 6]],
  revision: [15, 'u8'],
  rsdt_address: [16, 'u32'],
  length: [20, 'u32'],
  xsdt_address: [24, 'u64'],
  extended_checksum: [32, 'u8'],
});

export const RSDP_SIGNATURE = 'RSD PTR ';
/** The ACPI 1.0 checksum covers the first 20 bytes; the extended one the whole 36. */
export const RSDP_V1_LENGTH = 20;
export const RSDP_LENGTH = 36;

export function encodeRsdp(oemId: string, xsdtAddress: number, rsdtAddress: number): Uint8Array {
  const bytes = Rsdp.encode({
    signature: RSDP_SIGNATURE,
    oem_id: oemId,
    revision: 2,
    rsdt_address: rsdtAddress,
    length: RSDP_LENGTH,
    xsdt_address: BigInt(xsdtAddress),
  });
  const view = viewOf(bytes);
  view.setUint8(Rsdp.offsetOf('checksum'), checksumByte(bytes, 0, RSDP_V1_LENGTH));
  view.setUint8(Rsdp.offsetOf('extended_checksum'), checksumByte(bytes, 0, RSDP_LENGTH));
  return bytes;
}
