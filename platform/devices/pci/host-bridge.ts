/**
 * The q35 host bridge (Intel MCH, 00:00.0). Its PCIEXBAR register (offset 0x60) reports where ECAM lives,
 * as firmware programmed it; the board's ECAM is fixed, so the register is read-only here.
 */
import type { PciFunctionDesc } from '../../boards/pc/board.js';
import { PciFunction } from './config-space.js';

export const MCH_PCIEXBAR = 0x60;
const PCIEXBAR_ENABLE = 1;
/** Length field (bits 2:1) 0 = 256 buses. */
const PCIEXBAR_LENGTH_256 = 0 << 1;

export class Q35HostBridge extends PciFunction {
  constructor(desc: PciFunctionDesc, ecamBase: number) {
    super(desc);
    this.setRegister(MCH_PCIEXBAR, 4, (ecamBase | PCIEXBAR_LENGTH_256 | PCIEXBAR_ENABLE) >>> 0);
    this.setRegister(MCH_PCIEXBAR + 4, 4, 0);
  }
}
