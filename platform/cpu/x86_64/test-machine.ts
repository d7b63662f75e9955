/**
 * A minimal machine for CPU tests and benchmarks: RAM, a capture-only 16550 at 0x3f8 and QEMU's
 * isa-debug-exit at 0xf4, and a loader that enters an ELF the way QEMU's Multiboot v1 loader does
 * (32-bit protected mode, flat segments, paging off, EAX=0x2badb002, EBX=Multiboot info), or directly in
 * 64-bit long mode with an identity map (for instruction-level tests). Full firmware paths are elsewhere.
 */
import { readElf } from '../../../boot/elf/index.js';
import { PhysicalBus } from '../../memory/bus.js';
import { IoPortBus } from '../../memory/io-ports.js';
import { CR0_PE, CR0_PG, CR4_OSFXSR, CR4_OSXSAVE, CR4_PAE, EFER_LMA, EFER_LME, EFER_NXE, type RunResult, X86Cpu } from './cpu.js';
import { SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from './insn.js';

export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** Where our loader puts the (minimal) Multiboot information, as QEMU does. */
export const MULTIBOOT_INFO_ADDRESS = 0x9000;

export class TestMachine {
  readonly bus = new PhysicalBus();
  readonly io = new IoPortBus();
  readonly cpu: X86Cpu;
  private serialBytes: number[] = [];
  private lcr = 0;
  exitValue: number | null = null;

  constructor(ramBytes = 64 * 1024 * 1024) {
    this.bus.addRam('ram', 0, ramBytes);
    this.cpu = new X86Cpu(this.bus, this.io);
    this.io.claim(0x3f8, 8, {
      read: (port) => {
        const reg = port - 0x3f8;
        if (reg === 5) return 0x60; // LSR: transmitter empty
        if (reg === 3) return this.lcr;
        return 0;
      },
      write: (port, _size, value) => {
        const reg = port - 0x3f8;
        if (reg === 3) this.lcr = value & 0xff;
        else if (reg === 0 && !(this.lcr & 0x80)) this.serialBytes.push(value & 0xff);
      },
    });
    this.io.claim(0xf4, 4, {
      read: () => 0xffffffff,
      write: (_port, _size, value) => {
        this.exitValue = value;
        this.cpu.requestExit(value, `debug-exit port 0xf4 written with 0x${value.toString(16)}`);
      },
    });
  }

  get serial(): string {
    return Buffer.from(this.serialBytes).toString('latin1');
  }

  /** Copies the ELF's PT_LOAD segments to their physical addresses; returns the entry point. */
  loadElf(bytes: Uint8Array, file: string): number {
    const elf = readElf(bytes, file);
    for (const ph of elf.programHeaders) {
      if (ph.type !== 1) continue;
      const paddr = Number(ph.paddr);
      const filesz = Number(ph.filesz);
      const memsz = Number(ph.memsz);
      const off = Number(ph.offset);
      this.bus.writeBytes(paddr, bytes.subarray(off, off + filesz));
      if (memsz > filesz) this.bus.writeBytes(paddr + filesz, new Uint8Array(memsz - filesz));
    }
    return Number(elf.header.entry);
  }

  /** Multiboot v1 hand-off as QEMU -kernel does it: 32-bit flat protected mode, paging off. */
  bootMultiboot(bytes: Uint8Array, file: string): void {
    const entry = this.loadElf(bytes, file);
    const cpu = this.cpu;
    // Multiboot information: flags=mem_lower/upper only (guests under test must not depend on more)
    this.bus.write32(MULTIBOOT_INFO_ADDRESS, 1);
    this.bus.write32(MULTIBOOT_INFO_ADDRESS + 4, 639);
    this.bus.write32(MULTIBOOT_INFO_ADDRESS + 8, (this.bus.allRegions[0]!.size >> 10) - 1024);
    // a GDT for the flat segments the Multiboot spec promises (the guest loads its own)
    const gdt = 0x8000;
    this.bus.write32(gdt, 0);
    this.bus.write32(gdt + 4, 0);
    this.bus.write32(gdt + 8, 0);
    this.bus.write32(gdt + 12, 0);
    this.bus.write32(gdt + 16, 0x0000ffff); // 0x10: code, base 0, limit 4G, 32-bit
    this.bus.write32(gdt + 20, 0x00cf9b00);
    this.bus.write32(gdt + 24, 0x0000ffff); // 0x18: data
    this.bus.write32(gdt + 28, 0x00cf9300);
    cpu.gdtrBase = gdt;
    cpu.gdtrLimit = 31;
    cpu.cr0 = CR0_PE | 0x10;
    for (const s of [SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS]) setFlat(cpu, s, 0x18, 0xc093);
    setFlat(cpu, SEG_CS, 0x10, 0xc09b);
    cpu.updateMode();
    cpu.setFlags(2);
    cpu.lo[0] = MULTIBOOT_BOOTLOADER_MAGIC | 0;
    cpu.lo[3] = MULTIBOOT_INFO_ADDRESS;
    cpu.rip = entry >>> 0;
  }

  /**
   * Enters 64-bit mode directly: identity map of the first 4 GiB with 2 MiB pages (tables at `tables`),
   * flat 64-bit CS, SSE and XSAVE enabled, RSP = `stack`.
   */
  enterLongMode(rip: number, stack: number, tables = 0x1000): void {
    const cpu = this.cpu;
    const pml4 = tables;
    const pdpt = tables + 0x1000;
    const pd = tables + 0x2000;
    this.bus.writeBytes(pml4, new Uint8Array(0x7000));
    this.bus.write32(pml4, (pdpt | 0x7) >>> 0);
    for (let i = 0; i < 4; i++) {
      this.bus.write32(pdpt + i * 8, (pd + i * 0x1000) | 0x7);
      for (let j = 0; j < 512; j++) {
        const addr = i * 0x40000000 + j * 0x200000;
        this.bus.write32(pd + i * 0x1000 + j * 8, (addr | 0x87) >>> 0);
      }
    }
    const gdt = tables + 0x6000; // after the four PDs (tables + 0x2000 .. + 0x5fff)
    this.bus.write32(gdt + 8, 0x0000ffff);
    this.bus.write32(gdt + 12, 0x00af9b00); // 0x08: 64-bit code
    this.bus.write32(gdt + 16, 0x0000ffff);
    this.bus.write32(gdt + 20, 0x00cf9300); // 0x10: data
    cpu.gdtrBase = gdt;
    cpu.gdtrLimit = 23;
    cpu.cr3 = pml4;
    cpu.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXSAVE | 0x400;
    cpu.efer = EFER_LME | EFER_LMA | EFER_NXE | 1;
    cpu.cr0 = (CR0_PE | CR0_PG | 0x10 | 0x2 | 0x10000) | 0;
    cpu.xcr0 = 3;
    for (const s of [SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS]) setFlat(cpu, s, 0x10, 0xc093);
    setFlat(cpu, SEG_CS, 0x08, 0xa09b);
    cpu.updateMode();
    cpu.flushTlb();
    cpu.setRegNum(4, stack);
    cpu.rip = rip;
  }

  /** Loads an ELF64 and enters its entry point directly in 64-bit mode (identity map, RSP = `stack`). */
  bootElfLongMode(bytes: Uint8Array, file: string, stack = 0x80000): void {
    const entry = this.loadElf(bytes, file);
    this.enterLongMode(entry, stack, 0x1000);
  }

  run(maxInstructions: number): RunResult {
    return this.cpu.run(maxInstructions);
  }
}

/** attr: flags nibble << 12 | access byte (descriptor bits 52-55, 40-47), stored as the CPU keeps them. */
function setFlat(cpu: X86Cpu, seg: number, sel: number, attr: number): void {
  cpu.segSel[seg] = sel;
  cpu.segBase[seg] = 0;
  cpu.segLimit[seg] = 0xffffffff;
  cpu.segAttr[seg] = (attr & 0xff) | (((attr >> 12) & 0xf) << 8);
}

void EFER_LMA;
