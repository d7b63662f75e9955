/**
 * The aarch64 reference kernel on its own: QEMU -kernel loads the plain ELF (no boot protocol, X0 = 0, DTB
 * at the start of RAM). The kernel must come up at EL1 with its MMU on, report that it has no Multiboot2
 * information and no root task, and still end the run through PSCI. Also its ELF shape: NOVA's
 * Multiboot2 header tags and no absolute relocations (checked by its Makefile; here the tags).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODULE_ALIGN, RELOCATABLE, findMultiboot2Header } from '../../boot/multiboot2/header.js';
import { checkRootTask, readElf } from '../../boot/elf/index.js';
import { runQemuAarch64 } from './qemu-aarch64.js';

const KERNEL = 'build/kernel/aarch64/kernel.elf';
const ROOT = 'build/kernel/aarch64/root.elf';

describe('aarch64 reference kernel', () => {
  it('boots as a plain ELF under QEMU -kernel and powers off through PSCI', async () => {
    const run = await runQemuAarch64(['-kernel', KERNEL]);
    expect(run.output).toContain('NOVA-IMAGE REFERENCE KERNEL 0.1.0 (aarch64)');
    expect(run.output).toMatch(/^boot: path=none x0=0x0 x1=0x0 \(no Multiboot2 information\)\r?$/m);
    expect(run.output).toMatch(/^cpu: .*entered at EL2, kernel runs at EL1, loaded at 0x40200000-0x[0-9a-f]+, MMU on\r?$/m);
    expect(run.output).toMatch(/^fdt: at 0x40000000, \d+ bytes, model "linux,dummy-virt"/m);
    expect(run.output).toMatch(/^root: no root task\r?$/m);
    expect(run.output).toMatch(/^kernel: power off through PSCI SYSTEM_OFF \(smc\)\r?$/m);
    expect(run.status, run.output).toBe(0);
  });

  it('carries NOVA\'s Multiboot2 header (tags 6 and 10: 2 MiB relocation) and a root task obeying the root rules', () => {
    const bytes = new Uint8Array(readFileSync(KERNEL));
    const mb2 = findMultiboot2Header(bytes, KERNEL)!;
    expect(mb2.tags.some((t) => t.type === MODULE_ALIGN)).toBe(true);
    const reloc = mb2.tags.find((t) => t.type === RELOCATABLE) as { min_addr: number; max_addr: number; align: number; preference: number };
    expect(reloc).toMatchObject({ min_addr: 0x200000, max_addr: 0xffffffff, align: 0x200000, preference: 2 });
    expect(readElf(bytes, KERNEL).header.machine).toBe(183);
    const root = readElf(new Uint8Array(readFileSync(ROOT)), ROOT);
    expect(() => checkRootTask(root)).not.toThrow();
    expect(root.header.type).toBe(2);
  });
});
