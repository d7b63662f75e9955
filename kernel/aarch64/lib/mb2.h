/* Multiboot2 (specification 2.0) constants and the information-structure tags the guests read and write. */
#pragma once
#include "types.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_HEADER_MAGIC 0xe85250d6u

enum mb2_info_tag {
  MB2_TAG_END = 0,
  MB2_TAG_CMDLINE = 1,
  MB2_TAG_LOADER_NAME = 2,
  MB2_TAG_MODULE = 3,
  MB2_TAG_BASIC_MEMINFO = 4,
  MB2_TAG_MMAP = 6,
  MB2_TAG_EFI64 = 12,
  MB2_TAG_ACPI_OLD = 14,
  MB2_TAG_ACPI_NEW = 15,
  MB2_TAG_EFI_MMAP = 17,
  MB2_TAG_EFI_BS = 18,
  MB2_TAG_EFI64_IH = 20,
  MB2_TAG_LOAD_BASE = 21,
};

enum mb2_header_tag {
  MB2_HTAG_END = 0,
  MB2_HTAG_EFI_BS = 7,
  MB2_HTAG_MODULE_ALIGN = 6,
  MB2_HTAG_RELOCATABLE = 10,
};

enum mb2_mmap_type { MB2_MEM_AVAILABLE = 1, MB2_MEM_RESERVED = 2, MB2_MEM_ACPI = 3, MB2_MEM_NVS = 4, MB2_MEM_BAD = 5 };

struct mb2_info { u32 total_size, reserved; };
struct mb2_tag { u32 type, size; };
struct mb2_tag_string { u32 type, size; char string[]; };
struct mb2_tag_module { u32 type, size, mod_start, mod_end; char string[]; };
struct mb2_tag_mmap { u32 type, size, entry_size, entry_version; };
struct mb2_mmap_entry { u64 addr, len; u32 type, zero; };
struct mb2_tag_u64 { u32 type, size; u64 value; };
struct mb2_tag_u32 { u32 type, size, value; };
struct mb2_tag_efi_mmap { u32 type, size, descr_size, descr_vers; };

struct mb2_header { u32 magic, architecture, header_length, checksum; };
struct mb2_htag { u16 type, flags; u32 size; };
struct mb2_header_relocatable { u16 type, flags; u32 size, min_addr, max_addr, align, preference; };

static inline const struct mb2_tag *mb2_first(const void *mbi) { return (const struct mb2_tag *)((const u8 *)mbi + 8); }
static inline const struct mb2_tag *mb2_next(const struct mb2_tag *t) {
  return (const struct mb2_tag *)((const u8 *)t + ALIGN_UP(t->size, 8));
}
