/* The payload catalog reader shared by the loader stubs (interface and rules: payloads.h). */
#include "stub.h"
#include "catalog-format.h"

struct payload payloads[MAX_PAYLOADS];
u32 payload_count;

const char *catalog_load(const u8 *base, u32 catalog_offset, u32 min_offset, u32 file_size, u64 *value)
{
    const struct cat_header *h = (const void *)(base + catalog_offset);
    *value = catalog_offset;
    if (memcmp(h->magic, CAT_MAGIC, 8)) return "payload catalog: bad magic at file offset";
    *value = h->version;
    if (h->version != CAT_VERSION) return "payload catalog: unsupported version";
    *value = ((u64)h->entry_size << 16) | h->entry_count;
    if (h->entry_size < sizeof(struct cat_entry) || h->entry_count > MAX_PAYLOADS)
        return "payload catalog: bad entry size/count (size << 16 | count)";
    for (u32 i = 0; i < h->entry_count; i++) {
        const struct cat_entry *e = (const void *)((const u8 *)h + h->header_size + (u64)i * h->entry_size);
        *value = i;
        if (e->offset < min_offset || e->offset + e->size > file_size || e->offset + e->size < e->offset)
            return "payload catalog: entry outside the image, index";
        struct payload *p = &payloads[payload_count++];
        p->type = e->type;
        p->data = base + e->offset;
        p->size = e->size;
        memcpy(p->name, e->name, 40);
        p->name[40] = 0;
    }
    return NULL;
}

const struct payload *find_payload(u32 type)
{
    for (u32 i = 0; i < payload_count; i++)
        if (payloads[i].type == type) return &payloads[i];
    return NULL;
}
