import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../common/errors.js';
import { ElfError, RootTaskError, checkRootTask, readElf, type ElfFile } from '../../boot/elf/index.js';
import { buildC, run, tempDir } from './helpers/toolchain.js';
import { readelf, type Readelf } from './helpers/readelf.js';

// Numeric values of readelf's spellings, from the System V gABI and the psABIs (independent of our tables).
const TYPE = { REL: 1, EXEC: 2, DYN: 3 } as Record<string, number>;
const MACHINE = { 'Intel 80386': 3, 'Advanced Micro Devices X86-64': 62, AArch64: 183 } as Record<string, number>;
const SHT = {
  NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, HASH: 5, DYNAMIC: 6, NOTE: 7, NOBITS: 8, REL: 9, DYNSYM: 11,
  INIT_ARRAY: 14, FINI_ARRAY: 15, GNU_HASH: 0x6ffffff6, VERSYM: 0x6fffffff, VERNEED: 0x6ffffffe, X86_64_UNWIND: 0x70000001,
} as Record<string, number>;
const PT = {
  NULL: 0, LOAD: 1, DYNAMIC: 2, INTERP: 3, NOTE: 4, PHDR: 6, TLS: 7,
  GNU_EH_FRAME: 0x6474e550, GNU_STACK: 0x6474e551, GNU_RELRO: 0x6474e552, GNU_PROPERTY: 0x6474e553,
} as Record<string, number>;
const SHF = { W: 1n, A: 2n, X: 4n, M: 0x10n, S: 0x20n, I: 0x40n, L: 0x80n, G: 0x200n, T: 0x400n } as Record<string, bigint>;
const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, TLS: 6 } as Record<string, number>;
const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as Record<string, number>;
const STV = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 } as Record<string, number>;
const NDX = { UND: 0, ABS: 0xfff1, COM: 0xfff2 } as Record<string, number>;

const PROGRAM = `
const char greeting[] = "hello";
int counter = 7;
long table[64];
static int helper(int x) { return x * 3 + counter; }
void _start(void) { table[1] = helper(2) + greeting[0]; for (;;) {} }
`;

const DIR = tempDir('nova-elf-');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

interface Fixture {
  path: string;
  bytes: Uint8Array;
  elf: ElfFile;
  ref: Readelf;
}
function fixture(name: string, cc: string, flags: string[], source = PROGRAM): Fixture {
  const { path, bytes } = buildC(DIR, name, { cc, source, flags });
  return { path, bytes, elf: readElf(bytes, path), ref: readelf(path) };
}

/** Every header, program header, section and symbol field against readelf. */
function crossCheck({ elf, ref }: Fixture): void {
  const h = ref.header;
  expect(elf.header.class).toBe(h['Class'] === 'ELF64' ? 64 : 32);
  expect(elf.header.type).toBe(TYPE[h['Type']!.split(' ')[0]!]);
  expect(elf.header.machine).toBe(MACHINE[h['Machine']!]);
  expect(elf.header.entry).toBe(BigInt(h['Entry point address']!));
  expect(elf.header.phoff).toBe(BigInt(h['Start of program headers']!.split(' ')[0]!));
  expect(elf.header.shoff).toBe(BigInt(h['Start of section headers']!.split(' ')[0]!));
  expect(elf.header.flags).toBe(Number(h['Flags']!.split(',')[0]));
  expect(elf.header.ehsize).toBe(Number(h['Size of this header']!.split(' ')[0]));
  expect(elf.header.phentsize).toBe(Number(h['Size of program headers']!.split(' ')[0]));
  expect(elf.header.phnum).toBe(Number(h['Number of program headers']));
  expect(elf.header.shentsize).toBe(Number(h['Size of section headers']!.split(' ')[0]));
  expect(elf.header.shnum).toBe(Number(h['Number of section headers']));
  expect(elf.header.shstrndx).toBe(Number(h['Section header string table index']));

  expect(elf.programHeaders.length).toBe(ref.segments.length);
  ref.segments.forEach((r, i) => {
    const p = elf.programHeaders[i]!;
    expect(PT[r.type], `readelf segment type ${r.type} known to the test`).toBeDefined();
    expect(p.type).toBe(PT[r.type]);
    expect([p.offset, p.vaddr, p.paddr, p.filesz, p.memsz, p.align]).toEqual([r.offset, r.vaddr, r.paddr, r.filesz, r.memsz, r.align]);
    expect(p.flags).toBe((r.flags.includes('R') ? 4 : 0) | (r.flags.includes('W') ? 2 : 0) | (r.flags.includes('E') ? 1 : 0));
  });

  expect(elf.sections.length).toBe(ref.sections.length);
  ref.sections.forEach((r, i) => {
    const s = elf.sections[i]!;
    expect(SHT[r.type], `readelf section type ${r.type} known to the test`).toBeDefined();
    expect(s.name).toBe(r.name);
    expect(s.type).toBe(SHT[r.type]);
    expect([s.addr, s.offset, s.size, s.entsize, s.addralign]).toEqual([r.addr, r.offset, r.size, r.entsize, r.align]);
    expect([s.link, s.info]).toEqual([r.link, r.info]);
    const flags = [...r.flags].reduce((acc, c) => acc | (SHF[c] ?? -1n), 0n);
    expect(s.flags).toBe(flags);
  });

  expect(elf.symbols.length).toBe(ref.symbols.length);
  ref.symbols.forEach((r, i) => {
    const s = elf.symbols[i]!;
    expect([s.table, s.index]).toEqual([r.table, r.index]);
    // readelf shows a section symbol (no name of its own) by the name of its section.
    if (r.type === 'SECTION' && s.name === '') expect(elf.sections[s.shndx]!.name).toBe(r.name);
    else expect(s.name).toBe(r.name);
    expect([s.value, s.size]).toEqual([r.value, r.size]);
    expect([s.type, s.bind, s.visibility]).toEqual([STT[r.type], STB[r.bind], STV[r.vis]]);
    expect(s.shndx).toBe(NDX[r.ndx] ?? Number(r.ndx));
  });
}

const STATIC = ['-static', '-no-pie', '-fno-pic', '-O1', '-Wl,--build-id'];
let x64: Fixture, i386: Fixture, a64: Fixture, pie: Fixture, high: Fixture;

beforeAll(() => {
  x64 = fixture('x86_64', 'gcc', STATIC);
  i386 = fixture('i386', 'gcc', ['-m32', ...STATIC]);
  a64 = fixture('aarch64', 'aarch64-linux-gnu-gcc', STATIC);
  pie = fixture('static-pie', 'gcc', ['-static-pie', '-fpie', '-O1']);
  const script = join(DIR, 'higher-half.ld');
  // A kernel linked into the top 2 GiB, as NOVA and Linux are: the addresses need all 64 bits.
  writeFileSync(
    script,
    'ENTRY(_start) SECTIONS { . = 0xffffffff80001000; .text : { *(.text.entry) *(.text*) } .rodata : { *(.rodata*) } .data : { *(.data*) } .bss : { *(.bss*) *(COMMON) } /DISCARD/ : { *(.note*) *(.eh_frame*) } }',
  );
  high = fixture(
    'higher-half',
    'gcc',
    ['-static', '-no-pie', '-fno-pic', '-mcmodel=kernel', '-O1', `-Wl,-T,${script}`],
    PROGRAM.replace('void _start', '__attribute__((section(".text.entry"))) void _start'),
  );
});

describe('readElf against readelf', () => {
  it('ELF64 x86_64 static executable: header, segments, sections, symbols', () => crossCheck(x64));
  it('ELF32 i386 executable', () => {
    expect(i386.elf.header.class).toBe(32);
    crossCheck(i386);
  });
  it('ELF64 AArch64 executable', () => crossCheck(a64));
  it('static-pie (ET_DYN with .dynsym)', () => {
    expect(pie.elf.header.type).toBe(3);
    crossCheck(pie);
  });
  it('higher-half ELF64 keeps its exact 64-bit addresses', () => {
    crossCheck(high);
    expect(high.elf.header.entry).toBe(0xffffffff80001000n);
    expect(high.elf.sections.find((s) => s.name === '.text')!.addr).toBe(0xffffffff80001000n);
    expect(high.elf.programHeaders.some((p) => p.vaddr === 0xffffffff80001000n)).toBe(true);
    expect(high.elf.symbols.find((s) => s.name === '_start')!.value).toBe(0xffffffff80001000n);
  });
  it('reads notes: the GNU build-id matches readelf -n', () => {
    const text = run('readelf', ['-n', '--wide', x64.path]);
    const buildId = /Build ID: ([0-9a-f]+)/.exec(text)![1]!;
    const note = x64.elf.notes.find((n) => n.name === 'GNU' && n.type === 3)!;
    expect(note.source).toBe('.note.gnu.build-id');
    expect(Buffer.from(note.desc).toString('hex')).toBe(buildId);
    const owners = [...text.matchAll(/^\s+(\S+)\s+0x[0-9a-f]+\s+NT_/gm)].map((m) => m[1]);
    expect(x64.elf.notes.map((n) => n.name)).toEqual(owners);
  });
});

/** Runs `fn`, expecting an ElfError; returns it for field/offset checks. */
function elfError(fn: () => unknown): ElfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    expect(e).toBeInstanceOf(FormatError);
    return e as ElfError;
  }
  throw new Error('expected an ElfError');
}
function patched(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer));
  return copy;
}

describe('readElf on malformed input', () => {
  it('truncated e_ident', () => {
    const e = elfError(() => readElf(x64.bytes.slice(0, 3), 'short.elf'));
    expect([e.file, e.offset, e.field]).toEqual(['short.elf', 0, 'e_ident.magic']);
    expect(e.message).toMatch(/^short\.elf: offset 0x0: /);
  });
  it('truncated ELF64 header names the first field that does not fit', () => {
    const e = elfError(() => readElf(x64.bytes.slice(0, 0x2c), 'k.elf'));
    expect([e.offset, e.field]).toEqual([0x28, 'Elf64_Ehdr.e_shoff']);
  });
  it('bad magic, bad class, big-endian, bad version', () => {
    expect(elfError(() => readElf(patched(x64.bytes, (v) => v.setUint8(1, 0x46 ^ 0x20)), 'm')).field).toBe('e_ident.EI_MAG');
    const cls = elfError(() => readElf(patched(x64.bytes, (v) => v.setUint8(4, 3)), 'm'));
    expect([cls.offset, cls.field]).toEqual([4, 'e_ident.EI_CLASS']);
    expect(elfError(() => readElf(patched(x64.bytes, (v) => v.setUint8(5, 2)), 'm')).offset).toBe(5);
    expect(elfError(() => readElf(patched(x64.bytes, (v) => v.setUint8(6, 0)), 'm')).offset).toBe(6);
  });
  it('file cut inside the section header table', () => {
    const shoff = Number(x64.elf.header.shoff);
    const e = elfError(() => readElf(x64.bytes.slice(0, shoff + 100), 'cut.elf'));
    expect([e.offset, e.field]).toEqual([0x28, 'Elf64_Ehdr.e_shoff']);
    const e32 = elfError(() => readElf(i386.bytes.slice(0, Number(i386.elf.header.shoff) + 50), 'cut32.elf'));
    expect([e32.offset, e32.field]).toEqual([0x20, 'Elf32_Ehdr.e_shoff']);
  });
  it('program header table outside the file', () => {
    const e = elfError(() => readElf(patched(x64.bytes, (v) => v.setBigUint64(0x20, 0xffff_0000n, true)), 'ph.elf'));
    expect([e.offset, e.field]).toEqual([0x20, 'Elf64_Ehdr.e_phoff']);
    expect(e.message).toMatch(/program header table .* extends past end of file/);
  });
  it('wrong e_phentsize / e_shentsize / e_shstrndx', () => {
    expect(elfError(() => readElf(patched(x64.bytes, (v) => v.setUint16(0x36, 32, true)), 'x')).offset).toBe(0x36);
    expect(elfError(() => readElf(patched(x64.bytes, (v) => v.setUint16(0x3a, 40, true)), 'x')).offset).toBe(0x3a);
    expect(elfError(() => readElf(patched(x64.bytes, (v) => v.setUint16(0x3e, 999, true)), 'x')).field).toBe('Elf64_Ehdr.e_shstrndx');
  });
  it('a section whose data lies outside the file names that section header field', () => {
    const shoff = Number(x64.elf.header.shoff);
    const e = elfError(() => readElf(patched(x64.bytes, (v) => v.setBigUint64(shoff + 64 + 0x18, 0x7fff_ffffn, true)), 's.elf'));
    expect([e.offset, e.field]).toEqual([shoff + 64 + 0x18, 'Elf64_Shdr[1].sh_offset']);
  });
  it('a segment whose data lies outside the file names that program header field', () => {
    const phoff = Number(x64.elf.header.phoff);
    const e = elfError(() => readElf(patched(x64.bytes, (v) => v.setBigUint64(phoff + 56 + 0x20, 0x1_0000_0000n, true)), 'p.elf'));
    expect([e.offset, e.field]).toEqual([phoff + 56 + 0x08, 'Elf64_Phdr[1].p_offset']);
  });
  it('a section name outside .shstrtab', () => {
    const shoff = Number(x64.elf.header.shoff);
    const e = elfError(() => readElf(patched(x64.bytes, (v) => v.setUint32(shoff + 64, 0xfffff, true)), 'n.elf'));
    expect([e.offset, e.field]).toEqual([shoff + 64, 'Elf64_Shdr[1].sh_name']);
  });
  it('extended numbering: e_shnum 0 and e_shstrndx SHN_XINDEX resolved through section 0', () => {
    const shoff = Number(x64.elf.header.shoff);
    const ext = patched(x64.bytes, (v) => {
      v.setBigUint64(shoff + 0x20, BigInt(x64.elf.header.shnum), true); // section 0 sh_size = real count
      v.setUint32(shoff + 0x28, x64.elf.header.shstrndx, true); // section 0 sh_link = real index
      v.setUint16(0x3c, 0, true);
      v.setUint16(0x3e, 0xffff, true);
    });
    const elf = readElf(ext, 'ext.elf');
    expect(elf.header.shnum).toBe(x64.elf.header.shnum);
    expect(elf.sections.slice(1)).toEqual(x64.elf.sections.slice(1));
  });
  it('every prefix of the file and every single-byte corruption of its headers gives ElfError or a result, never a crash', () => {
    for (const f of [x64, i386]) {
      for (let n = 0; n < f.bytes.length; n += 7) {
        expect(() => readElf(f.bytes.subarray(0, n), 'prefix')).toThrow(ElfError);
      }
      const shoff = Number(f.elf.header.shoff);
      const regions = [[0, 0x200], [shoff, f.bytes.length]] as const;
      for (const [from, to] of regions) {
        for (let at = from; at < to; at++) {
          for (const value of [0x00, 0xff, 0x80]) {
            const bad = patched(f.bytes, (v) => v.setUint8(at, value));
            try {
              readElf(bad, 'fuzz');
            } catch (e) {
              expect(e, `byte ${at} = ${value}`).toBeInstanceOf(ElfError);
            }
          }
        }
      }
    }
  });
});

describe('checkRootTask (NOVA root-task rules)', () => {
  const ROOT = `
const char message[] = "ROOT";
int status = 0x10;
int _start(void) { return status + message[0]; }
`;
  const ROOT_BSS = `int status; char buffer[8192]; int _start(void) { buffer[1] = 1; return status; }`;
  const ROOT_FLAGS = ['-static', '-no-pie', '-fno-pic', '-O1', '-Wl,--build-id=none', '-Wl,-z,max-page-size=0x1000'];

  function rootTaskError(fn: () => unknown): RootTaskError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(RootTaskError);
      expect(e).toBeInstanceOf(FormatError);
      return e as RootTaskError;
    }
    throw new Error('expected a RootTaskError');
  }

  it('accepts an ET_EXEC whose segments are their own memory image', () => {
    const f = fixture('root-ok', 'gcc', ROOT_FLAGS, ROOT);
    expect(f.ref.segments.filter((s) => s.type === 'LOAD').every((s) => s.filesz === s.memsz)).toBe(true);
    expect(() => checkRootTask(f.elf)).not.toThrow();
  });

  it('refuses .bss (p_memsz > p_filesz), naming the segment and its program header offset', () => {
    const f = fixture('root-bss', 'gcc', ROOT_FLAGS, ROOT_BSS);
    const index = f.ref.segments.findIndex((s) => s.type === 'LOAD' && s.memsz > s.filesz);
    expect(index).toBeGreaterThanOrEqual(0);
    const e = rootTaskError(() => checkRootTask(f.elf));
    const at = Number(f.elf.header.phoff) + index * 56;
    expect([e.segment, e.offset]).toEqual([index, at]);
    expect(e.message).toContain(`segment ${index} (program header at 0x${at.toString(16)})`);
    expect(e.message).toContain('p_filesz == p_memsz');
  });

  it('refuses a -static-pie (ET_DYN)', () => {
    const e = rootTaskError(() => checkRootTask(pie.elf));
    expect([e.offset, e.field]).toEqual([0x10, 'Elf64_Ehdr.e_type']);
    expect(e.message).toMatch(/ET_EXEC/);
  });

  it('refuses a segment whose p_vaddr is not congruent to p_offset modulo 4 KiB', () => {
    const f = fixture('root-skew', 'gcc', ROOT_FLAGS, ROOT);
    const index = f.elf.programHeaders.findIndex((p) => p.type === 1 && p.offset > 0n);
    const at = Number(f.elf.header.phoff) + index * 56;
    // ld always keeps the congruence, so the violation is made by moving p_vaddr by 16 bytes.
    const bad = patched(f.bytes, (v) => v.setBigUint64(at + 0x10, v.getBigUint64(at + 0x10, true) + 0x10n, true));
    const elf = readElf(bad, 'skew.elf');
    const e = rootTaskError(() => checkRootTask(elf));
    expect([e.segment, e.offset, e.file]).toEqual([index, at, 'skew.elf']);
    expect(e.message).toContain('p_vaddr ≡ p_offset (mod 4 KiB)');
  });

  it('ELF32 root tasks are checked with the ELF32 program header size', () => {
    const f = fixture('root-bss32', 'gcc', ['-m32', ...ROOT_FLAGS], ROOT_BSS);
    const index = f.ref.segments.findIndex((s) => s.type === 'LOAD' && s.memsz > s.filesz);
    const e = rootTaskError(() => checkRootTask(f.elf));
    expect([e.segment, e.offset]).toEqual([index, Number(f.elf.header.phoff) + index * 32]);
  });
});
