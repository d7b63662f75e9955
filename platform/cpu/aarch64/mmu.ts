/**
 * Stage-1 translation table walk, VMSAv8-64, 4 KiB granule, 25..48-bit input (TxSZ 16..39).
 *
 * Regimes: EL2 (TTBR0_EL2/TCR_EL2, one VA range, no ASID) and EL1&0 (TTBR0/TTBR1_EL1, TCR_EL1). Walks read
 * descriptors through the physical bus. The result (PA page, permissions for privileged and unprivileged
 * access, MAIR attribute index, nG) is what the software TLB caches. Faults return an FSC code
 * (translation / access flag / permission / address size, with the level) and never throw.
 * Stage 2 (HCR_EL2.VM = 1): `walkStage2` translates IPAs with VTTBR_EL2/VTCR_EL2 (4 KiB granule, start level
 * from SL0, concatenated top-level tables), S2AP read/write permissions, XN and the access flag; stage-1 table
 * walks go through stage 2 as well (a fault there is reported with S1PTW).
 * Granules: 4, 16 and 64 KiB (as far as the CPU model advertises them in ID_AA64MMFR0_EL1); 52-bit
 * addresses (LPA/LPA2) are not implemented.
 */
import { NotImplementedError } from '../../../common/errors.js';
import type { PhysicalBus } from '../../memory/bus.js';

const TWO32 = 4294967296;

/** Permission bits cached per TLB entry. */
export const P_R1 = 1, P_W1 = 2, P_X1 = 4, P_R0 = 8, P_W0 = 16, P_X0 = 32;

export const FSC_ADDRESS_SIZE = 0x00;
export const FSC_TRANSLATION = 0x04;
export const FSC_ACCESS_FLAG = 0x08;
export const FSC_PERMISSION = 0x0c;

export class WalkResult {
  /** physical address of the page (4 KiB aligned) */
  pa = 0;
  perms = 0;
  attrIndex = 0;
  sh = 0;
  ns = 0;
  global = true;
  /** 0 on success, else FSC (fault status code including level) */
  fault = 0;
  level = 0;
  /** 4 KiB pages the mapping spans (the page or block size / 4 KiB) */
  pages = 1;
}

export interface RegimeRegs {
  /** 2 = EL2 regime, 1 = EL1&0 regime */
  regime: 1 | 2;
  tcrLo: number;
  tcrHi: number;
  ttbr0Lo: number;
  ttbr0Hi: number;
  ttbr1Lo: number;
  ttbr1Hi: number;
  wxn: boolean;
  paBits: number;
  /** granule sizes (log2) the model supports: 12, 14, 16 */
  granules: readonly number[];
}

/** TCR.TG0 and TG1 encodings -> log2 of the granule (0 = reserved) */
const TG0_BITS = [12, 16, 14, 0];
const TG1_BITS = [0, 14, 12, 16];

/** Translates a stage-1 descriptor address (an IPA when stage 2 is on); returns -1 after recording a fault. */
export type TableAddressMapper = (ipa: number) => number;

/** Walks the tables for `va` (signed Number). Fills `out`; `out.fault` != 0 on a fault. */
export function walk(bus: PhysicalBus, r: RegimeRegs, va: number, out: WalkResult, s2?: TableAddressMapper): void {
  out.fault = 0;
  out.global = true;
  let ttbrLo: number, ttbrHi: number, tsz: number, tg: number;
  const upper = va < 0;
  if (r.regime === 2) {
    if (upper) return fail(out, FSC_TRANSLATION, 0);
    tsz = r.tcrLo & 0x3f;
    tg = TG0_BITS[(r.tcrLo >>> 14) & 3]!;
    ttbrLo = r.ttbr0Lo;
    ttbrHi = r.ttbr0Hi;
  } else if (!upper) {
    if (r.tcrLo & (1 << 7)) return fail(out, FSC_TRANSLATION, 0); // EPD0
    tsz = r.tcrLo & 0x3f;
    tg = TG0_BITS[(r.tcrLo >>> 14) & 3]!;
    ttbrLo = r.ttbr0Lo;
    ttbrHi = r.ttbr0Hi;
  } else {
    if (r.tcrLo & (1 << 23)) return fail(out, FSC_TRANSLATION, 0); // EPD1
    tsz = (r.tcrLo >>> 16) & 0x3f;
    tg = TG1_BITS[(r.tcrLo >>> 30) & 3]!;
    ttbrLo = r.ttbr1Lo;
    ttbrHi = r.ttbr1Hi;
  }
  if (tg === 0 || !r.granules.includes(tg)) {
    throw new NotImplementedError(`AArch64 MMU: translation granule not supported by the model (TCR=0x${(r.tcrLo >>> 0).toString(16)})`);
  }
  const stride = tg - 3;
  if (tsz < 16) tsz = 16;
  if (tsz > 39) tsz = 39;
  const inputBits = 64 - tsz;
  const span = Math.pow(2, inputBits);
  // Bits above the input size must all equal the range selector (zeros for TTBR0, ones for TTBR1).
  if (upper ? va < -span : va >= span) return fail(out, FSC_TRANSLATION, 0);
  const off = upper ? va + span : va; // offset within the region, 0 <= off < span
  let level = 4 - Math.ceil((inputBits - tg) / stride);
  const entries = Math.pow(2, stride);
  const granule = Math.pow(2, tg);
  let table = (ttbrHi & 0xffff) * TWO32 + ((ttbrLo >>> 0) & 0xfffffffe);
  // The top-level table may be smaller than 4 KiB: its base is aligned to its size only.
  table -= table % 8;
  let apTable = 0, xnTable = 0, pxnTable = 0;
  for (;;) {
    const shift = tg + stride * (3 - level);
    const index = Math.floor(off / Math.pow(2, shift)) % entries;
    let da = table + index * 8;
    if (s2) {
      da = s2(da);
      if (da < 0) { out.fault = -1; out.level = level; return; }
    }
    const dlo = bus.read32(da) | 0;
    const dhi = bus.read32(da + 4) | 0;
    if ((dlo & 1) === 0) return fail(out, FSC_TRANSLATION, level);
    const isTable = (dlo & 2) !== 0;
    if (level < 3 && isTable) {
      apTable |= (dhi >>> 29) & 3;
      xnTable |= (dhi >>> 28) & 1;
      pxnTable |= (dhi >>> 27) & 1;
      table = (dhi & 0xffff) * TWO32 + ((dlo >>> 0) & 0xfffff000);
      table -= table % granule;
      if (table >= Math.pow(2, r.paBits)) return fail(out, FSC_ADDRESS_SIZE, level);
      level++;
      continue;
    }
    // Blocks: 4 KiB granule at levels 1 and 2, 16/64 KiB granules at level 2 only; pages at level 3.
    if (level === 3 ? !isTable : level === 0 || (level === 1 && tg !== 12)) return fail(out, FSC_TRANSLATION, level);
    const blockSize = Math.pow(2, shift);
    let base = (dhi & 0xffff) * TWO32 + ((dlo >>> 0) & 0xfffff000);
    base -= base % blockSize;
    const pa = base + (off % blockSize) - (off % 4096);
    if (pa >= Math.pow(2, r.paBits)) return fail(out, FSC_ADDRESS_SIZE, level);
    if ((dlo & (1 << 10)) === 0) return fail(out, FSC_ACCESS_FLAG, level);
    out.pa = pa;
    out.level = level;
    out.pages = Math.max(1, blockSize / 4096);
    out.attrIndex = (dlo >>> 2) & 7;
    out.ns = (dlo >>> 5) & 1;
    out.sh = (dlo >>> 8) & 3;
    out.global = r.regime === 2 || (dlo & (1 << 11)) === 0;
    const ap = (dlo >>> 6) & 3;
    const uxn = ((dhi >>> 22) & 1) | xnTable;
    const pxn = ((dhi >>> 21) & 1) | pxnTable;
    let perms: number;
    if (r.regime === 2) {
      const ro = (ap & 2) !== 0 || (apTable & 2) !== 0;
      perms = P_R1 | (ro ? 0 : P_W1) | (uxn ? 0 : P_X1);
      if (!ro && r.wxn) perms &= ~P_X1;
    } else {
      const el0 = (ap & 1) !== 0 && (apTable & 1) === 0;
      const ro = (ap & 2) !== 0 || (apTable & 2) !== 0;
      perms = P_R1 | (ro ? 0 : P_W1);
      if (el0) perms |= P_R0 | (ro ? 0 : P_W0);
      // Privileged execution is never allowed from memory that EL0 can write.
      if (!pxn && !(el0 && !ro)) perms |= P_X1;
      if (!uxn) perms |= P_X0;
      if (r.wxn && !ro) perms &= ~(P_X1 | P_X0);
    }
    out.perms = perms;
    return;
  }
}

function fail(out: WalkResult, fsc: number, level: number): void {
  out.fault = fsc | level;
  out.level = level;
}


export class Stage2Result {
  pa = 0;
  /** P_R1|P_R0 when readable, P_W1|P_W0 when writable, P_X1|P_X0 when executable */
  perms = 0;
  fault = 0;
  level = 0;
}

/** Stage-2 walk of `ipa` (0 <= ipa < 2^(64 - VTCR.T0SZ)). */
export function walkStage2(bus: PhysicalBus, vtcr: number, vttbrLo: number, vttbrHi: number, paBits: number, granules: readonly number[], ipa: number, out: Stage2Result): void {
  out.fault = 0;
  const tg = TG0_BITS[(vtcr >>> 14) & 3]!;
  if (tg === 0 || !granules.includes(tg)) throw new NotImplementedError(`AArch64 stage 2: translation granule not supported by the model (VTCR_EL2=0x${(vtcr >>> 0).toString(16)})`);
  const stride = tg - 3;
  const tsz = Math.min(Math.max(vtcr & 0x3f, 16), 39);
  const inputBits = 64 - tsz;
  if (ipa < 0 || ipa >= Math.pow(2, inputBits)) { out.fault = FSC_TRANSLATION; out.level = 0; return; }
  const sl0 = (vtcr >>> 6) & 3;
  // SL0: 4 KiB granule 0/1/2 = level 2/1/0; 16 and 64 KiB granules 0/1/2 = level 3/2/1
  let level = tg === 12 ? 2 - sl0 : 3 - sl0;
  if (level < 0 || sl0 === 3) { out.fault = FSC_TRANSLATION; out.level = 0; return; }
  const entries = Math.pow(2, stride);
  let table = (vttbrHi & 0xffff) * TWO32 + ((vttbrLo >>> 0) & 0xfffffffe);
  let first = true;
  for (;;) {
    const shift = tg + stride * (3 - level);
    // The start level may index up to 16 concatenated tables.
    const index = first ? Math.floor(ipa / Math.pow(2, shift)) : Math.floor(ipa / Math.pow(2, shift)) % entries;
    if (first && index >= entries * 16) { out.fault = FSC_TRANSLATION; out.level = level; return; }
    first = false;
    const da = table + index * 8;
    const dlo = bus.read32(da) | 0;
    const dhi = bus.read32(da + 4) | 0;
    if ((dlo & 1) === 0) { out.fault = FSC_TRANSLATION | level; out.level = level; return; }
    const isTable = (dlo & 2) !== 0;
    if (level < 3 && isTable) {
      table = (dhi & 0xffff) * TWO32 + ((dlo >>> 0) & 0xfffff000);
      table -= table % Math.pow(2, tg);
      level++;
      continue;
    }
    if (level === 3 ? !isTable : level === 0 || (level === 1 && tg !== 12)) { out.fault = FSC_TRANSLATION | level; out.level = level; return; }
    const blockSize = Math.pow(2, shift);
    let base = (dhi & 0xffff) * TWO32 + ((dlo >>> 0) & 0xfffff000);
    base -= base % blockSize;
    const pa = base + (ipa % blockSize) - (ipa % 4096);
    if (pa >= Math.pow(2, paBits)) { out.fault = FSC_ADDRESS_SIZE | level; out.level = level; return; }
    if ((dlo & (1 << 10)) === 0) { out.fault = FSC_ACCESS_FLAG | level; out.level = level; return; }
    const s2ap = (dlo >>> 6) & 3;
    const xn = (dhi >>> 22) & 1;
    out.pa = pa;
    out.level = level;
    out.perms = (s2ap & 1 ? P_R1 | P_R0 : 0) | (s2ap & 2 ? P_W1 | P_W0 : 0) | (xn ? 0 : P_X1 | P_X0);
    return;
  }
}
