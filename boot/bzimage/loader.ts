/**
 * The Linux/x86 boot-protocol loader of the built-in firmware (Documentation/arch/x86/boot.rst): loads the
 * protected-mode part of a bzImage, builds the zero page and enters through the 64-bit entry
 * (load address + 0x200, long mode, identity-mapped, RSI = boot_params) when the image sets XLF_KERNEL_64,
 * else through the 32-bit entry (load address = code32_start, flat protected mode, ESI = boot_params).
 *
 * Placement and zero-page contents follow what QEMU's x86 Linux loader and GRUB's `linux` command do:
 * the setup header copied from the image, type_of_loader, cmd_line_ptr, ramdisk at the top of memory below
 * initrd_addr_max, the e820 table from the memory map, ext_mem_k/alt_mem_k, code32_start updated to the load
 * address, acpi_rsdp_addr for protocol >= 2.14. The real-mode setup code is not run (it is the 16-bit BIOS
 * path), so what it would have collected is filled in here. Returns facts; writes through the bus.
 */
import { hex, viewOf } from '../../common/struct.js';
import type { PhysicalBus } from '../../platform/memory/bus.js';
import { findFreeChunk, EFI_PAGE_SIZE, type FirmwareMemoryMap } from '../firmware/memory-map.js';
import { EfiLoaderData } from '../firmware/memory-types.js';
import { FirmwareTrace, traceHex } from '../firmware/trace.js';
import { identityMapSize, modeRegisters, writeGdt, writeIdentityMap, type X86EntryState } from '../firmware/x86-entry.js';
import { BOOT_PARAMS_SIZE, E820_RAM, encodeBootParams, type E820EntryValue } from './boot-params.js';
import { BzImageError } from './errors.js';
import {
  LOADED_HIGH,
  SETUP_HEADER_OFFSET,
  SetupHeader,
  XLF_KERNEL_64,
  protectedModeOffset,
  readSetupHeader,
  setupHeaderBytes,
  type SetupHeaderInfo,
} from './setup-header.js';

export interface BzImageLoadOptions {
  bus: PhysicalBus;
  memory: FirmwareMemoryMap;
  image: Uint8Array;
  file: string;
  commandLine: string;
  initrd?: Uint8Array;
  /** Guest-physical address of the RSDP (boot_params.acpi_rsdp_addr, protocol 2.14+). */
  rsdpAddress?: number;
  /**
   * type_of_loader: 0xff "undefined" by default (boot.rst); 0xb0 is QEMU, 0x72 GRUB 2 (ID 7, version 2).
   */
  typeOfLoader?: number;
  /** Force the 32-bit entry even for a 64-bit-capable image. */
  entry?: 'auto' | '32';
  trace?: FirmwareTrace;
}

export interface BzImageLoadResult {
  setup: SetupHeaderInfo;
  /** Where the protected-mode part went, its size in the file, and the range reserved for it (init_size). */
  loadAddress: number;
  protectedModeSize: number;
  reservedSize: number;
  bootParams: number;
  commandLine: { address: number; length: number };
  initrd?: { address: number; size: number };
  e820: E820EntryValue[];
  entryKind: '64-bit' | '32-bit';
  entry: X86EntryState;
}

/** boot.rst: __BOOT_CS and __BOOT_DS. */
export const BOOT_CS = 0x10;
export const BOOT_DS = 0x18;
const ONE_MIB = 0x100000;
const FOUR_GIB = 0x1_0000_0000;
/** Where the zero page and command line go: low memory above the real-mode IVT/BDA area, as QEMU uses 0x10000+. */
const LOW_AREA = 0x10000;
/** The 64-bit entry sits 0x200 bytes into the protected-mode part (boot.rst, "64-bit boot protocol"). */
export const STARTUP_64_OFFSET = 0x200;
/** initrd_addr_max before protocol 2.03 (boot.rst). */
const DEFAULT_INITRD_ADDR_MAX = 0x37ffffff;
const TYPE_OF_LOADER_UNDEFINED = 0xff;

export function loadBzImage(o: BzImageLoadOptions): BzImageLoadResult {
  const { bus, memory, image, file } = o;
  const trace = o.trace ?? new FirmwareTrace();
  const setup = readSetupHeader(image, file);
  const h = setup.header;
  const field = (name: keyof typeof SetupHeader.fields) => SetupHeader.offsetOf(name);
  if (h.version < 0x202) {
    throw new BzImageError(file, field('version'), 'setup_header.version', `protocol ${setup.protocol} predates 2.02; only the 16-bit entry could boot it`);
  }
  if ((h.loadflags & LOADED_HIGH) === 0) {
    throw new BzImageError(file, field('loadflags'), 'setup_header.loadflags', 'LOADED_HIGH is clear: a zImage loads at 0x10000 and needs the 16-bit entry');
  }
  const use64 = o.entry !== '32' && h.version >= 0x20c && (h.xloadflags & XLF_KERNEL_64) !== 0;
  const pmOffset = protectedModeOffset(h);
  if (pmOffset >= image.length) {
    throw new BzImageError(file, field('setup_sects'), 'setup_header.setup_sects', `protected-mode code at ${hex(pmOffset)} lies past the end of the file (${hex(image.length)})`);
  }
  const pmSize = image.length - pmOffset;
  const reservedSize = Math.max(pmSize, h.version >= 0x20a ? h.init_size : 0);

  // Placement: a relocatable kernel goes to pref_address when free, else the lowest kernel_alignment-aligned
  // free range above 1 MiB; a fixed one must go to 0x100000 (code32_start's default).
  const relocatable = h.version >= 0x205 && h.relocatable_kernel !== 0;
  const preferred = h.version >= 0x20a && h.pref_address !== 0n ? Number(h.pref_address) : ONE_MIB;
  let loadAddress: number | undefined;
  if (memory.isFree(preferred, reservedSize)) loadAddress = preferred;
  else if (relocatable) loadAddress = findFreeChunk(memory, reservedSize, ONE_MIB, FOUR_GIB - 1, Math.max(h.kernel_alignment, EFI_PAGE_SIZE), 'low');
  if (loadAddress === undefined) {
    throw new BzImageError(file, field(relocatable ? 'kernel_alignment' : 'relocatable_kernel'), `setup_header.${relocatable ? 'kernel_alignment' : 'relocatable_kernel'}`, `no free RAM for ${hex(reservedSize)} bytes at ${hex(preferred)}${relocatable ? ' or any aligned address' : ' and the kernel is not relocatable'}`);
  }
  memory.claim(loadAddress, reservedSize, EfiLoaderData);
  bus.writeBytes(loadAddress, image.subarray(pmOffset));
  if (reservedSize > pmSize) bus.writeBytes(loadAddress + pmSize, new Uint8Array(reservedSize - pmSize));
  trace.record('load', 'bzimage-kernel', { file, protocol: setup.protocol, loadAddress: traceHex(loadAddress), size: pmSize, reserved: reservedSize });

  // Command line.
  const maxCmdline = h.version >= 0x206 ? h.cmdline_size : 255;
  if (o.commandLine.length > maxCmdline) {
    throw new BzImageError(file, field('cmdline_size'), 'setup_header.cmdline_size', `the command line has ${o.commandLine.length} characters, the kernel accepts ${maxCmdline}`);
  }
  const bootParams = findFreeChunk(memory, BOOT_PARAMS_SIZE, LOW_AREA, 0x9ffff, EFI_PAGE_SIZE, 'low');
  const cmdlineBytes = new Uint8Array(Buffer.from(o.commandLine + '\0', 'latin1'));
  if (bootParams === undefined) throw new BzImageError(file, 0, 'boot_params', 'no free low memory for the zero page');
  memory.claim(bootParams, BOOT_PARAMS_SIZE, EfiLoaderData);
  const cmdlineAt = findFreeChunk(memory, cmdlineBytes.length, LOW_AREA, 0x9ffff, EFI_PAGE_SIZE, 'low');
  if (cmdlineAt === undefined) throw new BzImageError(file, 0, 'cmd_line_ptr', 'no free low memory for the command line');
  memory.claim(cmdlineAt, cmdlineBytes.length, EfiLoaderData);
  bus.writeBytes(cmdlineAt, cmdlineBytes);

  // Initrd: page-aligned at the top of RAM below initrd_addr_max (QEMU and GRUB both put it high).
  let initrd: BzImageLoadResult['initrd'];
  if (o.initrd) {
    const max = h.version >= 0x203 ? h.initrd_addr_max : DEFAULT_INITRD_ADDR_MAX;
    const at = findFreeChunk(memory, o.initrd.length, ONE_MIB, max, EFI_PAGE_SIZE, 'high');
    if (at === undefined) throw new BzImageError(file, field('initrd_addr_max'), 'setup_header.initrd_addr_max', `no free RAM below ${hex(max)} for a ${hex(o.initrd.length)}-byte initrd`);
    memory.claim(at, o.initrd.length, EfiLoaderData);
    bus.writeBytes(at, o.initrd);
    initrd = { address: at, size: o.initrd.length };
  }

  // Entry environment: GDT with __BOOT_CS/__BOOT_DS (and page tables for the 64-bit entry).
  const gdtAt = findFreeChunk(memory, EFI_PAGE_SIZE, LOW_AREA, FOUR_GIB - 1, EFI_PAGE_SIZE, 'low');
  if (gdtAt === undefined) throw new BzImageError(file, 0, 'gdt', 'no free page for the GDT');
  memory.claim(gdtAt, EFI_PAGE_SIZE, EfiLoaderData);
  const gdt = writeGdt(bus, gdtAt, [[BOOT_CS, use64 ? 'code64' : 'code32'], [BOOT_DS, 'data']]);
  let cr3 = 0;
  if (use64) {
    const top = Math.max(FOUR_GIB, ...memory.descriptors().map((d) => d.base + d.pages * EFI_PAGE_SIZE));
    const size = identityMapSize(top);
    const pt = findFreeChunk(memory, size, ONE_MIB, FOUR_GIB - 1, EFI_PAGE_SIZE, 'high');
    if (pt === undefined) throw new BzImageError(file, 0, 'page tables', 'no free RAM for the identity map');
    memory.claim(pt, size, EfiLoaderData);
    cr3 = writeIdentityMap(bus, pt, top);
  }

  const e820 = memory.toE820().map((e) => ({ addr: BigInt(e.addr), size: BigInt(e.size), type: e.type }));
  const upperKiB = contiguousKiBFrom(e820, ONE_MIB);
  const zeroPage = encodeBootParams({
    screen_info: { ext_mem_k: Math.min(upperKiB, 0xfc00) },
    fields: { alt_mem_k: upperKiB, ...(h.version >= 0x20e && o.rsdpAddress !== undefined ? { acpi_rsdp_addr: BigInt(o.rsdpAddress) } : {}) },
    e820_table: e820,
  });
  zeroPage.set(setupHeaderBytes(image), SETUP_HEADER_OFFSET);
  SetupHeader.write(viewOf(zeroPage), 0, {
    type_of_loader: o.typeOfLoader ?? TYPE_OF_LOADER_UNDEFINED,
    code32_start: loadAddress,
    cmd_line_ptr: cmdlineAt,
    ramdisk_image: initrd ? initrd.address : 0,
    ramdisk_size: initrd ? initrd.size : 0,
  });
  bus.writeBytes(bootParams, zeroPage);

  const entryAddress = use64 ? loadAddress + STARTUP_64_OFFSET : loadAddress;
  const entry: X86EntryState = {
    rip: entryAddress,
    // boot.rst: %rsi/%esi = boot_params; for the 32-bit entry %ebp, %edi, %ebx must be zero.
    regs: { rsi: bootParams, rbp: 0, rdi: 0, rbx: 0 },
    gdt,
    segments: { cs: BOOT_CS, ds: BOOT_DS },
    ...modeRegisters(use64 ? 'long64' : 'protected32', cr3),
  };
  trace.record('start', 'bzimage-entry', { kind: use64 ? '64-bit' : '32-bit', entry: traceHex(entryAddress), bootParams: traceHex(bootParams), cmdline: traceHex(cmdlineAt) });
  return {
    setup,
    loadAddress,
    protectedModeSize: pmSize,
    reservedSize,
    bootParams,
    commandLine: { address: cmdlineAt, length: o.commandLine.length },
    initrd,
    e820,
    entryKind: use64 ? '64-bit' : '32-bit',
    entry,
  };
}

function contiguousKiBFrom(e820: readonly E820EntryValue[], start: number): number {
  let end = start;
  for (const e of [...e820].sort((a, b) => Number(a.addr - b.addr))) {
    const a = Number(e.addr);
    if (e.type === E820_RAM && a <= end && a + Number(e.size) > end) end = a + Number(e.size);
  }
  return Math.floor((end - start) / 1024);
}
