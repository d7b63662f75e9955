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

/**
 * A device whose registers are bytes (8259, 8254, CMOS, PM blocks): a 2- or 4-byte access is that many
 * byte accesses at consecutive ports, least significant first, as the ISA bus splits it.
 */
export abstract class BytewisePortHandler implements PortHandler {
  protected abstract readByte(port: number): number;
  protected abstract writeByte(port: number, value: number): void;

  read(port: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readByte(port + i) << (8 * i);
    return v >>> 0;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) this.writeByte(port + i, (value >>> (8 * i)) & 0xff);
  }
}
