/**
 * The PCI root complex: configuration access through mechanism #1 (CONFIG_ADDRESS 0xcf8 / CONFIG_DATA
 * 0xcfc..0xcff) and through ECAM (PCI Express enhanced configuration, 4 KiB per function), and decoding of
 * the 32-bit MMIO window to the memory BARs of functions whose Memory Space bit is set. Accesses to absent
 * functions or undecoded addresses read all ones (master abort), as on real hardware.
 *
 * Port 0xcf9 sits inside the CONFIG_ADDRESS dword: on ICH9 a byte access there reaches the reset control
 * register, so byte accesses to it are forwarded to `resetControl`.
 */
import type { MmioHandler } from '../../memory/bus.js';
import type { PortHandler } from '../../memory/io-ports.js';
import type { Bdf } from '../../boards/board.js';
import type { ResetControl } from '../reset-control.js';
import type { PciFunction } from './config-space.js';

const CONFIG_ADDRESS = 0xcf8;
const CONFIG_DATA = 0xcfc;
const RESET_CONTROL = 0xcf9;
const ENABLE = 0x80000000;

export function bdfKey(bdf: Bdf): number {
  return (bdf.bus << 8) | (bdf.device << 3) | bdf.function;
}

export class PciHost implements PortHandler {
  private readonly functions = new Map<number, PciFunction>();
  private configAddress = 0;

  constructor(private readonly resetControl?: ResetControl) {}

  attach(fn: PciFunction): void {
    const key = bdfKey(fn.bdf);
    if (this.functions.has(key)) throw new Error(`pci: ${fn.name} collides with ${this.functions.get(key)!.name}`);
    this.functions.set(key, fn);
  }

  get all(): readonly PciFunction[] {
    return [...this.functions.values()];
  }

  find(bdf: Bdf): PciFunction | undefined {
    return this.functions.get(bdfKey(bdf));
  }

  configRead(key: number, offset: number, size: 1 | 2 | 4): number {
    const fn = this.functions.get(key);
    if (!fn) return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
    return fn.readConfig(offset, size);
  }

  configWrite(key: number, offset: number, size: 1 | 2 | 4, value: number): void {
    this.functions.get(key)?.writeConfig(offset, size, value);
  }

  // ---- mechanism #1 (I/O ports 0xcf8..0xcff) --------------------------------------------------------------

  read(port: number, size: 1 | 2 | 4): number {
    if (port === RESET_CONTROL && size === 1 && this.resetControl) return this.resetControl.readByte();
    if (port === CONFIG_ADDRESS && size === 4) return this.configAddress;
    if (port >= CONFIG_DATA && port < CONFIG_DATA + 4) {
      if (!(this.configAddress & ENABLE)) return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
      const key = (this.configAddress >>> 8) & 0xffff;
      const offset = (this.configAddress & 0xfc) | (port - CONFIG_DATA);
      return this.configRead(key, offset, size);
    }
    return size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    if (port === RESET_CONTROL && size === 1 && this.resetControl) {
      this.resetControl.writeByte(value);
      return;
    }
    if (port === CONFIG_ADDRESS && size === 4) {
      // Bits 1:0 are reserved and read back as zero; bits 30:24 reserved too.
      this.configAddress = (value & 0x80fffffc) >>> 0;
      return;
    }
    if (port >= CONFIG_DATA && port < CONFIG_DATA + 4 && this.configAddress & ENABLE) {
      const key = (this.configAddress >>> 8) & 0xffff;
      const offset = (this.configAddress & 0xfc) | (port - CONFIG_DATA);
      this.configWrite(key, offset, size, value);
    }
  }

  // ---- ECAM ----------------------------------------------------------------------------------------------

  /** MMIO handler for the ECAM window: offset = bus << 20 | device << 15 | function << 12 | register. */
  ecamHandler(): MmioHandler {
    const toSize = (size: number): 1 | 2 | 4 => (size === 1 || size === 2 ? size : 4);
    return {
      read: (offset, size) => this.configRead(offset >>> 12, offset & 0xfff, toSize(size)),
      write: (offset, size, value) => this.configWrite(offset >>> 12, offset & 0xfff, toSize(size), value),
    };
  }

  // ---- memory BARs ---------------------------------------------------------------------------------------

  /** MMIO handler for the PCI window starting at `windowBase`; dispatches by the BARs' current addresses. */
  mmioWindowHandler(windowBase: number): MmioHandler {
    const decode = (offset: number): [PciFunction, number, number] | undefined => {
      const address = windowBase + offset;
      for (const fn of this.functions.values()) {
        if (!fn.memoryEnabled) continue;
        for (const bar of fn.bars) {
          if (bar.kind !== 'mem32') continue;
          const base = fn.barAddress(bar.index);
          if (base !== 0 && address >= base && address < base + bar.size) return [fn, bar.index, address - base];
        }
      }
      return undefined;
    };
    return {
      read: (offset, size) => {
        const hit = decode(offset);
        return hit ? hit[0].barRead(hit[1], hit[2], size) : 0xffffffff;
      },
      write: (offset, size, value) => {
        const hit = decode(offset);
        if (hit) hit[0].barWrite(hit[1], hit[2], size, value);
      },
    };
  }
}
