/**
 * State every part of the UEFI firmware shares, and the guest-memory helpers they use (UCS-2 strings,
 * GUIDs, out-parameters). Guest pointers are physical addresses: UEFI runs identity-mapped.
 */
import type { GuestMemory, MemoryAccess } from '../../firmware/guest-memory.js';
import type { FirmwareClock } from '../../firmware/clock.js';
import { read64, toAddress, write64 } from '../../firmware/cpu.js';
import type { FirmwareHeap } from '../../firmware/heap.js';
import type { FirmwareMemoryMap } from '../../firmware/memory-map.js';
import type { FirmwareTrace } from '../../firmware/trace.js';
import type { TrapRegistry } from '../../firmware/traps.js';
import { guidString } from './guids.js';
import type { HandleDatabase } from './handles.js';

export interface UefiContext {
  /** Guest memory; translated through the caller's paging while a call is being served. */
  readonly bus: GuestMemory;
  readonly memory: FirmwareMemoryMap;
  readonly traps: TrapRegistry;
  readonly trace: FirmwareTrace;
  readonly clock: FirmwareClock;
  /** EfiBootServicesData: handles, protocol interfaces that die with boot services. */
  readonly bootHeap: FirmwareHeap;
  /** EfiRuntimeServicesData: system table, runtime services table, configuration table array. */
  readonly runtimeHeap: FirmwareHeap;
  readonly handles: HandleDatabase;
  /** Set once ExitBootServices has succeeded. */
  exited: boolean;
}

/** Longest UCS-2 string the firmware reads from the guest (characters); guards against missing NULs. */
export const MAX_GUEST_STRING = 64 * 1024;

export function readUcs2(bus: MemoryAccess, address: number, max = MAX_GUEST_STRING): string {
  let s = '';
  for (let i = 0; i < max; i++) {
    const c = bus.read16(address + 2 * i);
    if (c === 0) return s;
    s += String.fromCharCode(c);
  }
  return s;
}

/** UCS-2 bytes of `s` with the terminating NUL. */
export function ucs2Bytes(s: string): Uint8Array {
  const out = new Uint8Array(2 * s.length + 2);
  for (let i = 0; i < s.length; i++) {
    out[2 * i] = s.charCodeAt(i) & 0xff;
    out[2 * i + 1] = s.charCodeAt(i) >> 8;
  }
  return out;
}

export function readGuid(bus: MemoryAccess, address: number): string {
  return guidString(bus.readBytes(address, 16));
}

export function readPtr(bus: MemoryAccess, address: number): number {
  return toAddress(read64(bus, address));
}

export function writePtr(bus: MemoryAccess, address: number, value: number | bigint): void {
  write64(bus, address, value);
}

export const bool = (b: boolean): number => (b ? 1 : 0);
