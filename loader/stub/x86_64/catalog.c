/*
 * The payload catalog (format: loader/catalog.ts). The stub trusts the composer for the layout but still
 * checks magic, version and bounds, so a damaged image stops with a message instead of loading garbage.
 */
#include "stub.h"
#include "../catalog-format.h"

struct payload payloads[MAX_PAYLOADS];
u32 payload_count;

u8 *image_base_of_file(void) { return (u8 *)entry32_linux - stub_info.pm_file_offset; }
u64 image_memory_start(void) { return (u64)entry32_linux; }
u64 image_memory_end(void) { return (u64)image_base_of_file() + stub_info.file_size; }

void read_catalog(void)
{
    if (memcmp(stub_info.magic, "NOVASTUB", 8) || stub_info.pm_file_offset == 0 || stub_info.catalog_offset == 0)
        fatal2("stub_info not filled in by the composer", "image damaged");
    const u8 *base = image_base_of_file();
    const struct cat_header *h = (const void *)(base + stub_info.catalog_offset);
    if (memcmp(h->magic, CAT_MAGIC, 8)) fatal("payload catalog: bad magic at file offset", stub_info.catalog_offset);
    if (h->version != CAT_VERSION) fatal("payload catalog: unsupported version", h->version);
    if (h->entry_size < sizeof(struct cat_entry) || h->entry_count > MAX_PAYLOADS)
        fatal("payload catalog: bad entry size/count", ((u64)h->entry_size << 16) | h->entry_count);
    for (u32 i = 0; i < h->entry_count; i++) {
        const struct cat_entry *e = (const void *)((const u8 *)h + h->header_size + (u64)i * h->entry_size);
        if (e->offset < stub_info.pm_file_offset || e->offset + e->size > stub_info.file_size)
            fatal("payload catalog: entry outside the image, index", i);
        struct payload *p = &payloads[payload_count++];
        p->type = e->type;
        p->data = base + e->offset;
        p->size = e->size;
        memcpy(p->name, e->name, 40);
        p->name[40] = 0;
    }
}

const struct payload *find_payload(u32 type)
{
    for (u32 i = 0; i < payload_count; i++)
        if (payloads[i].type == type) return &payloads[i];
    return NULL;
}
