/**
 * ACPI table overrides in the aarch64 image: applied on the UEFI path when the firmware describes the machine
 * with ACPI (AAVMF), refused with a clear stub message on paths that bring only a devicetree (QEMU -kernel,
 * our virt board's Image path).
 */
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAarch64Image } from '../../loader/aarch64/index.js';
import { compileAsl } from '../loader/asl.js';
import { novaImage } from '../image/qemu.js';
import { aavmfArgs, espDirectory, runQemuAarch64, scratchDir } from './qemu-aarch64.js';

const FIXTURES = 'test/loader/fixtures/acpi';
let dir: string;
let plain: string;
let overridden: string;

beforeAll(() => {
  process.env.NOVA_IMAGE_BUILD ??= resolve('build');
  dir = scratchDir('aarch64-acpi');
  plain = join(dir, 'plain.img');
  overridden = join(dir, 'overridden.img');
  buildAarch64Image({ output: plain });
  buildAarch64Image({ output: overridden, acpiTables: [compileAsl(`${FIXTURES}/ssdt-extra.asl`, dir), compileAsl(`${FIXTURES}/dsdt-s5.asl`, dir)] });
});

async function aavmf(image: string, tag: string): Promise<string> {
  const esp = espDirectory(join(dir, tag), image);
  const run = await runQemuAarch64([...aavmfArgs(dir), '-drive', `file=fat:rw:${esp},format=raw,media=disk`], { timeoutSeconds: 90 });
  expect(run.output).toContain('ROOT: hello from user mode');
  expect(run.output).not.toContain('nova-image stub: fatal');
  expect(run.status, run.output).toBe(0);
  return run.output;
}

const rsdpLine = (out: string) => /^acpi: RSDP at (0x[0-9a-f]+), revision (\d+), OEM "(.{6})", XSDT at (0x[0-9a-f]+)\r?$/m.exec(out);
const tableList = (out: string) => /^acpi: tables:(.*?)\r?$/m.exec(out)?.[1]?.trim().split(' ');

describe('aarch64 ACPI table overrides', () => {
  it('AAVMF: the SSDT is added, the DSDT goes in through a FADT copy that keeps the PSCI boot flags', async () => {
    const before = await aavmf(plain, 'a');
    const after = await aavmf(overridden, 'b');
    expect(tableList(after)).toEqual([...tableList(before)!, 'SSDT']);
    const [rb, ra] = [rsdpLine(before)!, rsdpLine(after)!];
    expect(ra[2]).toBe('2');
    expect(ra[3]).toBe(rb[3]); // the firmware's OEM ID carries over
    expect(ra[4]).not.toBe(rb[4]); // a new XSDT
    expect(after).toMatch(/^psci: conduit smc \(from FADT ARM boot flags\)/m);
  });

  it('QEMU -kernel (devicetree only): the stub refuses with a message', async () => {
    const run = await runQemuAarch64(['-kernel', overridden]);
    expect(run.output).toContain('nova-image stub: fatal: ACPI table overrides are applied on the UEFI path only (this is the linux path)');
    expect(run.output).not.toContain('ROOT: hello from user mode');
  });

  it('our virt board, Image path: the same refusal', () => {
    const r = novaImage(['boot', overridden, '--board', 'virt']);
    expect(r.stdout + r.stderr).toContain('nova-image stub: fatal: ACPI table overrides are applied on the UEFI path only (this is the linux path)');
    expect(r.stdout).not.toContain('ROOT: hello from user mode');
  });
});
