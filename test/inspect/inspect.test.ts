import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inspection } from '../../boot/inspect/model.js';
import { encodeArm64ImageHeader } from '../../boot/bzimage/arm64-image.js';
import { ARM64, writePeHeaders } from '../../boot/uefi/pe.js';
import { objdumpPe } from '../boot/helpers/objdump.js';
import { readelf } from '../boot/helpers/readelf.js';
import { MEMTEST_BIN, MEMTEST_EFI, SYSTEMD_STUB, TBOOT_GZ, debianVmlinuz, grubStandaloneEfi, tbootElf } from '../boot/helpers/debian-images.js';
import { run, runStatus, tempDir } from '../boot/helpers/toolchain.js';

const CLI = 'dist/tools/nova-image.js';
const DIR = tempDir('nova-inspect-');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

function cli(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('node', [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
function inspectJson(path: string): Inspection {
  const r = cli(['inspect', '--json', path]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Inspection;
}
const section = (i: Inspection, id: string) => i.sections.find((s) => s.id === id);
const factOf = (i: Inspection, id: string, key: string) => section(i, id)?.facts.find((f) => f.key === key)?.value;
const grub = (flag: string, path: string) => runStatus('grub-file', [flag, path]).status === 0;
/** The header bytes as od reads them: the protocol version at 0x206, "major.minor" as boot.rst writes it. */
function protocolFromBytes(path: string): string {
  const [lo, hi] = run('od', ['-An', '-tu1', '-j0x206', '-N2', path]).trim().split(/\s+/).map(Number);
  return `${hi}.${String(lo).padStart(2, '0')}`;
}
/** PE facts as objdump reports them; undefined when objdump does not see a PE image. */
function objdumpFacts(path: string) {
  if (runStatus('objdump', ['-p', path]).status !== 0 || !/pei-/.test(run('objdump', ['-f', path]))) return undefined;
  const o = objdumpPe(path);
  const MACHINE: Record<string, string> = { 'pei-x86-64': '0x8664', 'pei-i386': '0x014c' };
  return {
    machine: MACHINE[o.format],
    subsystem: Number(BigInt(`0x${o.fields['Subsystem']}`)),
    entryRva: `0x${BigInt(`0x${o.fields['AddressOfEntryPoint']}`).toString(16)}`,
    sections: o.sections.map((s) => s.name),
  };
}

/** What the PE and Linux parts of the report must say, from objdump, od, file(1) and grub-file. */
function checkAgainstOracles(path: string, report: Inspection): void {
  const pe = objdumpFacts(path);
  expect(section(report, 'pe') !== undefined, 'PE found iff objdump sees one').toBe(pe !== undefined);
  if (pe) {
    expect(factOf(report, 'pe', 'machine')).toBe(pe.machine);
    expect(factOf(report, 'pe', 'subsystem')).toBe(pe.subsystem);
    expect(factOf(report, 'pe', 'entryRva')).toBe(pe.entryRva);
    expect(section(report, 'pe')!.tables[0]!.rows.map((r) => r.name)).toEqual(pe.sections);
    expect(grub('--is-x86_64-efi', path)).toBe(true);
  }
  const linux = grub('--is-x86-linux', path);
  expect(section(report, 'linux') !== undefined, 'Linux setup header found iff grub-file accepts it').toBe(linux);
  if (linux) {
    expect(factOf(report, 'linux', 'protocol')).toBe(protocolFromBytes(path));
    expect(run('file', ['-b', path])).toContain(`version ${factOf(report, 'linux', 'kernelVersion') as string}`);
  }
  expect(section(report, 'multiboot2') !== undefined, 'Multiboot2 found iff grub-file accepts it').toBe(grub('--is-x86-multiboot2', path));
  expect(section(report, 'multiboot1') !== undefined, 'Multiboot found iff grub-file accepts it').toBe(grub('--is-x86-multiboot', path));
  expect(report.problems).toEqual([]);
}

let vmlinuz = '';
let grubEfi = '';
let mono = '';
beforeAll(() => {
  vmlinuz = debianVmlinuz();
  grubEfi = grubStandaloneEfi();
  mono = join(DIR, 'nova.img');
  const built = cli(['build', '-o', mono]);
  expect(built.status, built.stderr).toBe(0);
});

describe('nova-image inspect on real Debian images', () => {
  it('memtest86+x64.efi: a PE32+ EFI application that is also a bzImage', () => {
    const r = inspectJson(MEMTEST_EFI);
    checkAgainstOracles(MEMTEST_EFI, r);
    expect(section(r, 'pe')).toBeDefined();
    expect(section(r, 'linux')).toBeDefined();
  });
  it('memtest86+x64.bin: a bzImage without PE', () => {
    const r = inspectJson(MEMTEST_BIN);
    checkAgainstOracles(MEMTEST_BIN, r);
    expect(section(r, 'pe')).toBeUndefined();
  });
  it('systemd-boot Linux EFI stub: PE only', () => {
    const r = inspectJson(SYSTEMD_STUB);
    checkAgainstOracles(SYSTEMD_STUB, r);
    expect(r.formats.length).toBe(1);
  });
  it('grub-mkstandalone -O x86_64-efi image', () => {
    const r = inspectJson(grubEfi);
    checkAgainstOracles(grubEfi, r);
    expect(section(r, 'pe')!.tables[0]!.rows.map((x) => x.name)).toContain('mods');
  });
  it("Debian's vmlinuz: signed PE + bzImage, protocol 2.15", () => {
    const r = inspectJson(vmlinuz);
    checkAgainstOracles(vmlinuz, r);
    expect(factOf(r, 'linux', 'protocol')).toBe('2.15');
    // sbverify sees the same Authenticode signature we report.
    expect(runStatus('sbverify', ['--list', vmlinuz]).output).toMatch(/signature 1/);
    expect(factOf(r, 'pe', 'signed')).toBe(true);
    expect(factOf(r, 'linux', 'payloadCompression')).not.toBe('unknown');
  });
  it('tboot.gz: gzip container around an ELF32 with Multiboot1 and Multiboot2 headers', () => {
    const r = inspectJson(TBOOT_GZ);
    expect(r.formats[0]).toBe('gzip');
    const elf = tbootElf();
    const ref = readelf(elf);
    expect(factOf(r, 'elf', 'class')).toBe(ref.header['Class']);
    expect(factOf(r, 'elf', 'entry')).toBe(`0x${BigInt(ref.header['Entry point address']!).toString(16)}`);
    expect(factOf(r, 'elf', 'machine')).toBe(3);
    expect(section(r, 'elf')!.tables[0]!.rows.length).toBe(ref.segments.length);
    expect(grub('--is-x86-multiboot', elf)).toBe(true);
    expect(grub('--is-x86-multiboot2', elf)).toBe(true);
    expect(section(r, 'multiboot1')).toBeDefined();
    expect(section(r, 'multiboot2')).toBeDefined();
    const inner = inspectJson(elf);
    expect(inner.sections.map((s) => s.id)).toEqual(r.sections.filter((s) => s.id !== 'container').map((s) => s.id));
  });
});

describe('nova-image inspect on our own mono-image', () => {
  it('finds PE, Linux, Multiboot2 and the catalog; every payload hash checks', () => {
    const r = inspectJson(mono);
    checkAgainstOracles(mono, r);
    expect(section(r, 'multiboot2')).toBeDefined();
    expect(factOf(r, 'catalog', 'hashesOk')).toBe(true);
    const rows = section(r, 'catalog')!.tables[0]!.rows;
    expect(rows.map((x) => x.type)).toEqual(expect.arrayContaining(['kernel', 'root']));
    expect(rows.every((x) => x.hash === 'ok')).toBe(true);
    expect(rows.find((x) => x.type === 'kernel')!.details).toMatch(/^ELF64 EXEC .*; Multiboot2 tags [0-9,]+$/);
    expect(rows.find((x) => x.type === 'root')!.details).toMatch(/root-task rules satisfied$/);
  });
  it('a corrupted payload: the report shows the mismatch, exit code 2, error names the sha256 field', () => {
    const r = inspectJson(mono);
    const root = section(r, 'catalog')!.tables[0]!.rows.find((x) => x.type === 'root')!;
    const bytes = new Uint8Array(readFileSync(mono));
    bytes[Number(root.offset) + 100]! ^= 0xff;
    const bad = join(DIR, 'corrupt.img');
    writeFileSync(bad, bytes);
    const out = cli(['inspect', bad]);
    expect(out.status).toBe(2);
    expect(out.stdout).toMatch(/MISMATCH/);
    expect(out.stderr).toMatch(new RegExp(`corrupt\\.img: offset 0x[0-9a-f]+: nova_catalog_entry\\[${root.index}\\]\\.sha256`));
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('nova-image inspect on an arm64 Image with a PE header', () => {
  it('shows the Image header and the ARM64 PE; file(1) agrees on the Image facts', () => {
    const bytes = new Uint8Array(0x3000);
    bytes.set(encodeArm64ImageHeader({ code0: 0x91005a4d, code1: 0x14000400, image_size: 0x3000n, flags: 0b1010n, res5: 0x40 }));
    writePeHeaders(new DataView(bytes.buffer), {
      machine: ARM64,
      characteristics: 0x206,
      peOffset: 0x40,
      optional: { AddressOfEntryPoint: 0x1000, ImageBase: 0n, SectionAlignment: 0x1000, FileAlignment: 0x200, SizeOfImage: 0x3000, SizeOfHeaders: 0x1000, Subsystem: 10 },
      sections: [{ Name: '.text', VirtualSize: 0x2000, VirtualAddress: 0x1000, SizeOfRawData: 0x2000, PointerToRawData: 0x1000, Characteristics: 0x60000020 }],
    });
    const path = join(DIR, 'Image');
    writeFileSync(path, bytes);
    expect(run('file', ['-b', path])).toMatch(/Linux kernel ARM64 boot executable Image, little-endian, 4K pages/);
    const r = inspectJson(path);
    expect(factOf(r, 'arm64', 'imageSize')).toBe('0x3000');
    expect(factOf(r, 'arm64', 'peOffset')).toBe('0x40');
    expect(factOf(r, 'pe', 'machine')).toBe('0xaa64');
    expect(r.problems).toEqual([]);
  });
});

describe('nova-image inspect on bad input', () => {
  const cases: Array<[string, () => Uint8Array, RegExp]> = [
    ['empty file', () => new Uint8Array(0), /no known boot image format/],
    ['text file', () => new Uint8Array(Buffer.from('hello, this is not a kernel\n'.repeat(10))), /no known boot image format/],
    ['truncated ELF', () => new Uint8Array(readFileSync(tbootElf())).slice(0, 40), /offset 0x28: Elf32_Ehdr\.e_ehsize: truncated: needs 42 bytes, file has 40/],
    ['PE with e_lfanew past the end', () => {
      const b = new Uint8Array(readFileSync(SYSTEMD_STUB)).slice(0, 0x400);
      new DataView(b.buffer).setUint32(0x3c, 0x10000, true);
      return b;
    }, /offset 0x3c: IMAGE_DOS_HEADER\.e_lfanew/],
    ['bzImage cut inside the setup header', () => new Uint8Array(readFileSync(MEMTEST_BIN)).slice(0, 0x230), /setup_header/],
    ['corrupt gzip', () => new Uint8Array(readFileSync(TBOOT_GZ)).slice(0, 1000), /gzip/],
  ];
  for (const [name, make, message] of cases) {
    it(`${name}: typed error, exit code 2, no stack trace`, () => {
      const path = join(DIR, name.replace(/\W+/g, '-'));
      writeFileSync(path, make());
      const r = cli(['inspect', path]);
      expect(r.status, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(path);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    });
  }
  it('a missing file: exit code 2', () => {
    const r = cli(['inspect', join(DIR, 'does-not-exist')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*ENOENT/);
  });
  it('--json and text describe the same facts', () => {
    const r = inspectJson(MEMTEST_EFI);
    const text = cli(['inspect', MEMTEST_EFI]).stdout;
    for (const s of r.sections) {
      expect(text).toContain(s.title);
      for (const f of s.facts) expect(text).toContain(f.text ?? String(f.value));
    }
  });
});
