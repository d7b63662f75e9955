import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../common/errors.js';
import {
  AMD64,
  ARM64,
  DIR_BASERELOC,
  IMAGE_FILE_EXECUTABLE_IMAGE,
  IMAGE_FILE_LARGE_ADDRESS_AWARE,
  IMAGE_REL_BASED_DIR64,
  PeError,
  SCN_CNT_CODE,
  SCN_CNT_INITIALIZED_DATA,
  SCN_MEM_DISCARDABLE,
  SCN_MEM_EXECUTE,
  SCN_MEM_READ,
  SUBSYSTEM_EFI_APPLICATION,
  encodeBaseRelocationBlock,
  readBaseRelocations,
  readPe,
  writePeHeaders,
  type PeImage,
  type PeLayout,
} from '../../boot/uefi/pe.js';
import { objdumpPe, type ObjdumpPe } from './helpers/objdump.js';
import { run, runStatus, tempDir } from './helpers/toolchain.js';

const DIR = tempDir('nova-pe-');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
// Values as objdump names them (binutils' pei target names and relocation type names).
const FORMAT_MACHINE: Record<string, number> = { 'pei-x86-64': 0x8664, 'pei-i386': 0x14c, 'pei-aarch64-little': 0xaa64 };
const RELOC_TYPE: Record<string, number> = { ABSOLUTE: 0, HIGHLOW: 3, DIR64: 10 };

const EFI_C = `
typedef unsigned long long u64;
static u64 table[2] = { 1, 2 };
void *ptrs[] = { &table[0], &table[1] };
u64 efi_main(void *image, void *st) { return (u64)ptrs[0] + table[1] + (u64)image + (u64)st; }
`;

let ldPath = '';
let ldBytes: Uint8Array;

beforeAll(() => {
  const src = join(DIR, 'app.c');
  const obj = join(DIR, 'app.o');
  writeFileSync(src, EFI_C);
  run('gcc', ['-c', '-O1', '-ffreestanding', '-fno-stack-protector', '-mno-red-zone', '-fpie', '-fno-ident', '-fno-asynchronous-unwind-tables', '-o', obj, src]);
  ldPath = join(DIR, 'app.efi');
  // The link recipe DESIGN.md prescribes for PE from gcc: ELF objects straight into ld's PE32+ emulation.
  run('ld', ['-m', 'i386pep', '--subsystem', '10', '-e', 'efi_main', '-o', ldPath, obj]);
  ldBytes = new Uint8Array(readFileSync(ldPath));
});

const hexNum = (s: string) => BigInt(`0x${s}`);

/** Every header field, data directory, section and base relocation against objdump. */
function crossCheck(pe: PeImage, bytes: Uint8Array, ref: ObjdumpPe): void {
  expect(pe.coff.Machine).toBe(FORMAT_MACHINE[ref.format]);
  expect(pe.coff.Characteristics).toBe(ref.characteristics);
  const o = pe.optional;
  const f = ref.fields;
  expect(f['Magic']).toBe(pe.format === 'PE32+' ? '020b' : '010b');
  expect(o.MajorLinkerVersion).toBe(Number(f['MajorLinkerVersion']));
  expect(o.MinorLinkerVersion).toBe(Number(f['MinorLinkerVersion']));
  const numeric: Array<[keyof typeof o, string]> = [
    ['SizeOfCode', 'SizeOfCode'],
    ['SizeOfInitializedData', 'SizeOfInitializedData'],
    ['SizeOfUninitializedData', 'SizeOfUninitializedData'],
    ['AddressOfEntryPoint', 'AddressOfEntryPoint'],
    ['BaseOfCode', 'BaseOfCode'],
    ['ImageBase', 'ImageBase'],
    ['SectionAlignment', 'SectionAlignment'],
    ['FileAlignment', 'FileAlignment'],
    ['Win32VersionValue', 'Win32Version'],
    ['SizeOfImage', 'SizeOfImage'],
    ['SizeOfHeaders', 'SizeOfHeaders'],
    ['CheckSum', 'CheckSum'],
    ['Subsystem', 'Subsystem'],
    ['DllCharacteristics', 'DllCharacteristics'],
    ['SizeOfStackReserve', 'SizeOfStackReserve'],
    ['SizeOfStackCommit', 'SizeOfStackCommit'],
    ['SizeOfHeapReserve', 'SizeOfHeapReserve'],
    ['SizeOfHeapCommit', 'SizeOfHeapCommit'],
    ['LoaderFlags', 'LoaderFlags'],
    ['NumberOfRvaAndSizes', 'NumberOfRvaAndSizes'],
  ];
  for (const [ours, theirs] of numeric) expect(BigInt(o[ours] as number | bigint), ours).toBe(hexNum(f[theirs]!));
  const decimal: Array<[keyof typeof o, string]> = [
    ['MajorOperatingSystemVersion', 'MajorOSystemVersion'],
    ['MinorOperatingSystemVersion', 'MinorOSystemVersion'],
    ['MajorImageVersion', 'MajorImageVersion'],
    ['MinorImageVersion', 'MinorImageVersion'],
    ['MajorSubsystemVersion', 'MajorSubsystemVersion'],
    ['MinorSubsystemVersion', 'MinorSubsystemVersion'],
  ];
  for (const [ours, theirs] of decimal) expect(o[ours], ours).toBe(Number(f[theirs]));
  // objdump always lists 16 entries; those beyond NumberOfRvaAndSizes it shows as zero.
  const n = o.NumberOfRvaAndSizes;
  expect(pe.dataDirectories.map((d) => [d.index, BigInt(d.VirtualAddress), d.Size])).toEqual(ref.directories.slice(0, n).map((d) => [d.index, d.rva, d.size]));
  expect(ref.directories.slice(n).every((d) => d.rva === 0n && d.size === 0)).toBe(true);
  // bfd sizes a section as min(VirtualSize, SizeOfRawData), or VirtualSize when it has no raw data.
  const bfdSize = (s: PeImage['sections'][number]) => (s.SizeOfRawData === 0 ? s.VirtualSize : Math.min(s.VirtualSize, s.SizeOfRawData));
  expect(pe.sections.map((s) => [s.Name, bfdSize(s), o.ImageBase + BigInt(s.VirtualAddress), s.PointerToRawData])).toEqual(
    ref.sections.map((s) => [s.name, s.size, s.vma, s.fileOffset]),
  );
  const relocs = readBaseRelocations(pe, bytes);
  expect(relocs.map((b) => [b.pageRva, b.entries.map((e) => [e.offset, e.type])])).toEqual(
    ref.relocations.map((b) => [b.page, b.fixups.map((x) => [x.offset, RELOC_TYPE[x.type]])]),
  );
}

describe('readPe', () => {
  it('reads a PE32+ EFI application linked by ld -m i386pep exactly as objdump -p does', () => {
    const pe = readPe(ldBytes, ldPath);
    expect(pe.format).toBe('PE32+');
    expect(pe.optional.Subsystem).toBe(SUBSYSTEM_EFI_APPLICATION);
    crossCheck(pe, ldBytes, objdumpPe(ldPath));
    expect(readBaseRelocations(pe, ldBytes).flatMap((b) => b.entries).filter((e) => e.type === IMAGE_REL_BASED_DIR64).length).toBe(2);
  });

  it('reads real UEFI images from Debian packages as objdump does', () => {
    for (const path of ['/usr/lib/systemd/boot/efi/linuxx64.efi.stub', '/boot/memtest86+x64.efi', '/boot/memtest86+ia32.efi']) {
      const bytes = new Uint8Array(readFileSync(path));
      crossCheck(readPe(bytes, path), bytes, objdumpPe(path));
    }
  });
});

describe('writePeHeaders', () => {
  function image(machine: number): { bytes: Uint8Array; layout: PeLayout } {
    const bytes = new Uint8Array(0x800);
    // .text: a single `ret`; .reloc: one DIR64 fixup at RVA 0x1008.
    bytes[0x400] = 0xc3;
    const block = encodeBaseRelocationBlock(0x1000, [{ type: IMAGE_REL_BASED_DIR64, offset: 8 }]);
    bytes.set(block, 0x600);
    const layout: PeLayout = {
      machine,
      characteristics: IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_LARGE_ADDRESS_AWARE,
      optional: {
        AddressOfEntryPoint: 0x1000,
        BaseOfCode: 0x1000,
        ImageBase: 0xffff_8000_0000_0000n,
        SectionAlignment: 0x1000,
        FileAlignment: 0x200,
        SizeOfImage: 0x3000,
        SizeOfHeaders: 0x400,
        SizeOfCode: 0x200,
        SizeOfInitializedData: 0x200,
        Subsystem: SUBSYSTEM_EFI_APPLICATION,
        MajorSubsystemVersion: 1,
        SizeOfStackReserve: 0x10000n,
        SizeOfStackCommit: 0x1000n,
      },
      dataDirectories: { [DIR_BASERELOC]: { VirtualAddress: 0x2000, Size: block.length } },
      sections: [
        { Name: '.text', VirtualSize: 0x10, VirtualAddress: 0x1000, SizeOfRawData: 0x200, PointerToRawData: 0x400, Characteristics: SCN_CNT_CODE | SCN_MEM_EXECUTE | SCN_MEM_READ },
        { Name: '.reloc', VirtualSize: block.length, VirtualAddress: 0x2000, SizeOfRawData: 0x200, PointerToRawData: 0x600, Characteristics: SCN_CNT_INITIALIZED_DATA | SCN_MEM_DISCARDABLE | SCN_MEM_READ },
      ],
    };
    writePeHeaders(new DataView(bytes.buffer), layout);
    return { bytes, layout };
  }

  it('writes headers that objdump -p and sbverify parse with the values we wrote', () => {
    const { bytes, layout } = image(AMD64);
    const path = join(DIR, 'written.efi');
    writeFileSync(path, bytes);
    const ref = objdumpPe(path);
    expect(ref.format).toBe('pei-x86-64');
    expect(hexNum(ref.fields['ImageBase']!)).toBe(layout.optional.ImageBase);
    expect(hexNum(ref.fields['AddressOfEntryPoint']!)).toBe(0x1000n);
    expect(hexNum(ref.fields['Subsystem']!)).toBe(10n);
    expect(ref.relocations).toEqual([{ page: 0x1000, fixups: [{ offset: 8, type: 'DIR64' }, { offset: 0, type: 'ABSOLUTE' }] }]);
    crossCheck(readPe(bytes, path), bytes, ref);
    const sb = runStatus('sbverify', ['--list', path]);
    expect(sb.output).toContain('No signature table present');
  });

  it('round-trips through readPe (ARM64 machine as well)', () => {
    const { bytes, layout } = image(ARM64);
    const pe = readPe(bytes, 'arm64.efi');
    expect(pe.coff.Machine).toBe(0xaa64);
    expect(pe.peOffset).toBe(0x40);
    expect(pe.optional.ImageBase).toBe(layout.optional.ImageBase);
    expect(pe.sections.map((s) => s.Name)).toEqual(['.text', '.reloc']);
    expect(pe.dataDirectories[DIR_BASERELOC]).toEqual({ index: 5, VirtualAddress: 0x2000, Size: 12 });
  });

  it('leaves the DOS header bytes other than e_magic/e_lfanew alone (polyglot images keep theirs)', () => {
    const bytes = new Uint8Array(0x800).fill(0xaa);
    const { layout } = image(AMD64);
    writePeHeaders(new DataView(bytes.buffer), { ...layout, peOffset: 0x80 });
    expect([...bytes.subarray(2, 0x3c)].every((b) => b === 0xaa)).toBe(true);
    expect([...bytes.subarray(0x40, 0x80)].every((b) => b === 0xaa)).toBe(true);
    expect(new DataView(bytes.buffer).getUint32(0x3c, true)).toBe(0x80);
  });
});

describe('readPe on malformed input', () => {
  function peError(bytes: Uint8Array): PeError {
    try {
      readPe(bytes, 'bad.efi');
    } catch (e) {
      expect(e).toBeInstanceOf(PeError);
      expect(e).toBeInstanceOf(FormatError);
      expect((e as PeError).file).toBe('bad.efi');
      return e as PeError;
    }
    throw new Error('expected PeError');
  }
  const patch = (edit: (v: DataView) => void) => {
    const b = ldBytes.slice();
    edit(new DataView(b.buffer));
    return b;
  };
  it('each broken rule names its offset and field', () => {
    const lfanew = new DataView(ldBytes.buffer).getUint32(0x3c, true);
    const opt = lfanew + 24;
    const cases: Array<[Uint8Array, number, string]> = [
      [ldBytes.slice(0, 0x30), 0x3c, 'IMAGE_DOS_HEADER.e_lfanew'],
      [patch((v) => v.setUint16(0, 0x4d5a, true)), 0, 'IMAGE_DOS_HEADER.e_magic'],
      [patch((v) => v.setUint32(0x3c, 0x100000, true)), 0x3c, 'IMAGE_DOS_HEADER.e_lfanew'],
      [patch((v) => v.setUint8(lfanew + 1, 0x46)), lfanew, 'PE_SIGNATURE.Signature'],
      [patch((v) => v.setUint16(opt, 0x30b, true)), opt, 'IMAGE_OPTIONAL_HEADER.Magic'],
      [patch((v) => v.setUint32(opt + 0x6c, 17, true)), opt + 0x6c, 'IMAGE_OPTIONAL_HEADER.NumberOfRvaAndSizes'],
      [patch((v) => v.setUint16(lfanew + 4 + 16, 0x60, true)), lfanew + 4 + 16, 'IMAGE_FILE_HEADER.SizeOfOptionalHeader'],
      [patch((v) => v.setUint16(lfanew + 4 + 2, 200, true)), lfanew + 4 + 2, 'IMAGE_FILE_HEADER.NumberOfSections'],
      [patch((v) => v.setUint32(opt + 0x10, 0x100000, true)), opt + 0x10, 'IMAGE_OPTIONAL_HEADER.AddressOfEntryPoint'],
      [patch((v) => v.setUint32(opt + 240 + 0x14, 0x7fff0000, true)), opt + 240 + 0x14, 'IMAGE_SECTION_HEADER[0].PointerToRawData'],
      [ldBytes.slice(0, readPe(ldBytes, 'x').sections[4]!.PointerToRawData + 0x10), opt + 240 + 4 * 40 + 0x14, 'IMAGE_SECTION_HEADER[4].PointerToRawData'],
    ];
    for (const [bytes, offset, field] of cases) {
      let e: PeError;
      try {
        e = peError(bytes);
      } catch (x) {
        throw new Error(`case ${field} @ ${offset.toString(16)}: ${(x as Error).message}`);
      }
      expect([e.offset, e.field], e.message).toEqual([offset, field]);
    }
  });
  it('a base relocation block with a bad size', () => {
    const pe = readPe(ldBytes, 'app.efi');
    const reloc = pe.sections.find((s) => s.Name === '.reloc')!;
    const bad = ldBytes.slice();
    new DataView(bad.buffer).setUint32(reloc.PointerToRawData + 4, 6, true);
    try {
      readBaseRelocations(readPe(bad, 'bad.efi'), bad);
      throw new Error('expected PeError');
    } catch (e) {
      expect(e).toBeInstanceOf(PeError);
      expect((e as PeError).offset).toBe(reloc.PointerToRawData + 4);
      expect((e as PeError).field).toBe('IMAGE_BASE_RELOCATION.SizeOfBlock');
    }
  });
  it('every prefix and every single-byte corruption of the headers: PeError or a result, never a crash', () => {
    for (let n = 0; n < ldBytes.length; n += 5) {
      try {
        readPe(ldBytes.subarray(0, n), 'p');
      } catch (e) {
        expect(e).toBeInstanceOf(PeError);
      }
    }
    for (let at = 0; at < 0x300; at++) {
      for (const value of [0, 0xff, 0x80]) {
        const b = ldBytes.slice();
        b[at] = value;
        try {
          const pe = readPe(b, 'p');
          readBaseRelocations(pe, b);
        } catch (e) {
          expect(e, `byte ${at}=${value}`).toBeInstanceOf(PeError);
        }
      }
    }
  });
});
