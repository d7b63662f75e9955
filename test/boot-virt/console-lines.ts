/**
 * Which console lines of the aarch64 reference kernel must be equal between our virt board and
 * `qemu-system-aarch64 -M virt,virtualization=on -kernel` for the same image, and why the others differ.
 *
 * The kernel prints what it was handed. Both loaders place the Image, initrd and device tree at the same
 * addresses (boot/bzimage/arm64-loader.ts follows QEMU's rules), the stub copies the tree to the same free
 * page, and both boards have the same RAM, CPU (MIDR), GIC, PL011, PL031 and PSCI; so every line is compared
 * exactly except these, applied after CR LF -> LF:
 *
 *  dropped  anything before the banner          (nothing on either side today; firmware output would go here)
 *  masked   `module N: A-B S bytes "fdt"`: B and S   QEMU builds its tree in a 1 MiB buffer and hands it over
 *                                                unpacked (totalsize 0x100000); ours is packed. A is compared.
 *  masked   `fdt: at A, S bytes, ...`: S          the same size difference; address, model, compatible compared
 *  masked   `fdt: N nodes, K device kinds:`       QEMU's tree describes devices the board does not model
 *  dropped  `fdt:   <compatible> xN` for the compatibles in QEMU_ONLY_DEVICES: devices of QEMU's virt that our
 *           board does not model (PCIe host, virtio-mmio transports, fw-cfg, flash, GPIO, PMU, platform bus,
 *           the GIC's MSI frames); every other kind and its count is compared
 *  dropped  `pci: ...`                           QEMU's virt has a PCIe host (ECAM at 0x4010000000 with its
 *                                                host bridge and default NIC); our board has none, the kernel
 *                                                says `pci: no ECAM window` (tests check that separately)
 *
 * On the Multiboot2 path the reference is QEMU running the aarch64 test loader (test/image-aarch64/mb2-loader),
 * which hands over QEMU's tree from 0x40000000 and its information at 0x41100000; ours places the "dtb"
 * module and the information in the lowest free RAM. So there also:
 *  masked   `boot: path=multiboot2 loader=nova-image/multiboot2 via <X>`: X is the outer loader's name
 *  masked   the address A of `module N: ... "fdt"` and `fdt: at A`: the stub's copy of the tree goes to the
 *           lowest page the outer loader left free, which depends on where that loader put its own things
 *
 * On the UEFI path the reference is AAVMF (QEMU's edk2 build) starting the image as \EFI\BOOT\BOOTAA64.EFI
 * from a FAT disk; ours is the built-in UEFI firmware. AAVMF describes the machine with ACPI only (its own
 * tables from QEMU: RSDP OEM "BOCHS ", FACP APIC PPTT GTDT MCFG SPCR DBG2 IORT, and a PCIe host our board
 * does not model); our firmware installs the board's device tree (EFI_DTB_TABLE) and no ACPI. Everything the
 * kernel prints about the *kernel, image, CPU and board* stays exact (banner, path and magic, `cpu:` line
 * with MIDR, entry EL2 and the kernel's load address, command line, root-task module name and size, the
 * root task's entry and segments, the ROOT line, the exit status, PSCI conduit and version, power-off).
 * These differ by firmware and are handled so:
 *  masked   `boot: path=uefi loader=nova-image/uefi via <X>`: X is EFI_SYSTEM_TABLE.FirmwareVendor
 *           ("EDK II" vs "nova-image")
 *  dropped  `memory: ...`                        the firmware's memory map: AAVMF keeps its DXE core, drivers,
 *                                                runtime regions and ACPI tables in RAM (27-29 entries); ours
 *                                                has only what the image and our tables use
 *  masked   `module N: A-B` and `root: ELF at A`  A and B: the root task stays inside the PE image, and
 *                                                where the PE lands is the firmware's AllocatePages choice;
 *                                                name and size are compared
 *  masked   `efi: system table A`                 a firmware allocation
 *  dropped  `module N: ... "fdt"`, and `modules: N` counts modules without it: the stub passes a firmware's
 *           devicetree on as a module; AAVMF has none
 *  dropped  `fdt: ...` and `acpi: ...`            which description the firmware gives (ACPI vs FDT); the test
 *                                                checks each side's lines on their own (ours: the same FDT
 *                                                summary as the Image path, which is compared with QEMU)
 *  masked   `psci: conduit C (from <S>), ...`     S names the description the conduit was read from (FADT ARM
 *                                                boot flags vs FDT /psci method); C and the version compared
 *  dropped  `pci: ...`                            as on the other paths (QEMU's PCIe host)
 */

export const BANNER = 'NOVA-IMAGE REFERENCE KERNEL 0.1.0 (aarch64)';
export const ROOT_LINE = 'ROOT: hello from user mode';
/** The kernel's last line; the conduit is smc when entered at EL2 (virtualization=on), hvc at EL1. */
export function finalLine(conduit: 'smc' | 'hvc'): string {
  return `kernel: power off through PSCI SYSTEM_OFF (${conduit})`;
}

/** Compatible strings in QEMU 7.2's virt tree for hardware the virt board does not model. */
export const QEMU_ONLY_DEVICES = new Set([
  'qemu,platform',
  'qemu,fw-cfg-mmio',
  'virtio,mmio',
  'gpio-keys',
  'arm,pl061',
  'pci-host-ecam-generic',
  'arm,armv8-pmuv3',
  'arm,gic-v3-its',
  'arm,gic-v2m-frame',
  'cfi-flash',
]);

export function comparableLines(console: string, path: 'linux' | 'multiboot2' | 'uefi' = 'linux'): string[] {
  const lines = console.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((l) => l.endsWith(BANNER));
  if (start < 0) return [];
  if (path === 'uefi') return uefiComparable(lines.slice(start + 1));
  const out: string[] = [BANNER];
  for (const line of lines.slice(start + 1)) {
    if (line === '' || line.startsWith('pci: ')) continue;
    const kind = /^fdt: {3}(\S+) x\d+$/.exec(line);
    if (kind && QEMU_ONLY_DEVICES.has(kind[1]!)) continue;
    const l = line
      .replace(/^(module \d+: 0x[0-9a-f]+-)0x[0-9a-f]+ \d+ bytes( "fdt")$/, '$1<end> <size> bytes$2')
      .replace(/^(fdt: at 0x[0-9a-f]+, )\d+( bytes,)/, '$1<size>$2')
      .replace(/^fdt: \d+ nodes, \d+ device kinds:$/, 'fdt: <n> nodes, <k> device kinds:');
    out.push(path === 'multiboot2' ? maskOuterLoader(l) : l);
  }
  return out;
}

function maskOuterLoader(line: string): string {
  return line
    .replace(/^(boot: path=multiboot2 loader=nova-image\/multiboot2 via ).*( magic=0x[0-9a-f]+)$/, '$1<loader>$2')
    .replace(/^(module \d+: )0x[0-9a-f]+(-<end> <size> bytes "fdt")$/, '$1<addr>$2')
    .replace(/^(fdt: at )0x[0-9a-f]+(, )/, '$1<addr>$2');
}

function uefiComparable(lines: readonly string[]): string[] {
  const out: string[] = [BANNER];
  let fdtModules = 0;
  for (const line of lines) {
    if (line === '' || /^(memory|fdt|acpi|pci): /.test(line)) continue;
    if (/^module \d+: .* "fdt"$/.test(line)) {
      fdtModules++;
      continue;
    }
    const count = /^modules: (\d+)$/.exec(line);
    if (count) {
      out.push(`modules: ${Number(count[1]) - fdtModules}`);
      continue;
    }
    out.push(
      line
        .replace(/^(boot: path=uefi loader=nova-image\/uefi via ).*( magic=0x[0-9a-f]+)$/, '$1<firmware>$2')
        .replace(/^(module \d+: )0x[0-9a-f]+-0x[0-9a-f]+( \d+ bytes "[^"]*")$/, '$1<start>-<end>$2')
        .replace(/^(root: ELF at )0x[0-9a-f]+(, )/, '$1<addr>$2')
        .replace(/^(efi: system table )0x[0-9a-f]+(, )/, '$1<addr>$2')
        .replace(/^(psci: conduit \S+ \(from ).*(\), version )/, '$1<description>$2'),
    );
  }
  return out;
}
