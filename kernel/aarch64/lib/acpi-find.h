/* ACPI table lookup through the RSDP's XSDT (or RSDT): byte-wise reads, tables are packed. */
#pragma once
#include "types.h"

static inline u32 acpi_rd32(const u8 *p) { return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24; }
static inline u64 acpi_rd64(const u8 *p) { return acpi_rd32(p) | (u64)acpi_rd32(p + 4) << 32; }

/** Number of tables the RSDP leads to (0 when its signature is wrong). */
u32 acpi_table_count(const void *rsdp);
/** Table `index` in XSDT/RSDT order. */
const u8 *acpi_table(const void *rsdp, u32 index);
/** First table with this signature, or NULL. */
const u8 *acpi_find(const void *rsdp, const char *signature);
