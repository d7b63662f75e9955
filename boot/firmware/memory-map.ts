/**
 * The firmware's guest-physical memory map and page allocator.
 *
 * One sorted list of page-granular ranges, each with a UEFI memory type and attribute. The UEFI boot
 * services allocate from it (AllocatePages/Pool), the loaders reserve what they place, and the Linux and
 * Multiboot2 paths derive their E820 / tag-6 maps from it, so every path reports the same truth.
 *
 * `mapKey` changes on every modification, as UEFI requires of GetMemoryMap's MapKey (ExitBootServices fails
 * with a stale key). Allocation without a fixed address is top-down below 4 GiB, as OVMF's DXE core does
 * for AllocateAnyPages: loaders then find the low memory free.
 */
import { FirmwareError } from './errors.js';
import {
  EFI_MEMORY_RUNTIME,
  EfiConventionalMemory,
  EfiReservedMemoryType,
  EfiRuntimeServicesCode,
  EfiRuntimeServicesData,
  MEMORY_TYPE_NAMES,
  RAM_ATTRIBUTES,
  e820TypeOf,
} from './memory-types.js';

export const EFI_PAGE_SIZE = 4096;
const FOUR_GIB = 0x1_0000_0000;

export interface MemoryRange {
  /** Page-aligned guest-physical base. */
  base: number;
  pages: number;
  type: number;
  attribute: bigint;
}

export interface InitialRange {
  base: number;
  size: number;
  type: number;
  attribute?: bigint;
}

export type AllocateHow = { kind: 'any' } | { kind: 'max'; address: number } | { kind: 'address'; address: number };

export function memoryTypeName(type: number): string {
  return MEMORY_TYPE_NAMES[type] ?? `0x${type.toString(16)}`;
}

export class FirmwareMemoryMap {
  private ranges: MemoryRange[] = [];
  private key = 1;
  /** Pool allocations: address -> {pageBase, pages}; pools take whole pages (simple, and keeps types apart). */
  private readonly pools = new Map<number, { base: number; pages: number; type: number }>();

  /**
   * Builds the map from the board's ranges: RAM as EfiConventionalMemory, the rest with the type given.
   * Ranges are rounded to pages (RAM inwards, reserved outwards) and must not overlap.
   */
  constructor(initial: readonly InitialRange[]) {
    for (const r of initial) {
      const isRam = r.type === EfiConventionalMemory;
      const start = isRam ? Math.ceil(r.base / EFI_PAGE_SIZE) : Math.floor(r.base / EFI_PAGE_SIZE);
      const end = isRam ? Math.floor((r.base + r.size) / EFI_PAGE_SIZE) : Math.ceil((r.base + r.size) / EFI_PAGE_SIZE);
      if (end <= start) continue;
      this.setRange(start * EFI_PAGE_SIZE, end - start, r.type, r.attribute ?? defaultAttribute(r.type), false);
    }
  }

  /** Current map key: changes whenever the map changes. */
  get mapKey(): number {
    return this.key;
  }

  /** Sorted copy of the ranges with neighbours of equal type and attribute merged. */
  descriptors(): MemoryRange[] {
    return this.ranges.map((r) => ({ ...r }));
  }

  /** Type of the page containing `address`, or undefined when the map does not cover it. */
  typeAt(address: number): number | undefined {
    return this.ranges.find((r) => address >= r.base && address < r.base + r.pages * EFI_PAGE_SIZE)?.type;
  }

  /** True when every page of [base, base+size) is EfiConventionalMemory. */
  isFree(base: number, size: number): boolean {
    const start = Math.floor(base / EFI_PAGE_SIZE) * EFI_PAGE_SIZE;
    const end = Math.ceil((base + size) / EFI_PAGE_SIZE) * EFI_PAGE_SIZE;
    let at = start;
    for (const r of this.ranges) {
      const rEnd = r.base + r.pages * EFI_PAGE_SIZE;
      if (rEnd <= at || r.base >= end) continue;
      if (r.base > at || r.type !== EfiConventionalMemory) return false;
      at = rEnd;
      if (at >= end) return true;
    }
    return at >= end;
  }

  /**
   * Allocates `pages` pages of `type`. Returns the base address, or undefined when no free range fits
   * (UEFI: EFI_OUT_OF_RESOURCES for 'any'/'max', EFI_NOT_FOUND for 'address').
   */
  allocatePages(type: number, pages: number, how: AllocateHow = { kind: 'any' }, align = EFI_PAGE_SIZE): number | undefined {
    if (pages <= 0 || !Number.isInteger(pages)) return undefined;
    const size = pages * EFI_PAGE_SIZE;
    if (how.kind === 'address') {
      if (how.address % EFI_PAGE_SIZE !== 0 || !this.isFree(how.address, size)) return undefined;
      this.setRange(how.address, pages, type, defaultAttribute(type), true);
      return how.address;
    }
    const limit = how.kind === 'max' ? how.address + 1 : FOUR_GIB;
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      const r = this.ranges[i]!;
      if (r.type !== EfiConventionalMemory) continue;
      const top = Math.min(r.base + r.pages * EFI_PAGE_SIZE, Math.floor(limit / EFI_PAGE_SIZE) * EFI_PAGE_SIZE);
      const base = Math.floor((top - size) / align) * align;
      if (base >= r.base && base + size <= top) {
        this.setRange(base, pages, type, defaultAttribute(type), true);
        return base;
      }
    }
    return undefined;
  }

  /** Allocates the lowest free range at or above `min` that fits (loaders placing kernels and modules). */
  allocateLowest(type: number, size: number, min: number, max: number, align: number): number | undefined {
    const pages = Math.ceil(size / EFI_PAGE_SIZE);
    for (const r of this.ranges) {
      if (r.type !== EfiConventionalMemory) continue;
      const base = Math.ceil(Math.max(r.base, min) / align) * align;
      if (base + pages * EFI_PAGE_SIZE <= r.base + r.pages * EFI_PAGE_SIZE && base + pages * EFI_PAGE_SIZE - 1 <= max) {
        this.setRange(base, pages, type, defaultAttribute(type), true);
        return base;
      }
    }
    return undefined;
  }

  /** Marks [base, base+size) with `type` regardless of what it was (loaders: "this now holds the kernel"). */
  claim(base: number, size: number, type: number): void {
    const start = Math.floor(base / EFI_PAGE_SIZE) * EFI_PAGE_SIZE;
    const end = Math.ceil((base + size) / EFI_PAGE_SIZE) * EFI_PAGE_SIZE;
    this.setRange(start, (end - start) / EFI_PAGE_SIZE, type, defaultAttribute(type), true);
  }

  /**
   * Frees pages allocated before. Returns false when the range was not allocated (UEFI: EFI_NOT_FOUND):
   * every page must be allocated memory, not conventional or unmapped.
   */
  freePages(base: number, pages: number): boolean {
    if (base % EFI_PAGE_SIZE !== 0 || pages <= 0) return false;
    const end = base + pages * EFI_PAGE_SIZE;
    let at = base;
    for (const r of this.ranges) {
      const rEnd = r.base + r.pages * EFI_PAGE_SIZE;
      if (rEnd <= at || r.base >= end) continue;
      if (r.base > at || r.type === EfiConventionalMemory || r.type === EfiReservedMemoryType) return false;
      at = rEnd;
      if (at >= end) break;
    }
    if (at < end) return false;
    this.setRange(base, pages, EfiConventionalMemory, RAM_ATTRIBUTES, true);
    return true;
  }

  /** Pool allocation: whole pages of `type`; returns the address or undefined. */
  allocatePool(type: number, size: number): number | undefined {
    const pages = Math.max(1, Math.ceil(size / EFI_PAGE_SIZE));
    const base = this.allocatePages(type, pages);
    if (base !== undefined) this.pools.set(base, { base, pages, type });
    return base;
  }

  freePool(address: number): boolean {
    const p = this.pools.get(address);
    if (!p) return false;
    this.pools.delete(address);
    return this.freePages(p.base, p.pages);
  }

  /** The E820 view: sorted, adjacent ranges of equal E820 type merged (as OVMF/the EFI stub report). */
  toE820(): Array<{ addr: number; size: number; type: number }> {
    const out: Array<{ addr: number; size: number; type: number }> = [];
    for (const r of this.ranges) {
      const type = e820TypeOf(r.type);
      const size = r.pages * EFI_PAGE_SIZE;
      const last = out[out.length - 1];
      if (last && last.type === type && last.addr + last.size === r.base) last.size += size;
      else out.push({ addr: r.base, size, type });
    }
    return out;
  }

  private setRange(base: number, pages: number, type: number, attribute: bigint, bump: boolean): void {
    const end = base + pages * EFI_PAGE_SIZE;
    const next: MemoryRange[] = [];
    for (const r of this.ranges) {
      const rEnd = r.base + r.pages * EFI_PAGE_SIZE;
      if (rEnd <= base || r.base >= end) {
        next.push(r);
        continue;
      }
      if (r.base < base) next.push({ ...r, pages: (base - r.base) / EFI_PAGE_SIZE });
      if (rEnd > end) next.push({ ...r, base: end, pages: (rEnd - end) / EFI_PAGE_SIZE });
    }
    next.push({ base, pages, type, attribute });
    next.sort((a, b) => a.base - b.base);
    const merged: MemoryRange[] = [];
    for (const r of next) {
      const last = merged[merged.length - 1];
      if (last && last.type === r.type && last.attribute === r.attribute && last.base + last.pages * EFI_PAGE_SIZE === r.base) last.pages += r.pages;
      else merged.push({ ...r });
    }
    this.ranges = merged;
    if (bump) this.key++;
  }
}

function defaultAttribute(type: number): bigint {
  if (type === EfiRuntimeServicesCode || type === EfiRuntimeServicesData) return RAM_ATTRIBUTES | EFI_MEMORY_RUNTIME;
  if (type === EfiReservedMemoryType) return 0n;
  return RAM_ATTRIBUTES;
}

/** An allocation the firmware itself needs (its tables, stack): failure is a FirmwareError, not a status code. */
export function mustAllocate(what: string, result: number | undefined, size: number): number {
  if (result === undefined) throw new FirmwareError('memory', `no free guest memory for ${what} (${size} bytes)`);
  return result;
}


/**
 * A free range for `size` bytes inside [min, max] (max = last usable byte) aligned to `align`: the lowest
 * or the highest one, as GRUB's relocator picks for preference low/none and high.
 */
export function findFreeChunk(map: FirmwareMemoryMap, size: number, min: number, max: number, align: number, prefer: 'low' | 'high'): number | undefined {
  const pages = Math.ceil(size / EFI_PAGE_SIZE) * EFI_PAGE_SIZE;
  const a = Math.max(align, EFI_PAGE_SIZE);
  const free = map.descriptors().filter((r) => r.type === EfiConventionalMemory);
  if (prefer === 'high') free.reverse();
  for (const r of free) {
    const lo = Math.max(r.base, min);
    const hi = Math.min(r.base + r.pages * EFI_PAGE_SIZE, max + 1);
    if (hi - lo < pages) continue;
    const base = prefer === 'high' ? Math.floor((hi - pages) / a) * a : Math.ceil(lo / a) * a;
    if (base >= lo && base + pages <= hi) return base;
  }
  return undefined;
}
