/**
 * Which console lines of the reference kernel (kernel/x86_64/README.md) must be equal between our
 * emulator and QEMU with the real firmware, and why the others may differ.
 *
 * The kernel prints what it was handed. Lines that describe the *kernel, the image and the board* must be
 * equal; lines that describe what a particular *firmware* produced (its name, its memory map, its ACPI
 * tables, where it chose to put things) legitimately differ between SeaBIOS/GRUB/OVMF and our built-in
 * firmware. The rules, applied to each line after CR LF -> LF:
 *
 *  dropped  anything before the banner          the firmware's own output (OVMF BdsDxe lines, GRUB/OVMF
 *                                                terminal escape sequences)
 *  dropped  `boot: multiboot2 information at`   MBI address and size: the size follows the number of memory
 *                                                map entries (tag 6) and EFI tags of that firmware
 *  dropped  `mmap: ...`                         the firmware's memory map (SeaBIOS/OVMF reservations, OVMF's
 *                                                allocations) differs by design
 *  dropped  `acpi: ...` except `acpi: S5`       the ACPI tables are the firmware's: QEMU's SeaBIOS/OVMF tables
 *                                                (OEM "BOCHS ", RSDT, WAET, BGRT) vs the board's own
 *  masked   `boot: path=P loader=nova-image/P via <X>`   X names the original loader (QEMU, GRUB 2.06, EDK II
 *                                                vs our built-in firmware); P and the magic are compared
 *  masked   `efi: system table at <A>`, `efi: image handle <H>`   firmware allocations
 *  masked   `pci: bus master enable cleared on <n> of <m> functions`   the PCI inventory differs (QEMU's
 *                                                q35 always has SATA 1f.2 and SMBus 1f.3, a VGA and a NIC;
 *                                                the pc board has host bridge, LPC and edu) and OVMF's PCI
 *                                                bus driver sets Bus Master Enable where our firmware does not
 *  masked   (on UEFI firmware: the uefi path and GRUB EFI's multiboot2) kernel load address and shift,
 *           module start/end, root segments' phys
 *                                                where the PE image and the kernel land depends on which
 *                                                pages the firmware has allocated (OVMF keeps 16 MiB busy, so
 *                                                the stub relocates the kernel by its tag 10); on BIOS
 *                                                firmware (linux, GRUB BIOS multiboot2) both loaders place
 *                                                the image at 1 MiB, so these are compared exactly
 *  exact    everything else: banner, path and magic, kernel link address and NX, EFI/non-EFI hand-off
 *           state, module names and sizes, module count, command line, the \_S5 / PM1a_CNT line (q35's PM
 *           block at 0x600: a board property), root task segments and ring-3 entry, the ROOT line, the
 *           final status line
 */

export const BANNER = 'NOVA-IMAGE REFERENCE KERNEL 0.1.0 (x86_64)';
export const ROOT_LINE = 'ROOT: hello from user mode';
export const FINAL_LINE = 'kernel: root task exited with status 0x10';

export type PathName = 'linux' | 'multiboot2' | 'uefi';
/** Which firmware the run sat on: the placement masks apply on UEFI firmware (uefi path, GRUB EFI). */
export type FirmwareKind = 'bios' | 'uefi';

const DROPPED = [/^boot: multiboot2 information at /, /^mmap: /, /^acpi: (?!S5 )/];

export function comparableLines(console: string, firmware: FirmwareKind): string[] {
  const lines = console.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((l) => l.endsWith(BANNER));
  if (start < 0) return [];
  const out: string[] = [BANNER];
  const firmwarePlaced = firmware === 'uefi';
  for (const line of lines.slice(start + 1)) {
    if (line === '' || DROPPED.some((r) => r.test(line))) continue;
    let l = line.replace(/^(boot: path=\S+ loader=nova-image\/\S+ via ).*( magic=0x[0-9a-f]+)$/, '$1<loader>$2');
    l = l.replace(/^(pci: bus master enable cleared on )\d+ of \d+/, '$1<n> of <m>');
    l = l.replace(/^(efi: system table at )0x[0-9a-f]+/, '$1<addr>').replace(/^(efi: image handle )0x[0-9a-f]+/, '$1<handle>');
    if (firmwarePlaced) {
      l = l
        .replace(/^(kernel: image at )0x[0-9a-f]+(, linked at 0x[0-9a-f]+, shift )[+-]0x[0-9a-f]+/, '$1<addr>$2<shift>')
        .replace(/^(kernel: loader reports load base )0x[0-9a-f]+/, '$1<addr>')
        .replace(/^(module: \d+ name="[^"]*" )start=0x[0-9a-f]+ end=0x[0-9a-f]+/, '$1start=<addr> end=<addr>')
        .replace(/( mapped in place at phys )0x[0-9a-f]+$/, '$1<addr>');
    }
    out.push(l);
  }
  return out;
}
