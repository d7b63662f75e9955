/**
 * Behaviour QEMU cannot serve as the oracle for (our verdicts, deterministic time, the interrupt hook) and
 * SDM rules where QEMU 7.2 TCG deviates (unknown MSRs, non-canonical stack, IDT error codes). Machine code is
 * written as bytes with the assembly beside it.
 */
import { describe, expect, it } from 'vitest';
import { TestMachine } from '../../dist/platform/cpu/x86_64/test-machine.js';
import type { X86Cpu } from '../../dist/platform/cpu/x86_64/cpu.js';

const CODE = 0x200000;
const IDT = 0x10000;
const HANDLER = 0x210000;

/** Long mode at CODE with an IDT whose every vector goes to HANDLER (which records and halts). */
function machine(code: number[], handler: number[] = [0xf4]): TestMachine {
  const m = new TestMachine(8 << 20);
  m.bus.writeBytes(CODE, Uint8Array.from(code));
  m.bus.writeBytes(HANDLER, Uint8Array.from(handler));
  for (let v = 0; v < 256; v++) {
    const g = IDT + v * 16;
    m.bus.write32(g, (0x08 << 16) | (HANDLER & 0xffff));
    m.bus.write32(g + 4, (HANDLER & 0xffff0000) | 0x8e00);
    m.bus.write32(g + 8, 0);
    m.bus.write32(g + 12, 0);
  }
  m.enterLongMode(CODE, 0x300000);
  m.cpu.idtrBase = IDT;
  m.cpu.idtrLimit = 256 * 16 - 1;
  return m;
}

/** The exception frame the CPU pushed: [error?, rip, cs, rflags, rsp, ss] from RSP upwards. */
function frame(cpu: X86Cpu, withError: boolean): { error?: number; rip: number } {
  const sp = cpu.regNum(4);
  const read = (o: number): number => cpu.bus.read32(sp + o);
  return withError ? { error: read(0), rip: read(8) } : { rip: read(0) };
}

describe('x86-64 CPU model', () => {
  it('undefined opcodes raise #UD in the guest (0F 38 map, not in the CPUID model)', () => {
    const m = machine([0x0f, 0x38, 0x00, 0xc0]); // pshufb xmm0, xmm0 (SSSE3: not advertised)
    expect(m.run(10).reason).toBe('halted');
    expect(frame(m.cpu, false).rip).toBe(CODE);
    expect(m.cpu.rip).toBe(HANDLER + 1);
  });

  it('an instruction the model does not implement ends the run with bytes, address and registers', () => {
    const m = machine([0x90, 0xd9, 0xe8]); // nop; fld1 (x87)
    const r = m.run(10);
    expect(r.reason).toBe('unimplemented');
    expect(r.message).toContain('X87');
    expect(r.message).toContain('d9 e8');
    expect(r.message).toContain('200001');
    expect(r.registers).toMatch(/rip=0000000000200001/);
    expect(r.registers).toMatch(/bytes at rip: d9 e8/);
  });

  it('SSE floating point is decoded and reported as not implemented (not a guest #UD)', () => {
    const m = machine([0xf2, 0x0f, 0x58, 0xc1]); // addsd xmm0, xmm1
    const r = m.run(10);
    expect(r.reason).toBe('unimplemented');
    expect(r.message).toContain('SSEFP');
    expect(r.message).toContain('f2 0f 58 c1');
  });

  it('an endless loop ends with "budget" and the host keeps control', () => {
    const m = machine([0xeb, 0xfe]); // jmp $
    const r = m.run(1_000_000);
    expect(r.reason).toBe('budget');
    expect(r.instructions).toBe(1_000_000);
  });

  it('RDTSC counts retired instructions (deterministic virtual time); RDRAND is seeded', () => {
    const code = [0x90, 0x90, 0x90, 0x0f, 0x31, 0x48, 0x0f, 0xc7, 0xf3, 0xf4]; // nop x3; rdtsc; rdrand rbx; hlt
    const a = machine(code), b = machine(code);
    a.run(100);
    b.run(100);
    expect(a.cpu.lo[0]).toBe(3);
    expect(a.cpu.lo[3]).toBe(b.cpu.lo[3]);
    expect(a.cpu.hi[3]).toBe(b.cpu.hi[3]);
    expect(a.cpu.getFlags() & 1).toBe(1);
  });

  it('CPUID reports the documented model', () => {
    const m = machine([0x0f, 0xa2, 0xf4]); // cpuid; hlt
    m.cpu.lo[0] = 0;
    m.run(10);
    const s = (v: number): string => Buffer.from(Uint32Array.of(v).buffer).toString('latin1');
    expect(s(m.cpu.lo[3]!) + s(m.cpu.lo[2]!) + s(m.cpu.lo[1]!)).toBe('GenuineIntel');
    const ext = machine([0x0f, 0xa2, 0xf4]);
    ext.cpu.lo[0] = 0x80000001 | 0;
    ext.run(10);
    expect((ext.cpu.lo[2]! >>> 29) & 1).toBe(1); // LM
    expect((ext.cpu.lo[2]! >>> 20) & 1).toBe(1); // NX
  });

  it('WRMSR to an unknown MSR raises #GP(0) (QEMU TCG ignores it; the SDM does not)', () => {
    const m = machine([0xb9, 0x45, 0x23, 0x01, 0x00, 0x0f, 0x30]); // mov ecx, 0x12345; wrmsr
    m.run(10);
    expect(frame(m.cpu, true)).toEqual({ error: 0, rip: CODE + 5 });
  });

  it('a PUSH with a non-canonical RSP raises #SS(0)', () => {
    // mov rsp, 0x8000000000001000 ; push rax   (the handler runs on IST1 so delivery works)
    const m = machine([0x48, 0xbc, 0x00, 0x10, 0, 0, 0, 0, 0, 0x80, 0x50]);
    const tss = 0x20000;
    m.bus.write32(tss + 0x24, 0x380000); // IST1
    m.cpu.trBase = tss;
    m.cpu.trLimit = 0x67;
    m.bus.write32(IDT + 12 * 16 + 4, (HANDLER & 0xffff0000) | 0x8e01); // #SS gate, IST1
    m.run(10);
    expect(m.cpu.regNum(4)).toBe(0x380000 - 48);
    expect(frame(m.cpu, true)).toEqual({ error: 0, rip: CODE + 10 });
  });

  it('INT n through a not-present gate: #NP with the IDT error code vector*8+2', () => {
    const m = machine([0xcd, 0x41]); // int 0x41
    m.bus.write32(IDT + 0x41 * 16 + 4, HANDLER & 0xffff0000 | 0x0e00); // P=0
    m.run(10);
    expect(frame(m.cpu, true)).toEqual({ error: 0x41 * 8 + 2, rip: CODE });
  });

  it('a long-mode gate to a higher-half handler is taken at its exact address (no rounding beyond 2^53)', () => {
    // int 0x80 through a gate to 0xffffffff81001820 (unmapped): the fetch there faults and CR2 names it.
    const m = machine([0xcd, 0x80]);
    const target = 0xffffffff81001820n;
    const g = IDT + 0x80 * 16;
    m.bus.write32(g, (0x08 << 16) | Number(target & 0xffffn));
    m.bus.write32(g + 4, Number(target & 0xffff0000n) | 0x8e00);
    m.bus.write32(g + 8, Number(target >> 32n));
    m.run(10);
    expect(BigInt.asUintN(64, BigInt(m.cpu.cr2))).toBe(target);
    expect(m.cpu.rip).toBe(HANDLER + 1);
  });

  it('a reserved CR4 bit raises #GP(0)', () => {
    // mov rax, 1<<40 ; mov cr4, rax
    const m = machine([0x48, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0x0f, 0x22, 0xe0]);
    m.run(10);
    expect(frame(m.cpu, true)).toEqual({ error: 0, rip: CODE + 10 });
  });

  it('raiseInterrupt wakes HLT and is delivered through the IDT only when IF=1; STI has a one-instruction shadow', () => {
    // sti; hlt; hlt      handler: inc rbx; iretq
    const m = machine([0xfb, 0xf4, 0xf4], [0x48, 0xff, 0xc3, 0x48, 0xcf]);
    expect(m.run(100).reason).toBe('halted');
    expect(m.cpu.rip).toBe(CODE + 2);
    m.cpu.raiseInterrupt(0x30);
    expect(m.run(100).reason).toBe('halted');
    expect(m.cpu.lo[3]).toBe(1); // handler ran once
    expect(m.cpu.rip).toBe(CODE + 3); // resumed after the first HLT, halted on the second
    // with IF=0 the request stays pending and HLT does not wake
    const n = machine([0xfa, 0xf4], [0x48, 0xff, 0xc3, 0x48, 0xcf]); // cli; hlt
    n.cpu.raiseInterrupt(0x30);
    expect(n.run(100).reason).toBe('halted');
    expect(n.cpu.lo[3]).toBe(0);
  });

  it('SYSEXIT (REX.W) to CPL 3 and SYSENTER back to CPL 0 in long mode', () => {
    const m = machine([0x48, 0x0f, 0x35]); // sysexitq
    m.bus.writeBytes(CODE + 0x80, Uint8Array.from([0x0f, 0x34])); // sysenter (at CPL 3)
    m.bus.writeBytes(CODE + 0x100, Uint8Array.from([0xf4])); // hlt (at CPL 0)
    m.cpu.msr.write(0x174, 0x08, 0);
    m.cpu.msr.write(0x175, 0x380000, 0);
    m.cpu.msr.write(0x176, CODE + 0x100, 0);
    m.cpu.setRegNum(2, CODE + 0x80);
    m.cpu.setRegNum(1, 0x390000);
    expect(m.run(1).reason).toBe('budget');
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.segSel[1]).toBe(0x2b);
    expect(m.cpu.regNum(4)).toBe(0x390000);
    expect(m.run(10).reason).toBe('halted');
    expect(m.cpu.cpl).toBe(0);
    expect(m.cpu.segSel[1]).toBe(0x08);
    expect(m.cpu.regNum(4)).toBe(0x380000);
    expect(m.cpu.rip).toBe(CODE + 0x101);
  });

  it('PCID: CR3 keeps the PCID, bit 63 (no flush) is not stored; INVPCID executes; PCIDE needs CR3[11:0]=0', () => {
    const m = machine([
      0x0f, 0x20, 0xe0, //             mov rax, cr4
      0x48, 0x0f, 0xba, 0xe8, 0x11, // bts rax, 17 (PCIDE)
      0x0f, 0x22, 0xe0, //             mov cr4, rax
      0x0f, 0x20, 0xd8, //             mov rax, cr3
      0x48, 0x83, 0xc8, 0x05, //       or rax, 5
      0x48, 0x0f, 0xba, 0xe8, 0x3f, // bts rax, 63
      0x0f, 0x22, 0xd8, //             mov cr3, rax
      0x0f, 0x20, 0xdb, //             mov rbx, cr3
      0xb9, 0x02, 0, 0, 0, //          mov ecx, 2 (all contexts)
      0x66, 0x0f, 0x38, 0x82, 0x0d, 0x00, 0x01, 0, 0, // invpcid rcx, [rip+0x100]
      0xf4,
    ]);
    expect(m.run(20).reason).toBe('halted');
    expect(m.cpu.rip).toBe(CODE + 44);
    expect(m.cpu.lo[3]! & 0xfff).toBe(5);
    expect(m.cpu.hi[3]! >>> 31).toBe(0);
    // setting PCIDE while CR3 has a non-zero PCID field is #GP(0)
    const n = machine([0x0f, 0x20, 0xe0, 0x48, 0x0f, 0xba, 0xe8, 0x11, 0x0f, 0x22, 0xe0]);
    n.cpu.cr3 += 3;
    n.run(10);
    expect(frame(n.cpu, true)).toEqual({ error: 0, rip: CODE + 8 });
  });

  it('trapHook sees block-start addresses and can service them (HLE firmware entry points)', () => {
    // call rel32 to CODE+0x100 (a trap address, no code there); after the hook "returns", hlt
    const m = machine([0xe8, 0xfb, 0x00, 0x00, 0x00, 0xf4]);
    const seen: number[] = [];
    m.cpu.trapHook = (rip) => {
      seen.push(rip);
      if (rip !== CODE + 0x100) return false;
      m.cpu.lo[0] = 42; // the "firmware function" result
      const ret = m.cpu.pop(8); // emulate RET
      m.cpu.rip = ret;
      return true;
    };
    expect(m.run(100).reason).toBe('halted');
    expect(m.cpu.lo[0]).toBe(42);
    expect(seen).toEqual([CODE, CODE + 0x100, CODE + 5]);
    // a hook that services without moving RIP still ends with the budget
    const n = machine([0xf4]);
    n.cpu.trapHook = () => true;
    expect(n.run(1000).reason).toBe('budget');
  });

  it('writes to a code page invalidate decoded blocks (self-modifying code)', () => {
    // mov byte [rip+1], 0x05 -> patches the next instruction's immediate: mov al, 0x00 becomes mov al, 0x05
    // c6 05 01 00 00 00 05 ; b0 00 ; f4  (run it twice: the second run decodes the patched bytes)
    const m = machine([0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x05, 0xb0, 0x00, 0xf4]);
    m.run(10);
    expect(m.cpu.lo[0]! & 0xff).toBe(5);
  });
});

describe('x86-64 test loader', () => {
  it('enters an ELF64 directly in 64-bit mode (identity map, flat CS 0x08)', async () => {
    const { readFileSync } = await import('node:fs');
    const file = 'build/test/guests/x86_64/long64.elf64';
    const m = new TestMachine();
    m.bootElfLongMode(readFileSync(file), file);
    const r = m.run(10_000);
    expect(r.reason).toBe('exit');
    expect(m.serial).toBe('long64: entered in 64-bit mode, cs=0x08\n');
  });

  it('rejects a truncated ELF with a typed error before touching guest memory', () => {
    const m = new TestMachine(1 << 20);
    expect(() => m.bootMultiboot(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]), 'cut.elf')).toThrow(/cut\.elf/);
  });
});
