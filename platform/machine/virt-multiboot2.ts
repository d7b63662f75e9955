/**
 * The Multiboot2 path on the virt board: the built-in Multiboot2 loader in its AArch64 form, as NOVA's
 * specification defines the aarch64 launch: the kernel image placed by its header (address tag, else ELF
 * segments; relocatable tag honoured), modules and the information structure in free RAM, then entry at
 * EL2 (EL1 without virtualization) with the MMU off, DAIF masked, X0 = 0x36d76289, X1 = the information.
 *
 * Multiboot2 has no devicetree tag; like the aarch64 test loader (test/image-aarch64/mb2-loader) the board's
 * devicetree goes as a module with the string "dtb" after the user's modules. Tag order and the memory map
 * come from the shared pieces of boot/multiboot2 (GRUB's order; all RAM available, as GRUB reports it).
 *
 * Placement: the image goes to its address tag's load address when that range is free RAM, otherwise the
 * relocatable tag's rules pick the base; modules and the information go to the lowest free 4 KiB aligned RAM.
 */
import { basename } from 'node:path';
import { hex } from '../../common/struct.js';
import type { Arm64EntryState } from '../../boot/bzimage/arm64-loader.js';
import { memoryMapFromBoard } from '../../boot/firmware/board-memory.js';
import { EFI_PAGE_SIZE, findFreeChunk } from '../../boot/firmware/memory-map.js';
import { EfiLoaderData } from '../../boot/firmware/memory-types.js';
import { FirmwareTrace, traceHex } from '../../boot/firmware/trace.js';
import { Multiboot2Error } from '../../boot/multiboot2/errors.js';
import { ADDRESS, ENTRY_ADDRESS, MULTIBOOT2_BOOTLOADER_MAGIC, RELOCATABLE, findMultiboot2Header, type Mb2HeaderTag, type Multiboot2Header } from '../../boot/multiboot2/header.js';
import { encodeMultiboot2Info } from '../../boot/multiboot2/info.js';
import { placeElfKernel, placeRawKernel, type PlacedKernel } from '../../boot/multiboot2/loader-image.js';
import { checkHeaderTags } from '../../boot/multiboot2/loader.js';
import { mbiTags, type MbiFacts } from '../../boot/multiboot2/loader-mbi.js';
import type { PhysicalBus } from '../memory/bus.js';
import type { VirtBoard } from '../boards/virt/board.js';

/** Tag-3 string of the devicetree module (what the aarch64 test loader passes). */
export const DTB_MODULE_STRING = 'dtb';
/** Multiboot2 addresses are 32-bit: everything goes below 4 GiB. */
const FOUR_GIB = 0x1_0000_0000;

export interface VirtMultiboot2Options {
  readonly bus: PhysicalBus;
  readonly board: VirtBoard;
  readonly image: Uint8Array;
  readonly file: string;
  readonly commandLine: string;
  readonly modules: ReadonlyArray<{ readonly file: string; readonly bytes: Uint8Array }>;
  readonly deviceTree: Uint8Array;
  readonly bootLoaderName: string;
  readonly trace?: FirmwareTrace;
}

export interface VirtMultiboot2Result {
  readonly header: Multiboot2Header;
  readonly kernel: PlacedKernel;
  readonly modules: ReadonlyArray<{ start: number; end: number; string: string }>;
  readonly mbi: { readonly address: number; readonly size: number };
  readonly entry: Arm64EntryState;
}

type Tag<T extends number> = Extract<Mb2HeaderTag, { type: T }>;
function findTag<T extends Mb2HeaderTag['type']>(h: Multiboot2Header, type: T): Tag<T> | undefined {
  return h.tags.find((t) => t.type === type) as Tag<T> | undefined;
}

export function loadVirtMultiboot2(o: VirtMultiboot2Options): VirtMultiboot2Result {
  const { bus, board, image, file } = o;
  const trace = o.trace ?? new FirmwareTrace();
  const header = findMultiboot2Header(image, file);
  if (!header) throw new Multiboot2Error(file, 0, 'multiboot2_header', 'no Multiboot2 header in the first 32 KiB');
  checkHeaderTags(header, file);
  const addr = findTag(header, ADDRESS);
  const entryTag = findTag(header, ENTRY_ADDRESS);
  const rel = findTag(header, RELOCATABLE);
  if (addr && !entryTag) throw new Multiboot2Error(file, header.offsets[header.tags.indexOf(addr)]!, 'multiboot2_header_tag_address', 'load address tag without entry address tag');

  const memory = memoryMapFromBoard(board);
  let kernel: PlacedKernel;
  if (addr) {
    const loadAddr = addr.load_addr !== 0xffffffff ? addr.load_addr : addr.header_addr - header.offset;
    const span = (addr.bss_end_addr || addr.load_end_addr || loadAddr + image.length) - loadAddr;
    kernel = placeRawKernel(bus, memory, image, file, header, addr, memory.isFree(loadAddr, Math.max(span, 1)) ? undefined : rel);
  } else {
    kernel = placeElfKernel(bus, memory, image, file, header, rel);
  }
  trace.record('load', 'multiboot2-kernel', { file, kind: kernel.kind, linkBase: traceHex(kernel.linkBase), loadBase: traceHex(kernel.loadBase), size: traceHex(kernel.size) });
  let entry = entryTag?.entry_addr ?? kernel.elfEntry;
  if (entry === undefined) throw new Multiboot2Error(file, header.offset, 'entry', 'no entry address');
  entry += kernel.loadBase - kernel.linkBase;

  const place = (what: string, bytes: Uint8Array, string: string) => {
    const size = Math.max(bytes.length, 1);
    const start = findFreeChunk(memory, size, board.ram[0]!.base, FOUR_GIB - 1, EFI_PAGE_SIZE, 'low');
    if (start === undefined) throw new Multiboot2Error(what, 0, 'module', `no free RAM below 4 GiB for ${hex(bytes.length)} bytes`);
    memory.claim(start, size, EfiLoaderData);
    bus.writeBytes(start, bytes);
    trace.record('load', 'multiboot2-module', { string, start: traceHex(start), size: bytes.length });
    return { start, end: start + bytes.length, string };
  };
  const modules = [...o.modules.map((m) => place(m.file, m.bytes, basename(m.file))), place(`${file} (devicetree)`, o.deviceTree, DTB_MODULE_STRING)];

  const facts: MbiFacts = {
    loadBase: kernel.loadBase,
    commandLine: o.commandLine,
    bootLoaderName: o.bootLoaderName,
    modules,
    memoryMap: [],
    sections: kernel.sections,
    keepBootServices: false,
  };
  // Room first (the memory map it describes includes its own allocation), then the final contents.
  const estimate = encodeMultiboot2Info(mbiTags({ ...facts, memoryMap: memory.toE820() })).length + 64;
  const mbiAt = findFreeChunk(memory, estimate, board.ram[0]!.base, FOUR_GIB - 1, 8, 'low');
  if (mbiAt === undefined) throw new Multiboot2Error(file, 0, 'multiboot2 information', `no free RAM for ${estimate} bytes`);
  memory.claim(mbiAt, estimate, EfiLoaderData);
  const tags = mbiTags({ ...facts, memoryMap: memory.toE820() });
  const mbi = encodeMultiboot2Info(tags);
  if (mbi.length > estimate) throw new Multiboot2Error(file, 0, 'multiboot2 information', `grew to ${mbi.length} bytes beyond the ${estimate} reserved`);
  bus.writeBytes(mbiAt, mbi);
  trace.record('load', 'multiboot2-info', { address: traceHex(mbiAt), size: mbi.length, tags: tags.map((t) => t.type) });

  const el = board.virtualization ? 2 : 1;
  trace.record('start', 'multiboot2-entry', { entry: traceHex(entry), el, x0: traceHex(MULTIBOOT2_BOOTLOADER_MAGIC), x1: traceHex(mbiAt), mmu: 'off' });
  return { header, kernel, modules, mbi: { address: mbiAt, size: mbi.length }, entry: { pc: entry, el, x: [MULTIBOOT2_BOOTLOADER_MAGIC, mbiAt, 0, 0] } };
}
