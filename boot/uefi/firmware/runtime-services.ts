/**
 * EFI_RUNTIME_SERVICES (UEFI 2.10, chapter 8): time from the firmware's virtual clock on top of a fixed
 * epoch (deterministic runs), variables in memory, monotonic count, ResetSystem ending the run. Services
 * this firmware cannot honour (wakeup timer, virtual address map, capsules) return EFI_UNSUPPORTED, which
 * the specification allows for platforms that do not support them at runtime.
 */
import { viewOf } from '../../../common/struct.js';
import type { TrapHandler } from '../../firmware/traps.js';
import { readGuid, readPtr, readUcs2, ucs2Bytes, writePtr, type UefiContext } from './context.js';
import { guidBytes } from './guids.js';
import { EFI_BUFFER_TOO_SMALL, EFI_INVALID_PARAMETER, EFI_NOT_FOUND, EFI_OUT_OF_RESOURCES, EFI_SUCCESS, EFI_UNSUPPORTED, EFI_ACCESS_DENIED, statusName } from './status.js';
import { EFI_UNSPECIFIED_TIMEZONE, Time, TimeCapabilities, type RuntimeServiceName } from './tables.js';
import { MAX_VARIABLE_SIZE, VARIABLE_STORE_SIZE, type VariableStore } from './variables.js';

export const EfiResetCold = 0;
export const EfiResetWarm = 1;
export const EfiResetShutdown = 2;
export const EfiResetPlatformSpecific = 3;
const RESET_NAMES = ['cold reset', 'warm reset', 'shutdown', 'platform-specific reset'];

export interface RuntimeServicesHost {
  readonly variables: VariableStore;
  /** Unix time (seconds) the real-time clock shows at virtual time 0. */
  readonly epochSeconds: number;
}

type Handlers = Record<RuntimeServiceName, [arity: number, handler: TrapHandler]>;

export function runtimeServiceHandlers(ctx: UefiContext, host: RuntimeServicesHost): Handlers {
  const { bus } = ctx;
  let timeOffsetSeconds = 0;
  let highCount = 0;
  const unsupported: [number, TrapHandler] = [0, () => EFI_UNSUPPORTED];

  return {
    GetTime: [2, (c) => {
      const timePtr = c.argNum(0);
      if (timePtr === 0) return EFI_INVALID_PARAMETER;
      const nowNs = ctx.clock.nowNs();
      const date = new Date((host.epochSeconds + timeOffsetSeconds) * 1000 + Math.floor(nowNs / 1e6));
      bus.writeBytes(timePtr, Time.encode({
        Year: date.getUTCFullYear(), Month: date.getUTCMonth() + 1, Day: date.getUTCDate(),
        Hour: date.getUTCHours(), Minute: date.getUTCMinutes(), Second: date.getUTCSeconds(),
        Nanosecond: 0, TimeZone: EFI_UNSPECIFIED_TIMEZONE, Daylight: 0,
      }));
      // A PC RTC: 1 Hz resolution, accuracy 50 ppm in units of 1e-6 ppm, does not reset sub-second on set.
      if (c.argNum(1)) bus.writeBytes(c.argNum(1), TimeCapabilities.encode({ Resolution: 1, Accuracy: 50_000_000, SetsToZero: 0 }));
      return EFI_SUCCESS;
    }],
    SetTime: [1, (c) => {
      const timePtr = c.argNum(0);
      if (timePtr === 0) return EFI_INVALID_PARAMETER;
      const t = Time.read(viewOf(bus.readBytes(timePtr, Time.size)), 0);
      if (t.Month < 1 || t.Month > 12 || t.Day < 1 || t.Day > 31 || t.Hour > 23 || t.Minute > 59 || t.Second > 59 || t.Year < 1900 || t.Year > 9999) return EFI_INVALID_PARAMETER;
      const wanted = Date.UTC(t.Year, t.Month - 1, t.Day, t.Hour, t.Minute, t.Second) / 1000;
      timeOffsetSeconds = wanted - host.epochSeconds - Math.floor(ctx.clock.nowNs() / 1e9);
      return EFI_SUCCESS;
    }],
    GetWakeupTime: unsupported,
    SetWakeupTime: unsupported,
    SetVirtualAddressMap: unsupported,
    ConvertPointer: unsupported,
    GetVariable: [5, (c) => {
      const [namePtr, guidPtr, attrPtr, sizePtr, dataPtr] = [0, 1, 2, 3, 4].map((i) => c.argNum(i)) as [number, number, number, number, number];
      if (namePtr === 0 || guidPtr === 0 || sizePtr === 0) return EFI_INVALID_PARAMETER;
      const v = host.variables.get(readUcs2(bus, namePtr), readGuid(bus, guidPtr), ctx.exited);
      if (!v) return EFI_NOT_FOUND;
      const given = readPtr(bus, sizePtr);
      writePtr(bus, sizePtr, v.data.length);
      if (attrPtr) bus.write32(attrPtr, v.attributes);
      if (given < v.data.length) return EFI_BUFFER_TOO_SMALL;
      if (dataPtr === 0) return EFI_INVALID_PARAMETER;
      bus.writeBytes(dataPtr, v.data);
      return EFI_SUCCESS;
    }],
    GetNextVariableName: [3, (c) => {
      const [sizePtr, namePtr, guidPtr] = [0, 1, 2].map((i) => c.argNum(i)) as [number, number, number];
      if (sizePtr === 0 || namePtr === 0 || guidPtr === 0) return EFI_INVALID_PARAMETER;
      const next = host.variables.next(readUcs2(bus, namePtr), readGuid(bus, guidPtr), ctx.exited);
      if (next === 'invalid') return EFI_INVALID_PARAMETER;
      if (next === undefined) return EFI_NOT_FOUND;
      const name = ucs2Bytes(next.name);
      const given = readPtr(bus, sizePtr);
      writePtr(bus, sizePtr, name.length);
      if (given < name.length) return EFI_BUFFER_TOO_SMALL;
      bus.writeBytes(namePtr, name);
      bus.writeBytes(guidPtr, guidBytes(next.guid));
      return EFI_SUCCESS;
    }],
    SetVariable: [5, (c) => {
      const [namePtr, guidPtr] = [c.argNum(0), c.argNum(1)];
      const attributes = c.argU32(2);
      const size = c.argNum(3);
      const dataPtr = c.argNum(4);
      if (namePtr === 0 || guidPtr === 0 || (size !== 0 && dataPtr === 0)) return EFI_INVALID_PARAMETER;
      if (size > MAX_VARIABLE_SIZE) return EFI_OUT_OF_RESOURCES;
      const r = host.variables.set(readUcs2(bus, namePtr), readGuid(bus, guidPtr), attributes, size ? bus.readBytes(dataPtr, size) : new Uint8Array(0), ctx.exited);
      return { ok: EFI_SUCCESS, invalid: EFI_INVALID_PARAMETER, 'not-found': EFI_NOT_FOUND, unsupported: EFI_UNSUPPORTED, 'out-of-resources': EFI_OUT_OF_RESOURCES, 'write-protected': EFI_ACCESS_DENIED }[r];
    }],
    GetNextHighMonotonicCount: [1, (c) => {
      if (c.argNum(0) === 0) return EFI_INVALID_PARAMETER;
      bus.write32(c.argNum(0), ++highCount);
      return EFI_SUCCESS;
    }],
    ResetSystem: [2, (c) => {
      const type = c.argU32(0);
      const status = c.arg(1);
      ctx.trace.record('reset', 'ResetSystem', { type: RESET_NAMES[type] ?? String(type), status: statusName(status) });
      return { stop: true, reason: `ResetSystem: ${RESET_NAMES[type] ?? `type ${type}`} with status ${statusName(status)}`, exitCode: status === EFI_SUCCESS ? 0 : 1 };
    }],
    UpdateCapsule: unsupported,
    QueryCapsuleCapabilities: unsupported,
    QueryVariableInfo: [4, (c) => {
      const [maxPtr, remPtr, maxVarPtr] = [1, 2, 3].map((i) => c.argNum(i)) as [number, number, number];
      if (maxPtr === 0 || remPtr === 0 || maxVarPtr === 0) return EFI_INVALID_PARAMETER;
      writePtr(bus, maxPtr, VARIABLE_STORE_SIZE);
      writePtr(bus, remPtr, VARIABLE_STORE_SIZE - host.variables.used());
      writePtr(bus, maxVarPtr, MAX_VARIABLE_SIZE);
      return EFI_SUCCESS;
    }],
  };
}
