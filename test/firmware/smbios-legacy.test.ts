/**
 * SMBIOS on the pc board's Linux path: prepareBoot puts an SMBIOS 3.0 entry point and its structures in the
 * BIOS area, as SeaBIOS does for a kernel to find by scanning 0xf0000..0xfffff. dmidecode, reading the
 * machine's first MiB as its memory device, must find the entry point by the same scan and decode the tables.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { prepareBoot } from '../../platform/machine/boot-paths.js';
import { PcMachine } from '../../platform/machine/pc-machine.js';
import { scratchDir } from '../image/qemu.js';

it('dmidecode finds and decodes the Linux path\'s SMBIOS tables in the BIOS area', () => {
  const m = new PcMachine({ memoryBytes: 64 * 1024 * 1024, console: () => {} });
  prepareBoot(m, 'linux', { image: readFileSync('build/nova-x86_64.img'), file: 'nova-x86_64.img', append: '', modules: [] });
  const dir = scratchDir('smbios-legacy');
  const mem = join(dir, 'low-1MiB.bin');
  writeFileSync(mem, m.bus.readBytes(0, 0x100000));
  const r = spawnSync('dmidecode', ['--dev-mem', mem], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('SMBIOS 3.0.0 present.');
  expect(r.stdout).toMatch(/Table at 0x000F0020\./);
  expect(r.stdout).toMatch(/BIOS Information\n\tVendor: nova-image\n\tVersion: 0\.1\.0\n\tRelease Date: 01\/01\/2026/);
  expect(r.stdout).toMatch(/System Information\n\tManufacturer: nova-image\n\tProduct Name: Emulated PC \(q35-like\)/);
  // a legacy BIOS environment: the UEFI bit is not among the characteristics
  expect(r.stdout).toContain('System is a virtual machine');
  expect(r.stdout).not.toContain('UEFI is supported');
  expect(r.stdout).toContain('End Of Table');
});
