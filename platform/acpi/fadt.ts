/**
 * Fixed ACPI Description Table, revision 6 at its full 276-byte size (ACPI 6.5 section 5.2.9). NOVA needs
 * the full-size table (>= 244 bytes) and reads the PM timer from it; Linux and NOVA power off through
 * PM1a_CNT. Both the 32-bit and the X_ 64-bit fields are filled and agree.
 */
import { defineStruct } from '../../common/struct.js';
import type { PcBoard } from '../boards/pc/board.js';
import { CmosIndex } from '../devices/cmos-rtc.js';
import { Gas, ioGas, NULL_GAS } from './gas.js';
import { buildTable } from './sdt-header.js';

const GAS: readonly ['bytes', 12] = ['bytes', 12];

export const Fadt = defineStruct('acpi_fadt', 276, {
  firmware_ctrl: [36, 'u32'],
  dsdt: [40, 'u32'],
  preferred_pm_profile: [45, 'u8'],
  sci_int: [46, 'u16'],
  smi_cmd: [48, 'u32'],
  acpi_enable: [52, 'u8'],
  acpi_disable: [53, 'u8'],
  s4bios_req: [54, 'u8'],
  pstate_cnt: [55, 'u8'],
  pm1a_evt_blk: [56, 'u32'],
  pm1b_evt_blk: [60, 'u32'],
  pm1a_cnt_blk: [64, 'u32'],
  pm1b_cnt_blk: [68, 'u32'],
  pm2_cnt_blk: [72, 'u32'],
  pm_tmr_blk: [76, 'u32'],
  gpe0_blk: [80, 'u32'],
  gpe1_blk: [84, 'u32'],
  pm1_evt_len: [88, 'u8'],
  pm1_cnt_len: [89, 'u8'],
  pm2_cnt_len: [90, 'u8'],
  pm_tmr_len: [91, 'u8'],
  gpe0_blk_len: [92, 'u8'],
  gpe1_blk_len: [93, 'u8'],
  gpe1_base: [94, 'u8'],
  cst_cnt: [95, 'u8'],
  p_lvl2_lat: [96, 'u16'],
  p_lvl3_lat: [98, 'u16'],
  flush_size: [100, 'u16'],
  flush_stride: [102, 'u16'],
  duty_offset: [104, 'u8'],
  duty_width: [105, 'u8'],
  day_alrm: [106, 'u8'],
  mon_alrm: [107, 'u8'],
  century: [108, 'u8'],
  iapc_boot_arch: [109, 'u16'],
  flags: [112, 'u32'],
  reset_reg: [116, GAS],
  reset_value: [128, 'u8'],
  arm_boot_arch: [129, 'u16'],
  fadt_minor_version: [131, 'u8'],
  x_firmware_ctrl: [132, 'u64'],
  x_dsdt: [140, 'u64'],
  x_pm1a_evt_blk: [148, GAS],
  x_pm1b_evt_blk: [160, GAS],
  x_pm1a_cnt_blk: [172, GAS],
  x_pm1b_cnt_blk: [184, GAS],
  x_pm2_cnt_blk: [196, GAS],
  x_pm_tmr_blk: [208, GAS],
  x_gpe0_blk: [220, GAS],
  x_gpe1_blk: [232, GAS],
  sleep_control_reg: [244, GAS],
  sleep_status_reg: [256, GAS],
  hypervisor_vendor_identity: [268, 'u64'],
});

export const FADT_REVISION = 6;
export const FADT_MINOR_REVISION = 5;

/** Fixed feature flags (ACPI 6.5 table 5.10), named so the choice below reads as a sentence. */
export const FadtFlags = {
  WBINVD: 1 << 0,
  PROC_C1: 1 << 2,
  /** Set: the power button is a control-method device (our PNP0C0C), not the fixed-feature button. */
  PWR_BUTTON: 1 << 4,
  SLP_BUTTON: 1 << 5,
  /** The PM timer is 32 bits wide. */
  TMR_VAL_EXT: 1 << 8,
  RESET_REG_SUP: 1 << 10,
  USE_PLATFORM_CLOCK: 1 << 15,
} as const;

/** IA-PC boot architecture flags: legacy ISA devices present; no 8042 keyboard controller is modelled. */
export const IAPC_LEGACY_DEVICES = 1 << 0;
export const IAPC_VGA_NOT_PRESENT = 1 << 2;

export interface FadtPointers {
  readonly facs: number;
  readonly dsdt: number;
}

export function encodeFadt(board: PcBoard, at: FadtPointers): Uint8Array {
  const pm = board.acpiPm;
  const gas = (v: typeof NULL_GAS) => Gas.encode(v);
  return buildTable('FACP', FADT_REVISION, Fadt.size, board.acpiIds, (view) => {
    Fadt.write(view, 0, {
      firmware_ctrl: at.facs,
      dsdt: at.dsdt,
      preferred_pm_profile: 0,
      sci_int: pm.sciIrq,
      // SMI_CMD = 0: the hardware is always in ACPI mode (SCI_EN reads 1), no SMM hand-over needed.
      smi_cmd: 0,
      pm1a_evt_blk: pm.pm1aEvt,
      pm1a_cnt_blk: pm.pm1aCnt,
      pm_tmr_blk: pm.pmTmr,
      gpe0_blk: pm.gpe0,
      pm1_evt_len: pm.pm1EvtLen,
      pm1_cnt_len: pm.pm1CntLen,
      pm_tmr_len: pm.pmTmrLen,
      gpe0_blk_len: pm.gpe0Len,
      // C2/C3 not supported (values above 100/1000 say so).
      p_lvl2_lat: 101,
      p_lvl3_lat: 1001,
      century: CmosIndex.CENTURY,
      iapc_boot_arch: IAPC_LEGACY_DEVICES | IAPC_VGA_NOT_PRESENT,
      flags:
        FadtFlags.WBINVD |
        FadtFlags.PROC_C1 |
        FadtFlags.PWR_BUTTON |
        FadtFlags.SLP_BUTTON |
        FadtFlags.TMR_VAL_EXT |
        FadtFlags.RESET_REG_SUP |
        FadtFlags.USE_PLATFORM_CLOCK,
      reset_reg: gas(ioGas(board.resetControl.port, 1, 1)),
      reset_value: board.resetControl.value,
      fadt_minor_version: FADT_MINOR_REVISION,
      x_firmware_ctrl: BigInt(at.facs),
      x_dsdt: BigInt(at.dsdt),
      x_pm1a_evt_blk: gas(ioGas(pm.pm1aEvt, pm.pm1EvtLen)),
      x_pm1a_cnt_blk: gas(ioGas(pm.pm1aCnt, pm.pm1CntLen)),
      x_pm_tmr_blk: gas(ioGas(pm.pmTmr, pm.pmTmrLen)),
      x_gpe0_blk: gas(ioGas(pm.gpe0, pm.gpe0Len)),
      hypervisor_vendor_identity: 0n,
    });
  });
}

export type FadtValue = ReturnType<typeof Fadt.read>;

/** Reads a FADT; shorter (older) FADTs are read as far as they go, missing fields as zero. */
export function decodeFadt(table: Uint8Array, file = '<FACP>'): FadtValue {
  const full = new Uint8Array(Fadt.size);
  full.set(table.subarray(0, Math.min(table.length, Fadt.size)));
  return Fadt.read(new DataView(full.buffer), 0, file);
}
