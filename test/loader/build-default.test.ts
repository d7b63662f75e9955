/** `nova-image build` with no arguments packs the reference kernel and root task into build/nova-x86_64.img. */
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCatalog, verifyCatalog } from '../../loader/catalog.js';
import { novaImage } from '../image/qemu.js';

describe('build with no arguments', () => {
  it('writes the default image from build/kernel/x86_64/{kernel,root}.elf', () => {
    const r = novaImage(['build']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*build\/nova-x86_64\.img \(\d+ bytes\)$/m);
    const out = 'build/nova-x86_64.img';
    expect(statSync(out).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    const bytes = new Uint8Array(readFileSync(out));
    const catalog = readCatalog(bytes, out)!;
    verifyCatalog(bytes, out, catalog);
    expect(catalog.entries.map((e) => [e.typeName, e.name])).toEqual([
      ['kernel', 'kernel.elf'],
      ['root', 'root.elf'],
    ]);
    // the payloads are the very files make built
    const kernel = catalog.entries[0]!;
    expect(Buffer.compare(bytes.subarray(kernel.offset, kernel.offset + kernel.size), readFileSync('build/kernel/x86_64/kernel.elf'))).toBe(0);
  });
});
