/**
 * Loads a PE/COFF UEFI image into guest memory the way EDK2's image loader does: check machine, format and
 * subsystem; allocate SizeOfImage at ImageBase when that is free (and at or above 1 MiB), anywhere else
 * otherwise (top-down below 4 GiB); copy the headers and every section (zero-filling VirtualSize beyond
 * SizeOfRawData); apply the base relocations for the load delta. Returns facts; writes through the bus.
 */
import type { PhysicalBus } from '../../../platform/memory/bus.js';
import { hex, viewOf } from '../../../common/struct.js';
import { EFI_PAGE_SIZE, type FirmwareMemoryMap } from '../../firmware/memory-map.js';
import { EfiBootServicesCode, EfiLoaderCode, EfiLoaderData, EfiBootServicesData, EfiRuntimeServicesCode, EfiRuntimeServicesData } from '../../firmware/memory-types.js';
import {
  CoffHeader,
  IMAGE_FILE_MACHINE_AMD64,
  IMAGE_FILE_MACHINE_ARM64,
  IMAGE_FILE_RELOCS_STRIPPED,
  IMAGE_REL_BASED_ABSOLUTE,
  IMAGE_REL_BASED_DIR64,
  IMAGE_REL_BASED_HIGHLOW,
  OptionalHeader64,
  PeError,
  PeSignature,
  SUBSYSTEM_EFI_APPLICATION,
  SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER,
  SUBSYSTEM_EFI_RUNTIME_DRIVER,
  SectionHeader,
  readBaseRelocations,
  readPe,
  type PeImage,
} from '../pe.js';

export interface LoadedPeImage {
  pe: PeImage;
  base: number;
  size: number;
  entry: number;
  /** base - ImageBase: what the relocations added. */
  delta: number;
  relocationsApplied: number;
  codeType: number;
  dataType: number;
}

const ONE_MIB = 0x100000;

const MACHINE_FOR_ARCH = { x86_64: IMAGE_FILE_MACHINE_AMD64, aarch64: IMAGE_FILE_MACHINE_ARM64 } as const;

/** Memory types of an image by subsystem (UEFI 2.10, LoadImage; EDK2 CoreLoadPeImage). */
function imageMemoryTypes(subsystem: number): [code: number, data: number] | undefined {
  switch (subsystem) {
    case SUBSYSTEM_EFI_APPLICATION:
      return [EfiLoaderCode, EfiLoaderData];
    case SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER:
      return [EfiBootServicesCode, EfiBootServicesData];
    case SUBSYSTEM_EFI_RUNTIME_DRIVER:
      return [EfiRuntimeServicesCode, EfiRuntimeServicesData];
    default:
      return undefined;
  }
}

export function loadPeImage(bus: PhysicalBus, memory: FirmwareMemoryMap, bytes: Uint8Array, file: string, arch: keyof typeof MACHINE_FOR_ARCH): LoadedPeImage {
  const pe = readPe(bytes, file);
  const coffAt = pe.peOffset + PeSignature.size;
  const optAt = pe.optionalHeaderOffset;
  if (pe.coff.Machine !== MACHINE_FOR_ARCH[arch]) {
    throw new PeError(file, coffAt + CoffHeader.offsetOf('Machine'), 'IMAGE_FILE_HEADER.Machine', `is ${hex(pe.coff.Machine, 4)}, this ${arch} firmware loads ${hex(MACHINE_FOR_ARCH[arch], 4)} images only`);
  }
  if (pe.format !== 'PE32+') {
    throw new PeError(file, optAt, 'IMAGE_OPTIONAL_HEADER.Magic', `is a PE32 image; a 64-bit UEFI firmware needs PE32+ (0x20b)`);
  }
  const types = imageMemoryTypes(pe.optional.Subsystem);
  if (!types) {
    throw new PeError(file, optAt + OptionalHeader64.offsetOf('Subsystem'), 'IMAGE_OPTIONAL_HEADER.Subsystem', `is ${pe.optional.Subsystem}, not an EFI application (10), boot service driver (11) or runtime driver (12)`);
  }
  for (const s of pe.sections) {
    // EDK2 refuses sections that overlap the headers (e.g. a section at RVA 0): EFI_UNSUPPORTED.
    if (s.VirtualSize + s.SizeOfRawData > 0 && s.VirtualAddress < pe.optional.SizeOfHeaders) {
      throw new PeError(file, s.headerOffset + SectionHeader.offsetOf('VirtualAddress'), `IMAGE_SECTION_HEADER[${s.index}].VirtualAddress`, `section ${JSON.stringify(s.Name)} at RVA ${hex(s.VirtualAddress)} overlaps the headers (SizeOfHeaders ${hex(pe.optional.SizeOfHeaders)})`);
    }
  }
  const size = pe.optional.SizeOfImage;
  const pages = Math.ceil(size / EFI_PAGE_SIZE);
  const imageBase = Number(pe.optional.ImageBase);
  const stripped = (pe.coff.Characteristics & IMAGE_FILE_RELOCS_STRIPPED) !== 0;
  const [codeType, dataType] = types;
  let base: number | undefined;
  if (imageBase >= ONE_MIB && imageBase % EFI_PAGE_SIZE === 0 && Number.isSafeInteger(imageBase)) {
    base = memory.allocatePages(codeType, pages, { kind: 'address', address: imageBase });
  }
  if (base === undefined) {
    if (stripped) {
      throw new PeError(file, coffAt + CoffHeader.offsetOf('Characteristics'), 'IMAGE_FILE_HEADER.Characteristics', `relocations are stripped and ImageBase ${hex(imageBase)} is not free memory`);
    }
    const align = Math.max(EFI_PAGE_SIZE, pe.optional.SectionAlignment);
    base = memory.allocatePages(codeType, Math.ceil((size + align - EFI_PAGE_SIZE) / EFI_PAGE_SIZE));
    if (base === undefined) throw new PeError(file, optAt + OptionalHeader64.offsetOf('SizeOfImage'), 'IMAGE_OPTIONAL_HEADER.SizeOfImage', `no free memory for ${hex(size)} bytes`);
    base = Math.ceil(base / align) * align;
  }
  const image = new Uint8Array(size);
  image.set(bytes.subarray(0, Math.min(pe.optional.SizeOfHeaders, bytes.length, size)));
  for (const s of pe.sections) {
    const raw = Math.min(s.SizeOfRawData, s.VirtualSize || s.SizeOfRawData);
    if (raw > 0) image.set(bytes.subarray(s.PointerToRawData, s.PointerToRawData + raw), s.VirtualAddress);
  }
  const delta = base - imageBase;
  let relocationsApplied = 0;
  if (delta !== 0) {
    const view = viewOf(image);
    const d = BigInt(delta);
    for (const block of readBaseRelocations(pe, bytes)) {
      for (const e of block.entries) {
        const at = block.pageRva + e.offset;
        if (e.type === IMAGE_REL_BASED_ABSOLUTE) continue;
        if (at + (e.type === IMAGE_REL_BASED_DIR64 ? 8 : 4) > size) {
          throw new PeError(file, block.offset, 'IMAGE_BASE_RELOCATION', `relocation at RVA ${hex(at)} lies outside SizeOfImage ${hex(size)}`);
        }
        if (e.type === IMAGE_REL_BASED_DIR64) view.setBigUint64(at, BigInt.asUintN(64, view.getBigUint64(at, true) + d), true);
        else if (e.type === IMAGE_REL_BASED_HIGHLOW) view.setUint32(at, (view.getUint32(at, true) + delta) >>> 0, true);
        else throw new PeError(file, block.offset, 'IMAGE_BASE_RELOCATION', `relocation type ${e.type} at RVA ${hex(at)} is not supported on ${arch}`);
        relocationsApplied++;
      }
    }
  }
  bus.writeBytes(base, image);
  return { pe, base, size, entry: base + pe.optional.AddressOfEntryPoint, delta, relocationsApplied, codeType, dataType };
}
