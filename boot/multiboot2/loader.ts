/**
 * The Multiboot2 boot loader of the built-in firmware: GRUB's `multiboot2` + `module2` + `boot`.
 *
 * Follows GRUB 2.06 (grub-core/loader/multiboot_mbi2.c): header tags are checked (unknown required tags and
 * unsupported information requests are refused, an address tag needs an entry tag), the kernel is placed
 * from the address tag or the ELF program headers (relocatable tag honoured), modules are page-aligned,
 * the information structure is built in GRUB's tag order. Two flavours:
 *  - BIOS: entered in 32-bit protected mode, paging off, EAX = 0x36d76289, EBX = MBI, ECX = EDX = 0,
 *    ESP = 0x7ff00 (GRUB's MULTIBOOT2_INITIAL_STATE).
 *  - EFI (an UefiFirmware is given): when the kernel has tag 7, boot services stay alive, the MBI carries
 *    tags 12, 18, 20 and the kernel is entered in 64-bit mode in the firmware's environment (at the tag-9
 *    entry if present, else the normal entry, as GRUB's efi_boot does); otherwise the loader exits boot
 *    services, passes the final EFI memory map in tag 17 and enters in 32-bit protected mode.
 * Returns facts; everything is written through the bus.
 */
import { hex } from '../../common/struct.js';
import type { PhysicalBus } from '../../platform/memory/bus.js';
import { findFreeChunk, EFI_PAGE_SIZE, type FirmwareMemoryMap } from '../firmware/memory-map.js';
import { EfiLoaderData } from '../firmware/memory-types.js';
import { FirmwareTrace, traceHex } from '../firmware/trace.js';
import { modeRegisters, writeGdt, type X86EntryState } from '../firmware/x86-entry.js';
import type { UefiFirmware } from '../uefi/firmware/firmware.js';
import { Multiboot2Error } from './errors.js';
import {
  ADDRESS,
  ARCH_I386,
  CONSOLE_FLAGS,
  EFI_BS,
  ENTRY_ADDRESS,
  ENTRY_ADDRESS_EFI64,
  FRAMEBUFFER,
  HEADER_TAG_NAMES,
  INFORMATION_REQUEST,
  MODULE_ALIGN,
  MULTIBOOT2_BOOTLOADER_MAGIC,
  RELOCATABLE,
  findMultiboot2Header,
  type Mb2HeaderTag,
  type Multiboot2Header,
} from './header.js';
import { encodeMultiboot2Info, type Mb2InfoTag } from './info.js';
import { placeElfKernel, placeRawKernel, type PlacedKernel } from './loader-image.js';
import { mbiTags, type MbiFacts } from './loader-mbi.js';

export interface Multiboot2Module {
  bytes: Uint8Array;
  /** The tag-3 string (GRUB: what followed `module2` on its line). */
  string: string;
}

export interface Multiboot2LoadOptions {
  bus: PhysicalBus;
  memory: FirmwareMemoryMap;
  image: Uint8Array;
  file: string;
  /** Tag-1 string. GRUB passes the kernel's path followed by its arguments; pass what that should be. */
  commandLine: string;
  modules?: readonly Multiboot2Module[];
  /** Tag-2 string; GRUB's is its PACKAGE_STRING ("GRUB 2.06-13+deb12u1" on Debian 12). */
  bootLoaderName?: string;
  /** The RSDP as found in memory (BIOS scan or the ACPI configuration table); tags 14 and 15. */
  rsdp?: Uint8Array;
  /**
   * SMBIOS entry point bytes for tag 13. Omitted by default: Debian's GRUB 2.06 on OVMF emits no tag 13 (seen
   * in test/firmware/multiboot2-grub-diff.test.ts); pass the firmware's entry point to emit one.
   */
  smbios?: Uint8Array;
  /** Framebuffer tag 8 contents when the board has a display. */
  framebuffer?: MbiFacts['framebuffer'];
  /** Present: EFI flavour on this firmware (the image handle is GRUB's own, created for the purpose). */
  efi?: { firmware: UefiFirmware; imageHandle: number };
  trace?: FirmwareTrace;
}

export interface Multiboot2LoadResult {
  header: Multiboot2Header;
  flavour: 'bios' | 'efi';
  keepBootServices: boolean;
  kernel: PlacedKernel;
  modules: Array<{ start: number; end: number; string: string }>;
  mbi: { address: number; size: number; tags: Mb2InfoTag[] };
  entry: X86EntryState;
}

/** Information requests GRUB can satisfy (multiboot_mbi2.c); a required request for any other type is refused. */
export const SUPPORTED_INFO_REQUESTS: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
/** Header tags GRUB's x86_64 loader acts on; other tags are refused unless flagged optional. */
const KNOWN_HEADER_TAGS: ReadonlySet<number> = new Set([INFORMATION_REQUEST, ADDRESS, ENTRY_ADDRESS, ENTRY_ADDRESS_EFI64, CONSOLE_FLAGS, FRAMEBUFFER, RELOCATABLE, MODULE_ALIGN, EFI_BS]);

/** GRUB's relocator32 GDT: flat code at 0x10, flat data at 0x18. */
export const MB2_CODE32_SELECTOR = 0x10;
export const MB2_DATA_SELECTOR = 0x18;
/** GRUB: "Set esp to some random location in low memory to avoid breaking non-compliant kernels." */
export const MB2_INITIAL_ESP = 0x7ff00;
/**
 * Modules, the MBI and the GDT go to the lowest free RAM at or above 1 MiB. GRUB's relocator takes them from
 * its own free list (the MBI anywhere above 0x1000); we keep conventional memory below 1 MiB untouched
 * because kernels (NOVA among them) put their real-mode AP trampolines there.
 */
const PLACEMENT_MIN = 0x100000;
const FOUR_GIB = 0x1_0000_0000;
const MODULE_ALIGNMENT = EFI_PAGE_SIZE;

type Tag<T extends number> = Extract<Mb2HeaderTag, { type: T }>;

function findTag<T extends Mb2HeaderTag['type']>(h: Multiboot2Header, type: T): Tag<T> | undefined {
  return h.tags.find((t) => t.type === type) as Tag<T> | undefined;
}

/** Refuses what GRUB refuses before loading anything. */
export function checkHeaderTags(header: Multiboot2Header, file: string): void {
  if (header.architecture !== ARCH_I386) {
    throw new Multiboot2Error(file, header.offset + 4, 'multiboot2_header.architecture', `is ${header.architecture}; an x86 loader needs 0 (i386)`);
  }
  header.tags.forEach((t, i) => {
    if (t.type === INFORMATION_REQUEST && !t.optional) {
      t.requests.forEach((r, k) => {
        if (!SUPPORTED_INFO_REQUESTS.has(r)) {
          throw new Multiboot2Error(file, header.offsets[i]! + 8 + 4 * k, 'multiboot2_header_tag_information_request.requests', `required information tag ${r} is not supported`);
        }
      });
    }
    if (!KNOWN_HEADER_TAGS.has(t.type) && !t.optional) {
      throw new Multiboot2Error(file, header.offsets[i]!, 'multiboot2_header_tag.type', `unsupported required tag ${t.type} (${HEADER_TAG_NAMES[t.type] ?? 'unknown'})`);
    }
  });
  for (const u of header.unknownTags) {
    if (!u.optional) throw new Multiboot2Error(file, u.offset, 'multiboot2_header_tag.type', `unsupported required tag ${u.type}`);
  }
}

export function loadMultiboot2(o: Multiboot2LoadOptions): Multiboot2LoadResult {
  const { bus, memory, image, file } = o;
  const trace = o.trace ?? o.efi?.firmware.trace ?? new FirmwareTrace();
  const header = findMultiboot2Header(image, file);
  if (!header) throw new Multiboot2Error(file, 0, 'multiboot2_header', 'no Multiboot2 header in the first 32 KiB');
  checkHeaderTags(header, file);
  const addr = findTag(header, ADDRESS);
  const entryTag = findTag(header, ENTRY_ADDRESS);
  const efiEntryTag = findTag(header, ENTRY_ADDRESS_EFI64);
  const rel = findTag(header, RELOCATABLE);
  const flavour = o.efi ? 'efi' : 'bios';
  // Tags 7 and 9 only mean something to an EFI GRUB; the BIOS GRUB ignores them.
  const keepBootServices = flavour === 'efi' && findTag(header, EFI_BS) !== undefined;
  const efiEntry = flavour === 'efi' && keepBootServices && efiEntryTag ? efiEntryTag.entry_addr : undefined;
  if (addr && !entryTag && efiEntry === undefined) {
    throw new Multiboot2Error(file, header.offsets[header.tags.indexOf(addr)]!, 'multiboot2_header_tag_address', 'load address tag without entry address tag');
  }

  const kernel = addr ? placeRawKernel(bus, memory, image, file, header, addr, rel) : placeElfKernel(bus, memory, image, file, header, rel);
  trace.record('load', 'multiboot2-kernel', {
    file,
    kind: kernel.kind,
    linkBase: traceHex(kernel.linkBase),
    loadBase: traceHex(kernel.loadBase),
    size: traceHex(kernel.size),
    segments: kernel.segments.map((s) => ({ at: traceHex(s.loadAddress), fileSize: s.fileSize, memSize: s.memSize })),
  });

  // Entry: tag 9 (EFI, boot services kept) > tag 3 > ELF e_entry, shifted with the image when relocated.
  let entry = efiEntry ?? entryTag?.entry_addr ?? kernel.elfEntry;
  if (entry === undefined) throw new Multiboot2Error(file, header.offset, 'entry', 'no entry address');
  entry += kernel.loadBase - kernel.linkBase;

  const modules = (o.modules ?? []).map((m, i) => {
    const size = Math.max(m.bytes.length, 1);
    const start = findFreeChunk(memory, size, PLACEMENT_MIN, FOUR_GIB - 1, MODULE_ALIGNMENT, 'low');
    if (start === undefined) throw new Multiboot2Error(`module ${i}`, 0, 'module', `no free memory below 4 GiB for ${hex(m.bytes.length)} bytes`);
    memory.claim(start, size, EfiLoaderData);
    bus.writeBytes(start, m.bytes);
    trace.record('load', 'multiboot2-module', { index: i, string: m.string, start: traceHex(start), size: m.bytes.length });
    return { start, end: start + m.bytes.length, string: m.string };
  });

  const firmware = o.efi?.firmware;
  const facts: MbiFacts = {
    loadBase: kernel.loadBase,
    commandLine: o.commandLine,
    bootLoaderName: o.bootLoaderName ?? 'nova-image',
    modules,
    memoryMap: memory.toE820(),
    sections: kernel.sections,
    keepBootServices,
    framebuffer: o.framebuffer,
    efi: o.efi ? { systemTable: o.efi.firmware.systemTable, imageHandle: o.efi.imageHandle } : undefined,
    rsdp: o.rsdp,
    smbios: o.smbios,
  };
  // The MBI buffer is allocated before the final EFI memory map is taken (as GRUB does), with room for it.
  const reserveForEfiMap = firmware && !keepBootServices ? (memory.descriptors().length + 8) * 48 + 16 : 0;
  const estimate = encodeMultiboot2Info(mbiTags(facts)).length + reserveForEfiMap;
  const mbiAt = findFreeChunk(memory, estimate, PLACEMENT_MIN, FOUR_GIB - 1, 8, 'low');
  if (mbiAt === undefined) throw new Multiboot2Error(file, 0, 'multiboot2 information', `no free memory for ${estimate} bytes`);
  memory.claim(mbiAt, estimate, EfiLoaderData);
  facts.memoryMap = memory.toE820();
  if (firmware && !keepBootServices) {
    const snap = firmware.memoryMapSnapshot();
    facts.efiMemoryMap = { bytes: firmware.exitBootServicesFromLoader('multiboot2 loader'), descriptorSize: snap.descriptorSize, descriptorVersion: snap.descriptorVersion };
  }
  const tags = mbiTags(facts);
  const mbi = encodeMultiboot2Info(tags);
  if (mbi.length > estimate) throw new Multiboot2Error(file, 0, 'multiboot2 information', `grew to ${mbi.length} bytes beyond the ${estimate} reserved`);
  bus.writeBytes(mbiAt, mbi);
  trace.record('load', 'multiboot2-info', { address: traceHex(mbiAt), size: mbi.length, tags: tags.map((t) => t.type) });

  let state: X86EntryState;
  if (firmware && keepBootServices) {
    const env = firmware.longModeEnvironment();
    state = { ...env.state, rip: entry, regs: { rax: MULTIBOOT2_BOOTLOADER_MAGIC, rbx: mbiAt, rcx: 0, rdx: 0, rsp: env.stackTop - 8 } };
  } else {
    const gdtAt = findFreeChunk(memory, EFI_PAGE_SIZE, PLACEMENT_MIN, FOUR_GIB - 1, EFI_PAGE_SIZE, 'low');
    if (gdtAt === undefined) throw new Multiboot2Error(file, 0, 'gdt', 'no free page for the GDT');
    memory.claim(gdtAt, EFI_PAGE_SIZE, EfiLoaderData);
    const gdt = writeGdt(bus, gdtAt, [[MB2_CODE32_SELECTOR, 'code32'], [MB2_DATA_SELECTOR, 'data']]);
    state = {
      rip: entry,
      regs: { rax: MULTIBOOT2_BOOTLOADER_MAGIC, rbx: mbiAt, rcx: 0, rdx: 0, rsp: MB2_INITIAL_ESP },
      gdt,
      segments: { cs: MB2_CODE32_SELECTOR, ds: MB2_DATA_SELECTOR },
      ...modeRegisters('protected32', 0),
    };
  }
  trace.record('start', 'multiboot2-entry', { mode: state.mode, entry: traceHex(entry), mbi: traceHex(mbiAt), keepBootServices });
  return { header, flavour, keepBootServices, kernel, modules, mbi: { address: mbiAt, size: mbi.length, tags }, entry: state };
}
