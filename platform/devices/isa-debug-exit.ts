/**
 * QEMU's isa-debug-exit device: a write of value v ends the run with exit status (v << 1) | 1, so a guest
 * can report success or failure to the host. The run loop checks `exitCode` after each I/O exit.
 */
import type { PortHandler } from '../memory/io-ports.js';

export class IsaDebugExit implements PortHandler {
  /** The status the host process should exit with, once the guest has written. */
  exitCode: number | undefined;
  /** The raw value the guest wrote. */
  value: number | undefined;

  constructor(
    readonly port: number,
    readonly size: 1 | 2 | 4,
    private readonly onExit: (code: number, value: number) => void = () => {},
  ) {}

  read(): number {
    return 0;
  }

  write(_port: number, size: 1 | 2 | 4, value: number): void {
    const mask = size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
    const v = value & mask & (this.size === 4 ? 0xffffffff : (1 << (8 * this.size)) - 1);
    this.value = v;
    // QEMU computes (val << 1) | 1 in an int; the host sees its low 8 bits as the process status.
    this.exitCode = ((v << 1) | 1) >>> 0;
    this.onExit(this.exitCode, v);
  }
}
