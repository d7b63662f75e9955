/**
 * The aarch64 stub's info block (loader/stub/aarch64/entry.S `stub_info`, 0x10 bytes into the stub). Same
 * layout as the x86_64 block (loader/stub-info.ts), so `findStubInfo`/`readCatalog` recognise both images;
 * the last word carries the aarch64 launch flags where x86_64 has a reserved word.
 */
import { defineStruct } from '../../common/struct.js';

export const Aarch64StubInfo = defineStruct('nova_stub_info_aarch64', 32, {
  magic: [0x00, ['ascii', 8]],
  version: [0x08, 'u32'],
  /** File offset of the stub (its jump table), page aligned. */
  stub_offset: [0x0c, 'u32'],
  catalog_offset: [0x10, 'u32'],
  catalog_size: [0x14, 'u32'],
  file_size: [0x18, 'u32'],
  flags: [0x1c, 'u32'],
});

/** flags bit 0: NOVA's legacy aarch64 launch (X0 = FDT, X1 = root task ELF) instead of Multiboot2. */
export const STUB_FLAG_LEGACY_LAUNCH = 1;
