#include "acpi-find.h"
#include "string.h"

#define SDT_HEADER 36

static const u8 *root_table(const void *rsdp, u32 *entry) {
  const u8 *r = rsdp;
  if (!r || memcmp(r, "RSD PTR ", 8) != 0) return NULL;
  if (r[15] >= 2 && acpi_rd64(r + 24)) {
    *entry = 8;
    return (const u8 *)acpi_rd64(r + 24);
  }
  *entry = 4;
  return (const u8 *)(u64)acpi_rd32(r + 16);
}

u32 acpi_table_count(const void *rsdp) {
  u32 entry;
  const u8 *sdt = root_table(rsdp, &entry);
  return sdt ? (acpi_rd32(sdt + 4) - SDT_HEADER) / entry : 0;
}

const u8 *acpi_table(const void *rsdp, u32 index) {
  u32 entry;
  const u8 *sdt = root_table(rsdp, &entry);
  const u8 *p = sdt + SDT_HEADER + index * entry;
  return (const u8 *)(entry == 8 ? acpi_rd64(p) : acpi_rd32(p));
}

const u8 *acpi_find(const void *rsdp, const char *signature) {
  u32 n = acpi_table_count(rsdp);
  for (u32 i = 0; i < n; i++) {
    const u8 *t = acpi_table(rsdp, i);
    if (t && memcmp(t, signature, 4) == 0) return t;
  }
  return NULL;
}
