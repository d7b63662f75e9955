/*
 * The Multiboot2 information for the kernel, in GRUB's tag order: 1 command line, 2 loader name, 3 modules
 * (root task first, further modules, then the devicetree as a module named "fdt"), 4, 6 memory map,
 * 14/15 ACPI, 21 load base, and on UEFI 12, 20 and 17 (map at ExitBootServices) or 18 (boot services kept).
 */
#include "stub.h"

struct writer { u8 *buf; usize cap, len; };

static u8 *tag(struct writer *w, u32 type, usize payload) {
  usize size = 8 + payload;
  if (w->len + ALIGN_UP(size, 8) > w->cap) fatal("Multiboot2 information does not fit in %lu bytes", w->cap);
  u8 *t = w->buf + w->len;
  memset(t, 0, ALIGN_UP(size, 8));
  ((u32 *)t)[0] = type;
  ((u32 *)t)[1] = (u32)size;
  w->len += ALIGN_UP(size, 8);
  return t + 8;
}

static void tag_string(struct writer *w, u32 type, const char *s) { memcpy(tag(w, type, strlen(s) + 1), s, strlen(s)); }

static void module(struct writer *w, u64 start, u64 size, const char *name) {
  if (start + size > 0x100000000UL) fatal("module \"%s\" lies above 4 GiB at 0x%lx", name, start);
  u8 *t = tag(w, MB2_TAG_MODULE, 8 + strlen(name) + 1);
  ((u32 *)t)[0] = (u32)start;
  ((u32 *)t)[1] = (u32)(start + size);
  memcpy(t + 8, name, strlen(name));
}

/* GRUB's mapping of UEFI memory types to Multiboot2 ones. */
static u32 efi_to_mb2(u32 efi_type) {
  switch (efi_type) {
    case 1: case 2: case 3: case 4: case 7: return MB2_MEM_AVAILABLE; /* loader/boot services code+data, conventional */
    case 9: return MB2_MEM_ACPI;
    case 10: return MB2_MEM_NVS;
    case 8: return MB2_MEM_BAD;
    default: return MB2_MEM_RESERVED;
  }
}

static void mmap_entry(struct writer *w, u64 addr, u64 len, u32 type) {
  if (w->len + 24 > w->cap) fatal("Multiboot2 memory map does not fit in %lu bytes", w->cap);
  struct mb2_mmap_entry e = {addr, len, type, 0};
  memcpy(w->buf + w->len, &e, sizeof e);
  w->len += sizeof e;
}

static void tag_mmap(struct writer *w, const struct efi_map *efi) {
  usize start = w->len;
  if (start + 16 > w->cap) fatal("Multiboot2 information does not fit in %lu bytes", w->cap);
  w->len += 16;
  if (efi) {
    for (u64 off = 0; off + efi->desc_size <= efi->size; off += efi->desc_size) {
      const u8 *d = efi->map + off;
      mmap_entry(w, *(const u64 *)(d + 8), *(const u64 *)(d + 24) << 12, efi_to_mb2(*(const u32 *)d));
    }
  } else {
    for (u32 i = 0; i < facts.ram_count; i++)
      mmap_entry(w, facts.ram[i].lo, facts.ram[i].hi - facts.ram[i].lo, MB2_MEM_AVAILABLE);
  }
  /* 16-byte header + 24-byte entries: the tag ends 8-byte aligned by construction. */
  struct mb2_tag_mmap h = {MB2_TAG_MMAP, (u32)(w->len - start), 24, 0};
  memcpy(w->buf + start, &h, sizeof h);
}

usize mbi_build(u8 *buf, usize cap, const void *fdt_copy, u64 fdt_size, const struct efi_map *efi, int bs_kept) {
  struct writer w = {buf, cap, 8};

  static char cmdline[4096];
  cmdline[0] = 0;
  const struct payload *c = find_payload(CAT_CMDLINE);
  if (c) append(cmdline, sizeof cmdline, (const char *)c->data, c->size);
  if (facts.cmdline[0]) {
    if (cmdline[0]) append(cmdline, sizeof cmdline, " ", 1);
    append(cmdline, sizeof cmdline, facts.cmdline, sizeof facts.cmdline);
  }
  tag_string(&w, MB2_TAG_CMDLINE, cmdline);

  static char name[160];
  name[0] = 0;
  append(name, sizeof name, "nova-image/", 11);
  append(name, sizeof name, path_name(facts.path), 16);
  append(name, sizeof name, " via ", 5);
  append(name, sizeof name, facts.original_loader, sizeof facts.original_loader);
  tag_string(&w, MB2_TAG_LOADER_NAME, name);

  /* Root task and modules stay where they are in the image: the composer page-aligned them. */
  for (int pass = 0; pass < 2; pass++)
    for (u32 i = 0; i < payload_count; i++) {
      const struct payload *p = &payloads[i];
      if (p->type == (pass == 0 ? CAT_ROOT : CAT_MODULE)) module(&w, (u64)p->data, p->size, p->name);
    }
  if (fdt_copy) module(&w, (u64)fdt_copy, fdt_size, "fdt");

  tag_mmap(&w, efi);

  if (facts.rsdp_length) {
    memcpy(tag(&w, MB2_TAG_ACPI_OLD, 20), facts.rsdp, 20);
    if (facts.rsdp_length == 36) memcpy(tag(&w, MB2_TAG_ACPI_NEW, 36), facts.rsdp, 36);
  }
  *(u32 *)tag(&w, MB2_TAG_LOAD_BASE, 4) = (u32)(kplan.lo + kplan.shift);

  if (facts.efi_system_table) {
    *(u64 *)tag(&w, MB2_TAG_EFI64, 8) = facts.efi_system_table;
    *(u64 *)tag(&w, MB2_TAG_EFI64_IH, 8) = facts.efi_image_handle;
    if (bs_kept) {
      tag(&w, MB2_TAG_EFI_BS, 0);
    } else if (efi) {
      u8 *t = tag(&w, MB2_TAG_EFI_MMAP, 8 + efi->size);
      ((u32 *)t)[0] = (u32)efi->desc_size;
      ((u32 *)t)[1] = efi->desc_version;
      memcpy(t + 8, efi->map, efi->size);
    }
  }
  tag(&w, MB2_TAG_END, 0);
  ((u32 *)buf)[0] = (u32)w.len;
  ((u32 *)buf)[1] = 0;
  return w.len;
}
