import { FormatError } from '../../common/errors.js';

/**
 * An ACPI table (or the RSDP) that breaks the specification. `offset` is the guest-physical address of the
 * offending byte when tables are read from memory, or the byte offset in a file.
 */
export class AcpiFormatError extends FormatError {}
