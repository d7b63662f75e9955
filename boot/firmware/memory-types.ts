/**
 * Memory types the firmware's memory map uses internally: the UEFI EFI_MEMORY_TYPE values (UEFI 2.10,
 * 7.2 "AllocatePages"), because they are the richest vocabulary; E820 (Linux zero page) and Multiboot2
 * tag-6 types are derived from them the way OVMF and GRUB derive theirs.
 */
export const EfiReservedMemoryType = 0;
export const EfiLoaderCode = 1;
export const EfiLoaderData = 2;
export const EfiBootServicesCode = 3;
export const EfiBootServicesData = 4;
export const EfiRuntimeServicesCode = 5;
export const EfiRuntimeServicesData = 6;
export const EfiConventionalMemory = 7;
export const EfiUnusableMemory = 8;
export const EfiACPIReclaimMemory = 9;
export const EfiACPIMemoryNVS = 10;
export const EfiMemoryMappedIO = 11;
export const EfiMemoryMappedIOPortSpace = 12;
export const EfiPalCode = 13;
export const EfiPersistentMemory = 14;
export const EfiMaxMemoryType = 15;
/** 0x70000000..0x7fffffff: OEM; 0x80000000..0xffffffff: OS loader types (valid for AllocatePages/Pool). */
export const OEM_RESERVED_MIN = 0x70000000;
export const OS_RESERVED_MIN = 0x80000000;

export const MEMORY_TYPE_NAMES: readonly string[] = [
  'EfiReservedMemoryType',
  'EfiLoaderCode',
  'EfiLoaderData',
  'EfiBootServicesCode',
  'EfiBootServicesData',
  'EfiRuntimeServicesCode',
  'EfiRuntimeServicesData',
  'EfiConventionalMemory',
  'EfiUnusableMemory',
  'EfiACPIReclaimMemory',
  'EfiACPIMemoryNVS',
  'EfiMemoryMappedIO',
  'EfiMemoryMappedIOPortSpace',
  'EfiPalCode',
  'EfiPersistentMemory',
];

// EFI_MEMORY_DESCRIPTOR.Attribute bits.
export const EFI_MEMORY_UC = 0x1n;
export const EFI_MEMORY_WC = 0x2n;
export const EFI_MEMORY_WT = 0x4n;
export const EFI_MEMORY_WB = 0x8n;
export const EFI_MEMORY_RUNTIME = 0x8000000000000000n;
/** What OVMF reports for system RAM: cacheable in every mode. */
export const RAM_ATTRIBUTES = EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB;

/** Memory a loader or OS may use once boot services are gone (UEFI 2.10 table 7-6, "after ExitBootServices"). */
export function isFreeAfterExitBootServices(type: number): boolean {
  return type === EfiConventionalMemory || type === EfiLoaderCode || type === EfiLoaderData || type === EfiBootServicesCode || type === EfiBootServicesData || type === EfiPersistentMemory;
}

/**
 * E820 type of a UEFI memory type, as OVMF/Linux's EFI stub map them (setup_e820 in the EFI stub):
 * usable for loader/boot-services/conventional memory, ACPI data for reclaim memory, NVS, unusable,
 * persistent memory as 7, everything else reserved.
 */
export function e820TypeOf(type: number): number {
  if (isFreeAfterExitBootServices(type) && type !== EfiPersistentMemory) return 1;
  if (type === EfiACPIReclaimMemory) return 3;
  if (type === EfiACPIMemoryNVS) return 4;
  if (type === EfiUnusableMemory) return 5;
  if (type === EfiPersistentMemory) return 7;
  return 2;
}

/** UEFI AllocatePages/AllocatePool: invalid are EfiMaxMemoryType..0x6fffffff, conventional and persistent memory. */
export function isValidAllocationType(type: number): boolean {
  return (type >= 0 && type < EfiMaxMemoryType && type !== EfiConventionalMemory && type !== EfiPersistentMemory) || (type >= OEM_RESERVED_MIN && type <= 0xffffffff);
}
