/**
 * The device tree of the `virt` board, generated from its description. Node names, compatible strings and
 * interrupt specifiers follow QEMU's virt machine (hw/arm/virt.c) so that Linux, U-Boot and NOVA bind the same
 * drivers; only the devices the board models are described (no PCIe, virtio-mmio, fw-cfg, flash, GPIO).
 */
import type { VirtBoard } from '../boards/virt/board.js';
import { PHANDLE_APB_CLOCK, PHANDLE_CPU0, PHANDLE_GIC } from '../boards/virt/layout.js';
import { FdtWriter } from './writer.js';

export interface VirtChosen {
  readonly bootargs?: string;
  readonly initrd?: { readonly start: number; readonly end: number };
}

/** GIC interrupt specifier: <type number flags>. */
const GIC_SPI = 0;
const GIC_PPI = 1;
const IRQ_TYPE_LEVEL_HIGH = 4;

/** reg entry with #address-cells = #size-cells = 2. */
function reg2(base: number, size: number): bigint[] {
  return [BigInt(base), BigInt(size)];
}

function u64Cells(values: readonly bigint[]): number[] {
  return values.flatMap((v) => [Number(v >> 32n), Number(v & 0xffffffffn)]);
}

export function virtDeviceTree(board: VirtBoard, chosen: VirtChosen = {}): Uint8Array {
  const w = new FdtWriter();
  const hex = (n: number) => n.toString(16);
  const root = w.beginNode('');
  w.propertyU32('interrupt-parent', PHANDLE_GIC);
  w.propertyString('model', 'linux,dummy-virt');
  w.propertyU32('#size-cells', 2);
  w.propertyU32('#address-cells', 2);
  w.propertyString('compatible', 'linux,dummy-virt');

  const psci = w.beginNode('psci');
  w.propertyU32('migrate', board.psci.migrate);
  w.propertyU32('cpu_on', board.psci.cpuOn);
  w.propertyU32('cpu_off', board.psci.cpuOff);
  w.propertyU32('cpu_suspend', board.psci.cpuSuspend);
  w.propertyString('method', board.psci.method);
  w.propertyStringList('compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']);
  w.endNode(psci);

  for (const ram of board.ram) {
    const mem = w.beginNode(`memory@${hex(ram.base)}`);
    w.propertyArrayU32('reg', u64Cells(reg2(ram.base, ram.size)));
    w.propertyString('device_type', 'memory');
    w.endNode(mem);
  }

  const rtc = w.beginNode(`pl031@${hex(board.rtc.base)}`);
  w.propertyString('clock-names', 'apb_pclk');
  w.propertyU32('clocks', PHANDLE_APB_CLOCK);
  w.propertyArrayU32('interrupts', [GIC_SPI, board.rtc.spi, IRQ_TYPE_LEVEL_HIGH]);
  w.propertyArrayU32('reg', u64Cells(reg2(board.rtc.base, board.rtc.size)));
  w.propertyStringList('compatible', ['arm,pl031', 'arm,primecell']);
  w.endNode(rtc);

  const uart = w.beginNode(`pl011@${hex(board.uart.base)}`);
  w.propertyStringList('clock-names', ['uartclk', 'apb_pclk']);
  w.propertyArrayU32('clocks', [PHANDLE_APB_CLOCK, PHANDLE_APB_CLOCK]);
  w.propertyArrayU32('interrupts', [GIC_SPI, board.uart.spi, IRQ_TYPE_LEVEL_HIGH]);
  w.propertyArrayU32('reg', u64Cells(reg2(board.uart.base, board.uart.size)));
  w.propertyStringList('compatible', ['arm,pl011', 'arm,primecell']);
  w.endNode(uart);

  const gic = board.gic;
  const intc = w.beginNode(`intc@${hex(gic.distributor.base)}`);
  w.propertyPhandle(PHANDLE_GIC);
  if (gic.maintenancePpi !== undefined) w.propertyArrayU32('interrupts', [GIC_PPI, gic.maintenancePpi, IRQ_TYPE_LEVEL_HIGH]);
  if (gic.version === 2) {
    const frames = [gic.distributor, gic.cpuInterface, ...(gic.hypInterface ? [gic.hypInterface, gic.vcpuInterface!] : [])];
    w.propertyArrayU32('reg', u64Cells(frames.flatMap((f) => reg2(f.base, f.size))));
    w.propertyString('compatible', 'arm,cortex-a15-gic');
  } else {
    w.propertyArrayU32('reg', u64Cells([...reg2(gic.distributor.base, gic.distributor.size), ...reg2(gic.redistributor.base, gic.redistributor.size)]));
    w.propertyU32('#redistributor-regions', 1);
    w.propertyString('compatible', 'arm,gic-v3');
  }
  w.propertyNull('ranges');
  w.propertyU32('#size-cells', 2);
  w.propertyU32('#address-cells', 2);
  w.propertyNull('interrupt-controller');
  w.propertyU32('#interrupt-cells', 3);
  w.endNode(intc);

  const cpus = w.beginNode('cpus');
  w.propertyU32('#size-cells', 0);
  w.propertyU32('#address-cells', 1);
  for (let i = 0; i < board.cpus; i++) {
    const cpu = w.beginNode(`cpu@${hex(i)}`);
    if (i === 0) w.propertyPhandle(PHANDLE_CPU0);
    // QEMU writes enable-method only for SMP; NOVA and Linux read it to bring up secondaries, and it is
    // harmless for one CPU, so we always describe how CPUs are started.
    w.propertyString('enable-method', 'psci');
    w.propertyU32('reg', i);
    w.propertyString('compatible', board.cpuCompatible);
    w.propertyString('device_type', 'cpu');
    w.endNode(cpu);
  }
  w.endNode(cpus);

  // PPI flags: GICv2 specifiers carry a CPU mask in bits 8..15 (QEMU: GIC_FDT_IRQ_PPI_CPU_MASK).
  const ppiFlags = IRQ_TYPE_LEVEL_HIGH | (gic.version === 2 ? ((1 << board.cpus) - 1) << 8 : 0);
  const timer = w.beginNode('timer');
  const t = board.timer;
  w.propertyArrayU32('interrupts', [t.securePpi, t.nonSecurePpi, t.virtPpi, t.hypPpi].flatMap((ppi) => [GIC_PPI, ppi, ppiFlags]));
  w.propertyNull('always-on');
  w.propertyStringList('compatible', ['arm,armv8-timer', 'arm,armv7-timer']);
  w.endNode(timer);

  const clk = w.beginNode('apb-pclk');
  w.propertyPhandle(PHANDLE_APB_CLOCK);
  w.propertyString('clock-output-names', 'clk24mhz');
  w.propertyU32('clock-frequency', board.apbClockHz);
  w.propertyU32('#clock-cells', 0);
  w.propertyString('compatible', 'fixed-clock');
  w.endNode(clk);

  const ch = w.beginNode('chosen');
  w.propertyString('stdout-path', `/pl011@${hex(board.uart.base)}`);
  if (board.seeds) {
    // QEMU's order: rng-seed, then kaslr-seed.
    w.property('rng-seed', board.seeds.rng);
    w.propertyU64('kaslr-seed', board.seeds.kaslr);
  }
  if (chosen.bootargs !== undefined) w.propertyString('bootargs', chosen.bootargs);
  if (chosen.initrd) {
    w.propertyU64('linux,initrd-start', BigInt(chosen.initrd.start));
    w.propertyU64('linux,initrd-end', BigInt(chosen.initrd.end));
  }
  w.endNode(ch);

  w.endNode(root);
  return w.finish();
}
