/**
 * `nova-image inspect FILE [--json]`: explains a boot image (PE/UEFI, Linux bzImage, arm64 Image,
 * Multiboot 1/2, ELF, the nova-image payload catalog). Bad input: report what was readable, then exit 2.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { firstProblemError, inspectImage } from '../../boot/inspect/index.js';
import { renderInspection } from '../../boot/inspect/render-text.js';

export function register(program: Command): void {
  program
    .command('inspect')
    .description('explain a boot image: PE/UEFI, Linux setup header, Multiboot 1/2, ELF, arm64 Image, nova-image catalog')
    .argument('<file>', 'the image to explain')
    .option('--json', 'print the report as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const report = inspectImage(bytes, file);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderInspection(report));
      const problem = firstProblemError(report);
      if (problem) throw problem;
    });
}
