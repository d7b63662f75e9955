import { describe, expect, it } from 'vitest';
import { FormatError } from '../../common/errors.js';
import {
  INFO_ACPI_NEW,
  INFO_ACPI_OLD,
  INFO_APM,
  INFO_BASIC_MEMINFO,
  INFO_BOOT_LOADER_NAME,
  INFO_BOOTDEV,
  INFO_CMDLINE,
  INFO_EFI32,
  INFO_EFI32_IH,
  INFO_EFI64,
  INFO_EFI64_IH,
  INFO_EFI_BS,
  INFO_EFI_MMAP,
  INFO_ELF_SECTIONS,
  INFO_FRAMEBUFFER,
  INFO_LOAD_BASE_ADDR,
  INFO_MMAP,
  INFO_MODULE,
  INFO_NETWORK,
  INFO_SMBIOS,
  INFO_VBE,
  INFO_TAG_TABLES,
  encodeMultiboot2Info,
  readMultiboot2Info,
  type Mb2InfoTag,
} from '../../boot/multiboot2/info.js';
import { Multiboot2Error } from '../../boot/multiboot2/errors.js';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** One tag of every type GRUB emits, with distinct values in every field. */
const ALL_TAGS: Mb2InfoTag[] = [
  { type: INFO_CMDLINE, string: 'console=ttyS0 nova' },
  { type: INFO_BOOT_LOADER_NAME, string: 'GRUB 2.06-13+deb12u1' },
  { type: INFO_MODULE, mod_start: 0x200000, mod_end: 0x201234, string: 'root.elf arg' },
  { type: INFO_MODULE, mod_start: 0x202000, mod_end: 0x202000, string: '' },
  { type: INFO_BASIC_MEMINFO, mem_lower: 639, mem_upper: 523136 },
  { type: INFO_BOOTDEV, biosdev: 0xe0, slice: 0xffffffff, part: 0xffffffff },
  {
    type: INFO_MMAP,
    entry_size: 24,
    entry_version: 0,
    entries: [
      { addr: 0n, len: 0x9fc00n, type: 1, zero: 0 },
      { addr: 0x9fc00n, len: 0x400n, type: 2, zero: 0 },
      { addr: 0x100000n, len: 0x1fee0000n, type: 1, zero: 0 },
      { addr: 0xfd00000000n, len: 0x300000000n, type: 2, zero: 0 },
    ],
  },
  { type: INFO_VBE, vbe_mode: 0x4118, vbe_interface_seg: 0xc000, vbe_interface_off: 0x1234, vbe_interface_len: 0x80, vbe_control_info: bytes(512, 1), vbe_mode_info: bytes(256, 2) },
  {
    type: INFO_FRAMEBUFFER,
    framebuffer_addr: 0xfd000000n,
    framebuffer_pitch: 4096,
    framebuffer_width: 1024,
    framebuffer_height: 768,
    framebuffer_bpp: 32,
    framebuffer_type: 1,
    reserved: 0,
    color: { kind: 'rgb', red_field_position: 16, red_mask_size: 8, green_field_position: 8, green_mask_size: 8, blue_field_position: 0, blue_mask_size: 8 },
  },
  {
    type: INFO_FRAMEBUFFER,
    framebuffer_addr: 0xa0000n,
    framebuffer_pitch: 320,
    framebuffer_width: 320,
    framebuffer_height: 200,
    framebuffer_bpp: 8,
    framebuffer_type: 0,
    reserved: 0,
    color: { kind: 'indexed', palette: [{ red: 1, green: 2, blue: 3 }, { red: 250, green: 251, blue: 252 }] },
  },
  { type: INFO_FRAMEBUFFER, framebuffer_addr: 0xb8000n, framebuffer_pitch: 160, framebuffer_width: 80, framebuffer_height: 25, framebuffer_bpp: 16, framebuffer_type: 2, reserved: 0, color: { kind: 'ega-text' } },
  { type: INFO_ELF_SECTIONS, num: 2, entsize: 64, shndx: 1, sections: bytes(128, 3) },
  { type: INFO_APM, version: 0x102, cseg: 0xf000, offset: 0x1234, cseg_16: 0xf000, dseg: 0x40, flags: 3, cseg_len: 0xffff, cseg_16_len: 0xffff, dseg_len: 0x100 },
  { type: INFO_EFI32, pointer: 0x7f9e018 },
  { type: INFO_EFI64, pointer: 0x7f9ee018n },
  { type: INFO_SMBIOS, major: 3, minor: 0, reserved: new Uint8Array(6), tables: bytes(24, 4) },
  { type: INFO_ACPI_OLD, rsdp: bytes(20, 5) },
  { type: INFO_ACPI_NEW, rsdp: bytes(36, 6) },
  { type: INFO_NETWORK, dhcpack: bytes(300, 7) },
  { type: INFO_EFI_MMAP, descr_size: 48, descr_vers: 1, efi_mmap: bytes(48 * 3, 8) },
  { type: INFO_EFI_BS },
  { type: INFO_EFI32_IH, pointer: 0x7e01234 },
  { type: INFO_EFI64_IH, pointer: 0x7e0123400n },
  { type: INFO_LOAD_BASE_ADDR, load_base_addr: 0x1000000 },
];

describe('Multiboot2 information structure', () => {
  it('covers tags 1..21', () => {
    expect(Object.keys(INFO_TAG_TABLES).map(Number)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(new Set(ALL_TAGS.map((t) => t.type)).size).toBe(21);
  });

  it('round-trips every tag GRUB emits; tags start 8-byte aligned; end tag closes', () => {
    const mbi = encodeMultiboot2Info(ALL_TAGS);
    const back = readMultiboot2Info(mbi, 'mbi');
    expect(back.tags).toEqual(ALL_TAGS);
    expect(back.totalSize).toBe(mbi.length);
    expect(back.offsets.every((o) => o % 8 === 0)).toBe(true);
    const view = new DataView(mbi.buffer);
    expect(view.getUint32(mbi.length - 8, true)).toBe(0);
    expect(view.getUint32(mbi.length - 4, true)).toBe(8);
    expect(Buffer.from(encodeMultiboot2Info(back.tags)).equals(Buffer.from(mbi))).toBe(true);
  });

  it('golden bytes of a small structure (spec 3.6 layout)', () => {
    const mbi = encodeMultiboot2Info([
      { type: INFO_CMDLINE, string: 'ab' },
      { type: INFO_BASIC_MEMINFO, mem_lower: 0x27f, mem_upper: 0x7fb80 },
    ]);
    expect(Buffer.from(mbi).toString('hex')).toBe(
      [
        '30000000', '00000000', //  0000: total_size 48, reserved
        '01000000', '0b000000', //  0008: type 1 (cmdline), size 8+3
        '616200', '0000000000', //  0010: "ab\0", pad to 8
        '04000000', '10000000', //  0018: type 4 (basic meminfo), size 16
        '7f020000', '80fb0700', //  0020: mem_lower 639 KiB, mem_upper
        '00000000', '08000000', //  0028: end tag
      ].join(''),
    );
  });

  it('malformed structures give Multiboot2Error with offset and field', () => {
    const mbi = encodeMultiboot2Info([{ type: INFO_CMDLINE, string: 'x' }, { type: INFO_MMAP, entry_size: 24, entry_version: 0, entries: [{ addr: 0n, len: 1n, type: 1, zero: 0 }] }]);
    const check = (b: Uint8Array, offset: number, field: RegExp) => {
      try {
        readMultiboot2Info(b, 'mbi.bin');
        throw new Error('expected Multiboot2Error');
      } catch (e) {
        expect(e).toBeInstanceOf(Multiboot2Error);
        expect(e).toBeInstanceOf(FormatError);
        expect((e as FormatError).offset).toBe(offset);
        expect((e as FormatError).field).toMatch(field);
      }
    };
    check(mbi.slice(0, mbi.length - 8), 0, /total_size/);
    const noEnd = mbi.slice(0, mbi.length - 8);
    new DataView(noEnd.buffer).setUint32(0, noEnd.length, true);
    check(noEnd, noEnd.length, /multiboot2_tag/);
    const badSize = mbi.slice();
    new DataView(badSize.buffer).setUint32(8 + 4, 0x1000, true);
    check(badSize, 12, /command line.*size/);
    const noNul = mbi.slice();
    noNul[0x11] = 0x41;
    new DataView(noNul.buffer).setUint32(12, 9, true);
    check(noNul, 0x10, /string/);
    const smallEntry = mbi.slice();
    new DataView(smallEntry.buffer).setUint32(0x18 + 8, 16, true);
    check(smallEntry, 0x20, /entry_size/);
  });

  it('every single-byte corruption and every prefix: Multiboot2Error or a result, never a crash', () => {
    const mbi = encodeMultiboot2Info(ALL_TAGS);
    for (let at = 0; at < mbi.length; at++) {
      for (const value of [0x00, 0xff, 0x07]) {
        const bad = mbi.slice();
        bad[at] = value;
        try {
          readMultiboot2Info(bad, 'fuzz');
        } catch (e) {
          expect(e, `byte ${at} = ${value}`).toBeInstanceOf(Multiboot2Error);
        }
      }
    }
    for (let n = 0; n < mbi.length; n += 3) expect(() => readMultiboot2Info(mbi.subarray(0, n), 'prefix')).toThrow(Multiboot2Error);
  });
});
