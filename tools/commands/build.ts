import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { hex } from '../../common/struct.js';
import { buildMonoImage, parseModuleSpec } from '../../loader/build.js';
import { PAYLOAD_TYPE_NAMES, type CatalogPayload } from '../../loader/catalog.js';
import { buildAarch64Image, type Aarch64Launch } from '../../loader/aarch64/index.js';

interface BuildOptions {
  arch: string;
  kernel?: string;
  root?: string;
  module: string[];
  cmdline?: string;
  output?: string;
  acpiTable: string[];
  launch?: string;
}

export function register(program: Command): void {
  program
    .command('build')
    .description('build a mono-image: UEFI PE32+ + Linux boot image (x86 bzImage, arm64 Image) + Multiboot2 in one file')
    .option('--arch <arch>', 'x86_64 or aarch64', 'x86_64')
    .option('--kernel <elf>', 'Multiboot2 kernel ELF (default: the reference kernel)')
    .option('--root <elf>', 'root task ELF, the first module (default: the reference root task)')
    .option('--module <file[,name=NAME]>', 'further module (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--cmdline <string>', 'kernel command line (Multiboot2 tag 1)')
    .option('-o, --output <file>', 'output file (default: build/nova-<arch>.img)')
    .option('--launch <kind>', 'aarch64 only: multiboot2 (default) or legacy (X0 = FDT, X1 = root task ELF)')
    .option('--acpi-table <file>', 'compiled ACPI table (.aml) that replaces or adds to the firmware\'s at boot (repeatable; aarch64: UEFI path)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action((opts: BuildOptions) => {
      const common = { kernel: opts.kernel, root: opts.root, modules: opts.module.map(parseModuleSpec), cmdline: opts.cmdline, output: opts.output };
      if (opts.arch === 'aarch64') {
        const result = buildAarch64Image({ ...common, launch: opts.launch as Aarch64Launch | undefined, acpiTables: opts.acpiTable });
        const l = result.layout;
        process.stdout.write(`wrote ${result.output} (${l.fileSize} bytes)\n`);
        process.stdout.write(`  arm64 Image + PE32+ (AArch64) + Multiboot2: stub at ${hex(l.stubOffset)}, Multiboot2 header at ${hex(l.mb2HeaderOffset)}, catalog at ${hex(l.catalogOffset)}, launch ${l.launch}\n`);
        printPayloads(result.payloads, l.payloadOffsets);
        return;
      }
      if (opts.arch !== 'x86_64') throw new UsageError(`--arch ${JSON.stringify(opts.arch)}: expected x86_64 or aarch64`);
      if (opts.launch !== undefined) throw new UsageError('--launch applies to --arch aarch64 only');
      const result = buildMonoImage({ ...common, acpiTables: opts.acpiTable });
      const l = result.layout;
      process.stdout.write(`wrote ${result.output} (${l.fileSize} bytes)\n`);
      process.stdout.write(`  stub at ${hex(l.pmOffset)} (load address ${hex(l.loadAddress)}), Multiboot2 header at ${hex(l.mb2HeaderOffset)}, catalog at ${hex(l.catalogOffset)}\n`);
      printPayloads(result.payloads, l.payloadOffsets);
    });
}

function printPayloads(payloads: readonly CatalogPayload[], offsets: readonly number[]): void {
  payloads.forEach((p, i) => {
    process.stdout.write(`  ${PAYLOAD_TYPE_NAMES[p.type]} ${JSON.stringify(p.name)} at ${hex(offsets[i]!)}, ${p.data.length} bytes\n`);
  });
}
