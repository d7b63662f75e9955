/**
 * Guest MIPS of the AArch64 model against QEMU TCG on the same binary (test/guests/aarch64/bench.c).
 *
 * The guest times its compute loop with CNTVCT. Under QEMU the counter runs at CNTFRQ in host time; on our
 * model the counter advances once per retired instruction, so our tick count is the loop's instruction count.
 * Usage: node dist/bench/cpu-aarch64.js [path/to/bench.elf]
 */
import { execFileSync } from 'node:child_process';
import { runBareMetal } from '../platform/cpu/aarch64/testing/bare-metal.js';

function ticksOf(out: string): { ticks: number; freq: number } {
  const m = /bench: ticks (\d+) cntfrq (\d+)/.exec(out);
  if (!m) throw new Error(`bench output without tick line:\n${out}`);
  return { ticks: Number(m[1]), freq: Number(m[2]) };
}

const elf = process.argv[2] ?? 'build/test/guests/aarch64/bench.elf';

function runOurs(compileThreshold: number): { seconds: number; mips: number; console: string; instructions: number } {
  const t0 = performance.now();
  const run = runBareMetal(elf, { maxInstructions: 1_000_000_000, compileThreshold });
  const seconds = (performance.now() - t0) / 1000;
  if (run.result.reason.kind !== 'power-off') throw new Error(`our run ended with ${JSON.stringify(run.result.reason)}\n${run.result.dump}`);
  return { seconds, mips: run.result.instructions / seconds / 1e6, console: run.console, instructions: run.result.instructions };
}

const interpreted = runOurs(Infinity);
const ours = runOurs(16);
const ourSeconds = ours.seconds;
const ourMips = ours.mips;
const loopInstructions = ticksOf(ours.console).ticks;

const qemuOut = execFileSync('timeout', ['-s', 'KILL', '120', 'qemu-system-aarch64', '-M', 'virt,virtualization=on', '-cpu', 'cortex-a57',
  '-nographic', '-no-reboot', '-kernel', elf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const q = ticksOf(qemuOut);
const qemuSeconds = q.ticks / q.freq;
const qemuMips = loopInstructions / qemuSeconds / 1e6;

const same = qemuOut.split('\n')[0] === ours.console.split('\n')[0];
console.log(`guest: ${elf} (${ours.instructions} instructions retired, loop ${loopInstructions}); results agree: ${same}`);
console.log(`ours : ${interpreted.seconds.toFixed(2)} s wall interpreted only, ${interpreted.mips.toFixed(1)} guest MIPS`);
console.log(`ours : ${ourSeconds.toFixed(2)} s wall with compiled blocks, ${ourMips.toFixed(1)} guest MIPS`);
console.log(`qemu : ${qemuSeconds.toFixed(3)} s in the loop (TCG), ${qemuMips.toFixed(1)} guest MIPS`);
console.log(`ratio: QEMU is ${(qemuMips / ourMips).toFixed(1)}x faster`);
