/*
 * The aarch64 reference kernel: prints what it was given (the console contract of TEAM.md), runs the root
 * task at EL0 and powers off through PSCI.
 */
#include "kernel.h"
#include "lib/fdt.h"
#include "lib/mb2.h"
#include "lib/string.h"

/* QEMU puts the DTB at the start of RAM when it loads a bare ELF with -kernel (no boot protocol). */
#define QEMU_VIRT_RAM_BASE 0x40000000UL

extern char __kernel_start[], __kernel_end[];

struct boot {
  const void *mbi;
  const void *fdt;
  const void *rsdp;
  u64 root, root_size;
};

static const void *find_tag(const void *mbi, u32 type) {
  const u8 *end = (const u8 *)mbi + ((const struct mb2_info *)mbi)->total_size;
  for (const struct mb2_tag *t = mb2_first(mbi); (const u8 *)t < end && t->type != MB2_TAG_END; t = mb2_next(t))
    if (t->type == type) return t;
  return NULL;
}

static void scan_mbi(struct boot *b) {
  const u8 *end = (const u8 *)b->mbi + ((const struct mb2_info *)b->mbi)->total_size;
  int index = 0;
  for (const struct mb2_tag *t = mb2_first(b->mbi); (const u8 *)t < end && t->type != MB2_TAG_END; t = mb2_next(t)) {
    if (t->type == MB2_TAG_MODULE) {
      const struct mb2_tag_module *m = (const void *)t;
      if (index == 0) b->root = m->mod_start, b->root_size = m->mod_end - m->mod_start;
      /* The loader stub hands the devicetree over as a module named "fdt". */
      if (strcmp(m->string, "fdt") == 0 && fdt_check((const void *)(u64)m->mod_start)) b->fdt = (const void *)(u64)m->mod_start;
      index++;
    } else if (t->type == MB2_TAG_ACPI_NEW || (t->type == MB2_TAG_ACPI_OLD && !b->rsdp)) {
      b->rsdp = (const u8 *)t + 8;
    }
  }
}

static void print_boot_line(const struct boot *b, u64 a0, u64 a1) {
  if (!b->mbi) {
    if (b->root)
      kprintf("boot: path=legacy fdt=0x%lx root=0x%lx\n", a0, a1);
    else
      kprintf("boot: path=none x0=0x%lx x1=0x%lx (no Multiboot2 information)\n", a0, a1);
    return;
  }
  const struct mb2_tag_string *name = find_tag(b->mbi, MB2_TAG_LOADER_NAME);
  const char *loader = name ? name->string : "";
  kprintf("boot: path=");
  if (strncmp(loader, "nova-image/", 11) == 0) {
    for (const char *p = loader + 11; *p && *p != ' '; p++) kputc(*p);
  } else {
    kprintf("multiboot2");
  }
  kprintf(" loader=%s magic=0x%x\n", loader, MB2_BOOTLOADER_MAGIC);
}

static void print_memory(const struct boot *b) {
  const struct mb2_tag_mmap *mm = find_tag(b->mbi, MB2_TAG_MMAP);
  if (!mm) {
    kprintf("memory: no memory map\n");
    return;
  }
  unsigned entries = (mm->size - sizeof *mm) / mm->entry_size, ranges = 0;
  u64 total = 0, start = 0, end = 0;
  kprintf("memory: %u map entries, available RAM:\n", entries);
  for (unsigned i = 0; i <= entries; i++) {
    const struct mb2_mmap_entry *e = (const void *)((const u8 *)(mm + 1) + i * mm->entry_size);
    int avail = i < entries && e->type == MB2_MEM_AVAILABLE;
    if (avail && e->addr == end && end) {
      end += e->len;
      continue;
    }
    if (end > start) {
      kprintf("memory:   0x%016lx-0x%016lx %lu KiB\n", start, end - 1, (end - start) >> 10);
      total += end - start, ranges++;
    }
    start = end = 0;
    if (avail) start = e->addr, end = e->addr + e->len;
  }
  kprintf("memory: %lu MiB available in %u ranges\n", total >> 20, ranges);
}

static void print_modules(const struct boot *b) {
  const u8 *end = (const u8 *)b->mbi + ((const struct mb2_info *)b->mbi)->total_size;
  unsigned n = 0;
  for (const struct mb2_tag *t = mb2_first(b->mbi); (const u8 *)t < end && t->type != MB2_TAG_END; t = mb2_next(t)) {
    if (t->type != MB2_TAG_MODULE) continue;
    const struct mb2_tag_module *m = (const void *)t;
    kprintf("module %u: 0x%08x-0x%08x %u bytes \"%s\"\n", n++, m->mod_start, m->mod_end, m->mod_end - m->mod_start,
            m->string);
  }
  kprintf("modules: %u\n", n);
  const struct mb2_tag_string *cmd = find_tag(b->mbi, MB2_TAG_CMDLINE);
  kprintf("cmdline: \"%s\"\n", cmd ? cmd->string : "");
  const struct mb2_tag_u64 *st = find_tag(b->mbi, MB2_TAG_EFI64);
  if (st) kprintf("efi: system table 0x%lx, boot services %s\n", st->value, find_tag(b->mbi, MB2_TAG_EFI_BS) ? "kept" : "exited");
}

void kmain(u64 a0, u64 a1, u64 entry_el) {
  struct boot b = {0};
  if (a0 == MB2_BOOTLOADER_MAGIC) {
    b.mbi = (const void *)a1;
    scan_mbi(&b);
  } else if (fdt_check((const void *)a0)) {
    b.fdt = (const void *)a0; /* NOVA's legacy launch: X0 = FDT, X1 = root task ELF */
    b.root = a1;
    b.root_size = USER_LIMIT - USER_BASE;
  } else if (a0 == 0 && fdt_check((const void *)QEMU_VIRT_RAM_BASE)) {
    b.fdt = (const void *)QEMU_VIRT_RAM_BASE;
  }
  console_init(b.fdt, b.rsdp);
  mmu_init();

  kprintf("NOVA-IMAGE REFERENCE KERNEL " KERNEL_VERSION " (aarch64)\n");
  print_boot_line(&b, a0, a1);
  kprintf("cpu: MIDR 0x%lx, entered at EL%lu, kernel runs at EL1, loaded at 0x%lx-0x%lx, MMU on\n",
          READ_SYSREG(midr_el1), entry_el, (u64)__kernel_start, (u64)__kernel_end - 1);
  if (b.mbi) {
    print_memory(&b);
    print_modules(&b);
  }
  if (b.fdt) devtree_summary(b.fdt);
  else kprintf("fdt: none\n");
  if (b.rsdp) acpi_summary(b.rsdp);
  else kprintf("acpi: none\n");
  pci_summary(b.fdt, b.rsdp);
  psci_init(b.fdt, b.rsdp, entry_el);
  if (!b.root) {
    kprintf("root: no root task\n");
    power_off();
  }
  root_start(b.root, b.root_size);
}
