/*
 * Starts the root task: an ET_EXEC AArch64 ELF obeying NOVA's root rules (p_filesz == p_memsz and
 * p_vaddr == p_offset mod 4 KiB for every PT_LOAD), so every page is mapped where the loader put the file.
 */
#include "kernel.h"
#include "lib/elf64.h"

static u8 user_stack[4096] __attribute__((aligned(4096)));

static void __attribute__((noreturn)) refuse(const char *why, u64 index) {
  kprintf("root: refused: %s (segment %lu)\n", why, index);
  power_off();
}

void root_start(u64 elf, u64 size) {
  const struct elf64_ehdr *eh = (const void *)elf;
  if (size < sizeof *eh || *(const u32 *)eh->e_ident != ELF_MAGIC || eh->e_ident[4] != 2)
    refuse("not an ELF64 image", 0);
  if (eh->e_type != ET_EXEC || eh->e_machine != EM_AARCH64) refuse("not an AArch64 ET_EXEC", 0);
  if (eh->e_phoff + (u64)eh->e_phnum * sizeof(struct elf64_phdr) > size) refuse("program headers outside module", 0);
  unsigned mapped = 0;
  for (u64 i = 0; i < eh->e_phnum; i++) {
    const struct elf64_phdr *ph = (const void *)(elf + eh->e_phoff + i * sizeof *ph);
    if (ph->p_type != PT_LOAD) continue;
    if (ph->p_filesz != ph->p_memsz) refuse("p_filesz != p_memsz", i);
    if ((ph->p_vaddr ^ ph->p_offset) & 0xfff) refuse("p_vaddr not congruent to p_offset mod 4 KiB", i);
    if (ph->p_offset + ph->p_filesz > size) refuse("segment outside module", i);
    u64 first = ALIGN_DOWN(ph->p_vaddr, 4096), last = ALIGN_UP(ph->p_vaddr + ph->p_memsz, 4096);
    if (first < USER_BASE || last > USER_STACK_TOP - 4096) refuse("segment outside the user window", i);
    for (u64 va = first; va < last; va += 4096)
      mmu_map_user(va, elf + ALIGN_DOWN(ph->p_offset, 4096) + (va - first), ph->p_flags & PF_W, ph->p_flags & PF_X);
    mapped++;
  }
  mmu_map_user(USER_STACK_TOP - 4096, (u64)user_stack, 1, 0);
  mmu_flush();
  kprintf("root: ELF at 0x%lx, entry 0x%lx, %u segments mapped in place, starting at EL0\n", elf, eh->e_entry, mapped);
  enter_el0(eh->e_entry, USER_STACK_TOP);
  for (;;) {
  }
}
