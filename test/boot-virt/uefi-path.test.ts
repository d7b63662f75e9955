/**
 * Acceptance of the UEFI path on our virt board: the default aarch64 mono-image (build/nova-aarch64.img) is
 * loaded by the built-in UEFI firmware as \EFI\BOOT\BOOTAA64.EFI and its real PE entry (the aarch64 loader
 * stub) runs on the AArch64 CPU model at EL2 with the MMU on, calls boot services through trap addresses
 * (AAPCS64), performs ExitBootServices and launches the kernel; the root task runs and PSCI SYSTEM_OFF ends
 * the run. Its console equals QEMU + AAVMF (`-M virt,virtualization=on,gic-version=N`, the image on a FAT
 * disk) line by line under the UEFI rules of console-lines.ts, with GICv2 and GICv3. Bad PE input is a typed
 * error before the CPU starts; an image that returns from its entry point ends with its status.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError, NovaImageError } from '../../common/errors.js';
import { readPe } from '../../boot/uefi/pe.js';
import { R } from '../../platform/cpu/aarch64/int64.js';
import { SCTLR_EL2, TCR_EL2 } from '../../platform/cpu/aarch64/sysregs.js';
import { VirtMachine, bootVirtImage, type VirtBootResult } from '../../platform/machine/virt-machine.js';
import { startVirtUefi } from '../../platform/machine/virt-uefi.js';
import { aavmfArgs, espDirectory, runQemuAarch64, scratchDir } from '../image-aarch64/qemu-aarch64.js';
import { BANNER, ROOT_LINE, comparableLines, finalLine } from './console-lines.js';
import { Xorshift32 } from '../common/rng.js';

/** The reference stack needs about 250 000 instructions on this path; this bounds a runaway guest. */
const BUDGET = 20_000_000;
const MEMORY = '512M';
const MEMORY_BYTES = 512 * 2 ** 20;

let dir: string;
let imagePath: string;
let image: Uint8Array;

beforeAll(() => {
  imagePath = resolve('build/nova-aarch64.img');
  image = new Uint8Array(readFileSync(imagePath));
  dir = scratchDir('boot-virt-uefi');
});

function text(r: VirtBootResult): string {
  return Buffer.from(r.console).toString('latin1');
}

function uefiBoot(bytes: Uint8Array, gic: 2 | 3 = 3, file = imagePath, virtualization = true): Promise<VirtBootResult> {
  return bootVirtImage(bytes, { file, via: 'uefi', gic, memoryBytes: MEMORY_BYTES, maxInstructions: BUDGET, virtualization });
}

/** virtualization off: AAVMF and our firmware run at EL1 and enter the image there; PSCI goes over HVC. */
const CASES = [
  { gic: 2, virtualization: true },
  { gic: 3, virtualization: true },
  { gic: 2, virtualization: false },
] as const;

describe.each(CASES)('virt board, GICv$gic, virtualization $virtualization, --via uefi: same console as QEMU + AAVMF', ({ gic, virtualization }) => {
  it('runs the PE entry (stub), kernel and root task to PSCI SYSTEM_OFF; lines equal AAVMF apart from the named ones', async () => {
    const esp = espDirectory(dir, imagePath);
    const aavmf = await runQemuAarch64(['-m', MEMORY, ...aavmfArgs(dir), '-drive', `file=fat:rw:${esp},format=raw,media=disk`], {
      machine: `virt,virtualization=${virtualization ? 'on' : 'off'},gic-version=${gic}`,
      timeoutSeconds: 90,
    });
    expect(aavmf.status, aavmf.output).toBe(0);
    const el = virtualization ? 2 : 1;
    const conduit = virtualization ? 'smc' : 'hvc';

    const ours = await uefiBoot(image, gic, imagePath, virtualization);
    const console = text(ours);
    expect(ours.verdict.kind, `${ours.verdict.message}\n${ours.verdict.registers ?? ''}\n${console}`).toBe('power-off');
    expect(ours.verdict.exitStatus).toBe(0);
    expect(ours.path).toBe('uefi');
    expect(console).toContain(BANNER);
    expect(console).toMatch(/^boot: path=uefi loader=nova-image\/uefi via nova-image magic=0x36d76289\r?$/m);
    expect(console).toContain(ROOT_LINE);
    expect(console).toMatch(/^root: exited with status 0x10\r?$/m);
    expect(console).not.toContain('nova-image stub: fatal');

    const theirs = comparableLines(aavmf.output, 'uefi');
    const mine = comparableLines(console, 'uefi');
    // The comparison must cover the lines that matter, or an empty or early-ending console could pass.
    for (const needed of [BANNER, ROOT_LINE, finalLine(conduit), 'root: exited with status 0x10', 'modules: 1', 'cmdline: ""']) expect(theirs).toContain(needed);
    for (const prefix of ['boot: path=uefi ', `cpu: MIDR 0x411fd070, entered at EL${el}, kernel runs at EL1, loaded at `, 'module 0: <start>-<end> ', 'efi: system table <addr>, boot services exited', `psci: conduit ${conduit} (from <description>), version `, 'root: ELF at <addr>, entry ']) {
      expect(theirs.some((l) => l.startsWith(prefix)), `AAVMF console lacks "${prefix}"`).toBe(true);
    }
    expect(mine).toEqual(theirs);

    // What the rules hide, checked on each side: AAVMF describes the machine with ACPI only, ours with the FDT.
    expect(aavmf.output).toMatch(/^fdt: none\r?$/m);
    expect(aavmf.output).toMatch(/^acpi: tables: FACP APIC /m);
    expect(console).toMatch(/^acpi: none\r?$/m);
    expect(console).toMatch(/^fdt: at 0x[0-9a-f]+, \d+ bytes, model "linux,dummy-virt", compatible "linux,dummy-virt"\r?$/m);
    expect(console).toMatch(/^module 1: 0x[0-9a-f]+-0x[0-9a-f]+ \d+ bytes "fdt"\r?$/m);
    expect(console).toMatch(new RegExp(`^psci: conduit ${conduit} \\(from FDT /psci method\\), version 1\\.1\r?$`, 'm'));
    expect(console).toMatch(/^pci: no ECAM window\r?$/m);
    // The devices the kernel found in our EFI_DTB_TABLE are those of the Image path, whose summary
    // image-path.test.ts compares with QEMU -kernel.
    const linux = await bootVirtImage(image, { file: imagePath, via: 'linux', gic, memoryBytes: MEMORY_BYTES, maxInstructions: BUDGET, virtualization });
    const kinds = (s: string) => s.split(/\r?\n/).filter((l) => l.startsWith('fdt:   '));
    expect(kinds(console)).toEqual(kinds(text(linux)));
    expect(kinds(console)).toContain(`fdt:   ${gic === 2 ? 'arm,cortex-a15-gic' : 'arm,gic-v3'} x1`);
  }, 120_000);
});

describe('the UEFI path on virt, from the inside', () => {
  it('the stub reaches the firmware through trap addresses and exits boot services; two runs are identical', async () => {
    const a = await uefiBoot(image);
    const b = await uefiBoot(image);
    expect(text(b)).toBe(text(a));
    expect(b.verdict).toEqual(a.verdict);
    expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));

    const names = a.trace.map((e) => `${e.kind}:${e.name}`);
    expect(names).toEqual(expect.arrayContaining(['machine:board', 'firmware:uefi-ready', 'load:pe-image', 'start:StartImage', 'call:BS.HandleProtocol', 'call:BS.AllocatePages', 'call:BS.GetMemoryMap', 'call:BS.ExitBootServices', 'verdict:power-off']));
    const start = a.trace.find((e) => e.name === 'StartImage')!;
    expect(start.data).toMatchObject({ el: 2 });
    const ebs = a.trace.filter((e) => e.name === 'BS.ExitBootServices');
    expect(ebs.at(-1)!.data).toMatchObject({ result: 'EFI_SUCCESS' });
    // PSCI stays with the board: SMC from the kernel after ExitBootServices.
    const psci = a.trace.filter((e) => e.kind === 'call' && e.name === 'psci').map((e) => e.data.function);
    expect(psci).toEqual(['VERSION', 'SYSTEM_OFF']);

    // The facts: the PE went into LoaderCode memory, the FDT is a configuration table, entry state as the spec says.
    const fw = a.uefi!.firmware;
    expect(fw.configurationTables.map((t) => t.guid)).toContain('b1b621d5-f19c-41a5-830b-d9152c69aae0');
    expect(fw.configurationTables.map((t) => t.guid)).not.toContain('8868e871-e4f1-11d3-bc22-0080c73c8881');
    expect(a.uefi!.entry.sp % 16).toBe(0);
    expect(a.uefi!.entry.x).toEqual([a.uefi!.image.imageHandle, fw.systemTable]);
    expect(a.uefi!.image.pe.pe.coff.Machine).toBe(0xaa64);
  });

  it('enters at EL2 with the MMU on: identity map, RAM Normal write-back, devices Device-nGnRnE (UEFI 2.10, 2.3.6)', () => {
    const m = new VirtMachine({ memoryBytes: MEMORY_BYTES, gic: 3, console: () => {} });
    const { entry, firmware } = startVirtUefi(m, { image, file: imagePath, commandLine: '', modules: [] });
    const cpu = m.cpu;
    expect(cpu.el).toBe(2);
    expect(cpu.pc).toBe(entry.pc);
    expect(cpu.sys[2 * SCTLR_EL2]! & 0x1005).toBe(0x1005); // M, C, I
    expect(cpu.sys[2 * TCR_EL2]! & 0x3f).toBe(25); // T0SZ: 39-bit identity map
    expect(cpu.addr(2 * 30)).toBe(firmware.traps.functions.find((f) => f.name === 'ImageReturn')!.address);
    expect(cpu.daif).toBe(0x3c0);
    // AT S1E2R through the CPU's own walk: PA == VA, and the MAIR attribute the PAR reports.
    const at = (va: number) => {
      cpu.addressTranslate(va, 2, false);
      expect(R[0]! & 1, `PAR.F for 0x${va.toString(16)}`).toBe(0);
      return { pa: (R[1]! & 0xffff) * 2 ** 32 + ((R[0]! >>> 0) & 0xfffff000), attr: (R[1]! >>> 24) & 0xff };
    };
    expect(at(0x4020_0000)).toEqual({ pa: 0x4020_0000, attr: 0xff });
    expect(at(0x5fff_f000)).toEqual({ pa: 0x5fff_f000, attr: 0xff });
    expect(at(0x0900_0000)).toEqual({ pa: 0x0900_0000, attr: 0x00 }); // PL011
    expect(at(0x0800_0000)).toEqual({ pa: 0x0800_0000, attr: 0x00 }); // GIC distributor
    expect(entry.sp).toBeGreaterThan(0x4000_0000);
  });

  it('an image whose entry point returns ends the run with image-returned and its EFI status', async () => {
    // Patch the PE entry to `movz x0, #0; ret` (EFI_SUCCESS) and `movz x0, #3; movk x0, #0x8000, lsl #48; ret`
    // (EFI_UNSUPPORTED, error bit 63 set).
    const pe = readPe(image, imagePath);
    const entryRva = pe.optional.AddressOfEntryPoint;
    const section = pe.sections.find((s) => entryRva >= s.VirtualAddress && entryRva + 12 <= s.VirtualAddress + s.SizeOfRawData)!;
    const at = section.PointerToRawData + (entryRva - section.VirtualAddress);
    const MOVZ_X0 = 0xd2800000, MOVK_X0_LSL48 = 0xf2e00000, RET = 0xd65f03c0, NOP = 0xd503201f;
    const cases = [
      { code: [MOVZ_X0, RET, NOP], exitStatus: 0, name: 'EFI_SUCCESS' },
      { code: [MOVZ_X0 | (3 << 5), (MOVK_X0_LSL48 | (0x8000 << 5)) >>> 0, RET], exitStatus: 1, name: 'EFI_UNSUPPORTED' },
    ];
    for (const { code, exitStatus: expected, name } of cases) {
      const patched = image.slice();
      const v = new DataView(patched.buffer);
      code.forEach((word, i) => v.setUint32(at + 4 * i, word, true));
      const r = await uefiBoot(patched);
      expect(r.verdict.kind, r.verdict.message).toBe('image-returned');
      expect(r.verdict.exitStatus).toBe(expected);
      expect(r.verdict.message).toContain(name);
    }
  });

  it('an image that faults before installing its own vectors ends at the firmware vectors with a fault verdict', async () => {
    const pe = readPe(image, imagePath);
    const entryRva = pe.optional.AddressOfEntryPoint;
    const section = pe.sections.find((s) => entryRva >= s.VirtualAddress && entryRva < s.VirtualAddress + s.SizeOfRawData)!;
    const bad = image.slice();
    new DataView(bad.buffer).setUint32(section.PointerToRawData + (entryRva - section.VirtualAddress), 0, true); // udf #0
    const r = await uefiBoot(bad);
    expect(r.verdict.kind).toBe('fault');
    const entry = r.uefi!.image.pe.entry;
    expect(r.verdict.message).toBe(`exception taken to the UEFI firmware's vectors (VBAR_EL2 + 0x200: synchronous, current EL with SP_ELx): ESR_EL2 0x2000000, ELR_EL2 0x${entry.toString(16)}, FAR_EL2 0x0`);
    expect(r.verdict.registers).toMatch(/ELR_EL2 *=0*[0-9a-f]+/);
  });

  it('a stub error before ExitBootServices goes to ConOut (SimpleTextOutput) and returns through BS.Exit', async () => {
    // The kernel payload's e_machine says x86-64: the stub refuses it on the firmware console and exits.
    const bad = image.slice();
    const elfAt = Buffer.from(bad).indexOf('\x7fELF', 0x1000, 'latin1');
    expect(elfAt).toBeGreaterThan(0);
    new DataView(bad.buffer).setUint16(elfAt + 18, 0x3e, true);
    const r = await uefiBoot(bad);
    expect(text(r)).toMatch(/^nova-image stub: fatal: kernel "kernel\.elf" is not an AArch64 ELF64 file\r\n$/);
    expect(r.verdict.kind).toBe('image-returned');
    expect(r.verdict.message).toContain('EFI_LOAD_ERROR');
    expect(r.trace.map((e) => e.name)).toEqual(expect.arrayContaining(['ConOut.OutputString', 'BS.Exit']));
    expect(r.trace.map((e) => e.name)).not.toContain('BS.ExitBootServices');
  });

  it('a malformed PE through --via uefi is a typed error naming file, offset and field, before the CPU starts', async () => {
    const lfanew = new DataView(image.buffer, image.byteOffset).getUint32(0x3c, true);
    const beyond = image.slice();
    new DataView(beyond.buffer).setUint32(0x3c, image.length + 0x1000, true);
    const wrongMachine = image.slice();
    new DataView(wrongMachine.buffer).setUint16(lfanew + 4, 0x5064, true); // RISC-V 64
    const truncated = image.slice(0, lfanew + 0x40);
    for (const [bytes, field] of [[beyond, /e_lfanew|PE signature|offset/i], [wrongMachine, /Machine/], [truncated, /header|section|Optional|truncat/i]] as const) {
      const err = await uefiBoot(bytes, 3, 'bad.efi').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).message).toMatch(/^bad\.efi: offset 0x[0-9a-f]+: /);
      expect((err as FormatError).message).toMatch(field);
    }
  });

  it('corrupted PE images through --via uefi end in a typed error or a verdict, never a host crash', async () => {
    // A fixed-seed generator: the same corruptions on every run.
    const rng = new Xorshift32(0x1badb002);
    const rand = (n: number) => rng.below(n);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 16; i++) {
      // Truncations, then flips in the headers (first 4 KiB), then anywhere.
      const bad = i < 4 ? image.slice(0, rand(image.length)) : image.slice();
      if (i >= 4) for (let k = 0; k < 4; k++) bad[rand(i < 10 ? 0x1000 : bad.length)]! ^= 1 << rand(8);
      let outcome: string;
      try {
        const r = await bootVirtImage(bad, { file: `corrupt-${i}.efi`, via: 'uefi', gic: 3, maxInstructions: 1_000_000 });
        outcome = r.verdict.kind;
        if (outcome === 'fault') expect(r.verdict.registers, r.verdict.message).toBeTruthy();
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(NovaImageError);
        outcome = (e as Error).constructor.name;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(16);
    expect(outcomes.size, JSON.stringify([...outcomes])).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('modules cannot be given on the UEFI path (no file system): a usage error', async () => {
    await expect(bootVirtImage(image, { file: imagePath, via: 'uefi', modules: [{ file: 'm', bytes: new Uint8Array(4) }] })).rejects.toThrow(/--via uefi: .*no file system/);
  });
});
