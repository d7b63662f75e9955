/** PCI Express memory-mapped configuration space table (PCI Firmware Specification 3.x, "MCFG"). */
import { defineStruct, viewOf } from '../../common/struct.js';
import type { PcBoard } from '../boards/pc/board.js';
import { buildTable } from './sdt-header.js';

/** Header plus 8 reserved bytes; allocations follow. */
export const MCFG_FIXED_SIZE = 44;
export const McfgAllocation = defineStruct('mcfg_allocation', 16, {
  base_address: [0, 'u64'],
  segment: [8, 'u16'],
  start_bus: [10, 'u8'],
  end_bus: [11, 'u8'],
});

export function encodeMcfg(board: PcBoard): Uint8Array {
  const e = board.ecam;
  return buildTable('MCFG', 1, MCFG_FIXED_SIZE + McfgAllocation.size, board.acpiIds, (view) => {
    McfgAllocation.write(view, MCFG_FIXED_SIZE, { base_address: BigInt(e.base), segment: e.segment, start_bus: e.busStart, end_bus: e.busEnd });
  });
}

export function decodeMcfg(table: Uint8Array, file = '<MCFG>') {
  const view = viewOf(table);
  const out = [];
  for (let off = MCFG_FIXED_SIZE; off + McfgAllocation.size <= table.length; off += McfgAllocation.size) {
    out.push(McfgAllocation.read(view, off, file));
  }
  return out;
}
