/**
 * The loader stub as built by loader/stub/x86_64/Makefile: the protected-mode part (stub.bin), the
 * real-mode setup routine (setup16.bin) and stub-symbols.json (entry offsets and layout constants read from
 * the linked ELF at build time, so the composer never repeats a number from the assembly).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { StubArtifactError } from './errors.js';

export interface StubSymbols {
  entry32_linux: number;
  stub_info: number;
  entry32_mb2: number;
  mb2_header_area: number;
  entry64_linux: number;
  entry64_mb2efi: number;
  efi_main: number;
  _end: number;
  setup16_entry: number;
  setup16_end: number;
  SETUP16_OFFSET: number;
  STUB_LOAD_ADDR: number;
  MB2_HEADER_SPACE: number;
}

export interface StubArtifacts {
  dir: string;
  /** Protected-mode part, padded with zeros to `_end` (its .bss is part of the file). */
  stub: Uint8Array;
  /** Real-mode routine bytes, to be placed at file offset SETUP16_OFFSET. */
  setup16: Uint8Array;
  symbols: StubSymbols;
}

const REQUIRED: readonly (keyof StubSymbols)[] = [
  'entry32_linux', 'stub_info', 'entry32_mb2', 'mb2_header_area', 'entry64_linux', 'entry64_mb2efi',
  'efi_main', '_end', 'setup16_entry', 'setup16_end', 'SETUP16_OFFSET', 'STUB_LOAD_ADDR', 'MB2_HEADER_SPACE',
];

/** The repository's build/ directory (dist/loader/*.js -> ../../build), or $NOVA_IMAGE_BUILD. */
export function buildDirectory(): string {
  return process.env.NOVA_IMAGE_BUILD ?? resolve(fileURLToPath(new URL('../../build', import.meta.url)));
}

export function loadStubArtifacts(arch = 'x86_64', dir = join(buildDirectory(), 'loader', 'stub', arch)): StubArtifacts {
  const files = ['stub.bin', 'setup16.bin', 'stub-symbols.json'];
  for (const f of files) {
    if (!existsSync(join(dir, f))) {
      throw new StubArtifactError(`loader stub not built: ${join(dir, f)} is missing (run \`make -s guests\` in the repository)`);
    }
  }
  const symbols = JSON.parse(readFileSync(join(dir, 'stub-symbols.json'), 'utf8')) as Partial<StubSymbols>;
  for (const k of REQUIRED) {
    if (typeof symbols[k] !== 'number') throw new StubArtifactError(`${join(dir, 'stub-symbols.json')}: symbol ${k} missing`);
  }
  const s = symbols as StubSymbols;
  const raw = new Uint8Array(readFileSync(join(dir, 'stub.bin')));
  if (raw.length > s._end) throw new StubArtifactError(`stub.bin (${raw.length} bytes) is longer than _end (${s._end})`);
  const stub = new Uint8Array(s._end);
  stub.set(raw);
  const setupAll = new Uint8Array(readFileSync(join(dir, 'setup16.bin')));
  if (setupAll.length !== s.setup16_end) throw new StubArtifactError(`setup16.bin (${setupAll.length} bytes) does not end at setup16_end (${s.setup16_end})`);
  return { dir, stub, setup16: setupAll.slice(s.SETUP16_OFFSET), symbols: s };
}
