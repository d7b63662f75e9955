/**
 * NOVA's root-task rules. NOVA maps the first module in place instead of loading it, so the file image must
 * already be the memory image: an ET_EXEC whose every PT_LOAD has p_filesz == p_memsz (no .bss to zero)
 * and p_vaddr congruent to p_offset modulo 4 KiB (each page of the file lands on the page it maps).
 */
import { hex } from '../../common/struct.js';
import { ET_EXEC, ELF_TYPE_NAMES, PT_LOAD } from './constants.js';
import { RootTaskError } from './errors.js';
import { Elf32_Ehdr, Elf64_Ehdr, Elf32_Phdr, Elf64_Phdr } from './structs.js';
import type { ElfFile } from './types.js';

const PAGE = 0x1000n;

export function checkRootTask(elf: ElfFile): void {
  const ehdr = elf.header.class === 64 ? Elf64_Ehdr : Elf32_Ehdr;
  const phdr = elf.header.class === 64 ? Elf64_Phdr : Elf32_Phdr;
  if (elf.header.type !== ET_EXEC) {
    throw new RootTaskError(
      elf.file,
      ehdr.offsetOf('e_type'),
      `${ehdr.name}.e_type`,
      `root task must be ET_EXEC (2), found ${ELF_TYPE_NAMES[elf.header.type] ?? elf.header.type} (${elf.header.type})`,
      -1,
    );
  }
  for (const p of elf.programHeaders) {
    if (p.type !== PT_LOAD) continue;
    const where = `segment ${p.index} (program header at ${hex(p.headerOffset)})`;
    if (p.filesz !== p.memsz) {
      throw new RootTaskError(
        elf.file,
        p.headerOffset,
        `${phdr.name}[${p.index}].p_filesz`,
        `${where}: rule p_filesz == p_memsz broken: p_filesz ${hex(p.filesz)}, p_memsz ${hex(p.memsz)} (e.g. .bss must be in the file)`,
        p.index,
      );
    }
    if (p.vaddr % PAGE !== p.offset % PAGE) {
      throw new RootTaskError(
        elf.file,
        p.headerOffset,
        `${phdr.name}[${p.index}].p_vaddr`,
        `${where}: rule p_vaddr ≡ p_offset (mod 4 KiB) broken: p_vaddr ${hex(p.vaddr)}, p_offset ${hex(p.offset)}`,
        p.index,
      );
    }
  }
}
