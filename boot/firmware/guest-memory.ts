/**
 * Guest memory as the firmware sees it while serving a call.
 *
 * Real firmware runs on the caller's page tables: a kernel that keeps boot services (Multiboot2 tag 7) may
 * call them with its own CR3 and pass higher-half pointers, and they work as long as its tables map them.
 * So while a trap is being served, every firmware access goes through the calling CPU's translation
 * (FirmwareCpu.translate); outside calls (building tables at boot) addresses are physical. An address the
 * caller's tables do not map ends the run with a FirmwareError naming it, as a page fault inside firmware
 * would.
 */
import type { PhysicalBus } from '../../platform/memory/bus.js';
import type { FirmwareCpu } from './cpu.js';
import { FirmwareError } from './errors.js';

/** The accessors the firmware uses; PhysicalBus has them too, so either can be passed where no CPU is involved. */
export interface MemoryAccess {
  read8(address: number): number;
  read16(address: number): number;
  read32(address: number): number;
  write8(address: number, value: number): void;
  write16(address: number, value: number): void;
  write32(address: number, value: number): void;
  readBytes(address: number, length: number): Uint8Array;
  writeBytes(address: number, data: Uint8Array): void;
}

const PAGE = 4096;
/** Offset inside the 4 KiB page; addresses may be negative (higher half, signed as the CPU keeps them). */
const pageOffset = (a: number) => ((a % PAGE) + PAGE) % PAGE;

export class GuestMemory implements MemoryAccess {
  private cpu: FirmwareCpu | undefined;

  constructor(readonly phys: PhysicalBus) {}

  /** Runs `body` with accesses translated through `cpu`'s current paging. */
  during<T>(cpu: FirmwareCpu, body: () => T): T {
    const outer = this.cpu;
    this.cpu = cpu.translate ? cpu : undefined;
    try {
      return body();
    } finally {
      this.cpu = outer;
    }
  }

  private pa(va: number, write: boolean): number {
    if (!this.cpu) return va;
    const p = this.cpu.translate!(va, write);
    if (p === undefined) throw new FirmwareError('memory', `guest address 0x${va.toString(16)} is not mapped by the caller's page tables (${write ? 'write' : 'read'})`);
    return p;
  }

  read8(a: number): number {
    return this.phys.read8(this.pa(a, false));
  }
  read16(a: number): number {
    return this.read8(a) | (this.read8(a + 1) << 8);
  }
  read32(a: number): number {
    return (this.read16(a) | (this.read16(a + 2) << 16)) >>> 0;
  }
  write8(a: number, v: number): void {
    this.phys.write8(this.pa(a, true), v);
  }
  write16(a: number, v: number): void {
    this.write8(a, v & 0xff);
    this.write8(a + 1, (v >>> 8) & 0xff);
  }
  write32(a: number, v: number): void {
    this.write16(a, v & 0xffff);
    this.write16(a + 2, (v >>> 16) & 0xffff);
  }
  readBytes(a: number, length: number): Uint8Array {
    if (!this.cpu) return this.phys.readBytes(a, length);
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const n = Math.min(length - done, PAGE - pageOffset(a + done));
      out.set(this.phys.readBytes(this.pa(a + done, false), n), done);
      done += n;
    }
    return out;
  }
  writeBytes(a: number, data: Uint8Array): void {
    if (!this.cpu) return this.phys.writeBytes(a, data);
    for (let done = 0; done < data.length; ) {
      const n = Math.min(data.length - done, PAGE - pageOffset(a + done));
      this.phys.writeBytes(this.pa(a + done, true), data.subarray(done, done + n));
      done += n;
    }
  }
}
