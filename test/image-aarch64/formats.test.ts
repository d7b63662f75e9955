/**
 * The aarch64 mono-image is a PE32+ UEFI application, a Linux arm64 Image and a Multiboot2 image at once:
 * independent tools (binutils' aarch64 objdump, sbverify, GRUB's grub-file, file(1)) must each recognise
 * their format in the same file, and our own readers must find the layout the composer reports.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArm64ImageHeader } from '../../boot/bzimage/arm64-image.js';
import { ADDRESS, ENTRY_ADDRESS, RELOCATABLE, findMultiboot2Header } from '../../boot/multiboot2/header.js';
import { readPe } from '../../boot/uefi/pe.js';
import { readCatalog, verifyCatalog } from '../../loader/catalog.js';
import { buildAarch64Image, type Aarch64BuildResult } from '../../loader/aarch64/index.js';
import { scratchDir } from './qemu-aarch64.js';

let image: string;
let bytes: Uint8Array;
let built: Aarch64BuildResult;

function tool(cmd: string, args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

beforeAll(() => {
  process.env.NOVA_IMAGE_BUILD ??= resolve('build');
  image = join(scratchDir('aarch64-formats'), 'nova-aarch64.img');
  built = buildAarch64Image({ output: image, cmdline: 'x=1' });
  bytes = new Uint8Array(readFileSync(image));
});

describe('aarch64 mono-image formats, checked by independent tools', () => {
  it('binutils (aarch64-linux-gnu-objdump -p) parses the PE32+ headers: AArch64 EFI application', () => {
    const r = tool('aarch64-linux-gnu-objdump', ['-p', '-h', image]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('file format pei-aarch64-little');
    expect(r.out).toMatch(/Magic\s+020b\s+\(PE32\+\)/);
    expect(r.out).toMatch(/Subsystem\s+0000000a\s+\(EFI application\)/);
    expect(r.out).toMatch(/DllCharacteristics\s+00000100/); // NX_COMPAT: sections are W^X
    expect(r.out).toMatch(new RegExp(`AddressOfEntryPoint\\s+0*${built.layout.entryEfi.toString(16)}\\b`));
    expect(r.out).toMatch(/\.text\s+[0-9a-f]+\s+0*1000\s/);
    expect(r.out).toMatch(/CONTENTS, ALLOC, LOAD, READONLY, CODE/);
  });

  it('sbverify --list parses the PE headers (no signature yet)', () => {
    const r = tool('sbverify', ['--list', image]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('No signature table present');
  });

  it('grub-file recognises an ARM64 Linux image and an ARM64 EFI file', () => {
    expect(tool('grub-file', ['--is-arm64-linux', image]).status).toBe(0);
    expect(tool('grub-file', ['--is-arm64-efi', image]).status).toBe(0);
    // GRUB has no aarch64 Multiboot2 loader; its x86 check still validates magic, checksum, tags and the
    // address tag against the file (architecture 0, as NOVA's header).
    expect(tool('grub-file', ['--is-x86-multiboot2', image]).status).toBe(0);
  });

  it('file(1) sees a little-endian 4K-page ARM64 Image', () => {
    const r = tool('file', ['-b', image]);
    expect(r.out).toMatch(/Linux kernel ARM64 boot executable Image, little-endian, 4K pages/);
  });

  it('our readers agree with the composer: Image header, PE, Multiboot2 header, catalog with hashes', () => {
    const arm = readArm64ImageHeader(bytes, image);
    expect(arm.header.code0).toBe(0x91005a4d); // add x13, x18, #0x16 = "MZ"
    expect(arm.header.code1 >>> 26).toBe(0b000101); // B
    expect(4 + ((arm.header.code1 & 0x3ffffff) << 2)).toBe(built.layout.entryLinux);
    expect(arm.header.image_size).toBe(BigInt(bytes.length));
    expect(arm.physAnywhere).toBe(true);
    expect(arm.pageSize).toBe('4K');
    expect(arm.bigEndian).toBe(false);
    expect(arm.peOffset).toBe(0x40);

    const pe = readPe(bytes, image);
    expect(pe.coff.Machine).toBe(0xaa64);
    expect(pe.optional.Subsystem).toBe(10);
    expect(pe.sections.map((s) => s.Name)).toEqual(['.text', '.data', '.payload']);
    for (const s of pe.sections) expect(s.PointerToRawData).toBe(s.VirtualAddress); // RVA == file offset
    expect(pe.optional.SizeOfImage).toBe(bytes.length);

    const mb2 = findMultiboot2Header(bytes, image)!;
    expect(mb2.offset).toBe(built.layout.mb2HeaderOffset);
    const address = mb2.tags.find((t) => t.type === ADDRESS) as { header_addr: number; load_addr: number; load_end_addr: number };
    const entry = mb2.tags.find((t) => t.type === ENTRY_ADDRESS) as { entry_addr: number };
    expect(address.header_addr - address.load_addr).toBe(mb2.offset);
    expect(address.load_end_addr - address.load_addr).toBe(bytes.length);
    expect(entry.entry_addr - address.load_addr).toBe(built.layout.entryMultiboot2);
    expect(mb2.tags.some((t) => t.type === RELOCATABLE)).toBe(true);

    const cat = readCatalog(bytes, image)!;
    expect(cat.offset).toBe(built.layout.catalogOffset);
    expect(cat.entries.map((e) => e.typeName)).toEqual(['kernel', 'root', 'cmdline']);
    for (const e of cat.entries) expect(e.offset % 0x1000).toBe(0);
    verifyCatalog(bytes, image, cat);
  });
});
