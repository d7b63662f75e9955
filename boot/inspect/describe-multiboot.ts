/** `inspect` for Multiboot (v1) and Multiboot2 headers. */
import { findMultiboot1Header, MB1_FLAG_NAMES } from '../multiboot2/multiboot1.js';
import {
  ADDRESS,
  CONSOLE_FLAGS,
  ENTRY_ADDRESS,
  ENTRY_ADDRESS_EFI32,
  ENTRY_ADDRESS_EFI64,
  FRAMEBUFFER,
  HEADER_TAG_NAMES,
  INFORMATION_REQUEST,
  RELOCATABLE,
  findMultiboot2Header,
  type Mb2HeaderTag,
} from '../multiboot2/header.js';
import { INFO_TAG_NAMES } from '../multiboot2/info.js';
import { fact, hex, type Section } from './model.js';

const PREFERENCE = ['none', 'low', 'high'];

function tagDetails(tag: Mb2HeaderTag): string {
  switch (tag.type) {
    case INFORMATION_REQUEST:
      return tag.requests.map((r) => `${r} (${INFO_TAG_NAMES[r] ?? '?'})`).join(', ');
    case ADDRESS:
      return `header_addr ${hex(tag.header_addr)} load_addr ${hex(tag.load_addr)} load_end_addr ${hex(tag.load_end_addr)} bss_end_addr ${hex(tag.bss_end_addr)}`;
    case ENTRY_ADDRESS:
    case ENTRY_ADDRESS_EFI32:
    case ENTRY_ADDRESS_EFI64:
      return `entry_addr ${hex(tag.entry_addr)}`;
    case CONSOLE_FLAGS:
      return `console_flags ${hex(tag.console_flags)}`;
    case FRAMEBUFFER:
      return `${tag.width}x${tag.height}x${tag.depth}`;
    case RELOCATABLE:
      return `min_addr ${hex(tag.min_addr)} max_addr ${hex(tag.max_addr)} align ${hex(tag.align)} preference ${PREFERENCE[tag.preference] ?? tag.preference}`;
    default:
      return '';
  }
}

export function describeMultiboot2(bytes: Uint8Array, file: string): { section: Section; format: string } | undefined {
  const h = findMultiboot2Header(bytes, file);
  if (!h) return undefined;
  const rows = h.tags.map((t, i) => ({
    offset: hex(h.offsets[i]!),
    type: t.type,
    name: HEADER_TAG_NAMES[t.type] ?? '?',
    optional: t.optional ?? false,
    details: tagDetails(t),
  }));
  for (const u of h.unknownTags) rows.push({ offset: hex(u.offset), type: u.type, name: 'unknown', optional: u.optional, details: `${u.body.length} body bytes` });
  return {
    section: {
      id: 'multiboot2',
      title: 'Multiboot2 header',
      facts: [
        fact('offset', 'file offset', hex(h.offset)),
        fact('architecture', 'architecture', h.architecture, `${h.architecture} (${h.architecture === 0 ? 'i386 protected mode' : h.architecture === 4 ? 'MIPS32' : 'unknown'})`),
        fact('headerLength', 'header length', h.headerLength),
        fact('checksum', 'checksum', hex(h.checksum, 8), `${hex(h.checksum, 8)} (valid)`),
      ],
      tables: [
        {
          key: 'tags',
          title: 'tags',
          columns: [
            { key: 'offset', label: 'offset' },
            { key: 'type', label: 'type' },
            { key: 'name', label: 'name' },
            { key: 'optional', label: 'optional' },
            { key: 'details', label: 'details' },
          ],
          rows,
        },
      ],
    },
    format: 'Multiboot2',
  };
}

export function describeMultiboot1(bytes: Uint8Array, file: string): { section: Section; format: string } | undefined {
  const h = findMultiboot1Header(bytes, file);
  if (!h) return undefined;
  const facts = [
    fact('offset', 'file offset', hex(h.offset)),
    fact('flags', 'flags', hex(h.flags, 8), `${hex(h.flags, 8)} ${MB1_FLAG_NAMES.filter(([b]) => h.flags & b).map(([, n]) => n).join(', ')}`),
    fact('checksum', 'checksum', hex(h.checksum, 8), `${hex(h.checksum, 8)} (valid)`),
  ];
  if (h.address) {
    const a = h.address;
    facts.push(fact('address', 'address fields', `header ${hex(a.headerAddr)} load ${hex(a.loadAddr)}..${hex(a.loadEndAddr)} bss_end ${hex(a.bssEndAddr)} entry ${hex(a.entryAddr)}`));
    facts.push(fact('entry', 'entry', hex(a.entryAddr)));
  }
  if (h.video) facts.push(fact('video', 'video mode', `type ${h.video.modeType} ${h.video.width}x${h.video.height}x${h.video.depth}`));
  return { section: { id: 'multiboot1', title: 'Multiboot (v1) header', facts, tables: [] }, format: 'Multiboot1' };
}
