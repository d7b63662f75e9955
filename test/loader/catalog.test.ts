/**
 * The payload catalog codec: golden bytes (every line commented with its offset), round trip through the
 * stub-info lookup, and the typed errors for damaged catalogs.
 */
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../loader/errors.js';
import { PayloadType, encodeCatalog, readCatalog, readCatalogAt, sha256, verifyCatalog } from '../../loader/catalog.js';
import { StubInfo } from '../../loader/stub-info.js';
import { viewOf } from '../../common/struct.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('payload catalog', () => {
  const kernel = new Uint8Array(Buffer.from('\x7fELF-kernel'));
  const cmd = new Uint8Array(Buffer.from('console=ttyS0'));

  it('encodes the version-1 layout', () => {
    const bytes = encodeCatalog(
      [
        { type: PayloadType.KERNEL, name: 'kernel.elf', data: kernel },
        { type: PayloadType.CMDLINE, name: 'cmdline', data: cmd },
      ],
      [0x3000, 0x4000],
    );
    expect(bytes.length).toBe(32 + 2 * 96);
    // header
    expect(hex(bytes.subarray(0x00, 0x08))).toBe(hex(Buffer.from('NOVA-CAT'))); // 0000: magic
    expect(hex(bytes.subarray(0x08, 0x10))).toBe('0100' + '2000' + '6000' + '0200'); // 0008: version 1, header 32, entry 96, count 2
    expect(hex(bytes.subarray(0x10, 0x20))).toBe('00'.repeat(16)); // 0010: flags, reserved
    // entry 0
    expect(hex(bytes.subarray(0x20, 0x28))).toBe('01000000' + '00000000'); // 0020: type 1 (kernel), flags 0
    expect(hex(bytes.subarray(0x28, 0x30))).toBe('0030000000000000'); // 0028: offset 0x3000
    expect(hex(bytes.subarray(0x30, 0x38))).toBe('0b00000000000000'); // 0030: size 11
    expect(Buffer.from(bytes.subarray(0x38, 0x60)).toString('latin1')).toBe('kernel.elf'.padEnd(40, '\0')); // 0038: name
    expect(hex(bytes.subarray(0x60, 0x80))).toBe(hex(sha256(kernel))); // 0060: sha256
    // entry 1
    expect(hex(bytes.subarray(0x80, 0x88))).toBe('04000000' + '00000000'); // 0080: type 4 (cmdline)
    expect(hex(bytes.subarray(0x88, 0x90))).toBe('0040000000000000'); // 0088: offset 0x4000
  });

  function monoImageLike(): Uint8Array {
    // stub part at 0x1000 with its info block at +0x10, catalog at 0x2000, payloads at 0x3000 / 0x4000
    const file = new Uint8Array(0x5000);
    const cat = encodeCatalog(
      [
        { type: PayloadType.KERNEL, name: 'k', data: kernel },
        { type: PayloadType.CMDLINE, name: 'cmdline', data: cmd },
      ],
      [0x3000, 0x4000],
    );
    file.set(cat, 0x2000);
    file.set(kernel, 0x3000);
    file.set(cmd, 0x4000);
    StubInfo.write(viewOf(file), 0x1010, { magic: 'NOVASTUB', version: 1, pm_file_offset: 0x1000, catalog_offset: 0x2000, catalog_size: cat.length, file_size: file.length });
    return file;
  }

  it('is found through the stub info block and verifies', () => {
    const file = monoImageLike();
    const c = readCatalog(file, 'x.img')!;
    expect(c.offset).toBe(0x2000);
    expect(c.entries.map((e) => [e.typeName, e.name, e.offset, e.size])).toEqual([
      ['kernel', 'k', 0x3000, kernel.length],
      ['cmdline', 'cmdline', 0x4000, cmd.length],
    ]);
    expect(() => verifyCatalog(file, 'x.img', c)).not.toThrow();
  });

  it('returns undefined for a file that is not a mono-image', () => {
    expect(readCatalog(new Uint8Array(0x3000), 'plain.bin')).toBeUndefined();
  });

  it('names the entry whose hash does not match', () => {
    const file = monoImageLike();
    file[0x4000] ^= 1; // 0x20c0 = catalog 0x2000 + header 0x20 + entry 0x60 + sha256 field 0x40
    const c = readCatalog(file, 'x.img')!;
    expect(() => verifyCatalog(file, 'x.img', c)).toThrow(CatalogError);
    expect(() => verifyCatalog(file, 'x.img', c)).toThrow(/x\.img: offset 0x20c0: nova_catalog_entry\[1\]\.sha256: payload "cmdline" hashes to/);
  });

  it('refuses a bad magic, an unknown version and an entry past the end of the file', () => {
    const bad = monoImageLike();
    bad[0x2000] = 0x58;
    expect(() => readCatalogAt(bad, 'x.img', 0x2000)).toThrow(/offset 0x2000: nova_catalog_header\.magic/);
    const v2 = monoImageLike();
    viewOf(v2).setUint16(0x2008, 2, true);
    expect(() => readCatalogAt(v2, 'x.img', 0x2000)).toThrow(/offset 0x2008: nova_catalog_header\.version: 2 is not supported/);
    const past = monoImageLike();
    viewOf(past).setBigUint64(0x2000 + 32 + 96 + 8, 0x4ff8n, true);
    expect(() => readCatalogAt(past, 'x.img', 0x2000)).toThrow(/offset 0x2088: nova_catalog_entry\[1\]\.offset: payload 0x4ff8\+0xd extends past/);
    expect(() => readCatalogAt(past.subarray(0, 0x2010), 'x.img', 0x2000)).toThrow(CatalogError);
  });

  it('refuses names that do not fit and unaligned payloads when encoding', () => {
    expect(() => encodeCatalog([{ type: PayloadType.MODULE, name: 'x'.repeat(40), data: kernel }], [0x1000])).toThrow(/at most 39/);
    expect(() => encodeCatalog([{ type: PayloadType.MODULE, name: 'm', data: kernel }], [0x1008])).toThrow(/not 4 KiB aligned/);
  });
});
