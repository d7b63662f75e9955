import { describe, expect, it } from 'vitest';
import { FirmwareMemoryMap, findFreeChunk } from '../../boot/firmware/memory-map.js';
import { EfiBootServicesData, EfiConventionalMemory, EfiLoaderData, EfiReservedMemoryType, EfiRuntimeServicesData, EfiACPIReclaimMemory, e820TypeOf, isValidAllocationType, RAM_ATTRIBUTES, EFI_MEMORY_RUNTIME } from '../../boot/firmware/memory-types.js';
import { machine, MiB } from './helpers.js';

describe('firmware memory map', () => {
  it('starts from the board: RAM conventional, the legacy hole reserved, page-rounded', () => {
    const { memory, board } = machine(128 * MiB);
    expect(board.lowRamTop).toBe(128 * MiB);
    expect(memory.descriptors()).toEqual([
      { base: 0, pages: 0x9f, type: EfiConventionalMemory, attribute: RAM_ATTRIBUTES }, // 0 .. 0x9f000
      { base: 0x9f000, pages: 0x61, type: EfiReservedMemoryType, attribute: 0n }, // EBDA (0x9fc00 rounded down) .. 1 MiB
      { base: 0x100000, pages: (128 * MiB - 0x100000) / 4096, type: EfiConventionalMemory, attribute: RAM_ATTRIBUTES },
    ]);
  });

  it('allocates top-down below 4 GiB, changes the map key on every change, frees exactly', () => {
    const { memory } = machine(128 * MiB);
    const k0 = memory.mapKey;
    const a = memory.allocatePages(EfiLoaderData, 3)!;
    expect(a).toBe(128 * MiB - 3 * 4096);
    expect(memory.mapKey).not.toBe(k0);
    const k1 = memory.mapKey;
    const b = memory.allocatePages(EfiBootServicesData, 1, { kind: 'max', address: 0x200000 - 1 })!;
    expect(b).toBe(0x1ff000);
    expect(memory.allocatePages(EfiLoaderData, 1, { kind: 'address', address: b })).toBeUndefined(); // not free any more
    expect(memory.mapKey).not.toBe(k1);
    expect(memory.freePages(a + 4096, 1)).toBe(true); // part of an allocation
    expect(memory.freePages(a + 4096, 1)).toBe(false); // already free: EFI_NOT_FOUND
    expect(memory.freePages(0x9f000, 1)).toBe(false); // reserved is not allocated memory
    expect(memory.typeAt(a)).toBe(EfiLoaderData);
    expect(memory.typeAt(a + 4096)).toBe(EfiConventionalMemory);
  });

  it('merges equal neighbours and sets EFI_MEMORY_RUNTIME on runtime types', () => {
    const { memory } = machine(64 * MiB);
    const x = memory.allocatePages(EfiRuntimeServicesData, 1)!;
    const y = memory.allocatePages(EfiRuntimeServicesData, 1)!;
    expect(y).toBe(x - 4096);
    const rt = memory.descriptors().filter((d) => d.type === EfiRuntimeServicesData);
    expect(rt).toEqual([{ base: y, pages: 2, type: EfiRuntimeServicesData, attribute: RAM_ATTRIBUTES | EFI_MEMORY_RUNTIME }]);
  });

  it('E820 view: boot-time types are usable RAM, ACPI reclaim is type 3, reserved 2', () => {
    const { memory } = machine(64 * MiB);
    memory.allocatePages(EfiBootServicesData, 4);
    memory.claim(0x200000, 0x3000, EfiACPIReclaimMemory);
    expect(memory.toE820()).toEqual([
      { addr: 0, size: 0x9f000, type: 1 },
      { addr: 0x9f000, size: 0x61000, type: 2 },
      { addr: 0x100000, size: 0x100000, type: 1 },
      { addr: 0x200000, size: 0x3000, type: 3 },
      { addr: 0x203000, size: 64 * MiB - 0x203000, type: 1 },
    ]);
    expect([1, 2, 3, 4, 5, 6, 7, 9, 10, 11].map(e820TypeOf)).toEqual([1, 1, 1, 1, 2, 2, 1, 3, 4, 2]);
  });

  it('validates allocation types as UEFI AllocatePages does', () => {
    expect(isValidAllocationType(EfiLoaderData)).toBe(true);
    expect(isValidAllocationType(EfiConventionalMemory)).toBe(false);
    expect(isValidAllocationType(14)).toBe(false); // persistent
    expect(isValidAllocationType(15)).toBe(false); // EfiMaxMemoryType
    expect(isValidAllocationType(0x6fffffff)).toBe(false);
    expect(isValidAllocationType(0x70000000)).toBe(true); // OEM
    expect(isValidAllocationType(0x80000001)).toBe(true); // OS loader
  });

  it('findFreeChunk honours range, alignment and preference', () => {
    const m = new FirmwareMemoryMap([{ base: 0, size: 64 * MiB, type: EfiConventionalMemory }]);
    expect(findFreeChunk(m, 0x5000, 2 * MiB, 0xffffffff, 2 * MiB, 'high')).toBe(62 * MiB);
    expect(findFreeChunk(m, 0x5000, 2 * MiB, 0xffffffff, 2 * MiB, 'low')).toBe(2 * MiB);
    m.claim(2 * MiB, 1, EfiLoaderData);
    expect(findFreeChunk(m, 0x5000, 2 * MiB, 0xffffffff, 2 * MiB, 'low')).toBe(4 * MiB);
    expect(findFreeChunk(m, 65 * MiB, 0, 0xffffffff, 4096, 'low')).toBeUndefined();
  });
});
