/**
 * Multiple APIC Description Table (ACPI 6.5 section 5.2.12): one Local APIC per CPU, the IOAPIC, the ISA
 * interrupt source overrides and the LAPIC NMI entry, in the order QEMU's q35 emits them.
 */
import { defineStruct, viewOf } from '../../common/struct.js';
import type { PcBoard } from '../boards/pc/board.js';
import { AcpiFormatError } from './errors.js';
import { buildTable } from './sdt-header.js';

export const MadtFixed = defineStruct('acpi_madt', 44, {
  local_apic_address: [36, 'u32'],
  flags: [40, 'u32'],
});
/** Flag: the system also has dual 8259 PICs (they must be masked before using the IOAPIC). */
export const MADT_PCAT_COMPAT = 1;

export const MadtType = { LOCAL_APIC: 0, IO_APIC: 1, INTERRUPT_OVERRIDE: 2, LOCAL_APIC_NMI: 4 } as const;

export const MadtLocalApic = defineStruct('madt_local_apic', 8, {
  type: [0, 'u8'],
  length: [1, 'u8'],
  processor_uid: [2, 'u8'],
  apic_id: [3, 'u8'],
  flags: [4, 'u32'],
});
export const MadtIoApic = defineStruct('madt_io_apic', 12, {
  type: [0, 'u8'],
  length: [1, 'u8'],
  io_apic_id: [2, 'u8'],
  address: [4, 'u32'],
  gsi_base: [8, 'u32'],
});
export const MadtInterruptOverride = defineStruct('madt_interrupt_override', 10, {
  type: [0, 'u8'],
  length: [1, 'u8'],
  bus: [2, 'u8'],
  source: [3, 'u8'],
  gsi: [4, 'u32'],
  flags: [8, 'u16'],
});
export const MadtLocalApicNmi = defineStruct('madt_local_apic_nmi', 6, {
  type: [0, 'u8'],
  length: [1, 'u8'],
  processor_uid: [2, 'u8'],
  flags: [3, 'u16'],
  lint: [5, 'u8'],
});

/** Local APIC flag: enabled. */
const LAPIC_ENABLED = 1;
/** Processor UID 0xff: the NMI entry applies to all processors. */
const ALL_PROCESSORS = 0xff;

export type MadtEntry =
  | { type: 'local-apic'; processorUid: number; apicId: number; flags: number }
  | { type: 'io-apic'; id: number; address: number; gsiBase: number }
  | { type: 'interrupt-override'; bus: number; source: number; gsi: number; flags: number }
  | { type: 'local-apic-nmi'; processorUid: number; flags: number; lint: number }
  | { type: 'other'; code: number; length: number };

export function encodeMadt(board: PcBoard): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let cpu = 0; cpu < board.cpus; cpu++) {
    parts.push(MadtLocalApic.encode({ type: MadtType.LOCAL_APIC, length: 8, processor_uid: cpu, apic_id: cpu, flags: LAPIC_ENABLED }));
  }
  parts.push(MadtIoApic.encode({ type: MadtType.IO_APIC, length: 12, io_apic_id: board.ioapic.id, address: board.ioapic.base, gsi_base: board.ioapic.gsiBase }));
  for (const o of board.interruptOverrides) {
    parts.push(MadtInterruptOverride.encode({ type: MadtType.INTERRUPT_OVERRIDE, length: 10, bus: 0, source: o.source, gsi: o.gsi, flags: o.flags }));
  }
  parts.push(MadtLocalApicNmi.encode({ type: MadtType.LOCAL_APIC_NMI, length: 6, processor_uid: ALL_PROCESSORS, flags: 0, lint: board.lapic.nmiLint }));
  const length = MadtFixed.size + parts.reduce((n, p) => n + p.length, 0);
  return buildTable('APIC', 5, length, board.acpiIds, (view, bytes) => {
    MadtFixed.write(view, 0, { local_apic_address: board.lapic.base, flags: MADT_PCAT_COMPAT });
    let off = MadtFixed.size;
    for (const p of parts) {
      bytes.set(p, off);
      off += p.length;
    }
  });
}

export function decodeMadt(table: Uint8Array, file = '<APIC>', base = 0): { localApicAddress: number; flags: number; entries: MadtEntry[] } {
  const view = viewOf(table);
  const fixed = MadtFixed.read(view, 0, file);
  const entries: MadtEntry[] = [];
  for (let off = MadtFixed.size; off < table.length; ) {
    if (off + 2 > table.length) throw new AcpiFormatError(file, base + off, 'MADT entry header', 'truncated');
    const type = table[off]!;
    const length = table[off + 1]!;
    if (length < 2 || off + length > table.length) {
      throw new AcpiFormatError(file, base + off + 1, `MADT entry ${entries.length}.length`, `${length} does not fit (table ends at ${table.length})`);
    }
    const need = (s: { size: number; name: string }) => {
      if (length < s.size) throw new AcpiFormatError(file, base + off + 1, `${s.name}.length`, `${length} < ${s.size}`);
    };
    switch (type) {
      case MadtType.LOCAL_APIC: {
        need(MadtLocalApic);
        const e = MadtLocalApic.read(view, off, file);
        entries.push({ type: 'local-apic', processorUid: e.processor_uid, apicId: e.apic_id, flags: e.flags });
        break;
      }
      case MadtType.IO_APIC: {
        need(MadtIoApic);
        const e = MadtIoApic.read(view, off, file);
        entries.push({ type: 'io-apic', id: e.io_apic_id, address: e.address, gsiBase: e.gsi_base });
        break;
      }
      case MadtType.INTERRUPT_OVERRIDE: {
        need(MadtInterruptOverride);
        const e = MadtInterruptOverride.read(view, off, file);
        entries.push({ type: 'interrupt-override', bus: e.bus, source: e.source, gsi: e.gsi, flags: e.flags });
        break;
      }
      case MadtType.LOCAL_APIC_NMI: {
        need(MadtLocalApicNmi);
        const e = MadtLocalApicNmi.read(view, off, file);
        entries.push({ type: 'local-apic-nmi', processorUid: e.processor_uid, flags: e.flags, lint: e.lint });
        break;
      }
      default:
        entries.push({ type: 'other', code: type, length });
    }
    off += length;
  }
  return { localApicAddress: fixed.local_apic_address, flags: fixed.flags, entries };
}
