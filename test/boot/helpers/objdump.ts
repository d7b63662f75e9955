/**
 * Parses `objdump -p` and `objdump -h` output for PE images: the independent oracle for the PE codec.
 */
import { run } from './toolchain.js';

export interface ObjdumpPe {
  format: string;
  characteristics: number;
  fields: Record<string, string>;
  directories: Array<{ index: number; rva: bigint; size: number }>;
  relocations: Array<{ page: number; fixups: Array<{ offset: number; type: string }> }>;
  sections: Array<{ name: string; size: number; vma: bigint; fileOffset: number }>;
}

export function objdumpPe(path: string): ObjdumpPe {
  const p = run('objdump', ['-p', path]);
  const h = run('objdump', ['-h', path]);
  const format = /file format (\S+)/.exec(p)![1]!;
  const characteristics = parseInt(/^Characteristics 0x([0-9a-f]+)/m.exec(p)![1]!, 16);
  const fields: Record<string, string> = {};
  for (const m of p.matchAll(/^([A-Za-z0-9/]+)\t+(\S+)/gm)) fields[m[1]!] = m[2]!;
  const directories = [...p.matchAll(/^Entry ([0-9a-f]) ([0-9a-f]+) ([0-9a-f]+) /gm)].map((m) => ({
    index: parseInt(m[1]!, 16),
    rva: BigInt(`0x${m[2]}`),
    size: parseInt(m[3]!, 16),
  }));
  const relocations: ObjdumpPe['relocations'] = [];
  for (const line of p.split('\n')) {
    const block = /^Virtual Address: ([0-9a-f]+) Chunk size/.exec(line);
    if (block) relocations.push({ page: parseInt(block[1]!, 16), fixups: [] });
    const fix = /^\s+reloc\s+\d+ offset\s+([0-9a-f]+) \[\s*[0-9a-f]+\] (\S+)/.exec(line);
    if (fix) relocations.at(-1)!.fixups.push({ offset: parseInt(fix[1]!, 16), type: fix[2]! });
  }
  const sections = [...h.matchAll(/^\s+\d+ (\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)/gm)].map((m) => ({
    name: m[1]!,
    size: parseInt(m[2]!, 16),
    vma: BigInt(`0x${m[3]}`),
    fileOffset: parseInt(m[4]!, 16),
  }));
  return { format, characteristics, fields, directories, relocations, sections };
}
