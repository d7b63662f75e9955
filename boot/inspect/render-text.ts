/** Human-readable rendering of an Inspection (the JSON rendering is the object itself). */
import type { FactValue, Inspection, Section, Table } from './model.js';

const show = (v: FactValue) => (v === null ? '-' : String(v));

function renderTable(t: Table, indent: string): string[] {
  if (t.rows.length === 0) return [`${indent}${t.title}: none`];
  const widths = t.columns.map((c) => Math.max(c.label.length, ...t.rows.map((r) => show(r[c.key] ?? null).length)));
  const line = (cells: string[]) => `${indent}  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [`${indent}${t.title}:`, line(t.columns.map((c) => c.label)), ...t.rows.map((r) => line(t.columns.map((c) => show(r[c.key] ?? null))))];
}

function renderSection(s: Section): string[] {
  const width = Math.max(0, ...s.facts.map((f) => f.label.length));
  return [
    s.title,
    ...s.facts.map((f) => `  ${f.label.padEnd(width)}  ${f.text ?? show(f.value)}`),
    ...s.tables.flatMap((t) => renderTable(t, '  ')),
  ];
}

export function renderInspection(i: Inspection): string {
  const out = [
    `${i.file}: ${i.size} bytes, sha256 ${i.sha256}`,
    `formats: ${i.formats.length ? i.formats.join('; ') : 'none recognised'}`,
  ];
  for (const s of i.sections) out.push('', ...renderSection(s));
  if (i.problems.length) {
    out.push('', 'PROBLEMS');
    for (const p of i.problems) out.push(`  [${p.section}] ${p.message}`);
  }
  return `${out.join('\n')}\n`;
}
