/**
 * ICH9 Reset Control Register (I/O port 0xcf9), the FADT's reset register. Writing a value with RST_CPU
 * (bit 2) set resets the machine; SYS_RST (bit 1) selects a full rather than a soft reset.
 */
const SYS_RST = 0x02;
const RST_CPU = 0x04;

export type ResetKind = 'full' | 'soft';

export class ResetControl {
  private value = 0;
  reset: ResetKind | undefined;

  constructor(private readonly onReset: (kind: ResetKind) => void = () => {}) {}

  readByte(): number {
    return this.value;
  }

  writeByte(v: number): void {
    this.value = v & SYS_RST;
    if (v & RST_CPU) {
      this.reset = v & SYS_RST ? 'full' : 'soft';
      this.onReset(this.reset);
    }
  }
}
