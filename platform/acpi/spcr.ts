/**
 * Serial Port Console Redirection table, revision 2 (Microsoft SPCR specification). NOVA and Linux
 * (earlycon) take the console UART from it.
 */
import { defineStruct, viewOf } from '../../common/struct.js';
import type { PcBoard } from '../boards/pc/board.js';
import { Gas, ioGas } from './gas.js';
import { buildTable } from './sdt-header.js';

export const Spcr = defineStruct('acpi_spcr', 80, {
  interface_type: [36, 'u8'],
  base_address: [40, ['bytes', 12]],
  interrupt_type: [52, 'u8'],
  irq: [53, 'u8'],
  gsi: [54, 'u32'],
  baud_rate: [58, 'u8'],
  parity: [59, 'u8'],
  stop_bits: [60, 'u8'],
  flow_control: [61, 'u8'],
  terminal_type: [62, 'u8'],
  pci_device_id: [64, 'u16'],
  pci_vendor_id: [66, 'u16'],
  pci_bus: [68, 'u8'],
  pci_device: [69, 'u8'],
  pci_function: [70, 'u8'],
  pci_flags: [71, 'u32'],
  pci_segment: [75, 'u8'],
});

export const SPCR_REVISION = 2;
/** Interface type 0: full 16550-compatible. */
export const SPCR_16550 = 0;
/** Interrupt type bits: dual 8259 (bit 0) and IOAPIC (bit 1). */
export const SPCR_IRQ_8259 = 1 << 0;
export const SPCR_IRQ_IOAPIC = 1 << 1;
/** Baud rate code 7 means 115200. */
const BAUD_CODES: Readonly<Record<number, number>> = { 9600: 3, 19200: 4, 57600: 6, 115200: 7 };

export function encodeSpcr(board: PcBoard): Uint8Array {
  const baud = BAUD_CODES[board.uart.baud];
  if (baud === undefined) throw new RangeError(`SPCR cannot express ${board.uart.baud} baud`);
  return buildTable('SPCR', SPCR_REVISION, Spcr.size, board.acpiIds, (view) => {
    Spcr.write(view, 0, {
      interface_type: SPCR_16550,
      base_address: Gas.encode(ioGas(board.uart.port, 1, 1)),
      interrupt_type: SPCR_IRQ_8259 | SPCR_IRQ_IOAPIC,
      irq: board.uart.irq,
      gsi: board.uart.irq,
      baud_rate: baud,
      parity: 0,
      stop_bits: 1,
      flow_control: 0,
      terminal_type: 0,
      // Not a PCI device.
      pci_device_id: 0xffff,
      pci_vendor_id: 0xffff,
    });
  });
}

export function decodeSpcr(table: Uint8Array, file = '<SPCR>') {
  const t = Spcr.read(viewOf(table), 0, file);
  return { ...t, base: Gas.read(viewOf(t.base_address), 0, file) };
}
