/**
 * The three firmware paths end to end on the x86-64 CPU model: the default mono-image (and the bare
 * reference kernel) loaded by the built-in UEFI firmware, the Multiboot2 loader and the Linux loader, then
 * executed as real machine code until the reference kernel has started its root task. The console lines
 * checked are the kernel's own report of what the firmware handed over (TEAM.md console contract).
 */
import { describe, expect, it } from 'vitest';
import { IoPortBus } from '../../platform/memory/io-ports.js';
import { X86Cpu } from '../../platform/cpu/x86_64/cpu.js';
import { buildPcAcpiTables } from '../../platform/acpi/pc-tables.js';
import { installAcpiTables } from '../../boot/firmware/acpi.js';
import { applyX86Entry, runWithTraps } from '../../boot/firmware/x86-cpu-adapter.js';
import type { X86EntryState } from '../../boot/firmware/x86-entry.js';
import type { TrapRegistry } from '../../boot/firmware/traps.js';
import { loadBzImage } from '../../boot/bzimage/loader.js';
import { loadMultiboot2 } from '../../boot/multiboot2/loader.js';
import { buildArtefact, machine, MiB, type TestMachine } from './helpers.js';
import { uefiRig } from './uefi-setup.js';

const IMAGE = 'build/nova-x86_64.img';
const BUDGET = 20_000_000;

/** COM1 transmit register and isa-debug-exit, the two ports the contract uses. */
function cpuWithConsole(m: Pick<TestMachine, 'bus'>) {
  const io = new IoPortBus();
  const out: number[] = [];
  let lcr = 0;
  io.claim(0x3f8, 8, {
    read: (p) => (p === 0x3fd ? 0x60 : p === 0x3fb ? lcr : 0), // LSR: transmitter empty
    write: (p, _s, v) => {
      if (p === 0x3fb) lcr = v & 0xff;
      else if (p === 0x3f8 && !(lcr & 0x80)) out.push(v & 0xff); // DLAB clear: THR, not the divisor latch
    },
  });
  const cpu = new X86Cpu(m.bus, io);
  io.claim(0xf4, 1, { read: () => 0xff, write: (_p, _s, v) => cpu.requestExit(v, 'debug exit') });
  return { cpu, console: () => Buffer.from(out).toString('latin1').replaceAll('\r\n', '\n') };
}

function runToRootTask(m: Pick<TestMachine, 'bus'>, state: X86EntryState, traps?: TrapRegistry): string {
  const { cpu, console } = cpuWithConsole(m);
  applyX86Entry(cpu, state);
  if (traps) {
    // Firmware calls are serviced until the guest stops needing them, then the CPU runs freely.
    for (let i = 0; i < 400 && !console().includes('root: entering ring 3'); i++) {
      const r = runWithTraps(cpu, traps, 50_000);
      if (r.kind !== 'budget') break;
    }
  } else {
    cpu.run(BUDGET);
  }
  return console();
}

function pcMachine() {
  const m = machine(512 * MiB);
  const acpi = buildPcAcpiTables(m.board);
  const rsdp = installAcpiTables(m.bus, m.memory, acpi);
  return { ...m, acpi, rsdp };
}

const BANNER = 'NOVA-IMAGE REFERENCE KERNEL 0.1.0 (x86_64)\n';

describe('mono-image through the built-in firmware on the CPU model', () => {
  it('uefi: PE loaded by the firmware, loader stub uses boot services, exits them, kernel starts the root task', () => {
    const rig = uefiRig(512 * MiB);
    const image = rig.fw.loadImage(buildArtefact(IMAGE), 'BOOTX64.EFI', { commandLine: '' });
    const out = runToRootTask(rig, rig.fw.entryState(image), rig.fw.traps);
    expect(out.startsWith(BANNER), out).toBe(true);
    expect(out).toContain('boot: path=uefi loader=nova-image/uefi via nova-image magic=0x36d76289\n');
    expect(out).toContain(`efi: system table at 0x${rig.fw.systemTable.toString(16)} (tag 12)\n`);
    expect(out).toContain('efi: boot services already exited by the loader\n');
    expect(out).toContain('root: entering ring 3');
    expect(rig.fw.trace.events.filter((e) => e.kind === 'exit-boot-services').at(-1)?.data.outcome).toBe('EFI_SUCCESS');
  });

  it('uefi, stale map key: the firmware changes the map before the key check twice; the stub retries and boots', () => {
    const rig = uefiRig(512 * MiB, { staleMapKeyAttempts: 2 });
    const image = rig.fw.loadImage(buildArtefact(IMAGE), 'BOOTX64.EFI');
    const out = runToRootTask(rig, rig.fw.entryState(image), rig.fw.traps);
    const ebs = rig.fw.trace.events.filter((e) => e.kind === 'exit-boot-services');
    // UEFI 2.10, 7.4: a stale MapKey gives EFI_INVALID_PARAMETER; the loader must get a new map and retry.
    expect(ebs.map((e) => e.data.outcome)).toEqual(['EFI_INVALID_PARAMETER', 'EFI_INVALID_PARAMETER', 'EFI_SUCCESS']);
    expect(ebs[0]!.data.mapKey).toBeLessThan(ebs[0]!.data.currentMapKey as number);
    const calls = rig.fw.trace.events.filter((e) => e.kind === 'call').map((e) => e.name);
    const firstEbs = calls.indexOf('BS.ExitBootServices');
    expect(calls.slice(firstEbs + 1)).toContain('BS.GetMemoryMap'); // a fresh map between the attempts
    expect(out).toContain('boot: path=uefi ');
    expect(out).toContain('root: entering ring 3');
  });

  it('linux: 64-bit boot protocol entry with boot_params', () => {
    const m = pcMachine();
    const r = loadBzImage({ bus: m.bus, memory: m.memory, image: buildArtefact(IMAGE), file: IMAGE, commandLine: '', rsdpAddress: m.acpi.rsdpAddress, typeOfLoader: 0xb0 });
    const out = runToRootTask(m, r.entry);
    expect(out.startsWith(BANNER), out).toBe(true);
    expect(out).toMatch(/^boot: path=linux loader=nova-image\/linux via \S.* magic=0x36d76289$/m);
    expect(out).toContain('root: entering ring 3');
  });

  it('linux: 32-bit entry (code32_start)', () => {
    const m = pcMachine();
    const r = loadBzImage({ bus: m.bus, memory: m.memory, image: buildArtefact(IMAGE), file: IMAGE, commandLine: '', rsdpAddress: m.acpi.rsdpAddress, entry: '32' });
    const out = runToRootTask(m, r.entry);
    expect(out).toMatch(/^boot: path=linux /m);
    expect(out).toContain('root: entering ring 3');
  });

  it('multiboot2 (BIOS flavour): address/entry tags, i386 entry', () => {
    const m = pcMachine();
    const r = loadMultiboot2({ bus: m.bus, memory: m.memory, image: buildArtefact(IMAGE), file: IMAGE, commandLine: '', rsdp: m.rsdp, bootLoaderName: 'GRUB 2.06-13+deb12u1' });
    const out = runToRootTask(m, r.entry);
    expect(out).toContain('boot: path=multiboot2 loader=nova-image/multiboot2 via GRUB 2.06-13+deb12u1 magic=0x36d76289\n');
    expect(out).toContain('root: entering ring 3');
  });

  it('multiboot2 with the bare reference kernel: relocated high, root task as module 0', () => {
    const m = pcMachine();
    const r = loadMultiboot2({
      bus: m.bus, memory: m.memory, image: buildArtefact('build/kernel/x86_64/kernel.elf'), file: 'kernel.elf', commandLine: 'kernel.elf',
      modules: [{ bytes: buildArtefact('build/kernel/x86_64/root.elf'), string: 'root.elf' }], rsdp: m.rsdp, bootLoaderName: 'nova-image firmware',
    });
    const out = runToRootTask(m, r.entry);
    expect(out).toContain('boot: path=multiboot2 loader=nova-image firmware magic=0x36d76289\n');
    expect(out).toContain(`kernel: image at 0x${r.kernel.loadBase.toString(16)}, linked at 0x1000000, shift +0x${(r.kernel.loadBase - 0x1000000).toString(16)}`);
    expect(out).toContain('root: entering ring 3');
  });

  it('multiboot2 (EFI flavour) with a kernel that keeps boot services: the kernel itself calls ExitBootServices', () => {
    const rig = uefiRig(512 * MiB);
    const rsdp = rig.bus.readBytes(rig.acpi.rsdpAddress, 36);
    const r = loadMultiboot2({
      bus: rig.bus, memory: rig.memory, image: buildArtefact('build/kernel/x86_64/kernel-keepbs.elf'), file: 'kernel-keepbs.elf', commandLine: 'k',
      modules: [{ bytes: buildArtefact('build/kernel/x86_64/root.elf'), string: 'root.elf' }], rsdp, efi: { firmware: rig.fw, imageHandle: rig.fw.installLoaderImage() },
    });
    const out = runToRootTask(rig, r.entry, rig.fw.traps);
    expect(out.startsWith(BANNER), out).toBe(true);
    expect(out, JSON.stringify(rig.fw.trace.events.slice(-8))).toContain('root: entering ring 3');
    const calls = rig.fw.trace.events.filter((e) => e.kind === 'call').map((e) => e.name);
    expect(calls).toContain('BS.ExitBootServices');
    expect(rig.fw.ctx.exited).toBe(true);
  });
});
