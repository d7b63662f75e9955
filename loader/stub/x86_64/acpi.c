/*
 * ACPI table overrides on x86_64: the catalog's type-5 entries go through the shared builder
 * (../acpi-override.c); the new RSDP becomes the one the kernel is told about in Multiboot2 tags 14/15.
 */
#include "stub.h"
#include "../acpi-override.h"

static struct acpi_table_file files[MAX_PAYLOADS];
static u32 file_count;

static void collect(void)
{
    file_count = 0;
    for (u32 i = 0; i < payload_count; i++)
        if (payloads[i].type == CAT_ACPI) files[file_count++] = (struct acpi_table_file){ payloads[i].data, payloads[i].size };
}

int acpi_overrides_present(void)
{
    collect();
    return file_count != 0;
}

u64 acpi_overrides_size(void)
{
    collect();
    return acpi_override_area_size(files, file_count);
}

u64 acpi_apply_overrides(u8 *area)
{
    collect();
    u8 *rsdp;
    const char *err = acpi_override_build(area, facts.rsdp_length ? facts.rsdp : NULL, facts.rsdp_length, files, file_count, &rsdp);
    if (err) fatal2("ACPI table overrides:", err);
    set_rsdp(rsdp);
    return (u64)rsdp;
}
