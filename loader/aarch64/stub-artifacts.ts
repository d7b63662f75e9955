/**
 * The aarch64 loader stub as built by loader/stub/aarch64/Makefile: stub.bin (linked at 0, position
 * independent, data/bss/stack included as zero bytes) and stub-symbols.json (offsets from the stub's first
 * byte, read from the linked ELF at build time, so no number of the assembly is repeated here).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StubArtifactError } from '../errors.js';
import { buildDirectory } from '../stub-artifacts.js';

export interface Aarch64StubSymbols {
  stub_header: number;
  stub_info: number;
  entry_linux: number;
  entry_mb2: number;
  entry_efi: number;
  /** First byte of the writable part (PE section .data). */
  __data_start: number;
  __stub_end: number;
}

export interface Aarch64StubArtifacts {
  dir: string;
  /** The whole stub, `__stub_end` bytes. */
  stub: Uint8Array;
  symbols: Aarch64StubSymbols;
}

const REQUIRED: readonly (keyof Aarch64StubSymbols)[] = ['stub_header', 'stub_info', 'entry_linux', 'entry_mb2', 'entry_efi', '__data_start', '__stub_end'];

export function loadAarch64Stub(dir = join(buildDirectory(), 'loader', 'stub', 'aarch64')): Aarch64StubArtifacts {
  for (const f of ['stub.bin', 'stub-symbols.json']) {
    if (!existsSync(join(dir, f))) {
      throw new StubArtifactError(`aarch64 loader stub not built: ${join(dir, f)} is missing (run \`make -s guests\` in the repository)`);
    }
  }
  const symbols = JSON.parse(readFileSync(join(dir, 'stub-symbols.json'), 'utf8')) as Partial<Aarch64StubSymbols>;
  for (const k of REQUIRED) {
    if (typeof symbols[k] !== 'number') throw new StubArtifactError(`${join(dir, 'stub-symbols.json')}: symbol ${k} missing`);
  }
  const s = symbols as Aarch64StubSymbols;
  if (s.stub_header !== 0) throw new StubArtifactError(`aarch64 stub: stub_header at ${s.stub_header}, expected the first byte`);
  const raw = new Uint8Array(readFileSync(join(dir, 'stub.bin')));
  if (raw.length > s.__stub_end) throw new StubArtifactError(`stub.bin (${raw.length} bytes) is longer than __stub_end (${s.__stub_end})`);
  const stub = new Uint8Array(s.__stub_end);
  stub.set(raw);
  return { dir, stub, symbols: s };
}
