/**
 * `nova-image build`: inputs -> validation -> mono-image -> file written atomically. With no kernel and
 * root given, packs the reference kernel and root task from build/kernel/x86_64/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../common/errors.js';
import { acpiOverridePayloads, loadAcpiOverrides } from './acpi-overrides.js';
import { loadInputs, type ModuleSpec } from './inputs.js';
import { composeX86_64, type MonoImageLayout } from './mono-image-x86_64.js';
import { buildDirectory, loadStubArtifacts } from './stub-artifacts.js';
import { writeFileAtomic } from './write-atomic.js';
import type { CatalogPayload } from './catalog.js';

export interface BuildOptions {
  kernel?: string;
  root?: string;
  modules?: readonly ModuleSpec[];
  cmdline?: string;
  output?: string;
  /** Compiled ACPI tables the loader stub puts in front of the firmware's (catalog type 5). */
  acpiTables?: readonly string[];
}

export interface BuildResult {
  output: string;
  layout: MonoImageLayout;
  payloads: CatalogPayload[];
}

export function defaultKernelPaths(): { kernel: string; root: string; output: string } {
  const build = buildDirectory();
  return {
    kernel: join(build, 'kernel', 'x86_64', 'kernel.elf'),
    root: join(build, 'kernel', 'x86_64', 'root.elf'),
    output: join(build, 'nova-x86_64.img'),
  };
}

/** Parses `FILE[,name=NAME]` of --module. */
export function parseModuleSpec(spec: string): ModuleSpec {
  const comma = spec.indexOf(',');
  if (comma < 0) return { path: spec };
  const path = spec.slice(0, comma);
  const rest = spec.slice(comma + 1);
  if (!rest.startsWith('name=') || path === '') throw new UsageError(`--module ${JSON.stringify(spec)}: expected FILE or FILE,name=NAME`);
  return { path, name: rest.slice('name='.length) };
}

export function buildMonoImage(options: BuildOptions): BuildResult {
  const defaults = defaultKernelPaths();
  if ((options.kernel === undefined) !== (options.root === undefined)) {
    throw new UsageError('give both --kernel and --root, or neither (then the reference kernel and root task are used)');
  }
  const kernel = options.kernel ?? defaults.kernel;
  const root = options.root ?? defaults.root;
  if (options.kernel === undefined && (!existsSync(kernel) || !existsSync(root))) {
    throw new UsageError(`the reference kernel is not built (${kernel}, ${root}): run \`make -s guests\``);
  }
  const output = options.output ?? defaults.output;
  const { payloads } = loadInputs({ kernelPath: kernel, rootPath: root, modules: options.modules ?? [], cmdline: options.cmdline ?? '' });
  payloads.push(...acpiOverridePayloads(loadAcpiOverrides(options.acpiTables ?? [])));
  const stub = loadStubArtifacts('x86_64');
  const { image, layout } = composeX86_64(payloads, stub);
  mkdirSync(dirname(output), { recursive: true });
  writeFileAtomic(output, image);
  return { output, layout, payloads };
}
