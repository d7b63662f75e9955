/**
 * `nova-image build --arch aarch64`: inputs -> validation -> aarch64 mono-image -> file written atomically.
 * With no kernel and root given, packs the reference kernel and root task from build/kernel/aarch64/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../../common/errors.js';
import { acpiOverridePayloads, loadAcpiOverrides } from '../acpi-overrides.js';
import type { CatalogPayload } from '../catalog.js';
import type { ModuleSpec } from '../inputs.js';
import { buildDirectory } from '../stub-artifacts.js';
import { writeFileAtomic } from '../write-atomic.js';
import { loadAarch64Inputs } from './inputs.js';
import { composeAarch64Image, type Aarch64ImageLayout, type Aarch64Launch } from './mono-image.js';
import { loadAarch64Stub } from './stub-artifacts.js';

export interface Aarch64BuildOptions {
  kernel?: string;
  root?: string;
  modules?: readonly ModuleSpec[];
  cmdline?: string;
  output?: string;
  launch?: Aarch64Launch;
  /** Compiled ACPI tables the stub installs on the UEFI path (catalog type 5). */
  acpiTables?: readonly string[];
}

export interface Aarch64BuildResult {
  output: string;
  layout: Aarch64ImageLayout;
  payloads: CatalogPayload[];
}

export function defaultAarch64Paths(): { kernel: string; root: string; output: string } {
  const build = buildDirectory();
  return {
    kernel: join(build, 'kernel', 'aarch64', 'kernel.elf'),
    root: join(build, 'kernel', 'aarch64', 'root.elf'),
    output: join(build, 'nova-aarch64.img'),
  };
}

export function buildAarch64Image(options: Aarch64BuildOptions): Aarch64BuildResult {
  const defaults = defaultAarch64Paths();
  if ((options.kernel === undefined) !== (options.root === undefined)) {
    throw new UsageError('give both --kernel and --root, or neither (then the aarch64 reference kernel and root task are used)');
  }
  const kernel = options.kernel ?? defaults.kernel;
  const root = options.root ?? defaults.root;
  if (options.kernel === undefined && (!existsSync(kernel) || !existsSync(root))) {
    throw new UsageError(`the aarch64 reference kernel is not built (${kernel}, ${root}): run \`make -s guests\``);
  }
  if (options.launch !== undefined && options.launch !== 'multiboot2' && options.launch !== 'legacy') {
    throw new UsageError(`--launch ${JSON.stringify(options.launch)}: expected multiboot2 or legacy`);
  }
  const output = options.output ?? defaults.output;
  const { payloads } = loadAarch64Inputs({ kernelPath: kernel, rootPath: root, modules: options.modules ?? [], cmdline: options.cmdline ?? '' });
  payloads.push(...acpiOverridePayloads(loadAcpiOverrides(options.acpiTables ?? [])));
  const stub = loadAarch64Stub();
  const { image, layout } = composeAarch64Image(payloads, stub, { launch: options.launch });
  mkdirSync(dirname(output), { recursive: true });
  writeFileAtomic(output, image);
  return { output, layout, payloads };
}
