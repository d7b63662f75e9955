/**
 * Test scaffolding for the firmware: a guest bus with the pc board's RAM, and a register-file CPU that
 * implements the FirmwareCpu adapter so firmware functions can be called through their trap addresses
 * exactly as guest code would (arguments per MS x64 ABI, return address on the stack).
 */
import { existsSync, readFileSync } from 'node:fs';
import { PhysicalBus } from '../../platform/memory/bus.js';
import { pcBoard, type PcBoard } from '../../platform/boards/pc/board.js';
import { memoryMapFromBoard } from '../../boot/firmware/board-memory.js';
import type { FirmwareCpu } from '../../boot/firmware/cpu.js';
import { X86_R8, X86_R9, X86_RCX, X86_RDX, X86_RSP, read64, write64 } from '../../boot/firmware/cpu.js';
import type { FirmwareMemoryMap } from '../../boot/firmware/memory-map.js';
import type { TrapRegistry, DispatchOutcome } from '../../boot/firmware/traps.js';

export const MiB = 1024 * 1024;

export interface TestMachine {
  board: PcBoard;
  bus: PhysicalBus;
  memory: FirmwareMemoryMap;
}

export function machine(memoryBytes = 256 * MiB): TestMachine {
  const board = pcBoard({ memoryBytes });
  const bus = new PhysicalBus();
  for (const r of board.ram) bus.addRam(r.name, r.base, r.size);
  return { board, bus, memory: memoryMapFromBoard(board) };
}

export class RegisterCpu implements FirmwareCpu {
  readonly lo = new Uint32Array(32);
  readonly hi = new Uint32Array(32);
  private rip = 0;
  constructor(
    readonly bus: PhysicalBus,
    readonly arch: 'x86_64' | 'aarch64' = 'x86_64',
  ) {}
  regLo(i: number): number {
    return this.lo[i]!;
  }
  regHi(i: number): number {
    return this.hi[i]!;
  }
  setReg(i: number, lo: number, hi: number): void {
    this.lo[i] = lo;
    this.hi[i] = hi;
  }
  pc(): number {
    return this.rip;
  }
  setPc(v: number): void {
    this.rip = v;
  }
  get(i: number): bigint {
    return (BigInt(this.hi[i]!) << 32n) | BigInt(this.lo[i]!);
  }
  set(i: number, v: bigint | number): void {
    const b = BigInt.asUintN(64, BigInt(v));
    this.lo[i] = Number(b & 0xffffffffn);
    this.hi[i] = Number(b >> 32n);
  }
}

export const RETURN_ADDRESS = 0x7777000;

/**
 * Performs `call [fn]` with MS x64 arguments: RCX, RDX, R8, R9, then the stack above 32 bytes of shadow
 * space, and dispatches the trap. Returns the outcome; the CPU's RIP is back at RETURN_ADDRESS after a
 * normal return.
 */
export function msCall(cpu: RegisterCpu, traps: TrapRegistry, fn: number | bigint, args: Array<number | bigint>, stackTop: number): DispatchOutcome {
  const regs = [X86_RCX, X86_RDX, X86_R8, X86_R9];
  args.slice(0, 4).forEach((a, i) => cpu.set(regs[i]!, a));
  // Caller: 16-byte aligned RSP before the call, shadow space + stack arguments above the return address.
  let rsp = stackTop & ~0xf;
  const stackArgs = args.slice(4);
  rsp -= 32 + 8 * stackArgs.length;
  rsp &= ~0xf;
  stackArgs.forEach((a, i) => write64(cpu.bus, rsp + 32 + 8 * i, a));
  rsp -= 8;
  write64(cpu.bus, rsp, RETURN_ADDRESS);
  cpu.set(X86_RSP, rsp);
  cpu.setPc(Number(fn));
  return traps.dispatch(cpu);
}

export { read64, write64 };

export function buildArtefact(path: string): Uint8Array {
  if (!existsSync(path)) throw new Error(`${path} is missing: the test global setup builds it (make guests / nova-image build)`);
  return new Uint8Array(readFileSync(path));
}
