/**
 * Builds small fixtures at test time with Debian's toolchain (gcc, ld, readelf, objdump) into a temp dir.
 * Nothing here is committed as a binary; every fixture's recipe is the C source and flags in the test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'nova-image-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs a tool and returns stdout; throws with stderr when it fails. */
export function run(cmd: string, args: readonly string[], cwd?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** Runs a tool, returning exit status and combined stdout+stderr instead of throwing. */
export function runStatus(cmd: string, args: readonly string[]): { status: number; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export interface CBuild {
  /** C source text. */
  source: string;
  /** Compiler driver, default gcc. */
  cc?: string;
  /** Compiler and linker flags (gcc driver syntax, -Wl,... for the linker). */
  flags: readonly string[];
}

/** Compiles and links `source` into `dir/name`; returns the path and the bytes. */
export function buildC(dir: string, name: string, build: CBuild): { path: string; bytes: Uint8Array } {
  const src = join(dir, `${name}.c`);
  const out = join(dir, name);
  writeFileSync(src, build.source);
  run(build.cc ?? 'gcc', ['-ffreestanding', '-nostdlib', '-fno-stack-protector', ...build.flags, '-o', out, src]);
  return { path: out, bytes: new Uint8Array(readFileSync(out)) };
}
