/**
 * The board catalog: board name -> constructor. Each board is data produced from the run's options.
 */
import { BoardConfigError } from './errors.js';
import { pcBoard, type PcBoard, type PcBoardOptions } from './pc/board.js';
import { virtBoard, type VirtBoard, type VirtBoardOptions } from './virt/board.js';

export type Board = PcBoard | VirtBoard;
export type BoardOptions = PcBoardOptions & VirtBoardOptions;

export const BOARD_NAMES = ['pc', 'virt'] as const;

export function makeBoard(name: string, options: BoardOptions = {}): Board {
  switch (name) {
    case 'pc':
      if (options.gic !== undefined) throw new BoardConfigError('pc', '--gic', 'the pc board has no GIC');
      return pcBoard(options);
    case 'virt':
      return virtBoard(options);
    default:
      throw new BoardConfigError(name, '--board', `unknown board (known: ${BOARD_NAMES.join(', ')})`);
  }
}
