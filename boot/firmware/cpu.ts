/**
 * The boundary between the built-in firmware (TypeScript) and a CPU model.
 *
 * The firmware never touches a CPU class directly. A CPU model provides this small adapter; the firmware
 * reads call arguments and writes results through it, and reaches guest memory through the physical bus
 * (UEFI runs identity-mapped, so guest pointers are physical addresses).
 *
 * Registers are 64-bit and handed over as two unsigned 32-bit halves, so the adapter is as cheap as the
 * CPU's own register file (X86Cpu keeps `lo`/`hi` Int32Arrays). Register numbers: x86-64 uses the
 * encoding order RAX=0, RCX=1, RDX=2, RBX=3, RSP=4, RBP=5, RSI=6, RDI=7, R8..R15=8..15; AArch64 uses X0..X30
 * = 0..30 and SP = 31.
 */
import type { PhysicalBus } from '../../platform/memory/bus.js';
import type { MemoryAccess } from './guest-memory.js';

export type FirmwareArch = 'x86_64' | 'aarch64';

export interface FirmwareCpu {
  readonly arch: FirmwareArch;
  readonly bus: PhysicalBus;
  /** Low 32 bits of a general register, unsigned. */
  regLo(index: number): number;
  /** High 32 bits of a general register, unsigned. */
  regHi(index: number): number;
  setReg(index: number, lo: number, hi: number): void;
  /** RIP / PC as a signed Number (higher-half addresses negative, as X86Cpu keeps RIP). */
  pc(): number;
  setPc(value: number): void;
  /**
   * Virtual -> physical through the CPU's current paging for a supervisor access, or undefined when the
   * address is not mapped. Omitted: addresses are physical (paging off, or a test CPU).
   */
  translate?(virtual: number, write: boolean): number | undefined;
}

export const X86_RAX = 0;
export const X86_RCX = 1;
export const X86_RDX = 2;
export const X86_RBX = 3;
export const X86_RSP = 4;
export const X86_RBP = 5;
export const X86_RSI = 6;
export const X86_RDI = 7;
export const X86_R8 = 8;
export const X86_R9 = 9;
export const A64_X0 = 0;
export const A64_LR = 30;
export const A64_SP = 31;

const TWO32 = 0x1_0000_0000;

/** A register as an unsigned bigint (cold path: firmware calls). */
export function regBig(cpu: FirmwareCpu, index: number): bigint {
  return (BigInt(cpu.regHi(index) >>> 0) << 32n) | BigInt(cpu.regLo(index) >>> 0);
}

/**
 * A register as a signed Number, the way the CPU models keep 64-bit addresses: canonical higher-half
 * addresses (0xffff8000_00000000 and up) become small negative Numbers and stay exact.
 */
export function regNum(cpu: FirmwareCpu, index: number): number {
  return (cpu.regHi(index) | 0) * TWO32 + (cpu.regLo(index) >>> 0);
}

/** A 64-bit guest value as a signed Number (exact for canonical addresses and for sizes below 2^53). */
export function toAddress(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}

export function setRegBig(cpu: FirmwareCpu, index: number, value: bigint): void {
  const v = BigInt.asUintN(64, value);
  cpu.setReg(index, Number(v & 0xffffffffn), Number(v >> 32n));
}

export function setRegNum(cpu: FirmwareCpu, index: number, value: number): void {
  cpu.setReg(index, value >>> 0, Math.floor(value / TWO32) >>> 0);
}

/** Reads a little-endian u64 from guest memory as a bigint. */
export function read64(bus: MemoryAccess, address: number): bigint {
  return (BigInt(bus.read32(address + 4)) << 32n) | BigInt(bus.read32(address));
}

export function write64(bus: MemoryAccess, address: number, value: bigint | number): void {
  const v = BigInt.asUintN(64, BigInt(value));
  bus.write32(address, Number(v & 0xffffffffn));
  bus.write32(address + 4, Number(v >> 32n));
}
