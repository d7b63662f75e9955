import { describe, expect, it } from 'vitest';
import { defineStruct, viewOf } from '../../common/struct.js';
import { FormatError } from '../../common/errors.js';

const Demo = defineStruct('demo', 24, {
  magic: [0x00, ['ascii', 4]],
  flags: [0x04, 'u16'],
  size: [0x08, 'u32'],
  entry: [0x10, 'u64'],
});

describe('defineStruct', () => {
  it('round-trips every field type, 64-bit values exact', () => {
    const bytes = Demo.encode({ magic: 'NOVA', flags: 0x8001, size: 0xdeadbeef, entry: 0xffffffff80001000n });
    expect(Buffer.from(bytes).toString('hex')).toBe(
      '4e4f5641' + '0180' + '0000' + 'efbeadde' + '00000000' + '00100080ffffffff',
    );
    const back = Demo.read(viewOf(bytes), 0);
    expect(back).toEqual({ magic: 'NOVA', flags: 0x8001, size: 0xdeadbeef, entry: 0xffffffff80001000n });
  });

  it('names file, offset and field when the buffer is truncated', () => {
    const short = new Uint8Array(20);
    expect(() => Demo.read(viewOf(short), 0, 'k.elf')).toThrowError(FormatError);
    try {
      Demo.read(viewOf(short), 0, 'k.elf');
    } catch (e) {
      const err = e as FormatError;
      expect(err.file).toBe('k.elf');
      expect(err.offset).toBe(0x10);
      expect(err.field).toBe('demo.entry');
    }
  });

  it('rejects a table whose field overflows the declared size', () => {
    expect(() => defineStruct('bad', 4, { x: [2, 'u32'] })).toThrow(/overflows/);
  });
});
