import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { viewOf } from '../../common/struct.js';
import { read64 } from '../../boot/firmware/cpu.js';
import { EfiBootServicesData, EfiLoaderData, EfiConventionalMemory, EfiRuntimeServicesData } from '../../boot/firmware/memory-types.js';
import { ucs2Bytes } from '../../boot/uefi/firmware/context.js';
import { eisaPnpId, encodeDevicePath } from '../../boot/uefi/firmware/device-path.js';
import { EVT_TIMER, TimerRelative } from '../../boot/uefi/firmware/events.js';
import * as G from '../../boot/uefi/firmware/guids.js';
import { EFI_BUFFER_TOO_SMALL, EFI_INVALID_PARAMETER, EFI_NOT_FOUND, EFI_NOT_READY, EFI_OUT_OF_RESOURCES, EFI_SUCCESS, EFI_UNSUPPORTED } from '../../boot/uefi/firmware/status.js';
import { BootServices, MemoryDescriptor, SimpleTextOutput, SystemTable, Time } from '../../boot/uefi/firmware/tables.js';
import { EFI_VARIABLE_BOOTSERVICE_ACCESS, EFI_VARIABLE_NON_VOLATILE, EFI_VARIABLE_RUNTIME_ACCESS } from '../../boot/uefi/firmware/variables.js';
import { msCall } from './helpers.js';
import { uefiRig, type UefiRig } from './uefi-setup.js';

const AllocateAnyPages = 0;
const AllocateAddress = 2;

function getMemoryMap(rig: UefiRig) {
  const { bus, scratch } = rig;
  const sizeAt = scratch, keyAt = scratch + 8, descAt = scratch + 16, verAt = scratch + 24, buf = scratch + 0x1000;
  bus.writeBytes(sizeAt, new Uint8Array(8));
  // First call with size 0: EFI_BUFFER_TOO_SMALL and the size needed (the usual two-call pattern).
  expect(rig.bs('GetMemoryMap', sizeAt, buf, keyAt, descAt, verAt).result).toBe(EFI_BUFFER_TOO_SMALL);
  const needed = Number(read64(bus, sizeAt));
  expect(Number(read64(bus, descAt))).toBe(48); // OVMF's DescriptorSize
  bus.writeBytes(sizeAt, new Uint8Array(new BigUint64Array([BigInt(needed + 4 * 48)]).buffer));
  expect(rig.bs('GetMemoryMap', sizeAt, buf, keyAt, descAt, verAt).result).toBe(EFI_SUCCESS);
  const size = Number(read64(bus, sizeAt));
  expect(size).toBe(needed);
  expect(bus.read32(verAt)).toBe(1);
  const bytes = bus.readBytes(buf, size);
  const descriptors = Array.from({ length: size / 48 }, (_, i) => MemoryDescriptor.read(viewOf(bytes), i * 48));
  return { key: Number(read64(bus, keyAt)), descriptors };
}

describe('UEFI boot services', () => {
  it('GetMemoryMap: 48-byte descriptors, sorted, non-overlapping, covering the firmware\'s own allocations', () => {
    const rig = uefiRig();
    const { descriptors, key } = getMemoryMap(rig);
    expect(key).toBe(rig.memory.mapKey);
    for (let i = 1; i < descriptors.length; i++) {
      const prev = descriptors[i - 1]!;
      expect(descriptors[i]!.PhysicalStart).toBeGreaterThanOrEqual(prev.PhysicalStart + prev.NumberOfPages * 4096n);
    }
    const typeAt = (a: number) => descriptors.find((d) => BigInt(a) >= d.PhysicalStart && BigInt(a) < d.PhysicalStart + d.NumberOfPages * 4096n)?.Type;
    expect(typeAt(rig.fw.systemTable)).toBe(EfiRuntimeServicesData);
    expect(typeAt(rig.fw.bootServices)).toBe(EfiBootServicesData);
    expect(typeAt(0x300000)).toBe(EfiConventionalMemory);
    expect(descriptors.every((d) => d.VirtualStart === 0n)).toBe(true);
    // The mapKey pointer may not be NULL-checked by the spec but MemoryMapSize must be given.
    expect(rig.bs('GetMemoryMap', 0, 0, 0, 0, 0).result).toBe(EFI_INVALID_PARAMETER);
  });

  it('stale map key: GetMemoryMap, AllocatePages, ExitBootServices(old key) fails with EFI_INVALID_PARAMETER; a fresh key succeeds', () => {
    const rig = uefiRig();
    const { bus, fw, scratch } = rig;
    const imageHandle = fw.installLoaderImage();
    const { key: oldKey } = getMemoryMap(rig);
    const memPtr = scratch + 0x100;
    expect(rig.bs('AllocatePages', AllocateAnyPages, EfiLoaderData, 4, memPtr).result).toBe(EFI_SUCCESS);
    expect(rig.memory.mapKey).not.toBe(oldKey); // any allocation changes the key
    expect(rig.bs('ExitBootServices', imageHandle, oldKey).result).toBe(EFI_INVALID_PARAMETER);
    // No partial shutdown (EDK2 checks the key first): boot services still work.
    expect(read64(bus, fw.systemTable + SystemTable.offsetOf('BootServices'))).toBe(BigInt(fw.bootServices));
    expect(rig.bs('AllocatePool', EfiLoaderData, 100, memPtr).result).toBe(EFI_SUCCESS);
    const { key: freshKey } = getMemoryMap(rig);
    expect(rig.bs('ExitBootServices', imageHandle, freshKey).result).toBe(EFI_SUCCESS);
    // EDK2's CoreExitBootServices: non-runtime system-table fields cleared, CRC recomputed, gBS zeroed.
    const st = SystemTable.read(viewOf(bus.readBytes(fw.systemTable, SystemTable.size)), 0);
    expect([st.BootServices, st.ConIn, st.ConOut, st.StdErr, st.ConsoleInHandle, st.ConsoleOutHandle, st.StandardErrorHandle]).toEqual([0n, 0n, 0n, 0n, 0n, 0n, 0n]);
    const copy = bus.readBytes(fw.systemTable, SystemTable.size);
    const stored = viewOf(copy).getUint32(0x10, true);
    viewOf(copy).setUint32(0x10, 0, true);
    expect(stored).toBe(zlibCrc32(copy));
    expect(bus.readBytes(fw.bootServices, BootServices.size).every((b) => b === 0)).toBe(true);
    // A boot service called through a saved pointer now ends the run with a verdict.
    const saved = fw.traps.functions.find((f) => f.name === 'BS.AllocatePool')!.address;
    const out = msCall(rig.cpu, fw.traps, saved, [EfiLoaderData, 16, memPtr], rig.stackTop);
    expect(out.stop?.reason).toMatch(/^boot service AllocatePool called after ExitBootServices/);
    // Runtime services keep working.
    expect(rig.rt('GetTime', scratch + 0x200, 0).result).toBe(EFI_SUCCESS);
    const ebs = fw.trace.events.filter((e) => e.kind === 'exit-boot-services').map((e) => e.data.outcome);
    expect(ebs).toEqual(['EFI_INVALID_PARAMETER', 'EFI_SUCCESS']);
    expect(JSON.parse(JSON.stringify(fw.trace))).toEqual(fw.trace.events); // JSON-able
  });

  it('AllocatePages/FreePages/AllocatePool/FreePool follow the specification\'s status codes', () => {
    const rig = uefiRig(64 * 1024 * 1024);
    const { bus, scratch } = rig;
    const p = scratch + 0x100;
    const w = (v: number) => bus.writeBytes(p, new Uint8Array(new BigUint64Array([BigInt(v)]).buffer));
    w(0x300001);
    expect(rig.bs('AllocatePages', AllocateAddress, EfiLoaderData, 1, p).result).toBe(EFI_INVALID_PARAMETER); // not page aligned
    w(0x300000);
    expect(rig.bs('AllocatePages', AllocateAddress, EfiLoaderData, 2, p).result).toBe(EFI_SUCCESS);
    expect(Number(read64(bus, p))).toBe(0x300000);
    expect(rig.bs('AllocatePages', AllocateAddress, EfiLoaderData, 1, p).result).toBe(EFI_NOT_FOUND); // in use
    expect(rig.bs('AllocatePages', AllocateAnyPages, EfiConventionalMemory, 1, p).result).toBe(EFI_INVALID_PARAMETER);
    expect(rig.bs('AllocatePages', 3, EfiLoaderData, 1, p).result).toBe(EFI_INVALID_PARAMETER);
    expect(rig.bs('AllocatePages', AllocateAnyPages, EfiLoaderData, 0x100000, p).result).toBe(EFI_OUT_OF_RESOURCES);
    // AllocateMaxAddress: the limit is unsigned (Linux's EFI stub passes 2^64 - 1)
    const AllocateMaxAddress = 1;
    bus.writeBytes(p, new Uint8Array(8).fill(0xff));
    expect(rig.bs('AllocatePages', AllocateMaxAddress, EfiLoaderData, 1, p).result).toBe(EFI_SUCCESS);
    expect(rig.memory.typeAt(Number(read64(bus, p)))).toBe(EfiLoaderData);
    w(0x5fffff);
    expect(rig.bs('AllocatePages', AllocateMaxAddress, EfiLoaderData, 1, p).result).toBe(EFI_SUCCESS);
    expect(Number(read64(bus, p))).toBeLessThanOrEqual(0x5ff000);
    w(0x7ffff);
    expect(rig.bs('AllocatePages', AllocateMaxAddress, EfiLoaderData, 0x100, p).result).toBe(EFI_OUT_OF_RESOURCES); // 1 MiB below 512 KiB
    expect(rig.bs('FreePages', 0x300000, 2).result).toBe(EFI_SUCCESS);
    expect(rig.bs('FreePages', 0x300000, 1).result).toBe(EFI_NOT_FOUND);
    expect(rig.bs('FreePages', 0x300010, 1).result).toBe(EFI_INVALID_PARAMETER);
    expect(rig.bs('AllocatePool', EfiLoaderData, 5000, p).result).toBe(EFI_SUCCESS);
    const pool = Number(read64(bus, p));
    expect(rig.memory.typeAt(pool)).toBe(EfiLoaderData);
    expect(rig.bs('FreePool', pool).result).toBe(EFI_SUCCESS);
    expect(rig.bs('FreePool', pool).result).toBe(EFI_INVALID_PARAMETER);
  });

  it('LocateDevicePath: the handle with the protocol whose device path is the longest whole-node prefix; *DevicePath moves past it', () => {
    const rig = uefiRig();
    const { bus, scratch } = rig;
    const guidAt = (g: string, at: number) => (bus.writeBytes(at, G.guidBytes(g)), at);
    const dpGuid = guidAt(G.DEVICE_PATH_PROTOCOL, scratch + 0x300);
    const lf2Guid = guidAt('4006c0c1-fcb3-403e-996d-4a6c8724e06d', scratch + 0x310); // EFI_LOAD_FILE2_PROTOCOL: none here
    const root = { kind: 'acpi', hid: eisaPnpId(0x0a03), uid: 0 } as const;
    const write = (bytes: Uint8Array, at: number) => (bus.writeBytes(at, bytes), at);
    const install = (path: Uint8Array, at: number): number => {
      const handlePtr = scratch + 0x340;
      bus.writeBytes(handlePtr, new Uint8Array(8));
      expect(rig.bs('InstallProtocolInterface', handlePtr, dpGuid, 0, write(path, at)).result).toBe(EFI_SUCCESS);
      return Number(read64(bus, handlePtr));
    };
    const rootHandle = install(encodeDevicePath([root]), scratch + 0x500);
    const pciHandle = install(encodeDevicePath([root, { kind: 'pci', device: 2, function: 0 }]), scratch + 0x540);
    const locate = (path: Uint8Array, guid = dpGuid) => {
      const at = write(path, scratch + 0x800);
      bus.writeBytes(scratch + 0x380, new Uint8Array(new BigUint64Array([BigInt(at)]).buffer));
      bus.writeBytes(scratch + 0x388, new Uint8Array(8));
      const status = rig.bs('LocateDevicePath', guid, scratch + 0x380, scratch + 0x388).result;
      return { status, device: Number(read64(bus, scratch + 0x388)), rest: Number(read64(bus, scratch + 0x380)) - at };
    };
    // PciRoot(0)/Pci(2,0)/\\x: the PCI device (12 + 6 bytes matched), not its parent
    expect(locate(encodeDevicePath([root, { kind: 'pci', device: 2, function: 0 }, { kind: 'file', path: '\\x' }]))).toEqual({ status: EFI_SUCCESS, device: pciHandle, rest: 18 });
    // PciRoot(0)/Pci(3,0): only the root matches
    expect(locate(encodeDevicePath([root, { kind: 'pci', device: 3, function: 0 }]))).toEqual({ status: EFI_SUCCESS, device: rootHandle, rest: 12 });
    // no handle has the protocol; missing arguments
    expect(locate(encodeDevicePath([root]), lf2Guid).status).toBe(EFI_NOT_FOUND);
    expect(rig.bs('LocateDevicePath', dpGuid, 0, scratch + 0x388).result).toBe(EFI_INVALID_PARAMETER);
    expect(rig.bs('LocateDevicePath', 0, scratch + 0x380, scratch + 0x388).result).toBe(EFI_INVALID_PARAMETER);
  });

  it('handle and protocol database: LocateProtocol, HandleProtocol, OpenProtocol, LocateHandleBuffer, InstallProtocolInterface', () => {
    const rig = uefiRig();
    const { bus, fw, scratch } = rig;
    const guidAt = (g: string, at: number) => (bus.writeBytes(at, G.guidBytes(g)), at);
    const gop = guidAt(G.GRAPHICS_OUTPUT_PROTOCOL, scratch + 0x300);
    const sto = guidAt(G.SIMPLE_TEXT_OUTPUT_PROTOCOL, scratch + 0x310);
    const mine = guidAt('12345678-9abc-def0-1122-334455667788', scratch + 0x320);
    const out = scratch + 0x400;
    expect(rig.bs('LocateProtocol', gop, 0, out).result).toBe(EFI_SUCCESS);
    expect(Number(read64(bus, out))).toBe(fw.gop);
    expect(rig.bs('HandleProtocol', fw.consoleOutHandle, gop, out).result).toBe(EFI_SUCCESS);
    expect(Number(read64(bus, out))).toBe(fw.gop);
    expect(rig.bs('HandleProtocol', fw.consoleInHandle, gop, out).result).toBe(EFI_UNSUPPORTED);
    expect(rig.bs('OpenProtocol', fw.standardErrorHandle, sto, out, 0, 0, 2).result).toBe(EFI_SUCCESS);
    expect(Number(read64(bus, out))).toBe(fw.console.stdErr);
    expect(rig.bs('LocateHandleBuffer', 2, sto, 0, out, out + 8).result).toBe(EFI_SUCCESS);
    expect(Number(read64(bus, out))).toBe(2);
    const list = Number(read64(bus, out + 8));
    expect([read64(bus, list), read64(bus, list + 8)].map(Number)).toEqual([fw.consoleOutHandle, fw.standardErrorHandle]);
    expect(rig.bs('LocateProtocol', mine, 0, out).result).toBe(EFI_NOT_FOUND);
    bus.writeBytes(out, new Uint8Array(8));
    expect(rig.bs('InstallProtocolInterface', out, mine, 0, 0xabcd000).result).toBe(EFI_SUCCESS);
    const handle = Number(read64(bus, out));
    expect(handle).not.toBe(0);
    expect(rig.bs('InstallProtocolInterface', out, mine, 0, 0xabcd000).result).toBe(EFI_INVALID_PARAMETER); // already there
    expect(rig.bs('LocateProtocol', mine, 0, out + 8).result).toBe(EFI_SUCCESS);
    expect(Number(read64(bus, out + 8))).toBe(0xabcd000);
    expect(rig.bs('UninstallProtocolInterface', handle, mine, 0xabcd000).result).toBe(EFI_SUCCESS);
    expect(rig.bs('HandleProtocol', handle, mine, out).result).toBe(EFI_INVALID_PARAMETER); // the handle is gone
  });

  it('ConOut.OutputString sends UCS-2 text to the sink and moves the cursor', () => {
    const rig = uefiRig();
    const { bus, fw, scratch } = rig;
    bus.writeBytes(scratch, ucs2Bytes('Hello, UEFI\r\n'));
    const out = SimpleTextOutput.read(viewOf(bus.readBytes(fw.console.conOut, SimpleTextOutput.size)), 0);
    expect(msCall(rig.cpu, fw.traps, out.OutputString, [fw.console.conOut, scratch], rig.stackTop).result).toBe(EFI_SUCCESS);
    expect(rig.output).toEqual(['Hello, UEFI\r\n']);
    expect(bus.read32(Number(out.Mode) + 0x10)).toBe(1); // CursorRow
  });

  it('timer events, WaitForEvent and Stall advance virtual time deterministically', () => {
    const rig = uefiRig();
    const { bus, scratch, clock } = rig;
    const ev = scratch + 0x500;
    expect(rig.bs('CreateEvent', EVT_TIMER, 0, 0, 0, ev).result).toBe(EFI_SUCCESS);
    const event = read64(bus, ev);
    expect(rig.bs('SetTimer', event, TimerRelative, 100_000).result).toBe(EFI_SUCCESS); // 10 ms in 100 ns units
    expect(rig.bs('CheckEvent', event).result).toBe(EFI_NOT_READY);
    expect(rig.bs('WaitForEvent', 1, ev, scratch + 0x508).result).toBe(EFI_SUCCESS);
    expect(clock.nowNs()).toBe(10_000_000);
    expect(read64(bus, scratch + 0x508)).toBe(0n);
    expect(rig.bs('Stall', 250).result).toBe(EFI_SUCCESS);
    expect(clock.nowNs()).toBe(10_250_000);
    // Nothing can end this wait: the run ends with a verdict instead of hanging the host.
    expect(rig.bs('SetTimer', event, 0, 0).result).toBe(EFI_SUCCESS);
    expect(rig.bs('WaitForEvent', 1, ev, scratch + 0x508).stop?.reason).toMatch(/wait forever/);
    // Notification functions would need calls back into guest code: refused, not faked.
    expect(rig.bs('CreateEvent', 0x200, 8, 0x1234, 0, ev).stop?.reason).toMatch(/not implemented yet: UEFI events with notification functions/);
  });

  it('CalculateCrc32, CopyMem (overlapping) and SetMem', () => {
    const rig = uefiRig();
    const { bus, scratch } = rig;
    const data = new Uint8Array(Buffer.from('nova-image firmware'));
    bus.writeBytes(scratch, data);
    expect(rig.bs('CalculateCrc32', scratch, data.length, scratch + 0x100).result).toBe(EFI_SUCCESS);
    expect(bus.read32(scratch + 0x100)).toBe(zlibCrc32(data));
    rig.bs('CopyMem', scratch + 2, scratch, 6);
    expect(Buffer.from(bus.readBytes(scratch, 8)).toString()).toBe('nonova-i');
    rig.bs('SetMem', scratch, 4, 0x41);
    expect(Buffer.from(bus.readBytes(scratch, 6)).toString()).toBe('AAAAva');
  });
});

describe('UEFI runtime services', () => {
  it('variables: SetVariable, GetVariable (BUFFER_TOO_SMALL first), GetNextVariableName, delete; only RT variables after EBS', () => {
    const rig = uefiRig();
    const { bus, scratch, fw } = rig;
    const name = scratch, guid = scratch + 0x40, data = scratch + 0x60, size = scratch + 0x80, attr = scratch + 0x88, buf = scratch + 0x100;
    bus.writeBytes(name, ucs2Bytes('NovaTest'));
    bus.writeBytes(guid, G.guidBytes(G.GLOBAL_VARIABLE));
    bus.writeBytes(data, new Uint8Array([1, 2, 3, 4, 5]));
    const nvBsRt = EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS;
    expect(rig.rt('SetVariable', name, guid, nvBsRt, 5, data).result).toBe(EFI_SUCCESS);
    expect(rig.rt('SetVariable', name, guid, EFI_VARIABLE_RUNTIME_ACCESS, 5, data).result).toBe(EFI_INVALID_PARAMETER); // RT without BS
    bus.writeBytes(size, new Uint8Array(8));
    expect(rig.rt('GetVariable', name, guid, attr, size, buf).result).toBe(EFI_BUFFER_TOO_SMALL);
    expect(read64(bus, size)).toBe(5n);
    expect(rig.rt('GetVariable', name, guid, attr, size, buf).result).toBe(EFI_SUCCESS);
    expect([...bus.readBytes(buf, 5)]).toEqual([1, 2, 3, 4, 5]);
    expect(bus.read32(attr)).toBe(nvBsRt);
    // Enumerate from the empty name.
    const nameBuf = scratch + 0x200;
    bus.writeBytes(nameBuf, new Uint8Array(2));
    bus.writeBytes(size, new Uint8Array(new BigUint64Array([64n]).buffer));
    expect(rig.rt('GetNextVariableName', size, nameBuf, guid).result).toBe(EFI_SUCCESS);
    expect(Buffer.from(bus.readBytes(nameBuf, 16)).toString('utf16le')).toBe('NovaTest');
    expect(rig.rt('GetNextVariableName', size, nameBuf, guid).result).toBe(EFI_NOT_FOUND);
    // A boot-services-only variable disappears at ExitBootServices.
    bus.writeBytes(name + 0x20, ucs2Bytes('BsOnly'));
    expect(rig.rt('SetVariable', name + 0x20, guid, EFI_VARIABLE_BOOTSERVICE_ACCESS, 1, data).result).toBe(EFI_SUCCESS);
    const handle = fw.installLoaderImage();
    fw.exitBootServicesFromLoader('test');
    bus.writeBytes(size, new Uint8Array(new BigUint64Array([64n]).buffer));
    expect(rig.rt('GetVariable', name + 0x20, guid, attr, size, buf).result).toBe(EFI_NOT_FOUND);
    expect(rig.rt('GetVariable', name, guid, attr, size, buf).result).toBe(EFI_SUCCESS);
    void handle;
    expect(rig.rt('SetVariable', name, guid, nvBsRt, 0, 0).result).toBe(EFI_SUCCESS); // size 0 deletes
    expect(rig.rt('GetVariable', name, guid, attr, size, buf).result).toBe(EFI_NOT_FOUND);
  });

  it('GetTime counts from the fixed epoch in virtual time; ResetSystem ends the run', () => {
    const rig = uefiRig();
    rig.clock.advanceNs(3_661e9); // 1 h 1 min 1 s
    expect(rig.rt('GetTime', rig.scratch, 0).result).toBe(EFI_SUCCESS);
    const t = Time.read(viewOf(rig.bus.readBytes(rig.scratch, 16)), 0);
    expect([t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, t.TimeZone]).toEqual([2026, 1, 1, 1, 1, 1, 0x7ff]);
    const out = rig.rt('ResetSystem', 2, 0, 0, 0);
    expect(out.stop).toMatchObject({ reason: 'ResetSystem: shutdown with status EFI_SUCCESS', exitCode: 0 });
  });
});
