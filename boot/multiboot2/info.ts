/**
 * Multiboot2 boot information structure (specification 2.0, section 3.6): writer and reader for every tag
 * GRUB emits. Layout: total_size, reserved, then tags (type u32, size u32, body), each starting 8-byte
 * aligned, closed by an end tag. Each tag's fixed part is one table; variable tails (strings, memory-map
 * entries, palettes, raw blobs such as the RSDP copy) are described per tag in INFO_TAG_LAYOUT.
 */
import { defineStruct, hex, viewOf, type StructValue } from '../../common/struct.js';
import { Multiboot2Error } from './errors.js';

export const INFO_END = 0;
export const INFO_CMDLINE = 1;
export const INFO_BOOT_LOADER_NAME = 2;
export const INFO_MODULE = 3;
export const INFO_BASIC_MEMINFO = 4;
export const INFO_BOOTDEV = 5;
export const INFO_MMAP = 6;
export const INFO_VBE = 7;
export const INFO_FRAMEBUFFER = 8;
export const INFO_ELF_SECTIONS = 9;
export const INFO_APM = 10;
export const INFO_EFI32 = 11;
export const INFO_EFI64 = 12;
export const INFO_SMBIOS = 13;
export const INFO_ACPI_OLD = 14;
export const INFO_ACPI_NEW = 15;
export const INFO_NETWORK = 16;
export const INFO_EFI_MMAP = 17;
export const INFO_EFI_BS = 18;
export const INFO_EFI32_IH = 19;
export const INFO_EFI64_IH = 20;
export const INFO_LOAD_BASE_ADDR = 21;

/** Memory-map entry types (tag 6). */
export const MMAP_AVAILABLE = 1;
export const MMAP_RESERVED = 2;
export const MMAP_ACPI_RECLAIMABLE = 3;
export const MMAP_NVS = 4;
export const MMAP_BADRAM = 5;

export const FRAMEBUFFER_TYPE_INDEXED = 0;
export const FRAMEBUFFER_TYPE_RGB = 1;
export const FRAMEBUFFER_TYPE_EGA_TEXT = 2;

export const Mb2InfoHeader = defineStruct('multiboot2_info', 8, {
  total_size: [0x00, 'u32'],
  reserved: [0x04, 'u32'],
});

export const Mb2InfoTagHead = defineStruct('multiboot2_tag', 8, {
  type: [0x00, 'u32'],
  size: [0x04, 'u32'],
});

export const Mb2MmapEntry = defineStruct('multiboot2_mmap_entry', 24, {
  addr: [0x00, 'u64'],
  len: [0x08, 'u64'],
  type: [0x10, 'u32'],
  zero: [0x14, 'u32'],
});

export const Mb2PaletteEntry = defineStruct('multiboot2_color', 3, {
  red: [0x00, 'u8'],
  green: [0x01, 'u8'],
  blue: [0x02, 'u8'],
});

export const Mb2RgbColorInfo = defineStruct('multiboot2_framebuffer_rgb', 6, {
  red_field_position: [0x00, 'u8'],
  red_mask_size: [0x01, 'u8'],
  green_field_position: [0x02, 'u8'],
  green_mask_size: [0x03, 'u8'],
  blue_field_position: [0x04, 'u8'],
  blue_mask_size: [0x05, 'u8'],
});

/** Fixed parts of each tag; offsets from the start of the tag (the 8-byte head comes first). */
export const INFO_TAG_TABLES = {
  [INFO_CMDLINE]: defineStruct('multiboot2_tag_cmdline', 8, {}),
  [INFO_BOOT_LOADER_NAME]: defineStruct('multiboot2_tag_boot_loader_name', 8, {}),
  [INFO_MODULE]: defineStruct('multiboot2_tag_module', 16, { mod_start: [0x08, 'u32'], mod_end: [0x0c, 'u32'] }),
  [INFO_BASIC_MEMINFO]: defineStruct('multiboot2_tag_basic_meminfo', 16, { mem_lower: [0x08, 'u32'], mem_upper: [0x0c, 'u32'] }),
  [INFO_BOOTDEV]: defineStruct('multiboot2_tag_bootdev', 20, { biosdev: [0x08, 'u32'], slice: [0x0c, 'u32'], part: [0x10, 'u32'] }),
  [INFO_MMAP]: defineStruct('multiboot2_tag_mmap', 16, { entry_size: [0x08, 'u32'], entry_version: [0x0c, 'u32'] }),
  [INFO_VBE]: defineStruct('multiboot2_tag_vbe', 784, {
    vbe_mode: [0x08, 'u16'],
    vbe_interface_seg: [0x0a, 'u16'],
    vbe_interface_off: [0x0c, 'u16'],
    vbe_interface_len: [0x0e, 'u16'],
    vbe_control_info: [0x10, ['bytes', 512]],
    vbe_mode_info: [0x210, ['bytes', 256]],
  }),
  [INFO_FRAMEBUFFER]: defineStruct('multiboot2_tag_framebuffer', 32, {
    framebuffer_addr: [0x08, 'u64'],
    framebuffer_pitch: [0x10, 'u32'],
    framebuffer_width: [0x14, 'u32'],
    framebuffer_height: [0x18, 'u32'],
    framebuffer_bpp: [0x1c, 'u8'],
    framebuffer_type: [0x1d, 'u8'],
    reserved: [0x1e, 'u16'],
  }),
  [INFO_ELF_SECTIONS]: defineStruct('multiboot2_tag_elf_sections', 20, { num: [0x08, 'u32'], entsize: [0x0c, 'u32'], shndx: [0x10, 'u32'] }),
  [INFO_APM]: defineStruct('multiboot2_tag_apm', 28, {
    version: [0x08, 'u16'],
    cseg: [0x0a, 'u16'],
    offset: [0x0c, 'u32'],
    cseg_16: [0x10, 'u16'],
    dseg: [0x12, 'u16'],
    flags: [0x14, 'u16'],
    cseg_len: [0x16, 'u16'],
    cseg_16_len: [0x18, 'u16'],
    dseg_len: [0x1a, 'u16'],
  }),
  [INFO_EFI32]: defineStruct('multiboot2_tag_efi32', 12, { pointer: [0x08, 'u32'] }),
  [INFO_EFI64]: defineStruct('multiboot2_tag_efi64', 16, { pointer: [0x08, 'u64'] }),
  [INFO_SMBIOS]: defineStruct('multiboot2_tag_smbios', 16, { major: [0x08, 'u8'], minor: [0x09, 'u8'], reserved: [0x0a, ['bytes', 6]] }),
  [INFO_ACPI_OLD]: defineStruct('multiboot2_tag_old_acpi', 8, {}),
  [INFO_ACPI_NEW]: defineStruct('multiboot2_tag_new_acpi', 8, {}),
  [INFO_NETWORK]: defineStruct('multiboot2_tag_network', 8, {}),
  [INFO_EFI_MMAP]: defineStruct('multiboot2_tag_efi_mmap', 16, { descr_size: [0x08, 'u32'], descr_vers: [0x0c, 'u32'] }),
  [INFO_EFI_BS]: defineStruct('multiboot2_tag_efi_bs_not_terminated', 8, {}),
  [INFO_EFI32_IH]: defineStruct('multiboot2_tag_efi32_ih', 12, { pointer: [0x08, 'u32'] }),
  [INFO_EFI64_IH]: defineStruct('multiboot2_tag_efi64_ih', 16, { pointer: [0x08, 'u64'] }),
  [INFO_LOAD_BASE_ADDR]: defineStruct('multiboot2_tag_load_base_addr', 12, { load_base_addr: [0x08, 'u32'] }),
} as const;

export type InfoTagType = keyof typeof INFO_TAG_TABLES;

export type FramebufferColor =
  | { kind: 'indexed'; palette: Array<StructValue<typeof Mb2PaletteEntry.fields>> }
  | ({ kind: 'rgb' } & StructValue<typeof Mb2RgbColorInfo.fields>)
  | { kind: 'ega-text' };

/** What follows each tag's fixed part. */
interface TailFields {
  [INFO_CMDLINE]: { string: string };
  [INFO_BOOT_LOADER_NAME]: { string: string };
  [INFO_MODULE]: { string: string };
  [INFO_MMAP]: { entries: Array<StructValue<typeof Mb2MmapEntry.fields>> };
  [INFO_FRAMEBUFFER]: { color: FramebufferColor };
  [INFO_ELF_SECTIONS]: { sections: Uint8Array };
  [INFO_SMBIOS]: { tables: Uint8Array };
  [INFO_ACPI_OLD]: { rsdp: Uint8Array };
  [INFO_ACPI_NEW]: { rsdp: Uint8Array };
  [INFO_NETWORK]: { dhcpack: Uint8Array };
  [INFO_EFI_MMAP]: { efi_mmap: Uint8Array };
}
type Tail<T extends InfoTagType> = T extends keyof TailFields ? TailFields[T] : unknown;

export type Mb2InfoTag = {
  [T in InfoTagType]: { type: T } & StructValue<(typeof INFO_TAG_TABLES)[T]['fields']> & Tail<T>;
}[InfoTagType];

/** A tag of the given type, e.g. `InfoTagOf<typeof INFO_MODULE>`. */
export type InfoTagOf<T extends InfoTagType> = Extract<Mb2InfoTag, { type: T }>;

type TailKind = 'none' | 'string' | 'mmap' | 'framebuffer' | { bytes: string };

/** The tail layout per tag type: the one place that says which tags carry what after their fixed part. */
export const INFO_TAG_LAYOUT: Readonly<Record<InfoTagType, TailKind>> = {
  [INFO_CMDLINE]: 'string',
  [INFO_BOOT_LOADER_NAME]: 'string',
  [INFO_MODULE]: 'string',
  [INFO_BASIC_MEMINFO]: 'none',
  [INFO_BOOTDEV]: 'none',
  [INFO_MMAP]: 'mmap',
  [INFO_VBE]: 'none',
  [INFO_FRAMEBUFFER]: 'framebuffer',
  [INFO_ELF_SECTIONS]: { bytes: 'sections' },
  [INFO_APM]: 'none',
  [INFO_EFI32]: 'none',
  [INFO_EFI64]: 'none',
  [INFO_SMBIOS]: { bytes: 'tables' },
  [INFO_ACPI_OLD]: { bytes: 'rsdp' },
  [INFO_ACPI_NEW]: { bytes: 'rsdp' },
  [INFO_NETWORK]: { bytes: 'dhcpack' },
  [INFO_EFI_MMAP]: { bytes: 'efi_mmap' },
  [INFO_EFI_BS]: 'none',
  [INFO_EFI32_IH]: 'none',
  [INFO_EFI64_IH]: 'none',
  [INFO_LOAD_BASE_ADDR]: 'none',
};

export const INFO_TAG_NAMES: Readonly<Record<number, string>> = {
  [INFO_END]: 'end',
  [INFO_CMDLINE]: 'command line',
  [INFO_BOOT_LOADER_NAME]: 'boot loader name',
  [INFO_MODULE]: 'module',
  [INFO_BASIC_MEMINFO]: 'basic memory info',
  [INFO_BOOTDEV]: 'BIOS boot device',
  [INFO_MMAP]: 'memory map',
  [INFO_VBE]: 'VBE info',
  [INFO_FRAMEBUFFER]: 'framebuffer info',
  [INFO_ELF_SECTIONS]: 'ELF sections',
  [INFO_APM]: 'APM table',
  [INFO_EFI32]: 'EFI 32-bit system table',
  [INFO_EFI64]: 'EFI 64-bit system table',
  [INFO_SMBIOS]: 'SMBIOS tables',
  [INFO_ACPI_OLD]: 'ACPI old RSDP',
  [INFO_ACPI_NEW]: 'ACPI new RSDP',
  [INFO_NETWORK]: 'networking info',
  [INFO_EFI_MMAP]: 'EFI memory map',
  [INFO_EFI_BS]: 'EFI boot services not terminated',
  [INFO_EFI32_IH]: 'EFI 32-bit image handle',
  [INFO_EFI64_IH]: 'EFI 64-bit image handle',
  [INFO_LOAD_BASE_ADDR]: 'image load base physical address',
};

export interface Mb2UnknownInfoTag {
  type: number;
  offset: number;
  body: Uint8Array;
}

export interface Multiboot2Info {
  totalSize: number;
  /** Known tags in order, without the end tag; `offsets[i]` is the offset of `tags[i]` in the input. */
  tags: Mb2InfoTag[];
  offsets: number[];
  unknownTags: Mb2UnknownInfoTag[];
}

const isKnown = (type: number): type is InfoTagType => Object.hasOwn(INFO_TAG_TABLES, type);
const align8 = (n: number) => (n + 7) & ~7;

function encodeTail(tag: Mb2InfoTag, kind: TailKind): Uint8Array {
  const t = tag as unknown as Record<string, unknown>;
  if (kind === 'none') return new Uint8Array(0);
  if (kind === 'string') return new Uint8Array(Buffer.from(`${t.string as string}\0`, 'latin1'));
  if (kind === 'mmap') {
    const entries = t.entries as Array<StructValue<typeof Mb2MmapEntry.fields>>;
    const entrySize = t.entry_size as number;
    if (entrySize < Mb2MmapEntry.size) throw new RangeError(`mmap entry_size ${entrySize} < ${Mb2MmapEntry.size}`);
    const out = new Uint8Array(entries.length * entrySize);
    entries.forEach((e, i) => Mb2MmapEntry.write(viewOf(out), i * entrySize, e));
    return out;
  }
  if (kind === 'framebuffer') {
    const color = t.color as FramebufferColor;
    if (color.kind === 'indexed') {
      const out = new Uint8Array(2 + 3 * color.palette.length);
      viewOf(out).setUint16(0, color.palette.length, true);
      color.palette.forEach((c, i) => Mb2PaletteEntry.write(viewOf(out), 2 + 3 * i, c));
      return out;
    }
    if (color.kind === 'rgb') {
      const { kind: _kind, ...fields } = color;
      return Mb2RgbColorInfo.encode(fields);
    }
    return new Uint8Array(0);
  }
  return t[kind.bytes] as Uint8Array;
}

/** Encodes a complete information structure (header, tags in the given order, end tag). */
export function encodeMultiboot2Info(tags: readonly Mb2InfoTag[]): Uint8Array {
  const parts: Uint8Array[] = tags.map((tag) => {
    const table = INFO_TAG_TABLES[tag.type];
    const { type: _type, ...rest } = tag as unknown as Record<string, unknown>;
    const fixedFields = Object.fromEntries(Object.entries(rest).filter(([k]) => k in table.fields));
    const fixed = (table.encode as (v: object) => Uint8Array)(fixedFields);
    const tail = encodeTail(tag, INFO_TAG_LAYOUT[tag.type]);
    const body = new Uint8Array(fixed.length + tail.length);
    body.set(fixed);
    body.set(tail, fixed.length);
    Mb2InfoTagHead.write(viewOf(body), 0, { type: tag.type, size: body.length });
    return body;
  });
  parts.push(Mb2InfoTagHead.encode({ type: INFO_END, size: 8 }));
  const total = Mb2InfoHeader.size + parts.reduce((n, p) => n + align8(p.length), 0);
  const out = new Uint8Array(total);
  Mb2InfoHeader.write(viewOf(out), 0, { total_size: total, reserved: 0 });
  let pos = Mb2InfoHeader.size;
  for (const p of parts) {
    out.set(p, pos);
    pos += align8(p.length);
  }
  return out;
}

/** Reads the information structure at `at` (default 0) of `bytes`; offsets in errors are relative to `bytes`. */
export function readMultiboot2Info(bytes: Uint8Array, file: string, at = 0): Multiboot2Info {
  const view = viewOf(bytes);
  if (at + Mb2InfoHeader.size > bytes.length) {
    throw new Multiboot2Error(file, at, 'multiboot2_info.total_size', `truncated: header needs 8 bytes at ${hex(at)}`);
  }
  const { total_size: totalSize } = Mb2InfoHeader.read(view, at, file);
  if (totalSize < 16 || at + totalSize > bytes.length) {
    throw new Multiboot2Error(file, at, 'multiboot2_info.total_size', `${totalSize} is below 16 or runs past the end of the data (${hex(bytes.length - at)} bytes)`);
  }
  const end = at + totalSize;
  const tags: Mb2InfoTag[] = [];
  const offsets: number[] = [];
  const unknownTags: Mb2UnknownInfoTag[] = [];
  let pos = at + Mb2InfoHeader.size;
  for (;;) {
    if (pos + Mb2InfoTagHead.size > end) {
      throw new Multiboot2Error(file, pos, 'multiboot2_tag', `no end tag before total_size ends at ${hex(end)}`);
    }
    const head = Mb2InfoTagHead.read(view, pos, file);
    const name = `multiboot2_tag[${INFO_TAG_NAMES[head.type] ?? head.type}]`;
    if (head.size < Mb2InfoTagHead.size || pos + head.size > end) {
      throw new Multiboot2Error(file, pos + 4, `${name}.size`, `${head.size} does not fit between ${hex(pos)} and ${hex(end)}`);
    }
    if (head.type === INFO_END) break;
    if (!isKnown(head.type)) {
      unknownTags.push({ type: head.type, offset: pos, body: bytes.slice(pos + 8, pos + head.size) });
    } else {
      const table = INFO_TAG_TABLES[head.type];
      if (head.size < table.size) {
        throw new Multiboot2Error(file, pos + 4, `${name}.size`, `${head.size} is smaller than the tag's fixed part (${table.size})`);
      }
      const fixed = table.read(view, pos, file) as Record<string, unknown>;
      const tail = decodeTail(bytes, file, pos, head.size, table.size, INFO_TAG_LAYOUT[head.type], fixed, name);
      tags.push({ type: head.type, ...fixed, ...tail } as Mb2InfoTag);
      offsets.push(pos);
    }
    pos += align8(head.size);
  }
  return { totalSize, tags, offsets, unknownTags };
}

function decodeTail(
  bytes: Uint8Array,
  file: string,
  pos: number,
  size: number,
  fixedSize: number,
  kind: TailKind,
  fixed: Record<string, unknown>,
  name: string,
): Record<string, unknown> {
  const start = pos + fixedSize;
  const end = pos + size;
  const view = viewOf(bytes);
  if (kind === 'none') return {};
  if (kind === 'string') {
    const nul = bytes.subarray(start, end).indexOf(0);
    if (nul < 0) throw new Multiboot2Error(file, start, `${name}.string`, 'not NUL-terminated inside the tag');
    return { string: Buffer.from(bytes.subarray(start, start + nul)).toString('latin1') };
  }
  if (kind === 'mmap') {
    const entrySize = fixed.entry_size as number;
    if (entrySize < Mb2MmapEntry.size) {
      throw new Multiboot2Error(file, pos + 8, `${name}.entry_size`, `${entrySize} is smaller than an entry (${Mb2MmapEntry.size})`);
    }
    const entries = [];
    for (let e = start; e + entrySize <= end; e += entrySize) entries.push(Mb2MmapEntry.read(view, e, file));
    return { entries };
  }
  if (kind === 'framebuffer') {
    const fbType = fixed.framebuffer_type as number;
    if (fbType === FRAMEBUFFER_TYPE_INDEXED) {
      if (start + 2 > end) throw new Multiboot2Error(file, start, `${name}.framebuffer_palette_num_colors`, 'missing');
      const count = view.getUint16(start, true);
      if (start + 2 + 3 * count > end) {
        throw new Multiboot2Error(file, start, `${name}.framebuffer_palette_num_colors`, `${count} colours do not fit in the tag`);
      }
      const palette = [];
      for (let i = 0; i < count; i++) palette.push(Mb2PaletteEntry.read(view, start + 2 + 3 * i, file));
      return { color: { kind: 'indexed', palette } };
    }
    if (fbType === FRAMEBUFFER_TYPE_RGB) {
      if (start + Mb2RgbColorInfo.size > end) throw new Multiboot2Error(file, start, `${name}.color_info`, 'RGB colour info does not fit in the tag');
      return { color: { kind: 'rgb', ...Mb2RgbColorInfo.read(view, start, file) } };
    }
    return { color: { kind: 'ega-text' } };
  }
  return { [kind.bytes]: bytes.slice(start, end) };
}
