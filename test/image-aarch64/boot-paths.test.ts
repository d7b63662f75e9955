/**
 * Acceptance of the default aarch64 mono-image on Debian's QEMU 7.2 `virt` (Cortex-A57, EL2), AAVMF and
 * U-Boot: one file, four ways in. Each run must reach the reference kernel's banner, name its boot path,
 * run the root task at EL0 and power off through PSCI (QEMU exits 0).
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAarch64Image } from '../../loader/aarch64/index.js';
import { UBOOT_QEMU_ARM64, aavmfArgs, espDirectory, runQemuAarch64, scratchDir, ubootSteps, type Aarch64Run } from './qemu-aarch64.js';

const BANNER = 'NOVA-IMAGE REFERENCE KERNEL 0.1.0 (aarch64)';
const ROOT_LINE = 'ROOT: hello from user mode';
/** Where the U-Boot tests preload the image (U-Boot's own kernel_addr_r on qemu_arm64). */
const UBOOT_LOAD = '0x40400000';

let dir: string;
let image: string;

beforeAll(() => {
  process.env.NOVA_IMAGE_BUILD ??= resolve('build');
  dir = scratchDir('aarch64-boot');
  image = join(dir, 'nova-aarch64.img');
  buildAarch64Image({ output: image, cmdline: 'from=image' });
});

function expectBoot(run: Aarch64Run, pathLine: RegExp): void {
  expect(run.output).toContain(BANNER);
  expect(run.output).toMatch(pathLine);
  expect(run.output).toContain(ROOT_LINE);
  expect(run.output).toMatch(/^root: exited with status 0x10\r?$/m);
  expect(run.output).toMatch(/^kernel: power off through PSCI SYSTEM_OFF \(smc\)\r?$/m);
  expect(run.output).not.toContain('nova-image stub: fatal');
  // DMA-safe hand-over: the stub left no PCI function able to master the bus.
  expect(run.output).toMatch(/^pci: ECAM 0x[0-9a-f]+ \(.*\) buses \d+-\d+: [1-9]\d* functions, 0 with bus mastering enabled\r?$/m);
  expect(run.status, run.output).toBe(0);
}

describe('default aarch64 mono-image boots on every path', () => {
  it('QEMU -kernel (Linux Image path, entered at EL2 with X0 = FDT)', async () => {
    const run = await runQemuAarch64(['-kernel', image, '-append', 'from=qemu']);
    expectBoot(run, /^boot: path=linux loader=nova-image\/linux via QEMU magic=0x36d76289\r?$/m);
    expect(run.output).toMatch(/^cpu: .*entered at EL2/m);
    // The image's command line first, then what the loader passed.
    expect(run.output).toMatch(/^cmdline: "from=image from=qemu"\r?$/m);
    // The stub passes QEMU's devicetree on as module "fdt"; the kernel took its UART and PSCI method from it.
    expect(run.output).toMatch(/^module 1: .* "fdt"\r?$/m);
    expect(run.output).toMatch(/^fdt: .*model "linux,dummy-virt"/m);
    expect(run.output).toMatch(/^fdt:   arm,pl011 x1\r?$/m);
    expect(run.output).toMatch(/^psci: conduit smc \(from FDT \/psci method\)/m);
  });

  it('AAVMF: EFI/BOOT/BOOTAA64.EFI on a FAT directory (ACPI, ExitBootServices)', async () => {
    const esp = espDirectory(dir, image);
    const run = await runQemuAarch64([...aavmfArgs(dir), '-drive', `file=fat:rw:${esp},format=raw,media=disk`], { timeoutSeconds: 90 });
    expectBoot(run, /^boot: path=uefi loader=nova-image\/uefi via EDK II magic=0x36d76289\r?$/m);
    expect(run.output).toMatch(/^efi: system table 0x[0-9a-f]+, boot services exited\r?$/m);
    expect(run.output).toMatch(/^acpi: tables:.* FACP .*SPCR/m);
    expect(run.output).toMatch(/^psci: conduit smc \(from FADT ARM boot flags\)/m);
    // AAVMF's removable-media boot option carries no text in LoadOptions.
    expect(run.output).toMatch(/^cmdline: "from=image"\r?$/m);
  });

  it('U-Boot booti (Linux Image path from U-Boot)', async () => {
    const run = await runQemuAarch64(
      ['-bios', UBOOT_QEMU_ARM64, '-device', `loader,file=${image},addr=${UBOOT_LOAD},force-raw=on`],
      { steps: ubootSteps(`setenv bootargs from=uboot; booti ${UBOOT_LOAD} - \${fdtcontroladdr}`) },
    );
    expectBoot(run, /^boot: path=linux loader=nova-image\/linux via U-Boot 2023\.\S+ magic=0x36d76289\r?$/m);
    expect(run.output).toMatch(/^cmdline: "from=image from=uboot"\r?$/m);
  });

  it('U-Boot bootefi (UEFI path from U-Boot\'s EFI loader, FDT configuration table)', async () => {
    const size = statSync(image).size.toString(16);
    const run = await runQemuAarch64(
      ['-bios', UBOOT_QEMU_ARM64, '-device', `loader,file=${image},addr=${UBOOT_LOAD},force-raw=on`],
      { steps: ubootSteps(`setenv bootargs from=uboot-efi; bootefi ${UBOOT_LOAD}:${size} \${fdtcontroladdr}`) },
    );
    expectBoot(run, /^boot: path=uefi loader=nova-image\/uefi via Das U-Boot magic=0x36d76289\r?$/m);
    expect(run.output).toMatch(/^efi: system table 0x[0-9a-f]+, boot services exited\r?$/m);
    expect(run.output).toMatch(/^fdt: .*model "linux,dummy-virt"/m);
    // U-Boot hands $bootargs over as the image's LoadOptions.
    expect(run.output).toMatch(/^cmdline: "from=image from=uboot-efi"\r?$/m);
  });
});
