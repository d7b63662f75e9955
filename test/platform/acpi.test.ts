import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pcBoard, type PcBoard } from '../../platform/boards/pc/board.js';
import { buildPcAcpiTables, type AcpiImage } from '../../platform/acpi/pc-tables.js';
import { blobMemory, findRsdp, parseAcpi } from '../../platform/acpi/parse.js';
import { AcpiFormatError } from '../../platform/acpi/errors.js';
import { decodeFadt } from '../../platform/acpi/fadt.js';
import { decodeMadt } from '../../platform/acpi/madt.js';
import { decodeMcfg } from '../../platform/acpi/mcfg.js';
import { decodeSpcr } from '../../platform/acpi/spcr.js';
import { decodeHpet } from '../../platform/acpi/hpet.js';
import { decodeDbg2 } from '../../platform/acpi/dbg2.js';
import { SdtHeader, sum8 } from '../../platform/acpi/sdt-header.js';
import { eisaId, integer, nameString, pkgLength } from '../../platform/acpi/aml/encoder.js';

const tmp = mkdtempSync(join(tmpdir(), 'nova-acpi-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Disassembly {
  status: number | null;
  log: string;
  dsl: string;
}

function iaslDisassemble(bytes: Uint8Array, name: string): Disassembly {
  const file = join(tmp, `${name}.dat`);
  writeFileSync(file, bytes);
  const r = spawnSync('iasl', ['-d', file], { cwd: tmp, encoding: 'utf8', timeout: 30_000 });
  let dsl = '';
  try {
    dsl = readFileSync(join(tmp, `${name}.dsl`), 'utf8');
  } catch {
    // left empty: the assertions below report it
  }
  return { status: r.status, log: r.stdout + r.stderr, dsl };
}

/** A field of an iasl data-table disassembly: `[off dec len]   Name : VALUE`. */
function field(dsl: string, label: string, nth = 0): string {
  const re = new RegExp(`^\\[[0-9A-F]+h [0-9]+ +[0-9]+\\] +${label.replace(/[()]/g, '\\$&')} : (\\S+)`, 'gm');
  const all = [...dsl.matchAll(re)].map((m) => m[1]!);
  if (all[nth] === undefined) throw new Error(`iasl output has no field "${label}" #${nth}`);
  return all[nth]!;
}
const num = (s: string) => parseInt(s.replace(/"/g, ''), 16);

const boards: [string, PcBoard][] = [
  ['512M, 1 CPU', pcBoard({ memoryBytes: 512 * 2 ** 20 })],
  ['4G, 4 CPUs', pcBoard({ memoryBytes: 4 * 2 ** 30, cpus: 4 })],
];

describe.each(boards)('pc ACPI tables (%s)', (label, board) => {
  const image: AcpiImage = buildPcAcpiTables(board);
  const slug = label.replace(/[^a-z0-9]/gi, '');
  const disasm = new Map<string, Disassembly>();
  const dis = (sig: string) => {
    if (!disasm.has(sig)) {
      const t = image.tables.find((x) => x.signature === sig)!;
      disasm.set(sig, iaslDisassemble(t.bytes, `${slug}-${sig}`));
    }
    return disasm.get(sig)!;
  };

  it('has every table the issue lists, each checksum correct by our own sum', () => {
    expect(image.tables.map((t) => t.signature)).toEqual(['RSD PTR ', 'FACS', 'DSDT', 'FACP', 'APIC', 'MCFG', 'HPET', 'SPCR', 'DBG2', 'XSDT', 'RSDT']);
    for (const t of image.tables) {
      if (t.signature === 'FACS') continue; // FACS has no checksum
      const len = t.signature === 'RSD PTR ' ? 20 : t.bytes.length;
      expect(sum8(t.bytes.subarray(0, len)), t.signature).toBe(0);
    }
  });

  it.each(['FACS', 'DSDT', 'FACP', 'APIC', 'MCFG', 'HPET', 'SPCR', 'DBG2', 'XSDT', 'RSDT'])('iasl -d disassembles %s without errors, warnings or checksum complaints', (sig) => {
    const d = dis(sig);
    expect(d.status, d.log).toBe(0);
    expect(d.log).not.toMatch(/error|warning/i);
    expect(d.dsl).not.toMatch(/error|warning|incorrect|invalid|unknown/i);
    expect(d.dsl.length).toBeGreaterThan(200);
  });

  it('FADT as iasl reads it: revision 6, 276 bytes, PM blocks, reset register, DSDT/FACS pointers', () => {
    const d = dis('FACP').dsl;
    const pm = board.acpiPm;
    const at = (s: string) => image.tables.find((t) => t.signature === s)!.address;
    expect(num(field(d, 'Revision'))).toBe(6);
    expect(num(field(d, 'Table Length'))).toBe(276);
    expect(num(field(d, 'FACS Address', 0))).toBe(at('FACS'));
    expect(num(field(d, 'DSDT Address', 0))).toBe(at('DSDT'));
    expect(num(field(d, 'FACS Address', 1))).toBe(at('FACS'));
    expect(num(field(d, 'DSDT Address', 1))).toBe(at('DSDT'));
    expect(num(field(d, 'SCI Interrupt'))).toBe(pm.sciIrq);
    expect(num(field(d, 'PM1A Event Block Address'))).toBe(pm.pm1aEvt);
    expect(num(field(d, 'PM1A Control Block Address'))).toBe(pm.pm1aCnt);
    expect(num(field(d, 'PM Timer Block Address'))).toBe(pm.pmTmr);
    expect(num(field(d, 'GPE0 Block Address'))).toBe(pm.gpe0);
    expect(num(field(d, 'GPE0 Block Length'))).toBe(pm.gpe0Len);
    expect(num(field(d, 'Value to cause reset'))).toBe(board.resetControl.value);
    expect(d).toMatch(/32-bit PM Timer \(V1\) : 1/);
    expect(d).toMatch(/Reset Register Supported \(V2\) : 1/);
    // Our decoder reads the same values.
    const f = decodeFadt(image.tables.find((t) => t.signature === 'FACP')!.bytes);
    expect(f.pm_tmr_blk).toBe(pm.pmTmr);
    expect(f.x_dsdt).toBe(BigInt(at('DSDT')));
  });

  it('MADT as iasl reads it: one LAPIC per CPU, IOAPIC, QEMU-style overrides, LAPIC NMI', () => {
    const d = dis('APIC').dsl;
    expect(num(field(d, 'Local Apic Address'))).toBe(board.lapic.base);
    const types = [...d.matchAll(/Subtable Type : ([0-9A-F]+)/g)].map((m) => num(m[1]!));
    expect(types).toEqual([...Array(board.cpus).fill(0), 1, 2, 2, 2, 2, 2, 4]);
    expect(num(field(d, 'Address'))).toBe(board.ioapic.base);
    const sources = [...d.matchAll(/\] +Source : ([0-9A-F]+)/g)].map((m) => num(m[1]!));
    const gsis = [...d.matchAll(/Interrupt : ([0-9A-F]+)/g)].map((m) => num(m[1]!));
    expect(sources).toEqual([0, 5, 9, 10, 11]);
    // The first "Interrupt" is the IOAPIC's GSI base, then one per override.
    expect(gsis).toEqual([board.ioapic.gsiBase, 2, 5, 9, 10, 11]);
    const m = decodeMadt(image.tables.find((t) => t.signature === 'APIC')!.bytes);
    expect(m.entries.filter((e) => e.type === 'local-apic')).toHaveLength(board.cpus);
    expect(m.entries.find((e) => e.type === 'local-apic-nmi')).toEqual({ type: 'local-apic-nmi', processorUid: 0xff, flags: 0, lint: 1 });
  });

  it('MCFG, HPET, SPCR and DBG2 as iasl reads them match the board', () => {
    const mcfg = dis('MCFG').dsl;
    expect(num(field(mcfg, 'Base Address'))).toBe(board.ecam.base);
    expect(num(field(mcfg, 'End Bus Number'))).toBe(255);
    expect(decodeMcfg(image.tables.find((t) => t.signature === 'MCFG')!.bytes)[0]!.base_address).toBe(BigInt(board.ecam.base));

    const hpet = dis('HPET').dsl;
    expect(num(field(hpet, 'Address'))).toBe(board.hpet.base);
    expect(num(field(hpet, 'Hardware Block ID'))).toBe(board.hpet.blockId);
    expect(decodeHpet(image.tables.find((t) => t.signature === 'HPET')!.bytes).base.address).toBe(BigInt(board.hpet.base));

    const spcr = dis('SPCR').dsl;
    expect(num(field(spcr, 'Revision'))).toBe(2);
    expect(num(field(spcr, 'Address'))).toBe(board.uart.port);
    expect(field(spcr, 'Space ID')).toBe('01');
    expect(num(field(spcr, 'PCAT-compatible IRQ'))).toBe(board.uart.irq);
    expect(num(field(spcr, 'Interrupt'))).toBe(board.uart.irq);
    expect(num(field(spcr, 'Baud Rate'))).toBe(7);
    expect(decodeSpcr(image.tables.find((t) => t.signature === 'SPCR')!.bytes).base.address).toBe(BigInt(board.uart.port));

    const dbg2 = dis('DBG2').dsl;
    expect(num(field(dbg2, 'Port Type'))).toBe(0x8000);
    expect(num(field(dbg2, 'Address'))).toBe(board.uart.port);
    expect(dbg2).toContain('\\_SB.PCI0.LPC.COM1');
    const ports = decodeDbg2(image.tables.find((t) => t.signature === 'DBG2')!.bytes);
    expect(ports[0]!.namepath).toBe('\\_SB.PCI0.LPC.COM1');
  });

  it('XSDT as iasl reads it lists FADT, MADT, MCFG, HPET, SPCR, DBG2 at their addresses', () => {
    const d = dis('XSDT').dsl;
    const ptrs = [...d.matchAll(/ACPI Table Address +\d+ : ([0-9A-F]+)/g)].map((m) => num(m[1]!));
    const want = ['FACP', 'APIC', 'MCFG', 'HPET', 'SPCR', 'DBG2'].map((s) => image.tables.find((t) => t.signature === s)!.address);
    expect(ptrs).toEqual(want);
  });

  it('RSDT as iasl reads it lists the XSDT\'s tables with 32-bit pointers, and the RSDP points at it', () => {
    const d = dis('RSDT').dsl;
    const ptrs = [...d.matchAll(/ACPI Table Address +\d+ : ([0-9A-F]+)/g)].map((m) => num(m[1]!));
    const want = ['FACP', 'APIC', 'MCFG', 'HPET', 'SPCR', 'DBG2'].map((s) => image.tables.find((t) => t.signature === s)!.address);
    expect(ptrs).toEqual(want);
    const rsdp = image.tables.find((t) => t.signature === 'RSD PTR ')!.bytes;
    expect(Buffer.from(rsdp).readUInt32LE(16)).toBe(image.tables.find((t) => t.signature === 'RSDT')!.address);
  });

  it('DSDT: iasl recompiles its own disassembly to exactly our AML (expected bytes from iasl)', () => {
    const d = dis('DSDT');
    expect(d.dsl).toContain('Name (_HID, EisaId ("PNP0A08")');
    expect(d.dsl).toContain('Name (_CID, EisaId ("PNP0A03")');
    expect(d.dsl).toContain('Name (_HID, EisaId ("PNP0501")');
    expect(d.dsl).toContain('Name (_HID, EisaId ("PNP0C0C")');
    // the ECAM window as a motherboard resource (PNP0C02), so an OS may use MCFG
    expect(d.dsl).toContain('Name (_HID, EisaId ("PNP0C02")');
    expect(d.dsl).toMatch(/Memory32Fixed \(ReadWrite,\s+0xB0000000,\s+\/\/ Address Base\s+0x10000000,/);
    expect(d.dsl).toMatch(/IO \(Decode16,\s+0x03F8,\s+\/\/ Range Minimum\s+0x03F8,/);
    expect(d.dsl).toMatch(/IRQNoFlags \(\)\s+\{4\}/);
    expect(d.dsl).toMatch(/Name \(\\?_S5, Package \(0x04\)/);
    // edu (00:02.0) INTA -> GSI 11
    expect(d.dsl).toMatch(/Name \(_PRT, Package \(0x01\)[^]*Package \(0x04\)\s*\{\s*0x0002FFFF,\s*Zero,\s*Zero,\s*0x0B\s*\}/);
    const out = join(tmp, `${slug}-dsdt-recompiled`);
    const r = spawnSync('iasl', ['-p', out, join(tmp, `${slug}-DSDT.dsl`)], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0 Errors, 0 Warnings/);
    const theirs = readFileSync(`${out}.aml`);
    const ours = image.tables.find((t) => t.signature === 'DSDT')!.bytes;
    // Header differs in creator ID/revision and so in checksum; the AML body must be identical.
    expect(Buffer.from(ours.subarray(SdtHeader.size)).toString('hex')).toBe(theirs.subarray(SdtHeader.size).toString('hex'));
    expect(theirs.readUInt32LE(4)).toBe(ours.length);
  });

  it('our parser walks RSDP -> XSDT -> tables -> DSDT/FACS and finds the RSDP by a BIOS-area scan', () => {
    const mem = blobMemory(image.base, image.bytes, 'pc-acpi');
    expect(findRsdp(mem, board.acpiRegion.base, board.acpiRegion.base + board.acpiRegion.size)).toBe(image.rsdpAddress);
    const acpi = parseAcpi(mem, image.rsdpAddress, 'pc-acpi');
    expect(acpi.rsdp.revision).toBe(2);
    expect(acpi.root.signature).toBe('XSDT');
    expect(acpi.tables.map((t) => t.signature).sort()).toEqual(['APIC', 'DBG2', 'DSDT', 'FACP', 'FACS', 'HPET', 'MCFG', 'SPCR']);
    for (const t of acpi.tables) expect(t.address).toBe(image.tables.find((x) => x.signature === t.signature)!.address);
  });
});

describe('iasl is a real oracle (negative control)', () => {
  it('flags a table whose checksum we break', () => {
    const t = buildPcAcpiTables(pcBoard()).tables.find((x) => x.signature === 'MCFG')!.bytes.slice();
    t[9] = (t[9]! + 1) & 0xff;
    expect(iaslDisassemble(t, 'broken-MCFG').dsl).toMatch(/Incorrect checksum/);
  });
});

describe('parseAcpi typed errors name source, address and field', () => {
  const board = pcBoard();
  const image = buildPcAcpiTables(board);
  const addr = (sig: string) => image.tables.find((t) => t.signature === sig)!.address;
  const corrupt = (at: number, value: number) => {
    const b = image.bytes.slice();
    b[at - image.base] = value;
    return blobMemory(image.base, b, 'bad-acpi');
  };
  const cases: [string, () => void, number, RegExp][] = [
    ['RSDP signature', () => parseAcpi(corrupt(image.rsdpAddress, 0x41), image.rsdpAddress, 'bad-acpi'), image.rsdpAddress, /RSDP\.signature/],
    ['RSDP checksum', () => parseAcpi(corrupt(image.rsdpAddress + 9, 0x58), image.rsdpAddress, 'bad-acpi'), image.rsdpAddress + 8, /RSDP\.checksum/],
    ['RSDP extended checksum', () => parseAcpi(corrupt(image.rsdpAddress + 33, 1), image.rsdpAddress, 'bad-acpi'), image.rsdpAddress + 32, /RSDP\.extended_checksum/],
    ['MADT checksum', () => parseAcpi(corrupt(addr('APIC') + 40, 0x77), image.rsdpAddress, 'bad-acpi'), addr('APIC') + 9, /APIC\.checksum/],
    ['XSDT entry pointing outside memory', () => {
      const b = image.bytes.slice();
      const x = addr('XSDT') - image.base;
      new DataView(b.buffer).setBigUint64(x + 36, 0x12345000n, true);
      // Re-balance the XSDT's own checksum so the walk gets as far as the bad pointer.
      const len = new DataView(b.buffer).getUint32(x + 4, true);
      b[x + 9] = (b[x + 9]! - sum8(b.subarray(x, x + len))) & 0xff;
      parseAcpi(blobMemory(image.base, b, 'bad-acpi'), image.rsdpAddress, 'bad-acpi');
    }, 0x12345000, /outside the table region/],
    ['DSDT signature', () => parseAcpi(corrupt(addr('DSDT'), 0x58), image.rsdpAddress, 'bad-acpi'), addr('DSDT'), /FACP\.x_dsdt signature/],
  ];
  it.each(cases)('%s', (_n, run, offset, msg) => {
    let caught: unknown;
    try {
      run();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AcpiFormatError);
    const err = caught as AcpiFormatError;
    expect(err.file).toBe('bad-acpi');
    expect(err.offset).toBe(offset);
    expect(err.message).toMatch(msg);
  });
});

describe('AML encoder primitives (expected bytes from the ACPI 6.5 grammar, chapter 20)', () => {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  it.each([
    [0, '00'],
    [1, '01'],
    [0x3f8, '0bf803'],
    [0xab, '0aab'],
    [0x1f0000, '0c00001f00'],
    [0x100000000, '0e0000000001000000'],
  ])('integer %s', (v, want) => expect(hex(integer(v))).toBe(want));
  it.each([
    ['_SB', '5f53425f'],
    ['\\_SB', '5c5f53425f'],
    ['^PCI0', '5e50434930'],
    ['PCI0.LPC', '2e504349304c50435f'],
    ['\\_SB.PCI0.LPC', '5c2f035f53425f504349304c50435f'],
  ])('name string %s', (v, want) => expect(hex(nameString(v))).toBe(want));
  it.each([
    [0, '01'],
    [62, '3f'],
    // 63 + 2 = 0x41: lead byte 0x40 (one follow byte) | low nibble 1, follow byte 0x41 >> 4.
    [63, '4104'],
    // 4093 + 2 = 0xfff: the largest two-byte length.
    [4093, '4fff'],
    // 4094 + 3 = 0x1001: three bytes, lead 0x80 | 1, then 0x00, 0x01.
    [4094, '810001'],
  ])('PkgLength for %i content bytes', (n, want) => {
    expect(hex(pkgLength(n))).toBe(want);
  });
  it('EisaId("PNP0A08") is 0x080ad041 as iasl encodes it', () => {
    expect(hex(eisaId('PNP0A08'))).toBe('0c41d00a08');
  });
});

describe('acpiexec (ACPICA interpreter) loads our DSDT and evaluates its objects', () => {
  it('\\_S5, COM1._CRS, PCI0._HID/_SEG/_BBN and PWRB._HID evaluate to the board values', () => {
    const board = pcBoard();
    const dsdt = buildPcAcpiTables(board).tables.find((t) => t.signature === 'DSDT')!.bytes;
    const file = join(tmp, 'exec-DSDT.dat');
    writeFileSync(file, dsdt);
    const objs = ['\\_S5', '\\_SB.MRES._CRS', '\\_SB.PCI0.LPC.COM1._CRS', '\\_SB.PCI0._HID', '\\_SB.PCI0._SEG', '\\_SB.PCI0._BBN', '\\_SB.PWRB._HID', '\\_SB.PCI0._PRT'];
    const r = spawnSync('acpiexec', ['-b', objs.map((o) => `evaluate ${o}`).join('; '), file], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).not.toMatch(/AE_NOT_FOUND|AE_AML_|AE_TYPE|AE_BAD/);
    const result = (o: string) => {
      const i = out.indexOf(`Evaluating ${o}\n`);
      expect(i, `${o} evaluated`).toBeGreaterThanOrEqual(0);
      const end = out.indexOf('\nEvaluating', i + 1);
      return out.slice(i, end < 0 ? undefined : end);
    };
    expect(result('\\_S5')).toMatch(/Contains 4 Elements:\s+\[Integer\] = 0000000000000000\s+\[Integer\] = 0000000000000000/);
    // IO(Decode16, 0x3F8, 0x3F8, 0, 8) = 47 01 F8 03 F8 03 00 08; IRQNoFlags {4} = 22 10 00; End Tag = 79 00.
    expect(result('\\_SB.PCI0.LPC.COM1._CRS')).toContain('47 01 F8 03 F8 03 00 08 22 10 00 79 00');
    // EisaId("PNP0A08"): 'P','N','P' -> 0x41d0 big-endian, then 0x0a08 -> bytes 41 D0 0A 08.
    expect(result('\\_SB.PCI0._HID')).toContain('[Integer] = 00000000080AD041');
    // Memory32Fixed (ReadWrite, 0xB0000000, 0x10000000) = 86 09 00 01 00 00 00 B0 00 00 00 10; End Tag = 79 00.
    expect(result('\\_SB.MRES._CRS')).toContain('86 09 00 01 00 00 00 B0 00 00 00 10 79 00');
    expect(result('\\_SB.PCI0._SEG')).toContain('[Integer] = 0000000000000000');
    expect(result('\\_SB.PCI0._BBN')).toContain('[Integer] = 0000000000000000');
    expect(result('\\_SB.PWRB._HID')).toContain('[Integer] = 000000000C0CD041');
    expect(result('\\_SB.PCI0._PRT')).toMatch(/\[Integer\] = 000000000002FFFF\s+\[Integer\] = 0000000000000000\s+\[Integer\] = 0000000000000000\s+\[Integer\] = 000000000000000B/);
  });
});
