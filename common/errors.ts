/**
 * Typed errors shared by every codec and command.
 *
 * A FormatError names the file, the byte offset and the field that broke a rule, so a user can find the
 * fault with a hex editor. The CLI prints `message` only (never a stack) and exits with code 2.
 */
export class NovaImageError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: a file that breaks its format's rules. */
export class FormatError extends NovaImageError {
  override readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${file}: offset 0x${offset.toString(16)}: ${field}: ${rule}`);
  }
}

/** Bad command-line usage or configuration. */
export class UsageError extends NovaImageError {
  override readonly exitCode = 2;
}

/** A feature that is designed but not built yet: says so instead of pretending. */
export class NotImplementedError extends NovaImageError {
  override readonly exitCode = 3;
  constructor(what: string) {
    super(`not implemented yet: ${what}`);
  }
}
