/**
 * The firmware memory map's starting point, derived from a board description: RAM as conventional memory,
 * the board's reserved ranges (EBDA, VGA window, BIOS area) as reserved. Device windows are not listed, as
 * neither OVMF's GetMemoryMap nor QEMU's E820 list PCI MMIO.
 */
import type { AddressRange } from '../../platform/boards/board.js';
import { FirmwareMemoryMap } from './memory-map.js';
import { EfiConventionalMemory, EfiReservedMemoryType } from './memory-types.js';

export interface BoardMemory {
  readonly ram: readonly AddressRange[];
  readonly reserved: readonly AddressRange[];
}

export function memoryMapFromBoard(board: BoardMemory): FirmwareMemoryMap {
  return new FirmwareMemoryMap([
    ...board.ram.map((r) => ({ base: r.base, size: r.size, type: EfiConventionalMemory })),
    ...board.reserved.map((r) => ({ base: r.base, size: r.size, type: EfiReservedMemoryType })),
  ]);
}
