/**
 * The x86 CPU state a firmware path hands over, as data: which mode, where to start, which registers hold
 * what, and the GDT / page tables the firmware built in guest memory. A loader returns one of these as a
 * fact; `applyX86Entry` (the CPU side, wired by the lead) loads it into the CPU model.
 *
 * Descriptors and page-table entries are described by their bit layout (Intel SDM vol. 3, 3.4.5 and 4.5)
 * in the two tables below rather than as magic numbers.
 */
import type { MemoryAccess } from './guest-memory.js';
import { write64 } from './cpu.js';

export type X86Mode = 'protected32' | 'long64';

export interface X86SegmentState {
  /** Selector loaded into CS. */
  cs: number;
  /** Selector loaded into DS, ES, SS, FS, GS. */
  ds: number;
}

export interface X86EntryState {
  mode: X86Mode;
  /** Where execution starts (EIP/RIP). */
  rip: number;
  /** Initial general registers; those left out are 0. */
  regs: Partial<Record<'rax' | 'rbx' | 'rcx' | 'rdx' | 'rsi' | 'rdi' | 'rbp' | 'rsp', number>>;
  gdt: { base: number; limit: number };
  segments: X86SegmentState;
  /** CR0: PE (+PG in long mode); CR3: PML4 (long mode); CR4: PAE (long mode); EFER: LME|LMA (long mode). */
  cr0: number;
  cr3: number;
  cr4: number;
  efer: number;
  /** RFLAGS: bit 1 set, IF clear (every path enters with interrupts off). */
  rflags: number;
}

export const CR0_PE = 1 << 0;
export const CR0_ET = 1 << 4;
export const CR0_PG = 0x80000000;
export const CR4_PAE = 1 << 5;
export const EFER_LME = 1 << 8;
export const EFER_LMA = 1 << 10;
export const RFLAGS_RESERVED = 1 << 1;

/** Segment descriptor bits (SDM vol. 3, figure 3-8), for flat segments: base 0, limit 0xfffff pages. */
const DESC = {
  limitLow: 0xffff,
  /** access byte: P=1, DPL=0, S=1, type */
  present: 0x80,
  codeOrData: 0x10,
  typeCodeExecRead: 0x0a,
  typeDataReadWrite: 0x02,
  /** set in advance so the CPU never writes the GDT */
  accessed: 0x01,
  /** flags nibble: G (4 KiB granularity), D/B (32-bit), L (64-bit code) */
  granularity: 0x8,
  default32: 0x4,
  long: 0x2,
  limitHigh: 0xf,
} as const;

export type FlatSegment = 'code32' | 'code64' | 'data';

/** An 8-byte flat descriptor as bigint. */
export function flatDescriptor(kind: FlatSegment): bigint {
  const type = kind === 'data' ? DESC.typeDataReadWrite : DESC.typeCodeExecRead;
  const access = DESC.present | DESC.codeOrData | type | DESC.accessed;
  const flags = DESC.granularity | (kind === 'code64' ? DESC.long : DESC.default32);
  return BigInt(DESC.limitLow) | (BigInt(access) << 40n) | (BigInt((flags << 4) | DESC.limitHigh) << 48n);
}

/** Writes a GDT with the given descriptors at their selectors (other slots null); returns its limit. */
export function writeGdt(bus: MemoryAccess, base: number, entries: ReadonlyArray<readonly [selector: number, kind: FlatSegment]>): { base: number; limit: number } {
  const size = Math.max(...entries.map(([sel]) => sel)) + 8;
  bus.writeBytes(base, new Uint8Array(size));
  for (const [sel, kind] of entries) write64(bus, base + sel, flatDescriptor(kind));
  return { base, limit: size - 1 };
}

/** Page-table entry bits (SDM vol. 3, tables 4-15..4-18). */
const PTE = { present: 1n, writable: 2n, pageSize: 0x80n } as const;
const TWO_MIB = 0x200000;
const ONE_GIB = 0x40000000;

/** Bytes needed for an identity map of [0, bytes) with 2 MiB pages: PML4, one PDPT, one PD per GiB. */
export function identityMapSize(bytes: number): number {
  const gibs = Math.ceil(bytes / ONE_GIB);
  if (gibs > 512) throw new RangeError(`identity map of ${bytes} bytes needs more than one PDPT`);
  return (2 + gibs) * 4096;
}

/**
 * Writes 4-level page tables at `base` (4 KiB aligned) that map [0, bytes) 1:1 with 2 MiB pages, present and
 * writable, as the Linux 64-bit boot protocol and OVMF provide. Returns the CR3 value (= base).
 */
export function writeIdentityMap(bus: MemoryAccess, base: number, bytes: number): number {
  const gibs = Math.ceil(bytes / ONE_GIB);
  bus.writeBytes(base, new Uint8Array(identityMapSize(bytes)));
  const pml4 = base;
  const pdpt = base + 0x1000;
  write64(bus, pml4, BigInt(pdpt) | PTE.present | PTE.writable);
  for (let g = 0; g < gibs; g++) {
    const pd = base + 0x2000 + g * 0x1000;
    write64(bus, pdpt + 8 * g, BigInt(pd) | PTE.present | PTE.writable);
    for (let e = 0; e < 512; e++) {
      write64(bus, pd + 8 * e, BigInt(g * ONE_GIB + e * TWO_MIB) | PTE.present | PTE.writable | PTE.pageSize);
    }
  }
  return pml4;
}

export const CR0_MP = 1 << 1;
export const CR0_NE = 1 << 5;
export const CR0_WP = 1 << 16;
export const CR4_DE = 1 << 3;
export const CR4_MCE = 1 << 6;
export const CR4_OSFXSR = 1 << 9;
export const CR4_OSXMMEXCPT = 1 << 10;

/**
 * Control-register values of the modes. 'uefi' is long mode as OVMF leaves it for applications (QEMU's
 * `info registers` under OVMF: CR0 = 0x80010033, CR4 = 0x668): SSE usable (UEFI 2.10, 2.3.4 requires it for
 * x64 code), write protection on. The bare modes are what the Linux and Multiboot2 protocols promise.
 */
export function modeRegisters(mode: X86Mode | 'uefi', cr3: number): Pick<X86EntryState, 'mode' | 'cr0' | 'cr3' | 'cr4' | 'efer' | 'rflags'> {
  if (mode === 'protected32') return { mode, cr0: CR0_PE | CR0_ET, cr3: 0, cr4: 0, efer: 0, rflags: RFLAGS_RESERVED };
  if (mode === 'long64') return { mode, cr0: (CR0_PE | CR0_ET | CR0_PG) >>> 0, cr3, cr4: CR4_PAE, efer: EFER_LME | EFER_LMA, rflags: RFLAGS_RESERVED };
  return {
    mode: 'long64',
    cr0: (CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG) >>> 0,
    cr3,
    cr4: CR4_DE | CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT,
    efer: EFER_LME | EFER_LMA,
    rflags: RFLAGS_RESERVED,
  };
}
