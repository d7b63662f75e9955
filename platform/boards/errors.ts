import { UsageError } from '../../common/errors.js';

/** A board option that the board cannot honour (RAM too small, unknown GIC version, ...). */
export class BoardConfigError extends UsageError {
  constructor(
    readonly board: string,
    readonly option: string,
    readonly reason: string,
  ) {
    super(`board ${board}: option ${option}: ${reason}`);
  }
}
