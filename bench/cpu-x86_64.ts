/**
 * x86-64 CPU benchmark: the same guest ELFs (test/guests/x86_64, built by `make guests`) under QEMU TCG and
 * on our interpreter.
 *   - compute loop (bench-loop): guest MIPS = retired instructions / time. The instruction count comes from
 *     our CPU (the program is deterministic, so QEMU retires the same instructions); QEMU's time is its wall
 *     time minus its start-up/shutdown time measured with bench-empty.
 *   - gcc-built workload (bench-crc): heap sort of 256 Ki keys + CRC-32 over 4 MiB, wall time on both.
 *   - gcc-built floating-point workload (bench-nbody): 100000 n-body steps in SSE2 double arithmetic.
 * Run: npx tsc -p tsconfig.json && node dist/bench/cpu-x86_64.js
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestMachine } from '../platform/cpu/x86_64/test-machine.js';

const DIR = 'build/test/guests/x86_64';

function qemu(elf: string): { seconds: number; serial: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nova-bench-'));
  const serialFile = join(dir, 'serial.txt');
  const t0 = process.hrtime.bigint();
  spawnSync('timeout', ['300', 'qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max', '-m', '128', '-kernel', elf,
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-serial', `file:${serialFile}`, '-display', 'none',
    '-monitor', 'none', '-no-reboot']);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const serial = readFileSync(serialFile, 'latin1');
  rmSync(dir, { recursive: true, force: true });
  return { seconds, serial };
}

function ours(elf: string, compileBlocks = true): { seconds: number; cpuSeconds: number; serial: string; instructions: number } {
  const m = new TestMachine();
  m.cpu.compileBlocks = compileBlocks;
  m.bootMultiboot(readFileSync(elf), elf);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const r = m.run(20_000_000_000);
  const cu = process.cpuUsage(c0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.reason !== 'exit') throw new Error(`${elf}: ${r.reason} ${r.message ?? ''}\n${r.registers ?? ''}`);
  return { seconds, cpuSeconds: (cu.user + cu.system) / 1e6, serial: m.serial, instructions: r.instructions };
}

function best<T extends { seconds: number }>(n: number, f: () => T): T {
  let b: T | undefined;
  for (let i = 0; i < n; i++) {
    const r = f();
    if (!b || r.seconds < b.seconds) b = r;
  }
  return b!;
}

const base = best(3, () => qemu(`${DIR}/bench-empty.elf`));
const empty = ours(`${DIR}/bench-empty.elf`);
const loopO = best(2, () => ours(`${DIR}/bench-loop.elf`));
// bench-loop-long is the same loop with 100x the iterations (3e8 instead of 3e6): its instruction count is
// start-up + 100 x the loop part of bench-loop, both measured on our CPU
const longInstructions = empty.instructions + (loopO.instructions - empty.instructions) * 100;
const loopQ = best(2, () => qemu(`${DIR}/bench-loop-long.elf`));
const qemuLoopSeconds = Math.max(loopQ.seconds - base.seconds, 1e-3);
const qemuMips = longInstructions / qemuLoopSeconds / 1e6;
const ourMips = loopO.instructions / loopO.seconds / 1e6;
console.log(`compute loop (bench-loop): ${loopO.instructions} guest instructions on ours; QEMU runs bench-loop-long (${longInstructions})`);
console.log(`  QEMU TCG : ${qemuLoopSeconds.toFixed(3)} s (wall ${loopQ.seconds.toFixed(3)} s - start-up ${base.seconds.toFixed(3)} s) = ${qemuMips.toFixed(1)} MIPS`);
const interp = best(2, () => ours(`${DIR}/bench-loop.elf`, false));
console.log(`  ours     : ${loopO.seconds.toFixed(3)} s = ${ourMips.toFixed(1)} MIPS (CPU time ${loopO.cpuSeconds.toFixed(3)} s = ${(loopO.instructions / loopO.cpuSeconds / 1e6).toFixed(1)} MIPS)`);
console.log(`  ours, interpreter only (no compiled blocks): ${(interp.instructions / interp.seconds / 1e6).toFixed(1)} MIPS`);
console.log(`  ratio    : ours is ${(qemuMips / ourMips).toFixed(1)}x slower than QEMU TCG`);

const crcQ = best(2, () => qemu(`${DIR}/bench-crc.elf`));
const crcO = best(1, () => ours(`${DIR}/bench-crc.elf`));
if (crcQ.serial !== crcO.serial) throw new Error(`bench-crc output differs:\n${crcQ.serial}\n${crcO.serial}`);
console.log(`gcc workload (bench-crc: heap sort 256 Ki keys + CRC-32 of 4 MiB): ${crcO.instructions} guest instructions`);
console.log(`  QEMU TCG : ${(crcQ.seconds - base.seconds).toFixed(3)} s (wall ${crcQ.seconds.toFixed(3)} s)`);
console.log(`  ours     : ${crcO.seconds.toFixed(3)} s = ${(crcO.instructions / crcO.seconds / 1e6).toFixed(1)} MIPS (CPU time ${crcO.cpuSeconds.toFixed(3)} s)`);
console.log(`  ratio    : ours takes ${(crcO.seconds / Math.max(crcQ.seconds - base.seconds, 1e-3)).toFixed(1)}x QEMU's time`);
console.log(`  output   : ${crcO.serial.trim()}`);

const nbQ = best(2, () => qemu(`${DIR}/bench-nbody.elf`));
const nbO = best(1, () => ours(`${DIR}/bench-nbody.elf`));
if (nbQ.serial !== nbO.serial) throw new Error(`bench-nbody output differs:\n${nbQ.serial}\n${nbO.serial}`);
console.log(`gcc floating-point workload (bench-nbody: 100000 n-body steps, SSE2 double): ${nbO.instructions} guest instructions`);
console.log(`  QEMU TCG : ${(nbQ.seconds - base.seconds).toFixed(3)} s (wall ${nbQ.seconds.toFixed(3)} s)`);
console.log(`  ours     : ${nbO.seconds.toFixed(3)} s = ${(nbO.instructions / nbO.seconds / 1e6).toFixed(1)} MIPS (CPU time ${nbO.cpuSeconds.toFixed(3)} s)`);
console.log(`  ratio    : ours takes ${(nbO.seconds / Math.max(nbQ.seconds - base.seconds, 1e-3)).toFixed(1)}x QEMU's time`);
console.log(`  output   : ${nbO.serial.trim()}`);
