/** Firmware ACPI Control Structure (ACPI 6.5 section 5.2.10). No checksum; must be 64-byte aligned. */
import { defineStruct } from '../../common/struct.js';

export const Facs = defineStruct('acpi_facs', 64, {
  signature: [0, ['ascii', 4]],
  length: [4, 'u32'],
  hardware_signature: [8, 'u32'],
  firmware_waking_vector: [12, 'u32'],
  global_lock: [16, 'u32'],
  flags: [20, 'u32'],
  x_firmware_waking_vector: [24, 'u64'],
  version: [32, 'u8'],
  ospm_flags: [36, 'u32'],
});

export const FACS_ALIGN = 64;

export function encodeFacs(): Uint8Array {
  return Facs.encode({ signature: 'FACS', length: Facs.size, version: 2 });
}
