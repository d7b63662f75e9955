/**
 * Device paths (UEFI 2.10, chapter 10): the few node kinds the firmware publishes. Each node is a 4-byte
 * header (type, sub-type, length) and a body; a path ends with the End Entire node (0x7f, 0xff, 4).
 */
import { viewOf } from '../../../common/struct.js';
import { ucs2Bytes } from './context.js';
import { DevicePathNode } from './tables.js';

export const HARDWARE_DEVICE_PATH = 0x01;
export const ACPI_DEVICE_PATH = 0x02;
export const MEDIA_DEVICE_PATH = 0x04;
export const END_DEVICE_PATH = 0x7f;
export const HW_PCI_DP = 0x01;
export const HW_VENDOR_DP = 0x04;
export const ACPI_DP = 0x01;
export const MEDIA_FILEPATH_DP = 0x04;
export const END_ENTIRE_DEVICE_PATH_SUBTYPE = 0xff;

/** EISA ID of a PNP device as ACPI_HID_DEVICE_PATH stores it: EISA_PNP_ID(0x0a03) = 0x0a0341d0. */
export function eisaPnpId(id: number): number {
  return ((id << 16) | 0x41d0) >>> 0;
}

export type DevicePathNodeSpec =
  | { kind: 'acpi'; hid: number; uid: number }
  | { kind: 'pci'; device: number; function: number }
  | { kind: 'file'; path: string };

function node(type: number, subType: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(DevicePathNode.size + body.length);
  DevicePathNode.write(viewOf(out), 0, { Type: type, SubType: subType, Length: out.length });
  out.set(body, DevicePathNode.size);
  return out;
}

export function encodeDevicePath(nodes: readonly DevicePathNodeSpec[]): Uint8Array {
  const parts = nodes.map((n) => {
    if (n.kind === 'acpi') {
      const body = new Uint8Array(8);
      viewOf(body).setUint32(0, n.hid, true);
      viewOf(body).setUint32(4, n.uid, true);
      return node(ACPI_DEVICE_PATH, ACPI_DP, body);
    }
    if (n.kind === 'pci') return node(HARDWARE_DEVICE_PATH, HW_PCI_DP, new Uint8Array([n.function, n.device]));
    return node(MEDIA_DEVICE_PATH, MEDIA_FILEPATH_DP, ucs2Bytes(n.path));
  });
  parts.push(node(END_DEVICE_PATH, END_ENTIRE_DEVICE_PATH_SUBTYPE, new Uint8Array(0)));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A device path longer than this is taken as malformed (no End node in reach). */
const MAX_DEVICE_PATH = 0x10000;

/**
 * The length in bytes of the device path at `address` in guest memory, without its End Entire node; undefined
 * when a node is shorter than its header or no End node comes within MAX_DEVICE_PATH bytes.
 */
export function devicePathLength(mem: { read8(address: number): number }, address: number): number | undefined {
  let at = 0;
  while (at < MAX_DEVICE_PATH) {
    const type = mem.read8(address + at);
    const subType = mem.read8(address + at + 1);
    const length = mem.read8(address + at + 2) | (mem.read8(address + at + 3) << 8);
    if (length < DevicePathNode.size) return undefined;
    if (type === END_DEVICE_PATH && subType === END_ENTIRE_DEVICE_PATH_SUBTYPE) return at;
    at += length;
  }
  return undefined;
}

/** Whether `offset` starts a node of the path `bytes` (a prefix match must end between nodes). */
export function isNodeBoundary(bytes: Uint8Array, offset: number): boolean {
  let at = 0;
  while (at < offset) at += bytes[at + 2]! | (bytes[at + 3]! << 8);
  return at === offset;
}
