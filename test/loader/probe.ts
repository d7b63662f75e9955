/**
 * Builds the loader test kernels in test/loader/fixtures with Debian's gcc into a scratch directory:
 *   probe          ELF32 Multiboot2 kernel at 4 MiB that prints the Multiboot2 information it receives
 *   probe keepbs   the same with header tag 7 (keep EFI boot services)
 *   linux64        ELF32 Multiboot2 kernel at 8 MiB that boots a mono-image module through the 64-bit
 *                  Linux boot protocol entry
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const FIXTURES = 'test/loader/fixtures';
const CFLAGS = ['-m32', '-O2', '-ffreestanding', '-fno-pic', '-fno-stack-protector', '-mgeneral-regs-only', '-fno-asynchronous-unwind-tables', '-Wall', '-Werror'];

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

function buildKernel(dir: string, name: string, c: string, entry: string, script: string, defines: string[] = []): string {
  const cObj = join(dir, `${name}-c.o`);
  const sObj = join(dir, `${name}-s.o`);
  sh('gcc', [...CFLAGS, ...defines, '-c', join(FIXTURES, c), '-o', cObj]);
  sh('gcc', ['-m32', '-c', join(FIXTURES, entry), '-o', sObj]);
  const elf = join(dir, `${name}.elf`);
  sh('ld', ['-m', 'elf_i386', '--no-warn-rwx-segments', '-T', join(FIXTURES, script), '-o', elf, sObj, cObj]);
  return elf;
}

export function buildProbeKernel(dir: string, variant: 'default' | 'keepbs' = 'default'): string {
  const defines = variant === 'keepbs' ? ['-DPROBE_KEEP_BOOT_SERVICES'] : [];
  return buildKernel(dir, `probe-${variant}`, 'probe-kernel.c', 'probe-entry.S', 'probe.ld', defines);
}

export function buildLinux64Launcher(dir: string): string {
  return buildKernel(dir, 'linux64-launcher', 'linux64-launcher.c', 'linux64-launcher-entry.S', 'linux64-launcher.ld');
}
