/* ELF64 structures (System V gABI) the kernel and the stub read. */
#pragma once
#include "types.h"

#define ELF_MAGIC 0x464c457fu
#define ET_EXEC 2
#define EM_AARCH64 183
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elf64_ehdr {
  u8 e_ident[16];
  u16 e_type, e_machine;
  u32 e_version;
  u64 e_entry, e_phoff, e_shoff;
  u32 e_flags;
  u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
  u32 p_type, p_flags;
  u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};
