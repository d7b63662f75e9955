/**
 * GUIDs the firmware publishes, in the specification's text form; `guidBytes` gives the EFI_GUID memory
 * layout (Data1 u32, Data2 u16, Data3 u16 little endian, then Data4's 8 bytes as written).
 */
export const LOADED_IMAGE_PROTOCOL = '5b1b31a1-9562-11d2-8e3f-00a0c969723b';
export const LOADED_IMAGE_DEVICE_PATH_PROTOCOL = 'bc62157e-3e33-4fec-9920-2d3b36d750df';
export const DEVICE_PATH_PROTOCOL = '09576e91-6d3f-11d2-8e39-00a0c969723b';
export const SIMPLE_TEXT_INPUT_PROTOCOL = '387477c1-69c7-11d2-8e39-00a0c969723b';
export const SIMPLE_TEXT_OUTPUT_PROTOCOL = '387477c2-69c7-11d2-8e39-00a0c969723b';
export const GRAPHICS_OUTPUT_PROTOCOL = '9042a9de-23dc-4a38-96fb-7aded080516a';
export const ACPI_20_TABLE = '8868e871-e4f1-11d3-bc22-0080c73c8881';
export const ACPI_10_TABLE = 'eb9d2d30-2d88-11d3-9a16-0090273fc14d';
export const SMBIOS3_TABLE = 'f2fd1544-9794-4a2c-992e-e5bbcf20e394';
/** EFI_DTB_TABLE_GUID: the flattened devicetree blob (UEFI 2.10, 4.6.1.3). */
export const DTB_TABLE = 'b1b621d5-f19c-41a5-830b-d9152c69aae0';
export const GLOBAL_VARIABLE = '8be4df61-93ca-11d2-aa0d-00e098032b8c';

const GUID_RE = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;

export function guidBytes(guid: string): Uint8Array {
  const m = GUID_RE.exec(guid.toLowerCase());
  if (!m) throw new RangeError(`not a GUID: ${guid}`);
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setUint32(0, parseInt(m[1]!, 16), true);
  v.setUint16(4, parseInt(m[2]!, 16), true);
  v.setUint16(6, parseInt(m[3]!, 16), true);
  const tail = m[4]! + m[5]!;
  for (let i = 0; i < 8; i++) out[8 + i] = parseInt(tail.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function guidString(bytes: Uint8Array): string {
  const v = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
  const tail = Array.from(bytes.subarray(8, 16), (b) => h(b, 2)).join('');
  return `${h(v.getUint32(0, true), 8)}-${h(v.getUint16(4, true), 4)}-${h(v.getUint16(6, true), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}
