/**
 * Trap addresses: how guest code enters the TypeScript firmware.
 *
 * Each firmware function (a UEFI boot service, a protocol member, a runtime service) gets its own slot of
 * TRAP_SLOT_SIZE bytes inside a trap area of guest memory; the firmware publishes the slot address wherever
 * the specification wants a function pointer. The guest calls it like any function.
 *
 * Hooking it into a CPU model (the only CPU-side work):
 *   1. Before fetching/decoding at RIP (x86) or PC (AArch64), the run loop asks `traps.isTrap(pc)`; a hit
 *      means "call `traps.dispatch(adapter)` instead of executing" (one range compare per block lookup; the
 *      firmware pages are never in the decoded-block cache because they are never decoded).
 *   2. `dispatch` reads the arguments through the calling convention (MS x64 / AAPCS64), runs the
 *      function, writes RAX/X0 and returns to the caller (x64: pops the return address; AArch64: PC = LR).
 *      When it returns a `stop` the run ends with that verdict (ResetSystem, a call after ExitBootServices).
 * As a safety net each slot holds bytes that fault on a CPU without the hook instead of running on:
 * x86 `UD2` (0F 0B) padded with `INT3` (CC); AArch64 `UDF #slot` (0x0000nnnn). A #UD at a trap address
 * therefore names the firmware function that was called in the fault report.
 */
import { conventionFor, type CallingConvention } from './abi.js';
import { toAddress } from './cpu.js';
import type { FirmwareArch, FirmwareCpu } from './cpu.js';
import { FirmwareError } from './errors.js';
import { NovaImageError } from '../../common/errors.js';
import { traceHex, type FirmwareTrace, type TraceValue } from './trace.js';
import type { PhysicalBus } from '../../platform/memory/bus.js';
import type { GuestMemory, MemoryAccess } from './guest-memory.js';

export const TRAP_SLOT_SIZE = 16;

const X86_UD2 = [0x0f, 0x0b];
const X86_INT3 = 0xcc;

/** What a firmware function sees of its call. */
export interface TrapCall {
  readonly cpu: FirmwareCpu;
  /** Guest memory through the caller's paging (pointers the guest passed are virtual addresses). */
  readonly bus: MemoryAccess;
  readonly abi: CallingConvention;
  /** Argument `i` (0-based) as an unsigned 64-bit value. */
  arg(i: number): bigint;
  /** Argument `i` as a signed Number: pointers (higher-half ones negative, as the CPU keeps them) and sizes. */
  argNum(i: number): number;
  /**
   * Argument `i` as a 32-bit unsigned value (UINT32, enums, BOOLEAN widened): the ABIs leave the upper half
   * of a register that carries a 32-bit argument undefined, so those must not be read as 64-bit.
   */
  argU32(i: number): number;
}

/** Returned by a function that does not return to its caller (ResetSystem, fatal misuse). */
export interface TrapStop {
  readonly stop: true;
  readonly reason: string;
  readonly exitCode?: number;
}

export type TrapResult = bigint | TrapStop;
export type TrapHandler = (call: TrapCall) => TrapResult;

export interface TrapFunction {
  readonly name: string;
  readonly address: number;
  /** How many arguments the trace records (the function may read more). */
  readonly arity: number;
  readonly handler: TrapHandler;
}

export interface DispatchOutcome {
  readonly function: TrapFunction;
  readonly result?: bigint;
  readonly stop?: TrapStop;
}

export class TrapRegistry {
  private readonly slots: TrapFunction[] = [];
  readonly abi: CallingConvention;
  /** Formats a result for the trace (UEFI: status names). */
  describeResult: (value: bigint) => TraceValue = (v) => traceHex(v);

  constructor(
    readonly bus: PhysicalBus,
    readonly arch: FirmwareArch,
    /** First byte of the trap area (page-aligned guest RAM the caller reserved). */
    readonly base: number,
    readonly size: number,
    readonly trace?: FirmwareTrace,
    /** Shared with the firmware's structures: switched to the caller's translation during each call. */
    readonly memory?: GuestMemory,
  ) {
    this.abi = conventionFor(arch);
  }

  get capacity(): number {
    return Math.floor(this.size / TRAP_SLOT_SIZE);
  }

  get functions(): readonly TrapFunction[] {
    return this.slots;
  }

  /** Gives `name` the next slot, writes the slot's guard bytes, and returns the slot address. */
  register(name: string, arity: number, handler: TrapHandler): number {
    if (this.slots.length >= this.capacity) {
      throw new FirmwareError('traps', `trap area ${traceHex(this.base)}+${traceHex(this.size)} is full (${this.capacity} slots) registering ${name}`);
    }
    const index = this.slots.length;
    const address = this.base + index * TRAP_SLOT_SIZE;
    this.bus.writeBytes(address, guardBytes(this.arch, index));
    this.slots.push({ name, address, arity, handler });
    return address;
  }

  /** True when `pc` is the first byte of a registered slot. */
  isTrap(pc: number): boolean {
    const off = pc - this.base;
    return off >= 0 && off < this.slots.length * TRAP_SLOT_SIZE && off % TRAP_SLOT_SIZE === 0;
  }

  /** The function at `pc`, or undefined. */
  lookup(pc: number): TrapFunction | undefined {
    return this.isTrap(pc) ? this.slots[(pc - this.base) / TRAP_SLOT_SIZE] : undefined;
  }

  /** Runs the firmware function the CPU is about to "execute" at its PC and returns to the caller. */
  dispatch(cpu: FirmwareCpu): DispatchOutcome {
    const fn = this.lookup(cpu.pc());
    if (!fn) throw new FirmwareError('traps', `dispatch at ${traceHex(cpu.pc())}, which is not a trap slot`);
    const run = () => this.invoke(fn, cpu);
    return this.memory ? this.memory.during(cpu, run) : run();
  }

  private invoke(fn: TrapFunction, cpu: FirmwareCpu): DispatchOutcome {
    const abi = this.abi;
    const mem: MemoryAccess = this.memory ?? cpu.bus;
    const call: TrapCall = {
      cpu,
      bus: mem,
      abi,
      arg: (i) => abi.arg(cpu, i, mem),
      argNum: (i) => toAddress(abi.arg(cpu, i, mem)),
      argU32: (i) => Number(abi.arg(cpu, i, mem) & 0xffffffffn),
    };
    let args: string[] = [];
    let result: TrapResult;
    try {
      args = Array.from({ length: fn.arity }, (_, i) => traceHex(abi.arg(cpu, i, mem)));
      result = fn.handler(call);
    } catch (e) {
      // A typed refusal (NotImplementedError, FirmwareError, a malformed structure) ends the run with a
      // verdict that names the function, never with a host stack trace.
      if (!(e instanceof NovaImageError)) throw e;
      result = { stop: true, reason: `${fn.name}: ${e.message}` };
    }
    if (typeof result === 'bigint') {
      this.trace?.record('call', fn.name, { args, result: this.describeResult(result) });
      try {
        abi.returnFromCall(cpu, result, mem);
      } catch (e) {
        if (!(e instanceof NovaImageError)) throw e;
        const stop: TrapStop = { stop: true, reason: `${fn.name}: returning: ${e.message}` };
        return { function: fn, stop };
      }
      return { function: fn, result };
    }
    this.trace?.record('call', fn.name, { args, stop: result.reason });
    return { function: fn, stop: result };
  }
}

function guardBytes(arch: FirmwareArch, index: number): Uint8Array {
  const out = new Uint8Array(TRAP_SLOT_SIZE);
  if (arch === 'x86_64') {
    out.fill(X86_INT3);
    out.set(X86_UD2, 0);
  } else {
    // UDF #imm16 is 0x0000iiii: permanently undefined, the immediate names the slot.
    const v = new DataView(out.buffer);
    for (let i = 0; i < TRAP_SLOT_SIZE; i += 4) v.setUint32(i, index & 0xffff, true);
  }
  return out;
}
