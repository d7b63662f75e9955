/**
 * Corrupted input never crashes the parsers: every mutation either parses or throws a FormatError subclass
 * that names file, offset and field. Mutations come from a fixed-seed PRNG, so failures reproduce.
 */
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../common/errors.js';
import { parseFdt } from '../../platform/fdt/parse.js';
import { FdtFormatError } from '../../platform/fdt/errors.js';
import { virtDeviceTree } from '../../platform/fdt/virt.js';
import { virtBoard } from '../../platform/boards/virt/board.js';
import { pcBoard } from '../../platform/boards/pc/board.js';
import { buildPcAcpiTables } from '../../platform/acpi/pc-tables.js';
import { blobMemory, parseAcpi } from '../../platform/acpi/parse.js';
import { AcpiFormatError } from '../../platform/acpi/errors.js';
import { decodeMadt } from '../../platform/acpi/madt.js';
import { decodeDbg2 } from '../../platform/acpi/dbg2.js';
import { decodeFadt } from '../../platform/acpi/fadt.js';
import { decodeSpcr } from '../../platform/acpi/spcr.js';
import { decodeHpet } from '../../platform/acpi/hpet.js';
import { decodeMcfg } from '../../platform/acpi/mcfg.js';
import { Xorshift32 } from '../common/rng.js';

/** Numbers in [0, 1) from a fixed seed. */
function prng(seed: number): () => number {
  const r = new Xorshift32(seed);
  return () => r.unit();
}

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const b = src.slice();
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * b.length);
    b[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : b[at]! ^ (1 << Math.floor(rnd() * 8));
  }
  return rnd() < 0.1 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
}

describe('parsers survive corrupted input', () => {
  it('parseFdt: 3000 mutated virt trees parse or throw FdtFormatError', () => {
    const good = virtDeviceTree(virtBoard({ gic: 3 }), { bootargs: 'console=ttyAMA0' });
    const rnd = prng(0x5eed);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      try {
        parseFdt(mutate(good, rnd), 'fuzz.dtb');
      } catch (e) {
        if (!(e instanceof FdtFormatError)) throw new Error(`iteration ${i}: ${String(e)}`);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });

  it('parseAcpi and the table decoders: 3000 mutated table sets parse or throw a FormatError', () => {
    const img = buildPcAcpiTables(pcBoard());
    const rnd = prng(0xac91);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = mutate(img.bytes, rnd);
      try {
        const t = parseAcpi(blobMemory(img.base, bytes, 'fuzz-acpi'), img.rsdpAddress, 'fuzz-acpi');
        const madt = t.get('APIC');
        if (madt) decodeMadt(madt.bytes, 'fuzz-acpi', madt.address);
        const dbg2 = t.get('DBG2');
        if (dbg2) decodeDbg2(dbg2.bytes, 'fuzz-acpi', dbg2.address);
      } catch (e) {
        if (!(e instanceof FormatError)) throw new Error(`iteration ${i}: ${String(e)}`);
        if (e instanceof AcpiFormatError) rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });

  it('table decoders on mutated bodies (checksums not fixed up): decode or throw a FormatError', () => {
    const img = buildPcAcpiTables(pcBoard({ cpus: 2 }));
    const table = (s: string) => img.tables.find((t) => t.signature === s)!.bytes;
    const decoders: [string, (b: Uint8Array) => unknown][] = [
      ['APIC', (b) => decodeMadt(b, 'fuzz', 0)],
      ['DBG2', (b) => decodeDbg2(b, 'fuzz', 0)],
      ['FACP', (b) => decodeFadt(b, 'fuzz')],
      ['SPCR', (b) => decodeSpcr(b, 'fuzz')],
      ['HPET', (b) => decodeHpet(b, 'fuzz')],
      ['MCFG', (b) => decodeMcfg(b, 'fuzz')],
    ];
    const rnd = prng(0xdec0);
    for (const [sig, decode] of decoders) {
      for (let i = 0; i < 500; i++) {
        try {
          decode(mutate(table(sig), rnd));
        } catch (e) {
          if (!(e instanceof FormatError)) throw new Error(`${sig} iteration ${i}: ${String(e)}`);
        }
      }
    }
  });
});
