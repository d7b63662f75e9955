/*
 * The payload catalog (format defined by loader/catalog.ts, shared with the x86_64 image). Magic, version
 * and bounds are checked so a damaged image stops with a message instead of loading garbage.
 */
#include "stub.h"
#include "../catalog-format.h"

struct payload payloads[MAX_PAYLOADS];
u32 payload_count;

u64 image_base(void) { return (u64)stub_header - stub_info.stub_offset; }
u64 image_end(void) { return image_base() + ALIGN_UP(stub_info.file_size, PAGE); }

void read_catalog(void) {
  if (memcmp(stub_info.magic, "NOVASTUB", 8) || !stub_info.stub_offset || !stub_info.catalog_offset)
    fatal("stub_info was not filled in by the composer: image damaged");
  const u8 *base = (const u8 *)image_base();
  const struct cat_header *h = (const void *)(base + stub_info.catalog_offset);
  if (memcmp(h->magic, CAT_MAGIC, 8)) fatal("payload catalog: bad magic at file offset 0x%x", stub_info.catalog_offset);
  if (h->version != CAT_VERSION) fatal("payload catalog: unsupported version %u", h->version);
  if (h->entry_size < sizeof(struct cat_entry) || h->entry_count > MAX_PAYLOADS)
    fatal("payload catalog: bad entry size %u or count %u", h->entry_size, h->entry_count);
  for (u32 i = 0; i < h->entry_count; i++) {
    const struct cat_entry *e = (const void *)((const u8 *)h + h->header_size + (u64)i * h->entry_size);
    if (e->offset + e->size > stub_info.file_size || e->offset + e->size < e->offset)
      fatal("payload catalog: entry %u lies outside the image", i);
    struct payload *p = &payloads[payload_count++];
    p->type = e->type;
    p->data = base + e->offset;
    p->size = e->size;
    memcpy(p->name, e->name, 40);
    p->name[40] = 0;
  }
}

const struct payload *find_payload(u32 type) {
  for (u32 i = 0; i < payload_count; i++)
    if (payloads[i].type == type) return &payloads[i];
  return NULL;
}
