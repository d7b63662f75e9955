import { describe, expect, it } from 'vitest';
import { viewOf } from '../../common/struct.js';
import { installAcpiTables } from '../../boot/firmware/acpi.js';
import { read64 } from '../../boot/firmware/cpu.js';
import { BOOT_CS, BOOT_DS, loadBzImage } from '../../boot/bzimage/loader.js';
import { readBootParams } from '../../boot/bzimage/boot-params.js';
import { SETUP_HEADER_OFFSET, readSetupHeader, setupHeaderBytes } from '../../boot/bzimage/setup-header.js';
import { BzImageError } from '../../boot/bzimage/errors.js';
import { buildPcAcpiTables } from '../../platform/acpi/pc-tables.js';
import { buildArtefact, machine, MiB } from './helpers.js';

const IMAGE = 'build/nova-x86_64.img';

function boot(opts: { entry?: 'auto' | '32'; initrd?: Uint8Array; commandLine?: string; memory?: number } = {}) {
  const m = machine(opts.memory ?? 256 * MiB);
  const acpi = buildPcAcpiTables(m.board);
  installAcpiTables(m.bus, m.memory, acpi);
  const image = buildArtefact(IMAGE);
  const r = loadBzImage({ bus: m.bus, memory: m.memory, image, file: IMAGE, commandLine: opts.commandLine ?? 'console=ttyS0 nova', initrd: opts.initrd, rsdpAddress: acpi.rsdpAddress, typeOfLoader: 0xb0, entry: opts.entry });
  const zp = readBootParams(m.bus.readBytes(r.bootParams, 4096), 'zero page');
  return { m, acpi, image, r, zp };
}

describe('Linux boot protocol loader (bzImage)', () => {
  it('loads the protected-mode part at pref_address (1 MiB) byte for byte', () => {
    const { m, image, r } = boot();
    const h = readSetupHeader(image, IMAGE).header;
    const pmOffset = (h.setup_sects + 1) * 512;
    expect(r.loadAddress).toBe(Number(h.pref_address));
    expect(r.loadAddress).toBe(0x100000);
    expect(Buffer.compare(m.bus.readBytes(0x100000, image.length - pmOffset), image.subarray(pmOffset))).toBe(0);
    expect(r.reservedSize).toBe(Math.max(image.length - pmOffset, h.init_size));
  });

  it('zero page: the image\'s setup header, then what the loader fills in (boot.rst)', () => {
    const { m, image, r, zp, acpi } = boot();
    const original = setupHeaderBytes(image);
    const copied = m.bus.readBytes(r.bootParams + SETUP_HEADER_OFFSET, original.length);
    const h = readSetupHeader(image, IMAGE).header;
    // Every header field equals the image's except the fields a loader writes (boot.rst, "Details of header fields").
    const written = new Set(['type_of_loader', 'code32_start', 'cmd_line_ptr', 'ramdisk_image', 'ramdisk_size']);
    for (const [name, value] of Object.entries(zp.hdr)) {
      if (!written.has(name)) expect([name, value]).toEqual([name, (h as Record<string, unknown>)[name]]);
    }
    // The copy runs from 0x1f1 to 0x202 + the jump displacement at 0x201 (the header's end), capped at 0x26c.
    expect(original.length).toBe(Math.min(0x26c, 0x202 + image[0x201]!) - 0x1f1);
    expect(Buffer.compare(copied.subarray(0, 0x210 - 0x1f1), original.subarray(0, 0x210 - 0x1f1))).toBe(0);
    expect(zp.hdr.type_of_loader).toBe(0xb0);
    expect(zp.hdr.code32_start).toBe(0x100000);
    expect(zp.hdr.ramdisk_image).toBe(0);
    const cmd = m.bus.readBytes(zp.hdr.cmd_line_ptr, 32);
    expect(Buffer.from(cmd.subarray(0, cmd.indexOf(0))).toString()).toBe('console=ttyS0 nova');
    expect(zp.hdr.cmd_line_ptr + 'console=ttyS0 nova'.length).toBeLessThan(0xa0000); // below the EBDA like QEMU's 0x20000
    expect(zp.fields.acpi_rsdp_addr).toBe(BigInt(acpi.rsdpAddress)); // protocol 2.14+
    // e820 from the memory map: sorted, non-overlapping, RAM below and above 1 MiB, ACPI tables not usable.
    expect(zp.e820_table.length).toBe(zp.fields.e820_entries);
    expect(zp.e820_table[0]).toEqual({ addr: 0n, size: 0x9f000n, type: 1 });
    const last = zp.e820_table.at(-1)!;
    expect(last.addr + last.size).toBe(BigInt(256 * MiB));
    for (let i = 1; i < zp.e820_table.length; i++) expect(zp.e820_table[i]!.addr).toBe(zp.e820_table[i - 1]!.addr + zp.e820_table[i - 1]!.size);
    const acpiEntry = zp.e820_table.find((e) => BigInt(acpi.rsdpAddress) >= e.addr && BigInt(acpi.rsdpAddress) < e.addr + e.size)!;
    expect(acpiEntry.type).not.toBe(1);
    expect(zp.fields.alt_mem_k).toBe((256 * MiB - MiB) / 1024);
    expect(zp.screen_info.ext_mem_k).toBe(0xfc00); // capped at 64 MiB - 1 MiB as the BIOS's INT 15h AH=88h
  });

  it('64-bit entry: load address + 0x200, long mode, RSI = boot_params, __BOOT_CS 64-bit code, identity map', () => {
    const { m, r } = boot();
    const s = r.entry;
    expect(r.entryKind).toBe('64-bit');
    expect(s.rip).toBe(0x100200);
    expect(s.regs.rsi).toBe(r.bootParams);
    expect(s.segments).toEqual({ cs: BOOT_CS, ds: BOOT_DS });
    const cs = read64(m.bus, s.gdt.base + 0x10);
    expect([(cs >> 53n) & 1n, (cs >> 54n) & 1n]).toEqual([1n, 0n]); // L=1, D=0
    expect((s.cr0 & 0x80000001) >>> 0).toBe(0x80000001);
    expect(s.efer & 0x500).toBe(0x500);
    // boot.rst: the kernel, the zero page and the command line must be identity-mapped.
    for (const va of [0x100000, 0x100200, r.bootParams, r.commandLine.address, 256 * MiB - 0x200000]) {
      const pml4e = read64(m.bus, s.cr3);
      const pdpte = read64(m.bus, Number(pml4e & 0xffffffffff000n) + 8 * Math.floor(va / 2 ** 30));
      const pde = read64(m.bus, Number(pdpte & 0xffffffffff000n) + 8 * (Math.floor(va / 2 ** 21) & 511));
      expect(Number(pde & 0xfffffffe00000n)).toBe(va - (va % 0x200000));
      expect(pde & 0x83n).toBe(0x83n);
    }
  });

  it('32-bit entry: code32_start, flat protected mode, ESI = boot_params, EBP = EDI = EBX = 0', () => {
    const { m, r } = boot({ entry: '32' });
    expect(r.entryKind).toBe('32-bit');
    expect(r.entry).toMatchObject({ mode: 'protected32', rip: 0x100000, regs: { rsi: r.bootParams, rbp: 0, rdi: 0, rbx: 0 }, cr3: 0, efer: 0 });
    const cs = read64(m.bus, r.entry.gdt.base + 0x10);
    expect(cs).toBe(0x00cf9b000000ffffn); // flat 4 GiB execute/read, accessed, G=1, D=1
    expect(read64(m.bus, r.entry.gdt.base + 0x18)).toBe(0x00cf93000000ffffn); // flat read/write data
  });

  it('initrd at the top of RAM below initrd_addr_max, page aligned, recorded in ramdisk_image/size', () => {
    const initrd = new Uint8Array(100_000).map((_, i) => i & 0xff);
    const { m, r, zp, image } = boot({ initrd, memory: 128 * MiB });
    const max = readSetupHeader(image, IMAGE).header.initrd_addr_max;
    expect(r.initrd!.address % 4096).toBe(0);
    expect(r.initrd!.address + initrd.length).toBeLessThanOrEqual(Math.min(max + 1, 128 * MiB));
    expect(r.initrd!.address).toBeGreaterThan(128 * MiB - 0x100000); // at the top, as QEMU and GRUB put it
    expect([zp.hdr.ramdisk_image, zp.hdr.ramdisk_size]).toEqual([r.initrd!.address, initrd.length]);
    expect(Buffer.compare(m.bus.readBytes(r.initrd!.address, initrd.length), initrd)).toBe(0);
  });

  it('refuses a command line longer than cmdline_size and images that are not bzImages, with typed errors', () => {
    const { image } = boot();
    const h = readSetupHeader(image, IMAGE).header;
    const m = machine();
    expect(() => loadBzImage({ bus: m.bus, memory: m.memory, image, file: IMAGE, commandLine: 'x'.repeat(h.cmdline_size + 1) })).toThrow(/setup_header\.cmdline_size: the command line has/);
    const noFlag = image.slice();
    viewOf(noFlag).setUint16(0x1fe, 0, true);
    expect(() => loadBzImage({ bus: m.bus, memory: m.memory, image: noFlag, file: 'x.img', commandLine: '' })).toThrow(BzImageError);
    const old = image.slice();
    viewOf(old).setUint8(0x211, 0); // LOADED_HIGH clear: a zImage
    expect(() => loadBzImage({ bus: m.bus, memory: m.memory, image: old, file: 'z.img', commandLine: '' })).toThrow(/z\.img: offset 0x211: setup_header\.loadflags: LOADED_HIGH is clear/);
  });
});
