/**
 * Wiring the firmware to the x86-64 CPU model (platform/cpu/x86_64): the FirmwareCpu adapter, loading an
 * X86EntryState into the CPU, and the trap hook for the run loop.
 *
 * How the lead wires a boot (see also boot/firmware/traps.ts):
 *   const adapter = new X86FirmwareCpu(cpu);
 *   applyX86Entry(cpu, state);                         // state from UefiFirmware.entryState, loadMultiboot2, loadBzImage
 *   for (;;) {
 *     const hit = serviceTrap(traps, adapter);        // before every block fetch: is RIP a firmware function?
 *     if (hit?.stop) -> verdict (reset, image returned, boot service after ExitBootServices, ...)
 *     if (!hit) cpu.run(n)                            // X86Cpu.run must stop at trap addresses, see below
 *   }
 * X86Cpu.run needs one check in its loop, before the block lookup: `if (this.trapHook?.(this.rip)) continue;`
 * (or stop with a 'trap' reason and let the caller dispatch). Until that exists, `runWithTraps` single-steps
 * (run(1)) and checks RIP between instructions: correct, slower; the tests use it.
 */
import { GUEST_FAULT, type X86Cpu, type RunResult } from '../../platform/cpu/x86_64/cpu.js';
import { SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../platform/cpu/x86_64/insn.js';
import type { FirmwareCpu } from './cpu.js';
import type { DispatchOutcome, TrapRegistry } from './traps.js';
import type { X86EntryState } from './x86-entry.js';

const TWO32 = 0x1_0000_0000;
const REG_INDEX = { rax: 0, rcx: 1, rdx: 2, rbx: 3, rsp: 4, rbp: 5, rsi: 6, rdi: 7 } as const;

export class X86FirmwareCpu implements FirmwareCpu {
  readonly arch = 'x86_64' as const;
  constructor(readonly cpu: X86Cpu) {}
  get bus() {
    return this.cpu.bus;
  }
  regLo(i: number): number {
    return this.cpu.lo[i]! >>> 0;
  }
  regHi(i: number): number {
    return this.cpu.hi[i]! >>> 0;
  }
  setReg(i: number, lo: number, hi: number): void {
    this.cpu.lo[i] = lo | 0;
    this.cpu.hi[i] = hi | 0;
  }
  pc(): number {
    return this.cpu.rip;
  }
  setPc(v: number): void {
    this.cpu.rip = v;
    this.cpu.breakBlock = true;
  }
  /** Supervisor access through the CPU's paging (X86Cpu.translate access codes: 0 read, 1 write). */
  translate(virtual: number, write: boolean): number | undefined {
    const cpl = this.cpu.cpl;
    const { faultVector, faultError, cr2 } = this.cpu;
    try {
      this.cpu.cpl = 0;
      return this.cpu.translate(virtual, write ? 1 : 0);
    } catch (e) {
      if (e !== GUEST_FAULT) throw e;
      // A firmware access is not a guest fault: leave the CPU's fault state as it was.
      Object.assign(this.cpu, { faultVector, faultError, cr2 });
      return undefined;
    } finally {
      this.cpu.cpl = cpl;
    }
  }
}

/** Loads the hand-over state: control registers, GDTR, segment caches from the GDT, registers, RIP. */
export function applyX86Entry(cpu: X86Cpu, s: X86EntryState): void {
  cpu.cr0 = s.cr0 | 0;
  cpu.cr3 = s.cr3;
  cpu.cr4 = s.cr4;
  cpu.efer = s.efer;
  cpu.gdtrBase = s.gdt.base;
  cpu.gdtrLimit = s.gdt.limit;
  cpu.cpl = 0;
  const load = (seg: number, sel: number) => {
    const d = cpu.readDescriptor(sel);
    cpu.segSel[seg] = sel;
    cpu.segBase[seg] = d.base;
    cpu.segLimit[seg] = d.limit;
    cpu.segAttr[seg] = d.attr | 1;
  };
  load(SEG_CS, s.segments.cs);
  for (const seg of [SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS]) load(seg, s.segments.ds);
  cpu.updateMode();
  cpu.flushTlb();
  cpu.lo.fill(0);
  cpu.hi.fill(0);
  for (const [name, value] of Object.entries(s.regs) as Array<[keyof typeof REG_INDEX, number]>) {
    cpu.lo[REG_INDEX[name]] = value | 0;
    cpu.hi[REG_INDEX[name]] = Math.floor(value / TWO32) | 0;
  }
  cpu.setFlags(s.rflags);
  cpu.rip = s.rip;
  cpu.halted = false;
}

/** Dispatches when RIP is a trap address; undefined otherwise. */
export function serviceTrap(traps: TrapRegistry, adapter: X86FirmwareCpu): DispatchOutcome | undefined {
  return traps.isTrap(adapter.pc()) ? traps.dispatch(adapter) : undefined;
}

export type TrapRunResult = { kind: 'cpu'; result: RunResult } | { kind: 'firmware'; outcome: DispatchOutcome } | { kind: 'budget'; instructions: number };

/**
 * Runs guest code with firmware traps serviced between single instructions, until the CPU stops, a
 * firmware function stops the run, or `maxInstructions` are spent.
 */
export function runWithTraps(cpu: X86Cpu, traps: TrapRegistry, maxInstructions: number): TrapRunResult {
  const adapter = new X86FirmwareCpu(cpu);
  let executed = 0;
  while (executed < maxInstructions) {
    const hit = serviceTrap(traps, adapter);
    if (hit) {
      if (hit.stop) return { kind: 'firmware', outcome: hit };
      continue;
    }
    const r = cpu.run(1);
    executed += r.instructions;
    if (r.reason !== 'budget') return { kind: 'cpu', result: r };
  }
  return { kind: 'budget', instructions: executed };
}
