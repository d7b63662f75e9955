/**
 * The arm64 Linux `Image` header (Documentation/arch/arm64/booting.rst): 64 bytes at the start of the
 * image. code0/code1 are the first instructions (for an EFI-capable image code0 is "MZ" plus a branch);
 * res5 holds the offset of the PE header for EFI stub images.
 */
import { defineStruct, hex, viewOf, type StructValue } from '../../common/struct.js';
import { Arm64ImageError } from './errors.js';

export const ARM64_IMAGE_MAGIC = 0x644d5241; // "ARM\x64" little-endian

export const Arm64ImageHeader = defineStruct('arm64_image_header', 64, {
  code0: [0x00, 'u32'],
  code1: [0x04, 'u32'],
  text_offset: [0x08, 'u64'],
  image_size: [0x10, 'u64'],
  flags: [0x18, 'u64'],
  res2: [0x20, 'u64'],
  res3: [0x28, 'u64'],
  res4: [0x30, 'u64'],
  magic: [0x38, 'u32'],
  res5: [0x3c, 'u32'],
});
export type Arm64ImageHeaderValue = StructValue<typeof Arm64ImageHeader.fields>;

/** flags bit 0: kernel endianness (1 = big-endian). */
export const ARM64_FLAG_BE = 1n;
/** flags bits 1-2: page size (0 unspecified, 1 = 4K, 2 = 16K, 3 = 64K). */
export const ARM64_FLAG_PAGE_SIZE_SHIFT = 1n;
/** flags bit 3: 1 = may be placed anywhere in memory, 0 = 2 MiB aligned near the start of DRAM. */
export const ARM64_FLAG_PHYS_ANYWHERE = 8n;

export const ARM64_PAGE_SIZES = ['unspecified', '4K', '16K', '64K'] as const;

export interface Arm64ImageInfo {
  header: Arm64ImageHeaderValue;
  bigEndian: boolean;
  pageSize: (typeof ARM64_PAGE_SIZES)[number];
  physAnywhere: boolean;
  /** res5 when code0 starts with "MZ" (an EFI stub image), otherwise undefined. */
  peOffset?: number;
}

export function hasArm64ImageHeader(bytes: Uint8Array): boolean {
  return bytes.length >= 64 && viewOf(bytes).getUint32(0x38, true) === ARM64_IMAGE_MAGIC;
}

export function readArm64ImageHeader(bytes: Uint8Array, file: string): Arm64ImageInfo {
  if (bytes.length < Arm64ImageHeader.size) {
    throw new Arm64ImageError(file, bytes.length, 'arm64_image_header', `truncated: the header needs 64 bytes, file has ${bytes.length}`);
  }
  const header = Arm64ImageHeader.read(viewOf(bytes), 0, file);
  if (header.magic !== ARM64_IMAGE_MAGIC) {
    throw new Arm64ImageError(file, 0x38, 'arm64_image_header.magic', `is ${hex(header.magic, 8)}, expected 0x644d5241 ("ARM\\x64")`);
  }
  const isMz = (header.code0 & 0xffff) === 0x5a4d;
  if (isMz && header.res5 !== 0 && header.res5 + 4 > bytes.length) {
    throw new Arm64ImageError(file, 0x3c, 'arm64_image_header.res5', `PE header offset ${hex(header.res5)} lies outside the file`);
  }
  return {
    header,
    bigEndian: (header.flags & ARM64_FLAG_BE) !== 0n,
    pageSize: ARM64_PAGE_SIZES[Number((header.flags >> ARM64_FLAG_PAGE_SIZE_SHIFT) & 3n)]!,
    physAnywhere: (header.flags & ARM64_FLAG_PHYS_ANYWHERE) !== 0n,
    peOffset: isMz && header.res5 !== 0 ? header.res5 : undefined,
  };
}

/** The 64-byte header; magic is always set. */
export function encodeArm64ImageHeader(values: Partial<Arm64ImageHeaderValue>): Uint8Array {
  return Arm64ImageHeader.encode({ ...values, magic: ARM64_IMAGE_MAGIC });
}
