/**
 * A minimal valid SMBIOS 3.0 table set (DMTF DSP0134 3.0): the 64-bit entry point "_SM3_" and the
 * structures every consumer expects: type 0 (BIOS information), type 1 (system information), type 127
 * (end of table). Each structure is its formatted area followed by its strings and a double NUL.
 * The UEFI firmware installs it as the SMBIOS3 configuration table; the Linux boot-protocol path puts it in
 * the BIOS area, where a kernel finds SeaBIOS's by the 16-byte anchor scan of 0xf0000..0xfffff.
 */
import { defineStruct, viewOf } from '../../common/struct.js';

export const SMBIOS3_ANCHOR = '_SM3_';

export const Smbios3EntryPoint = defineStruct('SMBIOS_TABLE_3_0_ENTRY_POINT', 24, {
  AnchorString: [0x00, ['ascii', 5]],
  EntryPointStructureChecksum: [0x05, 'u8'],
  EntryPointLength: [0x06, 'u8'],
  MajorVersion: [0x07, 'u8'],
  MinorVersion: [0x08, 'u8'],
  DocRev: [0x09, 'u8'],
  EntryPointRevision: [0x0a, 'u8'],
  Reserved: [0x0b, 'u8'],
  TableMaximumSize: [0x0c, 'u32'],
  TableAddress: [0x10, 'u64'],
});

export const SmbiosHeader = defineStruct('SMBIOS_STRUCTURE', 4, {
  Type: [0x00, 'u8'],
  Length: [0x01, 'u8'],
  Handle: [0x02, 'u16'],
});

/** Type 0 as SMBIOS 3.0 defines it (length 0x18; 3.1 added the extended ROM size at 0x18). */
export const SmbiosType0 = defineStruct('SMBIOS_TABLE_TYPE0', 0x18, {
  ...SmbiosHeader.fields,
  Vendor: [0x04, 'u8'],
  BiosVersion: [0x05, 'u8'],
  BiosSegment: [0x06, 'u16'],
  BiosReleaseDate: [0x08, 'u8'],
  BiosSize: [0x09, 'u8'],
  BiosCharacteristics: [0x0a, 'u64'],
  BiosCharacteristicsExtension1: [0x12, 'u8'],
  BiosCharacteristicsExtension2: [0x13, 'u8'],
  SystemBiosMajorRelease: [0x14, 'u8'],
  SystemBiosMinorRelease: [0x15, 'u8'],
  EmbeddedControllerMajorRelease: [0x16, 'u8'],
  EmbeddedControllerMinorRelease: [0x17, 'u8'],
});

export const SmbiosType1 = defineStruct('SMBIOS_TABLE_TYPE1', 0x1b, {
  ...SmbiosHeader.fields,
  Manufacturer: [0x04, 'u8'],
  ProductName: [0x05, 'u8'],
  Version: [0x06, 'u8'],
  SerialNumber: [0x07, 'u8'],
  Uuid: [0x08, ['bytes', 16]],
  WakeUpType: [0x18, 'u8'],
  SKUNumber: [0x19, 'u8'],
  Family: [0x1a, 'u8'],
});

/** BIOS characteristics bit 3: "BIOS characteristics not supported" (as QEMU/OVMF set it). */
export const BIOS_CHARACTERISTICS_NOT_SUPPORTED = 1n << 3n;
/** Extension byte 2 bit 3: UEFI is supported; bit 4: the system is a virtual machine. */
export const BIOS_EXT2_UEFI = 1 << 3;
export const BIOS_EXT2_VIRTUAL_MACHINE = 1 << 4;
export const WAKEUP_POWER_SWITCH = 6;

export interface SmbiosIdentity {
  biosVendor: string;
  biosVersion: string;
  biosDate: string;
  manufacturer: string;
  product: string;
  version: string;
  serial: string;
  uuid: Uint8Array;
  family: string;
}

function withStrings(formatted: Uint8Array, strings: readonly string[]): Uint8Array {
  const tail = strings.length ? Buffer.from(strings.map((s) => s + '\0').join('') + '\0', 'latin1') : Buffer.from([0, 0]);
  const out = new Uint8Array(formatted.length + tail.length);
  out.set(formatted);
  out.set(tail, formatted.length);
  return out;
}

/** The board's identity unless a caller names another (the UEFI firmware's default too). */
export const DEFAULT_SMBIOS_IDENTITY: SmbiosIdentity = {
  biosVendor: 'nova-image',
  biosVersion: '0.1.0',
  biosDate: '01/01/2026',
  manufacturer: 'nova-image',
  product: 'Emulated PC (q35-like)',
  version: '0.1.0',
  serial: '0',
  uuid: new Uint8Array(16),
  family: 'nova-image',
};

/** The structure table (types 0, 1, 127); `uefi`: BIOS characteristics say UEFI is supported. */
export function encodeSmbiosStructures(id: SmbiosIdentity, uefi: boolean): Uint8Array {
  const t0 = withStrings(
    SmbiosType0.encode({
      Type: 0, Length: SmbiosType0.size, Handle: 0x0000,
      Vendor: 1, BiosVersion: 2, BiosSegment: 0xe800, BiosReleaseDate: 3, BiosSize: 0,
      BiosCharacteristics: BIOS_CHARACTERISTICS_NOT_SUPPORTED,
      BiosCharacteristicsExtension1: 0, BiosCharacteristicsExtension2: (uefi ? BIOS_EXT2_UEFI : 0) | BIOS_EXT2_VIRTUAL_MACHINE,
      SystemBiosMajorRelease: 0, SystemBiosMinorRelease: 0,
      EmbeddedControllerMajorRelease: 0xff, EmbeddedControllerMinorRelease: 0xff,
    }),
    [id.biosVendor, id.biosVersion, id.biosDate],
  );
  const t1 = withStrings(
    SmbiosType1.encode({
      Type: 1, Length: SmbiosType1.size, Handle: 0x0100,
      Manufacturer: 1, ProductName: 2, Version: 3, SerialNumber: 4, Uuid: id.uuid,
      WakeUpType: WAKEUP_POWER_SWITCH, SKUNumber: 0, Family: 5,
    }),
    [id.manufacturer, id.product, id.version, id.serial, id.family],
  );
  const t127 = withStrings(SmbiosHeader.encode({ Type: 127, Length: SmbiosHeader.size, Handle: 0x7f00 }), []);
  const out = new Uint8Array(t0.length + t1.length + t127.length);
  out.set(t0);
  out.set(t1, t0.length);
  out.set(t127, t0.length + t1.length);
  return out;
}

/** The 24-byte entry point pointing at `tableAddress`, checksum filled in. */
export function encodeSmbios3EntryPoint(tableAddress: number, tableSize: number): Uint8Array {
  const ep = Smbios3EntryPoint.encode({
    AnchorString: SMBIOS3_ANCHOR, EntryPointLength: Smbios3EntryPoint.size, MajorVersion: 3, MinorVersion: 0, DocRev: 0,
    EntryPointRevision: 1, Reserved: 0, TableMaximumSize: tableSize, TableAddress: BigInt(tableAddress),
  });
  const sum = ep.reduce((s, b) => s + b, 0);
  viewOf(ep).setUint8(Smbios3EntryPoint.offsetOf('EntryPointStructureChecksum'), (0x100 - (sum & 0xff)) & 0xff);
  return ep;
}

/**
 * The legacy placement: the entry point at `at` (16-byte aligned, in the BIOS area the memory map reserves)
 * and the structures right after it.
 */
export function installLegacySmbios(bus: { writeBytes(address: number, bytes: Uint8Array): void }, at: number, id: SmbiosIdentity): void {
  if (at % 16 !== 0) throw new RangeError(`SMBIOS entry point at 0x${at.toString(16)} is not 16-byte aligned`);
  const structures = encodeSmbiosStructures(id, false);
  const tableAt = at + Math.ceil(Smbios3EntryPoint.size / 16) * 16; // structures 16-byte aligned after the entry point
  bus.writeBytes(at, encodeSmbios3EntryPoint(tableAt, structures.length));
  bus.writeBytes(tableAt, structures);
}
