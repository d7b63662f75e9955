#include "fdt.h"
#include "string.h"

enum { FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9 };

struct fdt_header {
  u8 magic[4], totalsize[4], off_dt_struct[4], off_dt_strings[4], off_mem_rsvmap[4], version[4],
      last_comp_version[4], boot_cpuid_phys[4], size_dt_strings[4], size_dt_struct[4];
};

#define HDR(f) be32(((const struct fdt_header *)fdt)->f)

u32 fdt_totalsize(const void *fdt) { return HDR(totalsize); }

u32 fdt_check(const void *fdt) {
  if (!fdt || be32(fdt) != FDT_MAGIC) return 0;
  u32 total = HDR(totalsize);
  if (HDR(last_comp_version) > 17 || HDR(version) < 16) return 0;
  if (HDR(off_dt_struct) >= total || HDR(off_dt_strings) > total || HDR(off_mem_rsvmap) >= total) return 0;
  if (HDR(version) >= 17 && HDR(off_dt_struct) + HDR(size_dt_struct) > total) return 0;
  return total;
}

static const u8 *structure(const void *fdt) { return (const u8 *)fdt + HDR(off_dt_struct); }
static const char *strings(const void *fdt) { return (const char *)fdt + HDR(off_dt_strings); }

static u32 token(const void *fdt, int off) { return be32(structure(fdt) + off); }

/* Offset just after the token at `off` (name or property skipped). */
static int skip(const void *fdt, int off) {
  u32 tok = token(fdt, off);
  off += 4;
  if (tok == FDT_BEGIN_NODE) {
    const char *name = (const char *)structure(fdt) + off;
    off += (int)ALIGN_UP(strlen(name) + 1, 4);
  } else if (tok == FDT_PROP) {
    u32 len = be32(structure(fdt) + off);
    off += 8 + (int)ALIGN_UP(len, 4);
  }
  return off;
}

int fdt_root(const void *fdt) {
  int off = 0;
  while (token(fdt, off) == FDT_NOP) off += 4;
  return token(fdt, off) == FDT_BEGIN_NODE ? off : -1;
}

int fdt_next_node(const void *fdt, int node, int *depth) {
  int off = skip(fdt, node);
  for (;;) {
    u32 tok = token(fdt, off);
    if (tok == FDT_BEGIN_NODE) {
      if (depth) (*depth)++;
      return off;
    }
    if (tok == FDT_END_NODE) {
      if (depth) (*depth)--;
      off += 4;
    } else if (tok == FDT_PROP || tok == FDT_NOP) {
      off = skip(fdt, off);
    } else {
      return -1;
    }
  }
}

const char *fdt_node_name(const void *fdt, int node) { return (const char *)structure(fdt) + node + 4; }

const void *fdt_prop(const void *fdt, int node, const char *name, u32 *len) {
  int off = skip(fdt, node);
  for (;;) {
    u32 tok = token(fdt, off);
    if (tok == FDT_NOP) {
      off += 4;
      continue;
    }
    if (tok != FDT_PROP) return NULL;
    const u8 *p = structure(fdt) + off;
    if (strcmp(strings(fdt) + be32(p + 8), name) == 0) {
      if (len) *len = be32(p + 4);
      return p + 12;
    }
    off = skip(fdt, off);
  }
}

/* Compares a node name with one path component: "memory" matches "memory@40000000" only when exact. */
static int name_matches(const char *node, const char *comp, usize n) {
  if (strncmp(node, comp, n) != 0) return 0;
  if (node[n] == 0) return 1;
  if (node[n] != '@') return 0;
  for (usize i = 0; i < n; i++)
    if (comp[i] == '@') return 0;
  return 1;
}

int fdt_path(const void *fdt, const char *path) {
  int node = fdt_root(fdt);
  if (node < 0 || path[0] != '/') return -1;
  path++;
  while (*path) {
    usize n = 0;
    while (path[n] && path[n] != '/') n++;
    int depth = 0, found = -1;
    for (int child = fdt_next_node(fdt, node, &depth); child >= 0 && depth > 0;
         child = fdt_next_node(fdt, child, &depth)) {
      if (depth == 1 && name_matches(fdt_node_name(fdt, child), path, n)) {
        found = child;
        break;
      }
    }
    if (found < 0) return -1;
    node = found;
    path += n;
    if (*path == '/') path++;
  }
  return node;
}

u64 fdt_cells(const void *p, u32 cells) { return cells == 2 ? be64(p) : cells == 1 ? be32(p) : 0; }

u32 fdt_address_cells(const void *fdt, int node) {
  u32 len;
  const void *p = fdt_prop(fdt, node, "#address-cells", &len);
  return p && len == 4 ? be32(p) : 2;
}

u32 fdt_size_cells(const void *fdt, int node) {
  u32 len;
  const void *p = fdt_prop(fdt, node, "#size-cells", &len);
  return p && len == 4 ? be32(p) : 1;
}

int fdt_reg(const void *fdt, int parent, int node, u32 index, u64 *addr, u64 *size) {
  u32 ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent), len;
  const u8 *p = fdt_prop(fdt, node, "reg", &len);
  u32 entry = 4 * (ac + sc);
  if (!p || entry == 0 || (index + 1) * entry > len || ac > 2 || sc > 2) return 0;
  p += index * entry;
  *addr = fdt_cells(p, ac);
  *size = fdt_cells(p + 4 * ac, sc);
  return 1;
}

u32 fdt_memreserve_count(const void *fdt) {
  const u8 *p = (const u8 *)fdt + HDR(off_mem_rsvmap);
  u32 n = 0;
  while (be64(p + 16 * n) || be64(p + 16 * n + 8)) n++;
  return n;
}

void fdt_memreserve(const void *fdt, u32 index, u64 *addr, u64 *size) {
  const u8 *p = (const u8 *)fdt + HDR(off_mem_rsvmap) + 16 * index;
  *addr = be64(p);
  *size = be64(p + 8);
}

int fdt_stdout_node(const void *fdt) {
  int chosen = fdt_path(fdt, "/chosen");
  if (chosen < 0) return -1;
  u32 len;
  const char *sp = fdt_prop(fdt, chosen, "stdout-path", &len);
  if (!sp) sp = fdt_prop(fdt, chosen, "linux,stdout-path", &len);
  if (!sp || len == 0) return -1;
  char path[128];
  usize n = 0;
  while (n < len && n < sizeof path - 1 && sp[n] && sp[n] != ':') path[n] = sp[n], n++;
  path[n] = 0;
  if (path[0] == '/') return fdt_path(fdt, path);
  int aliases = fdt_path(fdt, "/aliases");
  if (aliases < 0) return -1;
  const char *full = fdt_prop(fdt, aliases, path, &len);
  return full ? fdt_path(fdt, full) : -1;
}
