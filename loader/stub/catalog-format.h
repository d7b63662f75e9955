/*
 * The payload catalog as the loader stubs read it: one declaration for every architecture. The format is
 * defined by loader/catalog.ts (one defineStruct table per structure); these structs mirror those tables and
 * the static assertions pin their sizes. The including stub provides u8/u16/u32/u64.
 */
#ifndef NOVA_IMAGE_CATALOG_FORMAT_H
#define NOVA_IMAGE_CATALOG_FORMAT_H

#define CAT_MAGIC "NOVA-CAT"
#define CAT_VERSION 1

struct cat_header {
    char magic[8];
    u16 version, header_size, entry_size, entry_count;
    u32 flags, reserved;
    u64 reserved2;
};

struct cat_entry {
    u32 type, flags;
    u64 offset, size;
    char name[40];
    u8 sha256[32];
};

_Static_assert(sizeof(struct cat_header) == 32, "catalog header");
_Static_assert(sizeof(struct cat_entry) == 96, "catalog entry");

#endif
