/**
 * `nova-image build --arch aarch64` from the command line, as a user runs it: the written file is the
 * aarch64 mono-image (inspect says so) and boots to the root task under QEMU -kernel.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQemuAarch64, scratchDir } from './qemu-aarch64.js';

const CLI = 'dist/tools/nova-image.js';

describe('nova-image build --arch aarch64 (CLI)', () => {
  it('writes an image that inspect recognises and QEMU boots', async () => {
    const image = join(scratchDir('aarch64-cli'), 'cli.img');
    const out = execFileSync('node', [CLI, 'build', '--arch', 'aarch64', '--cmdline', 'via=cli', '-o', image], { encoding: 'utf8' });
    expect(out).toMatch(/^wrote .*cli\.img \(\d+ bytes\)$/m);
    const inspect = execFileSync('node', [CLI, 'inspect', image], { encoding: 'utf8' });
    expect(inspect).toMatch(/formats: PE32\+ AArch64 \(ARM64\) EFI application; arm64 Linux Image; Multiboot2; nova-image mono-image/);
    const run = await runQemuAarch64(['-kernel', image]);
    expect(run.output).toContain('NOVA-IMAGE REFERENCE KERNEL 0.1.0 (aarch64)');
    expect(run.output).toMatch(/^cmdline: "via=cli"\r?$/m);
    expect(run.output).toContain('ROOT: hello from user mode');
    expect(run.status).toBe(0);
  });

  it('refuses an unknown architecture and --launch on x86_64 with exit code 2 and no output', () => {
    const image = join(scratchDir('aarch64-cli'), 'never.img');
    for (const args of [['--arch', 'sparc'], ['--launch', 'legacy']]) {
      const r = spawnSync('node', [CLI, 'build', ...args, '-o', image], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^nova-image: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(image)).toBe(false);
    }
  });
});
