/**
 * The system registers the model implements, as one declarative table.
 *
 * Each row: name, encoding (op0, op1, CRn, CRm, op2), the lowest EL that may access it, and either a storage
 * slot in `Aarch64Cpu.sys` (64-bit values as lo/hi Int32 pairs) or a special handler in `sysreg-access.ts`
 * (PSTATE views, timers, counters). Writes to rows with `effect` recompute derived CPU state (MMU mode, TLB,
 * FP traps, timer deadlines). An encoding not in the table is UNDEFINED (the guest gets an Undefined exception),
 * as on hardware for unimplemented registers.
 */
export type SysEffect = 'mmu' | 'fp' | 'timer' | 'irq' | 'none';

/**
 * Trap groups: which control bits can trap an access from a lower EL (HCR_EL2.TID1/2/3, TVM/TRVM, TACR;
 * CNTHCTL_EL2 for EL1 and CNTKCTL_EL1 for EL0 counter/timer access).
 */
export type TrapGroup = 'id1' | 'id2' | 'id3' | 'vm' | 'actlr' | 'pcount' | 'vcount' | 'ptimer' | 'vtimer';

export interface SysregSpec {
  readonly name: string;
  readonly key: number;
  /** lowest exception level allowed to access it */
  readonly el: 0 | 1 | 2;
  readonly readOnly?: boolean;
  readonly writeOnly?: boolean;
  /** reset value as [lo, hi] */
  readonly reset?: readonly [number, number];
  /** special registers are computed, not stored */
  readonly special?: boolean;
  readonly effect?: SysEffect;
  /** bits that software can change (lo, hi); the rest keep their reset value (RES0/RES1) */
  readonly writable?: readonly [number, number];
  readonly trap?: TrapGroup;
}

export function sysregKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return ((op0 & 3) << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

export const SYSREGS: SysregSpec[] = [];
/** slot index by name, filled as the table is defined */
export const SLOT: Record<string, number> = {};

function def(
  name: string, op0: number, op1: number, crn: number, crm: number, op2: number, el: 0 | 1 | 2,
  opts: Omit<SysregSpec, 'name' | 'key' | 'el'> = {},
): number {
  SYSREGS.push({ name, key: sysregKey(op0, op1, crn, crm, op2), el, ...opts });
  SLOT[name] = SYSREGS.length - 1;
  return SYSREGS.length - 1;
}

const RO = { readOnly: true } as const;

// Identification (values: Cortex-A57 r1p0 as documented in its TRM, trimmed to what the model implements:
// AArch64 only at EL0-EL2, no EL3, 4 KiB granule only, CRC32; see cpu-model.ts for the per-model values).
export const MIDR_EL1 = def('MIDR_EL1', 3, 0, 0, 0, 0, 1, RO);
export const MPIDR_EL1 = def('MPIDR_EL1', 3, 0, 0, 0, 5, 1, RO);
export const REVIDR_EL1 = def('REVIDR_EL1', 3, 0, 0, 0, 6, 1, { readOnly: true, trap: 'id1' });
export const ID_AA64PFR0_EL1 = def('ID_AA64PFR0_EL1', 3, 0, 0, 4, 0, 1, { readOnly: true, trap: 'id3' });
def('ID_AA64PFR1_EL1', 3, 0, 0, 4, 1, 1, { readOnly: true, trap: 'id3' });
def('ID_AA64ZFR0_EL1', 3, 0, 0, 4, 4, 1, { readOnly: true, trap: 'id3' });
export const ID_AA64DFR0_EL1 = def('ID_AA64DFR0_EL1', 3, 0, 0, 5, 0, 1, { readOnly: true, trap: 'id3' });
def('ID_AA64DFR1_EL1', 3, 0, 0, 5, 1, 1, { readOnly: true, trap: 'id3' });
def('ID_AA64AFR0_EL1', 3, 0, 0, 5, 4, 1, { readOnly: true, trap: 'id3' });
def('ID_AA64AFR1_EL1', 3, 0, 0, 5, 5, 1, { readOnly: true, trap: 'id3' });
export const ID_AA64ISAR0_EL1 = def('ID_AA64ISAR0_EL1', 3, 0, 0, 6, 0, 1, { readOnly: true, trap: 'id3' });
def('ID_AA64ISAR1_EL1', 3, 0, 0, 6, 1, 1, { readOnly: true, trap: 'id3' });
def('ID_AA64ISAR2_EL1', 3, 0, 0, 6, 2, 1, { readOnly: true, trap: 'id3' });
export const ID_AA64MMFR0_EL1 = def('ID_AA64MMFR0_EL1', 3, 0, 0, 7, 0, 1, { readOnly: true, trap: 'id3' });
export const ID_AA64MMFR1_EL1 = def('ID_AA64MMFR1_EL1', 3, 0, 0, 7, 1, 1, { readOnly: true, trap: 'id3' });
def('ID_AA64MMFR2_EL1', 3, 0, 0, 7, 2, 1, { readOnly: true, trap: 'id3' });
// AArch32 ID registers read as zero: the model has no AArch32 state.
for (let crm = 1; crm <= 3; crm++) {
  for (let op2 = 0; op2 < 8; op2++) def(`ID_AARCH32_${crm}_${op2}`, 3, 0, 0, crm, op2, 1, { readOnly: true, trap: 'id3' });
}
// The rest of the ID register space (op0 3, op1 0, CRn 0, CRm 4..7) reads as zero, as the architecture requires
// for unallocated ID registers (kernels probe newer ones such as ID_AA64SMFR0_EL1 unconditionally).
for (let crm = 4; crm <= 7; crm++) {
  for (let op2 = 0; op2 < 8; op2++) {
    const key = sysregKey(3, 0, 0, crm, op2);
    if (!SYSREGS.some((r) => r.key === key)) def(`ID_RAZ_${crm}_${op2}`, 3, 0, 0, crm, op2, 1, { readOnly: true, trap: 'id3' });
  }
}
export const CTR_EL0 = def('CTR_EL0', 3, 3, 0, 0, 1, 0, { readOnly: true, trap: 'id2' });
export const DCZID_EL0 = def('DCZID_EL0', 3, 3, 0, 0, 7, 0, RO);
export const CLIDR_EL1 = def('CLIDR_EL1', 3, 1, 0, 0, 1, 1, { readOnly: true, trap: 'id2' });
def('CCSIDR_EL1', 3, 1, 0, 0, 0, 1, { readOnly: true, reset: [0x700fe01a, 0], trap: 'id2' });
def('CSSELR_EL1', 3, 2, 0, 0, 0, 1, { trap: 'id2' });
def('AIDR_EL1', 3, 1, 0, 0, 7, 1, { readOnly: true, trap: 'id1' });
export const VPIDR_EL2 = def('VPIDR_EL2', 3, 4, 0, 0, 0, 2);
export const VMPIDR_EL2 = def('VMPIDR_EL2', 3, 4, 0, 0, 5, 2);

// Control
export const SCTLR_EL1 = def('SCTLR_EL1', 3, 0, 1, 0, 0, 1, { reset: [0x00c50838, 0], effect: 'mmu', trap: 'vm' });
export const SCTLR_EL2 = def('SCTLR_EL2', 3, 4, 1, 0, 0, 2, { reset: [0x30c50838, 0], effect: 'mmu' });
def('ACTLR_EL1', 3, 0, 1, 0, 1, 1, { trap: 'actlr' });
def('ACTLR_EL2', 3, 4, 1, 0, 1, 2);
export const CPACR_EL1 = def('CPACR_EL1', 3, 0, 1, 0, 2, 1, { effect: 'fp', writable: [0x00300000, 0] });
export const HCR_EL2 = def('HCR_EL2', 3, 4, 1, 1, 0, 2, { effect: 'mmu' });
def('MDCR_EL2', 3, 4, 1, 1, 1, 2);
export const CPTR_EL2 = def('CPTR_EL2', 3, 4, 1, 1, 2, 2, { reset: [0x000033ff, 0], effect: 'fp', writable: [0x80000400, 0] });
def('HSTR_EL2', 3, 4, 1, 1, 3, 2);
// AArch32 EL1 state that hypervisors save and restore; plain storage here (the model runs no AArch32 code).
def('DACR32_EL2', 3, 4, 3, 0, 0, 2);
def('IFSR32_EL2', 3, 4, 5, 0, 1, 2);
def('FPEXC32_EL2', 3, 4, 5, 3, 0, 2);
def('HACR_EL2', 3, 4, 1, 1, 7, 2);

// Translation
export const TTBR0_EL1 = def('TTBR0_EL1', 3, 0, 2, 0, 0, 1, { effect: 'mmu', trap: 'vm' });
export const TTBR1_EL1 = def('TTBR1_EL1', 3, 0, 2, 0, 1, 1, { effect: 'mmu', trap: 'vm' });
export const TCR_EL1 = def('TCR_EL1', 3, 0, 2, 0, 2, 1, { effect: 'mmu', trap: 'vm' });
export const TTBR0_EL2 = def('TTBR0_EL2', 3, 4, 2, 0, 0, 2, { effect: 'mmu' });
export const TCR_EL2 = def('TCR_EL2', 3, 4, 2, 0, 2, 2, { reset: [0x80800000 | 0, 0], effect: 'mmu' });
export const VTTBR_EL2 = def('VTTBR_EL2', 3, 4, 2, 1, 0, 2, { effect: 'mmu' });
export const VTCR_EL2 = def('VTCR_EL2', 3, 4, 2, 1, 2, 2, { effect: 'mmu' });
export const MAIR_EL1 = def('MAIR_EL1', 3, 0, 10, 2, 0, 1, { trap: 'vm' });
export const MAIR_EL2 = def('MAIR_EL2', 3, 4, 10, 2, 0, 2);
def('AMAIR_EL1', 3, 0, 10, 3, 0, 1, { trap: 'vm' });
def('AMAIR_EL2', 3, 4, 10, 3, 0, 2);
export const PAR_EL1 = def('PAR_EL1', 3, 0, 7, 4, 0, 1);
export const CONTEXTIDR_EL1 = def('CONTEXTIDR_EL1', 3, 0, 13, 0, 1, 1, { trap: 'vm' });

// Exception handling
export const VBAR_EL1 = def('VBAR_EL1', 3, 0, 12, 0, 0, 1, { writable: [~0x7ff, -1] });
export const VBAR_EL2 = def('VBAR_EL2', 3, 4, 12, 0, 0, 2, { writable: [~0x7ff, -1] });
export const ESR_EL1 = def('ESR_EL1', 3, 0, 5, 2, 0, 1, { trap: 'vm' });
export const ESR_EL2 = def('ESR_EL2', 3, 4, 5, 2, 0, 2);
export const FAR_EL1 = def('FAR_EL1', 3, 0, 6, 0, 0, 1, { trap: 'vm' });
export const FAR_EL2 = def('FAR_EL2', 3, 4, 6, 0, 0, 2);
export const HPFAR_EL2 = def('HPFAR_EL2', 3, 4, 6, 0, 4, 2);
def('AFSR0_EL1', 3, 0, 5, 1, 0, 1, { trap: 'vm' });
def('AFSR1_EL1', 3, 0, 5, 1, 1, 1, { trap: 'vm' });
def('AFSR0_EL2', 3, 4, 5, 1, 0, 2);
def('AFSR1_EL2', 3, 4, 5, 1, 1, 2);
export const ELR_EL1 = def('ELR_EL1', 3, 0, 4, 0, 1, 1);
export const SPSR_EL1 = def('SPSR_EL1', 3, 0, 4, 0, 0, 1);
export const ELR_EL2 = def('ELR_EL2', 3, 4, 4, 0, 1, 2);
export const SPSR_EL2 = def('SPSR_EL2', 3, 4, 4, 0, 0, 2);
def('SPSR_irq', 3, 4, 4, 3, 0, 2);
def('SPSR_abt', 3, 4, 4, 3, 1, 2);
def('SPSR_und', 3, 4, 4, 3, 2, 2);
def('SPSR_fiq', 3, 4, 4, 3, 3, 2);
def('ISR_EL1', 3, 0, 12, 1, 0, 1, { special: true, readOnly: true });
def('RMR_EL2', 3, 4, 12, 0, 2, 2);

// PSTATE views and stack pointers (special: computed from CPU state)
def('NZCV', 3, 3, 4, 2, 0, 0, { special: true });
def('DAIF', 3, 3, 4, 2, 1, 0, { special: true, effect: 'irq' });
def('CurrentEL', 3, 0, 4, 2, 2, 1, { special: true, readOnly: true });
def('SPSel', 3, 0, 4, 2, 0, 1, { special: true });
def('SP_EL0', 3, 0, 4, 1, 0, 1, { special: true });
def('SP_EL1', 3, 4, 4, 1, 0, 2, { special: true });
def('FPCR', 3, 3, 4, 4, 0, 0, { special: true });
def('FPSR', 3, 3, 4, 4, 1, 0, { special: true });

// Thread ID
export const TPIDR_EL0 = def('TPIDR_EL0', 3, 3, 13, 0, 2, 0);
def('TPIDRRO_EL0', 3, 3, 13, 0, 3, 0);
def('TPIDR_EL1', 3, 0, 13, 0, 4, 1);
def('TPIDR_EL2', 3, 4, 13, 0, 2, 2);

// Generic timer. CNTFRQ is a plain register firmware programs; counters and TVAL views are computed.
export const CNTFRQ_EL0 = def('CNTFRQ_EL0', 3, 3, 14, 0, 0, 0);
def('CNTPCT_EL0', 3, 3, 14, 0, 1, 0, { special: true, readOnly: true, trap: 'pcount' });
def('CNTVCT_EL0', 3, 3, 14, 0, 2, 0, { special: true, readOnly: true, trap: 'vcount' });
export const CNTKCTL_EL1 = def('CNTKCTL_EL1', 3, 0, 14, 1, 0, 1);
export const CNTHCTL_EL2 = def('CNTHCTL_EL2', 3, 4, 14, 1, 0, 2, { reset: [3, 0] });
export const CNTVOFF_EL2 = def('CNTVOFF_EL2', 3, 4, 14, 0, 3, 2, { effect: 'timer' });
export const CNTP_CTL_EL0 = def('CNTP_CTL_EL0', 3, 3, 14, 2, 1, 0, { special: true, effect: 'timer', trap: 'ptimer' });
export const CNTP_CVAL_EL0 = def('CNTP_CVAL_EL0', 3, 3, 14, 2, 2, 0, { effect: 'timer', trap: 'ptimer' });
def('CNTP_TVAL_EL0', 3, 3, 14, 2, 0, 0, { special: true, effect: 'timer', trap: 'ptimer' });
export const CNTV_CTL_EL0 = def('CNTV_CTL_EL0', 3, 3, 14, 3, 1, 0, { special: true, effect: 'timer', trap: 'vtimer' });
export const CNTV_CVAL_EL0 = def('CNTV_CVAL_EL0', 3, 3, 14, 3, 2, 0, { effect: 'timer', trap: 'vtimer' });
def('CNTV_TVAL_EL0', 3, 3, 14, 3, 0, 0, { special: true, effect: 'timer', trap: 'vtimer' });
export const CNTHP_CTL_EL2 = def('CNTHP_CTL_EL2', 3, 4, 14, 2, 1, 2, { special: true, effect: 'timer' });
export const CNTHP_CVAL_EL2 = def('CNTHP_CVAL_EL2', 3, 4, 14, 2, 2, 2, { effect: 'timer' });
def('CNTHP_TVAL_EL2', 3, 4, 14, 2, 0, 2, { special: true, effect: 'timer' });

// Debug and performance monitors: present (kernels probe them) but inert.
def('MDSCR_EL1', 2, 0, 0, 2, 2, 1);
// Breakpoint and watchpoint registers (6 and 4, as ID_AA64DFR0_EL1 of the A57 says): stored, never trigger.
for (let n = 0; n < 6; n++) { def(`DBGBVR${n}_EL1`, 2, 0, 0, n, 4, 1); def(`DBGBCR${n}_EL1`, 2, 0, 0, n, 5, 1); }
for (let n = 0; n < 4; n++) { def(`DBGWVR${n}_EL1`, 2, 0, 0, n, 6, 1); def(`DBGWCR${n}_EL1`, 2, 0, 0, n, 7, 1); }
def('MDRAR_EL1', 2, 0, 1, 0, 0, 1, RO);
def('DBGPRCR_EL1', 2, 0, 1, 4, 4, 1);
def('DBGCLAIMSET_EL1', 2, 0, 7, 8, 6, 1);
def('DBGCLAIMCLR_EL1', 2, 0, 7, 9, 6, 1);
def('DBGAUTHSTATUS_EL1', 2, 0, 7, 14, 6, 1, RO);
def('MDCCSR_EL0', 2, 3, 0, 1, 0, 0, RO);
def('OSLAR_EL1', 2, 0, 1, 0, 4, 1, { writeOnly: true });
def('OSLSR_EL1', 2, 0, 1, 1, 4, 1, { readOnly: true, reset: [0x8, 0] });
def('OSDLR_EL1', 2, 0, 1, 3, 4, 1);
def('MDCCINT_EL1', 2, 0, 0, 2, 0, 1);
def('DBGVCR32_EL2', 2, 4, 0, 7, 0, 2);
def('PMCR_EL0', 3, 3, 9, 12, 0, 0, { reset: [0x41013000, 0] });
def('PMCNTENSET_EL0', 3, 3, 9, 12, 1, 0);
def('PMCNTENCLR_EL0', 3, 3, 9, 12, 2, 0);
def('PMOVSCLR_EL0', 3, 3, 9, 12, 3, 0);
def('PMUSERENR_EL0', 3, 3, 9, 14, 0, 0);
def('PMINTENSET_EL1', 3, 0, 9, 14, 1, 1);
def('PMINTENCLR_EL1', 3, 0, 9, 14, 2, 1);
def('PMCCFILTR_EL0', 3, 3, 14, 15, 7, 0);
def('PMSELR_EL0', 3, 3, 9, 12, 5, 0);
def('PMCCNTR_EL0', 3, 3, 9, 13, 0, 0);
