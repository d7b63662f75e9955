/**
 * In-memory UEFI structures (UEFI 2.10, x64/AArch64 layouts: pointers and UINTN are 8 bytes), one table
 * each. Service tables are a header followed by function pointers in the specification's order; their
 * tables are generated from the ordered name lists below so the order is written down once.
 */
import { defineStruct, type FieldSpec } from '../../../common/struct.js';

/** EFI_SPECIFICATION_VERSION reported, as OVMF (edk2-stable202211, Debian 12) does: 2.70. */
export const EFI_2_70_REVISION = (2 << 16) | 70;
export const EFI_SYSTEM_TABLE_SIGNATURE = 0x5453595320494249n; // "IBI SYST"
export const EFI_BOOT_SERVICES_SIGNATURE = 0x56524553544f4f42n; // "BOOTSERV"
export const EFI_RUNTIME_SERVICES_SIGNATURE = 0x56524553544e5552n; // "RUNTSERV"

export const TableHeader = defineStruct('EFI_TABLE_HEADER', 24, {
  Signature: [0x00, 'u64'],
  Revision: [0x08, 'u32'],
  HeaderSize: [0x0c, 'u32'],
  CRC32: [0x10, 'u32'],
  Reserved: [0x14, 'u32'],
});

export const SystemTable = defineStruct('EFI_SYSTEM_TABLE', 120, {
  ...TableHeader.fields,
  FirmwareVendor: [0x18, 'u64'],
  FirmwareRevision: [0x20, 'u32'],
  ConsoleInHandle: [0x28, 'u64'],
  ConIn: [0x30, 'u64'],
  ConsoleOutHandle: [0x38, 'u64'],
  ConOut: [0x40, 'u64'],
  StandardErrorHandle: [0x48, 'u64'],
  StdErr: [0x50, 'u64'],
  RuntimeServices: [0x58, 'u64'],
  BootServices: [0x60, 'u64'],
  NumberOfTableEntries: [0x68, 'u64'],
  ConfigurationTable: [0x70, 'u64'],
});

/** A header (or none) followed by 8-byte function pointers named in order. */
function functionTable<const N extends readonly string[]>(name: string, headerSize: number, names: N, extra: Record<string, FieldSpec> = {}) {
  const fields: Record<string, FieldSpec> = headerSize ? { ...TableHeader.fields } : {};
  names.forEach((n, i) => (fields[n] = [headerSize + 8 * i, 'u64']));
  Object.assign(fields, extra);
  const size = Math.max(headerSize + 8 * names.length, ...Object.values(extra).map(([o]) => o + 8));
  return defineStruct(name, size, fields as Record<N[number] | keyof typeof TableHeader.fields, FieldSpec>);
}

export const BOOT_SERVICE_NAMES = [
  'RaiseTPL', 'RestoreTPL',
  'AllocatePages', 'FreePages', 'GetMemoryMap', 'AllocatePool', 'FreePool',
  'CreateEvent', 'SetTimer', 'WaitForEvent', 'SignalEvent', 'CloseEvent', 'CheckEvent',
  'InstallProtocolInterface', 'ReinstallProtocolInterface', 'UninstallProtocolInterface', 'HandleProtocol', 'Reserved',
  'RegisterProtocolNotify', 'LocateHandle', 'LocateDevicePath', 'InstallConfigurationTable',
  'LoadImage', 'StartImage', 'Exit', 'UnloadImage', 'ExitBootServices',
  'GetNextMonotonicCount', 'Stall', 'SetWatchdogTimer',
  'ConnectController', 'DisconnectController',
  'OpenProtocol', 'CloseProtocol', 'OpenProtocolInformation',
  'ProtocolsPerHandle', 'LocateHandleBuffer', 'LocateProtocol',
  'InstallMultipleProtocolInterfaces', 'UninstallMultipleProtocolInterfaces',
  'CalculateCrc32', 'CopyMem', 'SetMem', 'CreateEventEx',
] as const;
export type BootServiceName = (typeof BOOT_SERVICE_NAMES)[number];
export const BootServices = functionTable('EFI_BOOT_SERVICES', 24, BOOT_SERVICE_NAMES);

export const RUNTIME_SERVICE_NAMES = [
  'GetTime', 'SetTime', 'GetWakeupTime', 'SetWakeupTime',
  'SetVirtualAddressMap', 'ConvertPointer',
  'GetVariable', 'GetNextVariableName', 'SetVariable',
  'GetNextHighMonotonicCount', 'ResetSystem',
  'UpdateCapsule', 'QueryCapsuleCapabilities', 'QueryVariableInfo',
] as const;
export type RuntimeServiceName = (typeof RUNTIME_SERVICE_NAMES)[number];
export const RuntimeServices = functionTable('EFI_RUNTIME_SERVICES', 24, RUNTIME_SERVICE_NAMES);

export const ConfigurationTable = defineStruct('EFI_CONFIGURATION_TABLE', 24, {
  VendorGuid: [0x00, ['bytes', 16]],
  VendorTable: [0x10, 'u64'],
});

/** EFI_MEMORY_DESCRIPTOR (40 bytes); GetMemoryMap reports DescriptorSize 48 as OVMF does (padding after). */
export const MemoryDescriptor = defineStruct('EFI_MEMORY_DESCRIPTOR', 40, {
  Type: [0x00, 'u32'],
  PhysicalStart: [0x08, 'u64'],
  VirtualStart: [0x10, 'u64'],
  NumberOfPages: [0x18, 'u64'],
  Attribute: [0x20, 'u64'],
});
export const MEMORY_DESCRIPTOR_SIZE = 48;
export const EFI_MEMORY_DESCRIPTOR_VERSION = 1;

export const SIMPLE_TEXT_OUTPUT_NAMES = ['Reset', 'OutputString', 'TestString', 'QueryMode', 'SetMode', 'SetAttribute', 'ClearScreen', 'SetCursorPosition', 'EnableCursor', 'Mode'] as const;
export const SimpleTextOutput = functionTable('EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL', 0, SIMPLE_TEXT_OUTPUT_NAMES);

export const SimpleTextOutputMode = defineStruct('SIMPLE_TEXT_OUTPUT_MODE', 24, {
  MaxMode: [0x00, 'i32'],
  Mode: [0x04, 'i32'],
  Attribute: [0x08, 'i32'],
  CursorColumn: [0x0c, 'i32'],
  CursorRow: [0x10, 'i32'],
  CursorVisible: [0x14, 'u8'],
});

export const SIMPLE_TEXT_INPUT_NAMES = ['Reset', 'ReadKeyStroke', 'WaitForKey'] as const;
export const SimpleTextInput = functionTable('EFI_SIMPLE_TEXT_INPUT_PROTOCOL', 0, SIMPLE_TEXT_INPUT_NAMES);

export const InputKey = defineStruct('EFI_INPUT_KEY', 4, {
  ScanCode: [0x00, 'u16'],
  UnicodeChar: [0x02, 'u16'],
});

export const LOADED_IMAGE_PROTOCOL_REVISION = 0x1000;
export const LoadedImage = defineStruct('EFI_LOADED_IMAGE_PROTOCOL', 96, {
  Revision: [0x00, 'u32'],
  ParentHandle: [0x08, 'u64'],
  SystemTable: [0x10, 'u64'],
  DeviceHandle: [0x18, 'u64'],
  FilePath: [0x20, 'u64'],
  Reserved: [0x28, 'u64'],
  LoadOptionsSize: [0x30, 'u32'],
  LoadOptions: [0x38, 'u64'],
  ImageBase: [0x40, 'u64'],
  ImageSize: [0x48, 'u64'],
  ImageCodeType: [0x50, 'u32'],
  ImageDataType: [0x54, 'u32'],
  Unload: [0x58, 'u64'],
});

export const GOP_NAMES = ['QueryMode', 'SetMode', 'Blt', 'Mode'] as const;
export const GraphicsOutput = functionTable('EFI_GRAPHICS_OUTPUT_PROTOCOL', 0, GOP_NAMES);

export const GraphicsOutputMode = defineStruct('EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE', 40, {
  MaxMode: [0x00, 'u32'],
  Mode: [0x04, 'u32'],
  Info: [0x08, 'u64'],
  SizeOfInfo: [0x10, 'u64'],
  FrameBufferBase: [0x18, 'u64'],
  FrameBufferSize: [0x20, 'u64'],
});

export const PixelBlueGreenRedReserved8BitPerColor = 1;
export const GraphicsModeInfo = defineStruct('EFI_GRAPHICS_OUTPUT_MODE_INFORMATION', 36, {
  Version: [0x00, 'u32'],
  HorizontalResolution: [0x04, 'u32'],
  VerticalResolution: [0x08, 'u32'],
  PixelFormat: [0x0c, 'u32'],
  RedMask: [0x10, 'u32'],
  GreenMask: [0x14, 'u32'],
  BlueMask: [0x18, 'u32'],
  ReservedMask: [0x1c, 'u32'],
  PixelsPerScanLine: [0x20, 'u32'],
});

export const Time = defineStruct('EFI_TIME', 16, {
  Year: [0x00, 'u16'],
  Month: [0x02, 'u8'],
  Day: [0x03, 'u8'],
  Hour: [0x04, 'u8'],
  Minute: [0x05, 'u8'],
  Second: [0x06, 'u8'],
  Pad1: [0x07, 'u8'],
  Nanosecond: [0x08, 'u32'],
  TimeZone: [0x0c, 'i16'],
  Daylight: [0x0e, 'u8'],
  Pad2: [0x0f, 'u8'],
});
export const EFI_UNSPECIFIED_TIMEZONE = 0x07ff;

export const TimeCapabilities = defineStruct('EFI_TIME_CAPABILITIES', 12, {
  Resolution: [0x00, 'u32'],
  Accuracy: [0x04, 'u32'],
  SetsToZero: [0x08, 'u8'],
});

/** EFI_DEVICE_PATH_PROTOCOL node header. */
export const DevicePathNode = defineStruct('EFI_DEVICE_PATH_PROTOCOL', 4, {
  Type: [0x00, 'u8'],
  SubType: [0x01, 'u8'],
  Length: [0x02, 'u16'],
});
