/**
 * A bump allocator for the firmware's own structures (system table, protocol interfaces, handles): pages
 * of one memory type taken from the memory map on demand, as OVMF's pool allocator takes them. Firmware
 * structures are never freed individually, so a bump pointer is enough.
 */
import { EFI_PAGE_SIZE, mustAllocate, type FirmwareMemoryMap } from './memory-map.js';

export class FirmwareHeap {
  private cursor = 0;
  private end = 0;

  constructor(
    private readonly memory: FirmwareMemoryMap,
    readonly type: number,
    private readonly chunkPages = 4,
  ) {}

  /** `size` zero-initialised bytes aligned to `align`; the caller writes them through the bus. */
  alloc(size: number, align = 8): number {
    let at = Math.ceil(this.cursor / align) * align;
    if (this.end === 0 || at + size > this.end) {
      const pages = Math.max(this.chunkPages, Math.ceil(size / EFI_PAGE_SIZE));
      const base = mustAllocate(`firmware heap (type ${this.type})`, this.memory.allocatePages(this.type, pages), pages * EFI_PAGE_SIZE);
      this.cursor = base;
      this.end = base + pages * EFI_PAGE_SIZE;
      at = base;
    }
    this.cursor = at + size;
    return at;
  }
}
