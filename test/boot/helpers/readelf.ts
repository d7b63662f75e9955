/**
 * Parses `readelf -h -l -S -s --wide` output: the independent oracle our ELF reader is checked against.
 */
import { run } from './toolchain.js';

export interface ReadelfSection {
  index: number;
  name: string;
  type: string;
  addr: bigint;
  offset: bigint;
  size: bigint;
  entsize: bigint;
  flags: string;
  link: number;
  info: number;
  align: bigint;
}
export interface ReadelfSegment {
  type: string;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  flags: string;
  align: bigint;
}
export interface ReadelfSymbol {
  table: string;
  index: number;
  value: bigint;
  size: bigint;
  type: string;
  bind: string;
  vis: string;
  ndx: string;
  name: string;
}
export interface Readelf {
  header: Record<string, string>;
  sections: ReadelfSection[];
  segments: ReadelfSegment[];
  symbols: ReadelfSymbol[];
}

const hexBig = (s: string) => BigInt(s.startsWith('0x') ? s : `0x${s}`);

export function readelf(path: string): Readelf {
  const text = run('readelf', ['-h', '-l', '-S', '-s', '--wide', path]);
  const header: Record<string, string> = {};
  const sections: ReadelfSection[] = [];
  const segments: ReadelfSegment[] = [];
  const symbols: ReadelfSymbol[] = [];
  let mode: 'header' | 'sections' | 'segments' | 'symbols' | 'none' = 'none';
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('ELF Header:')) mode = 'header';
    else if (line.startsWith('Section Headers:')) mode = 'sections';
    else if (line.startsWith('Program Headers:')) mode = 'segments';
    else if (line.startsWith(' Section to Segment mapping')) mode = 'none';
    else if (line.startsWith('Symbol table')) {
      mode = 'symbols';
      table = /'([^']+)'/.exec(line)![1]!;
    } else if (mode === 'header') {
      const m = /^\s+([^:]+):\s+(.*)$/.exec(line);
      if (m) header[m[1]!.trim()] = m[2]!.trim();
    } else if (mode === 'sections') {
      const m = /^\s+\[\s*(\d+)\]\s(.*)$/.exec(line);
      if (!m) continue;
      const tokens = m[2]!.trim().split(/\s+/);
      const index = Number(m[1]);
      // name type addr off size es [flg] lk inf al; section 0 has neither name nor flags.
      if (index === 0) tokens.unshift('');
      if (tokens.length === 9) tokens.splice(6, 0, '');
      const [name, type, addr, off, size, es, flg, lk, inf, al] = tokens as [string, string, string, string, string, string, string, string, string, string];
      sections.push({
        index,
        name,
        type,
        addr: hexBig(addr),
        offset: hexBig(off),
        size: hexBig(size),
        entsize: hexBig(es),
        flags: flg,
        link: Number(lk),
        info: Number(inf),
        align: BigInt(al),
      });
    } else if (mode === 'segments') {
      const m = /^\s+(\S+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s(.{3})\s(0x[0-9a-f]+)\s*$/.exec(line);
      if (!m) continue;
      segments.push({
        type: m[1]!,
        offset: hexBig(m[2]!),
        vaddr: hexBig(m[3]!),
        paddr: hexBig(m[4]!),
        filesz: hexBig(m[5]!),
        memsz: hexBig(m[6]!),
        flags: m[7]!,
        align: hexBig(m[8]!),
      });
    } else if (mode === 'symbols') {
      const m = /^\s+(\d+):\s+([0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/.exec(line);
      if (!m) continue;
      const sizeText = m[3]!;
      symbols.push({
        table,
        index: Number(m[1]),
        value: hexBig(m[2]!),
        size: sizeText.startsWith('0x') ? BigInt(sizeText) : BigInt(sizeText),
        type: m[4]!,
        bind: m[5]!,
        vis: m[6]!,
        ndx: m[7]!,
        name: m[8]!.replace(/@.*$/, '').trim(),
      });
    }
  }
  return { header, sections, segments, symbols };
}
