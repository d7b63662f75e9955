import { FormatError } from '../../common/errors.js';

/** A corrupt Multiboot2 header or information structure. */
export class Multiboot2Error extends FormatError {}

/** A corrupt Multiboot (v1) header. */
export class Multiboot1Error extends FormatError {}
