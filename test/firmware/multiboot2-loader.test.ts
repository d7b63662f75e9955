import { describe, expect, it } from 'vitest';
import { viewOf } from '../../common/struct.js';
import { FormatError } from '../../common/errors.js';
import { installAcpiTables } from '../../boot/firmware/acpi.js';
import { read64 } from '../../boot/firmware/cpu.js';
import { loadMultiboot2 } from '../../boot/multiboot2/loader.js';
import { MULTIBOOT2_HEADER_MAGIC, encodeMultiboot2Header, ADDRESS, ENTRY_ADDRESS, INFORMATION_REQUEST, ARCH_I386 } from '../../boot/multiboot2/header.js';
import { readMultiboot2Info, type InfoTagOf, type Multiboot2Info } from '../../boot/multiboot2/info.js';
import { MemoryDescriptor, SystemTable } from '../../boot/uefi/firmware/tables.js';
import { buildPcAcpiTables } from '../../platform/acpi/pc-tables.js';
import { readelf } from '../boot/helpers/readelf.js';
import { buildArtefact, machine, MiB } from './helpers.js';
import { uefiRig } from './uefi-setup.js';

const KERNEL = 'build/kernel/x86_64/kernel.elf';
const KERNEL_KEEPBS = 'build/kernel/x86_64/kernel-keepbs.elf';
const ROOT = 'build/kernel/x86_64/root.elf';
const IMAGE = 'build/nova-x86_64.img';
const MAGIC = 0x36d76289;

function mbi(bus: { readBytes(a: number, n: number): Uint8Array; read32(a: number): number }, at: number): Multiboot2Info {
  return readMultiboot2Info(bus.readBytes(at, bus.read32(at)), 'mbi');
}
const tag = <T extends number>(info: Multiboot2Info, type: T) => info.tags.find((t) => t.type === type) as InfoTagOf<T & Parameters<typeof Object>[0]> | undefined;

describe('Multiboot2 loader, BIOS flavour (GRUB i386-pc)', () => {
  const m = machine(256 * MiB);
  const acpi = buildPcAcpiTables(m.board);
  const rsdp = installAcpiTables(m.bus, m.memory, acpi);
  const kernel = buildArtefact(KERNEL);
  const root = buildArtefact(ROOT);
  const text = new Uint8Array(Buffer.from('hello module\n'));
  const r = loadMultiboot2({
    bus: m.bus,
    memory: m.memory,
    image: kernel,
    file: KERNEL,
    commandLine: '/boot/kernel.elf serial',
    modules: [{ bytes: root, string: 'root.elf' }, { bytes: text, string: 'text arg' }],
    bootLoaderName: 'GRUB 2.06-13+deb12u1',
    rsdp,
  });
  const ref = readelf(KERNEL);
  const info = mbi(m.bus, r.mbi.address);

  it('places PT_LOAD segments at p_paddr shifted as one block by the relocatable tag (preference high, 2 MiB aligned)', () => {
    const loads = ref.segments.filter((s) => s.type === 'LOAD');
    const linkBase = Number(loads[0]!.paddr);
    const end = Math.max(...loads.map((s) => Number(s.paddr + s.memsz)));
    // Header: relocatable min 2 MiB, max 4 GiB - 1, align 2 MiB, prefer high; 256 MiB RAM.
    const expectedBase = Math.floor((256 * MiB - (end - linkBase)) / (2 * MiB)) * 2 * MiB;
    expect(r.kernel.loadBase).toBe(expectedBase);
    expect(r.kernel.relocated).toBe(true);
    for (const s of loads) {
      const at = Number(s.paddr) - linkBase + expectedBase;
      expect(Buffer.compare(m.bus.readBytes(at, Number(s.filesz)), kernel.subarray(Number(s.offset), Number(s.offset + s.filesz)))).toBe(0);
      expect(m.bus.readBytes(at + Number(s.filesz), Number(s.memsz - s.filesz)).every((b) => b === 0)).toBe(true);
    }
    const entry = Number(BigInt(ref.header['Entry point address']!));
    expect(r.entry.rip).toBe(entry - linkBase + expectedBase);
  });

  it('builds the information structure in GRUB\'s tag order with GRUB\'s contents', () => {
    // multiboot_mbi2.c: 21, 1, 2, 3..., 6, 9, 4 (no boot services kept), 14, 15 (no framebuffer, EFI, SMBIOS here).
    expect(info.tags.map((t) => t.type)).toEqual([21, 1, 2, 3, 3, 6, 9, 4, 14, 15]);
    expect(info.totalSize).toBe(r.mbi.size);
    expect(r.mbi.address % 8).toBe(0);
    expect(tag(info, 21)).toMatchObject({ load_base_addr: r.kernel.loadBase });
    expect(tag(info, 1)).toMatchObject({ string: '/boot/kernel.elf serial' });
    expect(tag(info, 2)).toMatchObject({ string: 'GRUB 2.06-13+deb12u1' });
    const mods = info.tags.filter((t) => t.type === 3) as Array<InfoTagOf<3>>;
    expect(mods.map((t) => t.string)).toEqual(['root.elf', 'text arg']);
    for (const [i, t] of mods.entries()) {
      const bytes = i === 0 ? root : text;
      expect(t.mod_start % 4096).toBe(0); // GRUB page-aligns modules
      expect(t.mod_end - t.mod_start).toBe(bytes.length);
      expect(Buffer.compare(m.bus.readBytes(t.mod_start, bytes.length), bytes)).toBe(0);
    }
    const mmap = tag(info, 6) as InfoTagOf<6>;
    expect([mmap.entry_size, mmap.entry_version]).toEqual([24, 0]);
    expect(mmap.entries.map((e) => [Number(e.addr), Number(e.len), e.type])).toEqual(m.memory.toE820().map((e) => [e.addr, e.size, e.type]));
    // Conventional memory ends at the EBDA page; extended memory runs from 1 MiB to the end of RAM.
    expect(tag(info, 4)).toMatchObject({ mem_lower: 0x9f000 / 1024, mem_upper: (256 * MiB - MiB) / 1024 });
    const acpiOld = tag(info, 14) as InfoTagOf<14>;
    expect(Buffer.from(acpiOld.rsdp.subarray(0, 8)).toString()).toBe('RSD PTR ');
    expect(acpiOld.rsdp.length).toBe(20);
    expect((tag(info, 15) as InfoTagOf<15>).rsdp.length).toBe(36);
  });

  it('tag 9 carries the section headers; unallocated sections (symbols, strings) are loaded and given addresses', () => {
    const t = tag(info, 9) as InfoTagOf<9>;
    expect(t.num).toBe(ref.sections.length);
    expect(t.entsize).toBe(64);
    expect(t.shndx).toBe(Number(ref.header['Section header string table index']));
    const strtab = ref.sections.find((s) => s.name === '.strtab')!;
    const addr = new DataView(t.sections.buffer, t.sections.byteOffset).getBigUint64(strtab.index * 64 + 0x10, true);
    expect(addr).not.toBe(0n);
    expect(Buffer.compare(m.bus.readBytes(Number(addr), Number(strtab.size)), kernel.subarray(Number(strtab.offset), Number(strtab.offset + strtab.size)))).toBe(0);
  });

  it('enters like GRUB: 32-bit protected mode, paging off, EAX magic, EBX MBI, ECX = EDX = 0, ESP 0x7ff00', () => {
    const s = r.entry;
    expect(s.mode).toBe('protected32');
    expect(s.regs).toEqual({ rax: MAGIC, rbx: r.mbi.address, rcx: 0, rdx: 0, rsp: 0x7ff00 });
    expect(s.cr0 & 0x80000001).toBe(1); // PE set, PG clear
    expect(s.efer).toBe(0);
    expect(s.rflags & 0x200).toBe(0); // IF clear
    const cs = read64(m.bus, s.gdt.base + s.segments.cs);
    // flat 32-bit code: base 0, limit 0xfffff, G=1, D=1, L=0, type execute/read
    expect(cs & 0xffff00000000ffffn).toBe(0x00cf00000000ffffn);
    expect([(cs >> 54n) & 1n, (cs >> 53n) & 1n, (cs >> 43n) & 1n]).toEqual([1n, 0n, 1n]);
  });

  it('loads the mono-image through its address and entry tags (raw image at 1 MiB from file offset S)', () => {
    const mm = machine(128 * MiB);
    const img = buildArtefact(IMAGE);
    const res = loadMultiboot2({ bus: mm.bus, memory: mm.memory, image: img, file: IMAGE, commandLine: '' });
    expect(res.kernel.kind).toBe('raw');
    const seg = res.kernel.segments[0]!;
    // loader/README.md: header_addr 0x100080, load_addr 0x100000, load_end 0 (whole file), entry 0x100040.
    expect([seg.loadAddress, seg.fileOffset, seg.fileSize]).toEqual([0x100000, 0x1000, img.length - 0x1000]);
    expect(Buffer.compare(mm.bus.readBytes(0x100000, seg.fileSize), img.subarray(0x1000))).toBe(0);
    expect(res.entry.rip).toBe(0x100040);
    expect(res.keepBootServices).toBe(false); // tag 7 means nothing to the BIOS GRUB
  });
});

describe('Multiboot2 loader, EFI flavour (GRUB x86_64-efi)', () => {
  it('kernel with tag 7 and no tag 9: boot services kept, tags 12/18/20, 64-bit entry at e_entry', () => {
    const rig = uefiRig();
    const rsdp = rig.bus.readBytes(rig.acpi.rsdpAddress, 36);
    const imageHandle = rig.fw.installLoaderImage();
    const smbios = rig.bus.readBytes(rig.fw.smbiosEntryPoint, 24);
    const r = loadMultiboot2({ bus: rig.bus, memory: rig.memory, image: buildArtefact(KERNEL_KEEPBS), file: KERNEL_KEEPBS, commandLine: 'k', rsdp, smbios, efi: { firmware: rig.fw, imageHandle } });
    const info = mbi(rig.bus, r.mbi.address);
    expect(info.tags.map((t) => t.type)).toEqual([21, 1, 2, 6, 9, 12, 14, 15, 13, 18, 20]);
    expect(tag(info, 12)).toMatchObject({ pointer: BigInt(rig.fw.systemTable) });
    expect(tag(info, 20)).toMatchObject({ pointer: BigInt(imageHandle) });
    const t13 = tag(info, 13) as InfoTagOf<13>;
    expect([t13.major, t13.minor, Buffer.from(t13.tables.subarray(0, 5)).toString()]).toEqual([3, 0, '_SM3_']);
    expect(r.entry.mode).toBe('long64');
    const ref = readelf(KERNEL_KEEPBS);
    const entry = Number(BigInt(ref.header['Entry point address']!));
    expect(r.entry.rip).toBe(entry + r.kernel.loadBase - r.kernel.linkBase);
    expect(r.entry.regs).toMatchObject({ rax: MAGIC, rbx: r.mbi.address, rcx: 0, rdx: 0 });
    // Boot services are alive: the system table still points at them.
    expect(read64(rig.bus, rig.fw.systemTable + SystemTable.offsetOf('BootServices'))).toBe(BigInt(rig.fw.bootServices));
    expect(rig.fw.ctx.exited).toBe(false);
  });

  it('kernel without tag 7: the loader exits boot services, passes the final EFI memory map in tag 17, enters in 32-bit mode', () => {
    const rig = uefiRig();
    const imageHandle = rig.fw.installLoaderImage();
    const r = loadMultiboot2({ bus: rig.bus, memory: rig.memory, image: buildArtefact(KERNEL), file: KERNEL, commandLine: 'k', efi: { firmware: rig.fw, imageHandle } });
    const info = mbi(rig.bus, r.mbi.address);
    expect(info.tags.map((t) => t.type)).toEqual([21, 1, 2, 6, 9, 4, 12, 17]);
    expect(rig.fw.ctx.exited).toBe(true);
    const t17 = tag(info, 17) as InfoTagOf<17>;
    expect([t17.descr_size, t17.descr_vers]).toEqual([48, 1]);
    const descs = Array.from({ length: t17.efi_mmap.length / 48 }, (_, i) => MemoryDescriptor.read(viewOf(t17.efi_mmap), 48 * i));
    // The map is the final one: it covers the MBI itself as loader data.
    const covering = descs.find((d) => BigInt(r.mbi.address) >= d.PhysicalStart && BigInt(r.mbi.address) < d.PhysicalStart + 4096n * d.NumberOfPages);
    expect(covering?.Type).toBe(2);
    expect(rig.fw.trace.events.filter((e) => e.kind === 'exit-boot-services').map((e) => e.data.outcome)).toEqual(['EFI_SUCCESS']);
    expect(r.entry.mode).toBe('protected32');
  });

  it('mono-image with tags 7 + 9: enters the EFI amd64 entry (0x100240) in long mode', () => {
    const rig = uefiRig();
    const r = loadMultiboot2({ bus: rig.bus, memory: rig.memory, image: buildArtefact(IMAGE), file: IMAGE, commandLine: '', efi: { firmware: rig.fw, imageHandle: rig.fw.installLoaderImage() } });
    expect([r.entry.mode, r.entry.rip, r.keepBootServices]).toEqual(['long64', 0x100240, true]);
  });
});

describe('Multiboot2 loader refuses what GRUB refuses', () => {
  /** A raw image: header with the given extra tag bytes spliced in before the end tag. */
  function image(extra: Uint8Array, tags = [{ type: ADDRESS, header_addr: 0x200000, load_addr: 0x200000, load_end_addr: 0, bss_end_addr: 0 }, { type: ENTRY_ADDRESS, entry_addr: 0x200000 }] as Parameters<typeof encodeMultiboot2Header>[1]) {
    const base = encodeMultiboot2Header(ARCH_I386, tags);
    const out = new Uint8Array(base.length + extra.length + 64);
    out.set(base.subarray(0, base.length - 8));
    out.set(extra, base.length - 8);
    out.set(base.subarray(base.length - 8), base.length - 8 + extra.length);
    const v = viewOf(out);
    const len = base.length + extra.length;
    v.setUint32(8, len, true);
    v.setUint32(12, (0x1_0000_0000 - ((MULTIBOOT2_HEADER_MAGIC + len) % 0x1_0000_0000)) % 0x1_0000_0000, true);
    return out;
  }
  // type 11, size 8; it lands after the 16-byte header, the 24-byte address tag and the 12-byte entry tag padded to 16: 0x38
  const unknownTag = (flags: number) => new Uint8Array([11, 0, flags, 0, 8, 0, 0, 0]);

  it('an unknown required tag, with the tag offset in the error', () => {
    const m = machine();
    expect(() => loadMultiboot2({ bus: m.bus, memory: m.memory, image: image(unknownTag(0)), file: 'bad.bin', commandLine: '' })).toThrow(
      /bad\.bin: offset 0x38: multiboot2_header_tag\.type: unsupported required tag 11/,
    );
    // The same tag flagged optional is ignored.
    expect(loadMultiboot2({ bus: m.bus, memory: m.memory, image: image(unknownTag(1)), file: 'ok.bin', commandLine: '' }).entry.rip).toBe(0x200000);
  });

  it('a required information request GRUB cannot satisfy; an address tag without an entry tag', () => {
    const m = machine();
    const req = image(new Uint8Array(0), [{ type: ADDRESS, header_addr: 0x200000, load_addr: 0x200000, load_end_addr: 0, bss_end_addr: 0 }, { type: ENTRY_ADDRESS, entry_addr: 0x200000 }, { type: INFORMATION_REQUEST, requests: [6, 99] }]);
    expect(() => loadMultiboot2({ bus: m.bus, memory: m.memory, image: req, file: 'req.bin', commandLine: '' })).toThrow(/required information tag 99 is not supported/);
    const noEntry = image(new Uint8Array(0), [{ type: ADDRESS, header_addr: 0x200000, load_addr: 0x200000, load_end_addr: 0, bss_end_addr: 0 }]);
    expect(() => loadMultiboot2({ bus: m.bus, memory: m.memory, image: noEntry, file: 'ne.bin', commandLine: '' })).toThrow(/load address tag without entry address tag/);
    expect(() => loadMultiboot2({ bus: m.bus, memory: m.memory, image: new Uint8Array(100), file: 'none.bin', commandLine: '' })).toThrow(FormatError);
  });

  it('a non-relocatable kernel whose segments are not free RAM', () => {
    const m = machine(16 * MiB);
    const img = image(new Uint8Array(0), [{ type: ADDRESS, header_addr: 0x2000000, load_addr: 0x2000000, load_end_addr: 0, bss_end_addr: 0 }, { type: ENTRY_ADDRESS, entry_addr: 0x2000000 }]);
    expect(() => loadMultiboot2({ bus: m.bus, memory: m.memory, image: img, file: 'high.bin', commandLine: '' })).toThrow(/is not free RAM and the kernel has no relocatable tag/);
  });
});
