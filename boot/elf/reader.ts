/**
 * ELF32/ELF64 little-endian reader: header, program headers, section headers with names, symbol tables
 * (.symtab, .dynsym) and notes. Every table and offset is range-checked against the file before use; a
 * violation throws ElfError naming the file, the offset of the offending field and the field.
 */
import { FormatError } from '../../common/errors.js';
import { type Struct, type FieldTable, type StructValue, viewOf, hex } from '../../common/struct.js';
import {
  ELF_MAGIC,
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  EV_CURRENT,
  PT_LOAD,
  PT_NOTE,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_NOBITS,
  SHT_NOTE,
  SHT_SYMTAB,
} from './constants.js';
import { ElfError } from './errors.js';
import {
  ElfIdent,
  Elf32_Ehdr,
  Elf64_Ehdr,
  Elf32_Phdr,
  Elf64_Phdr,
  Elf32_Shdr,
  Elf64_Shdr,
  Elf32_Sym,
  Elf64_Sym,
  Elf_Nhdr,
} from './structs.js';
import type { ElfFile, ElfHeader, ElfNote, ElfProgramHeader, ElfSection, ElfSymbol } from './types.js';

/** The per-class structure tables; the reader is otherwise class-independent. */
const CLASS_TABLES = {
  32: { ehdr: Elf32_Ehdr, phdr: Elf32_Phdr, shdr: Elf32_Shdr, sym: Elf32_Sym },
  64: { ehdr: Elf64_Ehdr, phdr: Elf64_Phdr, shdr: Elf64_Shdr, sym: Elf64_Sym },
} as const;

const big = (v: number | bigint): bigint => (typeof v === 'bigint' ? v : BigInt(v));

/** Reads a structure; a truncation becomes an ElfError (same file, offset and field). */
function readStruct<F extends FieldTable>(struct: Struct<F>, view: DataView, base: number, file: string): StructValue<F> {
  try {
    return struct.read(view, base, file);
  } catch (e) {
    if (e instanceof FormatError && !(e instanceof ElfError)) throw new ElfError(e.file, e.offset, e.field, e.rule);
    throw e;
  }
}

export function readElf(bytes: Uint8Array, file: string): ElfFile {
  const view = viewOf(bytes);
  const size = BigInt(bytes.length);
  const ident = readStruct(ElfIdent, view, 0, file);
  if (!ELF_MAGIC.every((b, i) => ident.magic[i] === b)) {
    throw new ElfError(file, 0, 'e_ident.EI_MAG', `bad magic ${Buffer.from(ident.magic).toString('hex')}, expected 7f454c46`);
  }
  if (ident.ei_class !== ELFCLASS32 && ident.ei_class !== ELFCLASS64) {
    throw new ElfError(file, 4, 'e_ident.EI_CLASS', `bad class ${ident.ei_class}, expected 1 (ELF32) or 2 (ELF64)`);
  }
  if (ident.ei_data !== ELFDATA2LSB) {
    throw new ElfError(file, 5, 'e_ident.EI_DATA', `data encoding ${ident.ei_data} not supported, only 1 (little-endian)`);
  }
  if (ident.ei_version !== EV_CURRENT) {
    throw new ElfError(file, 6, 'e_ident.EI_VERSION', `bad version ${ident.ei_version}, expected 1`);
  }
  const cls = ident.ei_class === ELFCLASS32 ? 32 : 64;
  const t = CLASS_TABLES[cls];
  const ehdrName = t.ehdr.name;
  const eh = readStruct(t.ehdr as Struct<typeof Elf64_Ehdr.fields | typeof Elf32_Ehdr.fields>, view, 0, file);

  /** Throws unless [start, start+length) lies inside the file; `at`/`field` point at the value that said so. */
  const inFile = (start: bigint, length: bigint, at: number, field: string, what: string): number => {
    if (start < 0n || length < 0n || start + length > size) {
      throw new ElfError(file, at, field, `${what} ${hex(start)}+${hex(length)} extends past end of file (size ${hex(size)})`);
    }
    return Number(start);
  };

  // Program headers.
  const phoff = big(eh.e_phoff);
  const programHeaders: ElfProgramHeader[] = [];
  if (eh.e_phnum > 0) {
    if (eh.e_phentsize !== t.phdr.size) {
      throw new ElfError(file, t.ehdr.offsetOf('e_phentsize'), `${ehdrName}.e_phentsize`, `is ${eh.e_phentsize}, expected ${t.phdr.size}`);
    }
    const base = inFile(phoff, BigInt(eh.e_phnum * t.phdr.size), t.ehdr.offsetOf('e_phoff'), `${ehdrName}.e_phoff`, 'program header table');
    for (let i = 0; i < eh.e_phnum; i++) {
      const at = base + i * t.phdr.size;
      const p = readStruct(t.phdr as Struct<typeof Elf64_Phdr.fields | typeof Elf32_Phdr.fields>, view, at, file);
      const ph: ElfProgramHeader = {
        index: i,
        headerOffset: at,
        type: p.p_type,
        flags: p.p_flags,
        offset: big(p.p_offset),
        vaddr: big(p.p_vaddr),
        paddr: big(p.p_paddr),
        filesz: big(p.p_filesz),
        memsz: big(p.p_memsz),
        align: big(p.p_align),
      };
      const field = `${t.phdr.name}[${i}]`;
      if (ph.filesz > 0n) inFile(ph.offset, ph.filesz, at + t.phdr.offsetOf('p_offset'), `${field}.p_offset`, `segment ${i} file range`);
      if (ph.type === PT_LOAD && ph.filesz > ph.memsz) {
        throw new ElfError(file, at + t.phdr.offsetOf('p_filesz'), `${field}.p_filesz`, `${hex(ph.filesz)} exceeds p_memsz ${hex(ph.memsz)}`);
      }
      programHeaders.push(ph);
    }
  }

  // Section headers; e_shnum == 0 / e_shstrndx == SHN_XINDEX mean the real values live in section 0.
  const shoff = big(eh.e_shoff);
  let shnum = eh.e_shnum;
  let shstrndx = eh.e_shstrndx;
  const sections: ElfSection[] = [];
  const rawSections: Array<StructValue<typeof Elf64_Shdr.fields | typeof Elf32_Shdr.fields>> = [];
  if (shoff !== 0n) {
    if (eh.e_shentsize !== t.shdr.size) {
      throw new ElfError(file, t.ehdr.offsetOf('e_shentsize'), `${ehdrName}.e_shentsize`, `is ${eh.e_shentsize}, expected ${t.shdr.size}`);
    }
    const shdr = t.shdr as Struct<typeof Elf64_Shdr.fields | typeof Elf32_Shdr.fields>;
    const base0 = inFile(shoff, BigInt(t.shdr.size), t.ehdr.offsetOf('e_shoff'), `${ehdrName}.e_shoff`, 'section header table');
    if (shnum === 0 || shstrndx === SHN_XINDEX) {
      const s0 = readStruct(shdr, view, base0, file);
      if (shnum === 0) shnum = Number(s0.sh_size);
      if (shstrndx === SHN_XINDEX) shstrndx = s0.sh_link;
    }
    const base = inFile(shoff, BigInt(shnum) * BigInt(t.shdr.size), t.ehdr.offsetOf('e_shoff'), `${ehdrName}.e_shoff`, 'section header table');
    for (let i = 0; i < shnum; i++) {
      const at = base + i * t.shdr.size;
      const s = readStruct(shdr, view, at, file);
      const sOff = big(s.sh_offset);
      const sSize = big(s.sh_size);
      if (s.sh_type !== SHT_NOBITS && sSize > 0n) {
        inFile(sOff, sSize, at + t.shdr.offsetOf('sh_offset'), `${t.shdr.name}[${i}].sh_offset`, `section ${i} file range`);
      }
      rawSections.push(s);
    }
    if (shnum > 0 && shstrndx >= shnum) {
      throw new ElfError(file, t.ehdr.offsetOf('e_shstrndx'), `${ehdrName}.e_shstrndx`, `section ${shstrndx} does not exist (${shnum} sections)`);
    }
    const strtab = shnum > 0 ? rawSections[shstrndx]! : undefined;
    rawSections.forEach((s, i) => {
      const at = base + i * t.shdr.size;
      const name =
        strtab && shstrndx !== 0
          ? stringAt(bytes, file, strtab, s.sh_name, at + t.shdr.offsetOf('sh_name'), `${t.shdr.name}[${i}].sh_name`)
          : '';
      sections.push({
        index: i,
        headerOffset: at,
        name,
        nameOffset: s.sh_name,
        type: s.sh_type,
        flags: big(s.sh_flags),
        addr: big(s.sh_addr),
        offset: big(s.sh_offset),
        size: big(s.sh_size),
        link: s.sh_link,
        info: s.sh_info,
        addralign: big(s.sh_addralign),
        entsize: big(s.sh_entsize),
      });
    });
  }

  const header: ElfHeader = {
    class: cls,
    osabi: ident.ei_osabi,
    abiversion: ident.ei_abiversion,
    type: eh.e_type,
    machine: eh.e_machine,
    version: eh.e_version,
    entry: big(eh.e_entry),
    phoff,
    shoff,
    flags: eh.e_flags,
    ehsize: eh.e_ehsize,
    phentsize: eh.e_phentsize,
    phnum: eh.e_phnum,
    shentsize: eh.e_shentsize,
    shnum,
    shstrndx,
  };

  const symbols = readSymbols(bytes, file, cls, sections);
  const notes = readNotes(bytes, file, sections, programHeaders);
  return { file, bytes, header, programHeaders, sections, symbols, notes };
}

/** A NUL-terminated string at `index` inside string-table section `strtab`. */
function stringAt(
  bytes: Uint8Array,
  file: string,
  strtab: { sh_offset: number | bigint; sh_size: number | bigint },
  index: number,
  at: number,
  field: string,
): string {
  const start = Number(strtab.sh_offset);
  const length = Number(strtab.sh_size);
  if (index >= length) {
    throw new ElfError(file, at, field, `string index ${hex(index)} outside string table of ${hex(length)} bytes`);
  }
  const tableBytes = bytes.subarray(start, start + length);
  let end = tableBytes.indexOf(0, index);
  if (end < 0) throw new ElfError(file, at, field, `string at ${hex(start + index)} is not NUL-terminated`);
  return Buffer.from(tableBytes.subarray(index, end)).toString('latin1');
}

function readSymbols(bytes: Uint8Array, file: string, cls: 32 | 64, sections: readonly ElfSection[]): ElfSymbol[] {
  const view = viewOf(bytes);
  const sym = CLASS_TABLES[cls].sym as Struct<typeof Elf64_Sym.fields | typeof Elf32_Sym.fields>;
  const shdr = CLASS_TABLES[cls].shdr;
  const out: ElfSymbol[] = [];
  for (const s of sections) {
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
    if (s.entsize !== BigInt(sym.size)) {
      throw new ElfError(file, s.headerOffset + shdr.offsetOf('sh_entsize'), `${shdr.name}[${s.index}].sh_entsize`, `symbol entry size ${s.entsize}, expected ${sym.size}`);
    }
    const strtab = sections[s.link];
    if (!strtab) {
      throw new ElfError(file, s.headerOffset + shdr.offsetOf('sh_link'), `${shdr.name}[${s.index}].sh_link`, `string table section ${s.link} does not exist`);
    }
    const rawStrtab = { sh_offset: strtab.offset, sh_size: strtab.size };
    const count = Number(s.size / BigInt(sym.size));
    for (let i = 0; i < count; i++) {
      const at = Number(s.offset) + i * sym.size;
      const v = readStruct(sym, view, at, file);
      out.push({
        table: s.name,
        index: i,
        name: stringAt(bytes, file, rawStrtab, v.st_name, at + sym.offsetOf('st_name'), `${s.name}[${i}].st_name`),
        value: big(v.st_value),
        size: big(v.st_size),
        bind: v.st_info >> 4,
        type: v.st_info & 0xf,
        visibility: v.st_other & 3,
        shndx: v.st_shndx,
      });
    }
  }
  return out;
}

/**
 * Notes come from SHT_NOTE sections; a file without section headers (stripped kernels) is read through its
 * PT_NOTE segments instead. Entries are padded to the container's alignment (4, or 8 for 8-aligned notes
 * such as .note.gnu.property on ELF64).
 */
function readNotes(bytes: Uint8Array, file: string, sections: readonly ElfSection[], phdrs: readonly ElfProgramHeader[]): ElfNote[] {
  const containers = sections.some((s) => s.type === SHT_NOTE)
    ? sections.filter((s) => s.type === SHT_NOTE).map((s) => ({ source: s.name, offset: s.offset, size: s.size, align: s.addralign }))
    : phdrs.filter((p) => p.type === PT_NOTE).map((p) => ({ source: `PT_NOTE[${p.index}]`, offset: p.offset, size: p.filesz, align: p.align }));
  const view = viewOf(bytes);
  const out: ElfNote[] = [];
  for (const c of containers) {
    const align = c.align === 8n ? 8 : 4;
    const start = Number(c.offset);
    const end = start + Number(c.size);
    const pad = (n: number) => Math.ceil(n / align) * align;
    let at = start;
    while (at + Elf_Nhdr.size <= end) {
      const n = readStruct(Elf_Nhdr, view, at, file);
      const nameAt = at + Elf_Nhdr.size;
      const descAt = nameAt + pad(n.n_namesz);
      const next = descAt + pad(n.n_descsz);
      if (descAt + n.n_descsz > end) {
        throw new ElfError(file, at, `${c.source}: Elf_Nhdr.n_descsz`, `note of ${n.n_namesz}+${n.n_descsz} bytes overruns its container ending at ${hex(end)}`);
      }
      let name = Buffer.from(bytes.subarray(nameAt, nameAt + n.n_namesz)).toString('latin1');
      if (name.endsWith('\0')) name = name.slice(0, -1);
      out.push({ source: c.source, offset: at, name, type: n.n_type, desc: bytes.slice(descAt, descAt + n.n_descsz) });
      at = next;
    }
  }
  return out;
}
