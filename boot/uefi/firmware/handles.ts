/**
 * The handle and protocol database (UEFI 2.10, 7.3). A handle is the guest address of a small firmware
 * allocation, so handles are unique, non-NULL and recognisable in a memory dump; each handle carries
 * protocol GUID -> interface pointer in installation order.
 */
import type { FirmwareHeap } from '../../firmware/heap.js';

export const HANDLE_ALLOCATION = 16;

export class HandleDatabase {
  private readonly handles = new Map<number, Map<string, number>>();

  constructor(private readonly heap: FirmwareHeap) {}

  create(): number {
    const h = this.heap.alloc(HANDLE_ALLOCATION, 16);
    this.handles.set(h, new Map());
    return h;
  }

  exists(handle: number): boolean {
    return this.handles.has(handle);
  }

  /** false when the handle already has the protocol (EFI_INVALID_PARAMETER). */
  install(handle: number, guid: string, iface: number): boolean {
    const protocols = this.handles.get(handle);
    if (!protocols || protocols.has(guid)) return false;
    protocols.set(guid, iface);
    return true;
  }

  uninstall(handle: number, guid: string, iface: number): boolean {
    const protocols = this.handles.get(handle);
    if (!protocols || protocols.get(guid) !== iface) return false;
    protocols.delete(guid);
    // A handle without protocols ceases to exist (UEFI 2.10, UninstallProtocolInterface).
    if (protocols.size === 0) this.handles.delete(handle);
    return true;
  }

  get(handle: number, guid: string): number | undefined {
    return this.handles.get(handle)?.get(guid);
  }

  protocolsOf(handle: number): string[] {
    return [...(this.handles.get(handle)?.keys() ?? [])];
  }

  /** Handles in creation order, optionally only those with `guid`. */
  list(guid?: string): number[] {
    return [...this.handles.entries()].filter(([, p]) => guid === undefined || p.has(guid)).map(([h]) => h);
  }
}
