/** IA-PC HPET description table (Intel IA-PC HPET specification 1.0a, "HPET"). */
import { defineStruct, viewOf } from '../../common/struct.js';
import type { PcBoard } from '../boards/pc/board.js';
import { Gas, memoryGas } from './gas.js';
import { buildTable } from './sdt-header.js';

export const HpetTable = defineStruct('acpi_hpet', 56, {
  event_timer_block_id: [36, 'u32'],
  base_address: [40, ['bytes', 12]],
  hpet_number: [52, 'u8'],
  min_clock_tick: [53, 'u16'],
  page_protection: [55, 'u8'],
});

export function encodeHpet(board: PcBoard): Uint8Array {
  return buildTable('HPET', 1, HpetTable.size, board.acpiIds, (view) => {
    HpetTable.write(view, 0, {
      event_timer_block_id: board.hpet.blockId,
      base_address: Gas.encode(memoryGas(board.hpet.base, 64)),
      hpet_number: 0,
      min_clock_tick: board.hpet.minTick,
      page_protection: 0,
    });
  });
}

export function decodeHpet(table: Uint8Array, file = '<HPET>') {
  const t = HpetTable.read(viewOf(table), 0, file);
  return { ...t, base: Gas.read(viewOf(t.base_address), 0, file) };
}
