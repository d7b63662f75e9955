/**
 * EFI_BOOT_SERVICES (UEFI 2.10, chapter 7): each function a trap handler that follows the specification's
 * parameter checks and status codes; memory through the firmware memory map (OVMF's memory types and
 * descriptor size), protocols through the handle database, events through EventService.
 *
 * After a successful ExitBootServices every boot service stops the run with a verdict: calling one is a
 * guest bug that real firmware answers with undefined behaviour.
 */
import { NotImplementedError } from '../../../common/errors.js';
import { viewOf } from '../../../common/struct.js';
import { read64 } from '../../firmware/cpu.js';
import { EFI_PAGE_SIZE } from '../../firmware/memory-map.js';
import { EfiBootServicesData, isValidAllocationType } from '../../firmware/memory-types.js';
import type { TrapCall, TrapHandler, TrapResult } from '../../firmware/traps.js';
import { traceHex } from '../../firmware/trace.js';
import { readGuid, readPtr, writePtr, type UefiContext } from './context.js';
import { crc32 } from './crc32.js';
import { devicePathLength, isNodeBoundary } from './device-path.js';
import { DEVICE_PATH_PROTOCOL, guidBytes } from './guids.js';
import type { EventService } from './events.js';
import {
  EFI_BUFFER_TOO_SMALL,
  EFI_INVALID_PARAMETER,
  EFI_NOT_FOUND,
  EFI_NOT_READY,
  EFI_OUT_OF_RESOURCES,
  EFI_SUCCESS,
  EFI_UNSUPPORTED,
  statusName,
} from './status.js';
import { BOOT_SERVICE_NAMES, MEMORY_DESCRIPTOR_SIZE, EFI_MEMORY_DESCRIPTOR_VERSION, MemoryDescriptor, type BootServiceName } from './tables.js';

export const AllocateAnyPages = 0;
export const AllocateMaxAddress = 1;
export const AllocateAddress = 2;

export const AllHandles = 0;
export const ByRegisterNotify = 1;
export const ByProtocol = 2;

export const EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL = 0x01;
export const EFI_OPEN_PROTOCOL_GET_PROTOCOL = 0x02;
export const EFI_OPEN_PROTOCOL_TEST_PROTOCOL = 0x04;
export const EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER = 0x08;
export const EFI_OPEN_PROTOCOL_BY_DRIVER = 0x10;
export const EFI_OPEN_PROTOCOL_EXCLUSIVE = 0x20;

export const TPL_APPLICATION = 4;
export const TPL_HIGH_LEVEL = 31;

/** What the firmware object supplies to the boot services beyond the shared context. */
export interface BootServicesHost {
  readonly events: EventService;
  /** Adds, replaces or removes (table 0) a configuration table; false when removing an absent one. */
  installConfigurationTable(guid: string, table: number): boolean;
  /** Called once ExitBootServices succeeded (tables cleared, CRCs recomputed). */
  onExitBootServices(): void;
  /** Runs at the start of every ExitBootServices call, before the key check (the stale-key scenario). */
  beforeExitBootServices?(): void;
  /** Seconds the watchdog was set to (0 = disabled) and the virtual time it fires at. */
  watchdog: { timeoutSeconds: number; firesAtNs?: number };
}

type Handlers = Record<BootServiceName, [arity: number, handler: TrapHandler] | undefined>;

export function bootServiceHandlers(ctx: UefiContext, host: BootServicesHost): Handlers {
  const { bus, memory, handles, events } = { ...ctx, events: host.events };
  let tpl = TPL_APPLICATION;
  let monotonic = 0n;
  const out = (at: number, v: number | bigint) => writePtr(bus, at, v);

  const allocatePages: TrapHandler = (c) => {
    const how = c.argU32(0);
    const type = c.argU32(1);
    const pages = c.argNum(2);
    const memoryPtr = c.argNum(3);
    if (how > AllocateAddress || !isValidAllocationType(type) || memoryPtr === 0) return EFI_INVALID_PARAMETER;
    // The highest acceptable address is unsigned: Linux's EFI stub asks for anything up to 2^64 - 1.
    const requested = how === AllocateMaxAddress ? Number(read64(bus, memoryPtr)) : readPtr(bus, memoryPtr);
    if (how === AllocateAddress && requested % EFI_PAGE_SIZE !== 0) return EFI_INVALID_PARAMETER;
    const base = memory.allocatePages(type, pages, how === AllocateAnyPages ? { kind: 'any' } : how === AllocateMaxAddress ? { kind: 'max', address: requested } : { kind: 'address', address: requested });
    if (base === undefined) return how === AllocateAddress ? EFI_NOT_FOUND : EFI_OUT_OF_RESOURCES;
    out(memoryPtr, base);
    return EFI_SUCCESS;
  };

  const getMemoryMap: TrapHandler = (c) => {
    const sizePtr = c.argNum(0);
    const mapPtr = c.argNum(1);
    const keyPtr = c.argNum(2);
    const descSizePtr = c.argNum(3);
    const versionPtr = c.argNum(4);
    if (sizePtr === 0) return EFI_INVALID_PARAMETER;
    const descriptors = memory.descriptors();
    const needed = descriptors.length * MEMORY_DESCRIPTOR_SIZE;
    const given = readPtr(bus, sizePtr);
    if (descSizePtr) out(descSizePtr, MEMORY_DESCRIPTOR_SIZE);
    if (versionPtr) bus.write32(versionPtr, EFI_MEMORY_DESCRIPTOR_VERSION);
    out(sizePtr, needed);
    if (given < needed) return EFI_BUFFER_TOO_SMALL;
    if (mapPtr === 0) return EFI_INVALID_PARAMETER;
    const bytes = new Uint8Array(needed);
    descriptors.forEach((d, i) =>
      MemoryDescriptor.write(viewOf(bytes), i * MEMORY_DESCRIPTOR_SIZE, {
        Type: d.type,
        PhysicalStart: BigInt(d.base),
        VirtualStart: 0n,
        NumberOfPages: BigInt(d.pages),
        Attribute: d.attribute,
      }),
    );
    bus.writeBytes(mapPtr, bytes);
    if (keyPtr) out(keyPtr, memory.mapKey);
    return EFI_SUCCESS;
  };

  const locate = (searchType: number, protocolPtr: number): number[] | 'invalid' | 'unsupported' => {
    if (searchType === AllHandles) return handles.list();
    if (searchType === ByProtocol) return protocolPtr === 0 ? 'invalid' : handles.list(readGuid(bus, protocolPtr));
    if (searchType === ByRegisterNotify) return 'unsupported';
    return 'invalid';
  };

  const openProtocol: TrapHandler = (c) => {
    const handle = c.argNum(0);
    const protocolPtr = c.argNum(1);
    const ifacePtr = c.argNum(2);
    const attributes = c.argU32(5);
    if (protocolPtr === 0) return EFI_INVALID_PARAMETER;
    if (attributes !== EFI_OPEN_PROTOCOL_TEST_PROTOCOL && ifacePtr === 0) return EFI_INVALID_PARAMETER;
    if (!handles.exists(handle)) return EFI_INVALID_PARAMETER;
    const iface = handles.get(handle, readGuid(bus, protocolPtr));
    if (iface === undefined) {
      if (ifacePtr && attributes !== EFI_OPEN_PROTOCOL_TEST_PROTOCOL) out(ifacePtr, 0);
      return EFI_UNSUPPORTED;
    }
    if (ifacePtr && attributes !== EFI_OPEN_PROTOCOL_TEST_PROTOCOL) out(ifacePtr, iface);
    return EFI_SUCCESS;
  };

  const installOne = (handlePtr: number, protocolPtr: number, iface: number): bigint => {
    if (handlePtr === 0 || protocolPtr === 0) return EFI_INVALID_PARAMETER;
    let handle = readPtr(bus, handlePtr);
    if (handle !== 0 && !handles.exists(handle)) return EFI_INVALID_PARAMETER;
    if (handle === 0) handle = handles.create();
    if (!handles.install(handle, readGuid(bus, protocolPtr), iface)) return EFI_INVALID_PARAMETER;
    out(handlePtr, handle);
    return EFI_SUCCESS;
  };

  const unimplemented = (name: string): TrapHandler => () => {
    throw new NotImplementedError(`UEFI boot service ${name}`);
  };

  const h: Handlers = {
    RaiseTPL: [1, (c) => {
      const old = tpl;
      tpl = c.argNum(0);
      return BigInt(old);
    }],
    RestoreTPL: [1, (c) => {
      tpl = c.argNum(0);
      return 0n;
    }],
    AllocatePages: [4, allocatePages],
    FreePages: [2, (c) => {
      const base = c.argNum(0);
      if (base % EFI_PAGE_SIZE !== 0) return EFI_INVALID_PARAMETER;
      return memory.freePages(base, c.argNum(1)) ? EFI_SUCCESS : EFI_NOT_FOUND;
    }],
    GetMemoryMap: [5, getMemoryMap],
    AllocatePool: [3, (c) => {
      const type = c.argU32(0);
      const bufferPtr = c.argNum(2);
      if (!isValidAllocationType(type) || bufferPtr === 0) return EFI_INVALID_PARAMETER;
      const at = memory.allocatePool(type, c.argNum(1));
      if (at === undefined) return EFI_OUT_OF_RESOURCES;
      out(bufferPtr, at);
      return EFI_SUCCESS;
    }],
    FreePool: [1, (c) => (memory.freePool(c.argNum(0)) ? EFI_SUCCESS : EFI_INVALID_PARAMETER)],
    CreateEvent: [5, (c) => createEvent(c, 0, 4)],
    CreateEventEx: [6, (c) => createEvent(c, 0, 5)],
    SetTimer: [3, (c) => (events.setTimer(c.argNum(0), c.argU32(1), c.arg(2)) ? EFI_SUCCESS : EFI_INVALID_PARAMETER)],
    WaitForEvent: [3, (c) => {
      const n = c.argNum(0);
      const listPtr = c.argNum(1);
      const indexPtr = c.argNum(2);
      if (n === 0 || listPtr === 0 || indexPtr === 0) return EFI_INVALID_PARAMETER;
      if (tpl !== TPL_APPLICATION) return EFI_UNSUPPORTED;
      const list = Array.from({ length: n }, (_, i) => readPtr(bus, listPtr + 8 * i));
      const r = events.wait(list);
      if (r === 'invalid') return EFI_INVALID_PARAMETER;
      if (typeof r === 'object') return r;
      out(indexPtr, r);
      return EFI_SUCCESS;
    }],
    SignalEvent: [1, (c) => (events.signal(c.argNum(0)) ? EFI_SUCCESS : EFI_INVALID_PARAMETER)],
    CloseEvent: [1, (c) => (events.close(c.argNum(0)) ? EFI_SUCCESS : EFI_INVALID_PARAMETER)],
    CheckEvent: [1, (c) => {
      const r = events.check(c.argNum(0));
      return r === 'signaled' ? EFI_SUCCESS : r === 'not-ready' ? EFI_NOT_READY : EFI_INVALID_PARAMETER;
    }],
    InstallProtocolInterface: [4, (c) => {
      if (c.argU32(2) !== 0) return EFI_INVALID_PARAMETER; // EFI_NATIVE_INTERFACE is the only type
      return installOne(c.argNum(0), c.argNum(1), c.argNum(3));
    }],
    ReinstallProtocolInterface: [4, (c) => {
      const handle = c.argNum(0);
      const guid = readGuid(bus, c.argNum(1));
      if (!handles.uninstall(handle, guid, c.argNum(2))) return EFI_NOT_FOUND;
      if (!handles.exists(handle)) return EFI_NOT_FOUND;
      handles.install(handle, guid, c.argNum(3));
      return EFI_SUCCESS;
    }],
    UninstallProtocolInterface: [3, (c) => {
      if (c.argNum(1) === 0) return EFI_INVALID_PARAMETER;
      return handles.uninstall(c.argNum(0), readGuid(bus, c.argNum(1)), c.argNum(2)) ? EFI_SUCCESS : EFI_NOT_FOUND;
    }],
    HandleProtocol: [3, (c) => {
      const handle = c.argNum(0);
      if (c.argNum(1) === 0 || c.argNum(2) === 0 || !handles.exists(handle)) return EFI_INVALID_PARAMETER;
      const iface = handles.get(handle, readGuid(bus, c.argNum(1)));
      if (iface === undefined) return EFI_UNSUPPORTED;
      out(c.argNum(2), iface);
      return EFI_SUCCESS;
    }],
    Reserved: undefined,
    RegisterProtocolNotify: [3, unimplemented('RegisterProtocolNotify (needs notification events)')],
    LocateHandle: [5, (c) => {
      const found = locate(c.argU32(0), c.argNum(1));
      if (found === 'invalid') return EFI_INVALID_PARAMETER;
      if (found === 'unsupported') throw new NotImplementedError('LocateHandle ByRegisterNotify');
      const sizePtr = c.argNum(3);
      if (sizePtr === 0) return EFI_INVALID_PARAMETER;
      if (found.length === 0) return EFI_NOT_FOUND;
      const needed = 8 * found.length;
      const given = readPtr(bus, sizePtr);
      out(sizePtr, needed);
      if (given < needed) return EFI_BUFFER_TOO_SMALL;
      if (c.argNum(4) === 0) return EFI_INVALID_PARAMETER;
      found.forEach((hnd, i) => out(c.argNum(4) + 8 * i, hnd));
      return EFI_SUCCESS;
    }],
    // UEFI 2.10, 7.3.8: of the handles with the protocol, the one whose device path is the longest prefix of
    // *DevicePath (node by node); *DevicePath then points at the rest. Linux's EFI stub asks it for the
    // LoadFile2 initrd path.
    LocateDevicePath: [3, (c) => {
      const protocolPtr = c.argNum(0), pathPtrPtr = c.argNum(1), devicePtr = c.argNum(2);
      if (protocolPtr === 0 || pathPtrPtr === 0 || devicePtr === 0) return EFI_INVALID_PARAMETER;
      const source = readPtr(bus, pathPtrPtr);
      if (source === 0) return EFI_INVALID_PARAMETER;
      const sourceLength = devicePathLength(bus, source);
      if (sourceLength === undefined) return EFI_INVALID_PARAMETER;
      const sourceBytes = bus.readBytes(source, sourceLength);
      let best: number | undefined;
      let bestLength = -1;
      for (const handle of handles.list(readGuid(bus, protocolPtr))) {
        const path = handles.get(handle, DEVICE_PATH_PROTOCOL);
        if (path === undefined) continue;
        const length = devicePathLength(bus, path);
        if (length === undefined || length > sourceLength || length <= bestLength) continue;
        if (!isNodeBoundary(sourceBytes, length)) continue;
        const bytes = bus.readBytes(path, length);
        if (bytes.every((b, i) => b === sourceBytes[i])) {
          best = handle;
          bestLength = length;
        }
      }
      if (best === undefined) return EFI_NOT_FOUND;
      out(devicePtr, best);
      out(pathPtrPtr, source + bestLength);
      return EFI_SUCCESS;
    }],
    InstallConfigurationTable: [2, (c) => {
      if (c.argNum(0) === 0) return EFI_INVALID_PARAMETER;
      return host.installConfigurationTable(readGuid(bus, c.argNum(0)), c.argNum(1)) ? EFI_SUCCESS : EFI_NOT_FOUND;
    }],
    LoadImage: [6, unimplemented('LoadImage (images loaded by other images)')],
    StartImage: [3, unimplemented('StartImage (images started by other images)')],
    Exit: [4, (c): TrapResult => ({ stop: true, reason: `the image called Exit with status ${statusName(c.arg(1))}`, exitCode: c.arg(1) === EFI_SUCCESS ? 0 : 1 })],
    UnloadImage: [1, unimplemented('UnloadImage')],
    ExitBootServices: [2, (c) => {
      host.beforeExitBootServices?.();
      const key = c.argNum(1);
      const current = memory.mapKey;
      // UEFI 2.10, 7.4: EFI_INVALID_PARAMETER when MapKey is incorrect. Like EDK2 we check the key before
      // any shutdown step, so a failed attempt leaves boot services fully usable.
      if (key !== current) {
        ctx.trace.record('exit-boot-services', 'ExitBootServices', { mapKey: key, currentMapKey: current, outcome: 'EFI_INVALID_PARAMETER', reason: 'stale map key' });
        return EFI_INVALID_PARAMETER;
      }
      ctx.trace.record('exit-boot-services', 'ExitBootServices', { mapKey: key, currentMapKey: current, outcome: 'EFI_SUCCESS' });
      ctx.exited = true;
      host.onExitBootServices();
      return EFI_SUCCESS;
    }],
    GetNextMonotonicCount: [1, (c) => {
      if (c.argNum(0) === 0) return EFI_INVALID_PARAMETER;
      out(c.argNum(0), monotonic++);
      return EFI_SUCCESS;
    }],
    Stall: [1, (c) => {
      ctx.clock.advanceNs(c.argNum(0) * 1000);
      return EFI_SUCCESS;
    }],
    SetWatchdogTimer: [4, (c) => {
      const seconds = c.argNum(0);
      host.watchdog.timeoutSeconds = seconds;
      host.watchdog.firesAtNs = seconds === 0 ? undefined : ctx.clock.nowNs() + seconds * 1e9;
      return EFI_SUCCESS;
    }],
    // No UEFI drivers run inside the built-in firmware: connecting finds none (EDK2: EFI_NOT_FOUND).
    ConnectController: [4, () => EFI_NOT_FOUND],
    DisconnectController: [3, () => EFI_NOT_FOUND],
    OpenProtocol: [6, openProtocol],
    CloseProtocol: [4, (c) => {
      if (c.argNum(1) === 0 || !handles.exists(c.argNum(0))) return EFI_INVALID_PARAMETER;
      return handles.get(c.argNum(0), readGuid(bus, c.argNum(1))) === undefined ? EFI_NOT_FOUND : EFI_SUCCESS;
    }],
    OpenProtocolInformation: [4, unimplemented('OpenProtocolInformation')],
    ProtocolsPerHandle: [3, (c) => {
      const handle = c.argNum(0);
      if (!handles.exists(handle) || c.argNum(1) === 0 || c.argNum(2) === 0) return EFI_INVALID_PARAMETER;
      const guids = handles.protocolsOf(handle);
      // The caller gets an array of pointers to GUIDs; the GUIDs themselves live in the same pool buffer.
      const buf = memory.allocatePool(EfiBootServicesData, guids.length * 24);
      if (buf === undefined) return EFI_OUT_OF_RESOURCES;
      guids.forEach((g, i) => {
        const at = buf + 8 * guids.length + 16 * i;
        bus.writeBytes(at, guidBytes(g));
        out(buf + 8 * i, at);
      });
      out(c.argNum(1), buf);
      out(c.argNum(2), guids.length);
      return EFI_SUCCESS;
    }],
    LocateHandleBuffer: [5, (c) => {
      const countPtr = c.argNum(3);
      const bufPtr = c.argNum(4);
      if (countPtr === 0 || bufPtr === 0) return EFI_INVALID_PARAMETER;
      const found = locate(c.argU32(0), c.argNum(1));
      if (found === 'invalid') return EFI_INVALID_PARAMETER;
      if (found === 'unsupported') throw new NotImplementedError('LocateHandleBuffer ByRegisterNotify');
      out(countPtr, found.length);
      if (found.length === 0) return EFI_NOT_FOUND;
      const buf = memory.allocatePool(EfiBootServicesData, 8 * found.length);
      if (buf === undefined) return EFI_OUT_OF_RESOURCES;
      found.forEach((hnd, i) => out(buf + 8 * i, hnd));
      out(bufPtr, buf);
      return EFI_SUCCESS;
    }],
    LocateProtocol: [3, (c) => {
      if (c.argNum(0) === 0 || c.argNum(2) === 0) return EFI_INVALID_PARAMETER;
      const guid = readGuid(bus, c.argNum(0));
      const handle = handles.list(guid)[0];
      if (handle === undefined) {
        out(c.argNum(2), 0);
        return EFI_NOT_FOUND;
      }
      out(c.argNum(2), handles.get(handle, guid)!);
      return EFI_SUCCESS;
    }],
    InstallMultipleProtocolInterfaces: [1, (c) => {
      // Variadic: (Handle*, GUID*, Interface*, ..., NULL). Installs all or none.
      const handlePtr = c.argNum(0);
      if (handlePtr === 0) return EFI_INVALID_PARAMETER;
      const pairs: Array<[number, number]> = [];
      for (let i = 1; i < 64; i += 2) {
        const g = c.argNum(i);
        if (g === 0) break;
        pairs.push([g, c.argNum(i + 1)]);
      }
      const before = readPtr(bus, handlePtr);
      const done: Array<[number, string, number]> = [];
      for (const [g, iface] of pairs) {
        const status = installOne(handlePtr, g, iface);
        if (status !== EFI_SUCCESS) {
          for (const [hnd, guid, ifc] of done) handles.uninstall(hnd, guid, ifc);
          out(handlePtr, before);
          return status;
        }
        done.push([readPtr(bus, handlePtr), readGuid(bus, g), iface]);
      }
      return EFI_SUCCESS;
    }],
    UninstallMultipleProtocolInterfaces: [1, (c) => {
      const handle = c.argNum(0);
      for (let i = 1; i < 64; i += 2) {
        const g = c.argNum(i);
        if (g === 0) break;
        if (!handles.uninstall(handle, readGuid(bus, g), c.argNum(i + 1))) return EFI_INVALID_PARAMETER;
      }
      return EFI_SUCCESS;
    }],
    CalculateCrc32: [3, (c) => {
      const size = c.argNum(1);
      if (c.argNum(0) === 0 || c.argNum(2) === 0 || size === 0) return EFI_INVALID_PARAMETER;
      bus.write32(c.argNum(2), crc32(bus.readBytes(c.argNum(0), size)));
      return EFI_SUCCESS;
    }],
    // CopyMem handles overlapping buffers (UEFI 2.10, 7.5): read everything first.
    CopyMem: [3, (c) => {
      bus.writeBytes(c.argNum(0), bus.readBytes(c.argNum(1), c.argNum(2)));
      return 0n;
    }],
    SetMem: [3, (c) => {
      bus.writeBytes(c.argNum(0), new Uint8Array(c.argNum(1)).fill(c.argNum(2) & 0xff));
      return 0n;
    }],
  };

  function createEvent(c: TrapCall, first: number, eventArg: number): bigint {
    const eventPtr = c.argNum(eventArg);
    if (eventPtr === 0) return EFI_INVALID_PARAMETER;
    const ev = events.create(c.argU32(first), c.arg(first + 2));
    if (ev === 'invalid') return EFI_INVALID_PARAMETER;
    out(eventPtr, ev);
    return EFI_SUCCESS;
  }

  // Every boot service refuses to run once boot services are gone.
  for (const name of BOOT_SERVICE_NAMES) {
    const entry = h[name];
    if (!entry) continue;
    const [arity, fn] = entry;
    h[name] = [arity, (c) => (ctx.exited ? { stop: true, reason: `boot service ${name} called after ExitBootServices (at ${traceHex(c.cpu.pc())})` } : fn(c))];
  }
  return h;
}
