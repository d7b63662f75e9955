import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../common/errors.js';
import { fieldSize, type FieldTable } from '../../common/struct.js';
import { BzImageError, Arm64ImageError } from '../../boot/bzimage/errors.js';
import {
  SetupHeader,
  XLF_KERNEL_64,
  XLF_CAN_BE_LOADED_ABOVE_4G,
  LOADED_HIGH,
  readSetupHeader,
  setupHeaderBytes,
  writeSetupHeader,
  type SetupHeaderValue,
} from '../../boot/bzimage/setup-header.js';
import { BootParams, E820Entry, EfiInfo, ScreenInfo, encodeBootParams, readBootParams, writeBootParams } from '../../boot/bzimage/boot-params.js';
import { Arm64ImageHeader, encodeArm64ImageHeader, readArm64ImageHeader } from '../../boot/bzimage/arm64-image.js';
import { MEMTEST_BIN, MEMTEST_EFI, debianVmlinuz } from './helpers/debian-images.js';
import { run, runStatus, tempDir } from './helpers/toolchain.js';

const DIR = tempDir('nova-bz-');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/**
 * offsetof/sizeof of every field of our tables, as gcc computes them from Linux's own UAPI header
 * (asm/bootparam.h from linux-libc-dev): the independent source of truth for the layouts.
 */
function kernelLayout(): Map<string, [number, number]> {
  const lines: string[] = [];
  const emit = (struct: string, table: FieldTable, base: string) => {
    for (const field of Object.keys(table)) {
      lines.push(`printf("%s.%s %zu %zu\\n", "${struct}", "${field}", (size_t)(${base} + offsetof(struct ${struct}, ${field})), sizeof(((struct ${struct} *)0)->${field}));`);
    }
  };
  emit('setup_header', SetupHeader.fields, 'offsetof(struct boot_params, hdr)');
  emit('boot_params', BootParams.fields, '0');
  emit('screen_info', ScreenInfo.fields, '0');
  emit('efi_info', EfiInfo.fields, '0');
  emit('boot_e820_entry', E820Entry.fields, '0');
  lines.push('printf("sizes %zu %zu %zu %zu %zu\\n", sizeof(struct boot_params), sizeof(struct setup_header), sizeof(struct screen_info), sizeof(struct efi_info), sizeof(struct boot_e820_entry));');
  lines.push('printf("places %zu %zu %zu %zu\\n", offsetof(struct boot_params, screen_info), offsetof(struct boot_params, efi_info), offsetof(struct boot_params, e820_table), sizeof(((struct boot_params *)0)->e820_table));');
  const src = join(DIR, 'layout.c');
  writeFileSync(src, `#include <stddef.h>\n#include <stdio.h>\n#include <asm/bootparam.h>\nint main(void) {\n${lines.join('\n')}\nreturn 0; }\n`);
  run('gcc', ['-o', join(DIR, 'layout'), src]);
  const out = new Map<string, [number, number]>();
  for (const line of run(join(DIR, 'layout'), []).trim().split('\n')) {
    const [name, a, b, ...rest] = line.split(' ');
    out.set(name!, [Number(a), Number(b)]);
    if (rest.length) out.set(`${name}+`, rest.map(Number) as [number, number]);
  }
  return out;
}

/** A field read by `od` at the offset/width our table gives (the decoding oracle). */
function od(path: string, offset: number, size: number): bigint {
  const text = run('od', ['-An', '-v', '-tx1', `-j${offset}`, `-N${size}`, path]).trim().split(/\s+/);
  return BigInt(`0x${text.reverse().join('')}`);
}

let vmlinuz = '';
beforeAll(() => {
  vmlinuz = debianVmlinuz();
});

describe('layouts against Linux asm/bootparam.h', () => {
  it('setup_header, boot_params, screen_info, efi_info, boot_e820_entry: every field offset and size', () => {
    const k = kernelLayout();
    const check = (struct: string, table: FieldTable) => {
      for (const [field, [offset, type]] of Object.entries(table)) {
        expect(k.get(`${struct}.${field}`), `${struct}.${field}`).toEqual([offset, fieldSize(type)]);
      }
    };
    check('setup_header', SetupHeader.fields);
    check('boot_params', BootParams.fields);
    check('screen_info', ScreenInfo.fields);
    check('efi_info', EfiInfo.fields);
    check('boot_e820_entry', E820Entry.fields);
    const sizes = [...k.entries()].find(([n]) => n === 'sizes')!;
    const [bootParams, setupHeader] = sizes[1];
    expect(bootParams).toBe(0x1000);
    expect(0x1f1 + setupHeader).toBe(SetupHeader.size);
    expect(k.get('sizes+')).toEqual([ScreenInfo.size, EfiInfo.size, E820Entry.size]);
    expect(k.get('places')).toEqual([0, 0x1c0]);
    expect(k.get('places+')).toEqual([0x2d0, 128 * 20]);
  });
});

describe('readSetupHeader on real images', () => {
  for (const [label, path] of [
    ['Debian vmlinuz (cloud-amd64)', () => vmlinuz],
    ['memtest86+x64.bin', () => MEMTEST_BIN],
    ['memtest86+x64.efi', () => MEMTEST_EFI],
  ] as const) {
    it(`${label}: every field as od reads it; version string as file(1) says; grub-file agrees`, () => {
      const p = path();
      const { header, protocol, kernelVersion } = readSetupHeader(new Uint8Array(readFileSync(p)), p);
      for (const [field, [offset, type]] of Object.entries(SetupHeader.fields)) {
        expect(BigInt(header[field as keyof SetupHeaderValue] as number | bigint), field).toBe(od(p, offset, fieldSize(type)));
      }
      const v = Number(od(p, 0x206, 2));
      expect(protocol).toBe(`${v >> 8}.${String(v & 0xff).padStart(2, '0')}`);
      const fileSays = run('file', ['-b', p]);
      expect(fileSays).toContain(`version ${kernelVersion}`);
      expect(runStatus('grub-file', ['--is-x86-linux', p]).status).toBe(0);
    });
  }

  it("facts about Debian's kernel: protocol 2.15, 64-bit entry, loadable above 4 GiB, relocatable", () => {
    const { header, protocol } = readSetupHeader(new Uint8Array(readFileSync(vmlinuz)), vmlinuz);
    expect(protocol).toBe('2.15');
    expect(header.xloadflags & XLF_KERNEL_64).toBeTruthy();
    expect(header.xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G).toBeTruthy();
    expect(header.loadflags & LOADED_HIGH).toBeTruthy();
    expect(header.relocatable_kernel).toBe(1);
    expect(header.code32_start).toBe(0x100000);
  });
});

describe('setup header writer', () => {
  const values: SetupHeaderValue = {
    setup_sects: 7, root_flags: 1, syssize: 0x1234, ram_size: 0, vid_mode: 0xffff, root_dev: 0, boot_flag: 0xaa55,
    jump: 0x66eb, header: 0x53726448, version: 0x020f, realmode_swtch: 0, start_sys_seg: 0x1000, kernel_version: 0x300,
    type_of_loader: 0, loadflags: 0x01, setup_move_size: 0x8000, code32_start: 0x100000, ramdisk_image: 0x7f00000,
    ramdisk_size: 0x10000, bootsect_kludge: 0, heap_end_ptr: 0xfe00, ext_loader_ver: 1, ext_loader_type: 2,
    cmd_line_ptr: 0x20000, initrd_addr_max: 0x7fffffff, kernel_alignment: 0x200000, relocatable_kernel: 1, min_alignment: 21,
    xloadflags: 0x7b, cmdline_size: 2047, hardware_subarch: 0, hardware_subarch_data: 0x1122334455667788n,
    payload_offset: 0x3a0, payload_length: 0x80000, setup_data: 0xfedcba9876543210n, pref_address: 0x1000000n,
    init_size: 0x2000000, handover_offset: 0x190, kernel_info_offset: 0x12340,
  };
  it('round-trips every protocol 2.15 field; file(1) recognises the result', () => {
    const bytes = new Uint8Array(0x1000);
    writeSetupHeader(new DataView(bytes.buffer), values);
    bytes.set(Buffer.from('nova-image 0.1.0 test\0', 'latin1'), 0x200 + values.kernel_version);
    const back = readSetupHeader(bytes, 'mine');
    expect(back.header).toEqual(values);
    expect(back.protocol).toBe('2.15');
    expect(back.kernelVersion).toBe('nova-image 0.1.0 test');
    const path = join(DIR, 'setup.bin');
    writeFileSync(path, bytes);
    expect(run('file', ['-b', path])).toMatch(/^Linux kernel x86 boot executable bzImage, version nova-image 0.1.0 test/);
    // golden: boot.rst offsets (file(1) calls it a bzImage only when loadflags is exactly LOADED_HIGH)
    const v = new DataView(bytes.buffer);
    expect([bytes[0x1f1], v.getUint16(0x1fe, true), v.getUint16(0x206, true), v.getUint32(0x214, true), v.getUint16(0x236, true), v.getUint32(0x268, true)]).toEqual([7, 0xaa55, 0x20f, 0x100000, 0x7b, 0x12340]);
  });
  it('setupHeaderBytes copies 0x1f1 up to 0x202 + image[0x201]', () => {
    const bytes = new Uint8Array(0x1000);
    writeSetupHeader(new DataView(bytes.buffer), values);
    expect(bytes[0x201]).toBe(0x66);
    expect(setupHeaderBytes(bytes).length).toBe(0x268 - 0x1f1);
  });
  it('malformed headers give BzImageError naming offset and field', () => {
    const good = new Uint8Array(0x1000);
    writeSetupHeader(new DataView(good.buffer), values);
    good.set(Buffer.from('x\0'), 0x500);
    const cases: Array<[Uint8Array, number, string]> = [
      [good.slice(0, 0x100), 0x1fe, 'setup_header.boot_flag'],
      [(() => { const b = good.slice(); b[0x1fe] = 0; return b; })(), 0x1fe, 'setup_header.boot_flag'],
      [(() => { const b = good.slice(); b[0x203] = 0; return b; })(), 0x202, 'setup_header.header'],
      [(() => { const b = good.slice(); b[0x207] = 1; return b; })(), 0x206, 'setup_header.version'],
      [good.slice(0, 0x240), 0x240, 'setup_header'],
      [(() => { const b = good.slice(0, 0x300); new DataView(b.buffer).setUint16(0x20e, 0x7000, true); return b; })(), 0x20e, 'setup_header.kernel_version'],
    ];
    for (const [bytes, offset, field] of cases) {
      try {
        readSetupHeader(bytes, 'bad.bzImage');
        throw new Error(`expected BzImageError for ${field}`);
      } catch (e) {
        expect(e).toBeInstanceOf(BzImageError);
        expect(e).toBeInstanceOf(FormatError);
        expect([(e as BzImageError).offset, (e as BzImageError).field]).toEqual([offset, field]);
      }
    }
  });
});

describe('boot_params (zero page)', () => {
  it('round-trips scalar fields, screen_info, efi_info, hdr and the e820 table', () => {
    const e820 = [
      { addr: 0n, size: 0x9fc00n, type: 1 },
      { addr: 0x9fc00n, size: 0x400n, type: 2 },
      { addr: 0x100000n, size: 0x7ee0000n, type: 1 },
      { addr: 0xfffc0000n, size: 0x40000n, type: 2 },
      { addr: 0x100000000n, size: 0x40000000n, type: 1 },
    ];
    const zp = encodeBootParams({
      fields: { acpi_rsdp_addr: 0xf5a30n, ext_ramdisk_image: 1, ext_ramdisk_size: 2, ext_cmd_line_ptr: 3, secure_boot: 2, tboot_addr: 0x80000n },
      screen_info: { orig_video_isVGA: 0x70, lfb_width: 1024, lfb_height: 768, lfb_depth: 32, lfb_base: 0x80000000, ext_lfb_base: 1 },
      efi_info: { efi_loader_signature: 0x34364c45, efi_systab: 0x7f9ee018, efi_memmap_hi: 1 },
      hdr: { type_of_loader: 0xff, cmd_line_ptr: 0x20000, loadflags: 0x81 },
      e820_table: e820,
    });
    const back = readBootParams(zp, 'zp');
    expect(back.e820_table).toEqual(e820);
    expect(back.fields.e820_entries).toBe(5);
    expect(back.fields.acpi_rsdp_addr).toBe(0xf5a30n);
    expect(back.screen_info.lfb_width).toBe(1024);
    expect(back.efi_info.efi_systab).toBe(0x7f9ee018);
    expect(back.hdr.cmd_line_ptr).toBe(0x20000);
    const v = new DataView(zp.buffer);
    // 0x070 acpi_rsdp_addr, 0x1e8 e820_entries, 0x2d0 + 20*i entries, 0x228 hdr.cmd_line_ptr
    expect(v.getBigUint64(0x70, true)).toBe(0xf5a30n);
    expect(zp[0x1e8]).toBe(5);
    expect(v.getBigUint64(0x2d0 + 20 * 4, true)).toBe(0x100000000n);
    expect(v.getUint32(0x2d0 + 20 * 4 + 16, true)).toBe(1);
    expect(v.getUint32(0x228, true)).toBe(0x20000);
  });
  it('writeBootParams leaves other bytes untouched', () => {
    const zp = new Uint8Array(0x1000).fill(0xee);
    writeBootParams(new DataView(zp.buffer), 0, { fields: { acpi_rsdp_addr: 1n } });
    expect(zp[0x6f]).toBe(0xee);
    expect(zp[0x78]).toBe(0xee);
  });
  it('malformed zero pages give BzImageError', () => {
    const zp = encodeBootParams({});
    zp[0x1e8] = 129;
    expect(() => readBootParams(zp, 'zp')).toThrow(BzImageError);
    try {
      readBootParams(zp, 'zp');
    } catch (e) {
      expect([(e as BzImageError).offset, (e as BzImageError).field]).toEqual([0x1e8, 'boot_params.e820_entries']);
    }
    expect(() => readBootParams(zp.slice(0, 0x800), 'zp')).toThrow(BzImageError);
  });
});

describe('arm64 Image header', () => {
  it('round-trips; file(1) recognises what we write, with the flags we set', () => {
    const header = encodeArm64ImageHeader({
      code0: 0x91005a4d, // "MZ" + add x13, x18, #0x16 (EFI-stub convention)
      code1: 0x14000000 | 0x1000, // b to the real entry
      text_offset: 0n,
      image_size: 0x200000n,
      flags: 0b1010n, // LE, 4K pages, anywhere
      res5: 0x40,
    });
    const bytes = new Uint8Array(0x1000);
    bytes.set(header);
    const info = readArm64ImageHeader(bytes, 'Image');
    expect(info.header.image_size).toBe(0x200000n);
    expect([info.bigEndian, info.pageSize, info.physAnywhere, info.peOffset]).toEqual([false, '4K', true, 0x40]);
    expect(Buffer.from(bytes.subarray(0x38, 0x3c)).toString('latin1')).toBe('ARM\x64');
    expect(Arm64ImageHeader.size).toBe(64);
    const path = join(DIR, 'Image');
    writeFileSync(path, bytes);
    expect(run('file', ['-b', path])).toMatch(/Linux kernel ARM64 boot executable Image, little-endian, 4K pages/);
  });
  it('bad magic and truncation give Arm64ImageError', () => {
    const bytes = encodeArm64ImageHeader({});
    bytes[0x38] = 0;
    for (const [b, offset] of [[bytes, 0x38], [bytes.slice(0, 40), 40]] as const) {
      try {
        readArm64ImageHeader(b, 'Image');
        throw new Error('expected Arm64ImageError');
      } catch (e) {
        expect(e).toBeInstanceOf(Arm64ImageError);
        expect((e as Arm64ImageError).offset).toBe(offset);
      }
    }
  });
});
