/* Where this image lies in memory, and its payload catalog through the shared reader (../payloads.c). */
#include "stub.h"

u8 *image_base_of_file(void) { return (u8 *)entry32_linux - stub_info.pm_file_offset; }
u64 image_memory_start(void) { return (u64)entry32_linux; }
u64 image_memory_end(void) { return (u64)image_base_of_file() + stub_info.file_size; }

void read_catalog(void)
{
    if (memcmp(stub_info.magic, "NOVASTUB", 8) || stub_info.pm_file_offset == 0 || stub_info.catalog_offset == 0)
        fatal2("stub_info not filled in by the composer", "image damaged");
    u64 value;
    const char *err = catalog_load(image_base_of_file(), stub_info.catalog_offset, stub_info.pm_file_offset, stub_info.file_size, &value);
    if (err) fatal(err, value);
}
