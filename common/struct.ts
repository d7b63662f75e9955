/**
 * Declarative binary structures.
 *
 * Every on-disk or in-memory structure of a format (ELF header, PE optional header, setup header, Multiboot2
 * tag, ACPI table, FDT header, ...) is described once as a table of fields with offsets and types. Readers and
 * writers use that table; no codec scatters offsets through its code.
 *
 *   const Hdr = defineStruct('elf64_ehdr', 64, {
 *     e_type:  [0x10, 'u16'],
 *     e_entry: [0x18, 'u64'],
 *   });
 *   const h = Hdr.read(view, 0, 'kernel.elf');   // { e_type: number, e_entry: bigint }
 *   Hdr.write(view, 0, { e_type: 2, e_entry: 0x100000n });
 *
 * 64-bit fields are bigint so higher-half addresses keep every bit. Reads past the end of the buffer throw a
 * FormatError that names the file, the offset and the first field that does not fit.
 */
import { FormatError } from './errors.js';

export type ScalarType = 'u8' | 'u16' | 'u32' | 'u64' | 'i8' | 'i16' | 'i32' | 'i64';
/** ['bytes', n]: raw bytes; ['ascii', n]: NUL-padded text. */
export type ArrayType = readonly ['bytes', number] | readonly ['ascii', number];
export type FieldType = ScalarType | ArrayType;
export type FieldSpec = readonly [offset: number, type: FieldType];
export type FieldTable = Readonly<Record<string, FieldSpec>>;

type ValueOf<T extends FieldType> = T extends 'u64' | 'i64'
  ? bigint
  : T extends ScalarType
    ? number
    : T extends readonly ['bytes', number]
      ? Uint8Array
      : string;

export type StructValue<F extends FieldTable> = { -readonly [K in keyof F]: ValueOf<F[K][1]> };

export type Endian = 'le' | 'be';

export function fieldSize(type: FieldType): number {
  if (typeof type !== 'string') return type[1];
  switch (type) {
    case 'u8':
    case 'i8':
      return 1;
    case 'u16':
    case 'i16':
      return 2;
    case 'u32':
    case 'i32':
      return 4;
    case 'u64':
    case 'i64':
      return 8;
  }
}

export interface Struct<F extends FieldTable> {
  readonly name: string;
  readonly size: number;
  readonly fields: F;
  readonly endian: Endian;
  /** Byte offset of a field inside the structure. */
  offsetOf(field: keyof F & string): number;
  read(view: DataView, base: number, file?: string): StructValue<F>;
  /** Writes the given fields; fields left out are not touched. */
  write(view: DataView, base: number, values: Partial<StructValue<F>>): void;
  /** A zero-filled buffer of `size` bytes with `values` written into it. */
  encode(values: Partial<StructValue<F>>): Uint8Array;
  /** Reads one field only (for hot-ish paths that need a single value). */
  get<K extends keyof F & string>(view: DataView, base: number, field: K, file?: string): ValueOf<F[K][1]>;
}

export function defineStruct<const F extends FieldTable>(
  name: string,
  size: number,
  fields: F,
  endian: Endian = 'le',
): Struct<F> {
  const le = endian === 'le';
  for (const [field, [offset, type]] of Object.entries(fields)) {
    if (offset + fieldSize(type) > size) {
      throw new Error(`struct ${name}: field ${field} at 0x${offset.toString(16)} overflows size ${size}`);
    }
  }

  function check(view: DataView, base: number, field: string, offset: number, type: FieldType, file: string) {
    const end = base + offset + fieldSize(type);
    if (base < 0 || end > view.byteLength) {
      throw new FormatError(file, base + offset, `${name}.${field}`, `truncated: needs ${end} bytes, file has ${view.byteLength}`);
    }
  }

  function readField(view: DataView, at: number, type: FieldType): unknown {
    if (typeof type !== 'string') {
      const bytes = new Uint8Array(view.buffer, view.byteOffset + at, type[1]);
      if (type[0] === 'bytes') return bytes.slice();
      let end = bytes.indexOf(0);
      if (end < 0) end = bytes.length;
      return Buffer.from(bytes.subarray(0, end)).toString('latin1');
    }
    switch (type) {
      case 'u8':
        return view.getUint8(at);
      case 'i8':
        return view.getInt8(at);
      case 'u16':
        return view.getUint16(at, le);
      case 'i16':
        return view.getInt16(at, le);
      case 'u32':
        return view.getUint32(at, le);
      case 'i32':
        return view.getInt32(at, le);
      case 'u64':
        return view.getBigUint64(at, le);
      case 'i64':
        return view.getBigInt64(at, le);
    }
  }

  function writeField(view: DataView, at: number, type: FieldType, value: unknown, field: string): void {
    if (typeof type !== 'string') {
      const dst = new Uint8Array(view.buffer, view.byteOffset + at, type[1]);
      dst.fill(0);
      const src = type[0] === 'bytes' ? (value as Uint8Array) : Buffer.from(value as string, 'latin1');
      if (src.length > type[1]) throw new RangeError(`${name}.${field}: ${src.length} bytes do not fit in ${type[1]}`);
      dst.set(src);
      return;
    }
    switch (type) {
      case 'u8':
        return view.setUint8(at, value as number);
      case 'i8':
        return view.setInt8(at, value as number);
      case 'u16':
        return view.setUint16(at, value as number, le);
      case 'i16':
        return view.setInt16(at, value as number, le);
      case 'u32':
        return view.setUint32(at, value as number, le);
      case 'i32':
        return view.setInt32(at, value as number, le);
      case 'u64':
        return view.setBigUint64(at, BigInt.asUintN(64, value as bigint), le);
      case 'i64':
        return view.setBigInt64(at, value as bigint, le);
    }
  }

  const struct: Struct<F> = {
    name,
    size,
    fields,
    endian,
    offsetOf(field) {
      return fields[field]![0];
    },
    read(view, base, file = '<buffer>') {
      const out: Record<string, unknown> = {};
      for (const [field, [offset, type]] of Object.entries(fields)) {
        check(view, base, field, offset, type, file);
        out[field] = readField(view, base + offset, type);
      }
      return out as StructValue<F>;
    },
    get(view, base, field, file = '<buffer>') {
      const [offset, type] = fields[field]!;
      check(view, base, field, offset, type, file);
      return readField(view, base + offset, type) as ValueOf<F[typeof field][1]>;
    },
    write(view, base, values) {
      for (const [field, value] of Object.entries(values)) {
        const spec = fields[field];
        if (!spec) throw new Error(`struct ${name}: no field ${field}`);
        if (value === undefined) continue;
        const [offset, type] = spec;
        if (base + offset + fieldSize(type) > view.byteLength) {
          throw new RangeError(`struct ${name}.${field}: write past end of buffer`);
        }
        writeField(view, base + offset, type, value, field);
      }
    },
    encode(values) {
      const bytes = new Uint8Array(size);
      struct.write(new DataView(bytes.buffer), 0, values);
      return bytes;
    },
  };
  return struct;
}

/** A DataView over the whole of a Uint8Array (Buffers included). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

export function hex(value: number | bigint, width = 0): string {
  return '0x' + value.toString(16).padStart(width, '0');
}
