/**
 * memtest86+ from Debian's package on our pc board, through the Linux path (memtest86+x64.bin) and through
 * the UEFI path (memtest86+x64.efi, which needs the firmware's GOP framebuffer), against memtest86+x64.bin
 * under QEMU 7.2 (`-M q35 -kernel`, SeaBIOS). memtest86+ probes the CPU (CPUID,
 * TSC calibration against the PIT), parses the memory map, maps memory with its own page tables, turns the
 * caches off for test #0 and starts testing; its serial console paints the screen with ANSI sequences, which
 * both runs replay onto an 80x25 grid (ansi-screen.ts).
 *
 * The check: once test #0 runs (`Using: Core #0` painted; ours stops at a budget a little past that), the
 * screens are equal except for the fields below, each masked for its reason.
 * `nopause` skips memtest's 3-second wait for a key at start-up on both.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MEMTEST_BIN, MEMTEST_EFI } from '../boot/helpers/debian-images.js';
import { novaImageAsync, scratchDir } from '../image/qemu.js';
import { renderScreen } from './ansi-screen.js';

const APPEND = 'console=ttyS0,115200 nopause';
const PAINTED = 'Using: Core #0';

/** Screen fields that differ between the two machines: row (0-based), first column, end column, reason. */
const MASKED: readonly (readonly [number, number, number, string])[] = [
  [0, 28, 80, 'CPU name: our CPU model against QEMU\'s qemu64'],
  [1, 0, 28, 'CLK/Temp: the TSC frequency memtest measures'],
  [2, 0, 28, 'L1 cache size and bandwidth: CPUID cache leaves of the two CPU models, and timing'],
  [3, 0, 28, 'L2 cache: QEMU\'s AMD cache leaf 0x80000006 against our model (none reported)'],
  [4, 0, 28, 'L3 cache: as L2'],
  [5, 0, 28, 'total memory and bandwidth: SeaBIOS reserves the top of RAM (255 MB) where our firmware\'s map does not (256 MB); bandwidth is timing'],
  [1, 28, 80, 'pass progress: how far each run got when its screen was taken'],
  [2, 28, 80, 'test progress: as above'],
  [5, 28, 80, 'the current test pattern: as above'],
  [7, 44, 61, 'elapsed time'],
  [7, 77, 78, 'the activity spinner after "Status: Testing" turns with time'],
  [23, 0, 80, 'the board name from SMBIOS: QEMU\'s (through SeaBIOS) against ours'],
];

function masked(screen: readonly string[]): string[] {
  const out = [...screen];
  for (const [row, from, to] of MASKED) out[row] = out[row]!.slice(0, from) + '#'.repeat(to - from) + out[row]!.slice(to);
  return out;
}

/** QEMU until memtest has painted its test screen (then killed), at most `timeoutMs`. */
function qemuUntilPainted(timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn('qemu-system-x86_64', ['-M', 'q35', '-m', '256', '-accel', 'tcg', '-nographic', '-no-reboot', '-kernel', MEMTEST_BIN, '-append', APPEND], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let painted: ReturnType<typeof setTimeout> | undefined;
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString('latin1');
      // the rest of that row follows the label within the same burst; give it a moment, then stop QEMU
      if (painted === undefined && out.includes(PAINTED)) painted = setTimeout(() => p.kill('SIGKILL'), 300);
    });
    p.on('close', () => {
      clearTimeout(timer);
      if (painted !== undefined) clearTimeout(painted);
      resolve(out);
    });
  });
}

let qemuScreen: Promise<string> | undefined;
/** One QEMU run serves both paths: the same program reaches the same screen whichever way it was entered. */
function qemuOnce(): Promise<string> {
  qemuScreen ??= qemuUntilPainted(90_000);
  return qemuScreen;
}

describe('memtest86+ on the pc board', () => {
  const cases = [
    // the Linux boot-protocol image, entered at its 64-bit entry with boot_params (about 100M instructions in)
    { via: 'linux', file: MEMTEST_BIN, budget: 150_000_000 },
    // the PE image: efi_setup() finds the GOP framebuffer, takes the memory map and exits boot services; painting
    // the 800x600 framebuffer costs another 150M instructions or so
    { via: 'uefi', file: MEMTEST_EFI, budget: 350_000_000 },
  ] as const;
  for (const { via, file, budget } of cases) {
    it(`boots through the ${via} path, runs test #0 without errors and paints the screen QEMU shows`, async () => {
      const dir = scratchDir(`memtest-${via}`);
      const [ours, qemu] = await Promise.all([
        novaImageAsync(['boot', file, '--via', via, '--memory', '256M', '--append', APPEND, '--max-insns', String(budget)]),
        qemuOnce(),
      ]);
      writeFileSync(join(dir, 'ours.txt'), ours.stdout);
      writeFileSync(join(dir, 'qemu.txt'), qemu);

      // memtest never ends on its own: the budget ends our run inside test #0
      expect(ours.stderr, ours.stderr).toMatch(/verdict: budget-exhausted/);
      expect(ours.status).toBe(124);
      expect(qemu, `QEMU never painted the test screen; logs in ${dir}`).toContain(PAINTED);
      const mine = renderScreen(ours.stdout);
      const theirs = renderScreen(qemu);
      // what ours shows on its own terms, before the comparison
      expect(mine[0]).toMatch(/^ +Memtest86\+ v\d+\.\d+ +\| nova-image virtual x86-64 CPU/);
      expect(mine[3]).toContain('#0  [Address test, walking ones, no cache]');
      expect(mine[8]).toMatch(/Using: Core #0 +\| Pass: +0 +Errors: 0 /);
      expect(masked(mine), `screens (ours, then QEMU's); logs in ${dir}\n${mine.join('\n')}\n${theirs.join('\n')}`).toEqual(masked(theirs));
    }, 150_000);
  }
});
