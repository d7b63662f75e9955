/**
 * The x86_64 mono-image: one file that is a PE32+ UEFI application, a Linux bzImage and a Multiboot2 image.
 *
 *   file offset  contents
 *   0x0000       "MZ" DOS header (e_lfanew = 0x40)
 *   0x0040       PE signature, COFF header, PE32+ optional header, 2 section headers (.text, .reloc)
 *   0x01f1       Linux setup header (boot_flag 0xaa55 at 0x1fe, jump at 0x200, "HdrS" at 0x202, 2.15)
 *   0x0270       real-mode setup routine (loader/stub/x86_64/setup16.S), then the kernel_version string
 *   S = 0x1000   loader stub, protected-mode part (= code32_start, = Multiboot2 load_addr, = .text RVA):
 *                +0x000 32-bit Linux entry, +0x010 stub info, +0x040 Multiboot2 i386 entry,
 *                +0x080 Multiboot2 header, +0x200 64-bit Linux entry, +0x240 Multiboot2 EFI amd64 entry,
 *                then code, data and the zero-filled .bss (stack, page tables) up to `_end`
 *   page-aligned payload catalog (loader/catalog.ts), then each payload on its own 4 KiB boundary
 *   page-aligned .reloc section: one empty base-relocation block (the stub is position independent)
 *
 * Every section sits at RVA == file offset, so the UEFI in-memory image mirrors the file, and the
 * BIOS-side loaders (GRUB multiboot2 with the address tag, Linux code32_start) put file offset S at
 * STUB_LOAD_ADDR: all paths see the same relative layout, and payloads stay page-aligned in memory.
 */
import { alignUp, hex, viewOf } from '../common/struct.js';
import {
  AMD64,
  DIR_BASERELOC,
  IMAGE_FILE_DEBUG_STRIPPED,
  IMAGE_FILE_EXECUTABLE_IMAGE,
  IMAGE_FILE_LINE_NUMS_STRIPPED,
  SCN_CNT_CODE,
  SCN_CNT_INITIALIZED_DATA,
  SCN_MEM_DISCARDABLE,
  SCN_MEM_EXECUTE,
  SCN_MEM_READ,
  SCN_MEM_WRITE,
  SUBSYSTEM_EFI_APPLICATION,
  encodeBaseRelocationBlock,
  peHeadersEnd,
  writePeHeaders,
  type PeSectionLayout,
} from '../boot/uefi/pe.js';
import { BOOT_FLAG, BOOT_PROTOCOL_2_15, HDRS_MAGIC, LOADED_HIGH, SetupHeader, XLF_KERNEL_64 } from '../boot/bzimage/setup-header.js';
import { ADDRESS, ARCH_I386, EFI_BS, ENTRY_ADDRESS, ENTRY_ADDRESS_EFI64, MULTIBOOT2_SEARCH, encodeMultiboot2Header } from '../boot/multiboot2/header.js';
import { CATALOG_ALIGN, encodeCatalog, type CatalogPayload } from './catalog.js';
import { StubInfo, STUB_INFO_MAGIC, STUB_INFO_VERSION } from './stub-info.js';
import type { StubArtifacts } from './stub-artifacts.js';

const PAGE = 0x1000;
const FILE_ALIGNMENT = 0x200;
const SECTOR = 512;
const RELOC_RAW_SIZE = FILE_ALIGNMENT;
/** GRUB refuses more than 64 setup sectors. */
const MAX_SETUP_SECTS = 64;

/** Linux boot protocol (Documentation/arch/x86/boot.rst) choices of this image. */
const KERNEL_ALIGNMENT = 0x200000;
const MIN_ALIGNMENT_LOG2 = 12;
const CMDLINE_SIZE = 2047;
const VID_MODE_NORMAL = 0xffff;
const JUMP_SHORT = 0xeb;
const SETUP_JUMP_FROM = 0x202; // a short jump at 0x200 is relative to the byte after it

export const KERNEL_VERSION_STRING = 'nova-image mono-image (x86_64 loader stub)';

export interface MonoImageLayout {
  setupSects: number;
  /** File offset of the stub's protected-mode part. */
  pmOffset: number;
  mb2HeaderOffset: number;
  catalogOffset: number;
  catalogSize: number;
  payloadOffsets: number[];
  relocOffset: number;
  fileSize: number;
  loadAddress: number;
}

export function composeX86_64(payloads: readonly CatalogPayload[], stub: StubArtifacts): { image: Uint8Array; layout: MonoImageLayout } {
  const sym = stub.symbols;
  const sections = (pmOffset: number, textSize: number, relocOffset: number): PeSectionLayout[] => [
    {
      Name: '.text',
      VirtualSize: textSize,
      VirtualAddress: pmOffset,
      SizeOfRawData: textSize,
      PointerToRawData: pmOffset,
      Characteristics: SCN_CNT_CODE | SCN_CNT_INITIALIZED_DATA | SCN_MEM_EXECUTE | SCN_MEM_READ | SCN_MEM_WRITE,
    },
    {
      Name: '.reloc',
      VirtualSize: 8,
      VirtualAddress: relocOffset,
      SizeOfRawData: RELOC_RAW_SIZE,
      PointerToRawData: relocOffset,
      Characteristics: SCN_CNT_INITIALIZED_DATA | SCN_MEM_DISCARDABLE | SCN_MEM_READ,
    },
  ];

  // Setup sectors: PE headers (must end before the setup header at 0x1f1), the 16-bit routine, the version.
  const peEnd = peHeadersEnd({ sections: sections(0, 0, 0) });
  if (peEnd > SetupHeader.offsetOf('setup_sects')) throw new RangeError(`PE headers end at ${hex(peEnd)}, past the setup header at 0x1f1`);
  const versionOffset = alignUp(sym.SETUP16_OFFSET + stub.setup16.length, 16);
  const setupEnd = versionOffset + KERNEL_VERSION_STRING.length + 1;
  const pmOffset = alignUp(setupEnd, PAGE);
  const setupSects = pmOffset / SECTOR - 1;
  if (setupSects > MAX_SETUP_SECTS) throw new RangeError(`setup needs ${setupSects} sectors, GRUB takes at most ${MAX_SETUP_SECTS}`);

  // Protected-mode part, catalog, payloads, .reloc.
  const catalogOffset = alignUp(pmOffset + stub.stub.length, CATALOG_ALIGN);
  const payloadOffsets: number[] = [];
  const catalogProbe = encodeCatalog(payloads, payloads.map(() => 0));
  let pos = alignUp(catalogOffset + catalogProbe.length, PAGE);
  for (const p of payloads) {
    payloadOffsets.push(pos);
    pos = alignUp(pos + p.data.length, PAGE);
  }
  const relocOffset = alignUp(pos, PAGE);
  const fileSize = relocOffset + RELOC_RAW_SIZE;
  const textSize = relocOffset - pmOffset;

  const image = new Uint8Array(fileSize);
  const view = viewOf(image);
  image.set(stub.setup16, sym.SETUP16_OFFSET);
  image.set(Buffer.from(KERNEL_VERSION_STRING, 'latin1'), versionOffset);
  image.set(stub.stub, pmOffset);
  const catalog = encodeCatalog(payloads, payloadOffsets);
  image.set(catalog, catalogOffset);
  payloads.forEach((p, i) => image.set(p.data, payloadOffsets[i]!));
  image.set(encodeBaseRelocationBlock(0, []), relocOffset);

  StubInfo.write(view, pmOffset + sym.stub_info, {
    magic: STUB_INFO_MAGIC,
    version: STUB_INFO_VERSION,
    pm_file_offset: pmOffset,
    catalog_offset: catalogOffset,
    catalog_size: catalog.length,
    file_size: fileSize,
    reserved: 0,
  });

  // Multiboot2: GRUB loads the file from pmOffset on at load_addr and enters at entry32_mb2 (BIOS) or, with
  // boot services kept (tag 7), at entry64_mb2efi (tag 9).
  const load = sym.STUB_LOAD_ADDR;
  const mb2 = encodeMultiboot2Header(ARCH_I386, [
    { type: ADDRESS, header_addr: load + sym.mb2_header_area, load_addr: load, load_end_addr: 0, bss_end_addr: 0 },
    { type: ENTRY_ADDRESS, entry_addr: load + sym.entry32_mb2 },
    { type: EFI_BS },
    { type: ENTRY_ADDRESS_EFI64, entry_addr: load + sym.entry64_mb2efi },
  ]);
  const mb2HeaderOffset = pmOffset + sym.mb2_header_area;
  if (mb2.length > sym.MB2_HEADER_SPACE) throw new RangeError(`Multiboot2 header of ${mb2.length} bytes exceeds the stub's ${sym.MB2_HEADER_SPACE}`);
  if (mb2HeaderOffset + mb2.length > MULTIBOOT2_SEARCH) throw new RangeError(`Multiboot2 header at ${hex(mb2HeaderOffset)} is beyond the first 32 KiB`);
  image.set(mb2, mb2HeaderOffset);

  // PE32+: the whole loaded range is one RWX .text section; .reloc holds one empty block.
  writePeHeaders(view, {
    machine: AMD64,
    characteristics: IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_LINE_NUMS_STRIPPED | IMAGE_FILE_DEBUG_STRIPPED,
    optional: {
      AddressOfEntryPoint: pmOffset + sym.efi_main,
      BaseOfCode: pmOffset,
      ImageBase: BigInt(load),
      SectionAlignment: PAGE,
      FileAlignment: FILE_ALIGNMENT,
      SizeOfCode: textSize,
      SizeOfInitializedData: RELOC_RAW_SIZE,
      SizeOfImage: relocOffset + PAGE,
      SizeOfHeaders: pmOffset,
      Subsystem: SUBSYSTEM_EFI_APPLICATION,
      SizeOfStackReserve: 0x10000n,
      SizeOfStackCommit: 0x10000n,
      SizeOfHeapReserve: 0x10000n,
      SizeOfHeapCommit: 0x10000n,
    },
    dataDirectories: { [DIR_BASERELOC]: { VirtualAddress: relocOffset, Size: 8 } },
    sections: sections(pmOffset, textSize, relocOffset),
  });

  // Linux setup header (boot protocol 2.15).
  const jumpTarget = sym.SETUP16_OFFSET - SETUP_JUMP_FROM;
  if (jumpTarget < 0 || jumpTarget > 0x7f) throw new RangeError(`setup routine at ${hex(sym.SETUP16_OFFSET)} is out of short-jump range`);
  SetupHeader.write(view, 0, {
    setup_sects: setupSects,
    syssize: Math.ceil((fileSize - pmOffset) / 16),
    vid_mode: VID_MODE_NORMAL,
    boot_flag: BOOT_FLAG,
    jump: JUMP_SHORT | (jumpTarget << 8),
    header: HDRS_MAGIC,
    version: BOOT_PROTOCOL_2_15,
    kernel_version: versionOffset - 0x200,
    loadflags: LOADED_HIGH,
    code32_start: load,
    initrd_addr_max: 0x7fffffff,
    kernel_alignment: KERNEL_ALIGNMENT,
    relocatable_kernel: 0,
    min_alignment: MIN_ALIGNMENT_LOG2,
    xloadflags: XLF_KERNEL_64,
    cmdline_size: CMDLINE_SIZE,
    pref_address: BigInt(load),
    init_size: fileSize - pmOffset,
  });

  return {
    image,
    layout: {
      setupSects,
      pmOffset,
      mb2HeaderOffset,
      catalogOffset,
      catalogSize: catalog.length,
      payloadOffsets,
      relocOffset,
      fileSize,
      loadAddress: load,
    },
  };
}
