/* The parts of the UEFI 2.10 tables the stub calls (chapter 4 system table, chapter 7 boot services). */
#ifndef NOVA_STUB_EFI_H
#define NOVA_STUB_EFI_H
#include "stub.h"

#define EFIAPI __attribute__((ms_abi))
typedef u64 efi_status;
typedef void *efi_handle;
#define EFI_SUCCESS 0
#define EFI_ERROR_BIT (1ULL << 63)
#define EFI_INVALID_PARAMETER (EFI_ERROR_BIT | 2)
#define EFI_BUFFER_TOO_SMALL (EFI_ERROR_BIT | 5)

enum { AllocateAnyPages, AllocateMaxAddress, AllocateAddress };
enum { EfiLoaderCode = 1, EfiLoaderData = 2, EfiACPIReclaimMemory = 9 };

struct efi_guid { u32 a; u16 b, c; u8 d[8]; };
struct efi_table_header { u64 signature; u32 revision, header_size, crc32, reserved; };

struct efi_boot_services {
    struct efi_table_header hdr;
    void *raise_tpl, *restore_tpl;
    efi_status(EFIAPI *allocate_pages)(u32 type, u32 memory_type, u64 pages, u64 *address);
    efi_status(EFIAPI *free_pages)(u64 address, u64 pages);
    efi_status(EFIAPI *get_memory_map)(u64 *size, void *map, u64 *key, u64 *desc_size, u32 *desc_version);
    efi_status(EFIAPI *allocate_pool)(u32 type, u64 size, void **buffer);
    efi_status(EFIAPI *free_pool)(void *buffer);
    void *create_event, *set_timer, *wait_for_event, *signal_event, *close_event, *check_event;
    void *install_protocol_interface, *reinstall_protocol_interface, *uninstall_protocol_interface;
    efi_status(EFIAPI *handle_protocol)(efi_handle handle, const struct efi_guid *protocol, void **interface);
    void *reserved, *register_protocol_notify, *locate_handle, *locate_device_path;
    efi_status(EFIAPI *install_configuration_table)(const struct efi_guid *guid, void *table);
    void *load_image, *start_image, *exit, *unload_image;
    efi_status(EFIAPI *exit_boot_services)(efi_handle image, u64 map_key);
    void *get_next_monotonic_count, *stall;
    efi_status(EFIAPI *set_watchdog_timer)(u64 timeout, u64 code, u64 data_size, void *data);
};

struct efi_configuration_table { struct efi_guid guid; void *table; };

struct efi_system_table {
    struct efi_table_header hdr;
    u16 *firmware_vendor;
    u32 firmware_revision;
    efi_handle console_in_handle;
    void *con_in;
    efi_handle console_out_handle;
    void *con_out;
    efi_handle standard_error_handle;
    void *std_err;
    void *runtime_services;
    struct efi_boot_services *boot_services;
    u64 number_of_table_entries;
    struct efi_configuration_table *configuration_table;
};

struct efi_loaded_image {
    u32 revision;
    efi_handle parent_handle;
    struct efi_system_table *system_table;
    efi_handle device_handle;
    void *file_path;
    void *reserved;
    u32 load_options_size;
    void *load_options;
    void *image_base;
    u64 image_size;
    u32 image_code_type, image_data_type;
    void *unload;
};

#endif
