/**
 * The decoded, class-independent view of an ELF file. ELF32 values are widened into the ELF64 shape:
 * addresses, offsets, sizes and section flags are bigint so a higher-half ELF64 address keeps every bit.
 */
export interface ElfHeader {
  readonly class: 32 | 64;
  readonly osabi: number;
  readonly abiversion: number;
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  readonly entry: bigint;
  readonly phoff: bigint;
  readonly shoff: bigint;
  readonly flags: number;
  readonly ehsize: number;
  readonly phentsize: number;
  /** Number of program headers (e_phnum). */
  readonly phnum: number;
  readonly shentsize: number;
  /** Number of section headers, resolved through section 0 when e_shnum is 0 (extended numbering). */
  readonly shnum: number;
  /** Section-name string table index, resolved through section 0 when e_shstrndx is SHN_XINDEX. */
  readonly shstrndx: number;
}

export interface ElfProgramHeader {
  readonly index: number;
  /** File offset of this program header (for error messages that point at it). */
  readonly headerOffset: number;
  readonly type: number;
  readonly flags: number;
  readonly offset: bigint;
  readonly vaddr: bigint;
  readonly paddr: bigint;
  readonly filesz: bigint;
  readonly memsz: bigint;
  readonly align: bigint;
}

export interface ElfSection {
  readonly index: number;
  readonly headerOffset: number;
  readonly name: string;
  readonly nameOffset: number;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: bigint;
  readonly size: bigint;
  readonly link: number;
  readonly info: number;
  readonly addralign: bigint;
  readonly entsize: bigint;
}

export interface ElfSymbol {
  /** Name of the symbol table section it came from (.symtab, .dynsym). */
  readonly table: string;
  /** Index inside that table. */
  readonly index: number;
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
  readonly bind: number;
  readonly type: number;
  readonly visibility: number;
  readonly shndx: number;
}

export interface ElfNote {
  /** Section name (e.g. .note.gnu.build-id) or `PT_NOTE[i]` when read through a segment. */
  readonly source: string;
  /** File offset of the note header. */
  readonly offset: number;
  readonly name: string;
  readonly type: number;
  readonly desc: Uint8Array;
}

export interface ElfFile {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly programHeaders: readonly ElfProgramHeader[];
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  readonly notes: readonly ElfNote[];
}
