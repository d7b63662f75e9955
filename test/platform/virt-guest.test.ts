/**
 * End to end on the virt board: a bare-metal guest (test/guests/platform-virt, built by `make guests`) sets
 * up the GIC, takes three EL2 timer interrupts (PPI 10), a software-generated interrupt and the PL011 transmit
 * interrupt (SPI 1), then powers off through PSCI. Its console output on our board (AArch64 CPU model + our
 * GIC, PL011 and wiring) must equal QEMU's for the same ELF, with GICv2 and with GICv3.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PhysicalBus } from '../../platform/memory/bus.js';
import { VirtualClock } from '../../platform/time/clock.js';
import { virtBoard } from '../../platform/boards/virt/board.js';
import { attachVirtDevices } from '../../platform/boards/virt/devices.js';
import { wireGicToCpu } from '../../platform/boards/virt/cpu-wiring.js';
import { Aarch64Cpu } from '../../platform/cpu/aarch64/cpu.js';
import { CPU_MODELS } from '../../platform/cpu/aarch64/cpu-model.js';
import { CNTFRQ_EL0 } from '../../platform/cpu/aarch64/sysregs.js';
import { loadElf, testFirmware } from '../../platform/cpu/aarch64/testing/bare-metal.js';

const BUILD = 'build/test/guests/platform-virt';

function runQemu(elf: string, gic: 2 | 3): string {
  const r = spawnSync(
    'timeout',
    ['20', 'qemu-system-aarch64', '-M', `virt,gic-version=${gic},virtualization=on`, '-cpu', 'cortex-a57', '-m', '128M', '-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-kernel', elf],
    { encoding: 'utf8', timeout: 30_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

function runOurs(elf: string, gic: 2 | 3): { console: string; verdict: string } {
  const board = virtBoard({ gic, virtualization: true, memoryBytes: 128 * 2 ** 20 });
  const bus = new PhysicalBus();
  const clock = new VirtualClock();
  let out = '';
  const dev = attachVirtDevices(board, { bus, clock, console: (b) => (out += String.fromCharCode(b)) });
  const cpu = new Aarch64Cpu(bus, CPU_MODELS['cortex-a57']!);
  cpu.firmware = testFirmware;
  cpu.setSys(CNTFRQ_EL0, board.timer.frequencyHz, 0);
  wireGicToCpu(board, dev.gic, cpu);
  cpu.pc = loadElf(bus, readFileSync(elf), elf);
  const result = cpu.run(200_000_000);
  return { console: out, verdict: result.reason.kind + ('detail' in result.reason ? `: ${result.reason.detail}` : '') };
}

describe.each([2, 3] as const)('virt board with GICv%i runs the interrupt guest like QEMU', (gic) => {
  const elf = `${BUILD}/gic${gic}.elf`;
  it('same console output, power-off through PSCI', () => {
    expect(existsSync(elf), `${elf} is built by make guests`).toBe(true);
    const qemu = runQemu(elf, gic);
    expect(qemu).toContain('done\n');
    const ours = runOurs(elf, gic);
    expect(ours.verdict).toBe('power-off: PSCI SYSTEM_OFF');
    expect(ours.console).toBe(qemu);
  });
});
