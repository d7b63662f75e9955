/**
 * Calling conventions the firmware is called with.
 *
 * UEFI on x64 uses the Microsoft x64 ABI: arguments 1-4 in RCX, RDX, R8, R9; argument 5 onwards on the stack
 * at RSP+0x28, +0x30, ... as seen on entry (the return address at RSP, then 32 bytes of shadow space the
 * caller reserves); result in RAX. On AArch64 (AAPCS64) arguments 1-8 are X0-X7, further ones on the stack
 * at SP, SP+8, ...; result in X0; the return address is in X30 (LR).
 *
 * `returnFromCall` finishes a trap as the callee's `ret` would: x64 pops the return address from the
 * stack into RIP; AArch64 sets PC to LR.
 */
import type { MemoryAccess } from './guest-memory.js';
import { A64_LR, A64_SP, X86_R8, X86_R9, X86_RAX, X86_RCX, X86_RDX, X86_RSP, read64, regBig, regNum, setRegBig, setRegNum, toAddress, type FirmwareCpu } from './cpu.js';

export interface CallingConvention {
  readonly name: 'ms-x64' | 'aapcs64';
  /** Argument `index` (0-based) of the current call as an unsigned 64-bit value. */
  arg(cpu: FirmwareCpu, index: number, mem?: MemoryAccess): bigint;
  /** Sets the result register and returns to the caller. `mem` reads the stack (default: physical). */
  returnFromCall(cpu: FirmwareCpu, value: bigint, mem?: MemoryAccess): void;
}

const MS_X64_REGS = [X86_RCX, X86_RDX, X86_R8, X86_R9] as const;
/** Return address (8) + shadow space for the four register arguments (32). */
const MS_X64_STACK_ARGS = 0x28;

export const MS_X64: CallingConvention = {
  name: 'ms-x64',
  arg(cpu, index, mem = cpu.bus) {
    if (index < MS_X64_REGS.length) return regBig(cpu, MS_X64_REGS[index]!);
    return read64(mem, regNum(cpu, X86_RSP) + MS_X64_STACK_ARGS + 8 * (index - MS_X64_REGS.length));
  },
  returnFromCall(cpu, value, mem = cpu.bus) {
    setRegBig(cpu, X86_RAX, value);
    const rsp = regNum(cpu, X86_RSP);
    cpu.setPc(toAddress(read64(mem, rsp)));
    setRegNum(cpu, X86_RSP, rsp + 8);
  },
};

export const AAPCS64: CallingConvention = {
  name: 'aapcs64',
  arg(cpu, index, mem = cpu.bus) {
    if (index < 8) return regBig(cpu, index);
    return read64(mem, regNum(cpu, A64_SP) + 8 * (index - 8));
  },
  returnFromCall(cpu, value) {
    setRegBig(cpu, 0, value);
    cpu.setPc(regNum(cpu, A64_LR));
  },
};

export function conventionFor(arch: FirmwareCpu['arch']): CallingConvention {
  return arch === 'x86_64' ? MS_X64 : AAPCS64;
}
