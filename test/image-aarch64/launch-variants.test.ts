/**
 * The aarch64 image's other ways in and out, on QEMU 7.2 `virt`: the Multiboot2 entry (driven by a small
 * test loader, since no Debian loader speaks Multiboot2 on aarch64), NOVA's legacy launch (X0 = FDT,
 * X1 = root task ELF), and entry at EL1 without virtualization (PSCI over HVC).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAarch64Image } from '../../loader/aarch64/index.js';
import { UBOOT_QEMU_ARM64, aavmfArgs, espDirectory, runQemuAarch64, scratchDir, ubootSteps, type Aarch64Run } from './qemu-aarch64.js';

const BANNER = 'NOVA-IMAGE REFERENCE KERNEL 0.1.0 (aarch64)';
const ROOT_LINE = 'ROOT: hello from user mode';
const MB2_LOADER_BUILD = resolve('build/test/image-aarch64/mb2-loader');
const KEEP_BS_KERNEL_BUILD = resolve('build/test/image-aarch64/kernel-keep-boot-services');
const FIXED_KERNEL_BUILD = resolve('build/test/image-aarch64/kernel-fixed-address');

let dir: string;
let image: string;

beforeAll(() => {
  process.env.NOVA_IMAGE_BUILD ??= resolve('build');
  dir = scratchDir('aarch64-launch');
  image = join(dir, 'nova-aarch64.img');
  buildAarch64Image({ output: image, cmdline: 'from=image' });
});

function expectRootRan(run: Aarch64Run): void {
  expect(run.output).toContain(BANNER);
  expect(run.output).toContain(ROOT_LINE);
  expect(run.output).toMatch(/^root: exited with status 0x10\r?$/m);
  expect(run.output).not.toContain('nova-image stub: fatal');
  expect(run.status, run.output).toBe(0);
}

describe('aarch64 image: Multiboot2 entry, legacy launch, EL1 entry', () => {
  it('Multiboot2 entry: X0 = 0x36d76289, X1 = information (test loader honouring the address and entry tags)', async () => {
    const make = spawnSync('make', ['-s', '-C', 'test/image-aarch64/mb2-loader', `BUILD=${MB2_LOADER_BUILD}`], { encoding: 'utf8', timeout: 120_000 });
    expect(make.status, make.stderr).toBe(0);
    const run = await runQemuAarch64([
      '-kernel', join(MB2_LOADER_BUILD, 'mb2-loader.elf'),
      '-device', `loader,file=${image},addr=0x40400000,force-raw=on`,
    ]);
    expect(run.output).toContain('mb2-loader: entering the image');
    expectRootRan(run);
    expect(run.output).toMatch(/^boot: path=multiboot2 loader=nova-image\/multiboot2 via nova-image test Multiboot2 loader magic=0x36d76289\r?$/m);
    expect(run.output).toMatch(/^cmdline: "from=image from=mb2-loader"\r?$/m);
    // The stub recognised the outer loader's devicetree module and passed it on as "fdt".
    expect(run.output).toMatch(/^module 1: .* "fdt"\r?$/m);
  });

  it('legacy launch (build option): kernel entered with X0 = FDT, X1 = root task ELF', async () => {
    const legacy = join(dir, 'nova-aarch64-legacy.img');
    const built = buildAarch64Image({ output: legacy, launch: 'legacy' });
    expect(built.layout.launch).toBe('legacy');
    const run = await runQemuAarch64(['-kernel', legacy]);
    expectRootRan(run);
    const m = /^boot: path=legacy fdt=(0x[0-9a-f]+) root=(0x[0-9a-f]+)\r?$/m.exec(run.output);
    expect(m, run.output).not.toBeNull();
    // X1 is the root task inside the image, where the kernel maps it in place.
    expect(run.output).toContain(`root: ELF at ${m![2]}`);
    expect(run.output).toContain(`fdt: at ${m![1]}`);
  });

  it('entered at EL1 (virtualization off): PSCI conduit HVC from the devicetree', async () => {
    const run = await runQemuAarch64(['-kernel', image], { machine: 'virt' });
    expectRootRan(run);
    expect(run.output).toMatch(/^boot: path=linux loader=nova-image\/linux via QEMU magic=0x36d76289\r?$/m);
    expect(run.output).toMatch(/^cpu: .*entered at EL1/m);
    expect(run.output).toMatch(/^kernel: power off through PSCI SYSTEM_OFF \(hvc\)\r?$/m);
  });

  it('GICv3 board variant: same boot, the devicetree shows the other interrupt controller', async () => {
    const run = await runQemuAarch64(['-kernel', image], { machine: 'virt,virtualization=on,gic-version=3' });
    expectRootRan(run);
    expect(run.output).toMatch(/^boot: path=linux loader=nova-image\/linux via QEMU magic=0x36d76289\r?$/m);
    expect(run.output).toMatch(/^fdt:   arm,gic-v3 x1\r?$/m);
    expect(run.output).not.toContain('arm,cortex-a15-gic');
  });

  it('AAVMF at EL1 (virtualization off): the stub turns the EL1 MMU off, PSCI over HVC from the FADT', async () => {
    const espDir = join(dir, 'el1');
    const run = await runQemuAarch64([...aavmfArgs(dir), '-drive', `file=fat:rw:${espDirectory(espDir, image)},format=raw,media=disk`], { machine: 'virt', timeoutSeconds: 90 });
    expectRootRan(run);
    expect(run.output).toMatch(/^boot: path=uefi loader=nova-image\/uefi via EDK II magic=0x36d76289\r?$/m);
    expect(run.output).toMatch(/^cpu: .*entered at EL1/m);
    expect(run.output).toMatch(/^psci: conduit hvc \(from FADT ARM boot flags\)/m);
  });

  it('modules stay page-aligned in the image, after the root task, with their names; the FDT comes last', async () => {
    const a = join(dir, 'module-a.bin');
    const b = join(dir, 'module-b.txt');
    writeFileSync(a, new Uint8Array(5000).fill(0xa5));
    writeFileSync(b, 'hello module\n');
    const withModules = join(dir, 'nova-aarch64-modules.img');
    buildAarch64Image({ output: withModules, modules: [{ path: a }, { path: b, name: 'config' }], cmdline: 'm=2' });
    const run = await runQemuAarch64(['-kernel', withModules]);
    expectRootRan(run);
    const modules = [...run.output.matchAll(/^module (\d): 0x([0-9a-f]+)-0x([0-9a-f]+) (\d+) bytes "([^"]*)"\r?$/gm)];
    expect(modules.map((m) => m[5])).toEqual(['root.elf', 'module-a.bin', 'config', 'fdt']);
    expect(modules.map((m) => Number(m[4]))).toEqual([readFileSync('build/kernel/aarch64/root.elf').length, 5000, 13, expect.any(Number)]);
    for (const m of modules) expect(parseInt(m[2]!, 16) % 0x1000).toBe(0);
    expect(run.output).toMatch(/^modules: 4\r?$/m);
  });

  it('the kernel runs wherever the stub put it (a multiple of 2 MiB from its link address)', async () => {
    const run = await runQemuAarch64(['-kernel', image, '-m', '256']);
    expectRootRan(run);
    const m = /loaded at (0x[0-9a-f]+)-/.exec(run.output);
    expect(m, run.output).not.toBeNull();
    expect((Number(m![1]) - 0x4020_0000) % 0x20_0000).toBe(0);
    expect(run.output).toMatch(/^memory: 256 MiB available in 1 ranges\r?$/m);
  });

  it('a kernel whose header keeps boot services (tag 7): no ExitBootServices, tag 18, firmware devices untouched', async () => {
    const make = spawnSync('make', ['-s', '-C', 'kernel/aarch64', `BUILD=${KEEP_BS_KERNEL_BUILD}`, 'KEEP_BOOT_SERVICES=1'], { encoding: 'utf8', timeout: 120_000 });
    expect(make.status, make.stderr).toBe(0);
    const keep = join(dir, 'nova-aarch64-keep-bs.img');
    buildAarch64Image({ kernel: join(KEEP_BS_KERNEL_BUILD, 'kernel.elf'), root: join(KEEP_BS_KERNEL_BUILD, 'root.elf'), output: keep });
    const espDir = join(dir, 'keep-bs');
    const run = await runQemuAarch64([...aavmfArgs(dir), '-drive', `file=fat:rw:${espDirectory(espDir, keep)},format=raw,media=disk`], { timeoutSeconds: 90 });
    expectRootRan(run);
    expect(run.output).toMatch(/^boot: path=uefi loader=nova-image\/uefi via EDK II magic=0x36d76289\r?$/m);
    expect(run.output).toMatch(/^efi: system table 0x[0-9a-f]+, boot services kept\r?$/m);
    // The firmware still owns its devices (the kernel would quiesce them and call ExitBootServices itself),
    // which also shows the default image's "0 with bus mastering enabled" is the stub's doing.
    expect(run.output).toMatch(/^pci: .*: [1-9]\d* functions, [1-9]\d* with bus mastering enabled\r?$/m);
  });

  it('a root task that faults ends the run with a verdict and a register dump, not a hang', async () => {
    // The same root task with its entry moved to its data page, which is mapped execute-never at EL0.
    const root = new Uint8Array(readFileSync('build/kernel/aarch64/root.elf'));
    const view = new DataView(root.buffer, root.byteOffset);
    const phoff = Number(view.getBigUint64(0x20, true));
    const dataVaddr = view.getBigUint64(phoff + 56 + 0x10, true);
    view.setBigUint64(0x18, dataVaddr, true);
    const badRoot = join(dir, 'root-jumps-to-data.elf');
    writeFileSync(badRoot, root);
    const faulty = join(dir, 'nova-aarch64-faulty-root.img');
    buildAarch64Image({ kernel: 'build/kernel/aarch64/kernel.elf', root: badRoot, output: faulty });
    const run = await runQemuAarch64(['-kernel', faulty]);
    expect(run.output).toContain(BANNER);
    expect(run.output).not.toContain(ROOT_LINE);
    // EC 0x20: instruction abort from a lower exception level, at the entry we planted.
    expect(run.output).toMatch(new RegExp(`^root: unexpected sync exception: ESR 0x[0-9a-f]+ \\(EC 0x20\\) ELR 0x${dataVaddr.toString(16)} `, 'm'));
    expect(run.output).toMatch(/^ {2}x00=[0-9a-f]{16} /m);
    expect(run.output).toMatch(/^kernel: power off through PSCI SYSTEM_OFF \(smc\)\r?$/m);
    expect(run.status, run.output).toBe(0);
  });

  it('a damaged image: the stub names the fault and powers off instead of loading garbage', async () => {
    const damaged = join(dir, 'nova-aarch64-damaged.img');
    const built = buildAarch64Image({ output: damaged });
    const bytes = readFileSync(damaged);
    bytes[built.layout.catalogOffset] = 0x58; // "NOVA-CAT" -> "XOVA-CAT"
    writeFileSync(damaged, bytes);
    const run = await runQemuAarch64(['-kernel', damaged]);
    expect(run.output).toMatch(new RegExp(`^nova-image stub: fatal: payload catalog: bad magic at file offset 0x${built.layout.catalogOffset.toString(16)}\\r?$`, 'm'));
    expect(run.output).not.toContain(BANNER);
    expect(run.status, run.output).toBe(0);
  });

  it('a kernel without the relocatable tag (10) loads only at its link address: refused when that is taken', async () => {
    const make = spawnSync('make', ['-s', '-C', 'kernel/aarch64', `BUILD=${FIXED_KERNEL_BUILD}`, 'FIXED_ADDRESS=1'], { encoding: 'utf8', timeout: 120_000 });
    expect(make.status, make.stderr).toBe(0);
    const fixed = join(dir, 'nova-aarch64-fixed.img');
    buildAarch64Image({ kernel: join(FIXED_KERNEL_BUILD, 'kernel.elf'), root: join(FIXED_KERNEL_BUILD, 'root.elf'), output: fixed });
    // QEMU -kernel puts the Image itself at RAM + 2 MiB, the kernel's link address.
    const taken = await runQemuAarch64(['-kernel', fixed]);
    expect(taken.output).toMatch(/^nova-image stub: fatal: kernel: 0x40200000-0x[0-9a-f]+ is not free and the kernel is not relocatable\r?$/m);
    expect(taken.output).not.toContain(BANNER);
    expect(taken.status, taken.output).toBe(0);
    // U-Boot's booti leaves the Image at 0x40400000: the link address is free, the same file boots.
    const free = await runQemuAarch64(
      ['-bios', UBOOT_QEMU_ARM64, '-device', `loader,file=${fixed},addr=0x40400000,force-raw=on`],
      { steps: ubootSteps('booti 0x40400000 - ${fdtcontroladdr}') },
    );
    expectRootRan(free);
    expect(free.output).toMatch(/^cpu: .*loaded at 0x40200000-/m);
  });
});
