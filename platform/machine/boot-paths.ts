/**
 * The firmware side of a boot: which path an image takes (UEFI, Multiboot2, Linux), and preparing the
 * machine's memory and entry state through the built-in firmware of that path, the way the real one does it:
 *  - uefi: the built-in UEFI firmware (boot/uefi/firmware) loads the PE/COFF image and enters it in long
 *    mode with boot services; the image calls them through trap addresses (trap-gate.ts).
 *  - multiboot2: GRUB's BIOS flavour (boot/multiboot2/loader.ts): 32-bit protected mode, EAX = magic,
 *    EBX = Multiboot2 information.
 *  - linux: the Linux/x86 boot protocol (boot/bzimage/loader.ts): 64-bit entry when the image offers one,
 *    else code32_start, RSI/ESI = boot_params with e820, command line, initrd, acpi_rsdp_addr.
 */
import { basename } from 'node:path';
import { FormatError, UsageError } from '../../common/errors.js';
import { loadBzImage } from '../../boot/bzimage/loader.js';
import { readSetupHeader } from '../../boot/bzimage/setup-header.js';
import { installAcpiTables } from '../../boot/firmware/acpi.js';
import { memoryMapFromBoard } from '../../boot/firmware/board-memory.js';
import { DEFAULT_SMBIOS_IDENTITY, installLegacySmbios } from '../../boot/firmware/smbios.js';
import { programFirmwareMtrrs } from '../../boot/firmware/x86-mtrr.js';
import { PHYSICAL_ADDRESS_BITS } from '../cpu/x86_64/cpuid.js';
import type { FirmwareMemoryMap } from '../../boot/firmware/memory-map.js';
import type { X86EntryState } from '../../boot/firmware/x86-entry.js';
import { findMultiboot2Header } from '../../boot/multiboot2/header.js';
import { loadMultiboot2 } from '../../boot/multiboot2/loader.js';
import { UefiFirmware } from '../../boot/uefi/firmware/firmware.js';
import { IMAGE_FILE_MACHINE_AMD64, SUBSYSTEM_EFI_APPLICATION, readPe } from '../../boot/uefi/pe.js';
import type { PcMachine } from './pc-machine.js';
import { FRAMEBUFFER_BASE, FRAMEBUFFER_HEIGHT, FRAMEBUFFER_WIDTH, LEGACY_SMBIOS_BASE } from '../boards/pc/layout.js';

export const BOOT_PATHS = ['uefi', 'multiboot2', 'linux'] as const;
export type BootPath = (typeof BOOT_PATHS)[number];

/** Linux boot protocol type_of_loader 0xff: "undefined" (boot.rst): our firmware has no assigned ID. */
export const LINUX_TYPE_OF_LOADER = 0xff;
/** Multiboot2 tag 2 (boot loader name) of the built-in Multiboot2 loader. */
export const MULTIBOOT2_LOADER_NAME = 'nova-image';
/** EFI_SYSTEM_TABLE.FirmwareVendor of the built-in UEFI firmware. */
export const UEFI_FIRMWARE_VENDOR = 'nova-image';

export interface BootInput {
  readonly image: Uint8Array;
  readonly file: string;
  /** Kernel command line (Linux cmd_line_ptr, Multiboot2 tag 1, UEFI LoadOptions). */
  readonly append: string;
  readonly modules: ReadonlyArray<{ readonly file: string; readonly bytes: Uint8Array }>;
  /** Linux path: '32' takes code32_start even when the image offers the 64-bit entry (GRUB's BIOS `linux`). */
  readonly linuxEntry?: 'auto' | '32';
  /**
   * Multiboot2 path: 'bios' is GRUB's i386-pc loader (the default); 'efi' is GRUB's x86_64-efi loader running
   * on the built-in UEFI firmware (tags 7 and 9 honoured: boot services kept, 64-bit entry).
   */
  readonly multiboot2Flavour?: 'bios' | 'efi';
}

export interface PreparedBoot {
  readonly path: BootPath;
  readonly entry: X86EntryState;
  /** Present on the UEFI path: its trap registry must be wired to the CPU. */
  readonly uefi?: UefiFirmware;
}

/** Which paths the image's headers offer, in the order the default prefers them. */
export function offeredPaths(image: Uint8Array, file: string): BootPath[] {
  const out: BootPath[] = [];
  if (isUefiApplication(image, file)) out.push('uefi');
  if (isBzImage(image, file)) out.push('linux');
  if (hasMultiboot2Header(image, file)) out.push('multiboot2');
  return out;
}

/** The default: UEFI for a PE image, else Linux for a bzImage, else Multiboot2. */
export function choosePath(image: Uint8Array, file: string, requested?: string): BootPath {
  if (requested !== undefined) {
    if (!(BOOT_PATHS as readonly string[]).includes(requested)) throw new UsageError(`--via ${requested}: expected one of ${BOOT_PATHS.join(', ')}`);
    return requested as BootPath;
  }
  const offered = offeredPaths(image, file);
  if (offered.length === 0) {
    throw new FormatError(file, 0, 'boot headers', 'neither a UEFI PE32+ application (x64), a Linux bzImage (HdrS) nor a Multiboot2 image (header in the first 32 KiB)');
  }
  return offered[0]!;
}

function isUefiApplication(image: Uint8Array, file: string): boolean {
  if (image.length < 2 || image[0] !== 0x4d || image[1] !== 0x5a) return false;
  try {
    const pe = readPe(image, file);
    return pe.coff.Machine === IMAGE_FILE_MACHINE_AMD64 && pe.optional.Subsystem === SUBSYSTEM_EFI_APPLICATION;
  } catch (e) {
    if (e instanceof FormatError) return false;
    throw e;
  }
}

function isBzImage(image: Uint8Array, file: string): boolean {
  try {
    readSetupHeader(image, file);
    return true;
  } catch (e) {
    if (e instanceof FormatError) return false;
    throw e;
  }
}

function hasMultiboot2Header(image: Uint8Array, file: string): boolean {
  return findMultiboot2Header(image, file) !== undefined;
}

function uefiFirmware(m: PcMachine, memory: FirmwareMemoryMap): UefiFirmware {
  return new UefiFirmware({
    bus: m.bus,
    memory,
    console: { write: (text) => m.consoleText(text) },
    acpi: m.acpi,
    clock: m.firmwareClock,
    trace: m.trace,
    firmwareVendor: UEFI_FIRMWARE_VENDOR,
    framebuffer: { base: FRAMEBUFFER_BASE, width: FRAMEBUFFER_WIDTH, height: FRAMEBUFFER_HEIGHT },
  });
}

/** Lays the image and hand-off structures out in the machine's memory through the path's firmware. */
export function prepareBoot(m: PcMachine, path: BootPath, input: BootInput): PreparedBoot {
  const memory = memoryMapFromBoard(m.board);
  // every firmware (SeaBIOS, OVMF, GRUB's) hands over with the MTRRs programmed
  programFirmwareMtrrs(m.cpu.msr, m.board.ecam.base, PHYSICAL_ADDRESS_BITS);
  const { bus, trace } = m;
  switch (path) {
    case 'linux': {
      if (input.modules.length > 1) throw new UsageError('--via linux: the Linux boot protocol carries one initrd; give at most one --module');
      const rsdpAddress = m.acpi.rsdpAddress;
      installAcpiTables(bus, memory, m.acpi);
      // SMBIOS where SeaBIOS puts it (a kernel finds it by scanning the BIOS area)
      installLegacySmbios(bus, LEGACY_SMBIOS_BASE, DEFAULT_SMBIOS_IDENTITY);
      const initrd = input.modules[0]?.bytes;
      const r = loadBzImage({ bus, memory, image: input.image, file: input.file, commandLine: input.append, initrd, rsdpAddress, typeOfLoader: LINUX_TYPE_OF_LOADER, entry: input.linuxEntry, trace });
      return { path, entry: r.entry };
    }
    case 'multiboot2': {
      // GRUB's module2 string is what followed `module2` on its line; the file's name stands in for it.
      const modules = input.modules.map((mod) => ({ bytes: mod.bytes, string: basename(mod.file) }));
      const common = { bus, memory, image: input.image, file: input.file, commandLine: input.append, modules, bootLoaderName: MULTIBOOT2_LOADER_NAME, trace };
      if (input.multiboot2Flavour === 'efi') {
        const fw = uefiFirmware(m, memory);
        const rsdp = bus.readBytes(m.acpi.rsdpAddress, 36);
        const r = loadMultiboot2({ ...common, rsdp, efi: { firmware: fw, imageHandle: fw.installLoaderImage() } });
        return { path, entry: r.entry, uefi: fw };
      }
      const rsdp = installAcpiTables(bus, memory, m.acpi);
      const r = loadMultiboot2({ ...common, rsdp });
      return { path, entry: r.entry };
    }
    case 'uefi': {
      if (input.modules.length > 0) throw new UsageError('--via uefi: the built-in UEFI firmware offers no file system to load modules from; give none');
      const fw = uefiFirmware(m, memory);
      const image = fw.loadImage(input.image, input.file, input.append === '' ? {} : { commandLine: input.append });
      return { path, entry: fw.entryState(image), uefi: fw };
    }
  }
}
