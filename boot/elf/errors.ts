import { FormatError } from '../../common/errors.js';

/** A malformed ELF file: truncated, bad magic/class/encoding, or a table/offset outside the file. */
export class ElfError extends FormatError {}

/**
 * A well-formed ELF that breaks NOVA's root-task rules (it must be mappable in place). `segment` is the
 * program header index; `offset` is the file offset of that program header.
 */
export class RootTaskError extends FormatError {
  constructor(
    file: string,
    offset: number,
    field: string,
    rule: string,
    readonly segment: number,
  ) {
    super(file, offset, field, rule);
  }
}
