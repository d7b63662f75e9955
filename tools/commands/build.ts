import type { Command } from 'commander';
import { NotImplementedError } from '../../common/errors.js';
import { hex } from '../../common/struct.js';
import { buildMonoImage, parseModuleSpec } from '../../loader/build.js';
import { PAYLOAD_TYPE_NAMES } from '../../loader/catalog.js';

export function register(program: Command): void {
  program
    .command('build')
    .description('build an x86_64 mono-image (UEFI PE32+ + Linux bzImage + Multiboot2 in one file)')
    .option('--kernel <elf>', 'Multiboot2 kernel ELF (default: the reference kernel)')
    .option('--root <elf>', 'root task ELF, the first module (default: the reference root task)')
    .option('--module <file[,name=NAME]>', 'further module (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--cmdline <string>', 'kernel command line (Multiboot2 tag 1)')
    .option('-o, --output <file>', 'output file (default: build/nova-x86_64.img)')
    .option('--acpi-table <file>', '(not implemented yet) ACPI table override (catalog entry type 5)')
    .action((opts: { kernel?: string; root?: string; module: string[]; cmdline?: string; output?: string; acpiTable?: string }) => {
      if (opts.acpiTable !== undefined) {
        throw new NotImplementedError('build --acpi-table: the catalog format reserves type 5 for ACPI table overrides, but the x86_64 loader stub does not install them yet');
      }
      const result = buildMonoImage({
        kernel: opts.kernel,
        root: opts.root,
        modules: opts.module.map(parseModuleSpec),
        cmdline: opts.cmdline,
        output: opts.output,
      });
      const l = result.layout;
      process.stdout.write(`wrote ${result.output} (${l.fileSize} bytes)\n`);
      process.stdout.write(`  stub at ${hex(l.pmOffset)} (load address ${hex(l.loadAddress)}), Multiboot2 header at ${hex(l.mb2HeaderOffset)}, catalog at ${hex(l.catalogOffset)}\n`);
      result.payloads.forEach((p, i) => {
        process.stdout.write(`  ${PAYLOAD_TYPE_NAMES[p.type]} ${JSON.stringify(p.name)} at ${hex(l.payloadOffsets[i]!)}, ${p.data.length} bytes\n`);
      });
    });
}
