/**
 * The guest-physical address space: RAM regions backed by host memory and MMIO regions served by devices.
 *
 * Addresses are Numbers (guest-physical addresses stay below 2^52, so they are exact). The lookup is by 4 KiB
 * page through a sparse page map, so a CPU's software TLB can cache `{bytes, base}` for RAM pages and touch the
 * bus only on a miss. Writes that hit a page marked as holding decoded code call the code-write listeners, so
 * the CPU can invalidate its decoded-block cache (DMA writes go through the same path).
 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** A device register window. Offsets are relative to the region base; sizes are 1, 2, 4 or 8 bytes. */
export interface MmioHandler {
  /** Returns the low 32 bits for size <= 4; for size 8 the CPU issues two 4-byte accesses. */
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

export interface RamRegion {
  readonly kind: 'ram';
  readonly base: number;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly name: string;
}

export interface MmioRegion {
  readonly kind: 'mmio';
  readonly base: number;
  readonly size: number;
  readonly handler: MmioHandler;
  readonly name: string;
}

export type Region = RamRegion | MmioRegion;

export type CodeWriteListener = (pageIndex: number) => void;

/**
 * An access to an unassigned physical address. CPUs turn it into a guest-visible abort, so a guest that
 * keeps touching unassigned memory throws one per access: it captures no stack trace (the costly part of an
 * Error) and builds its message only when someone reads it.
 */
export class BusError extends Error {
  constructor(readonly address: number, readonly access: 'read' | 'write', readonly size: number) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super();
    Error.stackTraceLimit = limit;
  }

  override get message(): string {
    return `unassigned physical address 0x${this.address.toString(16)} (${this.access} of ${this.size} bytes)`;
  }
}

export class PhysicalBus {
  private readonly regions: Region[] = [];
  /** page index -> region, filled lazily */
  private readonly pageMap = new Map<number, Region | null>();
  /** page indices holding decoded code */
  private readonly codePages = new Set<number>();
  private readonly codeWriteListeners: CodeWriteListener[] = [];

  addRam(name: string, base: number, size: number): RamRegion {
    const region: RamRegion = { kind: 'ram', base, size, bytes: new Uint8Array(size), name };
    this.add(region);
    return region;
  }

  addMmio(name: string, base: number, size: number, handler: MmioHandler): MmioRegion {
    const region: MmioRegion = { kind: 'mmio', base, size, handler, name };
    this.add(region);
    return region;
  }

  private add(region: Region): void {
    for (const r of this.regions) {
      if (region.base < r.base + r.size && r.base < region.base + region.size) {
        throw new Error(`bus: region ${region.name} overlaps ${r.name}`);
      }
    }
    this.regions.push(region);
    this.pageMap.clear();
  }

  get allRegions(): readonly Region[] {
    return this.regions;
  }

  /** The region containing `address`, or null. */
  regionAt(address: number): Region | null {
    const page = Math.floor(address / PAGE_SIZE);
    let region = this.pageMap.get(page);
    if (region === undefined) {
      region = this.regions.find((r) => address >= r.base && address < r.base + r.size) ?? null;
      // Only cache whole-page hits; a region edge inside a page is looked up each time.
      if (region && region.base <= page * PAGE_SIZE && region.base + region.size >= (page + 1) * PAGE_SIZE) {
        this.pageMap.set(page, region);
      } else if (!region) {
        this.pageMap.set(page, null);
      }
    }
    return region;
  }

  /** Host bytes for a RAM range, or undefined when the range is not wholly inside one RAM region. */
  ram(address: number, length: number): Uint8Array | undefined {
    const r = this.regionAt(address);
    if (!r || r.kind !== 'ram' || address + length > r.base + r.size) return undefined;
    const off = address - r.base;
    return r.bytes.subarray(off, off + length);
  }

  read8(address: number): number {
    const r = this.regionAt(address);
    if (!r) throw new BusError(address, 'read', 1);
    return r.kind === 'ram' ? r.bytes[address - r.base]! : r.handler.read(address - r.base, 1) & 0xff;
  }

  read16(address: number): number {
    return this.read8(address) | (this.read8(address + 1) << 8);
  }

  read32(address: number): number {
    const r = this.regionAt(address);
    if (r && r.kind === 'mmio' && address + 4 <= r.base + r.size) return r.handler.read(address - r.base, 4) >>> 0;
    return (this.read16(address) | (this.read16(address + 2) << 16)) >>> 0;
  }

  write8(address: number, value: number): void {
    const r = this.regionAt(address);
    if (!r) throw new BusError(address, 'write', 1);
    if (r.kind === 'ram') {
      r.bytes[address - r.base] = value;
      if (this.codePages.size !== 0) this.noteWrite(address, 1);
    } else {
      r.handler.write(address - r.base, 1, value & 0xff);
    }
  }

  write16(address: number, value: number): void {
    this.write8(address, value & 0xff);
    this.write8(address + 1, (value >>> 8) & 0xff);
  }

  write32(address: number, value: number): void {
    const r = this.regionAt(address);
    if (r && r.kind === 'mmio' && address + 4 <= r.base + r.size) {
      r.handler.write(address - r.base, 4, value >>> 0);
      return;
    }
    this.write16(address, value & 0xffff);
    this.write16(address + 2, (value >>> 16) & 0xffff);
  }

  /** Copies host bytes into guest RAM (loaders, DMA engines). */
  writeBytes(address: number, data: Uint8Array): void {
    const dst = this.ram(address, data.length);
    if (dst) {
      dst.set(data);
      if (this.codePages.size !== 0) this.noteWrite(address, data.length);
      return;
    }
    for (let i = 0; i < data.length; i++) this.write8(address + i, data[i]!);
  }

  readBytes(address: number, length: number): Uint8Array {
    const src = this.ram(address, length);
    if (src) return src.slice();
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.read8(address + i);
    return out;
  }

  markCodePage(pageIndex: number): void {
    this.codePages.add(pageIndex);
  }

  isCodePage(pageIndex: number): boolean {
    return this.codePages.has(pageIndex);
  }

  onCodeWrite(listener: CodeWriteListener): void {
    this.codeWriteListeners.push(listener);
  }

  /** Called by writers that bypass read8/write8 (a CPU's TLB fast path) after writing RAM directly. */
  noteWrite(address: number, length: number): void {
    const first = Math.floor(address / PAGE_SIZE);
    const last = Math.floor((address + length - 1) / PAGE_SIZE);
    for (let p = first; p <= last; p++) {
      if (this.codePages.delete(p)) for (const l of this.codeWriteListeners) l(p);
    }
  }
}
