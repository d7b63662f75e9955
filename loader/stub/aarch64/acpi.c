/*
 * ACPI table overrides on aarch64: applied where the firmware describes the machine with ACPI (the UEFI
 * path under AAVMF/EDK II). The new tables are built by the shared builder (../acpi-override.c) in memory the
 * UEFI path allocates as ACPI reclaimable; a boot path that brings only a devicetree has no ACPI to
 * override, so an image carrying overrides stops there with a message instead of booting half-configured.
 */
#include "stub.h"
#include "../acpi-override.h"

struct range acpi_area;
static struct acpi_table_file files[MAX_PAYLOADS];
static u32 file_count;

static void collect(void) {
  file_count = 0;
  for (u32 i = 0; i < payload_count; i++)
    if (payloads[i].type == CAT_ACPI) files[file_count++] = (struct acpi_table_file){payloads[i].data, payloads[i].size};
}

int acpi_overrides_present(void) {
  collect();
  return file_count != 0;
}

void acpi_overrides_need_firmware_tables(void) {
  if (acpi_overrides_present() && !facts.rsdp)
    fatal("the image carries %u ACPI table override(s), but this boot path provides no ACPI tables (devicetree only)", file_count);
}

u64 acpi_overrides_size(void) {
  collect();
  return acpi_override_area_size(files, file_count);
}

const u8 *acpi_apply_overrides(u8 *area, u64 size) {
  collect();
  u8 *rsdp;
  const char *err = acpi_override_build(area, facts.rsdp, facts.rsdp_length, files, file_count, &rsdp);
  if (err) fatal("ACPI table overrides: %s", err);
  facts.rsdp = rsdp;
  facts.rsdp_length = 36;
  acpi_area = (struct range){(u64)area, (u64)area + size};
  return rsdp;
}
