/** `inspect` for ELF files (kernels, root tasks, tboot). */
import { FormatError } from '../../common/errors.js';
import { ELF_MACHINE_NAMES, ELF_TYPE_NAMES, PT_LOAD, PT_NAMES, checkRootTask, readElf } from '../elf/index.js';
import { fact, hex, type Section } from './model.js';

const GNU_NOTES: Readonly<Record<number, string>> = { 1: 'ABI tag', 3: 'build-id', 4: 'gold version', 5: 'property' };

export function describeElf(bytes: Uint8Array, file: string): { section: Section; format: string } {
  const elf = readElf(bytes, file);
  const h = elf.header;
  let rootTask = 'satisfied';
  try {
    checkRootTask(elf);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    rootTask = `broken: ${e.rule}`;
  }
  const machine = ELF_MACHINE_NAMES[h.machine] ?? `machine ${h.machine}`;
  const type = ELF_TYPE_NAMES[h.type] ?? `type ${h.type}`;
  const section: Section = {
    id: 'elf',
    title: 'ELF',
    facts: [
      fact('class', 'class', `ELF${h.class}`),
      fact('type', 'type', type, `${type} (${h.type})`),
      fact('machine', 'machine', h.machine, `${h.machine} (${machine})`),
      fact('entry', 'entry', hex(h.entry)),
      fact('programHeaders', 'program headers', h.phnum, `${h.phnum} at ${hex(h.phoff)}`),
      fact('sections', 'sections', h.shnum, `${h.shnum} at ${hex(h.shoff)}`),
      fact('symbols', 'symbols', elf.symbols.length),
      fact('novaRootTask', 'NOVA root-task rules', rootTask === 'satisfied', rootTask),
    ],
    tables: [
      {
        key: 'segments',
        title: 'segments',
        columns: [
          { key: 'index', label: '#' },
          { key: 'type', label: 'type' },
          { key: 'offset', label: 'offset' },
          { key: 'vaddr', label: 'vaddr' },
          { key: 'paddr', label: 'paddr' },
          { key: 'filesz', label: 'filesz' },
          { key: 'memsz', label: 'memsz' },
          { key: 'flags', label: 'flags' },
        ],
        rows: elf.programHeaders.map((p) => ({
          index: p.index,
          type: PT_NAMES[p.type] ?? hex(p.type),
          offset: hex(p.offset),
          vaddr: hex(p.vaddr),
          paddr: hex(p.paddr),
          filesz: hex(p.filesz),
          memsz: hex(p.memsz),
          flags: `${p.flags & 4 ? 'R' : '-'}${p.flags & 2 ? 'W' : '-'}${p.flags & 1 ? 'X' : '-'}`,
        })),
      },
      {
        key: 'notes',
        title: 'notes',
        columns: [
          { key: 'source', label: 'source' },
          { key: 'owner', label: 'owner' },
          { key: 'type', label: 'type' },
          { key: 'desc', label: 'description' },
        ],
        rows: elf.notes.map((n) => ({
          source: n.source,
          owner: n.name,
          type: n.name === 'GNU' && GNU_NOTES[n.type] ? `${n.type} (${GNU_NOTES[n.type]})` : String(n.type),
          desc: n.desc.length <= 32 ? Buffer.from(n.desc).toString('hex') : `${n.desc.length} bytes`,
        })),
      },
    ],
  };
  const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD).length;
  return { section, format: `ELF${h.class} ${type} ${machine} (${loads} PT_LOAD)` };
}
