import type { Command } from 'commander';
import { NotImplementedError } from '../../common/errors.js';

export function register(program: Command): void {
  program
    .command('boot')
    .description('boot an image on an emulated board (PC: UEFI, Multiboot2, Linux paths)')
    .argument('<image>', 'the boot image')
    .option('--via <path>', 'uefi | multiboot2 | linux')
    .option('--board <board>', 'pc | virt', 'pc')
    .option('--memory <size>', 'RAM size', '512M')
    .allowUnknownOption()
    .action(() => {
      throw new NotImplementedError('nova-image boot: the emulator (CPU model, PC board, built-in firmware) is being built, see issues 3 and 4');
    });
}
