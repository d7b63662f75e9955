import { NovaImageError } from '../../common/errors.js';

/** A guest programmed a device in a way the hardware forbids (as opposed to an unmodelled feature). */
export class DeviceError extends NovaImageError {
  constructor(
    readonly device: string,
    detail: string,
  ) {
    super(`${device}: ${detail}`);
  }
}
