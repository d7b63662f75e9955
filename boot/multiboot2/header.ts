/**
 * Multiboot2 header (Multiboot2 specification 2.0, section 3.1): find, parse and encode.
 *
 * The header is 8-byte aligned inside the first 32 KiB of the image: magic, architecture, header_length,
 * checksum (the four add up to 0 mod 2^32), then tags, each 8-byte aligned, ending with an end tag.
 * Each fixed-size tag has one table below; the information-request tag carries a list of u32 tag types.
 */
import { defineStruct, hex, viewOf, type StructValue } from '../../common/struct.js';
import { Multiboot2Error } from './errors.js';

export const MULTIBOOT2_HEADER_MAGIC = 0xe85250d6;
/** The value a Multiboot2 loader passes in EAX. */
export const MULTIBOOT2_BOOTLOADER_MAGIC = 0x36d76289;
export const MULTIBOOT2_SEARCH = 32768;
export const MULTIBOOT2_HEADER_ALIGN = 8;

export const ARCH_I386 = 0;
export const ARCH_MIPS32 = 4;

// Header tag types.
export const END = 0;
export const INFORMATION_REQUEST = 1;
export const ADDRESS = 2;
export const ENTRY_ADDRESS = 3;
export const CONSOLE_FLAGS = 4;
export const FRAMEBUFFER = 5;
export const MODULE_ALIGN = 6;
export const EFI_BS = 7;
export const ENTRY_ADDRESS_EFI32 = 8;
export const ENTRY_ADDRESS_EFI64 = 9;
export const RELOCATABLE = 10;

/** Tag flags bit 0: the loader may ignore the tag when it does not support it. */
export const TAG_OPTIONAL = 1;

/** Relocatable-tag preference values. */
export const RELOCATABLE_PREFERENCE = { NONE: 0, LOW: 1, HIGH: 2 } as const;

/** Console-flags tag bits. */
export const CONSOLE_FLAGS_REQUIRED = 1;
export const CONSOLE_FLAGS_EGA_TEXT_SUPPORTED = 2;

export const HEADER_TAG_NAMES: Readonly<Record<number, string>> = {
  [END]: 'end',
  [INFORMATION_REQUEST]: 'information request',
  [ADDRESS]: 'address',
  [ENTRY_ADDRESS]: 'entry address',
  [CONSOLE_FLAGS]: 'console flags',
  [FRAMEBUFFER]: 'framebuffer',
  [MODULE_ALIGN]: 'module alignment',
  [EFI_BS]: 'EFI boot services',
  [ENTRY_ADDRESS_EFI32]: 'EFI i386 entry address',
  [ENTRY_ADDRESS_EFI64]: 'EFI amd64 entry address',
  [RELOCATABLE]: 'relocatable',
};

export const Mb2Header = defineStruct('multiboot2_header', 16, {
  magic: [0x00, 'u32'],
  architecture: [0x04, 'u32'],
  header_length: [0x08, 'u32'],
  checksum: [0x0c, 'u32'],
});

export const Mb2HeaderTagHead = defineStruct('multiboot2_header_tag', 8, {
  type: [0x00, 'u16'],
  flags: [0x02, 'u16'],
  size: [0x04, 'u32'],
});

/** Bodies of the fixed-size tags; offsets count from the start of the tag (the 8-byte head comes first). */
export const HEADER_TAG_TABLES = {
  [ADDRESS]: defineStruct('multiboot2_header_tag_address', 24, {
    header_addr: [0x08, 'u32'],
    load_addr: [0x0c, 'u32'],
    load_end_addr: [0x10, 'u32'],
    bss_end_addr: [0x14, 'u32'],
  }),
  [ENTRY_ADDRESS]: defineStruct('multiboot2_header_tag_entry_address', 12, { entry_addr: [0x08, 'u32'] }),
  [CONSOLE_FLAGS]: defineStruct('multiboot2_header_tag_console_flags', 12, { console_flags: [0x08, 'u32'] }),
  [FRAMEBUFFER]: defineStruct('multiboot2_header_tag_framebuffer', 20, {
    width: [0x08, 'u32'],
    height: [0x0c, 'u32'],
    depth: [0x10, 'u32'],
  }),
  [MODULE_ALIGN]: defineStruct('multiboot2_header_tag_module_align', 8, {}),
  [EFI_BS]: defineStruct('multiboot2_header_tag_efi_bs', 8, {}),
  [ENTRY_ADDRESS_EFI32]: defineStruct('multiboot2_header_tag_entry_address_efi32', 12, { entry_addr: [0x08, 'u32'] }),
  [ENTRY_ADDRESS_EFI64]: defineStruct('multiboot2_header_tag_entry_address_efi64', 12, { entry_addr: [0x08, 'u32'] }),
  [RELOCATABLE]: defineStruct('multiboot2_header_tag_relocatable', 24, {
    min_addr: [0x08, 'u32'],
    max_addr: [0x0c, 'u32'],
    align: [0x10, 'u32'],
    preference: [0x14, 'u32'],
  }),
} as const;

type FixedTagType = keyof typeof HEADER_TAG_TABLES;
type FixedTag<T extends FixedTagType> = { type: T; optional?: boolean } & StructValue<(typeof HEADER_TAG_TABLES)[T]['fields']>;

export type Mb2HeaderTag =
  | { [T in FixedTagType]: FixedTag<T> }[FixedTagType]
  | { type: typeof INFORMATION_REQUEST; optional?: boolean; requests: number[] };

/** A tag this codec does not know: kept with its raw body so `inspect` can still show it. */
export interface Mb2UnknownHeaderTag {
  type: number;
  optional: boolean;
  offset: number;
  body: Uint8Array;
}

export interface Multiboot2Header {
  /** File offset of the magic. */
  offset: number;
  architecture: number;
  headerLength: number;
  checksum: number;
  /** Known tags in file order, without the end tag; `offsets[i]` is the file offset of `tags[i]`. */
  tags: Mb2HeaderTag[];
  offsets: number[];
  unknownTags: Mb2UnknownHeaderTag[];
}

const isFixed = (type: number): type is FixedTagType => Object.hasOwn(HEADER_TAG_TABLES, type);
const align8 = (n: number) => (n + 7) & ~7;

/**
 * Scans the first 32 KiB (8-byte steps) for a magic whose checksum holds and parses the header there.
 * Returns undefined when there is none. A magic with a wrong checksum is skipped (the bytes may be data);
 * if no valid header follows, that checksum is reported as the error, since a loader would reject the file.
 */
export function findMultiboot2Header(bytes: Uint8Array, file: string): Multiboot2Header | undefined {
  const view = viewOf(bytes);
  const limit = Math.min(bytes.length, MULTIBOOT2_SEARCH);
  let badChecksum: Multiboot2Error | undefined;
  for (let at = 0; at + Mb2Header.size <= limit; at += MULTIBOOT2_HEADER_ALIGN) {
    if (view.getUint32(at, true) !== MULTIBOOT2_HEADER_MAGIC) continue;
    const h = Mb2Header.read(view, at, file);
    const sum = (h.magic + h.architecture + h.header_length + h.checksum) >>> 0;
    if (sum !== 0) {
      badChecksum ??= new Multiboot2Error(file, at + Mb2Header.offsetOf('checksum'), 'multiboot2_header.checksum', `magic+architecture+header_length+checksum is ${hex(sum)}, must be 0`);
      continue;
    }
    return parseMultiboot2Header(bytes, file, at);
  }
  if (badChecksum) throw badChecksum;
  return undefined;
}

/** Parses a Multiboot2 header known to start at `at`. */
export function parseMultiboot2Header(bytes: Uint8Array, file: string, at: number): Multiboot2Header {
  const view = viewOf(bytes);
  if (at + Mb2Header.size > bytes.length) {
    throw new Multiboot2Error(file, at, 'multiboot2_header', `truncated: 16 bytes needed at ${hex(at)}, file has ${hex(bytes.length)}`);
  }
  const h = Mb2Header.read(view, at, file);
  if (h.magic !== MULTIBOOT2_HEADER_MAGIC) {
    throw new Multiboot2Error(file, at, 'multiboot2_header.magic', `is ${hex(h.magic)}, expected ${hex(MULTIBOOT2_HEADER_MAGIC)}`);
  }
  const lengthAt = at + Mb2Header.offsetOf('header_length');
  if (h.header_length < Mb2Header.size + Mb2HeaderTagHead.size || h.header_length % 8 !== 0) {
    throw new Multiboot2Error(file, lengthAt, 'multiboot2_header.header_length', `${h.header_length} is not a multiple of 8 of at least 24 bytes`);
  }
  const end = at + h.header_length;
  if (end > bytes.length) {
    throw new Multiboot2Error(file, lengthAt, 'multiboot2_header.header_length', `header ${hex(at)}+${hex(h.header_length)} extends past end of file (${hex(bytes.length)})`);
  }
  const tags: Mb2HeaderTag[] = [];
  const offsets: number[] = [];
  const unknownTags: Mb2UnknownHeaderTag[] = [];
  let pos = at + Mb2Header.size;
  for (;;) {
    if (pos + Mb2HeaderTagHead.size > end) {
      throw new Multiboot2Error(file, pos, 'multiboot2_header_tag', `no end tag before header_length ends at ${hex(end)}`);
    }
    const head = Mb2HeaderTagHead.read(view, pos, file);
    const name = `multiboot2_header_tag[${HEADER_TAG_NAMES[head.type] ?? head.type}]`;
    if (head.size < Mb2HeaderTagHead.size || pos + head.size > end) {
      throw new Multiboot2Error(file, pos + Mb2HeaderTagHead.offsetOf('size'), `${name}.size`, `${head.size} does not fit between ${hex(pos)} and the header end ${hex(end)}`);
    }
    const optional = (head.flags & TAG_OPTIONAL) !== 0;
    if (head.type === END) {
      if (head.size !== 8) throw new Multiboot2Error(file, pos + 4, `${name}.size`, `end tag size ${head.size}, expected 8`);
      break;
    }
    if (isFixed(head.type)) {
      const table = HEADER_TAG_TABLES[head.type];
      if (head.size !== table.size) {
        throw new Multiboot2Error(file, pos + 4, `${name}.size`, `is ${head.size}, expected ${table.size}`);
      }
      tags.push({ type: head.type, optional, ...table.read(view, pos, file) } as Mb2HeaderTag);
      offsets.push(pos);
    } else if (head.type === INFORMATION_REQUEST) {
      if ((head.size - 8) % 4 !== 0) throw new Multiboot2Error(file, pos + 4, `${name}.size`, `${head.size} is not 8 + 4n`);
      const requests: number[] = [];
      for (let r = pos + 8; r < pos + head.size; r += 4) requests.push(view.getUint32(r, true));
      tags.push({ type: INFORMATION_REQUEST, optional, requests });
      offsets.push(pos);
    } else {
      unknownTags.push({ type: head.type, optional, offset: pos, body: bytes.slice(pos + 8, pos + head.size) });
    }
    pos += align8(head.size);
  }
  return { offset: at, architecture: h.architecture, headerLength: h.header_length, checksum: h.checksum, tags, offsets, unknownTags };
}

/** Encodes a complete header (magic .. end tag) with the checksum filled in. */
export function encodeMultiboot2Header(architecture: number, tags: readonly Mb2HeaderTag[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const tag of tags) {
    const flags = tag.optional ? TAG_OPTIONAL : 0;
    let body: Uint8Array;
    if (tag.type === INFORMATION_REQUEST) {
      body = new Uint8Array(8 + 4 * tag.requests.length);
      const v = viewOf(body);
      tag.requests.forEach((r, i) => v.setUint32(8 + 4 * i, r, true));
    } else {
      const { type: _type, optional: _optional, ...fields } = tag;
      const table = HEADER_TAG_TABLES[tag.type] as (typeof HEADER_TAG_TABLES)[FixedTagType];
      body = (table.encode as (v: object) => Uint8Array)(fields);
    }
    Mb2HeaderTagHead.write(viewOf(body), 0, { type: tag.type, flags, size: body.length });
    parts.push(body);
  }
  parts.push(Mb2HeaderTagHead.encode({ type: END, flags: 0, size: 8 }));
  const length = Mb2Header.size + parts.reduce((n, p) => n + align8(p.length), 0);
  const out = new Uint8Array(length);
  let pos = Mb2Header.size;
  for (const p of parts) {
    out.set(p, pos);
    pos += align8(p.length);
  }
  const checksum = (0x1_0000_0000 - ((MULTIBOOT2_HEADER_MAGIC + architecture + length) % 0x1_0000_0000)) % 0x1_0000_0000;
  Mb2Header.write(viewOf(out), 0, { magic: MULTIBOOT2_HEADER_MAGIC, architecture, header_length: length, checksum });
  return out;
}
