/*
 * The Multiboot2 kernel: its PT_LOAD segments go to p_paddr, or, when its header carries the relocatable
 * tag (10), all shifted by the same multiple of the tag's alignment (NOVA: 2 MiB) until the range is free.
 */
#include "stub.h"

struct kernel_plan kplan;

static void parse_header(const struct payload *k) {
  u64 limit = k->size < 32768 ? k->size : 32768;
  for (u64 off = 0; off + 16 <= limit; off += 8) {
    const struct mb2_header *h = (const void *)(k->data + off);
    if (h->magic != MB2_HEADER_MAGIC) continue;
    if ((u32)(h->magic + h->architecture + h->header_length + h->checksum) != 0) continue;
    if (off + h->header_length > k->size) fatal("kernel: Multiboot2 header at 0x%lx is truncated", off);
    for (u64 t = off + 16; t + 8 <= off + h->header_length;) {
      const struct mb2_htag *tag = (const void *)(k->data + t);
      if (tag->type == MB2_HTAG_END) break;
      if (tag->type == MB2_HTAG_EFI_BS) kplan.keep_boot_services = 1;
      if (tag->type == MB2_HTAG_RELOCATABLE && tag->size >= 24) {
        const struct mb2_header_relocatable *r = (const void *)tag;
        kplan.relocatable = 1;
        kplan.reloc_min = r->min_addr, kplan.reloc_max = r->max_addr, kplan.reloc_align = r->align;
      }
      t += ALIGN_UP(tag->size ? tag->size : 8, 8);
    }
    return;
  }
  fatal("kernel \"%s\" has no Multiboot2 header in its first 32 KiB", k->name);
}

static const struct elf64_phdr *phdr(const struct payload *k, u32 i) {
  const struct elf64_ehdr *eh = (const void *)k->data;
  return (const void *)(k->data + eh->e_phoff + (u64)i * eh->e_phentsize);
}

void kernel_parse(const struct payload *k) {
  if (!k) fatal("the payload catalog has no kernel");
  const struct elf64_ehdr *eh = (const void *)k->data;
  if (k->size < sizeof *eh || *(const u32 *)eh->e_ident != ELF_MAGIC || eh->e_ident[4] != 2 ||
      eh->e_machine != EM_AARCH64)
    fatal("kernel \"%s\" is not an AArch64 ELF64 file", k->name);
  if (eh->e_phoff + (u64)eh->e_phnum * eh->e_phentsize > k->size) fatal("kernel: program headers outside the file");
  parse_header(k);
  kplan.lo = ~0UL;
  kplan.hi = 0;
  for (u32 i = 0; i < eh->e_phnum; i++) {
    const struct elf64_phdr *p = phdr(k, i);
    if (p->p_type != PT_LOAD || !p->p_memsz) continue;
    if (p->p_offset + p->p_filesz > k->size) fatal("kernel: segment %u lies outside the file", i);
    if (p->p_paddr < kplan.lo) kplan.lo = p->p_paddr;
    if (p->p_paddr + p->p_memsz > kplan.hi) kplan.hi = p->p_paddr + p->p_memsz;
    if (eh->e_entry >= p->p_vaddr && eh->e_entry < p->p_vaddr + p->p_memsz) kplan.entry = eh->e_entry - p->p_vaddr + p->p_paddr;
  }
  if (kplan.hi == 0) fatal("kernel: no loadable segment");
  if (!kplan.entry) fatal("kernel: entry 0x%lx is in no segment", eh->e_entry);
  kplan.lo = ALIGN_DOWN(kplan.lo, PAGE);
  kplan.hi = ALIGN_UP(kplan.hi, PAGE);
}

void kernel_place(int (*try_range)(u64 lo, u64 hi)) {
  if (try_range(kplan.lo, kplan.hi)) {
    kplan.shift = 0;
    return;
  }
  if (!kplan.relocatable) fatal("kernel: 0x%lx-0x%lx is not free and the kernel is not relocatable", kplan.lo, kplan.hi);
  u64 align = kplan.reloc_align ? kplan.reloc_align : 0x200000;
  u64 size = kplan.hi - kplan.lo;
  /* Multiples of the alignment, in both directions from the link address, nearest first. */
  for (u64 step = align; step < 0x100000000UL; step += align) {
    u64 up = kplan.lo + step;
    if (up + size - 1 <= kplan.reloc_max && try_range(up, up + size)) {
      kplan.shift = step;
      return;
    }
    if (kplan.lo >= step && kplan.lo - step >= kplan.reloc_min && try_range(kplan.lo - step, kplan.lo - step + size)) {
      kplan.shift = -step;
      return;
    }
  }
  fatal("kernel: no free %lu KiB at a 0x%lx-aligned shift of 0x%lx", size >> 10, align, kplan.lo);
}

void kernel_copy(const struct payload *k) {
  const struct elf64_ehdr *eh = (const void *)k->data;
  for (u32 i = 0; i < eh->e_phnum; i++) {
    const struct elf64_phdr *p = phdr(k, i);
    if (p->p_type != PT_LOAD || !p->p_memsz) continue;
    u8 *dst = (u8 *)(p->p_paddr + kplan.shift);
    memcpy(dst, k->data + p->p_offset, p->p_filesz);
    memset(dst + p->p_filesz, 0, p->p_memsz - p->p_filesz);
  }
}
