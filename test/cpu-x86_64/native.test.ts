/**
 * Host-native check: generated instruction sequences (fixed seed, random operands) run natively in a Linux
 * process (build/test/guests/x86_64/native-harness, built by the guest Makefile with gcc) and on our CPU;
 * all GPRs and the arithmetic flags must match, except the flags the SDM leaves undefined (masks and their
 * reasons: native-cases.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TestMachine } from '../../dist/platform/cpu/x86_64/test-machine.js';
import { ARITH, directedSseCases, generateCases, generateSseCases, type NativeCase } from './native-cases.js';

const HARNESS = 'build/test/guests/x86_64/native-harness';
const CODE = 0x200000;
const NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

/** One state record of the harness: 16 GPRs, RFLAGS, XMM0-15, MXCSR + pad (native-harness.c). */
const XMM_OFF = 17 * 8;
const MXCSR_OFF = XMM_OFF + 256;
const RECORD = MXCSR_OFF + 8;

function encode(cases: NativeCase[]): Buffer {
  const parts: Buffer[] = [];
  for (const c of cases) {
    const b = Buffer.alloc(RECORD + 1 + c.code.length);
    c.regs.forEach(([lo, hi], i) => {
      b.writeUInt32LE(lo >>> 0, i * 8);
      b.writeUInt32LE(hi >>> 0, i * 8 + 4);
    });
    b.writeUInt32LE(c.flags >>> 0, 16 * 8);
    if (c.xmm) c.xmm.forEach((v, i) => b.writeUInt32LE(v >>> 0, XMM_OFF + i * 4));
    b.writeUInt32LE(c.mxcsr ?? 0x1f80, MXCSR_OFF);
    b.writeUInt8(c.code.length, RECORD);
    Buffer.from(c.code).copy(b, RECORD + 1);
    parts.push(b);
  }
  return Buffer.concat(parts);
}

const hex = (lo: number, hi: number): string => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');

function compare(cases: NativeCase[]): { compared: number; mismatches: string[] } {
  const native = spawnSync(HARNESS, [], { input: encode(cases), maxBuffer: 64 << 20, timeout: 60_000 });
  expect(native.status, native.stderr?.toString()).toBe(0);
  const out = native.stdout as Buffer;
  expect(out.length).toBe(cases.length * RECORD);

  const m = new TestMachine(8 << 20);
  const cpu = m.cpu;
  m.enterLongMode(CODE, 0x300000);
  const mismatches: string[] = [];
  let compared = 0;
  cases.forEach((c, k) => {
    m.bus.writeBytes(CODE, Uint8Array.from([...c.code, 0xf4])); // HLT ends the case (CPL 0)
    for (let i = 0; i < 16; i++) {
      cpu.lo[i] = c.regs[i]![0] | 0;
      cpu.hi[i] = c.regs[i]![1] | 0;
    }
    for (let i = 0; i < 64; i++) cpu.xmm[i] = c.xmm ? c.xmm[i]! | 0 : 0;
    cpu.mxcsr = c.mxcsr ?? 0x1f80;
    cpu.setRegNum(4, 0x300000);
    cpu.setFlags(c.flags & ~0x200);
    cpu.rip = CODE;
    cpu.halted = false;
    const r = cpu.run(100);
    const bytes = c.code.map((x) => x.toString(16).padStart(2, '0')).join(' ');
    if (r.reason !== 'halted') {
      mismatches.push(`#${k} ${c.name} [${bytes}]: ${r.reason} ${r.message ?? ''}`);
      return;
    }
    const base = k * RECORD;
    const diffs: string[] = [];
    for (let i = 0; i < 16; i++) {
      if (i === 4 || c.undefinedRegs.includes(i)) continue;
      const lo = out.readUInt32LE(base + i * 8), hi = out.readUInt32LE(base + i * 8 + 4);
      if ((cpu.lo[i]! >>> 0) !== lo || (cpu.hi[i]! >>> 0) !== hi) {
        diffs.push(`${NAMES[i]} native ${hex(lo, hi)} ours ${hex(cpu.lo[i]!, cpu.hi[i]!)}`);
      }
    }
    for (let i = 0; i < 16; i++) {
      const nat: string[] = [], our: string[] = [];
      for (let j = 3; j >= 0; j--) {
        nat.push(out.readUInt32LE(base + XMM_OFF + (i * 4 + j) * 4).toString(16).padStart(8, '0'));
        our.push((cpu.xmm[i * 4 + j]! >>> 0).toString(16).padStart(8, '0'));
      }
      if (nat.join('') !== our.join('')) diffs.push(`xmm${i} native ${nat.join('_')} ours ${our.join('_')}`);
    }
    const nmx = out.readUInt32LE(base + MXCSR_OFF);
    if (nmx !== cpu.mxcsr >>> 0) diffs.push(`mxcsr native ${nmx.toString(16)} ours ${cpu.mxcsr.toString(16)}`);
    const mask = ARITH & ~c.undefinedFlags;
    const nf = out.readUInt32LE(base + 16 * 8) & mask;
    const of = cpu.getFlags() & mask;
    if (nf !== of) diffs.push(`flags native ${nf.toString(16)} ours ${of.toString(16)} (mask ${mask.toString(16)})`);
    compared++;
    if (diffs.length) {
      const inRegs = c.regs.map(([lo, hi], i) => `${NAMES[i]}=${hex(lo, hi)}`).join(' ');
      const inXmm = c.xmm ? Array.from({ length: 16 }, (_, i) => `xmm${i}=${[3, 2, 1, 0].map((j) => (c.xmm![i * 4 + j]! >>> 0).toString(16).padStart(8, '0')).join('_')}`).join(' ') : '';
      mismatches.push(`#${k} ${c.name} [${bytes}] flags-in ${c.flags.toString(16)} mxcsr-in ${(c.mxcsr ?? 0x1f80).toString(16)}: ${diffs.join('; ')}\n   in: ${inRegs}\n   ${inXmm}`);
    }
  });
  return { compared, mismatches };
}

describe('x86-64 CPU against the host processor', () => {
  it('harness was built', () => {
    expect(existsSync(HARNESS), `${HARNESS} missing: make -s guests`).toBe(true);
  });

  it('4000 generated integer instruction sequences give the same registers and defined flags', () => {
    const { compared, mismatches } = compare(generateCases(4000));
    expect(compared).toBeGreaterThan(3900);
    expect(mismatches.slice(0, 10).join('\n')).toBe('');
  });

  it('12000 generated SSE/SSE2 floating-point sequences give the same XMM registers, MXCSR, GPRs and flags', () => {
    const { compared, mismatches } = compare(generateSseCases(12000));
    expect(compared).toBe(12000);
    expect(mismatches.slice(0, 10).join('\n')).toBe('');
  });

  it('directed SSE/SSE2 cases at the underflow/overflow thresholds in every rounding mode and with FTZ/DAZ', () => {
    const cases = directedSseCases();
    const { compared, mismatches } = compare(cases);
    expect(compared).toBe(cases.length);
    expect(mismatches.slice(0, 10).join('\n')).toBe('');
  });
});
