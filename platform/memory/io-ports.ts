/**
 * The x86 I/O port space (64 KiB of ports). Devices claim port ranges; IN/OUT from the CPU land here.
 * Reads of unclaimed ports return all ones, writes to them are dropped, as on a PC.
 */
export interface PortHandler {
  read(port: number, size: 1 | 2 | 4): number;
  write(port: number, size: 1 | 2 | 4, value: number): void;
}

export class IoPortBus {
  private readonly handlers: (PortHandler | undefined)[] = new Array(0x10000);

  claim(first: number, count: number, handler: PortHandler): void {
    for (let p = first; p < first + count; p++) {
      if (this.handlers[p]) throw new Error(`io ports: 0x${p.toString(16)} already claimed`);
      this.handlers[p] = handler;
    }
  }

  read(port: number, size: 1 | 2 | 4): number {
    const h = this.handlers[port & 0xffff];
    if (h) return h.read(port & 0xffff, size);
    return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    this.handlers[port & 0xffff]?.write(port & 0xffff, size, value);
  }
}
