/** `inspect` for x86 Linux boot-protocol images (bzImage setup header) and arm64 `Image` headers. */
import { hex as hexOf } from '../../common/struct.js';
import { BzImageError } from '../bzimage/errors.js';
import {
  FIELD_SINCE,
  LOADFLAG_NAMES,
  XLOADFLAG_NAMES,
  XLF_KERNEL_64,
  XLF_EFI_HANDOVER_32,
  XLF_EFI_HANDOVER_64,
  flagNames,
  protectedModeOffset,
  readSetupHeader,
  setupSectors,
} from '../bzimage/setup-header.js';
import { readArm64ImageHeader } from '../bzimage/arm64-image.js';
import { fact, hex, type Fact, type Section } from './model.js';

/** Magic numbers of the compressors the Linux build can use for its payload. */
const COMPRESSION_MAGIC: ReadonlyArray<readonly [string, number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['lz4', [0x02, 0x21, 0x4c, 0x18]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['lzo', [0x89, 0x4c, 0x5a, 0x4f]],
  ['lzma', [0x5d, 0x00, 0x00]],
  ['ELF (uncompressed)', [0x7f, 0x45, 0x4c, 0x46]],
];

export function compressionAt(bytes: Uint8Array, at: number): string {
  for (const [name, magic] of COMPRESSION_MAGIC) {
    if (magic.every((b, i) => bytes[at + i] === b)) return name;
  }
  return 'unknown';
}

export function describeLinux(bytes: Uint8Array, file: string): { section: Section; format: string } {
  const { header: h, protocol, kernelVersion } = readSetupHeader(bytes, file);
  const has = (field: keyof typeof FIELD_SINCE) => h.version >= (FIELD_SINCE[field] ?? 0);
  const pm = protectedModeOffset(h);
  if (pm > bytes.length) {
    throw new BzImageError(file, 0x1f1, 'setup_header.setup_sects', `${setupSectors(h)} setup sectors put the protected-mode kernel at ${hexOf(pm)}, beyond the file (${hexOf(bytes.length)})`);
  }
  const facts: Fact[] = [
    fact('protocol', 'boot protocol', protocol, `${protocol} (${hex(h.version, 4)})`),
    fact('kernelVersion', 'kernel version', kernelVersion ?? null, kernelVersion ?? '(none)'),
    fact('setupSects', 'setup sectors', setupSectors(h), `${setupSectors(h)} (real-mode part ${hex(pm)} bytes; protected-mode kernel at file offset ${hex(pm)})`),
    fact('syssize', 'syssize', h.syssize, `${hex(h.syssize)} paragraphs = ${h.syssize * 16} bytes (file has ${bytes.length - pm} after the setup)`),
    fact('loadflags', 'loadflags', hex(h.loadflags, 2), `${hex(h.loadflags, 2)} ${flagNames(h.loadflags, LOADFLAG_NAMES).join(' ')}`.trim()),
    fact('realModeEntry', 'real-mode entry', '0x200', 'setup segment:0x0200 (jump at file offset 0x200)'),
    fact('code32Start', '32-bit entry (code32_start)', hex(h.code32_start)),
  ];
  if (has('xloadflags')) {
    facts.push(fact('xloadflags', 'xloadflags', hex(h.xloadflags, 4), `${hex(h.xloadflags, 4)} ${flagNames(h.xloadflags, XLOADFLAG_NAMES).join(' ')}`.trim()));
    if (h.xloadflags & XLF_KERNEL_64) facts.push(fact('entry64', '64-bit entry', '0x200', 'load address + 0x200'));
    if (has('handover_offset') && h.xloadflags & (XLF_EFI_HANDOVER_32 | XLF_EFI_HANDOVER_64)) {
      facts.push(fact('handoverOffset', 'EFI handover entry', hex(h.handover_offset), `load address + ${hex(h.handover_offset)} (32-bit), + ${hex(h.handover_offset + 0x200)} (64-bit)`));
    }
  }
  if (has('relocatable_kernel')) {
    facts.push(fact('kernelAlignment', 'kernel alignment', hex(h.kernel_alignment)));
    facts.push(fact('relocatable', 'relocatable', h.relocatable_kernel !== 0));
  }
  if (has('min_alignment')) facts.push(fact('minAlignment', 'minimum alignment', hex(2 ** h.min_alignment), `2^${h.min_alignment} = ${hex(2 ** h.min_alignment)}`));
  if (has('initrd_addr_max')) facts.push(fact('initrdAddrMax', 'initrd address max', hex(h.initrd_addr_max)));
  if (has('cmdline_size')) facts.push(fact('cmdlineSize', 'command line size', h.cmdline_size, `${h.cmdline_size} bytes (without NUL)`));
  if (has('pref_address')) facts.push(fact('prefAddress', 'preferred load address', hex(h.pref_address)));
  if (has('init_size')) facts.push(fact('initSize', 'init size', hex(h.init_size), `${hex(h.init_size)} (${(h.init_size / 1048576).toFixed(1)} MiB of linear memory needed)`));
  if (has('payload_offset') && h.payload_length > 0) {
    const at = pm + h.payload_offset;
    if (at + h.payload_length > bytes.length) {
      throw new BzImageError(file, 0x248, 'setup_header.payload_offset', `payload ${hexOf(at)}+${hexOf(h.payload_length)} extends past the end of the file (${hexOf(bytes.length)})`);
    }
    facts.push(fact('payload', 'payload', hex(at), `file offset ${hex(at)}, ${h.payload_length} bytes, ${compressionAt(bytes, at)}`));
    facts.push(fact('payloadCompression', 'payload compression', compressionAt(bytes, at)));
  }
  if (has('kernel_info_offset') && h.kernel_info_offset !== 0) {
    const at = pm + h.kernel_info_offset;
    const magic = at + 4 <= bytes.length ? Buffer.from(bytes.subarray(at, at + 4)).toString('latin1') : '';
    facts.push(fact('kernelInfo', 'kernel_info', hex(h.kernel_info_offset), `protected-mode offset ${hex(h.kernel_info_offset)} (file ${hex(at)}), magic ${JSON.stringify(magic)}`));
  }
  return { section: { id: 'linux', title: 'Linux x86 boot protocol (setup header at 0x1f1)', facts, tables: [] }, format: `Linux bzImage (boot protocol ${protocol})` };
}

export function describeArm64(bytes: Uint8Array, file: string): { section: Section; format: string } {
  const info = readArm64ImageHeader(bytes, file);
  const h = info.header;
  const facts: Fact[] = [
    fact('code0', 'code0', hex(h.code0, 8), `${hex(h.code0, 8)}${(h.code0 & 0xffff) === 0x5a4d ? ' ("MZ": EFI stub)' : ''}`),
    fact('code1', 'code1', hex(h.code1, 8)),
    fact('textOffset', 'text offset', hex(h.text_offset)),
    fact('imageSize', 'image size', hex(h.image_size), `${hex(h.image_size)} (${h.image_size} bytes)`),
    fact('flags', 'flags', hex(h.flags), `${hex(h.flags)}: ${info.bigEndian ? 'big' : 'little'}-endian, ${info.pageSize} pages, ${info.physAnywhere ? 'anywhere in memory' : '2 MiB aligned near the start of DRAM'}`),
    fact('peOffset', 'PE header offset (res5)', info.peOffset === undefined ? null : hex(info.peOffset), info.peOffset === undefined ? 'none' : hex(info.peOffset)),
  ];
  return { section: { id: 'arm64', title: 'arm64 Linux Image header', facts, tables: [] }, format: 'arm64 Linux Image' };
}
