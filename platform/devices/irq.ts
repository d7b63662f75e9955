/**
 * An interrupt line from a device to an interrupt controller (IOAPIC/PIC pin, GIC SPI). Devices drive the
 * level; edge-triggered consumers look at the transitions.
 */
export interface IrqLine {
  setLevel(high: boolean): void;
}

/** A line that remembers its level and counts rising edges; used where no controller is attached yet and in tests. */
export class RecordingIrqLine implements IrqLine {
  level = false;
  rises = 0;
  setLevel(high: boolean): void {
    if (high && !this.level) this.rises++;
    this.level = high;
  }
}

/**
 * A wire several devices drive (PCI INTx sharing, or IRQ 0 driven by the PIT and by the HPET in legacy
 * mode): its level is the OR of its sources, and it forwards changes of that OR to its sinks (e.g. the
 * 8259 input and the IOAPIC pin the ISA IRQ is routed to).
 */
export class SharedIrqLine extends RecordingIrqLine {
  private readonly levels: boolean[] = [];
  private direct: IrqLine | undefined;

  constructor(private readonly sinks: readonly IrqLine[] = []) {
    super();
  }

  /** A new driver of this wire. */
  source(): IrqLine {
    const i = this.levels.push(false) - 1;
    return {
      setLevel: (high) => {
        this.levels[i] = high;
        this.recompute();
      },
    };
  }

  override setLevel(high: boolean): void {
    // Driving the wire directly counts as one more source.
    if (this.direct === undefined) this.direct = this.source();
    this.direct.setLevel(high);
  }

  private recompute(): void {
    const high = this.levels.some((l) => l);
    if (high === this.level) return;
    super.setLevel(high);
    for (const s of this.sinks) s.setLevel(high);
  }
}
