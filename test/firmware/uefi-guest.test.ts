/**
 * End to end: a UEFI application built with gcc at test time runs on the x86-64 CPU model and calls the
 * firmware through its trap addresses (MS x64 ABI). It prints through ConOut, then performs the stale map
 * key dance a careful loader does: GetMemoryMap, AllocatePages (changes the key), ExitBootServices with the
 * old key (must fail with EFI_INVALID_PARAMETER), GetMemoryMap again, ExitBootServices with the fresh key.
 * Function-table offsets in the C source are written from the UEFI 2.10 specification, independently of
 * boot/uefi/firmware/tables.ts: a wrong table order calls the wrong service and the test fails.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IoPortBus } from '../../platform/memory/io-ports.js';
import { X86Cpu } from '../../platform/cpu/x86_64/cpu.js';
import { applyX86Entry, runWithTraps } from '../../boot/firmware/x86-cpu-adapter.js';
import { run, tempDir } from '../boot/helpers/toolchain.js';
import { uefiRig } from './uefi-setup.js';

const APP = String.raw`
typedef unsigned long long u64;
typedef unsigned short u16;
typedef u64 (__attribute__((ms_abi)) *fn)();
#define AT(p, off) (*(void **)((char *)(p) + (off)))
/* UEFI 2.10: EFI_SYSTEM_TABLE.ConOut 0x40, .BootServices 0x60; EFI_BOOT_SERVICES.AllocatePages 0x28,
   .GetMemoryMap 0x38, .ExitBootServices 0xe8; SIMPLE_TEXT_OUTPUT.OutputString 0x08. */
#define EFI_INVALID_PARAMETER 0x8000000000000002ull
#define EFI_BUFFER_TOO_SMALL 0x8000000000000005ull
static unsigned char map[16384];
static u16 hello[] = u"Hello from a gcc-built EFI application\r\n";
__attribute__((ms_abi)) u64 efi_main(void *image, void *st) {
  void *conout = AT(st, 0x40), *bs = AT(st, 0x60);
  ((fn)AT(conout, 0x08))(conout, hello);
  u64 size = 0, key = 0, dsize = 0; unsigned int ver = 0;
  if (((fn)AT(bs, 0x38))(&size, map, &key, &dsize, &ver) != EFI_BUFFER_TOO_SMALL) return 1;
  if (dsize != 48 || size > sizeof map) return 2;
  size = sizeof map;
  if (((fn)AT(bs, 0x38))(&size, map, &key, &dsize, &ver) != 0 || ver != 1) return 3;
  u64 page = 0;
  if (((fn)AT(bs, 0x28))(0, 2, 1, &page) != 0 || page == 0) return 4;
  if (((fn)AT(bs, 0xe8))(image, key) != EFI_INVALID_PARAMETER) return 5;
  size = sizeof map;
  if (((fn)AT(bs, 0x38))(&size, map, &key, &dsize, &ver) != 0) return 6;
  if (((fn)AT(bs, 0xe8))(image, key) != 0) return 7;
  return 0;
}
`;

const DIR = tempDir('nova-fw-guest-');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
let app: Uint8Array;
beforeAll(() => {
  writeFileSync(join(DIR, 'app.c'), APP);
  run('gcc', ['-c', '-O1', '-ffreestanding', '-fno-stack-protector', '-mno-red-zone', '-mgeneral-regs-only', '-fpie', '-fno-ident', '-fno-asynchronous-unwind-tables', '-o', join(DIR, 'app.o'), join(DIR, 'app.c')]);
  run('ld', ['-m', 'i386pep', '--subsystem', '10', '-e', 'efi_main', '-o', join(DIR, 'app.efi'), join(DIR, 'app.o')]);
  app = new Uint8Array(readFileSync(join(DIR, 'app.efi')));
});

describe('a real UEFI application on the CPU model', () => {
  it('prints through ConOut, recovers from a stale map key and exits boot services', () => {
    const rig = uefiRig(128 * 1024 * 1024);
    const image = rig.fw.loadImage(app, 'app.efi');
    const cpu = new X86Cpu(rig.bus, new IoPortBus());
    applyX86Entry(cpu, rig.fw.entryState(image));
    const r = runWithTraps(cpu, rig.fw.traps, 200_000);
    expect(r.kind, JSON.stringify(r.kind === 'cpu' ? { ...r.result, registers: cpu.dumpRegisters() } : r)).toBe('firmware');
    if (r.kind !== 'firmware') return;
    expect(r.outcome.stop?.reason).toBe('the image returned EFI_SUCCESS from its entry point');
    expect(rig.output.join('')).toBe('Hello from a gcc-built EFI application\r\n');
    const calls = rig.fw.trace.events.filter((e) => e.kind === 'call').map((e) => `${e.name}=${e.data.result ?? e.data.stop}`);
    expect(calls).toEqual([
      'ConOut.OutputString=EFI_SUCCESS',
      'BS.GetMemoryMap=EFI_BUFFER_TOO_SMALL',
      'BS.GetMemoryMap=EFI_SUCCESS',
      'BS.AllocatePages=EFI_SUCCESS',
      'BS.ExitBootServices=EFI_INVALID_PARAMETER',
      'BS.GetMemoryMap=EFI_SUCCESS',
      'BS.ExitBootServices=EFI_SUCCESS',
      'ImageReturn=the image returned EFI_SUCCESS from its entry point',
    ]);
    expect(rig.fw.ctx.exited).toBe(true);
  });

  it('two runs of the same boot give identical traces and output', () => {
    const once = () => {
      const rig = uefiRig(128 * 1024 * 1024);
      const image = rig.fw.loadImage(app, 'app.efi');
      const cpu = new X86Cpu(rig.bus, new IoPortBus());
      applyX86Entry(cpu, rig.fw.entryState(image));
      runWithTraps(cpu, rig.fw.traps, 200_000);
      return JSON.stringify({ trace: rig.fw.trace, out: rig.output });
    };
    expect(once()).toBe(once());
  });
});
