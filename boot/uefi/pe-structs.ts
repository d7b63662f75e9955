/**
 * PE/COFF structures (Microsoft PE/COFF specification), one declarative table each, names as in the spec.
 */
import { defineStruct } from '../../common/struct.js';

/** MS-DOS header: only e_magic and e_lfanew matter to UEFI; the rest is free for a polyglot's other headers. */
export const DosHeader = defineStruct('IMAGE_DOS_HEADER', 64, {
  e_magic: [0x00, 'u16'],
  e_cblp: [0x02, 'u16'],
  e_cp: [0x04, 'u16'],
  e_crlc: [0x06, 'u16'],
  e_cparhdr: [0x08, 'u16'],
  e_minalloc: [0x0a, 'u16'],
  e_maxalloc: [0x0c, 'u16'],
  e_ss: [0x0e, 'u16'],
  e_sp: [0x10, 'u16'],
  e_csum: [0x12, 'u16'],
  e_ip: [0x14, 'u16'],
  e_cs: [0x16, 'u16'],
  e_lfarlc: [0x18, 'u16'],
  e_ovno: [0x1a, 'u16'],
  e_lfanew: [0x3c, 'u32'],
});

export const PeSignature = defineStruct('PE_SIGNATURE', 4, { Signature: [0x00, 'u32'] });

export const CoffHeader = defineStruct('IMAGE_FILE_HEADER', 20, {
  Machine: [0x00, 'u16'],
  NumberOfSections: [0x02, 'u16'],
  TimeDateStamp: [0x04, 'u32'],
  PointerToSymbolTable: [0x08, 'u32'],
  NumberOfSymbols: [0x0c, 'u32'],
  SizeOfOptionalHeader: [0x10, 'u16'],
  Characteristics: [0x12, 'u16'],
});

/** PE32+ optional header without its data directories (which follow at 0x70). */
export const OptionalHeader64 = defineStruct('IMAGE_OPTIONAL_HEADER64', 112, {
  Magic: [0x00, 'u16'],
  MajorLinkerVersion: [0x02, 'u8'],
  MinorLinkerVersion: [0x03, 'u8'],
  SizeOfCode: [0x04, 'u32'],
  SizeOfInitializedData: [0x08, 'u32'],
  SizeOfUninitializedData: [0x0c, 'u32'],
  AddressOfEntryPoint: [0x10, 'u32'],
  BaseOfCode: [0x14, 'u32'],
  ImageBase: [0x18, 'u64'],
  SectionAlignment: [0x20, 'u32'],
  FileAlignment: [0x24, 'u32'],
  MajorOperatingSystemVersion: [0x28, 'u16'],
  MinorOperatingSystemVersion: [0x2a, 'u16'],
  MajorImageVersion: [0x2c, 'u16'],
  MinorImageVersion: [0x2e, 'u16'],
  MajorSubsystemVersion: [0x30, 'u16'],
  MinorSubsystemVersion: [0x32, 'u16'],
  Win32VersionValue: [0x34, 'u32'],
  SizeOfImage: [0x38, 'u32'],
  SizeOfHeaders: [0x3c, 'u32'],
  CheckSum: [0x40, 'u32'],
  Subsystem: [0x44, 'u16'],
  DllCharacteristics: [0x46, 'u16'],
  SizeOfStackReserve: [0x48, 'u64'],
  SizeOfStackCommit: [0x50, 'u64'],
  SizeOfHeapReserve: [0x58, 'u64'],
  SizeOfHeapCommit: [0x60, 'u64'],
  LoaderFlags: [0x68, 'u32'],
  NumberOfRvaAndSizes: [0x6c, 'u32'],
});

/** PE32 optional header (32-bit images such as memtest86+ia32.efi); read only, widened to the PE32+ shape. */
export const OptionalHeader32 = defineStruct('IMAGE_OPTIONAL_HEADER32', 96, {
  Magic: [0x00, 'u16'],
  MajorLinkerVersion: [0x02, 'u8'],
  MinorLinkerVersion: [0x03, 'u8'],
  SizeOfCode: [0x04, 'u32'],
  SizeOfInitializedData: [0x08, 'u32'],
  SizeOfUninitializedData: [0x0c, 'u32'],
  AddressOfEntryPoint: [0x10, 'u32'],
  BaseOfCode: [0x14, 'u32'],
  BaseOfData: [0x18, 'u32'],
  ImageBase: [0x1c, 'u32'],
  SectionAlignment: [0x20, 'u32'],
  FileAlignment: [0x24, 'u32'],
  MajorOperatingSystemVersion: [0x28, 'u16'],
  MinorOperatingSystemVersion: [0x2a, 'u16'],
  MajorImageVersion: [0x2c, 'u16'],
  MinorImageVersion: [0x2e, 'u16'],
  MajorSubsystemVersion: [0x30, 'u16'],
  MinorSubsystemVersion: [0x32, 'u16'],
  Win32VersionValue: [0x34, 'u32'],
  SizeOfImage: [0x38, 'u32'],
  SizeOfHeaders: [0x3c, 'u32'],
  CheckSum: [0x40, 'u32'],
  Subsystem: [0x44, 'u16'],
  DllCharacteristics: [0x46, 'u16'],
  SizeOfStackReserve: [0x48, 'u32'],
  SizeOfStackCommit: [0x4c, 'u32'],
  SizeOfHeapReserve: [0x50, 'u32'],
  SizeOfHeapCommit: [0x54, 'u32'],
  LoaderFlags: [0x58, 'u32'],
  NumberOfRvaAndSizes: [0x5c, 'u32'],
});

export const DataDirectory = defineStruct('IMAGE_DATA_DIRECTORY', 8, {
  VirtualAddress: [0x00, 'u32'],
  Size: [0x04, 'u32'],
});

export const SectionHeader = defineStruct('IMAGE_SECTION_HEADER', 40, {
  Name: [0x00, ['ascii', 8]],
  VirtualSize: [0x08, 'u32'],
  VirtualAddress: [0x0c, 'u32'],
  SizeOfRawData: [0x10, 'u32'],
  PointerToRawData: [0x14, 'u32'],
  PointerToRelocations: [0x18, 'u32'],
  PointerToLinenumbers: [0x1c, 'u32'],
  NumberOfRelocations: [0x20, 'u16'],
  NumberOfLinenumbers: [0x22, 'u16'],
  Characteristics: [0x24, 'u32'],
});

/** Header of one base relocation block; u16 entries (type << 12 | page offset) follow. */
export const BaseRelocationBlock = defineStruct('IMAGE_BASE_RELOCATION', 8, {
  VirtualAddress: [0x00, 'u32'],
  SizeOfBlock: [0x04, 'u32'],
});
