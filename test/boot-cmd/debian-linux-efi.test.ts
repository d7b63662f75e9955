/**
 * Debian's cloud vmlinuz (6.1) through its own EFI stub on our pc board: `nova-image boot --via uefi` loads
 * the PE image into the built-in UEFI firmware and the stub runs on the x86-64 CPU model (boot services,
 * LocateDevicePath for an initrd, the memory map, ExitBootServices), then decompresses and starts the
 * kernel. Against the same file under QEMU 7.2 + OVMF (`-M q35 -kernel`: OVMF starts the kernel through the
 * same EFI stub, with the command line from fw_cfg).
 *
 * The check: every kernel log line ours prints within the budget (to the mount-cache lines, about 0.13 s of
 * kernel time) also appears in QEMU's log in the same order, apart from the lines the Linux-path test's rules
 * (linux-log.ts) and the EFI rules below name.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { debianVmlinuz } from '../boot/helpers/debian-images.js';
import { ovmfArgs, scratchDir } from '../image/qemu.js';
import { missingInOrder } from '../common/in-order.js';
import { ignored, kernelLines, runTo, type Rule } from './linux-log.js';

const APPEND = 'console=ttyS0 earlyprintk=serial,ttyS0 panic=-1 loglevel=8';
const BUDGET = 300_000_000;
const MILESTONE = /^Mountpoint-cache hash table entries: /;

const EFI_RULES: readonly Rule[] = [
  { pattern: /^efi: EFI v\d+\.\d+ by /, why: 'the firmware vendor: EDK II against nova-image' },
  { pattern: /^efi: ACPI 2\.0=/, why: 'configuration tables and their addresses (OVMF adds MEMATTR, RNG, ...)' },
  { pattern: /^ACPI:? Core revision \d+$/, why: 'ACPICA\'s revision line: "ACPI Core revision" under OVMF, "ACPI: Core revision" on ours and under SeaBIOS; the same event, a prefix difference not traced further' },
  { pattern: /^On node 0, zone DMA: \d+ pages in unavailable ranges|^PM: hibernation: Registered nosave memory/, why: 'derived from the firmware\'s memory map' },
  { pattern: /^efi: Unable to switch EFI into virtual mode/, why: 'our firmware answers SetVirtualAddressMap with EFI_UNSUPPORTED (UEFI 2.10, 8.4 allows it): Linux goes on without EFI runtime services' },
];

it('Debian Linux 6.1 boots through its EFI stub on the UEFI path with the kernel log QEMU + OVMF prints', async () => {
  const vmlinuz = debianVmlinuz();
  const dir = scratchDir('debian-linux-efi');
  const qemuRun = runTo(join(dir, 'qemu.txt'), 'timeout', ['-k', '5', '200', 'qemu-system-x86_64', '-M', 'q35', '-m', '512', '-accel', 'tcg', '-nographic', '-no-reboot',
    ...ovmfArgs(dir), '-kernel', vmlinuz, '-append', APPEND], 240_000);
  const oursRun = runTo(join(dir, 'ours.txt'), process.execPath, ['dist/tools/nova-image.js', 'boot', vmlinuz, '--via', 'uefi', '--memory', '512M', '--append', APPEND, '--max-insns', String(BUDGET)], 240_000);
  const [qemu, ours] = await Promise.all([qemuRun, oursRun]);

  const theirs = kernelLines(qemu.stdout);
  expect(theirs.some((l) => l.startsWith('Kernel panic - not syncing: VFS: Unable to mount root fs')), `QEMU log:\n${qemu.stdout.slice(-2000)}`).toBe(true);
  expect(ours.stderr, ours.stderr).toMatch(/verdict: budget-exhausted/);
  const mine = kernelLines(ours.stdout);
  // the kernel came through the EFI stub on our firmware, and got as far as the milestone
  expect(mine).toContain('efi: EFI v2.70 by nova-image');
  expect(mine.some((l) => MILESTONE.test(l)), `our log ends:\n${mine.slice(-10).join('\n')}`).toBe(true);
  const compared = mine.filter((l) => !ignored(l, EFI_RULES));
  expect(compared.length).toBeGreaterThan(60);
  expect(missingInOrder(compared, theirs), `lines ours printed that QEMU's log lacks (in order); logs in ${dir}`).toEqual([]);
}, 300_000);
