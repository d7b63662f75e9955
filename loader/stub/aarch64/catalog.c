/* Where this image lies in memory, and its payload catalog through the shared reader (../payloads.c). */
#include "stub.h"

u64 image_base(void) { return (u64)stub_header - stub_info.stub_offset; }
u64 image_end(void) { return image_base() + ALIGN_UP(stub_info.file_size, PAGE); }

void read_catalog(void) {
  if (memcmp(stub_info.magic, "NOVASTUB", 8) || !stub_info.stub_offset || !stub_info.catalog_offset)
    fatal("stub_info was not filled in by the composer: image damaged");
  u64 value;
  const char *err = catalog_load((const u8 *)image_base(), stub_info.catalog_offset, 0, stub_info.file_size, &value);
  if (err) fatal("%s 0x%lx", err, value);
}
