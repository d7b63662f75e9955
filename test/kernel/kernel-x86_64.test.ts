/**
 * The x86_64 reference kernel and root task (kernel/x86_64/), booted directly by GRUB (`multiboot2`,
 * `module2`) on QEMU q35 and pc with SeaBIOS, and by GRUB EFI on OVMF. Expected values come from the
 * outside: the files' sizes, GRUB's own version string, the machine's RAM size, readelf, nm, and MB2 tag
 * 21 (where GRUB says it put the relocatable image).
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootIso, type Boot, bytesOf, grubIso, KERNEL_BUILD, readelf, run } from './grub-qemu.js';

const KERNEL = join(KERNEL_BUILD, 'kernel.elf');
const KERNEL_KEEPBS = join(KERNEL_BUILD, 'kernel-keepbs.elf');
const ROOT = join(KERNEL_BUILD, 'root.elf');
const rootVariant = (fault: string) => join(KERNEL_BUILD, `root-${fault}.elf`);
const FAULT_VARIANTS = ['ud', 'gp', 'pf', 'nx'] as const;

const BANNER = 'NOVA-IMAGE REFERENCE KERNEL 0.1.0 (x86_64)';
const CMDLINE = 'nova.test=1 console=serial verbose'; // GRUB re-joins arguments with single spaces
const EXIT_SUCCESS = (0x10 << 1) | 1; // root task status 0x10 through isa-debug-exit
const EXIT_FAULT = (0x20 << 1) | 1; // the kernel's failure status 0x20
const LINK_BASE = 0x1000000;
const MIB = 1 << 20;

let dir: string;
let extraModule: string;
const isos: Record<string, Promise<string>> = {};

function iso(tag: 'standard' | 'keepbs' | 'ud' | 'gp' | 'pf' | 'nx'): Promise<string> {
  return isos[tag]!;
}

beforeAll(() => {
  for (const f of [KERNEL, KERNEL_KEEPBS, ROOT, ...FAULT_VARIANTS.map(rootVariant)])
    if (!existsSync(f)) throw new Error(`${f} is missing: the guest build (make -s guests) failed, see test/build.test.ts`);
  dir = mkdtempSync(join(tmpdir(), 'nova-kernel-'));
  extraModule = join(dir, 'extra.bin');
  writeFileSync(extraModule, Buffer.alloc(5000, 0xa5));
  const modules = (root: string) => [{ file: root, name: 'root' }, { file: extraModule, name: 'extra-module' }];
  isos.standard = grubIso(dir, 'standard', KERNEL, CMDLINE, modules(ROOT));
  isos.keepbs = grubIso(dir, 'keepbs', KERNEL_KEEPBS, CMDLINE, modules(ROOT));
  for (const fault of FAULT_VARIANTS) isos[fault] = grubIso(dir, fault, KERNEL, CMDLINE, modules(rootVariant(fault)));
  // Rejections surface in the tests that await them.
  for (const p of Object.values(isos)) p.catch(() => undefined);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function line(b: Boot, re: RegExp): RegExpMatchArray {
  for (const l of b.console) {
    const m = l.match(re);
    if (m) return m;
  }
  throw new Error(`no console line matches ${re}\n--- console ---\n${b.console.join('\n')}\n--- raw tail ---\n${b.raw.slice(-2000)}`);
}

/** Where the kernel says it runs, and where GRUB (tag 21) says it put it: they must agree. */
function loadAddress(b: Boot): number {
  const runs = Number.parseInt(line(b, /^kernel: image at 0x([0-9a-f]+), linked at 0x1000000, shift [+-]0x[0-9a-f]+, nx=on$/)[1]!, 16);
  const tag21 = Number.parseInt(line(b, /^kernel: loader reports load base 0x([0-9a-f]+) \(MB2 tag 21\)$/)[1]!, 16);
  expect(runs).toBe(tag21);
  expect(runs % (2 * MIB)).toBe(0);
  return runs;
}

async function grubVersion(): Promise<string> {
  const r = await run('grub-mkrescue', ['--version']);
  return r.stdout.trim().replace(/^grub-mkrescue \(GRUB\) /, '');
}

function expectSuccessfulRun(b: Boot): void {
  expect(b.console[0], b.raw.slice(-3000)).toBe(BANNER);
  expect(b.console).toContain('ROOT: hello from user mode');
  expect(b.console).toContain('kernel: root task exited with status 0x10');
  expect(b.status, b.console.join('\n')).toBe(EXIT_SUCCESS);
}

describe('reference kernel ELF (readelf, grub-file, the Multiboot2 header bytes)', () => {
  it('root task and its fault variants obey NOVA root rules per readelf -l', async () => {
    for (const f of [ROOT, ...FAULT_VARIANTS.map(rootVariant)]) {
      expect(await readelf(['-hW', f])).toMatch(/Type:\s+EXEC/);
      const loads = [...(await readelf(['-lW', f])).matchAll(/^\s*LOAD\s+(0x\S+)\s+(0x\S+)\s+0x\S+\s+(0x\S+)\s+(0x\S+)/gm)];
      expect(loads.length, f).toBeGreaterThanOrEqual(2);
      for (const [, offset, vaddr, filesz, memsz] of loads) {
        expect(BigInt(filesz!), `${f} p_filesz == p_memsz`).toBe(BigInt(memsz!));
        expect((BigInt(vaddr!) - BigInt(offset!)) % 4096n, `${f} p_vaddr ≡ p_offset mod 4 KiB`).toBe(0n);
      }
    }
  });

  it('kernel: physical e_entry inside the first PT_LOAD, all p_paddr below 4 GiB, higher-half code', async () => {
    for (const f of [KERNEL, KERNEL_KEEPBS]) {
      const entry = BigInt((await readelf(['-hW', f])).match(/Entry point address:\s+(0x[0-9a-f]+)/)![1]!);
      const loads = [...(await readelf(['-lW', f])).matchAll(/^\s*LOAD\s+0x\S+\s+(0x\S+)\s+(0x\S+)\s+0x\S+\s+(0x\S+)/gm)].map((m) => ({
        vaddr: BigInt(m[1]!),
        paddr: BigInt(m[2]!),
        memsz: BigInt(m[3]!),
      }));
      expect(entry).toBeGreaterThanOrEqual(loads[0]!.paddr);
      expect(entry).toBeLessThan(loads[0]!.paddr + loads[0]!.memsz);
      expect(loads[0]!.paddr).toBe(BigInt(LINK_BASE));
      for (const l of loads) expect(l.paddr + l.memsz).toBeLessThan(1n << 32n);
      expect(loads.some((l) => l.vaddr >= 0xffffffff80000000n)).toBe(true);
    }
  });

  it('grub-file accepts both kernels as x86 Multiboot2', async () => {
    for (const f of [KERNEL, KERNEL_KEEPBS]) expect((await run('grub-file', ['--is-x86-multiboot2', f])).status, f).toBe(0);
  });

  it('MB2 header has NOVA\'s tag shape: 6, 10 (2 MiB..4 GiB-1, align 2 MiB), and 7 only in the keepbs build', () => {
    const tagsOf = (file: string) => {
      const b = bytesOf(file);
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let off = 0; off + 16 <= Math.min(b.length, 32768); off += 8) {
        if (v.getUint32(off, true) !== 0xe85250d6) continue;
        const length = v.getUint32(off + 8, true);
        expect((v.getUint32(off, true) + v.getUint32(off + 4, true) + length + v.getUint32(off + 12, true)) >>> 0).toBe(0);
        const tags: { type: number; fields: number[] }[] = [];
        for (let t = off + 16; t < off + length; ) {
          const type = v.getUint16(t, true);
          const size = v.getUint32(t + 4, true);
          const fields: number[] = [];
          for (let f = t + 8; f + 4 <= t + size; f += 4) fields.push(v.getUint32(f, true));
          tags.push({ type, fields });
          if (type === 0) break;
          t += (size + 7) & ~7;
        }
        return tags;
      }
      throw new Error(`${file}: no Multiboot2 header in the first 32 KiB`);
    };
    const standard = tagsOf(KERNEL);
    const keepbs = tagsOf(KERNEL_KEEPBS);
    expect(standard.map((t) => t.type)).toEqual([6, 10, 0]);
    expect(keepbs.map((t) => t.type)).toEqual([6, 7, 10, 0]);
    expect(standard[1]!.fields).toEqual([0x200000, 0xffffffff, 0x200000, 2]);
  });
});

describe('reference kernel booted by GRUB multiboot2 (QEMU 7.2)', () => {
  it.concurrent('q35 + SeaBIOS: banner, boot line, modules, command line, ACPI, root task, exit code 33', async () => {
    const b = await bootIso(dir, await iso('standard'), 'q35', { machine: 'q35', memory: '256M', firmware: 'bios' });
    expectSuccessfulRun(b);
    expect(b.console[1]).toBe(`boot: path=multiboot2 loader=GRUB ${await grubVersion()} magic=0x36d76289`);
    // modules in order, named by their module2 arguments, sized like the files GRUB loaded
    const m0 = line(b, /^module: 0 name="root" start=0x([0-9a-f]+) end=0x[0-9a-f]+ size=(\d+) \(root task\)$/);
    expect(Number(m0[2])).toBe(statSync(ROOT).size);
    expect(Number.parseInt(m0[1]!, 16) % 4096).toBe(0); // header tag 6
    const m1 = line(b, /^module: 1 name="extra-module" start=0x[0-9a-f]+ end=0x[0-9a-f]+ size=(\d+)$/);
    expect(Number(m1[1])).toBe(statSync(extraModule).size);
    expect(b.console).toContain('modules: 2');
    expect(b.console).toContain(`cmdline: "${CMDLINE}"`);
    // memory: nearly all of -m 256M is available, in a range starting at 1 MiB
    const kib = Number(line(b, /^mmap: total available (\d+) KiB$/)[1]);
    expect(kib).toBeGreaterThan(250 * 1024);
    expect(kib).toBeLessThanOrEqual(256 * 1024);
    line(b, /^mmap: \[0x0000000000100000-0x[0-9a-f]{16}\] available$/);
    // ACPI: SeaBIOS gives an ACPI 1.0 RSDP (tag 14), so the RSDT lists the tables; q35 has an MCFG
    line(b, /^acpi: rsdp at 0x[0-9a-f]+ \(copy in MB2 tag 14\) revision=0 oem="BOCHS " rsdt=0x[0-9a-f]+ xsdt=0x0$/);
    const sigs = line(b, /^acpi: RSDT lists \d+ tables: (.*)$/)[1]!.split(' ');
    expect(sigs).toEqual(expect.arrayContaining(['FACP', 'APIC', 'HPET', 'MCFG']));
    line(b, /^acpi: DSDT at 0x[0-9a-f]+ length=\d+ revision=\d+ oem="BOCHS " checksum=ok \(via FACP\)$/);
    line(b, /^acpi: S5 SLP_TYPa=0 SLP_TYPb=0 PM1a_CNT=0x604 PM1b_CNT=0x0$/);
    // relocated by GRUB (tag 10, preference high): above the link address, and where tag 21 says
    expect(loadAddress(b)).toBeGreaterThan(LINK_BASE);
    // the root task's segments are mapped where the module lies, not copied
    const seg = line(b, /^root: segment \d+ vaddr=0x400000 size=0x[0-9a-f]+ r-x mapped in place at phys 0x([0-9a-f]+)$/);
    expect(Number.parseInt(seg[1]!, 16)).toBe(Number.parseInt(m0[1]!, 16) + 0x1000);
    // the console contract's order
    const at = (re: RegExp) => b.console.findIndex((l) => re.test(l));
    expect(at(/^boot: path=/)).toBe(1);
    expect(at(/^mmap: /)).toBeLessThan(at(/^module: /));
    expect(at(/^module: /)).toBeLessThan(at(/^cmdline: /));
    expect(at(/^cmdline: /)).toBeLessThan(at(/^acpi: rsdp/));
    expect(at(/^acpi: rsdp/)).toBeLessThan(at(/^ROOT: hello/));
  });

  it.concurrent('pc + SeaBIOS, 512 MiB: same run; the i440fx machine has no MCFG', async () => {
    const b = await bootIso(dir, await iso('standard'), 'pc', { machine: 'pc', memory: '512M', firmware: 'bios' });
    expectSuccessfulRun(b);
    const sigs = line(b, /^acpi: RSDT lists \d+ tables: (.*)$/)[1]!.split(' ');
    expect(sigs).toEqual(expect.arrayContaining(['FACP', 'APIC', 'HPET']));
    expect(sigs).not.toContain('MCFG');
    expect(b.console).toContain(`cmdline: "${CMDLINE}"`);
    expect(loadAddress(b)).toBeGreaterThan(256 * MIB); // preference high: the top of 512 MiB
  });

  it.concurrent('relocation below the link address: with 12 MiB of RAM GRUB shifts the image down', async () => {
    const b = await bootIso(dir, await iso('standard'), 'q35-12m', { machine: 'q35', memory: '12M', firmware: 'bios' });
    expectSuccessfulRun(b);
    expect(loadAddress(b)).toBeLessThan(LINK_BASE);
    line(b, /^kernel: image at 0x[0-9a-f]+, linked at 0x1000000, shift -0x[0-9a-f]+, nx=on$/);
  });

  it.concurrent('without isa-debug-exit the kernel powers off through ACPI S5 (QEMU exits 0, not by timeout)', async () => {
    const b = await bootIso(dir, await iso('standard'), 's5', { machine: 'q35', memory: '256M', firmware: 'bios', debugExit: false });
    expect(b.console).toContain('kernel: root task exited with status 0x10');
    expect(b.console.at(-1)).toBe('kernel: no isa-debug-exit device; powering off through ACPI S5 (PM1a_CNT 0x604 SLP_TYP 0)');
    expect(b.status).toBe(0);
  });

  it.concurrent('a machine without ACPI (pc, -no-acpi): the kernel says there is no RSDP and still runs the root task', async () => {
    const b = await bootIso(dir, await iso('standard'), 'no-acpi', { machine: 'pc', memory: '256M', firmware: 'bios', extraArgs: ['-no-acpi'] });
    expectSuccessfulRun(b);
    expect(b.console).toContain('acpi: no RSDP (no MB2 tag 14 or 15)');
    expect(b.console.some((l) => l.startsWith('acpi: S5'))).toBe(false);
  });

  it.concurrent('a CPU without NX: EFER.NXE stays clear (setting it would #GP) and the run succeeds', async () => {
    const b = await bootIso(dir, await iso('standard'), 'no-nx', { machine: 'q35', memory: '256M', firmware: 'bios', cpu: 'qemu64,-nx' });
    expectSuccessfulRun(b);
    line(b, /^kernel: image at 0x[0-9a-f]+, linked at 0x1000000, shift [+-]0x[0-9a-f]+, nx=unsupported$/);
  });

  it.concurrent('a CPU without long mode: the 32-bit entry says so and ends the run with the failure status', async () => {
    const b = await bootIso(dir, await iso('standard'), 'qemu32', { machine: 'q35', memory: '256M', firmware: 'bios', cpu: 'qemu32' });
    expect(b.raw).toMatch(/^FATAL: no long mode\r?$/m);
    expect(b.console).toEqual([]); // nothing after the entry code: no banner
    expect(b.status).toBe(EXIT_FAULT);
  });

  const faults = [
    { fault: 'ud', dump: 'FAULT: #UD invalid opcode (vector 6, error 0x0) in user mode' },
    { fault: 'gp', dump: 'FAULT: #GP general protection (vector 13, error 0x0) in user mode' },
    // error 0x7: present page, write, user mode
    { fault: 'pf', dump: 'FAULT: #PF page fault (vector 14, error 0x7) in user mode' },
    // error 0x15: present page, user mode, instruction fetch (the NX bit of the data segment's pages)
    { fault: 'nx', dump: 'FAULT: #PF page fault (vector 14, error 0x15) in user mode' },
  ] as const;
  for (const { fault, dump } of faults)
    it.concurrent(`a root task that faults (${fault}) ends the run with a register dump and failure status`, async () => {
      const b = await bootIso(dir, await iso(fault), fault, { machine: 'q35', memory: '256M', firmware: 'bios' });
      expect(b.console).toContain('ROOT: hello from user mode');
      expect(b.console).toContain(dump);
      if (fault !== 'nx') line(b, /^ {2}rip=0000000000400[0-9a-f]{3} cs=0023 rflags=[0-9a-f]{16}$/);
      line(b, /^ {2}r13=[0-9a-f]{16} r14=[0-9a-f]{16} r15=[0-9a-f]{16}$/);
      expect(b.console.at(-1)).toBe('kernel: root task faulted; ending the run with failure status 0x20');
      expect(b.console).not.toContain('kernel: root task exited with status 0x10');
      if (fault === 'pf' || fault === 'nx') {
        // CR2 is the read-only string written to / the data buffer jumped to: its address from nm
        const symbol = fault === 'pf' ? 'r greeting' : 'd buffer';
        const nm = await run('nm', [rootVariant(fault)]);
        const address = nm.stdout.match(new RegExp(`^([0-9a-f]{16}) ${symbol}$`, 'm'))![1];
        line(b, new RegExp(`^ {2}rsp=[0-9a-f]{16} ss=001b cr2=${address} cr3=[0-9a-f]{16}$`));
        if (fault === 'nx') line(b, new RegExp(`^ {2}rip=${address} cs=0023 rflags=[0-9a-f]{16}$`));
      }
      expect(b.status).toBe(EXIT_FAULT);
    });

  it.concurrent('GRUB EFI on OVMF: GRUB exits boot services, ACPI 2.0 through the XSDT', async () => {
    const b = await bootIso(dir, await iso('standard'), 'ovmf', { machine: 'q35', memory: '256M', firmware: 'ovmf' });
    expectSuccessfulRun(b);
    expect(b.console[1]).toBe(`boot: path=multiboot2 loader=GRUB ${await grubVersion()} magic=0x36d76289`);
    line(b, /^efi: system table at 0x[0-9a-f]+ \(tag 12\)$/);
    expect(b.console).toContain('efi: boot services already exited by the loader');
    line(b, /^acpi: rsdp at 0x[0-9a-f]+ \(copy in MB2 tag 15\) revision=2 oem="BOCHS " rsdt=0x[0-9a-f]+ xsdt=0x[0-9a-f]+$/);
    const sigs = line(b, /^acpi: XSDT lists \d+ tables: (.*)$/)[1]!.split(' ');
    expect(sigs).toEqual(expect.arrayContaining(['FACP', 'APIC', 'HPET', 'MCFG']));
    loadAddress(b);
  });

  it.concurrent('keepbs build on GRUB EFI/OVMF: entered in long mode with boot services kept, it clears bus mastering and calls ExitBootServices itself', async () => {
    const b = await bootIso(dir, await iso('keepbs'), 'ovmf-keepbs', { machine: 'q35', memory: '256M', firmware: 'ovmf' });
    expectSuccessfulRun(b);
    line(b, /^efi: image handle 0x[0-9a-f]+ \(tag 20\)$/);
    expect(b.console).toContain('efi: boot services still active (tag 18), as this kernel asked with header tag 7');
    const pci = line(b, /^pci: bus master enable cleared on (\d+) of (\d+) functions before ExitBootServices$/);
    expect(Number(pci[2])).toBeGreaterThan(3); // q35: host bridge, LPC, SATA, SMBus, VGA ...
    line(b, /^efi: kernel called ExitBootServices itself: success after [12] attempt\(s\)$/);
    loadAddress(b);
  });
});
