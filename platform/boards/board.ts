/**
 * Types shared by board descriptions. A board is plain data: the device models, the memory map, the ACPI
 * tables and the device tree are all derived from one description, so they cannot disagree.
 */

/** A guest-physical range. `kind` tells the firmware how to report it (RAM, device, reserved, firmware). */
export interface AddressRange {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly kind: 'ram' | 'mmio' | 'reserved' | 'firmware';
}

/** PCI bus/device/function. */
export interface Bdf {
  readonly bus: number;
  readonly device: number;
  readonly function: number;
}

export function bdfString(bdf: Bdf): string {
  const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${h(bdf.bus, 2)}:${h(bdf.device, 2)}.${h(bdf.function, 1)}`;
}

export type BoardName = 'pc' | 'virt';

/** Checks a memory map for overlaps; used by every board constructor and by tests. */
export function findOverlap(ranges: readonly AddressRange[]): [AddressRange, AddressRange] | undefined {
  const sorted = [...ranges].sort((a, b) => a.base - b.base);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    if (sorted[i]!.base < prev.base + prev.size) return [prev, sorted[i]!];
  }
  return undefined;
}
