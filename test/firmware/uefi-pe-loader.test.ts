import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../common/errors.js';
import { viewOf } from '../../common/struct.js';
import { read64 } from '../../boot/firmware/cpu.js';
import { EfiLoaderCode, EfiLoaderData } from '../../boot/firmware/memory-types.js';
import { readUcs2 } from '../../boot/uefi/firmware/context.js';
import * as G from '../../boot/uefi/firmware/guids.js';
import { EFI_SUCCESS } from '../../boot/uefi/firmware/status.js';
import { LoadedImage } from '../../boot/uefi/firmware/tables.js';
import { PeError, readPe } from '../../boot/uefi/pe.js';
import { run, tempDir } from '../boot/helpers/toolchain.js';
import { buildArtefact, msCall } from './helpers.js';
import { uefiRig } from './uefi-setup.js';

const DIR = tempDir('nova-fw-pe-');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

// Absolute pointers in .data give the image DIR64 base relocations.
const APP_C = `
typedef unsigned long long u64;
static u64 table[4] = { 0x11, 0x22, 0x33, 0x44 };
u64 *ptrs[] = { &table[0], &table[3] };
u64 efi_main(void *image, void *st) { return *ptrs[1] + (u64)image + (u64)st; }
`;

let appDefault = '';
let appLow = '';
beforeAll(() => {
  writeFileSync(join(DIR, 'app.c'), APP_C);
  run('gcc', ['-c', '-O1', '-ffreestanding', '-fno-stack-protector', '-mno-red-zone', '-fpie', '-fno-ident', '-fno-asynchronous-unwind-tables', '-o', join(DIR, 'app.o'), join(DIR, 'app.c')]);
  appDefault = join(DIR, 'app.efi');
  appLow = join(DIR, 'app-low.efi');
  // DESIGN.md's recipe: ELF objects straight into ld's PE32+ emulation. Default ImageBase 0x140000000.
  run('ld', ['-m', 'i386pep', '--subsystem', '10', '-e', 'efi_main', '-o', appDefault, join(DIR, 'app.o')]);
  run('ld', ['-m', 'i386pep', '--subsystem', '10', '--image-base', '0x400000', '-e', 'efi_main', '-o', appLow, join(DIR, 'app.o')]);
});

/** Symbol VMAs as nm reports them (ImageBase + RVA): the independent oracle. */
function nmRva(path: string, imageBase: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of run('nm', [path]).split('\n')) {
    const m = /^([0-9a-f]+) \S (\S+)$/.exec(line);
    if (m) out[m[2]!] = parseInt(m[1]!, 16) - imageBase;
  }
  return out;
}

describe('UEFI PE/COFF loader', () => {
  it('relocates an image whose ImageBase is not free RAM: DIR64 fixups point into the loaded copy', () => {
    const rig = uefiRig();
    const bytes = new Uint8Array(readFileSync(appDefault));
    const pe = readPe(bytes, appDefault);
    const imageBase = Number(pe.optional.ImageBase);
    expect(imageBase).toBe(0x140000000);
    const img = rig.fw.loadImage(bytes, appDefault);
    expect(img.pe.base).not.toBe(imageBase);
    expect(img.pe.base % 4096).toBe(0);
    expect(img.pe.delta).toBe(img.pe.base - imageBase);
    expect(img.pe.relocationsApplied).toBeGreaterThanOrEqual(2);
    const sym = nmRva(appDefault, imageBase);
    const p0 = read64(rig.bus, img.pe.base + sym.ptrs!);
    const p1 = read64(rig.bus, img.pe.base + sym.ptrs! + 8);
    expect(Number(p0)).toBe(img.pe.base + sym.table!);
    expect(Number(p1)).toBe(img.pe.base + sym.table! + 24);
    expect(read64(rig.bus, Number(p1))).toBe(0x44n);
    expect(img.pe.entry).toBe(img.pe.base + sym.efi_main!);
    expect(rig.memory.typeAt(img.pe.base)).toBe(EfiLoaderCode);
  });

  it('loads at ImageBase when it is free, byte-identical sections, no fixups applied', () => {
    const rig = uefiRig();
    const bytes = new Uint8Array(readFileSync(appLow));
    const img = rig.fw.loadImage(bytes, appLow);
    expect(img.pe.base).toBe(0x400000);
    expect(img.pe.relocationsApplied).toBe(0);
    for (const s of img.pe.pe.sections) {
      const n = Math.min(s.SizeOfRawData, s.VirtualSize);
      expect(Buffer.compare(rig.bus.readBytes(0x400000 + s.VirtualAddress, n), bytes.subarray(s.PointerToRawData, s.PointerToRawData + n))).toBe(0);
    }
  });

  it('loads the nova-image mono-image at 1 MiB with LoadedImage (LoadOptions = command line) and enters it in long mode', () => {
    const rig = uefiRig();
    const bytes = buildArtefact('build/nova-x86_64.img');
    const img = rig.fw.loadImage(bytes, 'nova-x86_64.img', { commandLine: 'console=ttyS0 nova-test' });
    expect(img.pe.base).toBe(0x100000);
    // loader/README.md: sections at RVA == file offset from S = SizeOfHeaders.
    const S = img.pe.pe.optional.SizeOfHeaders;
    const text = img.pe.pe.sections[0]!;
    expect(text.VirtualAddress).toBe(S);
    expect(Buffer.compare(rig.bus.readBytes(0x100000 + S, 0x1000), bytes.subarray(S, S + 0x1000))).toBe(0);
    const li = LoadedImage.read(viewOf(rig.bus.readBytes(img.loadedImage, LoadedImage.size)), 0);
    expect(li).toMatchObject({ Revision: 0x1000, SystemTable: BigInt(rig.fw.systemTable), ImageBase: 0x100000n, ImageSize: BigInt(img.pe.pe.optional.SizeOfImage), ImageCodeType: EfiLoaderCode, ImageDataType: EfiLoaderData });
    expect(readUcs2(rig.bus, Number(li.LoadOptions))).toBe('console=ttyS0 nova-test');
    expect(li.LoadOptionsSize).toBe(2 * 'console=ttyS0 nova-test'.length + 2);
    // FilePath: MEDIA_DEVICE_PATH (4) / MEDIA_FILEPATH_DP (4), then END (0x7f, 0xff, length 4).
    const fp = rig.bus.readBytes(Number(li.FilePath), 4);
    expect([...fp]).toEqual([4, 4, 4 + 2 * ('\\EFI\\BOOT\\BOOTX64.EFI'.length + 1), 0]);
    // HandleProtocol(ImageHandle, LoadedImage) returns the same interface.
    rig.bus.writeBytes(rig.scratch, G.guidBytes(G.LOADED_IMAGE_PROTOCOL));
    expect(rig.bs('HandleProtocol', img.imageHandle, rig.scratch, rig.scratch + 16).result).toBe(EFI_SUCCESS);
    expect(Number(read64(rig.bus, rig.scratch + 16))).toBe(img.loadedImage);

    const s = rig.fw.entryState(img);
    expect(s.mode).toBe('long64');
    expect(s.rip).toBe(0x100000 + img.pe.pe.optional.AddressOfEntryPoint);
    expect(s.regs.rcx).toBe(img.imageHandle);
    expect(s.regs.rdx).toBe(rig.fw.systemTable);
    // MS x64: at entry RSP+8 is 16-byte aligned; [RSP] is the return address (a trap that ends the run).
    expect((s.regs.rsp! + 8) % 16).toBe(0);
    const ret = Number(read64(rig.bus, s.regs.rsp!));
    expect(rig.fw.traps.lookup(ret)?.name).toBe('ImageReturn');
    // Returning EFI_SUCCESS from efi_main ends the run with exit code 0.
    rig.cpu.setPc(ret);
    expect(rig.fw.traps.dispatch(rig.cpu).stop).toMatchObject({ exitCode: 0 });
    // Control registers: PE, PG, PAE, LME+LMA (Intel SDM vol. 3, 9.8.5).
    expect((s.cr0 & 0x80000001) >>> 0).toBe(0x80000001);
    expect(s.cr4 & 0x20).toBe(0x20);
    expect(s.efer & 0x500).toBe(0x500);
    // The page tables map identity: walk PML4 -> PDPT -> PD (2 MiB pages) for a few addresses.
    for (const va of [0, 0x100000, 0x7fe00000, 0xfee00000, 0xffc00000]) {
      const pml4e = read64(rig.bus, s.cr3 + 8 * ((va / 2 ** 39) & 511));
      const pdpte = read64(rig.bus, Number(pml4e & 0xffffffffff000n) + 8 * (Math.floor(va / 2 ** 30) & 511));
      const pde = read64(rig.bus, Number(pdpte & 0xffffffffff000n) + 8 * (Math.floor(va / 2 ** 21) & 511));
      expect(pde & 0x81n).toBe(0x81n); // present, PS
      expect(Number(pde & 0xfffffffe00000n)).toBe(va - (va % 0x200000));
    }
    // OVMF's selectors: CS 0x38 is a 64-bit code segment (L=1, D=0), DS 0x30 a data segment.
    const cs = read64(rig.bus, s.gdt.base + 0x38);
    expect([(cs >> 53n) & 1n, (cs >> 54n) & 1n, (cs >> 47n) & 1n, (cs >> 43n) & 1n]).toEqual([1n, 0n, 1n, 1n]);
    const ds = read64(rig.bus, s.gdt.base + 0x30);
    expect([(ds >> 47n) & 1n, (ds >> 43n) & 1n, (ds >> 41n) & 1n]).toEqual([1n, 0n, 1n]);
    expect(rig.fw.watchdog.timeoutSeconds).toBe(300);
    // SetWatchdogTimer(0) disarms it.
    expect(rig.bs('SetWatchdogTimer', 0, 0, 0, 0).result).toBe(EFI_SUCCESS);
    expect(rig.fw.watchdog.firesAtNs).toBeUndefined();
  });

  it('refuses images OVMF refuses, with typed errors naming file, offset and field', () => {
    const rig = uefiRig();
    const bytes = new Uint8Array(readFileSync(appLow));
    const pe = readPe(bytes, 'app');
    const arm = bytes.slice();
    viewOf(arm).setUint16(pe.peOffset + 4, 0xaa64, true);
    expect(() => rig.fw.loadImage(arm, 'arm.efi')).toThrow(PeError);
    expect(() => rig.fw.loadImage(arm, 'arm.efi')).toThrow(/arm\.efi: offset 0x[0-9a-f]+: IMAGE_FILE_HEADER\.Machine: is 0xaa64/);
    const sub = bytes.slice();
    viewOf(sub).setUint16(pe.optionalHeaderOffset + 0x44, 3, true);
    expect(() => rig.fw.loadImage(sub, 'cui.efi')).toThrow(/Subsystem: is 3, not an EFI application/);
    expect(() => rig.fw.loadImage(bytes.subarray(0, 0x90), 'short.efi')).toThrow(FormatError);
  });
});
