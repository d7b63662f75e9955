/**
 * RFLAGS bits and the parity table. The arithmetic flags are evaluated lazily by X86Cpu (it keeps the last
 * flag-setting operation's kind, size, operands and result, and computes a flag only when it is read).
 */
export const CF = 1 << 0;
export const PF = 1 << 2;
export const AF = 1 << 4;
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const TF = 1 << 8;
export const IF = 1 << 9;
export const DF = 1 << 10;
export const OF = 1 << 11;
export const IOPL = 3 << 12;
export const NT = 1 << 14;
export const RF = 1 << 16;
export const VM = 1 << 17;
export const AC = 1 << 18;
export const VIF = 1 << 19;
export const VIP = 1 << 20;
export const ID = 1 << 21;

export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Bits POPF/IRET may change at CPL 0 (VM/VIF/VIP handled separately, RF cleared). */
export const WRITABLE_FLAGS = ARITH_FLAGS | TF | IF | DF | IOPL | NT | AC | ID;

/** Lazy flag operations */
export const enum LazyOp {
  NONE = 0, // flags live in flagBits
  ADD = 1,
  SUB = 2,
  LOGIC = 3,
  INC = 4, // ADD with CF kept in lazyCF
  DEC = 5, // SUB with CF kept in lazyCF
}

/** 1 when the byte has even parity (PF). */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let p = 1;
  for (let b = i; b; b >>= 1) p ^= b & 1;
  PARITY[i] = p;
}
