/**
 * ELF on-disk structures (System V gABI, little-endian), one declarative table each.
 *
 * ELF32 and ELF64 differ in field order as well as width (e.g. p_flags moves), so each class has its own
 * table; the reader widens ELF32 values into the ELF64 shape (addresses, offsets and sizes as bigint).
 */
import { defineStruct } from '../../common/struct.js';

/** e_ident: the 16 bytes every ELF file starts with, identical in both classes. */
export const ElfIdent = defineStruct('e_ident', 16, {
  magic: [0x00, ['bytes', 4]],
  ei_class: [0x04, 'u8'],
  ei_data: [0x05, 'u8'],
  ei_version: [0x06, 'u8'],
  ei_osabi: [0x07, 'u8'],
  ei_abiversion: [0x08, 'u8'],
});

export const Elf32_Ehdr = defineStruct('Elf32_Ehdr', 52, {
  e_type: [0x10, 'u16'],
  e_machine: [0x12, 'u16'],
  e_version: [0x14, 'u32'],
  e_entry: [0x18, 'u32'],
  e_phoff: [0x1c, 'u32'],
  e_shoff: [0x20, 'u32'],
  e_flags: [0x24, 'u32'],
  e_ehsize: [0x28, 'u16'],
  e_phentsize: [0x2a, 'u16'],
  e_phnum: [0x2c, 'u16'],
  e_shentsize: [0x2e, 'u16'],
  e_shnum: [0x30, 'u16'],
  e_shstrndx: [0x32, 'u16'],
});

export const Elf64_Ehdr = defineStruct('Elf64_Ehdr', 64, {
  e_type: [0x10, 'u16'],
  e_machine: [0x12, 'u16'],
  e_version: [0x14, 'u32'],
  e_entry: [0x18, 'u64'],
  e_phoff: [0x20, 'u64'],
  e_shoff: [0x28, 'u64'],
  e_flags: [0x30, 'u32'],
  e_ehsize: [0x34, 'u16'],
  e_phentsize: [0x36, 'u16'],
  e_phnum: [0x38, 'u16'],
  e_shentsize: [0x3a, 'u16'],
  e_shnum: [0x3c, 'u16'],
  e_shstrndx: [0x3e, 'u16'],
});

export const Elf32_Phdr = defineStruct('Elf32_Phdr', 32, {
  p_type: [0x00, 'u32'],
  p_offset: [0x04, 'u32'],
  p_vaddr: [0x08, 'u32'],
  p_paddr: [0x0c, 'u32'],
  p_filesz: [0x10, 'u32'],
  p_memsz: [0x14, 'u32'],
  p_flags: [0x18, 'u32'],
  p_align: [0x1c, 'u32'],
});

export const Elf64_Phdr = defineStruct('Elf64_Phdr', 56, {
  p_type: [0x00, 'u32'],
  p_flags: [0x04, 'u32'],
  p_offset: [0x08, 'u64'],
  p_vaddr: [0x10, 'u64'],
  p_paddr: [0x18, 'u64'],
  p_filesz: [0x20, 'u64'],
  p_memsz: [0x28, 'u64'],
  p_align: [0x30, 'u64'],
});

export const Elf32_Shdr = defineStruct('Elf32_Shdr', 40, {
  sh_name: [0x00, 'u32'],
  sh_type: [0x04, 'u32'],
  sh_flags: [0x08, 'u32'],
  sh_addr: [0x0c, 'u32'],
  sh_offset: [0x10, 'u32'],
  sh_size: [0x14, 'u32'],
  sh_link: [0x18, 'u32'],
  sh_info: [0x1c, 'u32'],
  sh_addralign: [0x20, 'u32'],
  sh_entsize: [0x24, 'u32'],
});

export const Elf64_Shdr = defineStruct('Elf64_Shdr', 64, {
  sh_name: [0x00, 'u32'],
  sh_type: [0x04, 'u32'],
  sh_flags: [0x08, 'u64'],
  sh_addr: [0x10, 'u64'],
  sh_offset: [0x18, 'u64'],
  sh_size: [0x20, 'u64'],
  sh_link: [0x28, 'u32'],
  sh_info: [0x2c, 'u32'],
  sh_addralign: [0x30, 'u64'],
  sh_entsize: [0x38, 'u64'],
});

export const Elf32_Sym = defineStruct('Elf32_Sym', 16, {
  st_name: [0x00, 'u32'],
  st_value: [0x04, 'u32'],
  st_size: [0x08, 'u32'],
  st_info: [0x0c, 'u8'],
  st_other: [0x0d, 'u8'],
  st_shndx: [0x0e, 'u16'],
});

export const Elf64_Sym = defineStruct('Elf64_Sym', 24, {
  st_name: [0x00, 'u32'],
  st_info: [0x04, 'u8'],
  st_other: [0x05, 'u8'],
  st_shndx: [0x06, 'u16'],
  st_value: [0x08, 'u64'],
  st_size: [0x10, 'u64'],
});

/** Note header: the same 12 bytes in both classes. */
export const Elf_Nhdr = defineStruct('Elf_Nhdr', 12, {
  n_namesz: [0x00, 'u32'],
  n_descsz: [0x04, 'u32'],
  n_type: [0x08, 'u32'],
});
