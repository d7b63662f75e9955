/**
 * How guest code reaches the TypeScript firmware at full CPU speed.
 *
 * The firmware's TrapRegistry gives each service a 16-byte slot in guest memory and fills it with guard
 * bytes (ud2, int3). Its intended wiring is a check of RIP against the trap area before every block fetch
 * in X86Cpu.run; the CPU model has no such hook yet (boot/firmware/x86-cpu-adapter.ts says so and offers
 * `runWithTraps`, which single-steps: about 50 times slower). So the machine installs a gate instead: the
 * first two bytes of every slot become `out 0xe5, al` (port 0xe5 is unassigned on a PC), and the port handler
 * dispatches the service whose slot the executing instruction belongs to. The rest of the slot keeps its
 * int3 guard bytes. `out` changes no register and no flag, so the MS x64 arguments arrive intact; the trap
 * returns to the caller as `ret` would. A write to the port from anywhere else is ignored, as an unassigned
 * port is.
 */
import type { X86Cpu } from '../cpu/x86_64/cpu.js';
import type { IoPortBus } from '../memory/io-ports.js';
import type { DispatchOutcome, TrapRegistry } from '../../boot/firmware/traps.js';
import { X86FirmwareCpu } from '../../boot/firmware/x86-cpu-adapter.js';

export const TRAP_GATE_PORT = 0xe5;
/** `out imm8, al` (opcode E6 ib). */
const OUT_IMM8_AL = 0xe6;

export class TrapGate {
  private patched = 0;
  private readonly adapter: X86FirmwareCpu;
  /** The last firmware call that asked to end the run (ResetSystem, the image returning, misuse). */
  stopped: DispatchOutcome | undefined;

  constructor(
    private readonly cpu: X86Cpu,
    private readonly traps: TrapRegistry,
    io: IoPortBus,
    private readonly onStop: (outcome: DispatchOutcome) => void,
  ) {
    this.adapter = new X86FirmwareCpu(cpu);
    io.claim(TRAP_GATE_PORT, 1, { read: () => 0xff, write: () => this.enter() });
    this.patchNewSlots();
  }

  /** Rewrites the slots registered since the last call (firmware may register services while it runs). */
  patchNewSlots(): void {
    const fns = this.traps.functions;
    for (; this.patched < fns.length; this.patched++) {
      this.cpu.bus.writeBytes(fns[this.patched]!.address, Uint8Array.of(OUT_IMM8_AL, TRAP_GATE_PORT));
    }
  }

  private enter(): void {
    const slot = this.cpu.curRip;
    if (!this.traps.isTrap(slot)) return;
    // The registry reads the function from the PC, as if the CPU were about to execute the slot.
    this.cpu.rip = slot;
    const outcome = this.traps.dispatch(this.adapter);
    this.patchNewSlots();
    if (outcome.stop) {
      this.stopped = outcome;
      this.onStop(outcome);
    }
  }
}
