/**
 * The virt machine's run loop with interrupts: the board's interrupt guest (test/guests/platform-virt, built
 * by `make guests`) sleeps in WFI until three EL2 timer interrupts (PPI 10), takes an SGI and the PL011
 * transmit interrupt (SPI 1) and powers off through PSCI. The reference kernel never waits for an interrupt,
 * so this covers what it does not: WFI skipping ahead in virtual time, wake-ups through the GIC, the verdict
 * after SYSTEM_OFF. Console equal to QEMU's for the same ELF, with GICv2 and GICv3; two runs identical.
 * Then a wake-up that only a device on the virtual clock can give: test/guests/boot-virt/rtc-alarm sleeps in
 * WFI with no CPU timer armed until the PL031 match interrupt (SPI 2) arrives through GICv2; and its variant
 * rtc-alarm-timer, which also arms the EL2 timer 10 s ahead: the alarm must still come at 1 s (WFI sleeps no
 * further than the board clock's next event, Aarch64Cpu.idleHorizon), not when the CPU timer expires.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadElf } from '../../platform/cpu/aarch64/testing/bare-metal.js';
import { VirtMachine, bootVirtImage, runVirtMachine } from '../../platform/machine/virt-machine.js';
import { runQemuAarch64 } from '../image-aarch64/qemu-aarch64.js';

function runOurs(elf: string, gic: 2 | 3) {
  let console = '';
  const m = new VirtMachine({ memoryBytes: 128 * 2 ** 20, gic, console: (b) => (console += Buffer.from(b).toString('latin1')) });
  // The ELF is entered the way QEMU -kernel enters an ELF: at its entry point, EL2, MMU off, X0..X3 zero.
  const pc = loadElf(m.bus, new Uint8Array(readFileSync(elf)), elf);
  m.applyEntry({ pc, el: 2, x: [0, 0, 0, 0] });
  const verdict = runVirtMachine(m, 10_000_000);
  return { console, verdict, trace: JSON.stringify(m.trace.events) };
}

describe.each([2, 3] as const)('run loop with GICv%i: timer, SGI and PL011 interrupts like QEMU', (gic) => {
  it('same console, power-off verdict, deterministic', async () => {
    const elf = `build/test/guests/platform-virt/gic${gic}.elf`;
    expect(existsSync(elf), `${elf} is built by make guests`).toBe(true);
    const qemu = await runQemuAarch64(['-m', '128M', '-kernel', elf], { machine: `virt,virtualization=on,gic-version=${gic}`, timeoutSeconds: 20 });
    expect(qemu.status, qemu.output).toBe(0);
    expect(qemu.output).toContain('timer PPI 10 (INTID 26) ticks=3');

    const a = runOurs(elf, gic);
    expect(a.verdict.kind, a.verdict.message).toBe('power-off');
    expect(a.console).toBe(qemu.output);
    // The guest spent most of its time asleep: virtual time ran well ahead of the retired instructions.
    expect(a.verdict.virtualNs).toBeGreaterThan(a.verdict.instructions * 16 * 100);
    const b = runOurs(elf, gic);
    expect(b.console).toBe(a.console);
    expect(b.trace).toBe(a.trace);
  }, 60_000);
});

/**
 * An RTC-alarm guest under QEMU (its console must name `line`) and on our board with GICv2: the same console,
 * power-off, woken at the alarm one virtual second ahead.
 */
async function alarmGuest(file: string, line: string) {
  expect(existsSync(file), `${file} is built by make guests`).toBe(true);
  const qemu = await runQemuAarch64(['-m', '128M', '-kernel', file], { machine: 'virt,virtualization=on,gic-version=2', timeoutSeconds: 20 });
  expect(qemu.status, qemu.output).toBe(0);
  expect(qemu.output).toContain(line);
  const image = new Uint8Array(readFileSync(file));
  const run = () => bootVirtImage(image, { file, gic: 2, memoryBytes: 128 * 2 ** 20, maxInstructions: 1_000_000 });
  const a = await run();
  expect(a.verdict.kind, a.verdict.message).toBe('power-off');
  expect(Buffer.from(a.console).toString('latin1')).toBe(qemu.output);
  expect(a.verdict.virtualNs).toBeGreaterThanOrEqual(1e9);
  expect(a.verdict.virtualNs).toBeLessThan(1.01e9);
  return { image, a, run };
}

describe('run loop: a WFI only the PL031 alarm on the virtual clock can end', () => {
  it('wakes at the next virtual second with the RTC interrupt, like QEMU; deterministic', async () => {
    // The match is one RTC second ahead: the CPU slept through it instead of spinning.
    const { a, run } = await alarmGuest('build/test/guests/boot-virt/rtc-alarm.img', 'rtc-alarm: IRQ INTID 34, RTCMIS 1');
    expect(a.verdict.instructions).toBeLessThan(10_000);
    const b = await run();
    expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
  }, 60_000);
});

describe('run loop: a PL031 alarm due before the next CPU timer deadline is delivered on time', () => {
  it('wakes at 1 s with the RTC interrupt while the EL2 timer (10 s) has not expired, like QEMU; not without the horizon', async () => {
    const { image } = await alarmGuest('build/test/guests/boot-virt/rtc-alarm-timer.img', 'rtc-alarm: IRQ INTID 34, RTCMIS 1, CNTHP ISTATUS 0');

    // Control: the same guest with the horizon removed sleeps to the timer's deadline and takes the alarm late.
    let console = '';
    const m = new VirtMachine({ memoryBytes: 128 * 2 ** 20, gic: 2, console: (b) => (console += Buffer.from(b).toString('latin1')) });
    m.cpu.idleHorizon = null;
    // The Image is position-independent: placed where the Image path puts it (RAM + 2 MiB), entered at its start.
    m.bus.writeBytes(0x40200000, image);
    m.applyEntry({ pc: 0x40200000, el: 2, x: [0, 0, 0, 0] });
    const late = runVirtMachine(m, 1_000_000);
    expect(late.kind, late.message).toBe('power-off');
    expect(console).toContain('CNTHP ISTATUS 1');
    expect(late.virtualNs).toBeGreaterThanOrEqual(10e9);
  }, 60_000);
});
