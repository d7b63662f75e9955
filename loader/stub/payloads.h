/*
 * The payloads a loader stub finds in its image's catalog (format: ../catalog-format.h, defined by
 * loader/catalog.ts), in catalog order. Shared by the stubs of every architecture; the including stub's
 * "stub.h" provides u8..u64, memcmp and memcpy.
 */
#ifndef NOVA_IMAGE_PAYLOADS_H
#define NOVA_IMAGE_PAYLOADS_H

enum { CAT_KERNEL = 1, CAT_ROOT = 2, CAT_MODULE = 3, CAT_CMDLINE = 4, CAT_ACPI = 5 };
struct payload { u32 type; const u8 *data; u64 size; char name[41]; };
#define MAX_PAYLOADS 32
extern struct payload payloads[MAX_PAYLOADS];
extern u32 payload_count;

/*
 * Reads the catalog at `catalog_offset` of the image whose file offset 0 is at `base`; every payload must
 * lie within [min_offset, file_size). The stub trusts the composer for the layout but still checks magic,
 * version and bounds, so a damaged image stops with a message instead of loading garbage. Returns NULL, or
 * what is wrong with the offending value in *value, for the stub's fatal().
 */
const char *catalog_load(const u8 *base, u32 catalog_offset, u32 min_offset, u32 file_size, u64 *value);
const struct payload *find_payload(u32 type);

#endif
