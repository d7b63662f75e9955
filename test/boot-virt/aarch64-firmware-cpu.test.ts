/**
 * The firmware's AArch64 CPU adapter and trap hook on the real CPU model: AAPCS64 arguments (X0-X7, then the
 * stack at SP), the result in X0 and the return to LR, firmware accesses through the caller's translation
 * (an unmapped pointer is a firmware error, not a guest fault), and a trap reached by a real `blr` from
 * guest code running at EL2 with the UEFI identity map.
 */
import { describe, expect, it } from 'vitest';
import { Aarch64FirmwareCpu, applyAarch64Entry } from '../../boot/firmware/aarch64-cpu-adapter.js';
import { IDENTITY_MAP_TABLE_SIZE, MAIR_VALUE, SCTLR_C, SCTLR_I, SCTLR_M, identityMapTcr, writeAarch64IdentityMap, writeGuardVectors } from '../../boot/firmware/aarch64-entry.js';
import { GuestMemory } from '../../boot/firmware/guest-memory.js';
import { TrapRegistry } from '../../boot/firmware/traps.js';
import { Aarch64Cpu } from '../../platform/cpu/aarch64/cpu.js';
import * as S from '../../platform/cpu/aarch64/sysregs.js';
import { PhysicalBus } from '../../platform/memory/bus.js';
import { attachAarch64FirmwareTraps } from '../../platform/machine/virt-uefi.js';

const RAM = 0x4000_0000;
const RAM_SIZE = 16 * 2 ** 20;
const TABLE = RAM + 0x10_0000;
const TRAPS = RAM + 0x20_0000;
const CODE = RAM + 0x30_0000;
const STACK_TOP = RAM + 0x40_0000;
const VECTORS = RAM + 0x50_0000;

function machine() {
  const bus = new PhysicalBus();
  bus.addRam('ram', RAM, RAM_SIZE);
  const cpu = new Aarch64Cpu(bus);
  writeAarch64IdentityMap(bus, TABLE, [{ base: RAM, size: RAM_SIZE }]);
  expect(IDENTITY_MAP_TABLE_SIZE).toBe(4096);
  const memory = new GuestMemory(bus);
  const traps = new TrapRegistry(bus, 'aarch64', TRAPS, 4096, undefined, memory);
  writeGuardVectors(bus, VECTORS);
  return { bus, cpu, traps, memory };
}

function enter(cpu: Aarch64Cpu, pc: number, x: number[] = []): void {
  applyAarch64Entry(cpu, { el: 2, pc, x, sp: STACK_TOP, lr: 0, vbar: VECTORS, mmu: { ttbr0: TABLE, tcr: identityMapTcr(2), mair: MAIR_VALUE, sctlrSet: SCTLR_M | SCTLR_C | SCTLR_I } });
}

describe('AArch64 firmware calls on the CPU model', () => {
  it('guest code calls a trap with 10 arguments (two on the stack), gets X0 back and continues after the blr; a fault ends at the vectors', () => {
    const { bus, cpu, traps } = machine();
    const seen: bigint[] = [];
    const fn = traps.register('Sum10', 10, (c) => {
      for (let i = 0; i < 10; i++) seen.push(c.arg(i));
      return seen.reduce((a, b) => a + b, 0n);
    });
    let stopped = '';
    attachAarch64FirmwareTraps(cpu, traps, (o) => (stopped = 'error' in o ? o.error : JSON.stringify(o)), VECTORS);
    // x0..x7 = 1..8 (movz), the 9th and 10th (9, 10) stored at [sp] and [sp, #8], x8 = trap, blr x8,
    // then smc #0 with no firmware to answer it: an undefined instruction, taken to the firmware's vectors.
    const code = [
      0xd10043ff, // sub sp, sp, #16
      0xd2800120, // movz x0, #9
      0xd2800141, // movz x1, #10
      0xa90007e0, // stp x0, x1, [sp]
      ...Array.from({ length: 8 }, (_, i) => 0xd2800000 | ((i + 1) << 5) | i), // movz xi, #(i+1)
      0xd2800008 | ((fn & 0xffff) << 5), // movz x8, #lo16(fn)
      0xf2a00008 | (((fn >>> 16) & 0xffff) << 5), // movk x8, #hi16(fn), lsl #16
      0xd63f0100, // blr x8
      0x910043ff, // add sp, sp, #16
      0xd4000003, // smc #0
    ];
    code.forEach((w, i) => bus.write32(CODE + 4 * i, w >>> 0));
    enter(cpu, CODE);
    const r = cpu.run(1000);
    const smcAt = CODE + 4 * (code.length - 1);
    expect(stopped).toBe(`exception taken to the UEFI firmware's vectors (VBAR_EL2 + 0x200: synchronous, current EL with SP_ELx): ESR_EL2 0x2000000, ELR_EL2 0x${smcAt.toString(16)}, FAR_EL2 0x0`);
    expect(r.reason.kind).toBe('halted');
    expect(seen).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]);
    expect(cpu.x[0]).toBe(55);
    expect(cpu.addr(64)).toBe(STACK_TOP);
  });

  it('a firmware access to an address the caller does not map ends the call with a stop, not a guest fault', () => {
    const { bus, cpu, traps } = machine();
    const fn = traps.register('ReadIt', 1, (c) => BigInt(c.bus.read32(c.argNum(0))));
    let stop = '';
    attachAarch64FirmwareTraps(cpu, traps, (o) => (stop = 'stop' in o && o.stop ? o.stop.reason : JSON.stringify(o)), VECTORS);
    const adapter = new Aarch64FirmwareCpu(cpu);
    enter(cpu, fn, [RAM + 0x100]);
    bus.write32(RAM + 0x100, 0x1234);
    expect(adapter.translate(RAM + 0x100, false)).toBe(RAM + 0x100);
    // 2^40 lies beyond the 39-bit identity map.
    expect(adapter.translate(2 ** 40, false)).toBeUndefined();
    cpu.run(1); // the call only: LR = 0 is where it returns to
    expect(stop).toBe('');
    expect(cpu.x[0]).toBe(0x1234);

    enter(cpu, fn, [2 ** 40]);
    cpu.run(1);
    expect(stop).toMatch(/^ReadIt: .*0x10000000000 is not mapped by the caller's page tables/);
    expect(cpu.el).toBe(2);
  });

  it('without firmware vectors, an exception loop (vector not executable) ends run() with a fault instead of hanging', () => {
    const { bus, cpu } = machine();
    bus.write32(CODE, 0); // udf #0
    enter(cpu, CODE);
    cpu.setSys(S.VBAR_EL2, 0, 0); // 0x200 lies in the first GiB: Device memory, execute-never
    const r = cpu.run(1_000_000);
    expect(r.reason.kind).toBe('fault');
    expect(r.reason.kind === 'fault' && r.reason.detail).toMatch(/^exception loop at 0x0000000000000200 \(EL2\): 10000 exceptions in a row without retiring an instruction/);
  });
});
