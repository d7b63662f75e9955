/**
 * Inputs of the aarch64 mono-image, validated before anything is written: an AArch64 ELF kernel with a
 * Multiboot2 header (NOVA's aarch64 build or the reference kernel), a root task that obeys NOVA's root
 * rules and is AArch64 code, opaque modules, a command line. Refusals are FormatError subclasses naming
 * file, offset and rule; the payload order is the boot order (kernel, root, modules, command line).
 */
import { hex } from '../../common/struct.js';
import { EM_AARCH64, PT_LOAD, readElf, type ElfFile } from '../../boot/elf/index.js';
import { findMultiboot2Header, type Multiboot2Header } from '../../boot/multiboot2/header.js';
import type { CatalogPayload } from '../catalog.js';
import { PayloadError } from '../errors.js';
import { assemblePayloads, readInput, validateRoot, type ModuleSpec } from '../inputs.js';

const FOUR_GIB = 0x1_0000_0000n;
/** e_machine lies at this offset in every ELF header. */
const E_MACHINE_OFFSET = 0x12;

export interface Aarch64Inputs {
  kernelPath: string;
  rootPath: string;
  modules: readonly ModuleSpec[];
  cmdline: string;
}

export interface ValidatedAarch64Kernel {
  elf: ElfFile;
  mb2: Multiboot2Header;
}

export function validateAarch64Kernel(bytes: Uint8Array, file: string): ValidatedAarch64Kernel {
  const elf = readElf(bytes, file);
  if (elf.header.machine !== EM_AARCH64 || elf.header.class !== 64) {
    throw new PayloadError(file, E_MACHINE_OFFSET, 'e_machine', `is ${elf.header.machine} (ELF${elf.header.class}); the aarch64 image needs an ELF64 AArch64 kernel (${EM_AARCH64})`);
  }
  const mb2 = findMultiboot2Header(bytes, file);
  if (!mb2) {
    throw new PayloadError(file, 0, 'multiboot2_header', 'kernel has no Multiboot2 header (magic 0xe85250d6, 8-byte aligned, valid checksum) in its first 32 KiB');
  }
  const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD && p.memsz > 0n);
  if (loads.length === 0) throw new PayloadError(file, Number(elf.header.phoff), 'program headers', 'kernel has no PT_LOAD segment to load');
  for (const p of loads) {
    if (p.paddr + p.memsz > FOUR_GIB) {
      throw new PayloadError(file, p.headerOffset, `PT_LOAD[${p.index}].p_paddr`, `segment ${hex(p.paddr)}+${hex(p.memsz)} ends above 4 GiB; Multiboot2 kernels load below 4 GiB`);
    }
    if (p.offset + p.filesz > BigInt(bytes.length)) {
      throw new PayloadError(file, p.headerOffset, `PT_LOAD[${p.index}].p_filesz`, `segment data ${hex(p.offset)}+${hex(p.filesz)} runs past the end of the file (${hex(bytes.length)})`);
    }
  }
  const entryIn = loads.some((p) => elf.header.entry >= p.vaddr && elf.header.entry < p.vaddr + p.memsz);
  if (!entryIn) throw new PayloadError(file, 0x18, 'e_entry', `${hex(elf.header.entry)} lies in no PT_LOAD segment`);
  return { elf, mb2 };
}

export function validateAarch64Root(bytes: Uint8Array, file: string): ElfFile {
  const elf = validateRoot(bytes, file);
  if (elf.header.machine !== EM_AARCH64 || elf.header.class !== 64) {
    throw new PayloadError(file, E_MACHINE_OFFSET, 'e_machine', `is ${elf.header.machine} (ELF${elf.header.class}); the root task runs at EL0 and must be ELF64 AArch64 (${EM_AARCH64})`);
  }
  return elf;
}

export function loadAarch64Inputs(inputs: Aarch64Inputs): { payloads: CatalogPayload[]; kernel: ValidatedAarch64Kernel } {
  const kernelBytes = readInput(inputs.kernelPath, 'kernel');
  const kernel = validateAarch64Kernel(kernelBytes, inputs.kernelPath);
  const rootBytes = readInput(inputs.rootPath, 'root task');
  validateAarch64Root(rootBytes, inputs.rootPath);
  const payloads = assemblePayloads(inputs, kernelBytes, rootBytes, ['fdt']);
  return { payloads, kernel };
}
