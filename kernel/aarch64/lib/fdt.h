/*
 * Flattened devicetree reader (Devicetree Specification 0.4, chapter 5): just enough to walk nodes and read
 * properties in place. Offsets are byte offsets of FDT_BEGIN_NODE tokens inside the structure block.
 */
#pragma once
#include "types.h"

#define FDT_MAGIC 0xd00dfeedu

static inline u32 be32(const void *p) {
  const u8 *b = p;
  return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}
static inline u64 be64(const void *p) { return (u64)be32(p) << 32 | be32((const u8 *)p + 4); }

/** Checks magic, version and that the blocks lie inside totalsize. Returns totalsize or 0. */
u32 fdt_check(const void *fdt);
u32 fdt_totalsize(const void *fdt);
/** Offset of the root node. */
int fdt_root(const void *fdt);
/** Next node after `node` in depth-first order (with its depth change added to *depth), or -1 at the end. */
int fdt_next_node(const void *fdt, int node, int *depth);
const char *fdt_node_name(const void *fdt, int node);
/** Property value (and its length) of `node`, or NULL. */
const void *fdt_prop(const void *fdt, int node, const char *name, u32 *len);
/** Node by absolute path ("/chosen", "/psci"), or -1. */
int fdt_path(const void *fdt, const char *path);
/** Reads a cells-sized big-endian number (1 or 2 cells). */
u64 fdt_cells(const void *p, u32 cells);
/** #address-cells / #size-cells of a node's children (defaults 2 and 1). */
u32 fdt_address_cells(const void *fdt, int node);
u32 fdt_size_cells(const void *fdt, int node);
/** First reg entry (address, size) of a node that is a direct child of `parent`. Returns 0 when absent. */
int fdt_reg(const void *fdt, int parent, int node, u32 index, u64 *addr, u64 *size);
/** Number of /memreserve/ entries and one entry. */
u32 fdt_memreserve_count(const void *fdt);
void fdt_memreserve(const void *fdt, u32 index, u64 *addr, u64 *size);
/** Resolves /chosen stdout-path (alias or path, ":options" cut off) to a node, or -1. */
int fdt_stdout_node(const void *fdt);
