/* Devicetree summary: model, root compatible, and every device compatible string with how often it occurs. */
#include "kernel.h"
#include "lib/fdt.h"
#include "lib/string.h"

#define MAX_KINDS 48

static const char *kinds[MAX_KINDS];
static unsigned counts[MAX_KINDS];

void devtree_summary(const void *fdt) {
  int root = fdt_root(fdt);
  const char *model = fdt_prop(fdt, root, "model", NULL);
  const char *compat = fdt_prop(fdt, root, "compatible", NULL);
  kprintf("fdt: at 0x%lx, %u bytes, model \"%s\", compatible \"%s\"\n", (u64)fdt, fdt_totalsize(fdt),
          model ? model : "", compat ? compat : "");
  unsigned nodes = 0, n = 0;
  int depth = 0;
  for (int node = fdt_next_node(fdt, root, &depth); node >= 0 && depth > 0; node = fdt_next_node(fdt, node, &depth)) {
    nodes++;
    const char *c = fdt_prop(fdt, node, "compatible", NULL);
    if (!c) continue;
    unsigned i = 0;
    while (i < n && strcmp(kinds[i], c) != 0) i++;
    if (i == n && n < MAX_KINDS) kinds[n++] = c;
    if (i < n) counts[i]++;
  }
  kprintf("fdt: %u nodes, %u device kinds:\n", nodes, n);
  for (unsigned i = 0; i < n; i++) kprintf("fdt:   %s x%u\n", kinds[i], counts[i]);
}
