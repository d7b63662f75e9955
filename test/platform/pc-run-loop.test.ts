/**
 * The pc machine's run loop (platform/machine/run-loop.ts) on Linux's terms.
 *
 * Virtual time inside a CPU slice (DESIGN decision 5: time advances with retired instructions). The run loop
 * runs the CPU in slices of up to a million instructions; devices must still see time move with every
 * instruction, because guests poll counters in tight loops without halting: Linux's hpet_counting() spins
 * 200000 TSC cycles and declares the HPET dead if its counter did not move, and the ACPI PM timer check reads
 * the timer 10000 times in a row. An event a device schedules mid-slice must be delivered when it falls due,
 * not when the slice ends; and the TSC (invariant on the CPUs we model) keeps counting while the CPU is halted.
 */
import { describe, expect, it } from 'vitest';
import { applyX86Entry } from '../../boot/firmware/x86-cpu-adapter.js';
import { modeRegisters, writeGdt, writeIdentityMap } from '../../boot/firmware/x86-entry.js';
import { PcMachine } from '../../platform/machine/pc-machine.js';
import { runMachine } from '../../platform/machine/run-loop.js';
import { VirtualClock } from '../../platform/time/clock.js';

const CODE = 0x100000;

/** A pc machine entered at CODE in flat 32-bit protected mode (paging off), as QEMU's Multiboot loader does. */
function pcWith(code: number[]): PcMachine {
  const m = new PcMachine({ memoryBytes: 64 * 2 ** 20, console: () => {} });
  m.bus.writeBytes(CODE, Uint8Array.from(code));
  const gdt = writeGdt(m.bus, 0x8000, [[0x10, 'code32'], [0x18, 'data']]);
  applyX86Entry(m.cpu, { rip: CODE, regs: {}, gdt, segments: { cs: 0x10, ds: 0x18 }, ...modeRegisters('protected32', 0) });
  return m;
}

describe('VirtualClock inside a CPU slice', () => {
  it('now follows the slice progress; endSlice commits it and runs the events due', () => {
    const c = new VirtualClock();
    let progress = 0;
    const seen: string[] = [];
    const early: number[] = [];
    c.advanceTo(1000);
    c.schedule(5000, 'later', (t) => seen.push(`later@${t}`));
    c.beginSlice(() => progress, (at) => early.push(at));
    progress = 250;
    expect(c.now).toBe(1250);
    c.scheduleIn(100, 'mid', (t) => seen.push(`mid@${t}/${c.now}`)); // due at 1350, reported to the run loop
    expect(early).toEqual([1350]);
    progress = 400;
    c.endSlice();
    expect(c.now).toBe(1400);
    expect(seen).toEqual(['mid@1350/1350']);
    c.advanceTo(5000);
    expect(seen).toEqual(['mid@1350/1350', 'later@5000']);
  });

  it('advancing inside a slice (a firmware Stall) counts the progress once', () => {
    const c = new VirtualClock();
    let progress = 10;
    c.beginSlice(() => progress, () => {});
    progress = 30;
    c.advanceBy(100); // 20 ns of instructions, then 100 ns of stall
    expect(c.now).toBe(120);
    progress = 35;
    c.endSlice();
    expect(c.now).toBe(125);
  });
});

describe('pc machine: device time during a slice', () => {
  it('a guest polling the HPET main counter without halting sees it count (Linux hpet_counting)', () => {
    const m = pcWith([
      0xc7, 0x05, 0x10, 0x00, 0xd0, 0xfe, 0x01, 0x00, 0x00, 0x00, // mov dword [0xfed00010], 1   (ENABLE_CNF)
      0xa1, 0xf0, 0x00, 0xd0, 0xfe, //                              mov eax, [0xfed000f0]      (main counter)
      0xb9, 0xa0, 0x86, 0x01, 0x00, //                              mov ecx, 100000
      0xf3, 0x90, //                                                pause
      0xe2, 0xfc, //                                                loop pause
      0x8b, 0x1d, 0xf0, 0x00, 0xd0, 0xfe, //                        mov ebx, [0xfed000f0]
      0xfa, 0xf4, //                                                cli; hlt
    ]);
    const v = runMachine(m, { maxInstructions: 1_000_000 });
    expect(v.kind).toBe('halted-forever');
    // 200002 instructions at 1 ns each between the reads; the HPET counts at 100 MHz (10 ns per tick)
    const ticks = (m.cpu.lo[3]! - m.cpu.lo[0]!) >>> 0;
    expect(ticks).toBeGreaterThanOrEqual(20000);
    expect(ticks).toBeLessThanOrEqual(20001);
  });

  it('an event a device schedules mid-slice is delivered when due, not at the end of the slice', () => {
    const m = pcWith([
      0xe6, 0x80, //                  out 0x80, al   (the test device below schedules an event 50 ns ahead)
      0xb9, 0xa0, 0x86, 0x01, 0x00, // mov ecx, 100000
      0xe2, 0xfe, //                  loop $
      0xfa, 0xf4, //                  cli; hlt
    ]);
    let firedAtInstruction = -1;
    m.io.claim(0x80, 1, {
      read: () => 0xff,
      write: () => void m.clock.scheduleIn(50, 'test-probe', () => (firedAtInstruction = m.cpu.icount)),
    });
    expect(runMachine(m, { maxInstructions: 1_000_000 }).kind).toBe('halted-forever');
    // the OUT is the first instruction: the event falls due 50 instructions later
    expect(firedAtInstruction).toBeGreaterThanOrEqual(50);
    expect(firedAtInstruction).toBeLessThanOrEqual(52);
  });

  it('the TSC keeps counting while the CPU is halted and the board skips idle time', () => {
    const m = pcWith([0xfb, 0xf4, 0xfa, 0xf4]); // sti; hlt; (cli; hlt)
    m.clock.schedule(5_000_000, 'idle-end', () => {});
    const v = runMachine(m, { maxInstructions: 1_000_000 });
    // the board's periodic devices (RTC) keep waking the idle loop until it gives up
    expect(v.kind).toBe('halted-forever');
    expect(v.instructions).toBe(2);
    expect(v.virtualNs).toBeGreaterThanOrEqual(5_000_000);
    // 1 GHz TSC: one cycle per virtual ns, halted time included
    expect(m.cpu.tscValue()).toBe(v.virtualNs);
  });
});

describe('pc machine: verdicts for a kernel in the upper half', () => {
  it('names the RIP of an upper-half HLT as the 64-bit address, not a negative number', () => {
    const m = new PcMachine({ memoryBytes: 64 * 2 ** 20, console: () => {} });
    const cr3 = writeIdentityMap(m.bus, 0x10000, 64 * 2 ** 20);
    m.bus.write32(cr3 + 511 * 8, (cr3 + 0x1000) | 3); // PML4[511] -> the PDPT: 0xffffff80_00000000 + x maps x
    m.bus.writeBytes(CODE, Uint8Array.of(0xfa, 0xf4)); // cli; hlt
    const gdt = writeGdt(m.bus, 0x8000, [[0x10, 'code64'], [0x18, 'data']]);
    const upper = -0x8000000000 + CODE; // 0xffffff8000100000
    applyX86Entry(m.cpu, { rip: upper, regs: {}, gdt, segments: { cs: 0x10, ds: 0x18 }, ...modeRegisters('long64', cr3) });
    const v = runMachine(m, { maxInstructions: 100 });
    expect(v.kind).toBe('halted-forever');
    expect(v.message).toContain('HLT at rip 0xffffff8000100002 with interrupts disabled');
  });
});
