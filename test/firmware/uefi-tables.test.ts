import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { viewOf } from '../../common/struct.js';
import { EfiRuntimeServicesCode, EfiRuntimeServicesData, EfiBootServicesData } from '../../boot/firmware/memory-types.js';
import * as G from '../../boot/uefi/firmware/guids.js';
import { crc32 } from '../../boot/uefi/firmware/crc32.js';
import { Smbios3EntryPoint, SmbiosHeader, SmbiosType0, SmbiosType1 } from '../../boot/firmware/smbios.js';
import {
  BOOT_SERVICE_NAMES,
  BootServices,
  ConfigurationTable,
  GraphicsModeInfo,
  GraphicsOutput,
  GraphicsOutputMode,
  RUNTIME_SERVICE_NAMES,
  RuntimeServices,
  SimpleTextOutput,
  SimpleTextOutputMode,
  SystemTable,
} from '../../boot/uefi/firmware/tables.js';
import { readUcs2 } from '../../boot/uefi/firmware/context.js';
import { Rsdp } from '../../platform/acpi/rsdp.js';
import { FRAMEBUFFER_BASE, uefiRig } from './uefi-setup.js';

const tableCrcOk = (bytes: Uint8Array) => {
  const copy = bytes.slice();
  const stored = viewOf(copy).getUint32(0x10, true);
  viewOf(copy).setUint32(0x10, 0, true);
  return stored === zlibCrc32(copy);
};

describe('UEFI tables in guest memory', () => {
  const rig = uefiRig();
  const { bus, fw } = rig;
  const st = SystemTable.read(viewOf(bus.readBytes(fw.systemTable, SystemTable.size)), 0);

  it('our CRC32 is zlib\'s (UEFI 2.10, 4.2)', () => {
    const data = new Uint8Array(Buffer.from('123456789'));
    expect(crc32(data)).toBe(0xcbf43926); // the standard check value of CRC-32/ISO-HDLC
    expect(crc32(data)).toBe(zlibCrc32(data));
  });

  it('EFI_SYSTEM_TABLE: signature "IBI SYST", revision 2.70, HeaderSize 120, valid CRC32, pointers', () => {
    expect(Buffer.from(bus.readBytes(fw.systemTable, 8)).toString('latin1')).toBe('IBI SYST');
    expect(st.Revision).toBe((2 << 16) | 70);
    expect(st.HeaderSize).toBe(120);
    expect(tableCrcOk(bus.readBytes(fw.systemTable, 120))).toBe(true);
    expect(readUcs2(bus, Number(st.FirmwareVendor))).toBe('nova-image');
    expect(st.BootServices).toBe(BigInt(fw.bootServices));
    expect(st.RuntimeServices).toBe(BigInt(fw.runtimeServices));
    expect(st.ConOut).toBe(BigInt(fw.console.conOut));
    // OVMF's memory types: system table and runtime table in runtime data, boot services table in boot data,
    // the trap page (our "firmware code") in runtime code.
    expect(rig.memory.typeAt(fw.systemTable)).toBe(EfiRuntimeServicesData);
    expect(rig.memory.typeAt(fw.runtimeServices)).toBe(EfiRuntimeServicesData);
    expect(rig.memory.typeAt(fw.bootServices)).toBe(EfiBootServicesData);
    expect(rig.memory.typeAt(fw.traps.base)).toBe(EfiRuntimeServicesCode);
  });

  it('EFI_BOOT_SERVICES: "BOOTSERV", 0x178 bytes, 44 functions in specification order, each a trap', () => {
    const bytes = bus.readBytes(fw.bootServices, BootServices.size);
    expect(BootServices.size).toBe(0x178);
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('BOOTSERV');
    expect(viewOf(bytes).getUint32(12, true)).toBe(0x178);
    expect(tableCrcOk(bytes)).toBe(true);
    // Offsets from the UEFI 2.10 table (EFI_BOOT_SERVICES): a few spot checks of the order.
    expect(BootServices.offsetOf('AllocatePages')).toBe(0x28);
    expect(BootServices.offsetOf('GetMemoryMap')).toBe(0x38);
    expect(BootServices.offsetOf('HandleProtocol')).toBe(0x98);
    expect(BootServices.offsetOf('ExitBootServices')).toBe(0xe8);
    expect(BootServices.offsetOf('OpenProtocol')).toBe(0x118);
    expect(BootServices.offsetOf('LocateProtocol')).toBe(0x140);
    expect(BootServices.offsetOf('CreateEventEx')).toBe(0x170);
    const v = BootServices.read(viewOf(bytes), 0);
    for (const name of BOOT_SERVICE_NAMES) {
      if (name === 'Reserved') expect(v.Reserved).toBe(0n);
      else expect(fw.traps.lookup(Number(v[name]))?.name).toBe(`BS.${name}`);
    }
  });

  it('EFI_RUNTIME_SERVICES: "RUNTSERV", 0x88 bytes, 14 functions', () => {
    const bytes = bus.readBytes(fw.runtimeServices, RuntimeServices.size);
    expect(RuntimeServices.size).toBe(0x88);
    expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('RUNTSERV');
    expect(tableCrcOk(bytes)).toBe(true);
    expect(RuntimeServices.offsetOf('ResetSystem')).toBe(0x68);
    const v = RuntimeServices.read(viewOf(bytes), 0);
    for (const name of RUNTIME_SERVICE_NAMES) expect(fw.traps.lookup(Number(v[name]))?.name).toBe(`RT.${name}`);
  });

  it('configuration tables: ACPI 2.0 and 1.0 point at the board RSDP, SMBIOS 3 at a valid entry point', () => {
    const n = Number(st.NumberOfTableEntries);
    const entries = Array.from({ length: n }, (_, i) => ConfigurationTable.read(viewOf(bus.readBytes(Number(st.ConfigurationTable) + 24 * i, 24)), 0));
    const byGuid = new Map(entries.map((e) => [G.guidString(e.VendorGuid), Number(e.VendorTable)]));
    expect([...byGuid.keys()]).toEqual([G.ACPI_20_TABLE, G.ACPI_10_TABLE, G.SMBIOS3_TABLE]);
    // GUID byte layout (UEFI appendix: Data1..3 little endian): 8868e871-e4f1-11d3-bc22-0080c73c8881
    expect([...entries[0]!.VendorGuid]).toEqual([0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11, 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81]);
    const rsdpAt = byGuid.get(G.ACPI_20_TABLE)!;
    expect(rsdpAt).toBe(rig.acpi.rsdpAddress);
    const rsdp = Rsdp.read(viewOf(bus.readBytes(rsdpAt, 36)), 0);
    expect(rsdp.signature).toBe('RSD PTR ');
    expect(bus.readBytes(rsdpAt, 20).reduce((s, b) => s + b, 0) & 0xff).toBe(0);
    // The tables were copied to where they were laid out.
    expect(Buffer.compare(bus.readBytes(rig.acpi.base, rig.acpi.bytes.length), rig.acpi.bytes)).toBe(0);

    const epAt = byGuid.get(G.SMBIOS3_TABLE)!;
    const epBytes = bus.readBytes(epAt, 24);
    const ep = Smbios3EntryPoint.read(viewOf(epBytes), 0);
    expect(ep.AnchorString).toBe('_SM3_');
    expect(epBytes.reduce((s, b) => s + b, 0) & 0xff).toBe(0); // DSP0134 5.2.2: bytes sum to 0
    expect([ep.EntryPointLength, ep.MajorVersion, ep.MinorVersion, ep.EntryPointRevision]).toEqual([0x18, 3, 0, 1]);
    // Walk the structure table: type 0, 1, 127 with their strings.
    const table = bus.readBytes(Number(ep.TableAddress), ep.TableMaximumSize);
    const types: number[] = [];
    const strings: string[][] = [];
    let at = 0;
    while (at < table.length) {
      const h = SmbiosHeader.read(viewOf(table), at);
      types.push(h.Type);
      let end = at + h.Length;
      const s: string[] = [];
      while (!(table[end] === 0 && table[end + 1] === 0)) {
        const z = table.indexOf(0, end);
        s.push(Buffer.from(table.subarray(end, z)).toString('latin1'));
        end = z + 1;
        if (table[end] === 0) break;
      }
      strings.push(s);
      at = (table[end] === 0 && table[end + 1] === 0 ? end + 2 : end + 1);
      if (h.Type === 127) break;
    }
    expect(at).toBe(ep.TableMaximumSize);
    expect(types).toEqual([0, 1, 127]);
    const t0 = SmbiosType0.read(viewOf(table), 0);
    expect(t0.Length).toBe(0x18);
    expect(strings[0]).toEqual(['nova-image', '0.1.0', '01/01/2026']);
    expect(SmbiosType1.size).toBe(0x1b);
    expect(strings[1]![1]).toBe('Emulated PC (q35-like)');
  });

  it('ConOut: SIMPLE_TEXT_OUTPUT with its mode (80x25, attribute 7); GOP on the ConOut handle with a linear framebuffer', () => {
    const proto = SimpleTextOutput.read(viewOf(bus.readBytes(fw.console.conOut, SimpleTextOutput.size)), 0);
    expect(fw.traps.lookup(Number(proto.OutputString))?.name).toBe('ConOut.OutputString');
    const mode = SimpleTextOutputMode.read(viewOf(bus.readBytes(Number(proto.Mode), SimpleTextOutputMode.size)), 0);
    expect(mode).toMatchObject({ MaxMode: 1, Mode: 0, Attribute: 7, CursorColumn: 0, CursorRow: 0 });
    const gop = GraphicsOutput.read(viewOf(bus.readBytes(fw.gop!, GraphicsOutput.size)), 0);
    const gm = GraphicsOutputMode.read(viewOf(bus.readBytes(Number(gop.Mode), GraphicsOutputMode.size)), 0);
    expect(gm).toMatchObject({ MaxMode: 1, Mode: 0, SizeOfInfo: 36n, FrameBufferBase: BigInt(FRAMEBUFFER_BASE), FrameBufferSize: BigInt(800 * 600 * 4) });
    const info = GraphicsModeInfo.read(viewOf(bus.readBytes(Number(gm.Info), 36)), 0);
    expect(info).toMatchObject({ HorizontalResolution: 800, VerticalResolution: 600, PixelFormat: 1, PixelsPerScanLine: 800 });
  });
});
