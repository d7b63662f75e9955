/**
 * `nova-image boot IMAGE`: boots a real-format image on the emulated pc board through the built-in firmware
 * (UEFI, Multiboot2 or Linux path) and the x86-64 CPU model. Never starts QEMU.
 *
 * stdout: the guest's console (COM1, and UEFI ConOut), streamed line by line while the guest runs.
 * stderr: one verdict line; a register dump when the run did not end with a guest-reported status.
 * Exit status: isa-debug-exit value v -> (v << 1) | 1 as QEMU; ACPI S5 -> 0; the verdict's status otherwise
 * (platform/machine/verdict.ts: 124 budget exhausted, 125 halted forever, 126 fault, 127 reset); 2 bad input.
 */
import { readFileSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { writeFileAtomic } from '../../loader/write-atomic.js';
import { parseMemorySize } from '../../platform/boards/memory-size.js';
import { BOOT_PATHS, DEFAULT_MAX_INSTRUCTIONS, bootImage, describeVerdict, type Verdict } from '../../platform/machine/index.js';
import { bootVirtImageSync, parseGicOption } from '../../platform/machine/virt-machine.js';

interface BootCliOptions {
  via?: string;
  board: string;
  memory: string;
  append: string;
  module: string[];
  maxInsns?: string;
  trace?: string;
  grub?: string;
  gic?: string;
}

function readInput(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new UsageError(`${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function parseBudget(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_INSTRUCTIONS;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--max-insns ${text}: expected a positive integer`);
  return n;
}

/** Console output goes out per line (and at the end), so a long run shows progress without a write per byte. */
class LineWriter {
  private pending: Uint8Array[] = [];
  /** Set when the reader went away (`| head`): the run goes on to its verdict, the console is dropped. */
  private closed = false;
  write(bytes: Uint8Array): void {
    if (this.closed) return;
    this.pending.push(bytes);
    if (bytes.includes(0x0a)) this.flush();
  }
  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    try {
      writeSync(1, data);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
      this.closed = true;
    }
  }
}

export function register(program: Command): void {
  program
    .command('boot')
    .description('boot an image on an emulated board (pc: UEFI, Multiboot2, Linux paths; virt: UEFI, Linux Image and Multiboot2 paths)')
    .argument('<image>', 'the boot image (mono-image, UEFI application, bzImage or Multiboot2 kernel)')
    .option('--via <path>', `boot path: ${BOOT_PATHS.join(' | ')} (default: uefi for a PE image, else linux for a bzImage, else multiboot2)`)
    .option('--board <board>', 'board: pc (q35-like, x86-64) or virt (QEMU virt, AArch64)', 'pc')
    .option('--gic <version>', 'virt board: GIC version 2 or 3 (default 3)')
    .option('--memory <size>', 'RAM size (QEMU -m syntax)', '512M')
    .option('--append <string>', 'kernel command line (Linux cmd_line_ptr, Multiboot2 tag 1, UEFI LoadOptions)', '')
    .option('--module <file>', 'Multiboot2 module (repeatable); on the Linux path: the initrd', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--grub <flavour>', 'multiboot2 path: which GRUB the built-in loader plays, bios (i386-pc, 32-bit entry) or efi (x86_64-efi on the built-in UEFI firmware: tags 7 and 9 honoured)')
    .option('--max-insns <n>', `instruction budget (default ${DEFAULT_MAX_INSTRUCTIONS})`)
    .option('--trace <file.json>', 'write the event trace (firmware calls, ExitBootServices, DMA, verdict) as JSON')
    .action((imagePath: string, o: BootCliOptions) => {
      const maxInstructions = parseBudget(o.maxInsns);
      const memoryBytes = parseMemorySize(o.memory, o.board);
      const image = readInput(imagePath, 'image');
      const modules = o.module.map((file) => ({ file, bytes: readInput(file, '--module') }));
      if (o.grub !== undefined && o.grub !== 'bios' && o.grub !== 'efi') throw new UsageError(`--grub ${o.grub}: expected bios or efi`);
      if (o.grub !== undefined && o.via !== 'multiboot2') throw new UsageError('--grub applies to --via multiboot2 only');
      const out = new LineWriter();
      let result: { path: string; verdict: Verdict; console: Uint8Array; trace: unknown[] };
      try {
        if (o.board === 'virt') {
          if (o.grub !== undefined) throw new UsageError('--grub applies to the pc board only');
          result = bootVirtImageSync(image, { file: imagePath, via: o.via, gic: parseGicOption(o.gic), memoryBytes, append: o.append, modules, maxInstructions, onConsole: (b) => out.write(b) });
        } else {
          if (o.gic !== undefined) throw new UsageError('--gic applies to --board virt only');
          result = bootImage({ image, file: imagePath, via: o.via, board: o.board, memoryBytes, append: o.append, modules, multiboot2Flavour: o.grub as 'bios' | 'efi' | undefined, maxInstructions, onConsole: (b) => out.write(b) });
        }
      } finally {
        out.flush();
      }
      const v = result.verdict;
      if (o.trace) {
        const json = JSON.stringify({ format: 'nova-image boot trace', version: 1, image: imagePath, path: result.path, verdict: v, events: result.trace }, null, 1);
        writeFileAtomic(o.trace, new Uint8Array(Buffer.from(json + '\n')));
      }
      // A console that did not end its last line would glue the verdict to it.
      const last = result.console.at(-1);
      const sep = last !== undefined && last !== 0x0a ? '\n' : '';
      const showRegisters = v.registers !== undefined && (v.kind === 'fault' || v.kind === 'stray-dma' || v.kind === 'budget-exhausted' || v.kind === 'halted-forever');
      process.stderr.write(`${sep}nova-image boot: path=${result.path} ${describeVerdict(v)}\n${showRegisters ? v.registers + '\n' : ''}`);
      process.exitCode = v.exitStatus;
    });
}
