import { describe, expect, it } from 'vitest';
import { AAPCS64, MS_X64 } from '../../boot/firmware/abi.js';
import { X86_RAX, X86_RSP, A64_LR, A64_SP } from '../../boot/firmware/cpu.js';
import { FirmwareTrace } from '../../boot/firmware/trace.js';
import { TRAP_SLOT_SIZE, TrapRegistry } from '../../boot/firmware/traps.js';
import { NotImplementedError } from '../../common/errors.js';
import { machine, msCall, read64, RegisterCpu, RETURN_ADDRESS, write64 } from './helpers.js';

describe('trap registry and calling conventions', () => {
  it('gives each function a 16-byte slot whose bytes fault without the hook (UD2 + INT3 / UDF #slot)', () => {
    const { bus } = machine();
    const traps = new TrapRegistry(bus, 'x86_64', 0x50000, 0x1000);
    const a = traps.register('A', 0, () => 0n);
    const b = traps.register('B', 0, () => 0n);
    expect(b - a).toBe(TRAP_SLOT_SIZE);
    expect([...bus.readBytes(a, 16)]).toEqual([0x0f, 0x0b, ...Array(14).fill(0xcc)]);
    expect(traps.isTrap(a)).toBe(true);
    expect(traps.isTrap(a + 1)).toBe(false);
    expect(traps.isTrap(b + TRAP_SLOT_SIZE)).toBe(false);
    const arm = new TrapRegistry(bus, 'aarch64', 0x60000, 0x1000);
    arm.register('X', 0, () => 0n);
    const y = arm.register('Y', 0, () => 0n);
    // UDF #1 = 0x00000001 (Arm ARM: UDF <imm16>, encoding 0x0000 << 16 | imm16)
    expect([...bus.readBytes(y, 4)]).toEqual([1, 0, 0, 0]);
  });

  it('MS x64: 4 register arguments, the 5th and 6th at RSP+0x28 and +0x30; returns by popping RIP', () => {
    const { bus } = machine();
    const trace = new FirmwareTrace();
    const traps = new TrapRegistry(bus, 'x86_64', 0x50000, 0x1000, trace);
    let seen: bigint[] = [];
    const fn = traps.register('Six', 6, (c) => {
      seen = [0, 1, 2, 3, 4, 5].map((i) => c.arg(i));
      return 0x1234n;
    });
    const cpu = new RegisterCpu(bus);
    const out = msCall(cpu, traps, fn, [1, 2, 0xffffffffffffffffn, 4, 0x55, 0x66], 0x80000);
    expect(seen).toEqual([1n, 2n, 0xffffffffffffffffn, 4n, 0x55n, 0x66n]);
    expect(out.result).toBe(0x1234n);
    expect(cpu.get(X86_RAX)).toBe(0x1234n);
    expect(cpu.pc()).toBe(RETURN_ADDRESS);
    // RSP after return = RSP before the call: 16-byte aligned (the caller's invariant holds again).
    expect(Number(cpu.get(X86_RSP)) % 16).toBe(0);
    // Stack arguments sit exactly 0x28 above the entry RSP (return address + 32 bytes of shadow space).
    const entryRsp = Number(cpu.get(X86_RSP)) - 8;
    expect(read64(bus, entryRsp + 0x28)).toBe(0x55n);
    expect(trace.events[0]).toMatchObject({ kind: 'call', name: 'Six', data: { args: ['0x1', '0x2', '0xffffffffffffffff', '0x4', '0x55', '0x66'] } });
  });

  it('argU32 ignores the undefined upper half of a 32-bit argument register', () => {
    const { bus } = machine();
    const traps = new TrapRegistry(bus, 'x86_64', 0x50000, 0x1000);
    let v = -1;
    const fn = traps.register('U32', 1, (c) => {
      v = c.argU32(0);
      return 0n;
    });
    msCall(new RegisterCpu(bus), traps, fn, [0xdeadbeef00000007n], 0x80000);
    expect(v).toBe(7);
  });

  it('AAPCS64: X0..X7 then the stack at SP; returns to LR with the result in X0', () => {
    const { bus } = machine();
    const cpu = new RegisterCpu(bus, 'aarch64');
    for (let i = 0; i < 8; i++) cpu.set(i, 100 + i);
    cpu.set(A64_SP, 0x90000);
    write64(bus, 0x90000, 0x999);
    cpu.set(A64_LR, 0x4242);
    expect([0, 7, 8].map((i) => AAPCS64.arg(cpu, i))).toEqual([100n, 107n, 0x999n]);
    AAPCS64.returnFromCall(cpu, 5n);
    expect(cpu.get(0)).toBe(5n);
    expect(cpu.pc()).toBe(0x4242);
    expect(MS_X64.name).toBe('ms-x64');
  });

  it('a typed refusal inside a firmware function becomes a stop verdict naming the function', () => {
    const { bus } = machine();
    const traps = new TrapRegistry(bus, 'x86_64', 0x50000, 0x1000);
    const fn = traps.register('Nope', 0, () => {
      throw new NotImplementedError('the thing');
    });
    const out = msCall(new RegisterCpu(bus), traps, fn, [], 0x80000);
    expect(out.stop?.reason).toBe('Nope: not implemented yet: the thing');
    expect(() => traps.dispatch(new RegisterCpu(bus))).toThrow(/not a trap slot/);
  });

  it('refuses to register past the trap area', () => {
    const { bus } = machine();
    const traps = new TrapRegistry(bus, 'x86_64', 0x50000, 32);
    traps.register('a', 0, () => 0n);
    traps.register('b', 0, () => 0n);
    expect(() => traps.register('c', 0, () => 0n)).toThrow(/full \(2 slots\) registering c/);
  });
});
