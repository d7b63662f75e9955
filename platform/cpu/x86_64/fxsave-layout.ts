/**
 * The FXSAVE/XSAVE legacy region (Intel SDM vol. 1, table 10-2, 64-bit format) and the XSAVE header offset
 * (vol. 1, 13.4.2). One table: the guest memory image is written field by field through the CPU's linear
 * memory helpers, so these are byte offsets rather than a defineStruct over a host buffer.
 */
export const FXSAVE = {
  fcw: 0x00, // x87 control word (2)
  fsw: 0x02, // x87 status word (2)
  ftw: 0x04, // abridged tag word (1) + reserved (1)
  fop: 0x06, // last opcode (2)
  fip: 0x08, // last instruction pointer (8)
  fdp: 0x10, // last data pointer (8)
  mxcsr: 0x18, // (4)
  mxcsrMask: 0x1c, // (4)
  st0: 0x20, // ST0/MM0 .. ST7/MM7, 16 bytes each
  xmm0: 0xa0, // XMM0 .. XMM15, 16 bytes each
} as const;

export const FXSAVE_SIZE = 512;
/** XSTATE_BV (8) and XCOMP_BV (8) at the start of the 64-byte header following the legacy region. */
export const XSAVE_HEADER_OFFSET = 512;
