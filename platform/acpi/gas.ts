/** Generic Address Structure (ACPI 6.5 section 5.2.3.2). */
import { defineStruct } from '../../common/struct.js';

export const Gas = defineStruct('acpi_gas', 12, {
  address_space_id: [0, 'u8'],
  register_bit_width: [1, 'u8'],
  register_bit_offset: [2, 'u8'],
  access_size: [3, 'u8'],
  address: [4, 'u64'],
});

export type GasValue = ReturnType<typeof Gas.read>;

export const ADDRESS_SPACE_MEMORY = 0;
export const ADDRESS_SPACE_IO = 1;

/** Access sizes: 0 undefined (legacy), 1 byte, 2 word, 3 dword, 4 qword. */
export const ACCESS_BYTE = 1;
export const ACCESS_WORD = 2;
export const ACCESS_DWORD = 3;

export function ioGas(port: number, bytes: number, accessSize = 0): GasValue {
  return { address_space_id: ADDRESS_SPACE_IO, register_bit_width: bytes * 8, register_bit_offset: 0, access_size: accessSize, address: BigInt(port) };
}

export function memoryGas(address: number, bitWidth: number, accessSize = 0): GasValue {
  return { address_space_id: ADDRESS_SPACE_MEMORY, register_bit_width: bitWidth, register_bit_offset: 0, access_size: accessSize, address: BigInt(address) };
}

export const NULL_GAS: GasValue = { address_space_id: 0, register_bit_width: 0, register_bit_offset: 0, access_size: 0, address: 0n };
