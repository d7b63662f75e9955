/*
 * The UEFI path (UEFI 2.10, AArch64 binding: AAPCS64, identity-mapped, MMU on): FDT and ACPI from the
 * configuration tables, the kernel at its address through AllocatePages(AllocateAddress), and the
 * hand-over: GetMemoryMap + ExitBootServices with the fresh key, retried while the key is stale, unless the
 * kernel's header asks to keep boot services (tag 7).
 */
#include "lib/fdt.h"
#include "lib/pl011.h"
#include "stub.h"

typedef u64 efi_status;
#define EFI_ERROR (1UL << 63)
#define EFI_BUFFER_TOO_SMALL (EFI_ERROR | 5)
enum { ALLOCATE_ANY_PAGES = 0, ALLOCATE_MAX_ADDRESS = 1, ALLOCATE_ADDRESS = 2 };
enum { EFI_LOADER_DATA = 2, EFI_ACPI_RECLAIM_MEMORY = 9 };

struct efi_table_header { u64 signature; u32 revision, header_size, crc32, reserved; };

struct efi_boot_services {
  struct efi_table_header hdr;
  void *raise_tpl, *restore_tpl;
  efi_status (*allocate_pages)(u32 type, u32 memory_type, u64 pages, u64 *address);
  efi_status (*free_pages)(u64 address, u64 pages);
  efi_status (*get_memory_map)(u64 *size, void *map, u64 *key, u64 *desc_size, u32 *desc_version);
  efi_status (*allocate_pool)(u32 memory_type, u64 size, void **buffer);
  efi_status (*free_pool)(void *buffer);
  void *create_event, *set_timer, *wait_for_event, *signal_event, *close_event, *check_event;
  void *install_protocol_interface, *reinstall_protocol_interface, *uninstall_protocol_interface;
  efi_status (*handle_protocol)(u64 handle, const void *guid, void **interface);
  void *reserved, *register_protocol_notify, *locate_handle, *locate_device_path;
  efi_status (*install_configuration_table)(const void *guid, void *table);
  void *load_image, *start_image;
  efi_status (*exit)(u64 image_handle, efi_status status, u64 data_size, u16 *data);
  void *unload_image;
  efi_status (*exit_boot_services)(u64 image_handle, u64 map_key);
};
_Static_assert(__builtin_offsetof(struct efi_boot_services, exit_boot_services) == 232, "EFI_BOOT_SERVICES");

struct efi_config_table { u8 guid[16]; void *table; };

struct efi_loaded_image {
  u32 revision;
  void *parent_handle, *system_table, *device_handle, *file_path, *reserved;
  u32 load_options_size;
  const u16 *load_options;
  void *image_base;
  u64 image_size;
};
_Static_assert(__builtin_offsetof(struct efi_loaded_image, load_options) == 56, "EFI_LOADED_IMAGE_PROTOCOL");

struct efi_system_table {
  struct efi_table_header hdr;
  const u16 *firmware_vendor;
  u32 firmware_revision;
  void *console_in_handle, *con_in, *console_out_handle, *con_out, *standard_error_handle, *std_err;
  void *runtime_services;
  struct efi_boot_services *boot_services;
  u64 number_of_table_entries;
  struct efi_config_table *configuration_table;
};
_Static_assert(__builtin_offsetof(struct efi_system_table, configuration_table) == 112, "EFI_SYSTEM_TABLE");

/* GUIDs in their in-memory byte order (data1..3 little endian). */
static const u8 ACPI_20_GUID[16] = {0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11, 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81};
static const u8 ACPI_10_GUID[16] = {0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11, 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d};
static const u8 LOADED_IMAGE_GUID[16] = {0xa1, 0x31, 0x1b, 0x5b, 0x62, 0x95, 0xd2, 0x11, 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b};
static const u8 DTB_GUID[16] = {0xd5, 0x21, 0xb6, 0xb1, 0x9c, 0xf1, 0xa5, 0x41, 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0};

#define MBI_CAPACITY 0x10000UL
#define EBS_ATTEMPTS 8

static struct efi_boot_services *bs;
static int boot_services_gone;

/* Back to the firmware's boot manager with EFI_LOAD_ERROR, as long as boot services are there. */
int efi_abort(void) {
  if (!bs || boot_services_gone) return 0;
  bs->exit(facts.efi_image_handle, EFI_ERROR | 1, 0, NULL);
  return 0;
}

static int try_range(u64 lo, u64 hi) {
  u64 at = lo;
  return bs->allocate_pages(ALLOCATE_ADDRESS, EFI_LOADER_DATA, (hi - lo) / PAGE, &at) == 0;
}

/* Below 4 GiB: Multiboot2 module addresses are 32-bit. */
static void *alloc_low_as(u64 size, u32 memory_type) {
  u64 at = 0xffffffffUL;
  efi_status s = bs->allocate_pages(ALLOCATE_MAX_ADDRESS, memory_type, ALIGN_UP(size, PAGE) / PAGE, &at);
  if (s) fatal("AllocatePages(%lu bytes below 4 GiB) failed: 0x%lx", size, s);
  return (void *)at;
}

static void *alloc_low(u64 size) { return alloc_low_as(size, EFI_LOADER_DATA); }

/* Overrides go into ACPI-reclaimable memory and become the ACPI 2.0 table for anyone who asks the firmware. */
static void install_acpi_overrides(void) {
  acpi_overrides_need_firmware_tables();
  u64 size = ALIGN_UP(acpi_overrides_size(), PAGE);
  const u8 *rsdp = acpi_apply_overrides(alloc_low_as(size, EFI_ACPI_RECLAIM_MEMORY), size);
  efi_status s = bs->install_configuration_table(ACPI_20_GUID, (void *)rsdp);
  if (s) fatal("InstallConfigurationTable(ACPI 2.0) failed: 0x%lx", s);
}

/*
 * The command line a boot manager passes in LoadOptions (U-Boot: $bootargs). Boot options may carry binary
 * data there instead, so it counts only when it is printable text up to its end or NUL.
 */
static void collect_load_options(u64 image_handle) {
  struct efi_loaded_image *li = NULL;
  if (bs->handle_protocol(image_handle, LOADED_IMAGE_GUID, (void **)&li) || !li || !li->load_options) return;
  u32 n = li->load_options_size / 2;
  for (u32 i = 0; i < n && li->load_options[i]; i++)
    if (li->load_options[i] < 0x20 || li->load_options[i] > 0x7e) return;
  usize len = strlen(facts.cmdline);
  for (u32 i = 0; i < n && li->load_options[i] && len + 1 < sizeof facts.cmdline; i++) facts.cmdline[len++] = (char)li->load_options[i];
  facts.cmdline[len] = 0;
}

static void collect_efi(u64 image_handle, const struct efi_system_table *st) {
  facts.path = PATH_UEFI;
  facts.efi_image_handle = image_handle;
  facts.efi_system_table = (u64)st;
  char *name = facts.original_loader;
  usize n = 0;
  for (const u16 *v = st->firmware_vendor; v && *v && n + 1 < sizeof facts.original_loader; v++)
    name[n++] = *v < 0x80 ? (char)*v : '?';
  name[n] = 0;
  if (!n) append(name, sizeof facts.original_loader, "unknown firmware", 16);
  for (u64 i = 0; i < st->number_of_table_entries; i++) {
    const struct efi_config_table *t = &st->configuration_table[i];
    if (!memcmp(t->guid, ACPI_20_GUID, 16)) facts.rsdp = t->table, facts.rsdp_length = 36;
    else if (!memcmp(t->guid, ACPI_10_GUID, 16) && !facts.rsdp) facts.rsdp = t->table, facts.rsdp_length = 20;
    else if (!memcmp(t->guid, DTB_GUID, 16) && fdt_check(t->table)) facts.fdt = t->table;
  }
}

u64 efi_main(u64 image_handle, u64 system_table) {
  const struct efi_system_table *st = (const void *)system_table;
  bs = st->boot_services;
  console_use_efi(st->con_out);
  collect_efi(image_handle, st);
  collect_load_options(image_handle);
  read_catalog();
  if ((stub_info.flags & STUB_FLAG_LEGACY_LAUNCH) && !facts.fdt)
    fatal("legacy launch (X0 = FDT) needs a devicetree, and this firmware provides none (ACPI only)");

  const struct payload *k = find_payload(CAT_KERNEL);
  kernel_parse(k);
  kernel_place(try_range);
  kernel_copy(k);
  if (acpi_overrides_present()) install_acpi_overrides();

  u8 *fdt_copy = NULL;
  if (facts.fdt) {
    fdt_copy = alloc_low(fdt_totalsize(facts.fdt));
    memcpy(fdt_copy, facts.fdt, fdt_totalsize(facts.fdt));
  }
  u8 *mbi = alloc_low(MBI_CAPACITY);

  if (!kplan.keep_boot_services) quiesce_bus_masters();

  u64 map_size = 0, key = 0, desc_size = 0;
  u32 desc_version = 0;
  u8 probe[8];
  efi_status s = bs->get_memory_map(&map_size, probe, &key, &desc_size, &desc_version);
  if (s != EFI_BUFFER_TOO_SMALL && s) fatal("GetMemoryMap failed: 0x%lx", s);
  /* Room for the entries that our own allocation of the buffer (and the firmware) may add before the final call. */
  u64 capacity = map_size + 16 * (desc_size ? desc_size : 48);
  u8 *map = alloc_low(capacity);

  for (int attempt = 1;; attempt++) {
    map_size = capacity;
    s = bs->get_memory_map(&map_size, map, &key, &desc_size, &desc_version);
    if (s) fatal("GetMemoryMap failed: 0x%lx", s);
    struct efi_map em = {map, map_size, desc_size, desc_version};
    mbi_build(mbi, MBI_CAPACITY, fdt_copy, fdt_copy ? fdt_totalsize(fdt_copy) : 0, &em, kplan.keep_boot_services);
    if (kplan.keep_boot_services) break;
    /* No firmware call between GetMemoryMap and ExitBootServices: the key must stay fresh. */
    s = bs->exit_boot_services(image_handle, key);
    if (!s) {
      boot_services_gone = 1;
      console_use_uart(PL011_DEFAULT_BASE);
      break;
    }
    if (attempt == EBS_ATTEMPTS) fatal("ExitBootServices failed %d times, last status 0x%lx", attempt, s);
  }
  hand_over((u64)mbi, fdt_copy);
}
