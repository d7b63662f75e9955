/**
 * Differential test against the real GRUB: the LOADER helper's Multiboot2 probe kernel (test/loader/fixtures,
 * built here with gcc) prints the tag types of the information structure it received, in order, plus its
 * command line and CPU state. It boots once under QEMU + GRUB (BIOS, grub-mkrescue ISO; and UEFI via
 * OVMF) and once under our Multiboot2 loader on the x86-64 CPU model. GRUB emits tags for hardware our board
 * does not describe (BIOS boot device 5, VBE/framebuffer 7/8, APM 10, and on BIOS SMBIOS 13 from SeaBIOS);
 * with those removed from GRUB's list, the two sequences must be identical: same tags, same order.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IoPortBus } from '../../platform/memory/io-ports.js';
import { X86Cpu } from '../../platform/cpu/x86_64/cpu.js';
import { buildPcAcpiTables } from '../../platform/acpi/pc-tables.js';
import { installAcpiTables } from '../../boot/firmware/acpi.js';
import { applyX86Entry } from '../../boot/firmware/x86-cpu-adapter.js';
import { loadMultiboot2 } from '../../boot/multiboot2/loader.js';
import { buildProbeKernel } from '../loader/probe.js';
import { grubIso, ovmfArgs, runQemu, scratchDir } from '../image/qemu.js';
import { buildArtefact, machine, MiB } from './helpers.js';
import { uefiRig } from './uefi-setup.js';

const DIR = scratchDir('fw-grub-diff');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
let probe = '';
let iso = '';
beforeAll(() => {
  probe = buildProbeKernel(DIR);
  iso = grubIso(DIR, probe, 'multiboot2', 'probe-arg');
});

/** Tags that describe devices or firmware features the emulated board does not have. */
const BOARD_DEPENDENT = new Set([5, 7, 8, 10]);

function probeLines(serial: string) {
  const text = serial.replaceAll('\r', '');
  const tags = /^PROBE: tags=([\d,]+)$/m.exec(text)?.[1]?.split(',').filter(Boolean).map(Number);
  const loader = /^PROBE: magic=(0x[0-9a-f]+) loader=(.*)$/m.exec(text);
  const cmdline = /^PROBE: cmdline=(.*)$/m.exec(text)?.[1]?.replace(/\0$/, '');
  const paging = /^PROBE: paging=.*$/m.exec(text)?.[0];
  return { tags, magic: loader?.[1], loader: loader?.[2]?.replace(/\0$/, ''), cmdline, paging, done: text.includes('PROBE: done') };
}

function runOurs(m: ReturnType<typeof machine>, entry: Parameters<typeof applyX86Entry>[1]): string {
  const io = new IoPortBus();
  const out: number[] = [];
  let lcr = 0;
  io.claim(0x3f8, 8, {
    read: (p) => (p === 0x3fd ? 0x60 : p === 0x3fb ? lcr : 0),
    write: (p, _s, v) => {
      if (p === 0x3fb) lcr = v & 0xff;
      else if (p === 0x3f8 && !(lcr & 0x80)) out.push(v & 0xff);
    },
  });
  const cpu = new X86Cpu(m.bus, io);
  io.claim(0xf4, 4, { read: () => 0xffffffff, write: (_p, _s, v) => cpu.requestExit(v, 'debug exit') });
  applyX86Entry(cpu, entry);
  cpu.run(5_000_000);
  return Buffer.from(out).toString('latin1');
}

describe('Multiboot2 information structure: our loader against GRUB on the same probe kernel', () => {
  it('BIOS: GRUB i386-pc under QEMU vs our BIOS flavour', () => {
    const grub = probeLines(runQemu(DIR, ['-M', 'q35', '-cdrom', iso], 60).serial);
    expect(grub.done, 'GRUB run did not finish').toBe(true);
    const m = machine(512 * MiB);
    const rsdp = installAcpiTables(m.bus, m.memory, buildPcAcpiTables(m.board));
    const r = loadMultiboot2({ bus: m.bus, memory: m.memory, image: buildArtefact(probe), file: probe, commandLine: grub.cmdline!, bootLoaderName: grub.loader!, rsdp });
    const ours = probeLines(runOurs(m, r.entry));
    expect(ours.done).toBe(true);
    expect(ours.magic).toBe(grub.magic);
    expect(ours.loader).toBe(grub.loader);
    expect(ours.cmdline).toBe(grub.cmdline);
    expect(ours.paging).toBe(grub.paging);
    // SeaBIOS publishes SMBIOS (13) and a revision-0 RSDP (no tag 15); our board has no BIOS SMBIOS and a
    // revision-2 RSDP, so we emit 15 where GRUB puts it when it finds one (right after 14, as on OVMF below).
    expect(ours.tags!.filter((t) => t !== 15), JSON.stringify({ grub: grub.tags, ours: ours.tags })).toEqual(grub.tags!.filter((t) => !BOARD_DEPENDENT.has(t) && t !== 13));
    expect(ours.tags![ours.tags!.indexOf(14) + 1]).toBe(15);
  });

  it('UEFI: GRUB x86_64-efi under OVMF vs our EFI flavour (kernel without tag 7: ExitBootServices + tag 17)', () => {
    const grub = probeLines(runQemu(DIR, ['-M', 'q35', ...ovmfArgs(DIR), '-cdrom', iso], 90).serial);
    expect(grub.done, 'GRUB EFI run did not finish').toBe(true);
    const rig = uefiRig(512 * MiB);
    const rsdp = rig.bus.readBytes(rig.acpi.rsdpAddress, 36);
    const r = loadMultiboot2({ bus: rig.bus, memory: rig.memory, image: buildArtefact(probe), file: probe, commandLine: grub.cmdline!, bootLoaderName: grub.loader!, rsdp, efi: { firmware: rig.fw, imageHandle: rig.fw.installLoaderImage() } });
    const ours = probeLines(runOurs(rig as never, r.entry));
    expect(ours.done).toBe(true);
    expect(ours.paging).toBe(grub.paging);
    expect(ours.tags, JSON.stringify({ grub: grub.tags, ours: ours.tags })).toEqual(grub.tags!.filter((t) => !BOARD_DEPENDENT.has(t)));
  });
});
