/**
 * Reads and validates what goes into a mono-image, before anything is written: the kernel must be an ELF
 * with a Multiboot2 header the stub can honour, the root task must follow NOVA's root-task rules, modules
 * are opaque bytes. Every refusal is a FormatError subclass naming file, offset and rule.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../common/errors.js';
import { hex } from '../common/struct.js';
import { checkRootTask, readElf, PT_LOAD, type ElfFile } from '../boot/elf/index.js';
import { ARCH_I386, findMultiboot2Header, type Multiboot2Header } from '../boot/multiboot2/header.js';
import { CATALOG_NAME_LENGTH, PayloadType, type CatalogPayload } from './catalog.js';
import { PayloadError } from './errors.js';

const EM_386 = 3;
const EM_X86_64 = 62;
const FOUR_GIB = 0x1_0000_0000n;

export interface ModuleSpec {
  path: string;
  /** Module string passed in Multiboot2 tag 3; defaults to the file's base name. */
  name?: string;
}

export interface MonoImageInputs {
  kernelPath: string;
  rootPath: string;
  modules: readonly ModuleSpec[];
  cmdline: string;
}

export interface ValidatedKernel {
  elf: ElfFile;
  mb2: Multiboot2Header;
}

export function readInput(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot read ${what} ${path}: ${code}`);
  }
}

export function validateKernel(bytes: Uint8Array, file: string): ValidatedKernel {
  const elf = readElf(bytes, file);
  const mb2 = findMultiboot2Header(bytes, file);
  if (!mb2) {
    throw new PayloadError(file, 0, 'multiboot2_header', 'kernel has no Multiboot2 header (magic 0xe85250d6, 8-byte aligned, valid checksum) in its first 32 KiB');
  }
  if (mb2.architecture !== ARCH_I386) {
    throw new PayloadError(file, mb2.offset + 4, 'multiboot2_header.architecture', `is ${mb2.architecture}; the x86_64 loader stub enters kernels in the i386 state (architecture 0)`);
  }
  if (elf.header.machine !== EM_386 && elf.header.machine !== EM_X86_64) {
    throw new PayloadError(file, 0x12, 'e_machine', `is ${elf.header.machine}; an x86 kernel (EM_386 or EM_X86_64) is needed`);
  }
  const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD && p.memsz > 0n);
  if (loads.length === 0) throw new PayloadError(file, Number(elf.header.phoff), 'program headers', 'kernel has no PT_LOAD segment to load');
  for (const p of loads) {
    if (p.paddr + p.memsz > FOUR_GIB) {
      throw new PayloadError(file, p.headerOffset, `PT_LOAD[${p.index}].p_paddr`, `segment ${hex(p.paddr)}+${hex(p.memsz)} ends above 4 GiB; Multiboot2 kernels load below 4 GiB`);
    }
  }
  return { elf, mb2 };
}

export function validateRoot(bytes: Uint8Array, file: string): ElfFile {
  const elf = readElf(bytes, file);
  checkRootTask(elf);
  return elf;
}

/** Reads every input, validates it and returns the catalog payloads in boot order. */
export function loadInputs(inputs: MonoImageInputs): { payloads: CatalogPayload[]; kernel: ValidatedKernel } {
  const kernelBytes = readInput(inputs.kernelPath, 'kernel');
  const kernel = validateKernel(kernelBytes, inputs.kernelPath);
  const rootBytes = readInput(inputs.rootPath, 'root task');
  validateRoot(rootBytes, inputs.rootPath);
  return { payloads: assemblePayloads(inputs, kernelBytes, rootBytes), kernel };
}

/**
 * The catalog payloads in boot order (kernel, root task, modules, command line) from inputs already
 * validated by the architecture's checks. Shared by every architecture's mono-image.
 */
export function assemblePayloads(
  inputs: MonoImageInputs,
  kernelBytes: Uint8Array,
  rootBytes: Uint8Array,
  reservedModuleNames: readonly string[] = [],
): CatalogPayload[] {
  const payloads: CatalogPayload[] = [
    { type: PayloadType.KERNEL, name: catalogName(basename(inputs.kernelPath)), data: kernelBytes },
    { type: PayloadType.ROOT, name: catalogName(basename(inputs.rootPath)), data: rootBytes },
  ];
  for (const m of inputs.modules) {
    const name = m.name ?? basename(m.path);
    if (name.length > CATALOG_NAME_LENGTH - 1 || !/^[\x20-\x7e]*$/.test(name)) {
      throw new UsageError(`module name ${JSON.stringify(name)}: printable ASCII, at most ${CATALOG_NAME_LENGTH - 1} characters`);
    }
    if (reservedModuleNames.includes(name)) {
      throw new UsageError(`module name ${JSON.stringify(name)} is reserved: the loader stub passes a module of its own under it`);
    }
    payloads.push({ type: PayloadType.MODULE, name, data: readInput(m.path, 'module') });
  }
  if (inputs.cmdline.length > 0) {
    if (!/^[\x20-\x7e]*$/.test(inputs.cmdline) || inputs.cmdline.length > 2048) {
      throw new UsageError('command line: printable ASCII, at most 2048 characters');
    }
    payloads.push({ type: PayloadType.CMDLINE, name: 'cmdline', data: new Uint8Array(Buffer.from(inputs.cmdline, 'latin1')) });
  }
  return payloads;
}

/** File names become catalog names; long ones keep their end (the distinctive part). */
export function catalogName(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, '_');
  return printable.length > CATALOG_NAME_LENGTH - 1 ? printable.slice(-(CATALOG_NAME_LENGTH - 1)) : printable;
}
