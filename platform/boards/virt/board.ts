/**
 * The `virt` board: QEMU's Arm `virt` machine. `virtBoard()` turns the run's choices (RAM, GIC version,
 * virtualization, PSCI conduit) into the description that the device wiring and the device tree come from.
 */
import { BoardConfigError } from '../errors.js';
import { findOverlap, type AddressRange } from '../board.js';
import * as L from './layout.js';

export type GicVersion = 2 | 3;
export type PsciMethod = 'smc' | 'hvc';

export interface VirtBoardOptions {
  readonly memoryBytes?: number;
  readonly gic?: GicVersion;
  /** EL2 present (QEMU virtualization=on): the guest is entered at EL2. Default true (NOVA needs EL2). */
  readonly virtualization?: boolean;
  /** PSCI conduit; default as QEMU: smc when virtualization is on (firmware at EL3), hvc otherwise. */
  readonly psciMethod?: PsciMethod;
  readonly cpus?: number;
  /**
   * /chosen kaslr-seed and rng-seed, as QEMU's `dtb-randomness` (on by default): Linux randomizes its
   * placement (KASLR) and seeds its RNG from them. QEMU draws them at random per run; ours are fixed
   * (layout.ts), so a run stays reproducible. Default true.
   */
  readonly dtbRandomness?: boolean;
}

export interface GicV2Desc {
  readonly version: 2;
  readonly distributor: AddressRange;
  readonly cpuInterface: AddressRange;
  /** Present only with virtualization (as QEMU lists them only then). */
  readonly hypInterface?: AddressRange;
  readonly vcpuInterface?: AddressRange;
  readonly maintenancePpi?: number;
}

export interface GicV3Desc {
  readonly version: 3;
  readonly distributor: AddressRange;
  readonly redistributor: AddressRange;
  readonly redistributorStride: number;
  readonly maintenancePpi?: number;
}

export interface VirtBoard {
  readonly name: 'virt';
  readonly arch: 'aarch64';
  readonly memoryBytes: number;
  readonly cpus: number;
  readonly virtualization: boolean;
  readonly ram: readonly AddressRange[];
  /** Ranges inside RAM the firmware must report as reserved (none on virt; same shape as the pc board). */
  readonly reserved: readonly AddressRange[];
  readonly memoryMap: readonly AddressRange[];
  readonly firmware: { readonly base: number; readonly size: number };
  readonly gic: GicV2Desc | GicV3Desc;
  readonly uart: { readonly base: number; readonly size: number; readonly spi: number; readonly clockHz: number };
  readonly rtc: { readonly base: number; readonly size: number; readonly spi: number };
  readonly apbClockHz: number;
  readonly timer: {
    readonly securePpi: number;
    readonly nonSecurePpi: number;
    readonly virtPpi: number;
    readonly hypPpi: number;
    readonly frequencyHz: number;
  };
  readonly psci: {
    readonly method: PsciMethod;
    readonly cpuSuspend: number;
    readonly cpuOff: number;
    readonly cpuOn: number;
    readonly migrate: number;
    readonly systemOff: number;
    readonly systemReset: number;
  };
  readonly cpuCompatible: string;
  /** /chosen seeds (see VirtBoardOptions.dtbRandomness), absent when turned off. */
  readonly seeds?: { readonly kaslr: bigint; readonly rng: Uint8Array };
}

const MIN_MEMORY = 16 * 1024 * 1024;

function range(name: string, base: number, size: number, kind: AddressRange['kind'] = 'mmio'): AddressRange {
  return { name, base, size, kind };
}

export function virtBoard(options: VirtBoardOptions = {}): VirtBoard {
  const memoryBytes = options.memoryBytes ?? 512 * 1024 * 1024;
  const gicVersion = options.gic ?? 3;
  const virtualization = options.virtualization ?? true;
  const cpus = options.cpus ?? 1;
  const method = options.psciMethod ?? (virtualization ? 'smc' : 'hvc');
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes < MIN_MEMORY || memoryBytes > L.RAM_MAX) {
    throw new BoardConfigError('virt', '--memory', `must be between 16 MiB and 255 GiB, got ${memoryBytes} bytes`);
  }
  if (memoryBytes % 4096 !== 0) {
    throw new BoardConfigError('virt', '--memory', `must be a multiple of 4 KiB, got ${memoryBytes} bytes`);
  }
  if (gicVersion !== 2 && gicVersion !== 3) {
    throw new BoardConfigError('virt', '--gic', `must be 2 or 3, got ${String(gicVersion)}`);
  }
  if (method !== 'smc' && method !== 'hvc') {
    throw new BoardConfigError('virt', 'psci-method', `must be smc or hvc, got ${String(method)}`);
  }
  // GICv2 addresses at most 8 CPUs; the GICv3 redistributor region above holds 123.
  const maxCpus = gicVersion === 2 ? 8 : L.GICV3_REDIST_SIZE / L.GICV3_REDIST_STRIDE;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > maxCpus) {
    throw new BoardConfigError('virt', '--cpus', `must be 1..${maxCpus} with GICv${gicVersion}, got ${cpus}`);
  }

  const distributor = range('gic-dist', L.GIC_DIST_BASE, L.GIC_DIST_SIZE);
  const gic: GicV2Desc | GicV3Desc =
    gicVersion === 2
      ? {
          version: 2,
          distributor,
          cpuInterface: range('gic-cpu', L.GICV2_CPU_BASE, L.GICV2_CPU_SIZE),
          ...(virtualization
            ? {
                hypInterface: range('gic-hyp', L.GICV2_HYP_BASE, L.GICV2_HYP_SIZE),
                vcpuInterface: range('gic-vcpu', L.GICV2_VCPU_BASE, L.GICV2_VCPU_SIZE),
                maintenancePpi: L.GIC_MAINTENANCE_PPI,
              }
            : {}),
        }
      : {
          version: 3,
          distributor,
          redistributor: range('gic-redist', L.GICV3_REDIST_BASE, L.GICV3_REDIST_SIZE),
          redistributorStride: L.GICV3_REDIST_STRIDE,
          ...(virtualization ? { maintenancePpi: L.GIC_MAINTENANCE_PPI } : {}),
        };

  const ram = [range('ram', L.RAM_BASE, memoryBytes, 'ram')];
  const gicRanges =
    gic.version === 2
      ? [gic.distributor, gic.cpuInterface, ...(gic.hypInterface ? [gic.hypInterface, gic.vcpuInterface!] : [])]
      : [gic.distributor, gic.redistributor];
  const memoryMap = [
    range('firmware', L.FIRMWARE_BASE, L.FIRMWARE_SIZE, 'firmware'),
    ...gicRanges,
    range('pl011', L.UART_BASE, L.UART_SIZE),
    range('pl031', L.RTC_BASE, L.RTC_SIZE),
    ...ram,
  ];
  const overlap = findOverlap(memoryMap);
  if (overlap) throw new BoardConfigError('virt', 'layout', `${overlap[0].name} overlaps ${overlap[1].name}`);

  return {
    name: 'virt',
    arch: 'aarch64',
    memoryBytes,
    cpus,
    virtualization,
    ram,
    reserved: [],
    memoryMap,
    firmware: { base: L.FIRMWARE_BASE, size: L.FIRMWARE_SIZE },
    gic,
    uart: { base: L.UART_BASE, size: L.UART_SIZE, spi: L.UART_SPI, clockHz: L.APB_CLOCK_HZ },
    rtc: { base: L.RTC_BASE, size: L.RTC_SIZE, spi: L.RTC_SPI },
    apbClockHz: L.APB_CLOCK_HZ,
    timer: {
      securePpi: L.TIMER_SECURE_PPI,
      nonSecurePpi: L.TIMER_NONSECURE_PPI,
      virtPpi: L.TIMER_VIRT_PPI,
      hypPpi: L.TIMER_HYP_PPI,
      frequencyHz: L.GENERIC_TIMER_HZ,
    },
    psci: {
      method,
      cpuSuspend: L.PSCI_CPU_SUSPEND,
      cpuOff: L.PSCI_CPU_OFF,
      cpuOn: L.PSCI_CPU_ON,
      migrate: L.PSCI_MIGRATE,
      systemOff: L.PSCI_SYSTEM_OFF,
      systemReset: L.PSCI_SYSTEM_RESET,
    },
    cpuCompatible: L.CPU_COMPATIBLE,
    ...(options.dtbRandomness ?? true ? { seeds: { kaslr: L.KASLR_SEED, rng: L.RNG_SEED } } : {}),
  };
}
