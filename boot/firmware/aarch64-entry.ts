/**
 * The AArch64 CPU state a firmware path hands over, as data (the counterpart of x86-entry.ts): exception
 * level, PC, X registers, SP, and the translation regime the firmware built in guest memory. The machine
 * (platform/machine/virt-uefi.ts) loads it into the CPU model.
 *
 * UEFI 2.10, 2.3.6 (AArch64 platforms): the application runs on the primary CPU at the firmware's exception
 * level (EL2 on a board with virtualization, as AAVMF on QEMU `virt,virtualization=on`; EL1 otherwise),
 * little-endian, with the MMU on and an identity map of all memory in the memory map, caches on, 128 KiB of
 * 16-byte aligned stack.
 *
 * The identity map is one VMSAv8-64 level-1 table (4 KiB granule, T0SZ 25: a 39-bit address space of 512
 * 1 GiB blocks): blocks that hold RAM are Normal write-back memory, every other block is Device-nGnRnE and
 * execute-never (GIC, PL011, PL031 live in the first GiB on virt). Descriptor and register fields follow the
 * Arm ARM (D8.3 descriptors, D19 TCR_ELx / MAIR_ELx / SCTLR_ELx) and are named in the tables below.
 */
import type { MemoryAccess } from './guest-memory.js';
import { write64 } from './cpu.js';

export interface Aarch64EntryState {
  /** Exception level the image is entered at (SPSel 1: SP_ELx). */
  el: 1 | 2;
  pc: number;
  /** X0..X7 (those left out are 0). */
  x: readonly number[];
  sp: number;
  /** X30: where the image's final `ret` goes. */
  lr: number;
  /** VBAR_ELx: the firmware's exception vectors (2 KiB aligned), so a fault in the image ends with a verdict. */
  vbar: number;
  /** Translation regime of `el`, already enabled. */
  mmu: { ttbr0: number; tcr: { lo: number; hi: number }; mair: number; sctlrSet: number };
}

/** Level-1 block descriptor fields (Arm ARM D8.3.1, stage 1, 4 KiB granule). */
const BLOCK = {
  /** bits[1:0] = 0b01: block at level 1 */
  valid: 0b01,
  attrIndexShift: 2,
  /** AP[2:1] = 0b00: read/write at the translation regime's privileged level */
  apReadWrite: 0 << 6,
  /** SH[1:0] = 0b11: inner shareable */
  innerShareable: 3 << 8,
  /** AF: set in advance so the walk never takes an access-flag fault */
  accessFlag: 1 << 10,
  /** bits[53] PXN and [54] UXN/XN, in the upper word */
  xnHi: (1 << 21) | (1 << 22),
} as const;

/** MAIR attribute indices used by the map. */
export const MAIR_DEVICE_INDEX = 0;
export const MAIR_NORMAL_INDEX = 1;
/** Attr0 0x00 Device-nGnRnE; Attr1 0xff Normal, inner/outer write-back non-transient read/write-allocate. */
export const MAIR_VALUE = (0x00 << (8 * MAIR_DEVICE_INDEX)) | (0xff << (8 * MAIR_NORMAL_INDEX));

/** TCR_ELx fields for the map (EL2 and EL1 share the TTBR0 half of the layout). */
const TCR = {
  /** T0SZ = 25: 39-bit input addresses, so the walk starts at level 1 */
  t0sz: 25,
  /** IRGN0 / ORGN0 = 0b01: walks are write-back cacheable */
  irgn0WriteBack: 1 << 8,
  orgn0WriteBack: 1 << 10,
  /** SH0 = 0b11: walks inner shareable */
  sh0Inner: 3 << 12,
  /** TG0 = 0b00: 4 KiB granule */
  tg0FourKiB: 0 << 14,
  /** TCR_EL2.PS (bits 18:16) / TCR_EL1.IPS (bits 34:32) = 0b010: 40-bit physical addresses */
  ps40: 2,
  /** TCR_EL2 RES1 bits 31 and 23 */
  el2Res1: (1 << 31) | (1 << 23),
  /** TCR_EL1.EPD1: no TTBR1 walks (the map is identity, lower half only) */
  epd1: 1 << 23,
} as const;

/** SCTLR_ELx.M (MMU), C (data cache), I (instruction cache). */
export const SCTLR_M = 1 << 0;
export const SCTLR_C = 1 << 2;
export const SCTLR_I = 1 << 12;

const GIB = 0x4000_0000;
const L1_ENTRIES = 512;
export const IDENTITY_MAP_TABLE_SIZE = 4096;
/** Everything the identity map covers: T0SZ 25 gives 2^39 bytes. */
export const IDENTITY_MAP_SPAN = GIB * L1_ENTRIES;

/**
 * Writes the identity map's level-1 table at `table` (4 KiB aligned): 1 GiB blocks, Normal where any of
 * `ram` lies in the block, Device execute-never elsewhere.
 */
export function writeAarch64IdentityMap(bus: MemoryAccess, table: number, ram: ReadonlyArray<{ base: number; size: number }>): void {
  for (let i = 0; i < L1_ENTRIES; i++) {
    const lo = i * GIB;
    const normal = ram.some((r) => r.base < lo + GIB && r.base + r.size > lo);
    const attr = normal ? MAIR_NORMAL_INDEX : MAIR_DEVICE_INDEX;
    const low = (BLOCK.valid | (attr << BLOCK.attrIndexShift) | BLOCK.apReadWrite | BLOCK.accessFlag | (normal ? BLOCK.innerShareable : 0)) >>> 0;
    // Output address bits [38:30] of a 1 GiB block: i * 2^30 spans both words.
    const descriptor = BigInt(lo) + BigInt(low) + (normal ? 0n : BigInt(BLOCK.xnHi) << 32n);
    write64(bus, table + 8 * i, descriptor);
  }
}

/** TCR value for the identity map at `el`, as low and high words. */
export function identityMapTcr(el: 1 | 2): { lo: number; hi: number } {
  const common = TCR.t0sz | TCR.irgn0WriteBack | TCR.orgn0WriteBack | TCR.sh0Inner | TCR.tg0FourKiB;
  if (el === 2) return { lo: (common | (TCR.ps40 << 16) | TCR.el2Res1) >>> 0, hi: 0 };
  return { lo: (common | TCR.epd1) >>> 0, hi: TCR.ps40 };
}

/** The architecture's vector table: 16 entries of 0x80 bytes (Arm ARM D1.10.2). */
export const VECTOR_TABLE_SIZE = 0x800;
const VECTOR_STRIDE = 0x80;
const VECTOR_KINDS = ['synchronous', 'IRQ', 'FIQ', 'SError'] as const;
const VECTOR_ORIGINS = ['current EL with SP_EL0', 'current EL with SP_ELx', 'lower EL in AArch64', 'lower EL in AArch32'] as const;

/** What the vector at `offset` (0..0x7ff) from VBAR is for, e.g. "synchronous, current EL with SP_ELx". */
export function describeVector(offset: number): string {
  const entry = Math.floor(offset / VECTOR_STRIDE);
  return `${VECTOR_KINDS[entry % 4]}, ${VECTOR_ORIGINS[Math.floor(entry / 4)]}`;
}

/**
 * Fills a vector table with `UDF #0xe0nn` (nn = entry): a CPU model without the firmware's hook takes an
 * undefined-instruction exception there instead of running on; with the hook the run ends at the entry.
 */
export function writeGuardVectors(bus: MemoryAccess, vbar: number): void {
  for (let off = 0; off < VECTOR_TABLE_SIZE; off += 4) bus.write32(vbar + off, 0xe000 | Math.floor(off / VECTOR_STRIDE));
}
