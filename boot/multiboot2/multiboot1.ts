/**
 * Multiboot (v1, specification 0.6.96) header reader, for `inspect` and for kernels such as NOVA and tboot
 * that carry both headers. The header is 4-byte aligned within the first 8 KiB.
 */
import { defineStruct, hex, viewOf } from '../../common/struct.js';
import { Multiboot1Error } from './errors.js';

export const MULTIBOOT1_HEADER_MAGIC = 0x1badb002;
export const MULTIBOOT1_BOOTLOADER_MAGIC = 0x2badb002;
export const MULTIBOOT1_SEARCH = 8192;

/** Header flag bits. */
export const MB1_PAGE_ALIGN = 1 << 0;
export const MB1_MEMORY_INFO = 1 << 1;
export const MB1_VIDEO_MODE = 1 << 2;
export const MB1_AOUT_KLUDGE = 1 << 16;

export const MB1_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [MB1_PAGE_ALIGN, 'page-align modules'],
  [MB1_MEMORY_INFO, 'memory info'],
  [MB1_VIDEO_MODE, 'video mode'],
  [MB1_AOUT_KLUDGE, 'address fields (a.out kludge)'],
];

export const Mb1Header = defineStruct('multiboot_header', 48, {
  magic: [0x00, 'u32'],
  flags: [0x04, 'u32'],
  checksum: [0x08, 'u32'],
  header_addr: [0x0c, 'u32'],
  load_addr: [0x10, 'u32'],
  load_end_addr: [0x14, 'u32'],
  bss_end_addr: [0x18, 'u32'],
  entry_addr: [0x1c, 'u32'],
  mode_type: [0x20, 'u32'],
  width: [0x24, 'u32'],
  height: [0x28, 'u32'],
  depth: [0x2c, 'u32'],
});

export interface Multiboot1Header {
  offset: number;
  flags: number;
  checksum: number;
  /** Present when flags bit 16 is set. */
  address?: { headerAddr: number; loadAddr: number; loadEndAddr: number; bssEndAddr: number; entryAddr: number };
  /** Present when flags bit 2 is set. */
  video?: { modeType: number; width: number; height: number; depth: number };
}

/** Finds the first magic with a valid checksum in the first 8 KiB; undefined when there is none. */
export function findMultiboot1Header(bytes: Uint8Array, file: string): Multiboot1Header | undefined {
  const view = viewOf(bytes);
  const limit = Math.min(bytes.length, MULTIBOOT1_SEARCH);
  for (let at = 0; at + 12 <= limit; at += 4) {
    if (view.getUint32(at, true) !== MULTIBOOT1_HEADER_MAGIC) continue;
    const flags = view.getUint32(at + 4, true);
    const checksum = view.getUint32(at + 8, true);
    if (((MULTIBOOT1_HEADER_MAGIC + flags + checksum) >>> 0) !== 0) continue;
    const need = flags & MB1_VIDEO_MODE ? 48 : flags & MB1_AOUT_KLUDGE ? 32 : 12;
    if (at + need > bytes.length) {
      throw new Multiboot1Error(file, at, 'multiboot_header', `flags ${hex(flags)} need ${need} header bytes, file ends at ${hex(bytes.length)}`);
    }
    const padded = new Uint8Array(Mb1Header.size);
    padded.set(bytes.subarray(at, at + need));
    const h = Mb1Header.read(viewOf(padded), 0, file);
    const out: Multiboot1Header = { offset: at, flags, checksum };
    if (flags & MB1_AOUT_KLUDGE) {
      out.address = { headerAddr: h.header_addr, loadAddr: h.load_addr, loadEndAddr: h.load_end_addr, bssEndAddr: h.bss_end_addr, entryAddr: h.entry_addr };
    }
    if (flags & MB1_VIDEO_MODE) out.video = { modeType: h.mode_type, width: h.width, height: h.height, depth: h.depth };
    return out;
  }
  return undefined;
}
