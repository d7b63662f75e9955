import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../common/errors.js';
import {
  ADDRESS,
  ARCH_I386,
  CONSOLE_FLAGS,
  EFI_BS,
  ENTRY_ADDRESS,
  ENTRY_ADDRESS_EFI32,
  ENTRY_ADDRESS_EFI64,
  FRAMEBUFFER,
  INFORMATION_REQUEST,
  MODULE_ALIGN,
  RELOCATABLE,
  encodeMultiboot2Header,
  findMultiboot2Header,
  type Mb2HeaderTag,
} from '../../boot/multiboot2/header.js';
import { Multiboot2Error } from '../../boot/multiboot2/errors.js';
import { findMultiboot1Header } from '../../boot/multiboot2/multiboot1.js';
import { run, runStatus, tempDir } from './helpers/toolchain.js';

const DIR = tempDir('nova-mb2-');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

// NOVA's header shape written by hand in GNU assembler syntax (the assembler, not our encoder, lays it out),
// plus a Multiboot v1 header as NOVA and tboot carry one.
const NOVA_SHAPE_ASM = `
  .section .multiboot, "a"
  .align 4
mb1: .long 0x1badb002, 0x00000003, -(0x1badb002 + 0x00000003)
  .section .multiboot2, "a"
  .align 8
mb2_start:
  .long 0xe85250d6, 0, mb2_end - mb2_start, -(0xe85250d6 + (mb2_end - mb2_start))
  .align 8
  .short 1, 0
  .long 20
  .long 1, 3, 6
  .align 8
  .short 6, 1
  .long 8
  .align 8
  .short 7, 1
  .long 8
  .align 8
  .short 10, 1
  .long 24
  .long 0x200000, 0xffffffff, 0x200000, 2
  .align 8
  .short 0, 0
  .long 8
mb2_end:
  .text
  .globl _start
_start: hlt
`;

/** The same header through our encoder. */
const NOVA_SHAPE_TAGS: Mb2HeaderTag[] = [
  { type: INFORMATION_REQUEST, optional: false, requests: [1, 3, 6] },
  { type: MODULE_ALIGN, optional: true },
  { type: EFI_BS, optional: true },
  { type: RELOCATABLE, optional: true, min_addr: 0x200000, max_addr: 0xffffffff, align: 0x200000, preference: 2 },
];

let elfPath = '';
let elfBytes: Uint8Array;
let asmHeader: Uint8Array;

beforeAll(() => {
  const src = join(DIR, 'nova-shape.S');
  writeFileSync(src, NOVA_SHAPE_ASM);
  elfPath = join(DIR, 'nova-shape.elf');
  run('gcc', ['-nostdlib', '-static', '-no-pie', '-Wl,--build-id=none', '-Wl,-z,noseparate-code', '-Wl,-Ttext=0x200000', '-o', elfPath, src]);
  elfBytes = new Uint8Array(readFileSync(elfPath));
  const raw = join(DIR, 'mb2.bin');
  run('objcopy', ['-O', 'binary', '-j', '.multiboot2', elfPath, raw]);
  asmHeader = new Uint8Array(readFileSync(raw));
});

/** grub-file's verdict on bytes written to a temp file. */
function grubSaysMultiboot2(bytes: Uint8Array, name: string): boolean {
  const path = join(DIR, name);
  writeFileSync(path, bytes);
  return runStatus('grub-file', ['--is-x86-multiboot2', path]).status === 0;
}
function placed(header: Uint8Array, at: number, size = 0x10000): Uint8Array {
  const out = new Uint8Array(size);
  out.set(header, at);
  return out;
}

describe('Multiboot2 header', () => {
  it('our encoder produces the bytes GNU as assembles for the same tags', () => {
    expect(Buffer.from(encodeMultiboot2Header(ARCH_I386, NOVA_SHAPE_TAGS)).toString('hex')).toBe(Buffer.from(asmHeader).toString('hex'));
  });

  it('finds and parses the header of a gcc-built ELF; grub-file agrees it is Multiboot2', () => {
    const h = findMultiboot2Header(elfBytes, elfPath)!;
    expect(h).toBeDefined();
    expect(h.tags).toEqual(NOVA_SHAPE_TAGS);
    const section = /\.multiboot2\s+PROGBITS\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(run('readelf', ['-S', '--wide', elfPath]))!;
    const fileOffset = parseInt(section[1]!, 16);
    expect(h.offset).toBe(fileOffset);
    expect(h.headerLength).toBe(asmHeader.length);
    expect(runStatus('grub-file', ['--is-x86-multiboot2', elfPath]).status).toBe(0);
    const mb1 = findMultiboot1Header(elfBytes, elfPath)!;
    expect(mb1.flags).toBe(3);
    expect(runStatus('grub-file', ['--is-x86-multiboot', elfPath]).status).toBe(0);
  });

  it('round-trips every header tag type', () => {
    const tags: Mb2HeaderTag[] = [
      { type: INFORMATION_REQUEST, optional: true, requests: [1, 2, 3, 4, 5, 6, 8, 12, 14, 15, 20] },
      { type: ADDRESS, optional: false, header_addr: 0x100000, load_addr: 0x100000, load_end_addr: 0x180000, bss_end_addr: 0x190000 },
      { type: ENTRY_ADDRESS, optional: false, entry_addr: 0x100040 },
      { type: CONSOLE_FLAGS, optional: true, console_flags: 3 },
      { type: FRAMEBUFFER, optional: true, width: 1024, height: 768, depth: 32 },
      { type: MODULE_ALIGN, optional: false },
      { type: EFI_BS, optional: false },
      { type: ENTRY_ADDRESS_EFI32, optional: true, entry_addr: 0x100080 },
      { type: ENTRY_ADDRESS_EFI64, optional: true, entry_addr: 0x1000c0 },
      { type: RELOCATABLE, optional: false, min_addr: 0x200000, max_addr: 0xfffff000, align: 0x200000, preference: 1 },
    ];
    const bytes = encodeMultiboot2Header(ARCH_I386, tags);
    expect(bytes.length % 8).toBe(0);
    const h = findMultiboot2Header(placed(bytes, 0x2000), 'x')!;
    expect(h.tags).toEqual(tags);
    expect(h.offset).toBe(0x2000);
    expect(h.unknownTags).toEqual([]);
    expect(grubSaysMultiboot2(placed(bytes, 0x2000), 'all-tags.bin')).toBe(true);
  });

  it('agrees with grub-file on where a header counts (8-byte aligned, inside the first 32 KiB, checksum)', () => {
    const header = encodeMultiboot2Header(ARCH_I386, [{ type: ADDRESS, optional: false, header_addr: 0x100000, load_addr: 0x100000, load_end_addr: 0, bss_end_addr: 0 }, { type: ENTRY_ADDRESS, optional: false, entry_addr: 0x100040 }]);
    const badChecksum = header.slice();
    badChecksum[12]! ^= 1;
    const cases: Array<[string, Uint8Array]> = [
      ['at-0', placed(header, 0)],
      ['at-0x1000', placed(header, 0x1000)],
      ['at-0x7ff0', placed(header, 0x7ff0)],
      ['at-0x7ff8', placed(header, 0x7ff8)],
      ['at-0x8000', placed(header, 0x8000)],
      ['misaligned-4', placed(header, 4)],
      ['none', new Uint8Array(0x10000)],
    ];
    for (const [name, bytes] of cases) {
      expect(findMultiboot2Header(bytes, name) !== undefined, name).toBe(grubSaysMultiboot2(bytes, name));
    }
    // A magic with a broken checksum: GRUB rejects the file; we say why.
    expect(grubSaysMultiboot2(placed(badChecksum, 0), 'bad-checksum')).toBe(false);
    expect(() => findMultiboot2Header(placed(badChecksum, 0), 'bad')).toThrow(/checksum/);
  });

  it('corrupt tag lists give Multiboot2Error naming offset and field', () => {
    const header = encodeMultiboot2Header(ARCH_I386, [{ type: ENTRY_ADDRESS, optional: false, entry_addr: 0x100040 }]);
    const expectError = (bytes: Uint8Array, offset: number, field: RegExp) => {
      try {
        findMultiboot2Header(bytes, 'bad.img');
        throw new Error('expected Multiboot2Error');
      } catch (e) {
        expect(e).toBeInstanceOf(Multiboot2Error);
        expect(e).toBeInstanceOf(FormatError);
        const err = e as Multiboot2Error;
        expect(err.offset).toBe(offset);
        expect(err.field).toMatch(field);
        expect(err.file).toBe('bad.img');
      }
    };
    const fixChecksum = (b: Uint8Array) => {
      const v = new DataView(b.buffer);
      v.setUint32(12, (0x1_0000_0000 - ((v.getUint32(0, true) + v.getUint32(4, true) + v.getUint32(8, true)) % 0x1_0000_0000)) >>> 0, true);
      return b;
    };
    // Entry tag claims 64 bytes: runs past the header.
    const big = placed(header, 0x100);
    new DataView(big.buffer).setUint32(0x100 + 16 + 4, 64, true);
    expectError(big, 0x100 + 16 + 4, /entry address.*size/);
    // Entry tag with the wrong fixed size.
    const wrong = placed(header, 0);
    new DataView(wrong.buffer).setUint32(16 + 4, 16, true);
    expectError(wrong, 20, /size/);
    // header_length shorter than the tags: no end tag inside it.
    const short = header.slice(0, 32);
    new DataView(short.buffer).setUint32(8, 32, true);
    expectError(placed(fixChecksum(short), 0), 32, /multiboot2_header_tag/);
    // header_length past the end of the file.
    const cut = header.slice();
    expectError(cut.slice(0, 24), 8, /header_length/);
  });
});
