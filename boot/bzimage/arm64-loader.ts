/**
 * The arm64 Linux `Image` loader of the built-in firmware (Documentation/arch/arm64/booting.rst): what QEMU's
 * `-kernel` and U-Boot's `booti` do before they jump into an Image.
 *
 *  - placement follows QEMU's `-kernel` (hw/arm/boot.c, checked against QEMU 7.2 with a probe image), so the
 *    same Image finds the same addresses on both: the Image at the RAM base + text_offset, moved up by 2 MiB
 *    when text_offset is below 4 KiB (QEMU keeps that page for its boot code; the base stays 2 MiB aligned);
 *    the initrd at RAM + min(RAM size / 2, 128 MiB), but not below the kernel's end, page aligned; the device
 *    tree at the first 2 MiB boundary at or after the initrd's end (its start without one), which keeps it
 *    8-byte aligned and, being at most 2 MiB, inside one 2 MiB window as booting.rst requires;
 *  - /chosen names the initrd (the device tree is built after placement, through `deviceTree`);
 *  - the entry state is X0 = FDT physical address, X1 = X2 = X3 = 0, PC = the load address (code0), MMU and
 *    D-cache off, DAIF masked, at EL2 when the board has virtualization (EL1 otherwise).
 *
 * It returns facts (header read, addresses, entry state) and writes only through the bus; applying the entry
 * state to a CPU is the machine's step.
 */
import { hex } from '../../common/struct.js';
import { NotImplementedError } from '../../common/errors.js';
import type { PhysicalBus } from '../../platform/memory/bus.js';
import { FDT_MAGIC } from '../../platform/fdt/header.js';
import { FirmwareTrace, traceHex } from '../firmware/trace.js';
import { readArm64ImageHeader, type Arm64ImageInfo } from './arm64-image.js';
import { Arm64ImageError } from './errors.js';

const MiB = 1024 * 1024;
/** booting.rst: the Image must be placed text_offset bytes from a 2 MiB aligned base. */
export const ARM64_IMAGE_ALIGN = 2 * MiB;
/** booting.rst: the device tree "must not exceed 2 megabytes in size" and must not cross a 2 MiB boundary. */
export const ARM64_FDT_MAX_SIZE = 2 * MiB;
/** booting.rst: "Prior to v3.17 ... if image_size is zero, text_offset can be assumed to be 0x80000." */
const LEGACY_TEXT_OFFSET = 0x80000;
/** QEMU keeps the first 4 KiB of RAM for its boot code (BOOTLOADER_MAX_SIZE) and loads low text_offsets 2 MiB up. */
const QEMU_BOOT_CODE_SIZE = 4096;
/** QEMU puts the initrd at RAM + min(RAM size / 2, 128 MiB). */
export const QEMU_INITRD_MAX_OFFSET = 128 * MiB;
const PAGE = 4096;

export interface Arm64Chosen {
  readonly initrd?: { readonly start: number; readonly end: number };
}

export interface Arm64ImageLoadOptions {
  readonly bus: PhysicalBus;
  /** The RAM bank the loader uses (the first bank of the board). */
  readonly ram: { readonly base: number; readonly size: number };
  readonly image: Uint8Array;
  readonly file: string;
  /** Builds the flattened device tree once the initrd's place is known (for /chosen linux,initrd-*). */
  readonly deviceTree: (chosen: Arm64Chosen) => Uint8Array;
  readonly initrd?: Uint8Array;
  /** 2 when the board has EL2 (QEMU virtualization=on): booting.rst prefers entry at EL2 then. */
  readonly entryEl: 1 | 2;
  readonly trace?: FirmwareTrace;
}

/** The CPU state booting.rst requires at the first instruction of the Image. */
export interface Arm64EntryState {
  readonly pc: number;
  readonly el: 1 | 2;
  /** X0..X3: FDT address, then three zeros (reserved for future use). */
  readonly x: readonly [number, number, number, number];
}

export interface Arm64ImageLoadResult {
  readonly header: Arm64ImageInfo;
  /** text_offset as used (0x80000 for a pre-3.17 image with image_size 0). */
  readonly textOffset: number;
  /** Bytes the kernel occupies from the load address on (image_size, or the file length when it is 0). */
  readonly effectiveSize: number;
  /** The 2 MiB aligned base; the Image starts at base + text_offset. */
  readonly base: number;
  readonly loadAddress: number;
  readonly fdt: { readonly address: number; readonly size: number };
  readonly initrd?: { readonly address: number; readonly size: number };
  readonly entry: Arm64EntryState;
}

function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

export function loadArm64Image(o: Arm64ImageLoadOptions): Arm64ImageLoadResult {
  const { bus, image, file, ram } = o;
  const trace = o.trace ?? new FirmwareTrace();
  const header = readArm64ImageHeader(image, file);
  if (header.bigEndian) {
    throw new NotImplementedError(`${file}: big-endian arm64 Image (flags bit 0 set): the AArch64 CPU model runs little-endian kernels only`);
  }
  const legacy = header.header.image_size === 0n;
  const textOffset = legacy ? LEGACY_TEXT_OFFSET : Number(header.header.text_offset);
  if (!Number.isSafeInteger(textOffset) || textOffset % 4 !== 0 || textOffset >= ARM64_IMAGE_ALIGN) {
    throw new Arm64ImageError(file, 0x08, 'arm64_image_header.text_offset', `${hex(header.header.text_offset)} is not a 4-byte aligned offset below 2 MiB`);
  }
  const effectiveSize = legacy ? image.length : Number(header.header.image_size);
  if (!Number.isSafeInteger(effectiveSize) || effectiveSize < image.length) {
    throw new Arm64ImageError(file, 0x10, 'arm64_image_header.image_size', `${hex(header.header.image_size)} is smaller than the file (${hex(image.length)} bytes)`);
  }

  const ramEnd = ram.base + ram.size;
  const base = ram.base + (textOffset < QEMU_BOOT_CODE_SIZE ? ARM64_IMAGE_ALIGN : 0);
  const loadAddress = base + textOffset;
  const imageEnd = loadAddress + effectiveSize;
  if (imageEnd > ramEnd) {
    throw new Arm64ImageError(file, 0x10, 'arm64_image_header.image_size', `the kernel needs ${hex(effectiveSize)} bytes at ${hex(loadAddress)}, RAM ends at ${hex(ramEnd)}`);
  }
  bus.writeBytes(loadAddress, image);
  trace.record('load', 'arm64-image', {
    file,
    textOffset: traceHex(textOffset),
    imageSize: traceHex(effectiveSize),
    legacyHeader: legacy,
    base: traceHex(base),
    loadAddress: traceHex(loadAddress),
    pageSize: header.pageSize,
    physAnywhere: header.physAnywhere,
  });

  const initrdAddress = alignUp(Math.max(ram.base + Math.min(ram.size / 2, QEMU_INITRD_MAX_OFFSET), imageEnd), PAGE);
  let initrd: { address: number; size: number } | undefined;
  if (o.initrd) {
    const size = o.initrd.length;
    if (initrdAddress + size > ramEnd) {
      throw new Arm64ImageError(file, 0x10, 'initrd', `no RAM for a ${hex(size)}-byte initrd at ${hex(initrdAddress)} (RAM ends at ${hex(ramEnd)})`);
    }
    bus.writeBytes(initrdAddress, o.initrd);
    initrd = { address: initrdAddress, size };
    trace.record('load', 'arm64-initrd', { address: traceHex(initrdAddress), size });
  }

  const fdt = o.deviceTree(initrd ? { initrd: { start: initrd.address, end: initrd.address + initrd.size } } : {});
  checkDeviceTree(fdt, file);
  const fdtAddress = alignUp(initrdAddress + (initrd?.size ?? 0), ARM64_IMAGE_ALIGN);
  if (fdtAddress + fdt.length > ramEnd) {
    throw new Arm64ImageError(file, 0x10, 'fdt', `no RAM for the ${hex(fdt.length)}-byte device tree at ${hex(fdtAddress)} (RAM ends at ${hex(ramEnd)})`);
  }
  bus.writeBytes(fdtAddress, fdt);
  trace.record('load', 'arm64-fdt', { address: traceHex(fdtAddress), size: fdt.length });

  const entry: Arm64EntryState = { pc: loadAddress, el: o.entryEl, x: [fdtAddress, 0, 0, 0] };
  trace.record('start', 'arm64-image-entry', { entry: traceHex(loadAddress), el: o.entryEl, x0: traceHex(fdtAddress), mmu: 'off', daif: 'masked' });
  return { header, textOffset, effectiveSize, base, loadAddress, fdt: { address: fdtAddress, size: fdt.length }, initrd, entry };
}

/** The blob the firmware hands over must be a device tree that fits the 2 MiB window. */
function checkDeviceTree(fdt: Uint8Array, file: string): void {
  const magic = fdt.length >= 8 ? new DataView(fdt.buffer, fdt.byteOffset, fdt.byteLength).getUint32(0, false) : 0;
  if (magic !== FDT_MAGIC) throw new Arm64ImageError(`${file} (device tree)`, 0, 'fdt_header.magic', `${hex(magic)} is not 0xd00dfeed`);
  if (fdt.length > ARM64_FDT_MAX_SIZE) {
    throw new Arm64ImageError(`${file} (device tree)`, 4, 'fdt_header.totalsize', `${fdt.length} bytes exceed the 2 MiB booting.rst allows`);
  }
}
