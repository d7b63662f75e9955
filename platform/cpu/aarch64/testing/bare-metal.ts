/**
 * A minimal machine for running bare-metal AArch64 test programs the way
 * `qemu-system-aarch64 -M virt,virtualization=on -kernel prog.elf` does: RAM at 0x40000000, the ELF's PT_LOAD
 * segments at their physical addresses, entry at EL2 with the MMU off, a PL011 data register at 0x09000000
 * whose output is captured, and PSCI over SMC (SYSTEM_OFF / SYSTEM_RESET end the run).
 *
 * It is a test fixture for the CPU model only: the real `virt` board (GIC, full PL011, FDT, firmware paths)
 * belongs to platform/boards.
 */
import { readFileSync } from 'node:fs';
import { defineStruct, viewOf } from '../../../../common/struct.js';
import { FormatError } from '../../../../common/errors.js';
import { PhysicalBus } from '../../../memory/bus.js';
import { Aarch64Cpu, type Aarch64Firmware, type RunResult } from '../cpu.js';
import { CPU_MODELS } from '../cpu-model.js';
import { CNTFRQ_EL0 } from '../sysregs.js';

const Elf64Header = defineStruct('elf64_ehdr', 64, {
  e_ident_magic: [0x00, 'u32'],
  e_ident_class: [0x04, 'u8'],
  e_machine: [0x12, 'u16'],
  e_entry: [0x18, 'u64'],
  e_phoff: [0x20, 'u64'],
  e_phentsize: [0x36, 'u16'],
  e_phnum: [0x38, 'u16'],
});

const Elf64Phdr = defineStruct('elf64_phdr', 56, {
  p_type: [0x00, 'u32'],
  p_offset: [0x08, 'u64'],
  p_paddr: [0x18, 'u64'],
  p_filesz: [0x20, 'u64'],
  p_memsz: [0x28, 'u64'],
});

const PT_LOAD = 1;
const EM_AARCH64 = 183;

export const VIRT_RAM_BASE = 0x40000000;
export const VIRT_UART_BASE = 0x09000000;
const PSCI_SYSTEM_OFF = 0x84000008;
const PSCI_SYSTEM_RESET = 0x84000009;
const PSCI_VERSION = 0x84000000;

/** Loads an AArch64 ELF's PT_LOAD segments into the bus; returns the entry point. */
export function loadElf(bus: PhysicalBus, bytes: Uint8Array, file: string): number {
  const view = viewOf(bytes);
  const h = Elf64Header.read(view, 0, file);
  if (h.e_ident_magic !== 0x464c457f || h.e_ident_class !== 2) throw new FormatError(file, 0, 'e_ident', 'not an ELF64 file');
  if (h.e_machine !== EM_AARCH64) throw new FormatError(file, 0x12, 'e_machine', `expected EM_AARCH64 (183), found ${h.e_machine}`);
  for (let i = 0; i < h.e_phnum; i++) {
    const off = Number(h.e_phoff) + i * h.e_phentsize;
    const p = Elf64Phdr.read(view, off, file);
    if (p.p_type !== PT_LOAD) continue;
    const start = Number(p.p_offset);
    const size = Number(p.p_filesz);
    if (start + size > bytes.length) throw new FormatError(file, off + 0x20, 'p_filesz', 'segment extends past the end of the file');
    bus.writeBytes(Number(p.p_paddr), bytes.subarray(start, start + size));
  }
  return Number(h.e_entry);
}

export interface BareMetalOptions {
  model?: string;
  maxInstructions?: number;
  ramSize?: number;
  /** block compilation threshold (Infinity = interpreter only, 1 = compile every block at once) */
  compileThreshold?: number;
}

export interface BareMetalRun {
  console: string;
  result: RunResult;
  cpu: Aarch64Cpu;
}

/** PSCI 0.2+ over SMC, enough for test programs: version, SYSTEM_OFF, SYSTEM_RESET. */
export const testFirmware: Aarch64Firmware = {
  onSmc(cpu) {
    const id = cpu.x[0]! >>> 0;
    if ((id & 0xbf000000) >>> 0 !== 0x84000000) return false; // not a PSCI function ID: no EL3 to take it
    switch (id) {
      case PSCI_SYSTEM_OFF: cpu.stopWith({ kind: 'power-off', detail: 'PSCI SYSTEM_OFF' }); return true;
      case PSCI_SYSTEM_RESET: cpu.stopWith({ kind: 'reset', detail: 'PSCI SYSTEM_RESET' }); return true;
      case PSCI_VERSION: cpu.setX(0, 0x00010001, 0); return true;
      default: cpu.setX(0, -1, -1); return true; // NOT_SUPPORTED
    }
  },
};

export function runBareMetal(elfPath: string, options: BareMetalOptions = {}): BareMetalRun {
  const bus = new PhysicalBus();
  bus.addRam('ram', VIRT_RAM_BASE, options.ramSize ?? 128 * 1024 * 1024);
  let out = '';
  bus.addMmio('pl011', VIRT_UART_BASE, 0x1000, {
    read: (offset) => (offset === 0x18 ? 0x90 : 0), // FR: transmit FIFO empty, receive FIFO empty
    write: (offset, _size, value) => {
      if (offset === 0) out += String.fromCharCode(value & 0xff);
    },
  });
  const model = CPU_MODELS[options.model ?? 'cortex-a57'];
  if (!model) throw new Error(`unknown CPU model ${options.model}`);
  const cpu = new Aarch64Cpu(bus, model);
  cpu.firmware = testFirmware;
  if (options.compileThreshold !== undefined) cpu.compileThreshold = options.compileThreshold;
  // Firmware programs the counter frequency; QEMU's virt reports 62.5 MHz.
  cpu.setSys(CNTFRQ_EL0, 62_500_000, 0);
  cpu.pc = loadElf(bus, readFileSync(elfPath), elfPath);
  const result = cpu.run(options.maxInstructions ?? 50_000_000);
  return { console: out, result, cpu };
}
