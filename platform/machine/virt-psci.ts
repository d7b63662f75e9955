/**
 * PSCI 1.1 (Arm DEN0022) as the virt board's firmware answers it, on the conduit the board's device tree
 * names (/psci method: SMC with virtualization, as QEMU's EL3-less virt; HVC otherwise). Like QEMU's built-in
 * PSCI (no EL3 firmware image), only function IDs in the PSCI ranges are taken; any other SMC is undefined.
 *
 * One CPU: CPU_ON of CPU 0 answers ALREADY_ON and of any other MPIDR INVALID_PARAMETERS; CPU_OFF of the only
 * CPU leaves nothing running, so the run ends. SYSTEM_OFF and SYSTEM_RESET end the run with their verdicts.
 */
import type { Aarch64Cpu, Aarch64Firmware } from '../cpu/aarch64/cpu.js';
import type { VirtBoard } from '../boards/virt/board.js';

/** PSCI_VERSION: major 1, minor 1 (what QEMU 7.2 reports). */
export const PSCI_VERSION_1_1 = 0x00010001;

export const PSCI_FN = {
  VERSION: 0x84000000,
  CPU_SUSPEND: 0x84000001,
  CPU_OFF: 0x84000002,
  CPU_ON: 0x84000003,
  AFFINITY_INFO: 0x84000004,
  MIGRATE: 0x84000005,
  MIGRATE_INFO_TYPE: 0x84000006,
  MIGRATE_INFO_UP_CPU: 0x84000007,
  SYSTEM_OFF: 0x84000008,
  SYSTEM_RESET: 0x84000009,
  FEATURES: 0x8400000a,
} as const;

/** SMC64 variants carry the same function number with bit 30 set. */
const SMC64 = 0x40000000;

export const PSCI_RET = {
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  INVALID_PARAMETERS: -2,
  ALREADY_ON: -4,
} as const;

/** MIGRATE_INFO_TYPE 2: no Trusted OS, nothing to migrate. */
const MIGRATE_NOT_REQUIRED = 2;
/** AFFINITY_INFO state ON. */
const AFFINITY_ON = 0;
/** MPIDR affinity fields of the boot CPU (Aff0..Aff3 all zero on virt). */
const MPIDR_AFFINITY_MASK_LO = 0x00ffffff;

/** How a PSCI call ends the run; the machine turns it into a verdict. */
export type PsciStop = { kind: 'power-off' | 'reset' | 'cpu-off'; functionId: number; message: string };

export interface VirtPsciOptions {
  readonly onStop: (stop: PsciStop) => void;
  /** Every call, for the event trace. */
  readonly onCall?: (functionId: number, name: string, result: number | undefined) => void;
}

function isPsciRange(id: number): boolean {
  const base = (id & ~SMC64) >>> 0;
  return base >= 0x84000000 && base <= 0x8400001f;
}

const NAMES = new Map<number, string>(Object.entries(PSCI_FN).map(([name, id]) => [id, name]));

/** The firmware half the CPU model calls for SMC/HVC (Aarch64Cpu.firmware). */
export function virtPsciFirmware(board: VirtBoard, o: VirtPsciOptions): Aarch64Firmware {
  const call = (cpu: Aarch64Cpu): boolean => {
    const id = cpu.x[0]! >>> 0;
    if (!isPsciRange(id)) return false;
    const fn = (id & ~SMC64) >>> 0;
    const name = NAMES.get(fn) ?? `0x${id.toString(16)}`;
    // MPIDR arguments of CPU 0: affinity bits zero (X1 of CPU_ON / AFFINITY_INFO).
    const targetIsCpu0 = (cpu.x[2]! & MPIDR_AFFINITY_MASK_LO) === 0 && (cpu.x[3]! & 0xff) === 0;
    let result: number | undefined;
    switch (fn) {
      case PSCI_FN.VERSION: result = PSCI_VERSION_1_1; break;
      case PSCI_FN.CPU_SUSPEND: result = PSCI_RET.SUCCESS; break; // standby: a wake-up at once is allowed
      case PSCI_FN.CPU_ON: result = targetIsCpu0 ? PSCI_RET.ALREADY_ON : PSCI_RET.INVALID_PARAMETERS; break;
      case PSCI_FN.AFFINITY_INFO: result = targetIsCpu0 ? AFFINITY_ON : PSCI_RET.INVALID_PARAMETERS; break;
      case PSCI_FN.MIGRATE_INFO_TYPE: result = MIGRATE_NOT_REQUIRED; break;
      case PSCI_FN.FEATURES: result = featureOf(cpu.x[2]! >>> 0); break;
      case PSCI_FN.SYSTEM_OFF:
        o.onStop({ kind: 'power-off', functionId: id, message: `PSCI SYSTEM_OFF (${board.psci.method})` });
        break;
      case PSCI_FN.SYSTEM_RESET:
        o.onStop({ kind: 'reset', functionId: id, message: `PSCI SYSTEM_RESET (${board.psci.method})` });
        break;
      case PSCI_FN.CPU_OFF:
        o.onStop({ kind: 'cpu-off', functionId: id, message: `PSCI CPU_OFF (${board.psci.method}) of the only CPU: nothing is left running` });
        break;
      default: result = PSCI_RET.NOT_SUPPORTED;
    }
    o.onCall?.(id, name, result);
    if (result !== undefined) cpu.setX(0, result, result < 0 ? -1 : 0);
    return true;
  };
  return board.psci.method === 'smc' ? { onSmc: (cpu) => call(cpu) } : { onSmc: () => false, onHvc: (cpu) => call(cpu) };
}

/** PSCI_FEATURES: 0 for every function implemented here (no optional feature flags), else NOT_SUPPORTED. */
function featureOf(id: number): number {
  if (!isPsciRange(id)) return PSCI_RET.NOT_SUPPORTED;
  const fn = (id & ~SMC64) >>> 0;
  const has64 = fn === PSCI_FN.CPU_SUSPEND || fn === PSCI_FN.CPU_ON || fn === PSCI_FN.AFFINITY_INFO;
  if ((id & SMC64) !== 0 && !has64) return PSCI_RET.NOT_SUPPORTED;
  return NAMES.has(fn) && fn !== PSCI_FN.MIGRATE && fn !== PSCI_FN.MIGRATE_INFO_UP_CPU ? PSCI_RET.SUCCESS : PSCI_RET.NOT_SUPPORTED;
}
