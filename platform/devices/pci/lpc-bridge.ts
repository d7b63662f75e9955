/**
 * The ICH9 LPC bridge (00:1f.0, 8086:2918). Software finds the ACPI PM I/O block through PMBASE (0x40) and
 * its enable bit in ACPI_CNTL (0x44); NOVA identifies the platform's legacy UART through this function. The
 * board's PM block is fixed, so both registers are read-only here.
 */
import type { PciFunctionDesc } from '../../boards/pc/board.js';
import { PciFunction } from './config-space.js';

export const ICH9_PMBASE = 0x40;
export const ICH9_ACPI_CNTL = 0x44;
const PMBASE_IO_SPACE = 1;
const ACPI_CNTL_ACPI_EN = 0x80;
/** SCI routed to IRQ 9 (SCI_IRQ_SEL = 0). */
const ACPI_CNTL_SCI_IRQ9 = 0;

export class Ich9LpcBridge extends PciFunction {
  constructor(desc: PciFunctionDesc, pmBase: number) {
    super(desc);
    this.setRegister(ICH9_PMBASE, 4, pmBase | PMBASE_IO_SPACE);
    this.setRegister(ICH9_ACPI_CNTL, 1, ACPI_CNTL_ACPI_EN | ACPI_CNTL_SCI_IRQ9);
  }
}
