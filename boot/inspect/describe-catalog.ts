/**
 * `inspect` for the nova-image payload catalog. The format belongs to the loader (loader/catalog.ts); this
 * only shows it and checks every entry's SHA-256 against the bytes it points at.
 */
import { FormatError } from '../../common/errors.js';
import { readCatalog, sha256, verifyCatalog, PayloadType } from '../../loader/catalog.js';
import { ELF_MACHINE_NAMES, ELF_TYPE_NAMES, checkRootTask, readElf } from '../elf/index.js';
import { findMultiboot2Header } from '../multiboot2/header.js';
import { fact, hex, type Problem, type Section } from './model.js';

/** One line on a kernel or root-task payload: its ELF facts, the kernel's Multiboot2 tags, the root-task rules. */
function describePayloadElf(payload: Uint8Array, name: string, type: number, problems: Problem[]): string {
  try {
    const elf = readElf(payload, name);
    const h = elf.header;
    const parts = [`ELF${h.class} ${ELF_TYPE_NAMES[h.type] ?? h.type} ${ELF_MACHINE_NAMES[h.machine] ?? h.machine} entry ${hex(h.entry)}`];
    if (type === PayloadType.KERNEL) {
      const mb2 = findMultiboot2Header(payload, name);
      parts.push(mb2 ? `Multiboot2 tags ${mb2.tags.map((t) => t.type).join(',') || 'none'}` : 'no Multiboot2 header');
    } else {
      checkRootTask(elf);
      parts.push('root-task rules satisfied');
    }
    return parts.join('; ');
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    problems.push({ section: 'catalog', file: e.file, offset: e.offset, field: e.field, rule: e.rule, message: e.message });
    return `invalid: ${e.rule}`;
  }
}

export function describeCatalog(bytes: Uint8Array, file: string): { section: Section; format: string; problems: Problem[] } | undefined {
  const catalog = readCatalog(bytes, file);
  if (!catalog) return undefined;
  const problems: Problem[] = [];
  // Hashes first: a payload that does not match is the root cause, its contents are not examined.
  try {
    verifyCatalog(bytes, file, catalog);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    problems.push({ section: 'catalog', file: e.file, offset: e.offset, field: e.field, rule: e.rule, message: e.message });
  }
  const rows = catalog.entries.map((e) => {
    const payload = bytes.subarray(e.offset, e.offset + e.size);
    const actual = Buffer.from(sha256(payload)).toString('hex');
    const ok = actual === e.sha256;
    const elf = e.type === PayloadType.KERNEL || e.type === PayloadType.ROOT;
    return {
      index: e.index,
      type: e.typeName,
      name: e.name,
      offset: hex(e.offset),
      size: e.size,
      sha256: e.sha256,
      hash: ok ? 'ok' : `MISMATCH (is ${actual})`,
      details: !elf ? '' : ok ? describePayloadElf(payload, `${file}[${e.name}]`, e.type, problems) : 'not examined (hash mismatch)',
    };
  });
  const bad = rows.filter((r) => r.hash !== 'ok').length;
  return {
    section: {
      id: 'catalog',
      title: 'nova-image payload catalog',
      facts: [
        fact('offset', 'file offset', hex(catalog.offset)),
        fact('version', 'version', catalog.version),
        fact('entries', 'entries', catalog.entries.length),
        fact('hashesOk', 'SHA-256 check', bad === 0, bad === 0 ? `all ${rows.length} payloads match` : `${bad} of ${rows.length} payloads do NOT match`),
      ],
      tables: [
        {
          key: 'payloads',
          title: 'payloads',
          columns: [
            { key: 'index', label: '#' },
            { key: 'type', label: 'type' },
            { key: 'name', label: 'name' },
            { key: 'offset', label: 'offset' },
            { key: 'size', label: 'size' },
            { key: 'hash', label: 'sha256 check' },
            { key: 'details', label: 'contents' },
          ],
          rows,
        },
      ],
    },
    format: 'nova-image mono-image (payload catalog)',
    problems,
  };
}
