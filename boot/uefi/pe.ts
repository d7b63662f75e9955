/**
 * PE/COFF codec for UEFI images: reader (PE32+ and PE32) and header writer (PE32+).
 *
 * The writer touches only e_magic and e_lfanew inside the 64-byte DOS header, then the PE headers at
 * e_lfanew, so a polyglot image can keep other formats' headers (the Linux setup header at 0x1f1, a
 * Multiboot2 header) in the remaining bytes.
 */
import { FormatError } from '../../common/errors.js';
import { hex, viewOf, type FieldTable, type Struct, type StructValue } from '../../common/struct.js';
import {
  IMAGE_DOS_SIGNATURE,
  IMAGE_NT_SIGNATURE,
  IMAGE_NUMBEROF_DIRECTORY_ENTRIES,
  PE32_MAGIC,
  PE32PLUS_MAGIC,
  DIR_BASERELOC,
} from './pe-constants.js';
import { BaseRelocationBlock, CoffHeader, DataDirectory, DosHeader, OptionalHeader32, OptionalHeader64, PeSignature, SectionHeader } from './pe-structs.js';

export * from './pe-constants.js';
export * from './pe-structs.js';

/** A malformed PE/COFF image. */
export class PeError extends FormatError {}

export type OptionalHeader = StructValue<typeof OptionalHeader64.fields> & { BaseOfData?: number };
export type Section = StructValue<typeof SectionHeader.fields> & { index: number; headerOffset: number };

export interface DataDirectoryEntry {
  index: number;
  VirtualAddress: number;
  Size: number;
}

export interface PeImage {
  file: string;
  dos: StructValue<typeof DosHeader.fields>;
  /** e_lfanew: file offset of the "PE\0\0" signature. */
  peOffset: number;
  coff: StructValue<typeof CoffHeader.fields>;
  /** Optional header; PE32 values are widened (ImageBase, stack and heap sizes as bigint). */
  optional: OptionalHeader;
  /** 0x20b (PE32+) or 0x10b (PE32). */
  format: 'PE32+' | 'PE32';
  optionalHeaderOffset: number;
  dataDirectories: DataDirectoryEntry[];
  sections: Section[];
}

function readStruct<F extends FieldTable>(struct: Struct<F>, view: DataView, base: number, file: string): StructValue<F> {
  try {
    return struct.read(view, base, file);
  } catch (e) {
    if (e instanceof FormatError && !(e instanceof PeError)) throw new PeError(e.file, e.offset, e.field, e.rule);
    throw e;
  }
}

export function readPe(bytes: Uint8Array, file: string): PeImage {
  const view = viewOf(bytes);
  const dos = readStruct(DosHeader, view, 0, file);
  if (dos.e_magic !== IMAGE_DOS_SIGNATURE) {
    throw new PeError(file, 0, 'IMAGE_DOS_HEADER.e_magic', `is ${hex(dos.e_magic, 4)}, expected 0x5a4d ("MZ")`);
  }
  const peOffset = dos.e_lfanew;
  if (peOffset + PeSignature.size + CoffHeader.size > bytes.length) {
    throw new PeError(file, DosHeader.offsetOf('e_lfanew'), 'IMAGE_DOS_HEADER.e_lfanew', `PE header at ${hex(peOffset)} lies outside the file (size ${hex(bytes.length)})`);
  }
  const sig = readStruct(PeSignature, view, peOffset, file);
  if (sig.Signature !== IMAGE_NT_SIGNATURE) {
    throw new PeError(file, peOffset, 'PE_SIGNATURE.Signature', `is ${hex(sig.Signature, 8)}, expected 0x00004550 ("PE\\0\\0")`);
  }
  const coffOffset = peOffset + PeSignature.size;
  const coff = readStruct(CoffHeader, view, coffOffset, file);
  const optOffset = coffOffset + CoffHeader.size;
  const sizeAt = coffOffset + CoffHeader.offsetOf('SizeOfOptionalHeader');
  if (coff.SizeOfOptionalHeader < 2) {
    throw new PeError(file, sizeAt, 'IMAGE_FILE_HEADER.SizeOfOptionalHeader', `is ${coff.SizeOfOptionalHeader}: an image needs an optional header`);
  }
  const magic = readStruct(OptionalHeader64, view, optOffset, file).Magic;
  let optional: OptionalHeader;
  let dirOffset: number;
  let format: PeImage['format'];
  if (magic === PE32PLUS_MAGIC) {
    optional = readStruct(OptionalHeader64, view, optOffset, file);
    dirOffset = optOffset + OptionalHeader64.size;
    format = 'PE32+';
  } else if (magic === PE32_MAGIC) {
    const o = readStruct(OptionalHeader32, view, optOffset, file);
    optional = {
      ...o,
      ImageBase: BigInt(o.ImageBase),
      SizeOfStackReserve: BigInt(o.SizeOfStackReserve),
      SizeOfStackCommit: BigInt(o.SizeOfStackCommit),
      SizeOfHeapReserve: BigInt(o.SizeOfHeapReserve),
      SizeOfHeapCommit: BigInt(o.SizeOfHeapCommit),
    };
    dirOffset = optOffset + OptionalHeader32.size;
    format = 'PE32';
  } else {
    throw new PeError(file, optOffset, 'IMAGE_OPTIONAL_HEADER.Magic', `is ${hex(magic, 4)}, expected 0x20b (PE32+) or 0x10b (PE32)`);
  }
  const fixedSize = dirOffset - optOffset;
  const nDirs = optional.NumberOfRvaAndSizes;
  const nDirsAt = optOffset + (format === 'PE32+' ? OptionalHeader64 : OptionalHeader32).offsetOf('NumberOfRvaAndSizes');
  if (nDirs > IMAGE_NUMBEROF_DIRECTORY_ENTRIES) {
    throw new PeError(file, nDirsAt, 'IMAGE_OPTIONAL_HEADER.NumberOfRvaAndSizes', `is ${nDirs}, at most 16`);
  }
  if (coff.SizeOfOptionalHeader < fixedSize + nDirs * DataDirectory.size) {
    throw new PeError(file, sizeAt, 'IMAGE_FILE_HEADER.SizeOfOptionalHeader', `${coff.SizeOfOptionalHeader} is too small for a ${format} header with ${nDirs} data directories (${fixedSize + nDirs * DataDirectory.size})`);
  }
  const dataDirectories: DataDirectoryEntry[] = [];
  for (let i = 0; i < nDirs; i++) {
    dataDirectories.push({ index: i, ...readStruct(DataDirectory, view, dirOffset + i * DataDirectory.size, file) });
  }
  if (optional.SectionAlignment === 0 || optional.FileAlignment === 0 || optional.SectionAlignment < optional.FileAlignment) {
    throw new PeError(file, optOffset + OptionalHeader64.offsetOf('SectionAlignment'), 'IMAGE_OPTIONAL_HEADER.SectionAlignment', `${hex(optional.SectionAlignment)} must be non-zero and at least FileAlignment ${hex(optional.FileAlignment)}`);
  }
  if (optional.AddressOfEntryPoint >= optional.SizeOfImage) {
    throw new PeError(file, optOffset + OptionalHeader64.offsetOf('AddressOfEntryPoint'), 'IMAGE_OPTIONAL_HEADER.AddressOfEntryPoint', `${hex(optional.AddressOfEntryPoint)} lies outside SizeOfImage ${hex(optional.SizeOfImage)}`);
  }
  const sectionOffset = optOffset + coff.SizeOfOptionalHeader;
  if (sectionOffset + coff.NumberOfSections * SectionHeader.size > bytes.length) {
    throw new PeError(file, coffOffset + CoffHeader.offsetOf('NumberOfSections'), 'IMAGE_FILE_HEADER.NumberOfSections', `${coff.NumberOfSections} section headers at ${hex(sectionOffset)} run past the end of the file (${hex(bytes.length)})`);
  }
  const sections: Section[] = [];
  for (let i = 0; i < coff.NumberOfSections; i++) {
    const at = sectionOffset + i * SectionHeader.size;
    const s = readStruct(SectionHeader, view, at, file);
    if (s.SizeOfRawData > 0 && s.PointerToRawData + s.SizeOfRawData > bytes.length) {
      throw new PeError(file, at + SectionHeader.offsetOf('PointerToRawData'), `IMAGE_SECTION_HEADER[${i}].PointerToRawData`, `section ${JSON.stringify(s.Name)} raw data ${hex(s.PointerToRawData)}+${hex(s.SizeOfRawData)} runs past the end of the file (${hex(bytes.length)})`);
    }
    if (s.VirtualAddress + Math.max(s.VirtualSize, 0) > optional.SizeOfImage) {
      throw new PeError(file, at + SectionHeader.offsetOf('VirtualAddress'), `IMAGE_SECTION_HEADER[${i}].VirtualAddress`, `section ${JSON.stringify(s.Name)} ${hex(s.VirtualAddress)}+${hex(s.VirtualSize)} lies outside SizeOfImage ${hex(optional.SizeOfImage)}`);
    }
    sections.push({ ...s, index: i, headerOffset: at });
  }
  return { file, dos, peOffset, coff, optional, format, optionalHeaderOffset: optOffset, dataDirectories, sections };
}

/** File offset of an RVA, or undefined when no section's raw data covers it (headers count as RVA = offset). */
export function rvaToOffset(pe: PeImage, rva: number): number | undefined {
  if (rva < pe.optional.SizeOfHeaders) return rva;
  for (const s of pe.sections) {
    if (rva >= s.VirtualAddress && rva < s.VirtualAddress + Math.min(s.SizeOfRawData, Math.max(s.VirtualSize, s.SizeOfRawData))) {
      return s.PointerToRawData + (rva - s.VirtualAddress);
    }
  }
  return undefined;
}

export interface BaseRelocation {
  /** RVA of the 4 KiB page the block covers. */
  pageRva: number;
  /** File offset of the block header. */
  offset: number;
  entries: Array<{ type: number; offset: number }>;
}

/** Reads the base relocation directory (data directory 5); empty when the image has none. */
export function readBaseRelocations(pe: PeImage, bytes: Uint8Array): BaseRelocation[] {
  const dir = pe.dataDirectories[DIR_BASERELOC];
  if (!dir || dir.Size === 0) return [];
  const dirAt = pe.optionalHeaderOffset + (pe.format === 'PE32+' ? OptionalHeader64.size : OptionalHeader32.size) + DIR_BASERELOC * DataDirectory.size;
  const start = rvaToOffset(pe, dir.VirtualAddress);
  if (start === undefined || start + dir.Size > bytes.length) {
    throw new PeError(pe.file, dirAt, 'IMAGE_DATA_DIRECTORY[Base Relocation].VirtualAddress', `RVA ${hex(dir.VirtualAddress)}+${hex(dir.Size)} is not backed by section data in the file`);
  }
  const view = viewOf(bytes);
  const blocks: BaseRelocation[] = [];
  const end = start + dir.Size;
  let at = start;
  while (at + BaseRelocationBlock.size <= end) {
    const b = readStruct(BaseRelocationBlock, view, at, pe.file);
    if (b.SizeOfBlock < BaseRelocationBlock.size || b.SizeOfBlock % 2 !== 0 || at + b.SizeOfBlock > end) {
      throw new PeError(pe.file, at + BaseRelocationBlock.offsetOf('SizeOfBlock'), 'IMAGE_BASE_RELOCATION.SizeOfBlock', `${b.SizeOfBlock} is not an even size of at least 8 inside the directory ending at ${hex(end)}`);
    }
    const entries: BaseRelocation['entries'] = [];
    for (let e = at + BaseRelocationBlock.size; e < at + b.SizeOfBlock; e += 2) {
      const v = view.getUint16(e, true);
      entries.push({ type: v >> 12, offset: v & 0xfff });
    }
    blocks.push({ pageRva: b.VirtualAddress, offset: at, entries });
    at += b.SizeOfBlock;
  }
  return blocks;
}

/** Encodes one base relocation block (entries padded to a 4-byte multiple with an ABSOLUTE entry). */
export function encodeBaseRelocationBlock(pageRva: number, entries: ReadonlyArray<{ type: number; offset: number }>): Uint8Array {
  const count = entries.length + (entries.length % 2);
  const out = new Uint8Array(BaseRelocationBlock.size + 2 * count);
  const view = viewOf(out);
  BaseRelocationBlock.write(view, 0, { VirtualAddress: pageRva, SizeOfBlock: out.length });
  entries.forEach((e, i) => view.setUint16(BaseRelocationBlock.size + 2 * i, (e.type << 12) | (e.offset & 0xfff), true));
  return out;
}

export interface PeSectionLayout {
  Name: string;
  VirtualSize: number;
  VirtualAddress: number;
  SizeOfRawData: number;
  PointerToRawData: number;
  Characteristics: number;
}

export interface PeLayout {
  machine: number;
  /** COFF characteristics. */
  characteristics: number;
  timeDateStamp?: number;
  /** e_lfanew; default 0x40 (right after the DOS header). */
  peOffset?: number;
  /** PE32+ optional header fields; Magic and NumberOfRvaAndSizes are set by the writer. */
  optional: Partial<StructValue<typeof OptionalHeader64.fields>> &
    Pick<StructValue<typeof OptionalHeader64.fields>, 'AddressOfEntryPoint' | 'ImageBase' | 'SectionAlignment' | 'FileAlignment' | 'SizeOfImage' | 'SizeOfHeaders' | 'Subsystem'>;
  /** Data directories by index (0..15); missing ones are zero. */
  dataDirectories?: Partial<Record<number, { VirtualAddress: number; Size: number }>>;
  sections: readonly PeSectionLayout[];
}

/** Bytes from the start of the file to the end of the section table for `layout`. */
export function peHeadersEnd(layout: Pick<PeLayout, 'peOffset' | 'sections'>): number {
  return (layout.peOffset ?? DosHeader.size) + PeSignature.size + CoffHeader.size + OptionalHeader64.size + IMAGE_NUMBEROF_DIRECTORY_ENTRIES * DataDirectory.size + layout.sections.length * SectionHeader.size;
}

/** Writes "MZ", e_lfanew, the PE signature, COFF header, PE32+ optional header (16 directories) and sections. */
export function writePeHeaders(view: DataView, layout: PeLayout): void {
  const peOffset = layout.peOffset ?? DosHeader.size;
  if (peOffset < DosHeader.size || peOffset % 8 !== 0) throw new RangeError(`PE header offset ${hex(peOffset)} must be 8-aligned and after the DOS header`);
  const end = peHeadersEnd(layout);
  if (end > view.byteLength) throw new RangeError(`PE headers end at ${hex(end)}, buffer has ${hex(view.byteLength)} bytes`);
  if (end > layout.optional.SizeOfHeaders) throw new RangeError(`PE headers end at ${hex(end)}, beyond SizeOfHeaders ${hex(layout.optional.SizeOfHeaders)}`);
  DosHeader.write(view, 0, { e_magic: IMAGE_DOS_SIGNATURE, e_lfanew: peOffset });
  PeSignature.write(view, peOffset, { Signature: IMAGE_NT_SIGNATURE });
  const coffOffset = peOffset + PeSignature.size;
  CoffHeader.write(view, coffOffset, {
    Machine: layout.machine,
    NumberOfSections: layout.sections.length,
    TimeDateStamp: layout.timeDateStamp ?? 0,
    PointerToSymbolTable: 0,
    NumberOfSymbols: 0,
    SizeOfOptionalHeader: OptionalHeader64.size + IMAGE_NUMBEROF_DIRECTORY_ENTRIES * DataDirectory.size,
    Characteristics: layout.characteristics,
  });
  const optOffset = coffOffset + CoffHeader.size;
  const defaults: StructValue<typeof OptionalHeader64.fields> = {
    Magic: PE32PLUS_MAGIC,
    MajorLinkerVersion: 0,
    MinorLinkerVersion: 0,
    SizeOfCode: 0,
    SizeOfInitializedData: 0,
    SizeOfUninitializedData: 0,
    AddressOfEntryPoint: 0,
    BaseOfCode: 0,
    ImageBase: 0n,
    SectionAlignment: 0x1000,
    FileAlignment: 0x200,
    MajorOperatingSystemVersion: 0,
    MinorOperatingSystemVersion: 0,
    MajorImageVersion: 0,
    MinorImageVersion: 0,
    MajorSubsystemVersion: 0,
    MinorSubsystemVersion: 0,
    Win32VersionValue: 0,
    SizeOfImage: 0,
    SizeOfHeaders: 0,
    CheckSum: 0,
    Subsystem: 0,
    DllCharacteristics: 0,
    SizeOfStackReserve: 0n,
    SizeOfStackCommit: 0n,
    SizeOfHeapReserve: 0n,
    SizeOfHeapCommit: 0n,
    LoaderFlags: 0,
    NumberOfRvaAndSizes: IMAGE_NUMBEROF_DIRECTORY_ENTRIES,
  };
  OptionalHeader64.write(view, optOffset, { ...defaults, ...layout.optional, Magic: PE32PLUS_MAGIC, NumberOfRvaAndSizes: IMAGE_NUMBEROF_DIRECTORY_ENTRIES });
  const dirOffset = optOffset + OptionalHeader64.size;
  for (let i = 0; i < IMAGE_NUMBEROF_DIRECTORY_ENTRIES; i++) {
    DataDirectory.write(view, dirOffset + i * DataDirectory.size, layout.dataDirectories?.[i] ?? { VirtualAddress: 0, Size: 0 });
  }
  const secOffset = dirOffset + IMAGE_NUMBEROF_DIRECTORY_ENTRIES * DataDirectory.size;
  layout.sections.forEach((s, i) => {
    if (s.Name.length > 8) throw new RangeError(`PE section name ${JSON.stringify(s.Name)} longer than 8 bytes`);
    SectionHeader.write(view, secOffset + i * SectionHeader.size, {
      ...s,
      PointerToRelocations: 0,
      PointerToLinenumbers: 0,
      NumberOfRelocations: 0,
      NumberOfLinenumbers: 0,
    });
  });
}
