/**
 * The x86 zero page, `struct boot_params` (arch/x86/include/uapi/asm/bootparam.h, boot.rst "zero page"):
 * what a boot loader fills in for the kernel. 4096 bytes; the setup header sits at 0x1f1 with the same
 * offsets as in the image (SetupHeader), the e820 table at 0x2d0 with 128 packed 20-byte entries.
 */
import { defineStruct, hex, viewOf, type StructValue } from '../../common/struct.js';
import { FormatError } from '../../common/errors.js';
import { BzImageError } from './errors.js';
import { SetupHeader, type SetupHeaderValue } from './setup-header.js';

export const BOOT_PARAMS_SIZE = 0x1000;
export const E820_TABLE_OFFSET = 0x2d0;
export const E820_MAX_ENTRIES_ZEROPAGE = 128;

export const E820_RAM = 1;
export const E820_RESERVED = 2;
export const E820_ACPI = 3;
export const E820_NVS = 4;
export const E820_UNUSABLE = 5;
export const E820_PMEM = 7;

export const E820_TYPE_NAMES: Readonly<Record<number, string>> = {
  [E820_RAM]: 'usable',
  [E820_RESERVED]: 'reserved',
  [E820_ACPI]: 'ACPI data',
  [E820_NVS]: 'ACPI NVS',
  [E820_UNUSABLE]: 'unusable',
  [E820_PMEM]: 'persistent',
};

export const E820Entry = defineStruct('boot_e820_entry', 20, {
  addr: [0x00, 'u64'],
  size: [0x08, 'u64'],
  type: [0x10, 'u32'],
});
export type E820EntryValue = StructValue<typeof E820Entry.fields>;

/** struct screen_info at 0x000 of the zero page. */
export const ScreenInfo = defineStruct('screen_info', 0x40, {
  orig_x: [0x00, 'u8'],
  orig_y: [0x01, 'u8'],
  ext_mem_k: [0x02, 'u16'],
  orig_video_page: [0x04, 'u16'],
  orig_video_mode: [0x06, 'u8'],
  orig_video_cols: [0x07, 'u8'],
  flags: [0x08, 'u8'],
  unused2: [0x09, 'u8'],
  orig_video_ega_bx: [0x0a, 'u16'],
  unused3: [0x0c, 'u16'],
  orig_video_lines: [0x0e, 'u8'],
  orig_video_isVGA: [0x0f, 'u8'],
  orig_video_points: [0x10, 'u16'],
  lfb_width: [0x12, 'u16'],
  lfb_height: [0x14, 'u16'],
  lfb_depth: [0x16, 'u16'],
  lfb_base: [0x18, 'u32'],
  lfb_size: [0x1c, 'u32'],
  cl_magic: [0x20, 'u16'],
  cl_offset: [0x22, 'u16'],
  lfb_linelength: [0x24, 'u16'],
  red_size: [0x26, 'u8'],
  red_pos: [0x27, 'u8'],
  green_size: [0x28, 'u8'],
  green_pos: [0x29, 'u8'],
  blue_size: [0x2a, 'u8'],
  blue_pos: [0x2b, 'u8'],
  rsvd_size: [0x2c, 'u8'],
  rsvd_pos: [0x2d, 'u8'],
  vesapm_seg: [0x2e, 'u16'],
  vesapm_off: [0x30, 'u16'],
  pages: [0x32, 'u16'],
  vesa_attributes: [0x34, 'u16'],
  capabilities: [0x36, 'u32'],
  ext_lfb_base: [0x3a, 'u32'],
});

/** struct efi_info at 0x1c0 of the zero page. */
export const EfiInfo = defineStruct('efi_info', 0x20, {
  efi_loader_signature: [0x00, 'u32'],
  efi_systab: [0x04, 'u32'],
  efi_memdesc_size: [0x08, 'u32'],
  efi_memdesc_version: [0x0c, 'u32'],
  efi_memmap: [0x10, 'u32'],
  efi_memmap_size: [0x14, 'u32'],
  efi_systab_hi: [0x18, 'u32'],
  efi_memmap_hi: [0x1c, 'u32'],
});
export const SCREEN_INFO_OFFSET = 0x000;
export const EFI_INFO_OFFSET = 0x1c0;
/** "EL64": efi_loader_signature of a 64-bit EFI loader. */
export const EFI64_LOADER_SIGNATURE = 0x34364c45;

/** The zero page's own scalar fields (sub-structures have their own tables above). */
export const BootParams = defineStruct('boot_params', BOOT_PARAMS_SIZE, {
  apm_bios_info: [0x040, ['bytes', 20]],
  tboot_addr: [0x058, 'u64'],
  ist_info: [0x060, ['bytes', 16]],
  acpi_rsdp_addr: [0x070, 'u64'],
  hd0_info: [0x080, ['bytes', 16]],
  hd1_info: [0x090, ['bytes', 16]],
  sys_desc_table: [0x0a0, ['bytes', 16]],
  olpc_ofw_header: [0x0b0, ['bytes', 16]],
  ext_ramdisk_image: [0x0c0, 'u32'],
  ext_ramdisk_size: [0x0c4, 'u32'],
  ext_cmd_line_ptr: [0x0c8, 'u32'],
  cc_blob_address: [0x13c, 'u32'],
  edid_info: [0x140, ['bytes', 128]],
  alt_mem_k: [0x1e0, 'u32'],
  scratch: [0x1e4, 'u32'],
  e820_entries: [0x1e8, 'u8'],
  eddbuf_entries: [0x1e9, 'u8'],
  edd_mbr_sig_buf_entries: [0x1ea, 'u8'],
  kbd_status: [0x1eb, 'u8'],
  secure_boot: [0x1ec, 'u8'],
  sentinel: [0x1ef, 'u8'],
  edd_mbr_sig_buffer: [0x290, ['bytes', 64]],
  eddbuf: [0xd00, ['bytes', 6 * 82]],
});

export interface BootParamsValue {
  fields: StructValue<typeof BootParams.fields>;
  screen_info: StructValue<typeof ScreenInfo.fields>;
  efi_info: StructValue<typeof EfiInfo.fields>;
  hdr: SetupHeaderValue;
  /** The first e820_entries entries of e820_table. */
  e820_table: E820EntryValue[];
}

export interface BootParamsInput {
  fields?: Partial<StructValue<typeof BootParams.fields>>;
  screen_info?: Partial<StructValue<typeof ScreenInfo.fields>>;
  efi_info?: Partial<StructValue<typeof EfiInfo.fields>>;
  hdr?: Partial<SetupHeaderValue>;
  /** Written at 0x2d0; e820_entries is set to its length. */
  e820_table?: readonly E820EntryValue[];
}

/** Writes the given parts of a zero page at `base` of `view`; untouched bytes keep their value. */
export function writeBootParams(view: DataView, base: number, input: BootParamsInput): void {
  if (base + BOOT_PARAMS_SIZE > view.byteLength) throw new RangeError(`boot_params at ${hex(base)} does not fit in ${hex(view.byteLength)} bytes`);
  if (input.fields) BootParams.write(view, base, input.fields);
  if (input.screen_info) ScreenInfo.write(view, base + SCREEN_INFO_OFFSET, input.screen_info);
  if (input.efi_info) EfiInfo.write(view, base + EFI_INFO_OFFSET, input.efi_info);
  if (input.hdr) SetupHeader.write(view, base, input.hdr);
  if (input.e820_table) {
    if (input.e820_table.length > E820_MAX_ENTRIES_ZEROPAGE) throw new RangeError(`${input.e820_table.length} e820 entries, the zero page holds ${E820_MAX_ENTRIES_ZEROPAGE}`);
    input.e820_table.forEach((e, i) => E820Entry.write(view, base + E820_TABLE_OFFSET + i * E820Entry.size, e));
    BootParams.write(view, base, { e820_entries: input.e820_table.length });
  }
}

/** A fresh 4096-byte zero page. */
export function encodeBootParams(input: BootParamsInput): Uint8Array {
  const out = new Uint8Array(BOOT_PARAMS_SIZE);
  writeBootParams(viewOf(out), 0, input);
  return out;
}

export function readBootParams(bytes: Uint8Array, file: string, base = 0): BootParamsValue {
  if (base + BOOT_PARAMS_SIZE > bytes.length) {
    throw new BzImageError(file, base, 'boot_params', `truncated: 4096 bytes needed at ${hex(base)}, have ${hex(Math.max(0, bytes.length - base))}`);
  }
  const view = viewOf(bytes);
  try {
    const fields = BootParams.read(view, base, file);
    if (fields.e820_entries > E820_MAX_ENTRIES_ZEROPAGE) {
      throw new BzImageError(file, base + BootParams.offsetOf('e820_entries'), 'boot_params.e820_entries', `${fields.e820_entries} exceeds the table's ${E820_MAX_ENTRIES_ZEROPAGE} entries`);
    }
    const e820_table = Array.from({ length: fields.e820_entries }, (_, i) => E820Entry.read(view, base + E820_TABLE_OFFSET + i * E820Entry.size, file));
    return {
      fields,
      screen_info: ScreenInfo.read(view, base + SCREEN_INFO_OFFSET, file),
      efi_info: EfiInfo.read(view, base + EFI_INFO_OFFSET, file),
      hdr: SetupHeader.read(view, base, file),
      e820_table,
    };
  } catch (e) {
    if (e instanceof FormatError && !(e instanceof BzImageError)) throw new BzImageError(e.file, e.offset, e.field, e.rule);
    throw e;
  }
}
