import { FormatError } from '../../common/errors.js';

/** A malformed Linux boot-protocol image (x86 setup header) or zero page. */
export class BzImageError extends FormatError {}

/** A malformed arm64 Linux `Image` header. */
export class Arm64ImageError extends FormatError {}
