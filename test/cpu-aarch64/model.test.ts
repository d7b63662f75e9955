// Behaviour of the CPU model that the differential suite cannot show (QEMU would just stop or hang):
// verdicts, the Undefined exception for unallocated encodings, code-write invalidation of decoded blocks,
// WFI in virtual time, the instruction budget and external aborts. Snippets are assembled with binutils.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PhysicalBus } from '../../platform/memory/bus.js';
import { Aarch64Cpu } from '../../platform/cpu/aarch64/cpu.js';
import { CORTEX_A57, MAX_MODEL, type CpuModel } from '../../platform/cpu/aarch64/cpu-model.js';
import { testFirmware } from '../../platform/cpu/aarch64/testing/bare-metal.js';
import { SLOT } from '../../platform/cpu/aarch64/sysregs.js';
import { R } from '../../platform/cpu/aarch64/int64.js';

const RAM = 0x40000000;

/** Assembles AArch64 source placed at RAM base into raw bytes. */
function assemble(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'a64-'));
  try {
    writeFileSync(join(dir, 's.S'), `.text\n.global _start\n_start:\n${source}\n`);
    execFileSync('aarch64-linux-gnu-gcc', ['-march=armv8.1-a+crypto', '-nostdlib', '-static', '-Wl,-Ttext=0x40000000', '-Wl,--build-id=none',
      '-o', join(dir, 's.elf'), join(dir, 's.S')]);
    execFileSync('aarch64-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', join(dir, 's.elf'), join(dir, 's.bin')]);
    return new Uint8Array(readFileSync(join(dir, 's.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const POWER_OFF = 'movz w0, #8\n movk w0, #0x8400, lsl #16\n smc #0';

/**
 * A test program that runs `body` with VBAR_EL2 at a vector table whose current-EL synchronous entry runs
 * `handler` and powers off; `tail` follows the table (data).
 */
function withSyncHandler(body: string, handler: string, tail = ''): string {
  return `
      adr x9, vectors
      msr vbar_el2, x9
      ${body}
      .balign 2048
    vectors:
      .skip 0x200
      ${handler}
      ${POWER_OFF}
      ${tail}`;
}

function machine(source: string, model: CpuModel = CORTEX_A57): { cpu: Aarch64Cpu; bus: PhysicalBus } {
  const bus = new PhysicalBus();
  bus.addRam('ram', RAM, 1 << 20);
  bus.writeBytes(RAM, assemble(source));
  const cpu = new Aarch64Cpu(bus, model);
  cpu.firmware = testFirmware;
  cpu.pc = RAM;
  return { cpu, bus };
}

const xlo = (cpu: Aarch64Cpu, n: number): number => cpu.x[2 * n]! >>> 0;

describe('AArch64 model verdicts and exceptions', () => {
  it('an unallocated encoding raises an Undefined exception in the guest (ESR EC 0, IL 1)', () => {
    const { cpu } = machine(withSyncHandler('udf #0x42', 'mrs x1, esr_el2\nmrs x2, elr_el2'));
    const r = cpu.run(1000);
    expect(r.reason.kind).toBe('power-off');
    expect(xlo(cpu, 1)).toBe(0x02000000);
    expect(xlo(cpu, 2)).toBe(RAM + 8);
  });

  it('a board-provided read-only system register (null write) reads, and MSR to it is UNDEFINED', () => {
    const { cpu } = machine(withSyncHandler('mrs x3, s3_4_c12_c11_1\nmsr s3_4_c12_c11_1, x3', 'mrs x1, esr_el2\nmrs x2, elr_el2'));
    cpu.defineSystemRegister(3, 4, 12, 11, 1, 2, () => { R[0] = 0x90080003 | 0; R[1] = 0; }, null); // ICH_VTR_EL2-like
    const r = cpu.run(1000);
    expect(r.reason.kind).toBe('power-off');
    expect(xlo(cpu, 3)).toBe(0x90080003);
    expect(xlo(cpu, 1)).toBe(0x02000000); // EC 0 (Unknown reason), IL 1
    expect(xlo(cpu, 2)).toBe(RAM + 12);
  });

  it('LSE atomics are UNDEFINED on the Cortex-A57 model and execute on max', () => {
    const src = withSyncHandler(`adr x3, data\nmov x4, #5\nldadd x4, x5, [x3]\nmov x1, #0x77\n${POWER_OFF}`, 'mrs x1, esr_el2', '.balign 8\ndata: .quad 10');
    const a57 = machine(src);
    expect(a57.cpu.run(1000).reason.kind).toBe('power-off');
    expect(xlo(a57.cpu, 1)).toBe(0x02000000);
    const max = machine(src, MAX_MODEL);
    expect(max.cpu.run(1000).reason.kind).toBe('power-off');
    expect(xlo(max.cpu, 1)).toBe(0x77);
    expect(xlo(max.cpu, 5)).toBe(10);
  });

  it('an instruction the model does not implement ends the run with a verdict naming encoding, address and registers', () => {
    const { cpu } = machine('mov x7, #0x1234\n aese v0.16b, v1.16b'); // crypto extension: not implemented
    const r = cpu.run(1000);
    expect(r.reason.kind).toBe('unimplemented');
    if (r.reason.kind !== 'unimplemented') return;
    expect(r.reason.detail).toContain('0x4e284820');
    expect(r.reason.detail).toContain('0000000040000004');
    expect(r.dump).toContain('x7=0000000000001234');
    expect(r.dump).toContain('pc=0000000040000004');
  });

  it('stores to a page holding decoded code drop its blocks (self-modifying code after IC IVAU)', () => {
    const { cpu } = machine(`
      ldr x9, =func
      ldr w4, =0xd28000a1      // mov x1, #5
      bl func
      mov x10, x1
      str w4, [x9]
      dc cvau, x9
      ic ivau, x9
      dsb ish
      isb
      bl func
      mov x11, x1
      ${POWER_OFF}
      .ltorg
      .balign 4096
    func:
      mov x1, #1
      ret`);
    expect(cpu.run(1000).reason.kind).toBe('power-off');
    expect(xlo(cpu, 10)).toBe(1);
    expect(xlo(cpu, 11)).toBe(5);
  });

  it('WFI sleeps in virtual time until the armed timer fires; with nothing armed it ends the run', () => {
    const armed = machine(`
      mrs x1, cntpct_el0
      mov x2, #50000
      msr cnthp_tval_el2, x2
      mov x2, #1
      msr cnthp_ctl_el2, x2
      wfi
      mrs x3, cntpct_el0
      mrs x4, cnthp_ctl_el2
      ${POWER_OFF}`);
    let fired = 0;
    armed.cpu.onTimer = (t, level) => { if (level) fired |= 1 << t; };
    const r = armed.cpu.run(1000);
    expect(r.reason.kind).toBe('power-off');
    expect(r.instructions).toBeLessThan(20);
    expect(xlo(armed.cpu, 3) - xlo(armed.cpu, 1)).toBeGreaterThanOrEqual(50000);
    expect(xlo(armed.cpu, 4)).toBe(5); // ENABLE | ISTATUS
    expect(fired).toBe(4); // the EL2 physical timer output went high
    const idle = machine('wfi\n b .');
    const v = idle.cpu.run(1000);
    expect(v.reason.kind).toBe('halted');
    expect(v.dump).toContain('pc=0000000040000000');
  });

  it('an endless loop ends at the instruction budget', () => {
    const { cpu } = machine('1: add x0, x0, #1\n b 1b');
    const r = cpu.run(10_000);
    expect(r.reason.kind).toBe('budget');
    expect(r.instructions).toBe(10_000);
    expect(xlo(cpu, 0)).toBe(5_000);
  });

  it('a load from unassigned physical memory is a synchronous external abort (EC 0x25, FSC 0x10)', () => {
    const { cpu } = machine(withSyncHandler('mov x3, #0x100000000\nldr x4, [x3]', 'mrs x1, esr_el2\nmrs x2, far_el2'));
    expect(cpu.run(1000).reason.kind).toBe('power-off');
    expect(xlo(cpu, 1)).toBe(((0x25 << 26) | (1 << 25) | 0x10) >>> 0);
    expect(cpu.x[5]).toBe(1); // FAR high half: 0x1_0000_0000
  });

  it('DC CIVAC translates its address: a fault reports CM = 1 and WnR = 1 (QEMU treats DC CIVAC as a no-op)', () => {
    const { cpu } = machine(withSyncHandler('mov x3, #0x4000000000000\ndc civac, x3', 'mrs x1, esr_el2'));
    expect(cpu.run(1000).reason.kind).toBe('power-off');
    // EC 0x25, IL, CM (bit 8), WnR (bit 6), FSC 0 = address size fault at level 0 (beyond the 44-bit PA range)
    expect(xlo(cpu, 1)).toBe(((0x25 << 26) | (1 << 25) | (1 << 8) | (1 << 6)) >>> 0);
  });

  it('SMC outside the PSCI range is UNDEFINED without EL3; PSCI_VERSION is answered by the firmware hook', () => {
    const { cpu } = machine(withSyncHandler('movz w0, #0\nmovk w0, #0x8400, lsl #16\nsmc #0\nmov x5, x0\nmov x0, #0x1234\nsmc #0', 'mrs x1, esr_el2'));
    expect(cpu.run(1000).reason.kind).toBe('power-off');
    expect(xlo(cpu, 5)).toBe(0x10001);
    expect(xlo(cpu, 1)).toBe(0x02000000);
    expect(SLOT['CNTFRQ_EL0']).toBeGreaterThan(0);
  });
});

describe('AArch64 interrupt inputs', () => {
  // A stand-in for the board's GIC: the EL2 physical timer output drives the CPU's IRQ line.
  const PROGRAM = `
      adr x9, vectors
      msr vbar_el2, x9
      mov x2, #1000
      msr cnthp_tval_el2, x2
      mov x2, #1
      msr cnthp_ctl_el2, x2
      msr hcr_el2, x3           // x3 preset by the test: IMO routes IRQs to EL2
      msr daifclr, #2
    1: wfi
      b 1b
      .balign 2048
    vectors:
      .skip 0x280               // current EL with SPx, IRQ
      mrs x5, elr_el2
      mrs x6, spsr_el2
      mrs x7, cnthp_ctl_el2
      ${POWER_OFF}`;

  it('an IRQ line raised by a timer wakes WFI and enters the EL2 IRQ vector with ELR after the WFI', () => {
    const { cpu } = machine(PROGRAM);
    cpu.x[6] = 1 << 4; // HCR_EL2.IMO
    cpu.onTimer = (t, level) => { if (t === 2) cpu.setIrq(level); };
    const r = cpu.run(10_000);
    expect(r.reason.kind).toBe('power-off');
    expect(xlo(cpu, 6)).toBe(0x349); // SPSR: EL2h, D/A/F masked, I clear at the time
    expect(xlo(cpu, 5)).toBe(RAM + 36); // ELR: the instruction after WFI
    expect(xlo(cpu, 7)).toBe(5);
  });

  it('an IRQ for EL1 is not taken at EL2 (HCR_EL2.IMO clear): WFI keeps sleeping until the budget ends', () => {
    const { cpu } = machine(PROGRAM);
    cpu.x[6] = 0;
    cpu.onTimer = (t, level) => { if (t === 2) cpu.setIrq(level); };
    const r = cpu.run(10_000);
    expect(r.reason.kind).not.toBe('power-off');
  });

  it('a physical SError is taken when PSTATE.A is clear, with ESR EC 0x2f', () => {
    const { cpu } = machine(`
      adr x9, vectors
      msr vbar_el2, x9
      msr hcr_el2, x3
      mov x1, #1
      msr daifclr, #4
      mov x1, #2
      b .
      .balign 2048
    vectors:
      .skip 0x380               // current EL with SPx, SError
      mrs x5, esr_el2
      ${POWER_OFF}`);
    cpu.x[6] = 1 << 5; // HCR_EL2.AMO
    cpu.raiseSError();
    const r = cpu.run(1000);
    expect(r.reason.kind).toBe('power-off');
    expect(xlo(cpu, 5)).toBe(((0x2f << 26) | (1 << 25)) >>> 0);
    expect(xlo(cpu, 1)).toBe(1); // taken right after DAIF.A was cleared
  });
});
