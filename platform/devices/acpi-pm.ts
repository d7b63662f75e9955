/**
 * ACPI fixed hardware of the PC board (ACPI 6.5 chapter 4.8): PM1a event block (PM1_STS/PM1_EN), PM1a control
 * block (SCI_EN, SLP_TYP, SLP_EN), the 32-bit PM timer at 3.579545 MHz derived from virtual time, and GPE0
 * (status/enable halves). SLP_EN with the \_S5 sleep type powers the machine off; the SCI is a level line.
 */
import { NotImplementedError } from '../../common/errors.js';
import { BytewisePortHandler } from '../memory/io-ports.js';
import { ticksAt, timeOfTick, type TimerHandle, type VirtualClock } from '../time/clock.js';
import type { IrqLine } from './irq.js';

export const PM_TIMER_HZ = 3_579_545;

export const PM1_STS_TMR = 1 << 0;
export const PM1_STS_GBL = 1 << 5;
export const PM1_STS_PWRBTN = 1 << 8;
export const PM1_STS_RTC = 1 << 10;
export const PM1_STS_WAK = 1 << 15;
export const PM1_EN_TMR = 1 << 0;
export const PM1_EN_PWRBTN = 1 << 8;
export const PM1_EN_RTC = 1 << 10;
export const PM1_CNT_SCI_EN = 1 << 0;
export const PM1_CNT_SLP_EN = 1 << 13;
const SLP_TYP_SHIFT = 10;
const SLP_TYP_MASK = 0x7;

export interface AcpiPmLayout {
  readonly pm1aEvt: number;
  readonly pm1aCnt: number;
  readonly pmTmr: number;
  readonly gpe0: number;
  readonly gpe0Len: number;
  /** SLP_TYP value of \_S5 in the DSDT. */
  readonly s5SlpTyp: number;
}

export class AcpiPm extends BytewisePortHandler {
  private pm1Sts = 0;
  private pm1En = 0;
  /** SCI_EN is hard-wired to 1: the FADT has no SMI_CMD, so the platform is always in ACPI mode. */
  private pm1Cnt = PM1_CNT_SCI_EN;
  private readonly gpeSts: Uint8Array;
  private readonly gpeEn: Uint8Array;
  private overflow: TimerHandle | undefined;
  poweredOff = false;

  constructor(
    private readonly layout: AcpiPmLayout,
    private readonly clock: VirtualClock,
    private readonly sci: IrqLine,
    private readonly onPowerOff: () => void = () => {},
  ) {
    super();
    this.gpeSts = new Uint8Array(layout.gpe0Len / 2);
    this.gpeEn = new Uint8Array(layout.gpe0Len / 2);
  }

  /** The PM timer counter (32 bits, TMR_VAL_EXT). */
  get timer(): number {
    return ticksAt(this.clock.now, PM_TIMER_HZ) % 2 ** 32;
  }

  /** Host side: the user pressed the power button. */
  pressPowerButton(): void {
    this.pm1Sts |= PM1_STS_PWRBTN;
    this.updateSci();
  }

  /** Ports this device decodes: [first, count] pairs for IoPortBus.claim. */
  get portRanges(): [number, number][] {
    return [
      [this.layout.pm1aEvt, 4],
      [this.layout.pm1aCnt, 2],
      [this.layout.pmTmr, 4],
      [this.layout.gpe0, this.layout.gpe0Len],
    ];
  }

  override write(port: number, size: 1 | 2 | 4, value: number): void {
    // PM1_CNT must see SLP_TYP and SLP_EN of one write together: handle whole-register writes first.
    if (port === this.layout.pm1aCnt && size >= 2) {
      this.writeCnt(value & 0xffff);
      return;
    }
    super.write(port, size, value);
  }

  protected readByte(port: number): number {
    const L = this.layout;
    if (port >= L.pm1aEvt && port < L.pm1aEvt + 2) return (this.pm1Sts >> (8 * (port - L.pm1aEvt))) & 0xff;
    if (port >= L.pm1aEvt + 2 && port < L.pm1aEvt + 4) return (this.pm1En >> (8 * (port - L.pm1aEvt - 2))) & 0xff;
    if (port >= L.pm1aCnt && port < L.pm1aCnt + 2) return (this.pm1Cnt >> (8 * (port - L.pm1aCnt))) & 0xff;
    if (port >= L.pmTmr && port < L.pmTmr + 4) return Math.floor(this.timer / 2 ** (8 * (port - L.pmTmr))) & 0xff;
    if (port >= L.gpe0 && port < L.gpe0 + L.gpe0Len) {
      const half = L.gpe0Len / 2;
      const i = port - L.gpe0;
      return i < half ? this.gpeSts[i]! : this.gpeEn[i - half]!;
    }
    return 0xff;
  }

  protected writeByte(port: number, v: number): void {
    const L = this.layout;
    if (port >= L.pm1aEvt && port < L.pm1aEvt + 2) {
      this.pm1Sts &= ~(v << (8 * (port - L.pm1aEvt))); // write 1 to clear
    } else if (port >= L.pm1aEvt + 2 && port < L.pm1aEvt + 4) {
      const shift = 8 * (port - L.pm1aEvt - 2);
      this.pm1En = (this.pm1En & ~(0xff << shift)) | (v << shift);
      this.armOverflow();
    } else if (port >= L.pm1aCnt && port < L.pm1aCnt + 2) {
      const shift = 8 * (port - L.pm1aCnt);
      this.writeCnt((this.pm1Cnt & ~(0xff << shift)) | (v << shift));
      return;
    } else if (port >= L.gpe0 && port < L.gpe0 + L.gpe0Len) {
      const half = L.gpe0Len / 2;
      const i = port - L.gpe0;
      if (i < half) this.gpeSts[i]! &= ~v;
      else this.gpeEn[i - half] = v;
    }
    // PM_TMR is read-only.
    this.updateSci();
  }

  private writeCnt(v: number): void {
    this.pm1Cnt = (v & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN;
    if (v & PM1_CNT_SLP_EN) {
      const slpTyp = (v >> SLP_TYP_SHIFT) & SLP_TYP_MASK;
      if (slpTyp !== this.layout.s5SlpTyp) {
        // The DSDT only offers \_S5, so a guest asking for another state is outside the modelled machine.
        throw new NotImplementedError(`ACPI sleep with SLP_TYP=${slpTyp} (only S5, SLP_TYP=${this.layout.s5SlpTyp}, is modelled)`);
      }
      this.poweredOff = true;
      this.onPowerOff();
    }
  }

  /** TMR_STS is set whenever bit 31 of the PM timer toggles; schedule that while TMR_EN is on. */
  private armOverflow(): void {
    this.clock.cancel(this.overflow);
    this.overflow = undefined;
    if (!(this.pm1En & PM1_EN_TMR)) return;
    const now = ticksAt(this.clock.now, PM_TIMER_HZ);
    const next = (Math.floor(now / 2 ** 31) + 1) * 2 ** 31;
    this.overflow = this.clock.schedule(timeOfTick(next, PM_TIMER_HZ), 'pm-timer-overflow', () => {
      this.pm1Sts |= PM1_STS_TMR;
      this.updateSci();
      this.armOverflow();
    });
  }

  private updateSci(): void {
    let gpe = false;
    for (let i = 0; i < this.gpeSts.length; i++) if (this.gpeSts[i]! & this.gpeEn[i]!) gpe = true;
    const fixed = (this.pm1Sts & this.pm1En & (PM1_STS_TMR | PM1_STS_PWRBTN | PM1_STS_RTC)) !== 0;
    this.sci.setLevel((fixed || gpe) && (this.pm1Cnt & PM1_CNT_SCI_EN) !== 0);
  }
}
