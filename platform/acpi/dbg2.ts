/**
 * Debug Port Table 2 (Microsoft DBG2 specification): one 16550 debug port with its ACPI namespace path.
 */
import { defineStruct, viewOf } from '../../common/struct.js';
import type { PcBoard } from '../boards/pc/board.js';
import { AcpiFormatError } from './errors.js';
import { Gas, ioGas } from './gas.js';
import { buildTable } from './sdt-header.js';

export const Dbg2Fixed = defineStruct('acpi_dbg2', 44, {
  device_info_offset: [36, 'u32'],
  device_info_count: [40, 'u32'],
});

export const Dbg2DeviceInfo = defineStruct('dbg2_device_info', 22, {
  revision: [0, 'u8'],
  length: [1, 'u16'],
  register_count: [3, 'u8'],
  namepath_length: [4, 'u16'],
  namepath_offset: [6, 'u16'],
  oem_data_length: [8, 'u16'],
  oem_data_offset: [10, 'u16'],
  port_type: [12, 'u16'],
  port_subtype: [14, 'u16'],
  base_address_offset: [18, 'u16'],
  address_size_offset: [20, 'u16'],
});

export const DBG2_PORT_SERIAL = 0x8000;
export const DBG2_SERIAL_16550 = 0x0000;
/** Where the DSDT puts COM1 (platform/acpi/dsdt.ts). */
export const COM1_NAMEPATH = '\\_SB.PCI0.LPC.COM1';

export function encodeDbg2(board: PcBoard): Uint8Array {
  const name = Buffer.from(COM1_NAMEPATH + '\0', 'latin1');
  const gasOff = Dbg2DeviceInfo.size;
  const sizeOff = gasOff + Gas.size;
  const nameOff = sizeOff + 4;
  const infoLength = nameOff + name.length;
  return buildTable('DBG2', 0, Dbg2Fixed.size + infoLength, board.acpiIds, (view, bytes) => {
    Dbg2Fixed.write(view, 0, { device_info_offset: Dbg2Fixed.size, device_info_count: 1 });
    const at = Dbg2Fixed.size;
    Dbg2DeviceInfo.write(view, at, {
      revision: 0,
      length: infoLength,
      register_count: 1,
      namepath_length: name.length,
      namepath_offset: nameOff,
      port_type: DBG2_PORT_SERIAL,
      port_subtype: DBG2_SERIAL_16550,
      base_address_offset: gasOff,
      address_size_offset: sizeOff,
    });
    Gas.write(view, at + gasOff, ioGas(board.uart.port, 1, 1));
    view.setUint32(at + sizeOff, 8, true);
    bytes.set(name, at + nameOff);
  });
}

export interface Dbg2Port {
  readonly portType: number;
  readonly portSubtype: number;
  readonly namepath: string;
  readonly registers: ReturnType<typeof Gas.read>[];
}

export function decodeDbg2(table: Uint8Array, file = '<DBG2>', base = 0): Dbg2Port[] {
  const view = viewOf(table);
  const fixed = Dbg2Fixed.read(view, 0, file);
  const ports: Dbg2Port[] = [];
  let off = fixed.device_info_offset;
  for (let i = 0; i < fixed.device_info_count; i++) {
    if (off + Dbg2DeviceInfo.size > table.length) {
      throw new AcpiFormatError(file, base + off, `DBG2 device ${i}`, `runs past the table end (${table.length})`);
    }
    const d = Dbg2DeviceInfo.read(view, off, file);
    if (d.length < Dbg2DeviceInfo.size || off + d.length > table.length) {
      throw new AcpiFormatError(file, base + off + 1, `DBG2 device ${i}.length`, `${d.length} does not fit`);
    }
    const registers = Array.from({ length: d.register_count }, (_, r) => Gas.read(view, off + d.base_address_offset + r * Gas.size, file));
    const nameBytes = table.subarray(off + d.namepath_offset, off + d.namepath_offset + d.namepath_length);
    const nul = nameBytes.indexOf(0);
    ports.push({ portType: d.port_type, portSubtype: d.port_subtype, namepath: Buffer.from(nameBytes.subarray(0, nul < 0 ? undefined : nul)).toString('latin1'), registers });
    off += d.length;
  }
  return ports;
}
