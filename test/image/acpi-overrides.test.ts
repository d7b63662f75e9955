/**
 * ACPI table overrides at boot: an image built with `--acpi-table` for an added SSDT, a replacing DSDT (our
 * ASL) and a replacing HPET (iasl's own template) boots under QEMU -kernel, OVMF and on our pc board through
 * the uefi, linux and multiboot2 paths. On each path the reference kernel's ACPI report must show, compared
 * with the default image booted the same way: the same XSDT order with HPET replaced in place and SSDT
 * appended, every other firmware table untouched, the new tables and root in ACPI-reclaimable memory, and
 * \_S5 read from the overriding DSDT. A FADT override (iasl's template) keeps the machine's DSDT.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAsl, iaslTemplate } from '../loader/asl.js';
import { EXIT_SUCCESS_33, espDirectory, novaImage, ovmfArgs, runQemu, scratchDir } from './qemu.js';

const FIXTURES = 'test/loader/fixtures/acpi';
let dir: string;
let defaultImage: string;
let overridden: string;
let facpImage: string;

interface Table { sig: string; addr: number; oem: string; note: string }
interface AcpiReport {
  tables: Table[];
  xsdtList: string[];
  xsdtAddr: number;
  s5: string;
  reclaimable: Array<[number, number]>;
}

function report(console: string): AcpiReport {
  const tables: Table[] = [];
  for (const m of console.matchAll(/^acpi: (\w{4}) at 0x([0-9a-f]+) length=\d+ revision=\d+ oem="(.{6})" checksum=ok(.*?)\r?$/gm)) {
    tables.push({ sig: m[1]!, addr: parseInt(m[2]!, 16), oem: m[3]!, note: m[4]!.trim() });
  }
  // SeaBIOS (QEMU -kernel on the default machine) offers only an RSDT; the stub's rebuilt root is an XSDT.
  const list = /^acpi: [XR]SDT lists \d+ tables: (.*?)\r?$/m.exec(console);
  const s5 = /^acpi: (S5 .*?)\r?$/m.exec(console);
  const reclaimable = [...console.matchAll(/^mmap: \[0x([0-9a-f]+)-0x([0-9a-f]+)\] acpi-reclaimable/gm)].map((m) => [parseInt(m[1]!, 16), parseInt(m[2]!, 16)] as [number, number]);
  const xsdt = tables.find((t) => t.sig === 'XSDT' || t.sig === 'RSDT');
  expect(list, console).not.toBeNull();
  expect(xsdt, console).toBeDefined();
  return { tables: tables.filter((t) => t !== xsdt), xsdtList: list![1]!.split(' '), xsdtAddr: xsdt!.addr, s5: s5?.[1] ?? '', reclaimable };
}

const inReclaimable = (r: AcpiReport, addr: number): boolean => r.reclaimable.some(([lo, hi]) => addr >= lo && addr <= hi);
const table = (r: AcpiReport, sig: string): Table => {
  const t = r.tables.find((x) => x.sig === sig);
  expect(t, `${sig} in ${JSON.stringify(r.tables)}`).toBeDefined();
  return t!;
};

/** The checks shared by every path: `after` booted the overridden image, `before` the default one. */
function expectOverridden(before: AcpiReport, after: AcpiReport): void {
  expect(after.xsdtList).toEqual([...before.xsdtList, 'SSDT']);
  expect(inReclaimable(after, after.xsdtAddr)).toBe(true);
  for (const t of before.tables) {
    if (['HPET', 'FACP', 'DSDT'].includes(t.sig)) continue;
    expect(table(after, t.sig), t.sig).toEqual(t);
  }
  const hpet = table(after, 'HPET');
  expect(hpet.oem).toBe('INTEL ');
  expect(inReclaimable(after, hpet.addr)).toBe(true);
  const ssdt = table(after, 'SSDT');
  expect(ssdt.oem).toBe('NOVATS');
  expect(inReclaimable(after, ssdt.addr)).toBe(true);
  // The FADT is the firmware's, copied so it can point at the new DSDT.
  const facp = table(after, 'FACP');
  expect(facp.oem).toBe(table(before, 'FACP').oem);
  expect(inReclaimable(after, facp.addr)).toBe(true);
  const dsdt = table(after, 'DSDT');
  expect(dsdt.oem).toBe('NOVATS');
  expect(dsdt.note).toBe('(via FACP)');
  expect(inReclaimable(after, dsdt.addr)).toBe(true);
  expect(after.s5).toMatch(/^S5 SLP_TYPa=7 SLP_TYPb=7 /);
  expect(after.s5.replace(/SLP_TYP[ab]=\d+ /g, '')).toBe(before.s5.replace(/SLP_TYP[ab]=\d+ /g, ''));
}

/** The FADT override keeps the machine's DSDT, so only the FADT line and what it describes change. */
function expectFadtOverridden(before: AcpiReport, after: AcpiReport): void {
  expect(after.xsdtList).toEqual(before.xsdtList);
  const facp = table(after, 'FACP');
  expect(facp.oem).toBe('INTEL ');
  expect(inReclaimable(after, facp.addr)).toBe(true);
  expect(table(after, 'DSDT')).toEqual(table(before, 'DSDT'));
  expect(after.s5).not.toBe(before.s5);
}

function ours(image: string, via: string): string {
  const r = novaImage(['boot', image, '--via', via, '--memory', '512M']);
  expect(r.stdout).toContain('ROOT: hello from user mode');
  expect(r.status, r.stderr).toBe(EXIT_SUCCESS_33);
  return r.stdout;
}

function qemuKernel(image: string): string {
  const r = runQemu(dir, ['-kernel', image]);
  expect(r.serial).toContain('ROOT: hello from user mode');
  expect(r.status, r.serial).toBe(EXIT_SUCCESS_33);
  return r.serial;
}

function qemuOvmf(image: string, tag: string): string {
  const esp = espDirectory(join(dir, tag), image);
  const r = runQemu(dir, [...ovmfArgs(dir), '-drive', `file=fat:rw:${esp},format=raw`], 90);
  expect(r.serial).toContain('ROOT: hello from user mode');
  expect(r.status, r.serial).toBe(EXIT_SUCCESS_33);
  return r.serial;
}

beforeAll(() => {
  dir = scratchDir('acpi-boot');
  const ssdt = compileAsl(`${FIXTURES}/ssdt-extra.asl`, dir);
  const dsdt = compileAsl(`${FIXTURES}/dsdt-s5.asl`, dir);
  const hpet = iaslTemplate('HPET', dir);
  const facp = iaslTemplate('FACP', dir);
  defaultImage = join(dir, 'default.img');
  overridden = join(dir, 'overridden.img');
  facpImage = join(dir, 'facp.img');
  for (const [out, tables] of [[defaultImage, []], [overridden, [ssdt, dsdt, hpet]], [facpImage, [facp]]] as const) {
    const r = novaImage(['build', ...tables.flatMap((t) => ['--acpi-table', t]), '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
});

describe('ACPI table overrides reach the kernel', () => {
  it('QEMU -kernel (Linux boot protocol, BIOS tables)', () => {
    expectOverridden(report(qemuKernel(defaultImage)), report(qemuKernel(overridden)));
  });

  it('OVMF (UEFI configuration table)', () => {
    expectOverridden(report(qemuOvmf(defaultImage, 'a')), report(qemuOvmf(overridden, 'b')));
  });

  for (const via of ['uefi', 'linux', 'multiboot2']) {
    it(`nova-image boot --via ${via}`, () => {
      expectOverridden(report(ours(defaultImage, via)), report(ours(overridden, via)));
    });
  }

  it('a kernel that keeps boot services also finds the new RSDP in the UEFI configuration table', () => {
    const keep = join(dir, 'keepbs.img');
    const b = novaImage(['build', '--kernel', 'build/kernel/x86_64/kernel-keepbs.elf', '--root', 'build/kernel/x86_64/root.elf', '--acpi-table', compileAsl(`${FIXTURES}/ssdt-extra.asl`, dir), '-o', keep]);
    expect(b.status, b.stderr).toBe(0);
    const trace = join(dir, 'keepbs.trace');
    const r = novaImage(['boot', keep, '--via', 'uefi', '--memory', '512M', '--trace', trace]);
    expect(r.status, r.stderr).toBe(EXIT_SUCCESS_33);
    const console = r.stdout;
    const events = (JSON.parse(readFileSync(trace, 'utf8')) as { events: Array<{ name: string; data: { args?: string[]; result?: string } }> }).events;
    const install = events.filter((e) => e.name === 'BS.InstallConfigurationTable');
    expect(install).toHaveLength(1);
    expect(install[0]!.data.result).toBe('EFI_SUCCESS');
    const after = report(console);
    expect(after.xsdtList.at(-1)).toBe('SSDT');
    // The table installed is the RSDP whose XSDT the kernel read: both lie in the stub's ACPI-reclaimable area.
    expect(inReclaimable(after, parseInt(install[0]!.data.args![1]!, 16))).toBe(true);
    expect(inReclaimable(after, after.xsdtAddr)).toBe(true);
  });

  it('a FADT override keeps the DSDT, under QEMU -kernel and on our board', () => {
    expectFadtOverridden(report(qemuKernel(defaultImage)), report(qemuKernel(facpImage)));
    expectFadtOverridden(report(ours(defaultImage, 'uefi')), report(ours(facpImage, 'uefi')));
  });
});
