/** ELF constants (System V gABI and the processor supplements) used by the reader, checks and `inspect`. */

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const; // "\x7fELF"

export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;

export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const EM_386 = 3;
export const EM_X86_64 = 62;
export const EM_ARM = 40;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;

export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_SHLIB = 5;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_EH_FRAME = 0x6474e550;
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;
export const PT_GNU_PROPERTY = 0x6474e553;

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_TLS = 6;

/** Names for display (inspect) in the spelling readelf uses. */
export const ELF_TYPE_NAMES: Readonly<Record<number, string>> = {
  [ET_NONE]: 'NONE',
  [ET_REL]: 'REL',
  [ET_EXEC]: 'EXEC',
  [ET_DYN]: 'DYN',
  [ET_CORE]: 'CORE',
};

export const ELF_MACHINE_NAMES: Readonly<Record<number, string>> = {
  [EM_386]: 'Intel 80386',
  [EM_X86_64]: 'Advanced Micro Devices X86-64',
  [EM_ARM]: 'ARM',
  [EM_AARCH64]: 'AArch64',
  [EM_RISCV]: 'RISC-V',
};

export const PT_NAMES: Readonly<Record<number, string>> = {
  [PT_NULL]: 'NULL',
  [PT_LOAD]: 'LOAD',
  [PT_DYNAMIC]: 'DYNAMIC',
  [PT_INTERP]: 'INTERP',
  [PT_NOTE]: 'NOTE',
  [PT_SHLIB]: 'SHLIB',
  [PT_PHDR]: 'PHDR',
  [PT_TLS]: 'TLS',
  [PT_GNU_EH_FRAME]: 'GNU_EH_FRAME',
  [PT_GNU_STACK]: 'GNU_STACK',
  [PT_GNU_RELRO]: 'GNU_RELRO',
  [PT_GNU_PROPERTY]: 'GNU_PROPERTY',
};

export const SHT_NAMES: Readonly<Record<number, string>> = {
  [SHT_NULL]: 'NULL',
  [SHT_PROGBITS]: 'PROGBITS',
  [SHT_SYMTAB]: 'SYMTAB',
  [SHT_STRTAB]: 'STRTAB',
  [SHT_RELA]: 'RELA',
  [SHT_HASH]: 'HASH',
  [SHT_DYNAMIC]: 'DYNAMIC',
  [SHT_NOTE]: 'NOTE',
  [SHT_NOBITS]: 'NOBITS',
  [SHT_REL]: 'REL',
  [SHT_DYNSYM]: 'DYNSYM',
};
