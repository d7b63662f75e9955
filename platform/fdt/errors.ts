import { FormatError, NovaImageError } from '../../common/errors.js';

/** A devicetree blob that breaks the specification. */
export class FdtFormatError extends FormatError {}

export type FdtWriteErrorKind =
  | 'invalid-node-name'
  | 'invalid-property-name'
  | 'property-outside-node'
  | 'property-after-subnode'
  | 'duplicate-property'
  | 'duplicate-node'
  | 'root-not-first'
  | 'second-root'
  | 'end-without-begin'
  | 'end-node-mismatch'
  | 'unclosed-nodes'
  | 'string-contains-nul'
  | 'value-out-of-range'
  | 'finished';

/** Misuse of the FDT writer API (the tree it would produce would not be a valid devicetree). */
export class FdtWriteError extends NovaImageError {
  constructor(
    readonly kind: FdtWriteErrorKind,
    detail: string,
  ) {
    super(`fdt writer: ${kind}: ${detail}`);
  }
}
