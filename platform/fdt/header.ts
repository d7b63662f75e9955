/**
 * Flattened devicetree header and block layout (Devicetree Specification 0.4, chapter 5). All fields are
 * big-endian.
 */
import { defineStruct } from '../../common/struct.js';

export const FDT_MAGIC = 0xd00dfeed;
/** The version we write, and the oldest version whose readers can read it. */
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;

export const FdtHeader = defineStruct(
  'fdt_header',
  40,
  {
    magic: [0x00, 'u32'],
    totalsize: [0x04, 'u32'],
    off_dt_struct: [0x08, 'u32'],
    off_dt_strings: [0x0c, 'u32'],
    off_mem_rsvmap: [0x10, 'u32'],
    version: [0x14, 'u32'],
    last_comp_version: [0x18, 'u32'],
    boot_cpuid_phys: [0x1c, 'u32'],
    size_dt_strings: [0x20, 'u32'],
    size_dt_struct: [0x24, 'u32'],
  },
  'be',
);

/** One memory reservation block entry; the list ends with an all-zero entry. */
export const FdtReserveEntry = defineStruct('fdt_reserve_entry', 16, { address: [0x00, 'u64'], size: [0x08, 'u64'] }, 'be');

/** Structure block tokens. */
export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** The fixed part of an FDT_PROP token's payload: value length and the name's offset in the strings block. */
export const FdtPropHeader = defineStruct('fdt_prop', 8, { len: [0x00, 'u32'], nameoff: [0x04, 'u32'] }, 'be');
