/**
 * The machine behind `nova-image boot`: deterministic runs (byte-identical console and trace), the Linux
 * path's 32-bit entry, and the UEFI hand-over under a memory map that changes behind the loader's back
 * (the stale-map-key rule of ExitBootServices exercised with the real loader stub and kernel).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EfiBootServicesData } from '../../boot/firmware/memory-types.js';
import { bootImage, type BootResult } from '../../platform/machine/index.js';
import { novaImage, scratchDir } from '../image/qemu.js';
import { FINAL_LINE, ROOT_LINE } from './console-lines.js';

let dir: string;
let image: string;
let keepbs: string;

beforeAll(() => {
  dir = scratchDir('boot-cmd-machine');
  image = join(dir, 'nova-x86_64.img');
  expect(novaImage(['build', '-o', image]).status).toBe(0);
  keepbs = join(dir, 'nova-keepbs.img');
  expect(novaImage(['build', '--kernel', 'build/kernel/x86_64/kernel-keepbs.elf', '--root', 'build/kernel/x86_64/root.elf', '-o', keepbs]).status).toBe(0);
});

function cli(args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, ['dist/tools/nova-image.js', 'boot', ...args], { timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function bootFile(file: string, extra: Partial<Parameters<typeof bootImage>[0]> = {}): BootResult {
  return bootImage({ image: new Uint8Array(readFileSync(file)), file, append: '', modules: [], maxInstructions: 50_000_000, ...extra });
}

const calls = (r: BootResult) => r.trace.filter((e) => e.kind === 'call').map((e) => `${e.name}=${String(e.data.result ?? e.data.stop)}`);

describe('nova-image boot is deterministic', () => {
  for (const [via, ...extra] of [['linux'], ['multiboot2'], ['multiboot2', '--grub', 'efi'], ['uefi']] as const) {
    it(`${[via, ...extra].join(' ')}: two runs give byte-identical console output and JSON traces`, () => {
      const runs = [1, 2].map((n) => {
        const trace = join(dir, `${via}${extra.length}-${n}.json`);
        const r = cli([image, '--via', via, ...extra, '--append', 'det=1', '--max-insns', '50000000', '--trace', trace]);
        expect(r.status, r.stderr).toBe(33);
        return { stdout: r.stdout, stderr: r.stderr, trace: readFileSync(trace) };
      });
      expect(runs[0]!.stdout.toString()).toContain(ROOT_LINE);
      expect(Buffer.compare(runs[0]!.stdout, runs[1]!.stdout)).toBe(0);
      expect(Buffer.compare(runs[0]!.trace, runs[1]!.trace)).toBe(0);
      expect(runs[0]!.stderr).toBe(runs[1]!.stderr);
      const t = JSON.parse(runs[0]!.trace.toString());
      expect(t.path).toBe(via);
      expect(t.verdict).toMatchObject({ kind: 'guest-exit', exitStatus: 33, guestValue: 0x10 });
      expect(t.events.at(-1)).toMatchObject({ kind: 'verdict', name: 'guest-exit' });
      if (via === 'uefi' || extra.length > 0) expect(t.events.some((e: { name: string; data: { result?: string } }) => e.name === 'BS.ExitBootServices' && e.data.result === 'EFI_SUCCESS')).toBe(true);
    }, 60_000);
  }
});

describe('boot paths beyond the defaults', () => {
  it('linux: the 32-bit entry (code32_start, as GRUB BIOS `linux` enters) prints what the 64-bit entry prints', () => {
    const r64 = bootFile(image, { via: 'linux', append: 'x' });
    const r32 = bootFile(image, { via: 'linux', append: 'x', linuxEntry: '32' });
    expect(r32.trace.find((e) => e.name === 'bzimage-entry')?.data.kind).toBe('32-bit');
    expect(r64.trace.find((e) => e.name === 'bzimage-entry')?.data.kind).toBe('64-bit');
    expect(r32.verdict.exitStatus).toBe(33);
    expect(Buffer.from(r32.console).toString()).toBe(Buffer.from(r64.console).toString());
  });

  it('uefi: a map key gone stale before ExitBootServices fails it with EFI_INVALID_PARAMETER; the stub retries and boots', () => {
    let injected = false;
    const r = bootFile(image, {
      via: 'uefi',
      onPrepared: (p) => {
        const fw = p.uefi!;
        // As an OVMF timer callback would: memory changes right after the loader took its map and key.
        fw.trace.onEvent((e) => {
          if (!injected && e.kind === 'call' && e.name === 'BS.GetMemoryMap' && e.data.result === 'EFI_SUCCESS') {
            injected = true;
            expect(fw.ctx.memory.allocatePages(EfiBootServicesData, 1)).toBeDefined();
          }
        });
      },
    });
    expect(injected).toBe(true);
    const seq = calls(r).filter((c) => c.startsWith('BS.GetMemoryMap') || c.startsWith('BS.ExitBootServices'));
    expect(seq).toEqual([
      'BS.GetMemoryMap=EFI_BUFFER_TOO_SMALL',
      'BS.GetMemoryMap=EFI_SUCCESS',
      'BS.ExitBootServices=EFI_INVALID_PARAMETER',
      'BS.GetMemoryMap=EFI_SUCCESS',
      'BS.ExitBootServices=EFI_SUCCESS',
    ]);
    expect(r.verdict.exitStatus, Buffer.from(r.console).toString()).toBe(33);
    expect(Buffer.from(r.console).toString()).toContain(FINAL_LINE);
  });

  it('uefi: a kernel asking to keep boot services gets them, and its own ExitBootServices recovers from a stale key', () => {
    let getMaps = 0;
    const r = bootFile(keepbs, {
      via: 'uefi',
      onPrepared: (p) => {
        const fw = p.uefi!;
        fw.trace.onEvent((e) => {
          // The stub takes one map (for tag 6) and leaves boot services alone; the second successful
          // GetMemoryMap is the kernel's: make the key it got stale once.
          if (e.kind === 'call' && e.name === 'BS.GetMemoryMap' && e.data.result === 'EFI_SUCCESS' && ++getMaps === 2) {
            fw.ctx.memory.allocatePages(EfiBootServicesData, 1);
          }
        });
      },
    });
    const text = Buffer.from(r.console).toString();
    expect(r.verdict.exitStatus, text).toBe(33);
    expect(text).toContain('efi: boot services still active (tag 18), as this kernel asked with header tag 7');
    expect(text).toMatch(/efi: kernel called ExitBootServices itself: success after 2 attempt\(s\)/);
    expect(calls(r).filter((c) => c.startsWith('BS.ExitBootServices'))).toEqual(['BS.ExitBootServices=EFI_INVALID_PARAMETER', 'BS.ExitBootServices=EFI_SUCCESS']);
  });
});
