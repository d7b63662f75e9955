/**
 * The loader stub's info block (loader/stub/x86_64/entry.S, `stub_info`, at offset 0x10 of the stub's
 * protected-mode part). The composer fills it in; the stub finds its payload catalog through it, and
 * `inspect` recognises a mono-image by it.
 */
import { defineStruct, type StructValue, viewOf } from '../common/struct.js';

export const STUB_INFO_MAGIC = 'NOVASTUB';
export const STUB_INFO_VERSION = 1;

export const StubInfo = defineStruct('nova_stub_info', 32, {
  magic: [0x00, ['ascii', 8]],
  version: [0x08, 'u32'],
  /** File offset S of the stub's protected-mode part (the 32-bit entry, code32_start). */
  pm_file_offset: [0x0c, 'u32'],
  catalog_offset: [0x10, 'u32'],
  catalog_size: [0x14, 'u32'],
  file_size: [0x18, 'u32'],
  reserved: [0x1c, 'u32'],
});

/** Where the stub's protected-mode part may start: page-aligned, within the first 64 KiB. */
const SEARCH_LIMIT = 0x10000;
const PART_ALIGN = 0x1000;
export const STUB_INFO_OFFSET_IN_PART = 0x10;

export function findStubInfo(bytes: Uint8Array, file: string): { offset: number; value: StructValue<typeof StubInfo.fields> } | undefined {
  const view = viewOf(bytes);
  for (let part = PART_ALIGN; part < SEARCH_LIMIT; part += PART_ALIGN) {
    const at = part + STUB_INFO_OFFSET_IN_PART;
    if (at + StubInfo.size > bytes.length) break;
    if (Buffer.from(bytes.subarray(at, at + 8)).toString('latin1') !== STUB_INFO_MAGIC) continue;
    const value = StubInfo.read(view, at, file);
    if (value.pm_file_offset !== part) continue;
    return { offset: at, value };
  }
  return undefined;
}
