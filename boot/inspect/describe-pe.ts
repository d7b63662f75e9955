/** `inspect` for PE/COFF (UEFI) images. */
import {
  DATA_DIRECTORY_NAMES,
  DIR_SECURITY,
  MACHINE_NAMES,
  SUBSYSTEM_NAMES,
  SCN_MEM_EXECUTE,
  SCN_MEM_READ,
  SCN_MEM_WRITE,
  SCN_MEM_DISCARDABLE,
  readBaseRelocations,
  readPe,
} from '../uefi/pe.js';
import { fact, hex, type Section } from './model.js';

const COFF_FLAGS: ReadonlyArray<readonly [number, string]> = [
  [0x0001, 'RELOCS_STRIPPED'],
  [0x0002, 'EXECUTABLE_IMAGE'],
  [0x0004, 'LINE_NUMS_STRIPPED'],
  [0x0008, 'LOCAL_SYMS_STRIPPED'],
  [0x0020, 'LARGE_ADDRESS_AWARE'],
  [0x0100, '32BIT_MACHINE'],
  [0x0200, 'DEBUG_STRIPPED'],
  [0x2000, 'DLL'],
];
const DLL_FLAGS: ReadonlyArray<readonly [number, string]> = [
  [0x0020, 'HIGH_ENTROPY_VA'],
  [0x0040, 'DYNAMIC_BASE'],
  [0x0080, 'FORCE_INTEGRITY'],
  [0x0100, 'NX_COMPAT'],
];
const names = (v: number, table: ReadonlyArray<readonly [number, string]>) => table.filter(([b]) => v & b).map(([, n]) => n).join(' ');

function sectionFlags(c: number): string {
  return `${c & SCN_MEM_READ ? 'R' : '-'}${c & SCN_MEM_WRITE ? 'W' : '-'}${c & SCN_MEM_EXECUTE ? 'X' : '-'}${c & SCN_MEM_DISCARDABLE ? 'D' : ''}`;
}

export function describePe(bytes: Uint8Array, file: string): { section: Section; format: string } {
  const pe = readPe(bytes, file);
  const o = pe.optional;
  const relocs = readBaseRelocations(pe, bytes);
  const cert = pe.dataDirectories[DIR_SECURITY];
  const facts = [
    fact('peOffset', 'PE header offset', hex(pe.peOffset)),
    fact('machine', 'machine', hex(pe.coff.Machine, 4), `${hex(pe.coff.Machine, 4)} ${MACHINE_NAMES[pe.coff.Machine] ?? 'unknown'}`),
    fact('format', 'optional header', pe.format),
    fact('subsystem', 'subsystem', o.Subsystem, `${o.Subsystem} (${SUBSYSTEM_NAMES[o.Subsystem] ?? 'unknown'})`),
    fact('entryRva', 'entry point', hex(o.AddressOfEntryPoint), `RVA ${hex(o.AddressOfEntryPoint)} (VA ${hex(o.ImageBase + BigInt(o.AddressOfEntryPoint))})`),
    fact('imageBase', 'image base', hex(o.ImageBase)),
    fact('sizeOfImage', 'size of image', hex(o.SizeOfImage)),
    fact('sizeOfHeaders', 'size of headers', hex(o.SizeOfHeaders)),
    fact('alignment', 'section/file alignment', `${hex(o.SectionAlignment)}/${hex(o.FileAlignment)}`),
    fact('characteristics', 'COFF characteristics', hex(pe.coff.Characteristics, 4), `${hex(pe.coff.Characteristics, 4)} ${names(pe.coff.Characteristics, COFF_FLAGS)}`),
    fact('dllCharacteristics', 'DLL characteristics', hex(o.DllCharacteristics, 4), `${hex(o.DllCharacteristics, 4)} ${names(o.DllCharacteristics, DLL_FLAGS)}`.trim()),
    fact('baseRelocations', 'base relocations', relocs.reduce((n, b) => n + b.entries.filter((e) => e.type !== 0).length, 0), `${relocs.reduce((n, b) => n + b.entries.filter((e) => e.type !== 0).length, 0)} fixups in ${relocs.length} blocks`),
    fact('signed', 'Authenticode signature', !!cert && cert.Size > 0, cert && cert.Size > 0 ? `certificate table at file offset ${hex(cert.VirtualAddress)}, ${cert.Size} bytes` : 'none'),
  ];
  const section: Section = {
    id: 'pe',
    title: 'PE/COFF (UEFI image)',
    facts,
    tables: [
      {
        key: 'sections',
        title: 'sections',
        columns: [
          { key: 'name', label: 'name' },
          { key: 'rva', label: 'RVA' },
          { key: 'virtualSize', label: 'virt size' },
          { key: 'fileOffset', label: 'file off' },
          { key: 'fileSize', label: 'file size' },
          { key: 'flags', label: 'flags' },
        ],
        rows: pe.sections.map((s) => ({
          name: s.Name,
          rva: hex(s.VirtualAddress),
          virtualSize: hex(s.VirtualSize),
          fileOffset: hex(s.PointerToRawData),
          fileSize: hex(s.SizeOfRawData),
          flags: sectionFlags(s.Characteristics),
        })),
      },
      {
        key: 'dataDirectories',
        title: 'data directories (non-empty)',
        columns: [
          { key: 'index', label: '#' },
          { key: 'name', label: 'name' },
          { key: 'address', label: 'RVA' },
          { key: 'size', label: 'size' },
        ],
        rows: pe.dataDirectories
          .filter((d) => d.Size > 0)
          .map((d) => ({ index: d.index, name: DATA_DIRECTORY_NAMES[d.index] ?? '?', address: hex(d.VirtualAddress), size: d.Size })),
      },
    ],
  };
  const machine = MACHINE_NAMES[pe.coff.Machine] ?? hex(pe.coff.Machine);
  return { section, format: `${pe.format} ${machine} ${SUBSYSTEM_NAMES[o.Subsystem] ?? `subsystem ${o.Subsystem}`}` };
}
