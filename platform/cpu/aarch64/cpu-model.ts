/**
 * CPU models: the identification registers a guest sees and the optional features they advertise.
 *
 * `cortex-a57` follows the Cortex-A57 MPCore TRM (r1p0: MIDR 0x411fd070, CTR 0x8444c004, CLIDR 0x0a200023,
 * DFR0 0x10305106) with the fields trimmed to what this model implements: AArch64 only at EL0..EL2, no EL3,
 * FP and AdvSIMD present, 4 and 64 KiB granules (TGran16 = 0: not supported, as on the A57), 44-bit PA,
 * 16-bit ASIDs, CRC32 (no AES/SHA: they are not implemented, so they are not advertised).
 * `max` adds the Armv8.1 atomics (LSE: ISAR0.Atomic = 2) that the LSE test guest needs and the 16 KiB granule.
 */
export interface CpuModel {
  readonly name: string;
  readonly midr: number;
  readonly pfr0: number;
  readonly dfr0: number;
  readonly isar0: number;
  readonly mmfr0: number;
  readonly mmfr1: number;
  readonly ctr: number;
  readonly clidr: number;
  /** Armv8.1 LSE atomics (CAS, LDADD, SWP, ...) */
  readonly lse: boolean;
  /** physical address bits (PARange) */
  readonly paBits: number;
  /** translation granules (log2 size) */
  readonly granules: readonly number[];
}

export const CORTEX_A57: CpuModel = {
  name: 'cortex-a57',
  midr: 0x411fd070,
  pfr0: 0x00000111,
  dfr0: 0x10305106,
  isar0: 0x00010000,
  mmfr0: 0x00000024,
  mmfr1: 0,
  ctr: 0x8444c004 | 0,
  clidr: 0x0a200023,
  lse: false,
  paBits: 44,
  granules: [12, 16],
};

export const MAX_MODEL: CpuModel = {
  ...CORTEX_A57,
  name: 'max',
  midr: 0x000f0510,
  isar0: 0x00210000,
  lse: true,
  mmfr0: 0x00100024,
  granules: [12, 14, 16],
};

export const CPU_MODELS: Readonly<Record<string, CpuModel>> = { 'cortex-a57': CORTEX_A57, max: MAX_MODEL };
