/*
 * UEFI: the PE/COFF entry point (efi_main) and the boot-services flow shared with GRUB's Multiboot2 EFI
 * entry (tags 7 + 9 keep boot services alive for us). Allocates through the firmware (kernel at p_paddr or
 * shifted by tag 10, MBI and trampoline below 4 GiB), then either keeps boot services (kernel has tag 7:
 * MBI tag 18) or disables PCI bus masters and calls ExitBootServices with a fresh map key, retrying while
 * the key is stale (MBI tag 17).
 */
#include "efi.h"

static const struct efi_guid loaded_image_guid = { 0x5b1b31a1, 0x9562, 0x11d2, { 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } };
static const struct efi_guid acpi20_guid = { 0x8868e871, 0xe4f1, 0x11d3, { 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } };
static const struct efi_guid acpi10_guid = { 0xeb9d2d30, 0x2d88, 0x11d3, { 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d } };

static struct efi_boot_services *bs;

static void utf16_to_ascii(char *dst, usize cap, const u16 *src, usize max_chars)
{
    usize n = strlen(dst);
    for (usize i = 0; i < max_chars && src[i] && n + 1 < cap; i++) {
        if (src[i] < 0x20 || src[i] > 0x7e) break;    /* LoadOptions may be binary boot-option data */
        dst[n++] = (char)src[i];
    }
    dst[n] = 0;
}

static void rsdp_from_config_tables(struct efi_system_table *st)
{
    for (u64 i = 0; i < st->number_of_table_entries; i++)
        if (!memcmp(&st->configuration_table[i].guid, &acpi20_guid, sizeof acpi20_guid))
            return set_rsdp(st->configuration_table[i].table);
    for (u64 i = 0; i < st->number_of_table_entries; i++)
        if (!memcmp(&st->configuration_table[i].guid, &acpi10_guid, sizeof acpi10_guid))
            return set_rsdp(st->configuration_table[i].table);
}

static int efi_claim(u64 lo, u64 hi)
{
    u64 addr = lo;
    return bs->allocate_pages(AllocateAddress, EfiLoaderCode, (hi - lo) / PAGE, &addr) == EFI_SUCCESS;
}

static u64 efi_alloc_low(u64 bytes, u32 type)
{
    u64 addr = 0xffffffffULL;
    efi_status s = bs->allocate_pages(AllocateMaxAddress, type, ALIGN_UP(bytes, PAGE) / PAGE, &addr);
    if (s != EFI_SUCCESS) fatal("UEFI AllocatePages below 4 GiB failed, status", s);
    return addr;
}

void efi_run(u64 image_handle, u64 system_table)
{
    struct efi_system_table *st = (struct efi_system_table *)system_table;
    bs = st->boot_services;
    facts.efi_system_table = system_table;
    facts.efi_image_handle = image_handle;
    if (!facts.rsdp_length) rsdp_from_config_tables(st);

    read_catalog();
    const struct payload *k = find_payload(CAT_KERNEL);
    if (!k) fatal2("payload catalog has no kernel", NULL);
    kernel_parse(k);
    kernel_place(efi_claim);
    kernel_copy(k);
    if (acpi_overrides_present()) {
        u8 *area = (u8 *)efi_alloc_low(acpi_overrides_size(), EfiACPIReclaimMemory);
        u64 rsdp = acpi_apply_overrides(area);
        /* Kernels that keep boot services, and runtime code, look for the RSDP in the configuration table. */
        efi_status s = bs->install_configuration_table(&acpi20_guid, (void *)rsdp);
        if (s != EFI_SUCCESS) fatal("UEFI InstallConfigurationTable (ACPI 2.0) failed, status", s);
    }

    const usize mbi_cap = 64 * 1024;
    u8 *mbi = (u8 *)efi_alloc_low(mbi_cap, EfiLoaderData);
    u64 tramp = efi_alloc_low(PAGE, EfiLoaderCode);
    memcpy((void *)tramp, trampoline_start, (usize)(trampoline_end - trampoline_start));

    /* The map grows by the allocation that holds it: ask, then allocate with room to spare. */
    u64 map_size = 0, key, desc_size;
    u32 desc_version;
    bs->get_memory_map(&map_size, NULL, &key, &desc_size, &desc_version);
    u64 map_cap = map_size + 64 * 64;
    u8 *map = (u8 *)efi_alloc_low(map_cap, EfiLoaderData);

    if (kplan.keep_boot_services) {
        map_size = map_cap;
        efi_status s = bs->get_memory_map(&map_size, map, &key, &desc_size, &desc_version);
        if (s != EFI_SUCCESS) fatal("UEFI GetMemoryMap failed, status", s);
        struct mbi_efi_map m = { map, map_size, desc_size, desc_version };
        mbi_build(mbi, mbi_cap, &m, 1);
        if (kplan.entry_efi64) enter_efi64(kplan.entry_efi64 + kplan.shift, (u64)mbi);
        enter_i386_via(tramp, kplan.entry_i386 + kplan.shift, (u64)mbi);
    }

    pci_disable_bus_masters();
    for (int attempt = 0;; attempt++) {
        map_size = map_cap;
        efi_status s = bs->get_memory_map(&map_size, map, &key, &desc_size, &desc_version);
        if (s != EFI_SUCCESS) fatal("UEFI GetMemoryMap failed, status", s);
        struct mbi_efi_map m = { map, map_size, desc_size, desc_version };
        mbi_build(mbi, mbi_cap, &m, 0);
        s = bs->exit_boot_services((efi_handle)image_handle, key);
        if (s == EFI_SUCCESS) break;
        if (s != EFI_INVALID_PARAMETER || attempt == 8) fatal("UEFI ExitBootServices failed, status", s);
    }
    enter_i386_via(tramp, kplan.entry_i386 + kplan.shift, (u64)mbi);
}

/* PE/COFF entry point. */
efi_status EFIAPI efi_main(efi_handle image, struct efi_system_table *st)
{
    facts.path = PATH_UEFI;
    utf16_to_ascii(facts.original_loader, sizeof facts.original_loader, st->firmware_vendor, 64);
    if (!facts.original_loader[0]) str_append(facts.original_loader, sizeof facts.original_loader, "UEFI");
    struct efi_loaded_image *li = NULL;
    if (st->boot_services->handle_protocol(image, &loaded_image_guid, (void **)&li) == EFI_SUCCESS && li &&
        li->load_options && li->load_options_size >= 2)
        utf16_to_ascii(facts.cmdline, sizeof facts.cmdline, li->load_options, li->load_options_size / 2);
    efi_run((u64)image, (u64)st);
}
