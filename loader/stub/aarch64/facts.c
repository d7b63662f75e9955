/*
 * Boot facts from the Linux path (the FDT in X0) and the Multiboot2 path (the information structure in X1):
 * RAM, command line, ACPI, the devicetree and the name of the loader that started us.
 */
#include "lib/fdt.h"
#include "stub.h"

struct boot_facts facts;

const char *path_name(int path) {
  switch (path) {
    case PATH_LINUX: return "linux";
    case PATH_MB2: return "multiboot2";
    default: return "uefi";
  }
}

void append(char *dst, usize cap, const char *src, usize n) {
  usize len = strlen(dst);
  for (usize i = 0; i < n && src[i] && len + 1 < cap; i++) dst[len++] = src[i];
  dst[len] = 0;
}

static void add_ram(u64 lo, u64 hi) {
  if (hi > lo && facts.ram_count < MAX_RANGES) facts.ram[facts.ram_count++] = (struct range){lo, hi};
}

/* Reserved ranges (the blob itself, /memreserve/, /reserved-memory) and, when asked, RAM from /memory. */
static void scan_fdt_memory(const void *fdt, int take_ram) {
  facts.fdt = fdt;
  mem_reserve((u64)fdt, (u64)fdt + fdt_totalsize(fdt));
  for (u32 i = 0; i < fdt_memreserve_count(fdt); i++) {
    u64 a, s;
    fdt_memreserve(fdt, i, &a, &s);
    mem_reserve(a, a + s);
  }
  int root = fdt_root(fdt), depth = 0;
  for (int node = fdt_next_node(fdt, root, &depth); node >= 0 && depth > 0; node = fdt_next_node(fdt, node, &depth)) {
    if (depth != 1) continue;
    const char *name = fdt_node_name(fdt, node);
    const char *type = fdt_prop(fdt, node, "device_type", NULL);
    if (take_ram && ((type && strcmp(type, "memory") == 0) || strncmp(name, "memory@", 7) == 0)) {
      u64 a, s;
      for (u32 i = 0; fdt_reg(fdt, root, node, i, &a, &s); i++) add_ram(a, a + s);
    }
    if (strcmp(name, "reserved-memory") == 0) {
      int rdepth = 1;
      for (int r = fdt_next_node(fdt, node, &rdepth); r >= 0 && rdepth > 1; r = fdt_next_node(fdt, r, &rdepth)) {
        u64 a, s;
        if (rdepth == 2 && fdt_reg(fdt, node, r, 0, &a, &s)) mem_reserve(a, a + s);
      }
    }
  }
}

/* The Linux boot protocol does not name the loader: U-Boot signs /chosen, QEMU's own tree is dummy-virt. */
static void name_linux_loader(const void *fdt, int chosen) {
  u32 len = 0;
  const char *uboot = chosen >= 0 ? fdt_prop(fdt, chosen, "u-boot,version", &len) : NULL;
  const char *compat = fdt_prop(fdt, fdt_root(fdt), "compatible", NULL);
  char *name = facts.original_loader;
  if (uboot) {
    append(name, sizeof facts.original_loader, "U-Boot ", 7);
    append(name, sizeof facts.original_loader, uboot, len);
  } else if (compat && strcmp(compat, "linux,dummy-virt") == 0) {
    append(name, sizeof facts.original_loader, "QEMU", 4);
  } else {
    append(name, sizeof facts.original_loader, "unknown loader", 14);
  }
}

void collect_fdt(const void *fdt) {
  if (!fdt_check(fdt)) fatal("no valid devicetree at 0x%lx (Linux boot protocol: X0 = FDT)", (u64)fdt);
  scan_fdt_memory(fdt, 1);
  int chosen = fdt_path(fdt, "/chosen");
  u32 len = 0;
  const char *args = chosen >= 0 ? fdt_prop(fdt, chosen, "bootargs", &len) : NULL;
  if (args) append(facts.cmdline, sizeof facts.cmdline, args, len);
  name_linux_loader(fdt, chosen);
}

void collect_mb2(const void *mbi) {
  u32 total = ((const struct mb2_info *)mbi)->total_size;
  mem_reserve((u64)mbi, (u64)mbi + total);
  const u8 *end = (const u8 *)mbi + total;
  const void *fdt = NULL;
  for (const struct mb2_tag *t = mb2_first(mbi); (const u8 *)t < end && t->type != MB2_TAG_END; t = mb2_next(t)) {
    switch (t->type) {
      case MB2_TAG_CMDLINE:
        append(facts.cmdline, sizeof facts.cmdline, ((const struct mb2_tag_string *)t)->string, t->size - 8);
        break;
      case MB2_TAG_LOADER_NAME:
        append(facts.original_loader, sizeof facts.original_loader, ((const struct mb2_tag_string *)t)->string, t->size - 8);
        break;
      case MB2_TAG_MODULE: {
        const struct mb2_tag_module *m = (const void *)t;
        mem_reserve(m->mod_start, m->mod_end);
        if (fdt_check((const void *)(u64)m->mod_start)) fdt = (const void *)(u64)m->mod_start;
        break;
      }
      case MB2_TAG_MMAP: {
        const struct mb2_tag_mmap *mm = (const void *)t;
        for (const u8 *e = (const u8 *)(mm + 1); e + mm->entry_size <= (const u8 *)t + t->size; e += mm->entry_size) {
          const struct mb2_mmap_entry *me = (const void *)e;
          if (me->type == MB2_MEM_AVAILABLE) add_ram(me->addr, me->addr + me->len);
        }
        break;
      }
      case MB2_TAG_ACPI_OLD:
        if (!facts.rsdp) facts.rsdp = (const u8 *)t + 8, facts.rsdp_length = 20;
        break;
      case MB2_TAG_ACPI_NEW:
        facts.rsdp = (const u8 *)t + 8, facts.rsdp_length = 36;
        break;
    }
  }
  if (!facts.original_loader[0]) append(facts.original_loader, sizeof facts.original_loader, "unknown loader", 14);
  /* A devicetree module adds reserved ranges; its RAM counts only when the information had no memory map. */
  if (fdt) scan_fdt_memory(fdt, facts.ram_count == 0);
  if (!facts.ram_count) fatal("Multiboot2 information without a memory map or devicetree");
}
