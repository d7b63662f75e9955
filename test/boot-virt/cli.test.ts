/**
 * `nova-image boot IMAGE --board virt` from the command line, as a user runs it: the aarch64 mono-image runs
 * on our virt board (GICv2 and GICv3) to PSCI SYSTEM_OFF with exit status 0, as QEMU exits; what is not
 * built yet says so with exit status 3; --via uefi runs through the built-in UEFI firmware; options that do not fit the board are usage errors (2).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = 'dist/tools/nova-image.js';
let image: string;

beforeAll(() => {
  image = join(mkdtempSync(join(tmpdir(), 'nova-virt-cli-')), 'nova-aarch64.img');
  execFileSync('node', [CLI, 'build', '--arch', 'aarch64', '-o', image]);
});

function boot(args: string[]) {
  return spawnSync('node', [CLI, 'boot', image, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('nova-image boot --board virt (CLI)', () => {
  for (const gic of ['2', '3']) {
    it(`GICv${gic}: stub, kernel and root task run to PSCI SYSTEM_OFF, exit status 0`, () => {
      const r = boot(['--board', 'virt', '--gic', gic, '--append', 'from=cli']);
      expect(r.stdout).toContain('NOVA-IMAGE REFERENCE KERNEL 0.1.0 (aarch64)');
      expect(r.stdout).toMatch(/^boot: path=linux loader=nova-image\/linux via QEMU magic=0x36d76289\r?$/m);
      expect(r.stdout).toMatch(/^cmdline: "from=cli"\r?$/m);
      expect(r.stdout).toContain('ROOT: hello from user mode');
      expect(r.stderr).toMatch(/verdict: power-off: PSCI SYSTEM_OFF/);
      expect(r.status).toBe(0);
    });
  }

  it('--via uefi --gic 3: the built-in UEFI firmware runs the image\'s PE entry to PSCI SYSTEM_OFF, exit status 0', () => {
    const r = spawnSync('node', [CLI, 'boot', 'build/nova-aarch64.img', '--board', 'virt', '--via', 'uefi', '--gic', '3'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout).toContain('NOVA-IMAGE REFERENCE KERNEL 0.1.0 (aarch64)');
    expect(r.stdout).toMatch(/^boot: path=uefi loader=nova-image\/uefi via nova-image magic=0x36d76289\r?$/m);
    expect(r.stdout).toMatch(/^efi: system table 0x[0-9a-f]+, boot services exited\r?$/m);
    expect(r.stdout).toContain('ROOT: hello from user mode');
    expect(r.stderr).toMatch(/verdict: power-off: PSCI SYSTEM_OFF/);
    expect(r.status).toBe(0);
  });

  it('--via uefi with a malformed PE is a format error (exit 2) naming the field, not a crash', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'nova-virt-cli-')), 'bad.efi');
    const bytes = readFileSync(image);
    bytes.writeUInt16LE(0x5064, bytes.readUInt32LE(0x3c) + 4);
    writeFileSync(bad, bytes);
    const r = spawnSync('node', [CLI, 'boot', bad, '--board', 'virt', '--via', 'uefi'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toMatch(/^nova-image: .*bad\.efi: offset 0x[0-9a-f]+: IMAGE_FILE_HEADER\.Machine: is 0x5064/m);
    expect(r.stderr).not.toMatch(/internal error|    at /);
    expect(r.status).toBe(2);
  });

  it('--gic on the pc board and a bad --gic value are usage errors (exit 2)', () => {
    expect(boot(['--gic', '2']).status).toBe(2);
    const bad = boot(['--board', 'virt', '--gic', '4']);
    expect(bad.stderr).toMatch(/--gic 4: expected 2 or 3/);
    expect(bad.status).toBe(2);
  });
});
