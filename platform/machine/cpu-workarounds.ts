/**
 * The x86-64 CPU model as the PC machine uses it, with a workaround for a defect of the model that the
 * reference kernel runs into. Remove the override once X86Cpu.deliver is fixed (see the report for issue 4).
 *
 * Defect: X86Cpu.deliver (platform/cpu/x86_64/cpu.ts) computes a long-mode gate's handler address as
 * `g2 * 2^32 + offset` with the upper dword g2 read unsigned, before reducing to the signed canonical form.
 * For a higher-half handler (g2 = 0xffffffff) that intermediate is about 1.8e19, beyond 2^53, so the double
 * rounds the low 11 bits away: the reference kernel's `int 0x80` gate 0xffffffff81001820 lands at
 * 0xffffffff81001800 (the stub of vector 126) and the system call is taken for an external interrupt.
 * Taking the upper dword as signed keeps the sum exact (|value| < 2^47 for canonical addresses).
 */
import { EFER_LMA, X86Cpu } from '../cpu/x86_64/cpu.js';

const TWO32 = 4294967296;
const LONG_MODE_GATE_SIZE = 16;

export class PcCpu extends X86Cpu {
  override deliver(vector: number, error: number, soft: boolean, returnRip: number): void {
    super.deliver(vector, error, soft, returnRip);
    if (!(this.efer & EFER_LMA)) return;
    // Delivery succeeded, so the gate is readable; read its offset again, exactly.
    const gate = this.idtrBase + vector * LONG_MODE_GATE_SIZE;
    const saved = this.systemAccess;
    this.systemAccess = true;
    try {
      const low = ((this.read32(gate) & 0xffff) | (this.read32(gate + 4) & 0xffff0000)) >>> 0;
      const high = this.read32(gate + 8) | 0;
      this.rip = high * TWO32 + low;
    } finally {
      this.systemAccess = saved;
    }
  }
}
