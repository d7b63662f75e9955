import { FormatError, NovaImageError } from '../common/errors.js';

/** A payload catalog that breaks its format (bad magic, version, entry outside the file, hash mismatch). */
export class CatalogError extends FormatError {}

/** A mono-image input that the loader stub cannot boot (e.g. a kernel without a Multiboot2 header). */
export class PayloadError extends FormatError {}

/** The loader stub build outputs (build/loader/stub/<arch>) are missing or inconsistent. */
export class StubArtifactError extends NovaImageError {}
