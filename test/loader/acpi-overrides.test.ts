/**
 * `build --acpi-table`: tables compiled by iasl go into the catalog as type 5 entries; damaged or
 * unplaceable tables are refused with a typed error naming file, offset and field, exit 2, no output file.
 * (That the stub installs them on every boot path is test/image/acpi-overrides.test.ts.)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../loader/catalog.js';
import { validateAcpiOverride } from '../../loader/acpi-overrides.js';
import { PayloadError } from '../../loader/errors.js';
import { novaImage, scratchDir } from '../image/qemu.js';
import { compileAsl } from './asl.js';

const FIXTURES = 'test/loader/fixtures/acpi';
let dir: string;
let ssdt: string;
let dsdt: string;

/** A copy of an AML file changed by `edit`, with its checksum fixed afterwards unless `keepChecksum`. */
function variant(src: string, name: string, edit: (b: Uint8Array) => Uint8Array, keepChecksum = false): string {
  const b = edit(new Uint8Array(readFileSync(src)));
  if (!keepChecksum && b.length >= 10) {
    b[9] = 0;
    let sum = 0;
    for (const x of b) sum = (sum + x) & 0xff;
    b[9] = (0x100 - sum) & 0xff;
  }
  const path = join(dir, name);
  writeFileSync(path, b);
  return path;
}

function expectRefused(tables: string[], message: RegExp): void {
  const output = join(dir, `refused-${Math.random().toString(36).slice(2)}.img`);
  const r = novaImage(['build', ...tables.flatMap((t) => ['--acpi-table', t]), '-o', output]);
  expect(r.stderr).toMatch(/^nova-image: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.status).toBe(2);
  expect(existsSync(output)).toBe(false);
}

beforeAll(() => {
  dir = scratchDir('acpi-overrides');
  ssdt = compileAsl(`${FIXTURES}/ssdt-extra.asl`, dir);
  dsdt = compileAsl(`${FIXTURES}/dsdt-s5.asl`, dir);
});

describe('build --acpi-table', () => {
  it('packs each table as a catalog entry of type 5 that inspect names', () => {
    const output = join(dir, 'ok.img');
    const r = novaImage(['build', '--acpi-table', ssdt, '--acpi-table', dsdt, '-o', output]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/acpi-table "ssdt-extra\.aml" at 0x[0-9a-f]+, 71 bytes/);
    const image = new Uint8Array(readFileSync(output));
    const cat = readCatalog(image, output)!;
    const tables = cat.entries.filter((e) => e.type === 5);
    expect(tables.map((e) => e.name)).toEqual(['ssdt-extra.aml', 'dsdt-s5.aml']);
    expect(Buffer.from(image.subarray(tables[0]!.offset, tables[0]!.offset + tables[0]!.size))).toEqual(readFileSync(ssdt));
    const inspect = novaImage(['inspect', output]);
    expect(inspect.status).toBe(0);
    expect(inspect.stdout).toMatch(/acpi-table.*ssdt-extra\.aml/);
  });

  it('refuses a truncated table', () => {
    expectRefused([variant(ssdt, 'short.aml', (b) => b.slice(0, 20), true)], /short\.aml.*acpi_sdt_header.*at least its 36-byte header/);
  });

  it('refuses a length field that disagrees with the file', () => {
    expectRefused([variant(ssdt, 'long.aml', (b) => Uint8Array.from([...b, 0]))], /long\.aml.*offset 0x4.*acpi_sdt_header\.length.*is 71, but the file has 72 bytes/);
  });

  it('refuses a bad checksum', () => {
    expectRefused([variant(ssdt, 'sum.aml', (b) => { b[40] = b[40]! ^ 1; return b; }, true)], /sum\.aml.*offset 0x9.*acpi_sdt_header\.checksum/);
  });

  it('refuses tables the stub builds or must not replace: XSDT, RSDT, FACS', () => {
    for (const sig of ['XSDT', 'RSDT', 'FACS']) {
      const f = variant(ssdt, `${sig}.aml`, (b) => { b.set(Buffer.from(sig, 'latin1'), 0); return b; });
      expectRefused([f], new RegExp(`${sig}\\.aml.*acpi_sdt_header\\.signature.*${sig} cannot be overridden`));
    }
  });

  it('refuses a signature that is not one', () => {
    expectRefused([variant(ssdt, 'lower.aml', (b) => { b.set(Buffer.from('ssdt', 'latin1'), 0); return b; })], /lower\.aml.*"ssdt" is not an ACPI table signature/);
  });

  it('refuses two overrides of the same table', () => {
    const again = variant(ssdt, 'again.aml', (b) => b);
    expectRefused([ssdt, again], /again\.aml.*SSDT with OEM Table ID "EXTRA" is already overridden by .*ssdt-extra\.aml/);
    const dsdt2 = variant(dsdt, 'dsdt2.aml', (b) => b);
    expectRefused([dsdt, dsdt2], /dsdt2\.aml.*DSDT is already overridden/);
  });

  it('a second SSDT with another OEM Table ID is accepted', () => {
    const other = variant(ssdt, 'other.aml', (b) => { b.set(Buffer.from('OTHER\0\0\0', 'latin1'), 16); return b; });
    const r = novaImage(['build', '--acpi-table', ssdt, '--acpi-table', other, '-o', join(dir, 'two-ssdt.img')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('validateAcpiOverride throws PayloadError with file and offset', () => {
    const bytes = new Uint8Array(readFileSync(ssdt));
    bytes[9] = bytes[9]! ^ 0xff;
    let err: unknown;
    try {
      validateAcpiOverride(bytes, 'x.aml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PayloadError);
    expect((err as PayloadError).message).toMatch(/x\.aml/);
  });
});
