#!/usr/bin/env node
/**
 * The `nova-image` command line. Thin: parses arguments, calls the library, formats output and maps typed
 * errors to exit codes (2 for bad input). Never prints a stack trace for an expected error.
 */
import { Command, CommanderError } from 'commander';
import { NovaImageError, NotImplementedError } from '../common/errors.js';
import { registerCommands } from './commands.js';

const program = new Command();
program
  .name('nova-image')
  .description('Build and boot NOVA mono-images (Multiboot2 + Linux boot protocol + UEFI in one file)')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError();

registerCommands(program);

for (const name of ['measure', 'matrix']) {
  program
    .command(name)
    .description(`(not implemented yet) ${name === 'measure' ? 'predict TPM PCRs and event log' : 'run a boot matrix'}`)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new NotImplementedError(`nova-image ${name}`);
    });
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help/version text).
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
  }
  if (err instanceof NovaImageError) {
    process.stderr.write(`nova-image: ${err.message}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`nova-image: internal error: ${message}\n`);
  if (process.env.NOVA_IMAGE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 70;
}
