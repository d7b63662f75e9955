/**
 * The Multiboot2 information structure in GRUB's tag order (grub-core/loader/multiboot_mbi2.c,
 * grub_multiboot2_make_mbi): 21 load base, 1 command line, 2 boot loader name, 3 modules, 6 memory map,
 * 9 ELF sections, 4 basic meminfo (unless boot services are kept), 8 framebuffer, 12 EFI64 system table
 * (EFI), 14 old ACPI, 15 new ACPI, 13 SMBIOS, then on EFI either 17 EFI memory map (after
 * ExitBootServices) or 18 boot services not terminated + 20 EFI64 image handle. APM, network and BIOS boot
 * device tags are left out: the emulated machine has none of them.
 */
import {
  INFO_ACPI_NEW,
  INFO_ACPI_OLD,
  INFO_BASIC_MEMINFO,
  INFO_BOOT_LOADER_NAME,
  INFO_CMDLINE,
  INFO_EFI64,
  INFO_EFI64_IH,
  INFO_EFI_BS,
  INFO_EFI_MMAP,
  INFO_ELF_SECTIONS,
  INFO_FRAMEBUFFER,
  INFO_LOAD_BASE_ADDR,
  INFO_MMAP,
  INFO_MODULE,
  INFO_SMBIOS,
  Mb2MmapEntry,
  type FramebufferColor,
  type Mb2InfoTag,
} from './info.js';

export interface MbiFacts {
  loadBase: number;
  commandLine: string;
  bootLoaderName: string;
  modules: ReadonlyArray<{ start: number; end: number; string: string }>;
  /** E820-style map (type 1 available, 2 reserved, 3 ACPI, 4 NVS, 5 bad). */
  memoryMap: ReadonlyArray<{ addr: number; size: number; type: number }>;
  sections: { num: number; entsize: number; shndx: number; bytes: Uint8Array };
  keepBootServices: boolean;
  framebuffer?: { addr: number; pitch: number; width: number; height: number; bpp: number; type: number; color: FramebufferColor };
  efi?: { systemTable: number; imageHandle: number };
  /** RSDP bytes as found (20-byte v1 or a v2 of `length` bytes). */
  rsdp?: Uint8Array;
  /** SMBIOS entry point bytes (3.0 "_SM3_" or 2.x "_SM_"). */
  smbios?: Uint8Array;
  /** The final EFI memory map (tag 17), present when the loader exited boot services. */
  efiMemoryMap?: { bytes: Uint8Array; descriptorSize: number; descriptorVersion: number };
}

const KiB = 1024;
const ONE_MIB = 0x100000;

/** mem_lower / mem_upper as grub_mmap_get_lower/upper compute them: RAM from 0, and RAM from 1 MiB on. */
export function basicMeminfo(map: MbiFacts['memoryMap']): { mem_lower: number; mem_upper: number } {
  const contiguousFrom = (start: number) => {
    let end = start;
    for (const e of [...map].sort((a, b) => a.addr - b.addr)) {
      if (e.type === 1 && e.addr <= end && e.addr + e.size > end) end = e.addr + e.size;
    }
    return end - start;
  };
  return { mem_lower: Math.floor(Math.min(contiguousFrom(0), 640 * KiB) / KiB), mem_upper: Math.floor(contiguousFrom(ONE_MIB) / KiB) };
}

export function mbiTags(f: MbiFacts): Mb2InfoTag[] {
  const tags: Mb2InfoTag[] = [
    { type: INFO_LOAD_BASE_ADDR, load_base_addr: f.loadBase },
    { type: INFO_CMDLINE, string: f.commandLine },
    { type: INFO_BOOT_LOADER_NAME, string: f.bootLoaderName },
    ...f.modules.map((m) => ({ type: INFO_MODULE, mod_start: m.start, mod_end: m.end, string: m.string }) as Mb2InfoTag),
    {
      type: INFO_MMAP,
      entry_size: Mb2MmapEntry.size,
      entry_version: 0,
      entries: f.memoryMap.map((e) => ({ addr: BigInt(e.addr), len: BigInt(e.size), type: e.type, zero: 0 })),
    },
    { type: INFO_ELF_SECTIONS, num: f.sections.num, entsize: f.sections.entsize, shndx: f.sections.shndx, sections: f.sections.bytes },
  ];
  if (!f.keepBootServices) tags.push({ type: INFO_BASIC_MEMINFO, ...basicMeminfo(f.memoryMap) });
  if (f.framebuffer) {
    const fb = f.framebuffer;
    tags.push({ type: INFO_FRAMEBUFFER, framebuffer_addr: BigInt(fb.addr), framebuffer_pitch: fb.pitch, framebuffer_width: fb.width, framebuffer_height: fb.height, framebuffer_bpp: fb.bpp, framebuffer_type: fb.type, reserved: 0, color: fb.color });
  }
  if (f.efi) tags.push({ type: INFO_EFI64, pointer: BigInt(f.efi.systemTable) });
  if (f.rsdp) {
    tags.push({ type: INFO_ACPI_OLD, rsdp: f.rsdp.slice(0, 20) });
    // Revision >= 2 RSDPs carry their length at offset 20 (ACPI 6.5, 5.2.5.3).
    if (f.rsdp[15]! >= 2 && f.rsdp.length >= 36) {
      const length = new DataView(f.rsdp.buffer, f.rsdp.byteOffset).getUint32(20, true);
      tags.push({ type: INFO_ACPI_NEW, rsdp: f.rsdp.slice(0, length) });
    }
  }
  if (f.smbios) {
    // "_SM3_" keeps the version at 7/8, the 2.x "_SM_" entry point at 6/7.
    const v3 = f.smbios[4] === 0x5f;
    tags.push({ type: INFO_SMBIOS, major: f.smbios[v3 ? 7 : 6]!, minor: f.smbios[v3 ? 8 : 7]!, reserved: new Uint8Array(6), tables: f.smbios });
  }
  if (f.efi && !f.keepBootServices && f.efiMemoryMap) {
    tags.push({ type: INFO_EFI_MMAP, descr_size: f.efiMemoryMap.descriptorSize, descr_vers: f.efiMemoryMap.descriptorVersion, efi_mmap: f.efiMemoryMap.bytes });
  }
  if (f.efi && f.keepBootServices) {
    tags.push({ type: INFO_EFI_BS });
    tags.push({ type: INFO_EFI64_IH, pointer: BigInt(f.efi.imageHandle) });
  }
  return tags;
}
