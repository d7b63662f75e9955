import { NovaImageError } from '../../common/errors.js';

/**
 * The firmware could not do what a loader or guest asked and the cause is not a malformed file: guest memory
 * exhausted, a trap address outside the firmware region, a call after ExitBootServices. Loaders return facts
 * or throw this; the run loop turns it into a verdict with a register dump.
 */
export class FirmwareError extends NovaImageError {
  constructor(
    readonly component: string,
    readonly rule: string,
  ) {
    super(`firmware ${component}: ${rule}`);
  }
}
