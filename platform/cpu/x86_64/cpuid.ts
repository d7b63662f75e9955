/**
 * CPUID: one documented CPU model, "nova-image virtual x86-64 CPU".
 *
 * It advertises exactly what the interpreter implements: long mode, NX, 1 GiB pages, SYSCALL, RDTSCP,
 * CMOV, CX8/CX16, PAE/PSE/PGE/PAT/MTRR, FXSR, SSE/SSE2 (moves, integer and floating-point operations; RCPPS/RSQRTPS and the MMX-register conversions are not implemented), POPCNT,
 * LZCNT (ABM), XSAVE (x87|SSE in XCR0), RDRAND/RDSEED, FSGSBASE, SMEP, SMAP (STAC/CLAC), 5-level paging (LA57),
 * PCID/INVPCID, APIC; x2APIC when the board connects its local APIC (X86Cpu.apic). No SSE3+, no AVX, no VMX. x87 is listed because long mode requires it; executing x87 code ends the run with an "unimplemented"
 * verdict. Vendor string "GenuineIntel", family 6 model 0x3a-like signature (SYSENTER/SYSCALL semantics
 * follow Intel in long mode).
 *
 * Leaf map:
 *   0          max leaf 0xd, vendor
 *   1          signature 0x000306a9; EBX: CLFLUSH 8 qwords, 1 logical CPU, APIC ID 0; ECX/EDX features;
 *              loads IA32_BIOS_SIGN_ID[63:32] with the microcode update revision (0: none loaded)
 *   4, 0xb     cache/topology: one core, one thread
 *   7.0        EBX: FSGSBASE, SMEP, INVPCID, RDSEED, SMAP; ECX: LA57 (unless X86Cpu.la57Supported is off)
 *   0xd.0/0xd.1  XSAVE: XCR0 mask 3, sizes 576
 *   0x80000000 max extended 0x80000008
 *   0x80000001 ECX: LAHF, ABM; EDX: SYSCALL, NX, 1GB pages, RDTSCP, LM
 *   0x80000002-4 brand "nova-image virtual x86-64 CPU"
 *   0x80000008 40 physical / 57 linear address bits (48 with la57Supported off)
 */
import type { X86Cpu } from './cpu.js';
import { CR4_OSXSAVE } from './arch.js';

const BRAND = 'nova-image virtual x86-64 CPU';

/** Physical address width the model reports (CPUID 0x80000008 EAX[7:0]). */
export const PHYSICAL_ADDRESS_BITS = 40;

const EDX1 =
  (1 << 0) | // FPU
  (1 << 3) | // PSE
  (1 << 4) | // TSC
  (1 << 5) | // MSR
  (1 << 6) | // PAE
  (1 << 8) | // CX8
  (1 << 9) | // APIC
  (1 << 11) | // SEP
  (1 << 12) | // MTRR
  (1 << 13) | // PGE
  (1 << 15) | // CMOV
  (1 << 16) | // PAT
  (1 << 19) | // CLFSH
  (1 << 24) | // FXSR
  (1 << 25) | // SSE
  (1 << 26); // SSE2

const ECX1 =
  (1 << 13) | // CX16
  (1 << 17) | // PCID
  (1 << 23) | // POPCNT
  (1 << 26) | // XSAVE
  (1 << 30); // RDRAND

function str4(s: string, i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) v |= (s.charCodeAt(i + k) || 0) << (8 * k);
  return v >>> 0;
}

/** Fills EAX, EBX, ECX, EDX for leaf EAX / subleaf ECX. */
export function cpuid(cpu: X86Cpu): void {
  const leaf = cpu.lo[0]! >>> 0;
  const sub = cpu.lo[1]! >>> 0;
  let a = 0, b = 0, c = 0, d = 0;
  switch (leaf) {
    case 0:
      a = 0xd;
      b = str4('GenuineIntel', 0);
      d = str4('GenuineIntel', 4);
      c = str4('GenuineIntel', 8);
      break;
    case 1:
      a = 0x000306a9;
      b = (8 << 8) | (1 << 16);
      c = ECX1 | (cpu.cr4 & CR4_OSXSAVE ? 1 << 27 : 0) | (cpu.apic ? 1 << 21 : 0); // x2APIC with a board APIC
      d = EDX1;
      cpu.msr.loadUpdateSignature();
      break;
    case 4:
      if (sub === 0) {
        a = 0x121; // level 1 data cache, self-initialising
        b = 63 | (7 << 22); // 64-byte lines, 8 ways
        c = 63; // 64 sets
      }
      break;
    case 7:
      if (sub === 0) {
        b = (1 << 0) | (1 << 7) | (1 << 10) | (1 << 18) | (1 << 20); // FSGSBASE SMEP INVPCID RDSEED SMAP
        c = cpu.la57Supported ? 1 << 16 : 0; // LA57
      }
      break;
    case 0xb:
      if (sub === 0) { a = 0; b = 1; c = 0x100; }
      else if (sub === 1) { a = 0; b = 1; c = 0x201; }
      else c = sub;
      break;
    case 0xd:
      if (sub === 0) { a = 3; b = 576; c = 576; d = 0; }
      else if (sub === 1) { a = 1; } // XSAVEOPT
      break;
    case 0x80000000: a = 0x80000008; break;
    case 0x80000001:
      c = (1 << 0) | (1 << 5);
      d = (1 << 11) | (1 << 20) | (1 << 26) | (1 << 27) | (1 << 29);
      break;
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const o = (leaf - 0x80000002) * 16;
      a = str4(BRAND, o); b = str4(BRAND, o + 4); c = str4(BRAND, o + 8); d = str4(BRAND, o + 12);
      break;
    }
    case 0x80000008: a = ((cpu.la57Supported ? 57 : 48) << 8) | PHYSICAL_ADDRESS_BITS; break;
    default:
      // Intel: leaves above the maximum return the data of the highest basic leaf; we return zeros for
      // unsupported leaves below it and beyond (documented deviation).
      break;
  }
  cpu.writeReg(4, 0, false, a >>> 0, 0);
  cpu.writeReg(4, 3, false, b >>> 0, 0);
  cpu.writeReg(4, 1, false, c >>> 0, 0);
  cpu.writeReg(4, 2, false, d >>> 0, 0);
}
