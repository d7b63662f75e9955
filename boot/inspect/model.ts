/**
 * The report `inspect` produces: one section per format found in the file. Each fact has a machine key
 * (for --json) and a label (for the text rendering), so both renderings come from one description.
 */
export type FactValue = string | number | boolean | null;

export interface Fact {
  key: string;
  label: string;
  value: FactValue;
  /** Human rendering when it differs from the value (e.g. "10 (EFI application)"). */
  text?: string;
}

export interface Table {
  key: string;
  title: string;
  columns: Array<{ key: string; label: string }>;
  rows: Array<Record<string, FactValue>>;
}

export interface Section {
  /** Machine id: pe, linux, multiboot1, multiboot2, elf, arm64, catalog, container. */
  id: string;
  title: string;
  facts: Fact[];
  tables: Table[];
}

export interface Problem {
  /** The section the problem belongs to. */
  section: string;
  file: string;
  offset: number;
  field: string;
  rule: string;
  /** The full message: "<file>: offset 0x..: <field>: <rule>". */
  message: string;
}

export interface Inspection {
  file: string;
  size: number;
  sha256: string;
  /** Short names of the formats found, e.g. ["PE32+", "Linux bzImage", "Multiboot2"]. */
  formats: string[];
  sections: Section[];
  problems: Problem[];
}

export const hex = (v: number | bigint, width = 0): string => `0x${v.toString(16).padStart(width, '0')}`;

export function fact(key: string, label: string, value: FactValue, text?: string): Fact {
  return text === undefined ? { key, label, value } : { key, label, value, text };
}
