/**
 * The x86 Linux boot protocol setup header (Documentation/arch/x86/boot.rst, protocol 2.15).
 *
 * Offsets in the table are file offsets (0x1f1..0x26b); the zero page (boot_params) carries the same header
 * at the same offsets, so one table serves both the kernel image and boot_params.hdr.
 */
import { defineStruct, hex, viewOf, type StructValue } from '../../common/struct.js';
import { FormatError } from '../../common/errors.js';
import { BzImageError } from './errors.js';

export const SETUP_HEADER_OFFSET = 0x1f1;
export const BOOT_FLAG = 0xaa55;
export const HDRS_MAGIC = 0x53726448; // "HdrS"
/** Protocol version this codec knows every field of. */
export const BOOT_PROTOCOL_2_15 = 0x020f;

export const SetupHeader = defineStruct('setup_header', 0x26c, {
  setup_sects: [0x1f1, 'u8'],
  root_flags: [0x1f2, 'u16'],
  syssize: [0x1f4, 'u32'],
  ram_size: [0x1f8, 'u16'],
  vid_mode: [0x1fa, 'u16'],
  root_dev: [0x1fc, 'u16'],
  boot_flag: [0x1fe, 'u16'],
  jump: [0x200, 'u16'],
  header: [0x202, 'u32'],
  version: [0x206, 'u16'],
  realmode_swtch: [0x208, 'u32'],
  start_sys_seg: [0x20c, 'u16'],
  kernel_version: [0x20e, 'u16'],
  type_of_loader: [0x210, 'u8'],
  loadflags: [0x211, 'u8'],
  setup_move_size: [0x212, 'u16'],
  code32_start: [0x214, 'u32'],
  ramdisk_image: [0x218, 'u32'],
  ramdisk_size: [0x21c, 'u32'],
  bootsect_kludge: [0x220, 'u32'],
  heap_end_ptr: [0x224, 'u16'],
  ext_loader_ver: [0x226, 'u8'],
  ext_loader_type: [0x227, 'u8'],
  cmd_line_ptr: [0x228, 'u32'],
  initrd_addr_max: [0x22c, 'u32'],
  kernel_alignment: [0x230, 'u32'],
  relocatable_kernel: [0x234, 'u8'],
  min_alignment: [0x235, 'u8'],
  xloadflags: [0x236, 'u16'],
  cmdline_size: [0x238, 'u32'],
  hardware_subarch: [0x23c, 'u32'],
  hardware_subarch_data: [0x240, 'u64'],
  payload_offset: [0x248, 'u32'],
  payload_length: [0x24c, 'u32'],
  setup_data: [0x250, 'u64'],
  pref_address: [0x258, 'u64'],
  init_size: [0x260, 'u32'],
  handover_offset: [0x264, 'u32'],
  kernel_info_offset: [0x268, 'u32'],
});

export type SetupHeaderValue = StructValue<typeof SetupHeader.fields>;

/** The protocol version that introduced each field the table knows beyond 2.00 (boot.rst's "Protocol" column). */
export const FIELD_SINCE: Readonly<Partial<Record<keyof SetupHeaderValue, number>>> = {
  heap_end_ptr: 0x201,
  ext_loader_ver: 0x202,
  ext_loader_type: 0x202,
  cmd_line_ptr: 0x202,
  initrd_addr_max: 0x203,
  kernel_alignment: 0x205,
  relocatable_kernel: 0x205,
  min_alignment: 0x20a,
  xloadflags: 0x20c,
  cmdline_size: 0x206,
  hardware_subarch: 0x207,
  hardware_subarch_data: 0x207,
  payload_offset: 0x208,
  payload_length: 0x208,
  setup_data: 0x209,
  pref_address: 0x20a,
  init_size: 0x20a,
  handover_offset: 0x20b,
  kernel_info_offset: 0x20f,
};

// loadflags
export const LOADED_HIGH = 0x01;
export const KASLR_FLAG = 0x02;
export const QUIET_FLAG = 0x20;
export const KEEP_SEGMENTS = 0x40;
export const CAN_USE_HEAP = 0x80;
export const LOADFLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [LOADED_HIGH, 'LOADED_HIGH'],
  [KASLR_FLAG, 'KASLR_FLAG'],
  [QUIET_FLAG, 'QUIET_FLAG'],
  [KEEP_SEGMENTS, 'KEEP_SEGMENTS'],
  [CAN_USE_HEAP, 'CAN_USE_HEAP'],
];

// xloadflags
export const XLF_KERNEL_64 = 1 << 0;
export const XLF_CAN_BE_LOADED_ABOVE_4G = 1 << 1;
export const XLF_EFI_HANDOVER_32 = 1 << 2;
export const XLF_EFI_HANDOVER_64 = 1 << 3;
export const XLF_EFI_KEXEC = 1 << 4;
export const XLF_5LEVEL = 1 << 5;
export const XLF_5LEVEL_ENABLED = 1 << 6;
export const XLOADFLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [XLF_KERNEL_64, 'XLF_KERNEL_64'],
  [XLF_CAN_BE_LOADED_ABOVE_4G, 'XLF_CAN_BE_LOADED_ABOVE_4G'],
  [XLF_EFI_HANDOVER_32, 'XLF_EFI_HANDOVER_32'],
  [XLF_EFI_HANDOVER_64, 'XLF_EFI_HANDOVER_64'],
  [XLF_EFI_KEXEC, 'XLF_EFI_KEXEC'],
  [XLF_5LEVEL, 'XLF_5LEVEL'],
  [XLF_5LEVEL_ENABLED, 'XLF_5LEVEL_ENABLED'],
];

/** Names of the flags set in `value`, e.g. for `inspect`. */
export function flagNames(value: number, names: ReadonlyArray<readonly [number, string]>): string[] {
  return names.filter(([bit]) => (value & bit) !== 0).map(([, name]) => name);
}

/** Real-mode code is loaded at a 512-byte sector granularity; setup_sects 0 means 4 (boot.rst). */
export function setupSectors(hdr: Pick<SetupHeaderValue, 'setup_sects'>): number {
  return hdr.setup_sects === 0 ? 4 : hdr.setup_sects;
}

/** File offset of the protected-mode kernel: after the boot sector and the setup sectors. */
export function protectedModeOffset(hdr: Pick<SetupHeaderValue, 'setup_sects'>): number {
  return (setupSectors(hdr) + 1) * 512;
}

export interface SetupHeaderInfo {
  header: SetupHeaderValue;
  /** Major.minor as boot.rst writes it: "2.15" for 0x020f, "2.01" for 0x0201. */
  protocol: string;
  /** The string kernel_version points at (0x200 + kernel_version), when present. */
  kernelVersion?: string;
}

/** True when the file has the boot sector flag and "HdrS" (i.e. it claims to be a Linux boot-protocol image). */
export function hasSetupHeader(bytes: Uint8Array): boolean {
  if (bytes.length < 0x206) return false;
  const v = viewOf(bytes);
  return v.getUint16(0x1fe, true) === BOOT_FLAG && v.getUint32(0x202, true) === HDRS_MAGIC;
}

/**
 * Reads and checks the setup header of a bzImage. Fields newer than the image's protocol version are
 * still returned as the bytes say; consult FIELD_SINCE before trusting them.
 */
export function readSetupHeader(bytes: Uint8Array, file: string): SetupHeaderInfo {
  const view = viewOf(bytes);
  const needAt = (offset: number, field: keyof SetupHeaderValue) => {
    const [o, t] = SetupHeader.fields[field];
    const size = t === 'u8' ? 1 : t === 'u16' ? 2 : t === 'u32' ? 4 : 8;
    if (o + size > bytes.length) {
      throw new BzImageError(file, offset, `setup_header.${field}`, `truncated: file has ${hex(bytes.length)} bytes, the field ends at ${hex(o + size)}`);
    }
  };
  needAt(0x1fe, 'boot_flag');
  const bootFlag = SetupHeader.get(view, 0, 'boot_flag', file);
  if (bootFlag !== BOOT_FLAG) throw new BzImageError(file, 0x1fe, 'setup_header.boot_flag', `is ${hex(bootFlag, 4)}, expected 0xaa55`);
  needAt(0x202, 'header');
  const magic = SetupHeader.get(view, 0, 'header', file);
  if (magic !== HDRS_MAGIC) throw new BzImageError(file, 0x202, 'setup_header.header', `is ${hex(magic, 8)}, expected 0x53726448 ("HdrS")`);
  needAt(0x206, 'version');
  const version = SetupHeader.get(view, 0, 'version', file);
  if (version < 0x200) throw new BzImageError(file, 0x206, 'setup_header.version', `protocol ${hex(version, 4)} is older than 2.00`);
  // The header ends at 0x202 + the byte at 0x201 (the jump's displacement); older images end before 0x26c.
  const end = Math.min(SetupHeader.size, 0x202 + view.getUint8(0x201));
  const padded = new Uint8Array(SetupHeader.size);
  padded.set(bytes.subarray(0, Math.min(bytes.length, SetupHeader.size)));
  if (bytes.length < end) {
    throw new BzImageError(file, bytes.length, 'setup_header', `truncated: the header runs to ${hex(end)}, file has ${hex(bytes.length)} bytes`);
  }
  let header: SetupHeaderValue;
  try {
    header = SetupHeader.read(viewOf(padded), 0, file);
  } catch (e) {
    if (e instanceof FormatError) throw new BzImageError(e.file, e.offset, e.field, e.rule);
    throw e;
  }
  const protocol = `${version >> 8}.${(version & 0xff).toString().padStart(2, '0')}`;
  let kernelVersion: string | undefined;
  if (header.kernel_version !== 0) {
    const at = 0x200 + header.kernel_version;
    const nul = at < bytes.length ? bytes.indexOf(0, at) : -1;
    if (nul < 0 || nul - at > 512) {
      throw new BzImageError(file, 0x20e, 'setup_header.kernel_version', `points at ${hex(at)}, which holds no NUL-terminated string inside the file`);
    }
    kernelVersion = Buffer.from(bytes.subarray(at, nul)).toString('latin1');
  }
  return { header, protocol, kernelVersion };
}

/** Encodes header fields into `view` (a kernel image or a zero page); fields left out are not touched. */
export function writeSetupHeader(view: DataView, values: Partial<SetupHeaderValue>): void {
  SetupHeader.write(view, 0, values);
}

/**
 * The bytes a boot loader copies from the image into boot_params.hdr: 0x1f1 up to 0x202 + image[0x201]
 * (boot.rst, "the end of the setup header").
 */
export function setupHeaderBytes(image: Uint8Array): Uint8Array {
  const end = Math.min(SetupHeader.size, 0x202 + image[0x201]!);
  return image.slice(SETUP_HEADER_OFFSET, end);
}
