/**
 * The memory types a PC firmware programs before it hands over (SeaBIOS and OVMF both do; SDM vol. 3, 12.11):
 * default type write-back with the MTRRs and the fixed ranges enabled; the legacy VGA window 0xa0000-0xbffff
 * uncacheable; the BIOS area 0xc0000-0xfffff write-protect; everything from the lowest MMIO address below 4 GiB
 * (the ECAM window, then the PCI window, IOAPIC, HPET and LAPIC) to 4 GiB uncacheable through variable
 * ranges. The empty gap between the top of low RAM and the MMIO may stay write-back, as SeaBIOS leaves it:
 * nothing answers there, and an unaligned RAM top would need more variable ranges than the CPU has. RAM
 * above 4 GiB stays write-back by default. A kernel that finds the MTRRs enabled also sets up PAT.
 */
const MTRR_FIX64K_00000 = 0x250;
const MTRR_FIX16K_80000 = 0x258;
const MTRR_FIX16K_A0000 = 0x259;
const MTRR_FIX4K_C0000 = 0x268; // ... 0x26f
const MTRR_PHYS_BASE0 = 0x200; // base n at 0x200 + 2n, mask n at 0x201 + 2n
const MTRR_DEF_TYPE = 0x2ff;
const VARIABLE_RANGES = 8;

const UC = 0;
const WP = 5;
const WB = 6;
const DEF_TYPE_E = 1 << 11;
const DEF_TYPE_FE = 1 << 10;
const MASK_VALID = 1 << 11;
const FOUR_GIB = 2 ** 32;

/** `type` in each of a fixed-range MTRR's eight bytes. */
const fill8 = (type: number): number => (type * 0x01010101) >>> 0;

export interface MsrWriter {
  write(index: number, lo: number, hi: number): void;
}

/**
 * Power-of-two, naturally aligned blocks covering [start, 4 GiB): what variable ranges can describe.
 * `start` is rounded up to 1 MiB.
 */
export function uncachedHole(start: number): { base: number; size: number }[] {
  const blocks: { base: number; size: number }[] = [];
  let at = Math.ceil(start / 2 ** 20) * 2 ** 20;
  while (at < FOUR_GIB) {
    let size = 2 ** 31;
    while (at % size !== 0 || at + size > FOUR_GIB) size /= 2;
    blocks.push({ base: at, size });
    at += size;
  }
  return blocks;
}

/** Programs the MTRRs of a CPU with `physicalBits` address bits for a board whose MMIO starts at `mmioStart`. */
export function programFirmwareMtrrs(msr: MsrWriter, mmioStart: number, physicalBits: number): void {
  const hole = uncachedHole(mmioStart);
  if (hole.length > VARIABLE_RANGES) throw new RangeError(`MTRRs: the MMIO from 0x${mmioStart.toString(16)} needs ${hole.length} variable ranges`);
  msr.write(MTRR_FIX64K_00000, fill8(WB), fill8(WB));
  msr.write(MTRR_FIX16K_80000, fill8(WB), fill8(WB));
  msr.write(MTRR_FIX16K_A0000, fill8(UC), fill8(UC));
  for (let i = 0; i < 8; i++) msr.write(MTRR_FIX4K_C0000 + i, fill8(WP), fill8(WP));
  const physMaskHi = 2 ** (physicalBits - 32) - 1;
  hole.forEach(({ base, size }, n) => {
    msr.write(MTRR_PHYS_BASE0 + 2 * n, (base | UC) >>> 0, 0);
    // mask: the address bits above the block size, within the physical address width
    msr.write(MTRR_PHYS_BASE0 + 2 * n + 1, ((FOUR_GIB - size) | MASK_VALID) >>> 0, physMaskHi);
  });
  msr.write(MTRR_DEF_TYPE, DEF_TYPE_E | DEF_TYPE_FE | WB, 0);
}
