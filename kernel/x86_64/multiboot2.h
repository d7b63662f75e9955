/* Multiboot2 information structure: tag numbers and the layouts the kernel reads (spec 2.0, 3.6). */
#pragma once
#include <stdint.h>

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_EFI64_SYSTEM_TABLE 12
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_TAG_EFI_MMAP 17
#define MB2_TAG_EFI_BS_NOT_TERMINATED 18
#define MB2_TAG_EFI64_IMAGE_HANDLE 20
#define MB2_TAG_LOAD_BASE_ADDR 21

struct mb2_string_tag { uint32_t type, size; char string[]; };
struct mb2_module_tag { uint32_t type, size, mod_start, mod_end; char name[]; };
struct mb2_meminfo_tag { uint32_t type, size, mem_lower, mem_upper; };
struct mb2_mmap_tag { uint32_t type, size, entry_size, entry_version; uint8_t entries[]; };
struct mb2_mmap_entry { uint64_t base, length; uint32_t type, reserved; };
struct mb2_efi_mmap_tag { uint32_t type, size, descriptor_size, descriptor_version; uint8_t descriptors[]; };
struct mb2_u64_tag { uint32_t type, size; uint64_t value; } __attribute__((packed));
struct mb2_load_base_tag { uint32_t type, size, load_base_addr; };
struct mb2_acpi_tag { uint32_t type, size; uint8_t rsdp[]; };
