/**
 * The aarch64 mono-image: one file that is at once
 *   - a Linux arm64 `Image` (Documentation/arch/arm64/booting.rst): 64-byte header at 0 whose first
 *     instruction encodes "MZ" (add x13, x18, #0x16) and whose second branches to the stub's Linux entry,
 *     magic "ARM\x64" at 0x38, PE header offset at 0x3c;
 *   - a PE32+ UEFI application (machine 0xaa64, subsystem 10) whose sections lie at RVA == file offset, so
 *     every path sees the same memory layout;
 *   - a Multiboot2 image (address + entry tags for a raw load, relocatable tag: the stub runs anywhere);
 * followed by the loader stub and the payload catalog (loader/catalog.ts) with kernel, root task, modules
 * and command line, each 4 KiB aligned so the root task and modules can stay in place.
 *
 *   0x0000  Image header / DOS header, PE headers, Multiboot2 header           (SizeOfHeaders 0x1000)
 *   0x1000  stub code + rodata                       PE .text     (RX)
 *           stub data, bss and stack (zero bytes)    PE .data     (RW)
 *           catalog, payloads                        PE .payload  (R)
 */
import { alignUp, hex, viewOf } from '../../common/struct.js';
import {
  ARCH_I386,
  ADDRESS,
  ENTRY_ADDRESS,
  RELOCATABLE,
  RELOCATABLE_PREFERENCE,
  encodeMultiboot2Header,
} from '../../boot/multiboot2/header.js';
import {
  DLLCHAR_NX_COMPAT,
  IMAGE_FILE_DEBUG_STRIPPED,
  IMAGE_FILE_EXECUTABLE_IMAGE,
  IMAGE_FILE_LINE_NUMS_STRIPPED,
  IMAGE_FILE_MACHINE_ARM64,
  SCN_CNT_CODE,
  SCN_CNT_INITIALIZED_DATA,
  SCN_MEM_EXECUTE,
  SCN_MEM_READ,
  SCN_MEM_WRITE,
  SUBSYSTEM_EFI_APPLICATION,
  peHeadersEnd,
  writePeHeaders,
  type PeSectionLayout,
} from '../../boot/uefi/pe.js';
import { writeArm64ImageHeader } from './image-header.js';
import { CATALOG_ALIGN, catalogSize, encodeCatalog, type CatalogPayload } from '../catalog.js';
import { STUB_INFO_MAGIC, STUB_INFO_VERSION } from '../stub-info.js';
import type { Aarch64StubArtifacts } from './stub-artifacts.js';
import { Aarch64StubInfo, STUB_FLAG_LEGACY_LAUNCH } from './stub-info.js';

const PAGE = 0x1000;
/** Everything before the stub: Image/DOS header, PE headers, Multiboot2 header. Also SizeOfHeaders. */
export const AARCH64_STUB_OFFSET = 0x1000;
/** e_lfanew / Image res5: the PE signature right after the 64-byte Image header. */
export const AARCH64_PE_OFFSET = 0x40;
/**
 * Where a Multiboot2 loader that honours the address tag puts the file: QEMU virt's RAM + 4 MiB, clear of
 * the reference kernel's link address (RAM + 2 MiB). The relocatable tag lets a loader choose another place.
 */
export const AARCH64_MB2_LOAD_ADDRESS = 0x4040_0000;
/**
 * Multiboot2 has no architecture number for AArch64; NOVA's aarch64 build and ours use 0, and the entry
 * state is defined by NOVA's specification (X0 = magic, X1 = information, MMU off).
 */
export const AARCH64_MB2_ARCHITECTURE = ARCH_I386;

export type Aarch64Launch = 'multiboot2' | 'legacy';

export interface Aarch64ComposeOptions {
  /** How the stub enters the kernel: Multiboot2 (default) or NOVA's legacy X0 = FDT, X1 = root ELF. */
  launch?: Aarch64Launch;
}

export interface Aarch64ImageLayout {
  fileSize: number;
  stubOffset: number;
  textEnd: number;
  dataEnd: number;
  catalogOffset: number;
  catalogSize: number;
  payloadOffsets: number[];
  mb2HeaderOffset: number;
  mb2HeaderSize: number;
  entryLinux: number;
  entryMultiboot2: number;
  entryEfi: number;
  launch: Aarch64Launch;
}

export function composeAarch64Image(
  payloads: readonly CatalogPayload[],
  stub: Aarch64StubArtifacts,
  options: Aarch64ComposeOptions = {},
): { image: Uint8Array; layout: Aarch64ImageLayout } {
  const launch = options.launch ?? 'multiboot2';
  const sym = stub.symbols;
  const stubOffset = AARCH64_STUB_OFFSET;
  const textEnd = stubOffset + sym.__data_start;
  const dataEnd = stubOffset + alignUp(stub.stub.length, PAGE);
  if (sym.__data_start % PAGE !== 0 || sym.__stub_end % PAGE !== 0) {
    throw new RangeError(`aarch64 stub sections are not page aligned (__data_start ${hex(sym.__data_start)}, __stub_end ${hex(sym.__stub_end)})`);
  }

  const catalogOffset = alignUp(dataEnd, CATALOG_ALIGN);
  const catSize = catalogSize(payloads.length);
  const payloadOffsets: number[] = [];
  let at = alignUp(catalogOffset + catSize, PAGE);
  for (const p of payloads) {
    payloadOffsets.push(at);
    at = alignUp(at + p.data.length, PAGE);
  }
  const fileSize = Math.max(at, alignUp(catalogOffset + catSize, PAGE));

  const image = new Uint8Array(fileSize);
  const view = viewOf(image);
  image.set(stub.stub, stubOffset);
  Aarch64StubInfo.write(view, stubOffset + sym.stub_info, {
    magic: STUB_INFO_MAGIC,
    version: STUB_INFO_VERSION,
    stub_offset: stubOffset,
    catalog_offset: catalogOffset,
    catalog_size: catSize,
    file_size: fileSize,
    flags: launch === 'legacy' ? STUB_FLAG_LEGACY_LAUNCH : 0,
  });
  image.set(encodeCatalog(payloads, payloadOffsets), catalogOffset);
  payloads.forEach((p, i) => image.set(p.data, payloadOffsets[i]!));

  const entryLinux = stubOffset + sym.entry_linux;
  const entryMultiboot2 = stubOffset + sym.entry_mb2;
  const entryEfi = stubOffset + sym.entry_efi;

  const sections: PeSectionLayout[] = [
    section('.text', stubOffset, textEnd, SCN_CNT_CODE | SCN_MEM_EXECUTE | SCN_MEM_READ),
    section('.data', textEnd, dataEnd, SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ | SCN_MEM_WRITE),
    section('.payload', catalogOffset, fileSize, SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ),
  ];
  writePeHeaders(view, {
    machine: IMAGE_FILE_MACHINE_ARM64,
    characteristics: IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_LINE_NUMS_STRIPPED | IMAGE_FILE_DEBUG_STRIPPED,
    peOffset: AARCH64_PE_OFFSET,
    optional: {
      // No base relocations and ImageBase 0: the stub is position independent, firmware may load it anywhere.
      AddressOfEntryPoint: entryEfi,
      BaseOfCode: stubOffset,
      SizeOfCode: textEnd - stubOffset,
      SizeOfInitializedData: fileSize - textEnd,
      ImageBase: 0n,
      SectionAlignment: PAGE,
      FileAlignment: PAGE,
      SizeOfImage: fileSize,
      SizeOfHeaders: stubOffset,
      Subsystem: SUBSYSTEM_EFI_APPLICATION,
      // Sections are page aligned and never writable and executable at once (W^X), so firmware that
      // enforces memory protection may map them strictly.
      DllCharacteristics: DLLCHAR_NX_COMPAT,
    },
    sections,
  });

  // The Image header shares bytes 0..1 ("MZ") and 0x3c (PE offset) with the DOS header just written.
  writeArm64ImageHeader(view, { entryOffset: entryLinux, imageSize: fileSize, peOffset: AARCH64_PE_OFFSET });

  const mb2HeaderOffset = alignUp(peHeadersEnd({ peOffset: AARCH64_PE_OFFSET, sections }), 8);
  const load = AARCH64_MB2_LOAD_ADDRESS;
  const mb2 = encodeMultiboot2Header(AARCH64_MB2_ARCHITECTURE, [
    { type: ADDRESS, header_addr: load + mb2HeaderOffset, load_addr: load, load_end_addr: load + fileSize, bss_end_addr: load + fileSize },
    { type: ENTRY_ADDRESS, entry_addr: load + entryMultiboot2 },
    { type: RELOCATABLE, min_addr: 0, max_addr: 0xffff_ffff, align: PAGE, preference: RELOCATABLE_PREFERENCE.NONE },
  ]);
  if (mb2HeaderOffset + mb2.length > stubOffset) {
    throw new RangeError(`aarch64 image: Multiboot2 header ends at ${hex(mb2HeaderOffset + mb2.length)}, inside the stub at ${hex(stubOffset)}`);
  }
  image.set(mb2, mb2HeaderOffset);

  return {
    image,
    layout: {
      fileSize,
      stubOffset,
      textEnd,
      dataEnd,
      catalogOffset,
      catalogSize: catSize,
      payloadOffsets,
      mb2HeaderOffset,
      mb2HeaderSize: mb2.length,
      entryLinux,
      entryMultiboot2,
      entryEfi,
      launch,
    },
  };
}

function section(name: string, start: number, end: number, characteristics: number): PeSectionLayout {
  return { Name: name, VirtualAddress: start, VirtualSize: end - start, PointerToRawData: start, SizeOfRawData: end - start, Characteristics: characteristics };
}
