/*
 * ACPI table overrides (payload catalog type 5), shared by the loader stubs of every architecture. The
 * including stub's "stub.h" provides u8..u64, usize, memcpy, memset and memcmp; nothing here calls firmware
 * or prints: errors come back as messages for the stub's own fatal().
 *
 * Which firmware table an override replaces: the one with the same signature; for SSDTs (a machine has
 * several) the one with the same signature and OEM Table ID, otherwise the SSDT is added. A DSDT override
 * is reached through the FADT's DSDT/X_DSDT fields. An overriding FADT keeps the live machine's FACS and
 * DSDT pointers, because a table compiled offline cannot know those addresses. The composer
 * (loader/acpi-overrides.ts) refuses RSDT, XSDT and FACS, bad lengths and bad checksums.
 */
#ifndef NOVA_IMAGE_ACPI_OVERRIDE_H
#define NOVA_IMAGE_ACPI_OVERRIDE_H

struct acpi_table_file { const u8 *data; u64 size; };

/* Bytes acpi_override_build needs for these overrides (16-byte aligned area). */
u64 acpi_override_area_size(const struct acpi_table_file *tables, u32 count);

/*
 * Builds, in `area` (identity-mapped, below 4 GiB), copies of the overrides, a patched FADT copy when the
 * DSDT or the FADT is overridden, a new XSDT (and RSDT when every address fits in 32 bits) in the firmware's
 * order and a new ACPI 2.0 RSDP. `fw_rsdp` may be NULL (no firmware tables). Returns NULL and sets *rsdp, or
 * returns what is wrong.
 */
const char *acpi_override_build(u8 *area, const u8 *fw_rsdp, u32 fw_rsdp_length, const struct acpi_table_file *tables,
                                u32 count, u8 **rsdp);

#endif
