/** Helpers shared by the instruction tables. */
import type { Aarch64Cpu } from '../cpu.js';
import type { DecodedOp } from '../decoder.js';

/** COND_TABLE[cond << 4 | NZCV] = 1 when ConditionHolds(cond) (Arm ARM J1, shared pseudocode). */
export const COND_TABLE = new Uint8Array(256);
for (let cond = 0; cond < 16; cond++) {
  for (let f = 0; f < 16; f++) {
    const n = (f >> 3) & 1, z = (f >> 2) & 1, c = (f >> 1) & 1, v = f & 1;
    let r: boolean;
    switch (cond >> 1) {
      case 0: r = z === 1; break;
      case 1: r = c === 1; break;
      case 2: r = n === 1; break;
      case 3: r = v === 1; break;
      case 4: r = c === 1 && z === 0; break;
      case 5: r = n === v; break;
      case 6: r = n === v && z === 0; break;
      default: r = true;
    }
    if ((cond & 1) === 1 && cond !== 15) r = !r;
    COND_TABLE[(cond << 4) | f] = r ? 1 : 0;
  }
}

/** An unallocated encoding: Undefined Instruction exception in the guest. */
export function undefinedExec(c: Aarch64Cpu, _o: DecodedOp): void {
  c.undefinedInstruction();
}

/** Sign-extends the low `bits` of v. */
export function sext(v: number, bits: number): number {
  return (v << (32 - bits)) >> (32 - bits);
}
