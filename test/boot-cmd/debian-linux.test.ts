/**
 * A real Linux kernel on our pc board: Debian's cloud vmlinuz (6.1, fetched by test/boot/helpers/debian-images.ts)
 * through the built-in Linux boot-protocol loader on the x86-64 CPU model, against the same file under
 * QEMU 7.2 (`-M q35 -kernel`, SeaBIOS) with the same command line.
 *
 * Milestone: the kernel log from the banner to `evm: HMAC attrs: 0x1` (printed after about 713 million
 * instructions, ~40 s here), the last line before a stretch of about 730 million instructions of
 * multi-precision arithmetic (lib/mpi) that precedes the root-mount panic (the whole run to the panic takes
 * 1.45 billion instructions, ~80 s: too slow for the suite). With a budget of 800 million instructions the
 * run ends inside that stretch.
 * Without an initrd QEMU's run ends with the panic `VFS: Unable to mount root fs` (panic=-1: reboot, and
 * -no-reboot ends QEMU).
 *
 * The check: every kernel log line ours prints up to the milestone also appears in QEMU's log, in the same
 * order (a subsequence), after removing the `[ time]` prefix and the lines in linux-log.ts's IGNORED. The two machines
 * are different by design (our firmware's memory map and ACPI tables, our CPU model against QEMU's default
 * AMD qemu64), and some lines measure time; each rule says which and why. The test also requires that most
 * of our lines take part in the comparison, so a rule cannot quietly swallow the log.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianVmlinuz } from '../boot/helpers/debian-images.js';
import { scratchDir } from '../image/qemu.js';
import { missingInOrder } from '../common/in-order.js';
import { ignored, kernelLines, runTo } from './linux-log.js';

const APPEND = 'console=ttyS0 earlyprintk=serial,ttyS0 panic=-1 loglevel=8';
const BANNER = /^Linux version 6\.1\.\S+-cloud-amd64 /;
const MILESTONE = 'evm: HMAC attrs: 0x1';
const BUDGET = 800_000_000;

describe('Debian Linux 6.1 on the pc board', () => {
  it(`boots to "${MILESTONE}" with the kernel log QEMU q35 prints, in the same order`, async () => {
    const vmlinuz = debianVmlinuz();
    const dir = scratchDir('debian-linux');
    // QEMU on the second core while ours runs (about 20 s and 45 s alone; generous limits for a busy suite):
    // under `timeout`, killed 5 s after SIGTERM at the latest.
    const qemuRun = runTo(join(dir, 'qemu.txt'), 'timeout', ['-k', '5', '200', 'qemu-system-x86_64', '-M', 'q35', '-m', '512', '-accel', 'tcg', '-nographic', '-no-reboot', '-kernel', vmlinuz, '-append', APPEND], 240_000);
    const oursRun = runTo(join(dir, 'ours.txt'), process.execPath, ['dist/tools/nova-image.js', 'boot', vmlinuz, '--via', 'linux', '--memory', '512M', '--append', APPEND, '--max-insns', String(BUDGET)], 240_000);
    const [qemu, ours] = await Promise.all([qemuRun, oursRun]);

    const theirs = kernelLines(qemu.stdout);
    expect(theirs.some((l) => l.startsWith('Kernel panic - not syncing: VFS: Unable to mount root fs')), `QEMU log:\n${qemu.stdout.slice(-2000)}`).toBe(true);
    // ours: the budget ends the run inside the arithmetic after the milestone (no fault, no halt before it)
    expect(ours.stderr, ours.stderr).toMatch(/verdict: budget-exhausted/);
    const all = kernelLines(ours.stdout);
    expect(all[0]).toMatch(BANNER);
    const end = all.indexOf(MILESTONE);
    expect(end, `milestone missing; our log ends:\n${all.slice(-20).join('\n')}`).toBeGreaterThan(0);
    expect(theirs).toContain(MILESTONE);
    // the board's SMBIOS, found by the kernel's scan of the BIOS area
    expect(all).toContain('DMI: nova-image Emulated PC (q35-like), BIOS 0.1.0 01/01/2026');
    const mine = all.slice(0, end + 1);
    const compared = mine.filter((l) => !ignored(l));
    // the rules must leave most of the log in the comparison
    expect(compared.length).toBeGreaterThan(150);
    expect(compared.length / mine.length).toBeGreaterThan(0.6);
    expect(missingInOrder(compared, theirs), `lines ours printed that QEMU's log lacks (in order); logs in ${dir}`).toEqual([]);
  }, 300_000);
});

