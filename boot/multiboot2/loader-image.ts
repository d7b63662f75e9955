/**
 * Placing a Multiboot2 kernel in guest memory as GRUB's multiboot2 loader does (multiboot_mbi2.c,
 * multiboot_elfxx.c): from the address tag (raw image: file bytes from the header's offset, zero-filled bss)
 * or from the ELF program headers (PT_LOAD at p_paddr), in both cases optionally shifted as one block
 * when the relocatable tag allows it. Returns what went where.
 */
import { hex } from '../../common/struct.js';
import type { PhysicalBus } from '../../platform/memory/bus.js';
import { readElf } from '../elf/index.js';
import { EM_X86_64, EM_386, PT_LOAD, SHT_NOBITS } from '../elf/constants.js';
import type { ElfFile } from '../elf/types.js';
import { findFreeChunk, type FirmwareMemoryMap } from '../firmware/memory-map.js';
import { EfiLoaderData } from '../firmware/memory-types.js';
import { Multiboot2Error } from './errors.js';
import { ADDRESS, HEADER_TAG_TABLES, RELOCATABLE, RELOCATABLE_PREFERENCE, type Mb2HeaderTag, type Multiboot2Header } from './header.js';

export interface PlacedSegment {
  /** Program header index, or -1 for an address-tag image. */
  index: number;
  fileOffset: number;
  /** Where the bytes were linked to go (p_paddr / load_addr) and where they went. */
  linkAddress: number;
  loadAddress: number;
  fileSize: number;
  memSize: number;
}

export interface PlacedKernel {
  kind: 'elf' | 'raw';
  elf?: ElfFile;
  segments: PlacedSegment[];
  linkBase: number;
  loadBase: number;
  /** Bytes from the lowest to the end of the highest segment (code_size in GRUB). */
  size: number;
  relocated: boolean;
  /** Entry from the ELF header translated to a physical address (ELF only, before relocation). */
  elfEntry?: number;
  /** Section headers for the ELF-sections tag (9), with GRUB's loading of unallocated sections applied. */
  sections: { num: number; entsize: number; shndx: number; bytes: Uint8Array };
}

type Relocatable = Extract<Mb2HeaderTag, { type: typeof RELOCATABLE }>;
type AddressTag = Extract<Mb2HeaderTag, { type: typeof ADDRESS }>;

const FOUR_GIB = 0x1_0000_0000;

function tagOffset(header: Multiboot2Header, type: number): number {
  const i = header.tags.findIndex((t) => t.type === type);
  return i < 0 ? header.offset : header.offsets[i]!;
}

/** Chooses the load base for `size` bytes linked at `linkBase`; refuses what GRUB's relocator would refuse. */
function chooseBase(memory: FirmwareMemoryMap, file: string, header: Multiboot2Header, linkBase: number, size: number, rel: Relocatable | undefined): number {
  if (!rel) {
    if (!memory.isFree(linkBase, size)) {
      throw new Multiboot2Error(file, header.offset, 'kernel load address', `${hex(linkBase)}..${hex(linkBase + size)} is not free RAM and the kernel has no relocatable tag`);
    }
    return linkBase;
  }
  const at = tagOffset(header, RELOCATABLE);
  if (size > rel.max_addr || rel.min_addr > rel.max_addr - size) {
    throw new Multiboot2Error(file, at, 'multiboot2_header_tag_relocatable', `invalid min/max address (${hex(rel.min_addr)}..${hex(rel.max_addr)}) for a ${hex(size)}-byte kernel`);
  }
  const prefer = rel.preference === RELOCATABLE_PREFERENCE.HIGH ? 'high' : 'low';
  const base = findFreeChunk(memory, size, rel.min_addr, rel.max_addr, rel.align || 1, prefer);
  if (base === undefined) {
    throw new Multiboot2Error(file, at, 'multiboot2_header_tag_relocatable', `no free ${hex(size)}-byte range aligned to ${hex(rel.align)} in ${hex(rel.min_addr)}..${hex(rel.max_addr)}`);
  }
  return base;
}

export function placeRawKernel(bus: PhysicalBus, memory: FirmwareMemoryMap, image: Uint8Array, file: string, header: Multiboot2Header, addr: AddressTag, rel: Relocatable | undefined): PlacedKernel {
  const at = tagOffset(header, ADDRESS);
  const T = HEADER_TAG_TABLES[ADDRESS];
  // load_addr 0xffffffff means "the header's file offset maps to header_addr" (Multiboot2 3.1.5).
  const loadAddr = addr.load_addr !== 0xffffffff ? addr.load_addr : addr.header_addr - header.offset;
  const offset = header.offset - (addr.header_addr - loadAddr);
  if (addr.header_addr < loadAddr || offset < 0) {
    throw new Multiboot2Error(file, at + T.offsetOf('header_addr'), 'multiboot2_header_tag_address.header_addr', `${hex(addr.header_addr)} puts the file start before offset 0 (load_addr ${hex(loadAddr)}, header at file offset ${hex(header.offset)})`);
  }
  const loadSize = addr.load_end_addr === 0 ? image.length - offset : addr.load_end_addr - loadAddr;
  if (loadSize <= 0 || offset + loadSize > image.length) {
    throw new Multiboot2Error(file, at + T.offsetOf('load_end_addr'), 'multiboot2_header_tag_address.load_end_addr', `${hex(addr.load_end_addr)} asks for ${hex(loadSize)} bytes from file offset ${hex(offset)}, the file has ${hex(image.length)}`);
  }
  if (addr.bss_end_addr !== 0 && addr.bss_end_addr < loadAddr + loadSize) {
    throw new Multiboot2Error(file, at + T.offsetOf('bss_end_addr'), 'multiboot2_header_tag_address.bss_end_addr', `${hex(addr.bss_end_addr)} ends before the loaded data (${hex(loadAddr + loadSize)})`);
  }
  const size = addr.bss_end_addr ? addr.bss_end_addr - loadAddr : loadSize;
  const base = chooseBase(memory, file, header, loadAddr, size, rel);
  memory.claim(base, size, EfiLoaderData);
  bus.writeBytes(base, image.subarray(offset, offset + loadSize));
  if (size > loadSize) bus.writeBytes(base + loadSize, new Uint8Array(size - loadSize));
  return {
    kind: 'raw',
    segments: [{ index: -1, fileOffset: offset, linkAddress: loadAddr, loadAddress: base, fileSize: loadSize, memSize: size }],
    linkBase: loadAddr,
    loadBase: base,
    size,
    relocated: rel !== undefined,
    sections: { num: 0, entsize: 0, shndx: 0, bytes: new Uint8Array(0) },
  };
}

export function placeElfKernel(bus: PhysicalBus, memory: FirmwareMemoryMap, image: Uint8Array, file: string, header: Multiboot2Header, rel: Relocatable | undefined): PlacedKernel {
  const elf = readElf(image, file);
  if (elf.header.machine !== (elf.header.class === 64 ? EM_X86_64 : EM_386)) {
    throw new Multiboot2Error(file, 0x12, 'e_machine', `${elf.header.machine} is not ${elf.header.class === 64 ? 'x86-64 (62)' : 'i386 (3)'}: GRUB refuses it as an invalid architecture`);
  }
  const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD && p.memsz > 0n);
  if (loads.length === 0) throw new Multiboot2Error(file, Number(elf.header.phoff), 'program headers', 'no PT_LOAD segment');
  for (const p of loads) {
    if (p.paddr + p.memsz > BigInt(FOUR_GIB)) {
      throw new Multiboot2Error(file, p.headerOffset, `PT_LOAD[${p.index}].p_paddr`, `segment ${hex(p.paddr)}+${hex(p.memsz)} ends above 4 GiB, where a Multiboot2 loader cannot put it`);
    }
    if (p.filesz > p.memsz || p.offset + p.filesz > BigInt(image.length)) {
      throw new Multiboot2Error(file, p.headerOffset, `PT_LOAD[${p.index}].p_filesz`, `${hex(p.filesz)} bytes at ${hex(p.offset)} exceed p_memsz or the file`);
    }
  }
  const linkBase = Number(loads.reduce((m, p) => (p.paddr < m ? p.paddr : m), loads[0]!.paddr));
  const end = Number(loads.reduce((m, p) => (p.paddr + p.memsz > m ? p.paddr + p.memsz : m), 0n));
  const size = end - linkBase;
  let base: number;
  if (rel) {
    base = chooseBase(memory, file, header, linkBase, size, rel);
    memory.claim(base, size, EfiLoaderData);
  } else {
    for (const p of loads) {
      if (!memory.isFree(Number(p.paddr), Number(p.memsz))) {
        throw new Multiboot2Error(file, p.headerOffset, `PT_LOAD[${p.index}].p_paddr`, `${hex(p.paddr)}..${hex(p.paddr + p.memsz)} is not free RAM and the kernel has no relocatable tag`);
      }
    }
    base = linkBase;
    for (const p of loads) memory.claim(Number(p.paddr), Number(p.memsz), EfiLoaderData);
  }
  const delta = base - linkBase;
  const segments: PlacedSegment[] = loads.map((p) => {
    const loadAddress = Number(p.paddr) + delta;
    const fileSize = Number(p.filesz);
    const memSize = Number(p.memsz);
    bus.writeBytes(loadAddress, image.subarray(Number(p.offset), Number(p.offset) + fileSize));
    if (memSize > fileSize) bus.writeBytes(loadAddress + fileSize, new Uint8Array(memSize - fileSize));
    return { index: p.index, fileOffset: Number(p.offset), linkAddress: Number(p.paddr), loadAddress, fileSize, memSize };
  });
  // GRUB translates e_entry through the segment whose virtual range holds it (entry is a virtual address).
  const entrySeg = loads.find((p) => elf.header.entry >= p.vaddr && elf.header.entry < p.vaddr + p.memsz);
  if (!entrySeg) throw new Multiboot2Error(file, 0x18, 'e_entry', `${hex(elf.header.entry)} is not inside any PT_LOAD segment`);
  const elfEntry = Number(elf.header.entry - entrySeg.vaddr + entrySeg.paddr);
  return { kind: 'elf', elf, segments, linkBase, loadBase: base, size, relocated: rel !== undefined, elfEntry, sections: loadSections(bus, memory, elf) };
}

/**
 * The section header table for tag 9. Like GRUB, sections that occupy file space but no address
 * (sh_addr 0: symbol and string tables) are loaded into free memory and their sh_addr set to it.
 */
function loadSections(bus: PhysicalBus, memory: FirmwareMemoryMap, elf: ElfFile): PlacedKernel['sections'] {
  const { shnum, shentsize, shstrndx, shoff } = elf.header;
  if (shnum === 0) return { num: 0, entsize: 0, shndx: 0, bytes: new Uint8Array(0) };
  const bytes = elf.bytes.slice(Number(shoff), Number(shoff) + shnum * shentsize);
  const view = new DataView(bytes.buffer);
  const is64 = elf.header.class === 64;
  for (const s of elf.sections) {
    if (s.index === 0 || s.addr !== 0n || s.size === 0n || s.type === SHT_NOBITS) continue;
    const size = Number(s.size);
    const at = findFreeChunk(memory, size, 0x100000, FOUR_GIB - 1, Math.max(1, Number(s.addralign)), 'low');
    if (at === undefined) continue;
    memory.claim(at, size, EfiLoaderData);
    bus.writeBytes(at, elf.bytes.subarray(Number(s.offset), Number(s.offset) + size));
    const addrField = s.index * shentsize + (is64 ? 0x10 : 0x0c);
    if (is64) view.setBigUint64(addrField, BigInt(at), true);
    else view.setUint32(addrField, at, true);
  }
  return { num: shnum, entsize: shentsize, shndx: shstrndx, bytes };
}
