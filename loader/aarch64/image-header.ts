/**
 * Fills the arm64 `Image` header (table: boot/bzimage/arm64-image.ts) of the aarch64 mono-image. The two
 * instruction words are what make the file an Image and an EFI application at once, as Linux does it.
 */
import { hex, type Struct } from '../../common/struct.js';
import {
  ARM64_FLAG_PAGE_SIZE_SHIFT,
  ARM64_FLAG_PHYS_ANYWHERE,
  ARM64_IMAGE_MAGIC,
  Arm64ImageHeader,
} from '../../boot/bzimage/arm64-image.js';

/** `add x13, x18, #0x16`: harmless, and its little-endian bytes start with "MZ" (0x4d 0x5a). */
export const MZ_INSTRUCTION = 0x91005a4d;
/** Page-size field value for 4 KiB pages. */
const PAGE_SIZE_4K = 1n;
/** The Image may sit at any 2 MiB-aligned base in RAM (plus text_offset): our stub is position independent. */
export const AARCH64_IMAGE_FLAGS = (PAGE_SIZE_4K << ARM64_FLAG_PAGE_SIZE_SHIFT) | ARM64_FLAG_PHYS_ANYWHERE;
/** Offset from a 2 MiB-aligned base; 0 as in Linux since 5.8. */
export const AARCH64_TEXT_OFFSET = 0n;

/** `B target` placed at `from` (imm26 words, +-128 MiB). */
export function branchInstruction(from: number, target: number): number {
  const delta = target - from;
  if (delta % 4 !== 0 || delta < -(1 << 27) || delta >= 1 << 27) throw new RangeError(`branch from ${hex(from)} to ${hex(target)} out of range`);
  return (0x14000000 | ((delta / 4) & 0x03ff_ffff)) >>> 0;
}

export interface Arm64ImageFields {
  /** File offset of the Linux entry point (code1 branches there). */
  entryOffset: number;
  /** Bytes the loader must provide from the load address: the whole file (no bss beyond it). */
  imageSize: number;
  /** res5: offset of the PE signature. */
  peOffset: number;
}

export function writeArm64ImageHeader(view: DataView, f: Arm64ImageFields): void {
  const header: Struct<typeof Arm64ImageHeader.fields> = Arm64ImageHeader;
  header.write(view, 0, {
    code0: MZ_INSTRUCTION,
    code1: branchInstruction(4, f.entryOffset),
    text_offset: AARCH64_TEXT_OFFSET,
    image_size: BigInt(f.imageSize),
    flags: AARCH64_IMAGE_FLAGS,
    res2: 0n,
    res3: 0n,
    res4: 0n,
    magic: ARM64_IMAGE_MAGIC,
    res5: f.peOffset,
  });
}
