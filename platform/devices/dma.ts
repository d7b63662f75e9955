/**
 * Every bus-master access a device makes goes through here: the requester's PCI Bus Master Enable bit is
 * checked, then the translation unit (none, VT-d, AMD-Vi, SMMU: an IOMMU model plugs in as `DmaTranslation`),
 * then the target must be RAM. Each attempt is recorded with source, address, length, direction, outcome and
 * reason, with the virtual time, so runs can be judged ("a device wrote into the kernel after
 * ExitBootServices") and two runs compared.
 *
 * A transfer whose target is not RAM is stray DMA: a driver gave the device a wild address. It is refused and
 * reported to `onStray`, which a machine turns into the end of the run. A transfer refused because Bus
 * Master Enable is clear is not stray: PCI forbids the function to issue it, so it is only recorded.
 */
import type { PhysicalBus } from '../memory/bus.js';
import type { VirtualClock } from '../time/clock.js';

export type DmaDirection = 'read' | 'write';
export type DmaOutcome = 'ok' | 'blocked' | 'fault';

export interface DmaRecord {
  readonly time: number;
  readonly source: string;
  readonly address: number;
  readonly length: number;
  readonly direction: DmaDirection;
  readonly outcome: DmaOutcome;
  readonly reason: string;
}

/** A device that can master the bus (a PCI function, or a platform device with its own stream ID). */
export interface DmaRequester {
  readonly name: string;
  readonly busMasterEnabled: boolean;
}

export type TranslationResult = { readonly ok: true; readonly address: number } | { readonly ok: false; readonly reason: string };

/** An IOMMU/SMMU: maps a device address to a physical one or refuses. */
export interface DmaTranslation {
  readonly name: string;
  translate(source: string, address: number, length: number, direction: DmaDirection): TranslationResult;
}

/** No translation unit: device addresses are physical addresses. */
export const NO_IOMMU: DmaTranslation = {
  name: 'none',
  translate: (_s, address) => ({ ok: true, address }),
};

export class DmaController {
  readonly log: DmaRecord[] = [];

  constructor(
    private readonly bus: PhysicalBus,
    private readonly clock?: VirtualClock,
    private translation: DmaTranslation = NO_IOMMU,
    private readonly onStray?: (record: DmaRecord) => void,
  ) {}

  setTranslation(t: DmaTranslation): void {
    this.translation = t;
  }

  /** Reads guest memory for a device; undefined when the access was refused. */
  read(requester: DmaRequester, address: number, length: number): Uint8Array | undefined {
    const target = this.check(requester, address, length, 'read');
    return target === undefined ? undefined : this.bus.readBytes(target, length);
  }

  /** Writes guest memory for a device; false when the access was refused. */
  write(requester: DmaRequester, address: number, data: Uint8Array): boolean {
    const target = this.check(requester, address, data.length, 'write');
    if (target === undefined) return false;
    this.bus.writeBytes(target, data); // marks written code pages, like a CPU store
    return true;
  }

  private check(requester: DmaRequester, address: number, length: number, direction: DmaDirection): number | undefined {
    const record = (outcome: DmaOutcome, reason: string) => {
      const r: DmaRecord = { time: this.clock?.now ?? 0, source: requester.name, address, length, direction, outcome, reason };
      this.log.push(r);
      if (outcome === 'fault') this.onStray?.(r);
    };
    if (!requester.busMasterEnabled) {
      record('blocked', 'bus master enable is clear');
      return undefined;
    }
    const t = this.translation.translate(requester.name, address, length, direction);
    if (!t.ok) {
      record('blocked', `${this.translation.name}: ${t.reason}`);
      return undefined;
    }
    if (!this.bus.ram(t.address, length)) {
      record('fault', `0x${t.address.toString(16)}+0x${length.toString(16)} is not RAM`);
      return undefined;
    }
    record('ok', t.address === address ? 'no translation' : `translated to 0x${t.address.toString(16)}`);
    return t.address;
  }
}
