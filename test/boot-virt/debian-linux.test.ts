/**
 * A real third-party kernel on our virt board: Debian 12's arm64 Linux (linux-image-*-cloud-arm64, see
 * debian-arm64-kernel.ts) loaded through the Linux Image path as QEMU 7.2's -kernel does (FDT in X0, EL2,
 * GICv3, 512 MiB, no initrd) runs on the Cortex-A57 model from its first instruction to the panic that ends any
 * boot without a root file system. Every kernel log line ours prints must appear, in the same order, in
 * `qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57` on the same file, once the
 * `[ time]` prefixes are removed and the lines named in IGNORED (each with its reason) are dropped from both.
 * QEMU prints more (ITS, PCIe, PMU, 32-bit EL0 lines for hardware our board and CPU model do not have), which
 * is why the check is "ours is an ordered subset of QEMU's" and not equality.
 * The same kernel also boots through its EFI stub on our UEFI firmware (`--via uefi`), compared with QEMU +
 * AAVMF starting it the same way.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootVirtImage } from '../../platform/machine/virt-machine.js';
import { missingInOrder } from '../common/in-order.js';
import { aavmfArgs, runQemuAarch64, scratchDir } from '../image-aarch64/qemu-aarch64.js';
import { debianArm64Image } from './debian-arm64-kernel.js';

const APPEND = 'console=ttyAMA0 earlycon=pl011,0x09000000 panic=-1 loglevel=8';
/** The boot takes about 870 million instructions; the budget leaves room and still bounds a runaway guest. */
const BUDGET = 1_500_000_000;
const BANNER = /^Linux version 6\.1\.\S+-cloud-arm64 \(debian-kernel@lists\.debian\.org\)/;
const PANIC = 'Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)';

/** Kernel log lines that legitimately differ between QEMU and our board, dropped from both outputs. */
const IGNORED: ReadonlyArray<{ line: RegExp; why: string }> = [
  { line: /^node \d+ deferred pages initialised in \d+ms$/, why: 'wall-clock duration (QEMU: host time; ours: virtual time)' },
  { line: /^audit: type=2000 audit\(/, why: 'carries a timestamp and is printed asynchronously, so its position moves' },
  { line: /^rtc-pl031 .*: setting system clock to /, why: "QEMU's PL031 starts at the host's clock, ours at a fixed date" },
  // Both FDTs carry /chosen/kaslr-seed, so both kernels randomize their placement (and force KPTI on), but
  // QEMU's seed is random per run and ours fixed (platform/boards/virt/layout.ts).
  { line: /^Kernel Offset: /, why: 'KASLR offset: random under QEMU' },
  { line: /^PHYS_OFFSET: /, why: 'linear-map offset: random under QEMU (KASLR)' },
  // QEMU's device tree blob is 1 MiB (mostly padding), ours a few KiB: the kernel reserves the blob in memblock,
  // so early allocations land elsewhere and the reserved total differs by that much.
  { line: /^NUMA: NODE_DATA \[mem /, why: 'early memblock placement follows the FDT size' },
  { line: /^Memory: \d+K\/\d+K available /, why: 'the reserved figure includes the FDT size' },
  { line: /^CPU features: 0x[0-9a-f]+,/, why: 'final capability bitmap: QEMU also has 32-bit EL0/EL1 (see the AArch32 rule below)' },
  // Model differences, each a documented gap of the CPU model or a difference of the GIC model.
  { line: /^setend instruction emulation is not supported on this system$/, why: 'the CPU model has no AArch32 (EL0 is AArch64-only)' },
  { line: /^GICv3: \d+ SPIs implemented$/, why: "QEMU 7.2's GICv3 sets GICD_TYPER.ITLinesNumber to 7 for its 288 INTIDs, ours to 8 (32 x (8 + 1) = 288)" },
];

/**
 * On the UEFI path, against AAVMF (`acpi=off`, so AAVMF hands the kernel QEMU's device tree too): the lines
 * that follow from the firmware. AAVMF's memory map also describes the 64 MiB flash window at 0x04000000 as
 * memory, so every size the kernel derives from the total differs.
 */
const IGNORED_UEFI: ReadonlyArray<{ line: RegExp; why: string }> = [
  { line: /^efi: EFI v\d+\.\d+ by /, why: 'the firmware vendor: EDK II against nova-image' },
  { line: /^efi: SMBIOS /, why: 'configuration tables and their addresses (AAVMF adds MEMATTR)' },
  { line: /^DMI: /, why: 'the SMBIOS identity strings of the two firmwares' },
  { line: /^NUMA: Faking a node at |^ {2}DMA {6}\[mem |^ {2}node {3}0: \[mem |^Initmem setup node 0 |^cma: Reserved /, why: 'the firmware\'s memory map and what is allocated from it' },
  { line: /^Built 1 zonelists, .*Total pages: |^(Dentry cache|Inode-cache|Mount-cache|Mountpoint-cache) hash table entries: /, why: 'sized from the total memory, which includes AAVMF\'s flash window' },
];

function kernelLines(text: string, extra: ReadonlyArray<{ line: RegExp; why: string }> = []): string[] {
  return text
    .replace(/\x1b(\[[0-9;?=]*[A-Za-z]|c)/g, '') // AAVMF clears the screen
    .split(/\r?\n/)
    .map((l) => l.replace(/\r/g, '').replace(/^\[\s*\d+\.\d+\] /, ''))
    .filter((l) => l.length > 0 && !IGNORED.some((r) => r.line.test(l)) && !extra.some((r) => r.line.test(l)));
}

let image: string;

beforeAll(() => {
  image = debianArm64Image();
}, 600_000);

describe("Debian's arm64 Linux on the virt board (GICv3, EL2, 512 MiB)", () => {
  it('boots to the missing-root-fs panic; every line it prints appears in the same order under QEMU', async () => {
    const qemu = await runQemuAarch64(['-m', '512', '-kernel', image, '-append', APPEND], { machine: 'virt,virtualization=on,gic-version=3', timeoutSeconds: 60 });
    const theirs = kernelLines(qemu.output);
    expect(theirs.some((l) => BANNER.test(l)), qemu.output).toBe(true);
    expect(theirs, qemu.output).toContain(PANIC);

    const started = Date.now();
    const ours = await bootVirtImage(new Uint8Array(readFileSync(image)), { file: image, via: 'linux', gic: 3, memoryBytes: 512 * 2 ** 20, append: APPEND, maxInstructions: BUDGET });
    const text = Buffer.from(ours.console).toString('latin1');
    const mine = kernelLines(text);
    // panic=-1 reboots at once: PSCI SYSTEM_RESET (QEMU's -no-reboot turns that into an exit).
    expect(ours.verdict.kind, `${ours.verdict.message}\n${ours.verdict.registers ?? ''}\n${text.slice(-4000)}`).toBe('reset');
    expect(mine.some((l) => BANNER.test(l))).toBe(true);
    expect(mine).toContain(PANIC);
    expect(mine.length).toBeGreaterThan(150);
    expect(mine).toContain('KASLR enabled'); // the /chosen seeds reach the kernel

    expect(missingInOrder(mine, theirs), "lines ours printed that QEMU's output lacks (in order)").toEqual([]);
    // For the report: how long the boot took here.
    console.log(`debian arm64: ${mine.length} comparable lines, ${Date.now() - started} ms`);
  }, 400_000);

  it('boots through its EFI stub on the UEFI path; every line it prints within the budget appears in the same order under AAVMF', async () => {
    const dir = scratchDir('debian-arm64-efi');
    const qemuRun = runQemuAarch64(['-m', '512', ...aavmfArgs(dir), '-kernel', image, '-append', APPEND], { machine: 'virt,virtualization=on,gic-version=3,acpi=off', timeoutSeconds: 90 });
    // ours to the switch to the architected timer's clocksource (about 150M instructions); QEMU to the panic
    const ours = await bootVirtImage(new Uint8Array(readFileSync(image)), { file: image, via: 'uefi', gic: 3, memoryBytes: 512 * 2 ** 20, append: APPEND, maxInstructions: 150_000_000 });
    const qemu = await qemuRun;
    const theirs = kernelLines(qemu.output, IGNORED_UEFI);
    expect(theirs, qemu.output).toContain(PANIC);
    expect(theirs).toContain('EFI stub: Using DTB from configuration table');
    const text = Buffer.from(ours.console).toString('latin1');
    const mine = kernelLines(text, IGNORED_UEFI);
    expect(ours.verdict.kind, ours.verdict.message).toBe('budget-exhausted');
    expect(mine).toContain('EFI stub: Exiting boot services...');
    expect(text).toContain('efi: EFI v2.70 by nova-image');
    expect(mine).toContain('clocksource: Switched to clocksource arch_sys_counter');
    expect(mine.length).toBeGreaterThan(100);
    expect(missingInOrder(mine, theirs), "lines ours printed that QEMU's output lacks (in order)").toEqual([]);
  }, 400_000);
});
