/**
 * The built-in UEFI firmware: builds the system table, boot and runtime services, console, GOP and
 * configuration tables in guest memory, loads a PE/COFF application and describes the CPU state it is
 * entered with. Every service is a trap address (boot/firmware/traps.ts); the CPU's run loop hands
 * control to `traps.dispatch` when it reaches one.
 *
 * One firmware, two architectures (options.arch): x86_64 (OVMF-like: MS x64 ABI, long mode, BOOTX64.EFI)
 * and aarch64 (AAVMF-like: AAPCS64, EL2/EL1 with an identity map, BOOTAA64.EFI, the board's device tree as
 * the EFI_DTB_TABLE configuration table). The services, tables and memory map are shared.
 *
 * Placement follows OVMF: the system table, runtime services table, configuration table array, SMBIOS and
 * the trap page live in runtime memory (they survive ExitBootServices); the boot services table, protocol
 * interfaces, handles, stack, GDT and page tables are boot-services memory.
 */
import { NotImplementedError } from '../../../common/errors.js';
import { IDENTITY_MAP_TABLE_SIZE, MAIR_VALUE, SCTLR_C, SCTLR_I, SCTLR_M, identityMapTcr, writeAarch64IdentityMap, writeGuardVectors, type Aarch64EntryState } from '../../firmware/aarch64-entry.js';
import { viewOf } from '../../../common/struct.js';
import type { PhysicalBus } from '../../../platform/memory/bus.js';
import { installAcpiTables, type AcpiTablesInput } from '../../firmware/acpi.js';
import { ManualClock, type FirmwareClock } from '../../firmware/clock.js';
import { A64_X0, X86_RAX, regBig, type FirmwareArch } from '../../firmware/cpu.js';
import { FirmwareHeap } from '../../firmware/heap.js';
import { GuestMemory } from '../../firmware/guest-memory.js';
import { EFI_PAGE_SIZE, mustAllocate, type FirmwareMemoryMap } from '../../firmware/memory-map.js';
import { EfiACPIReclaimMemory, EfiBootServicesData, EfiLoaderCode, EfiLoaderData, EfiRuntimeServicesCode, EfiRuntimeServicesData } from '../../firmware/memory-types.js';
import { FirmwareTrace, traceHex } from '../../firmware/trace.js';
import { TrapRegistry } from '../../firmware/traps.js';
import { identityMapSize, modeRegisters, writeGdt, writeIdentityMap, type X86EntryState } from '../../firmware/x86-entry.js';
import { bootServiceHandlers } from './boot-services.js';
import { installConsole, type ConsoleIo, type ConsoleProtocols } from './console.js';
import { ucs2Bytes, writePtr, type UefiContext } from './context.js';
import { crc32 } from './crc32.js';
import { eisaPnpId, encodeDevicePath } from './device-path.js';
import { EventService } from './events.js';
import { framebufferSize, installGop, type Framebuffer } from './gop.js';
import * as G from './guids.js';
import { HandleDatabase } from './handles.js';
import { loadPeImage, type LoadedPeImage } from './pe-loader.js';
import { runtimeServiceHandlers } from './runtime-services.js';
import { DEFAULT_SMBIOS_IDENTITY, encodeSmbios3EntryPoint, encodeSmbiosStructures, type SmbiosIdentity } from '../../firmware/smbios.js';
import { statusName } from './status.js';
import {
  BOOT_SERVICE_NAMES,
  BootServices,
  ConfigurationTable,
  EFI_2_70_REVISION,
  EFI_BOOT_SERVICES_SIGNATURE,
  EFI_RUNTIME_SERVICES_SIGNATURE,
  EFI_SYSTEM_TABLE_SIGNATURE,
  LOADED_IMAGE_PROTOCOL_REVISION,
  LoadedImage,
  MEMORY_DESCRIPTOR_SIZE,
  EFI_MEMORY_DESCRIPTOR_VERSION,
  MemoryDescriptor,
  RUNTIME_SERVICE_NAMES,
  RuntimeServices,
  SystemTable,
  TableHeader,
} from './tables.js';
import { VariableStore, type Variable } from './variables.js';

export type AcpiInput = AcpiTablesInput;

export interface UefiFirmwareOptions {
  bus: PhysicalBus;
  /** The CPU architecture the firmware serves (trap guards, calling convention, PE machine). Default x86_64. */
  arch?: FirmwareArch;
  memory: FirmwareMemoryMap;
  console: ConsoleIo;
  /** The board's ACPI tables; installed as the ACPI 2.0 (and 1.0) configuration table. */
  acpi?: AcpiInput;
  /**
   * The board's flattened device tree: copied into EfiACPIReclaimMemory and installed as the
   * EFI_DTB_TABLE_GUID configuration table (UEFI 2.10, 4.6.1.3), as AArch64 firmware that boots with a
   * devicetree does (U-Boot, EDK2's FdtDxe).
   */
  deviceTree?: Uint8Array;
  /** A linear framebuffer for GOP; mapped as RAM on the bus when nothing is there yet. */
  framebuffer?: Framebuffer;
  clock?: FirmwareClock;
  trace?: FirmwareTrace;
  /** EFI_SYSTEM_TABLE.FirmwareVendor (OVMF: "EDK II"). */
  firmwareVendor?: string;
  firmwareRevision?: number;
  /** Unix seconds the RTC shows at virtual time 0 (default 2026-01-01T00:00:00Z): runs stay deterministic. */
  epochSeconds?: number;
  variables?: readonly Variable[];
  smbios?: Partial<SmbiosIdentity>;
  /**
   * Scenario: on the first N ExitBootServices calls the firmware allocates a page of boot-services data just
   * before checking the key, as a timer or event notification inside real firmware may do. The caller's key
   * is then stale and ExitBootServices fails with EFI_INVALID_PARAMETER; a correct loader fetches a fresh
   * map and tries again (UEFI 2.10, 7.4). Default 0.
   */
  staleMapKeyAttempts?: number;
  /** Highest address the identity map must cover (default: 4 GiB or the end of RAM, whichever is higher). */
  identityMapTop?: number;
}

export interface LoadedUefiImage {
  pe: LoadedPeImage;
  imageHandle: number;
  loadedImage: number;
  loadOptions: number;
  loadOptionsSize: number;
}

export const DEFAULT_EPOCH_SECONDS = Date.UTC(2026, 0, 1) / 1000;
/** OVMF's DXE stack is 128 KiB; the application runs on it. */
export const STACK_SIZE = 128 * 1024;
/** OVMF's long-mode selectors (UefiCpuPkg GDT: LINEAR_SEL 0x30, LINEAR_CODE64_SEL 0x38). */
export const OVMF_DATA_SELECTOR = 0x30;
export const OVMF_CODE64_SELECTOR = 0x38;
/** BDS arms a 5-minute watchdog before it starts a boot option (UEFI 2.10, 3.1.2). */
export const BOOT_WATCHDOG_SECONDS = 300;
const TRAP_PAGES = 2;
const CONFIG_TABLE_CAPACITY = 16;
const FOUR_GIB = 0x1_0000_0000;
/** The removable-media boot file of each architecture (UEFI 2.10, 3.5.1.1). */
export const DEFAULT_BOOT_FILE: Record<FirmwareArch, string> = { x86_64: '\\EFI\\BOOT\\BOOTX64.EFI', aarch64: '\\EFI\\BOOT\\BOOTAA64.EFI' };


export class UefiFirmware {
  readonly ctx: UefiContext;
  readonly trace: FirmwareTrace;
  readonly traps: TrapRegistry;
  readonly events: EventService;
  readonly variables: VariableStore;
  readonly console: ConsoleProtocols;
  readonly systemTable: number;
  readonly bootServices: number;
  readonly runtimeServices: number;
  readonly consoleInHandle: number;
  readonly consoleOutHandle: number;
  readonly standardErrorHandle: number;
  readonly gop?: number;
  readonly smbiosEntryPoint: number;
  readonly arch: FirmwareArch;
  /** AArch64: the firmware's exception vector table (VBAR of the entry state), once an entry state was built. */
  exceptionVectors?: number;
  /** Where the device tree lies (EFI_DTB_TABLE), when the board gave one. */
  readonly deviceTreeAddress?: number;
  readonly watchdog: { timeoutSeconds: number; firesAtNs?: number } = { timeoutSeconds: 0 };
  private readonly configTables: Array<{ guid: string; table: number }> = [];
  private readonly configArray: number;
  private readonly imageReturnTrap: number;
  private staleKeysLeft: number;

  constructor(private readonly options: UefiFirmwareOptions) {
    const { bus, memory } = options;
    this.trace = options.trace ?? new FirmwareTrace();
    this.staleKeysLeft = options.staleMapKeyAttempts ?? 0;
    this.arch = options.arch ?? 'x86_64';
    const trapBase = mustAllocate('UEFI trap page', memory.allocatePages(EfiRuntimeServicesCode, TRAP_PAGES), TRAP_PAGES * EFI_PAGE_SIZE);
    const guestMemory = new GuestMemory(bus);
    this.traps = new TrapRegistry(bus, this.arch, trapBase, TRAP_PAGES * EFI_PAGE_SIZE, this.trace, guestMemory);
    this.traps.describeResult = (v) => statusName(v);
    const bootHeap = new FirmwareHeap(memory, EfiBootServicesData);
    const runtimeHeap = new FirmwareHeap(memory, EfiRuntimeServicesData, 1);
    this.ctx = {
      bus: guestMemory,
      memory,
      traps: this.traps,
      trace: this.trace,
      clock: options.clock ?? new ManualClock(),
      bootHeap,
      runtimeHeap,
      handles: new HandleDatabase(bootHeap),
      exited: false,
    };
    this.events = new EventService(this.ctx);
    this.variables = new VariableStore(options.variables);

    // Boot services table.
    const bs = this.ctx.bootHeap.alloc(BootServices.size);
    const bsHandlers = bootServiceHandlers(this.ctx, {
      events: this.events,
      installConfigurationTable: (guid, table) => this.installConfigurationTable(guid, table),
      onExitBootServices: () => this.onExitBootServices(),
      beforeExitBootServices: () => {
        if (this.staleKeysLeft <= 0) return;
        this.staleKeysLeft--;
        memory.allocatePages(EfiBootServicesData, 1);
        this.trace.record('firmware', 'map-changed-before-exit-boot-services', { scenario: 'stale map key', mapKey: memory.mapKey });
      },
      watchdog: this.watchdog,
    });
    const bsValues: Record<string, bigint> = { Signature: EFI_BOOT_SERVICES_SIGNATURE, Revision: EFI_2_70_REVISION, HeaderSize: BootServices.size, CRC32: 0, Reserved: 0 } as never;
    for (const name of BOOT_SERVICE_NAMES) {
      const entry = bsHandlers[name];
      bsValues[name] = entry ? BigInt(this.traps.register(`BS.${name}`, entry[0], entry[1])) : 0n;
    }
    this.writeTable(BootServices, bs, bsValues);
    this.bootServices = bs;

    // Runtime services table.
    const rt = this.ctx.runtimeHeap.alloc(RuntimeServices.size);
    const rtHandlers = runtimeServiceHandlers(this.ctx, { variables: this.variables, epochSeconds: options.epochSeconds ?? DEFAULT_EPOCH_SECONDS });
    const rtValues: Record<string, bigint> = { Signature: EFI_RUNTIME_SERVICES_SIGNATURE, Revision: EFI_2_70_REVISION, HeaderSize: RuntimeServices.size } as never;
    for (const name of RUNTIME_SERVICE_NAMES) {
      const [arity, fn] = rtHandlers[name];
      rtValues[name] = BigInt(this.traps.register(`RT.${name}`, arity, fn));
    }
    this.writeTable(RuntimeServices, rt, rtValues);
    this.runtimeServices = rt;

    this.imageReturnTrap = this.traps.register('ImageReturn', 0, (c) => {
      // The status is the entry point's return value: RAX (MS x64) or X0 (AAPCS64).
      const status = regBig(c.cpu, this.arch === 'x86_64' ? X86_RAX : A64_X0);
      return { stop: true, reason: `the image returned ${statusName(status)} from its entry point`, exitCode: status === 0n ? 0 : 1 };
    });

    // Consoles: ConIn and ConOut (+GOP) on their own handles, StdErr on a third, as OVMF's ConSplitter does.
    this.console = installConsole(this.ctx, options.console, this.events);
    const handles = this.ctx.handles;
    this.consoleInHandle = handles.create();
    handles.install(this.consoleInHandle, G.SIMPLE_TEXT_INPUT_PROTOCOL, this.console.conIn);
    this.consoleOutHandle = handles.create();
    handles.install(this.consoleOutHandle, G.SIMPLE_TEXT_OUTPUT_PROTOCOL, this.console.conOut);
    this.standardErrorHandle = handles.create();
    handles.install(this.standardErrorHandle, G.SIMPLE_TEXT_OUTPUT_PROTOCOL, this.console.stdErr);
    if (options.framebuffer) {
      const fb = options.framebuffer;
      if (!bus.regionAt(fb.base)) bus.addRam('framebuffer', fb.base, Math.ceil(framebufferSize(fb) / EFI_PAGE_SIZE) * EFI_PAGE_SIZE);
      this.gop = installGop(this.ctx, fb);
      handles.install(this.consoleOutHandle, G.GRAPHICS_OUTPUT_PROTOCOL, this.gop);
    }

    // System table.
    const vendor = ucs2Bytes(options.firmwareVendor ?? 'nova-image');
    const vendorAt = this.ctx.runtimeHeap.alloc(vendor.length);
    bus.writeBytes(vendorAt, vendor);
    this.configArray = this.ctx.runtimeHeap.alloc(ConfigurationTable.size * CONFIG_TABLE_CAPACITY);
    this.systemTable = this.ctx.runtimeHeap.alloc(SystemTable.size);
    this.writeTable(SystemTable, this.systemTable, {
      Signature: EFI_SYSTEM_TABLE_SIGNATURE,
      Revision: EFI_2_70_REVISION,
      HeaderSize: SystemTable.size,
      FirmwareVendor: BigInt(vendorAt),
      FirmwareRevision: options.firmwareRevision ?? 0x10000,
      ConsoleInHandle: BigInt(this.consoleInHandle),
      ConIn: BigInt(this.console.conIn),
      ConsoleOutHandle: BigInt(this.consoleOutHandle),
      ConOut: BigInt(this.console.conOut),
      StandardErrorHandle: BigInt(this.standardErrorHandle),
      StdErr: BigInt(this.console.stdErr),
      RuntimeServices: BigInt(rt),
      BootServices: BigInt(bs),
      NumberOfTableEntries: 0n,
      ConfigurationTable: BigInt(this.configArray),
    });

    // Configuration tables: ACPI (2.0 and 1.0 GUIDs, both pointing at the RSDP, as OVMF installs them), SMBIOS 3.
    if (options.acpi) {
      installAcpiTables(bus, memory, options.acpi);
      this.installConfigurationTable(G.ACPI_20_TABLE, options.acpi.rsdpAddress);
      this.installConfigurationTable(G.ACPI_10_TABLE, options.acpi.rsdpAddress);
    }
    if (options.deviceTree) {
      const dt = options.deviceTree;
      const pages = Math.ceil(dt.length / EFI_PAGE_SIZE);
      const at = mustAllocate('device tree', memory.allocatePages(EfiACPIReclaimMemory, pages), pages * EFI_PAGE_SIZE);
      bus.writeBytes(at, dt);
      this.deviceTreeAddress = at;
      this.installConfigurationTable(G.DTB_TABLE, at);
    }
    const structures = encodeSmbiosStructures({ ...DEFAULT_SMBIOS_IDENTITY, ...options.smbios }, true);
    const structuresAt = this.ctx.runtimeHeap.alloc(structures.length, 16);
    bus.writeBytes(structuresAt, structures);
    this.smbiosEntryPoint = this.ctx.runtimeHeap.alloc(24, 16);
    bus.writeBytes(this.smbiosEntryPoint, encodeSmbios3EntryPoint(structuresAt, structures.length));
    this.installConfigurationTable(G.SMBIOS3_TABLE, this.smbiosEntryPoint);
    this.trace.record('firmware', 'uefi-ready', { systemTable: traceHex(this.systemTable), traps: this.traps.functions.length, mapKey: memory.mapKey });
  }

  get configurationTables(): ReadonlyArray<{ guid: string; table: number }> {
    return this.configTables;
  }

  /** Loads a PE/COFF application and creates its image handle (LoadedImage, LoadedImageDevicePath). */
  loadImage(bytes: Uint8Array, file: string, opts: { commandLine?: string; filePath?: string } = {}): LoadedUefiImage {
    const { bus, handles } = this.ctx;
    const pe = loadPeImage(this.options.bus, this.ctx.memory, bytes, file, this.arch);
    const bootFile = opts.filePath ?? DEFAULT_BOOT_FILE[this.arch];
    this.trace.record('load', 'pe-image', { file, base: traceHex(pe.base), size: traceHex(pe.size), entry: traceHex(pe.entry), delta: pe.delta, relocations: pe.relocationsApplied });
    // The device the image came from: PciRoot(0x0) with a device path only (no file system is offered).
    const deviceHandle = handles.create();
    const devicePath = encodeDevicePath([{ kind: 'acpi', hid: eisaPnpId(0x0a03), uid: 0 }]);
    const devicePathAt = this.ctx.bootHeap.alloc(devicePath.length);
    bus.writeBytes(devicePathAt, devicePath);
    handles.install(deviceHandle, G.DEVICE_PATH_PROTOCOL, devicePathAt);
    const filePath = encodeDevicePath([{ kind: 'file', path: bootFile }]);
    const filePathAt = this.ctx.bootHeap.alloc(filePath.length);
    bus.writeBytes(filePathAt, filePath);
    const fullPath = encodeDevicePath([{ kind: 'acpi', hid: eisaPnpId(0x0a03), uid: 0 }, { kind: 'file', path: bootFile }]);
    const fullPathAt = this.ctx.bootHeap.alloc(fullPath.length);
    bus.writeBytes(fullPathAt, fullPath);
    // LoadOptions: the command line as a NUL-terminated UCS-2 string, as the UEFI shell and boot entries pass it.
    let loadOptions = 0;
    let loadOptionsSize = 0;
    if (opts.commandLine !== undefined) {
      const text = ucs2Bytes(opts.commandLine);
      loadOptions = this.ctx.bootHeap.alloc(text.length);
      bus.writeBytes(loadOptions, text);
      loadOptionsSize = text.length;
    }
    const loadedImage = this.ctx.bootHeap.alloc(LoadedImage.size);
    bus.writeBytes(loadedImage, LoadedImage.encode({
      Revision: LOADED_IMAGE_PROTOCOL_REVISION,
      ParentHandle: 0n,
      SystemTable: BigInt(this.systemTable),
      DeviceHandle: BigInt(deviceHandle),
      FilePath: BigInt(filePathAt),
      Reserved: 0n,
      LoadOptionsSize: loadOptionsSize,
      LoadOptions: BigInt(loadOptions),
      ImageBase: BigInt(pe.base),
      ImageSize: BigInt(pe.size),
      ImageCodeType: pe.codeType,
      ImageDataType: pe.dataType,
      Unload: 0n,
    }));
    const imageHandle = handles.create();
    handles.install(imageHandle, G.LOADED_IMAGE_PROTOCOL, loadedImage);
    handles.install(imageHandle, G.LOADED_IMAGE_DEVICE_PATH_PROTOCOL, fullPathAt);
    return { pe, imageHandle, loadedImage, loadOptions, loadOptionsSize };
  }

  /**
   * The CPU state StartImage enters the application with (x64): long mode, identity-mapped, interrupts off,
   * RCX = ImageHandle, RDX = SystemTable, RSP 16-byte aligned before the call pushed the return address,
   * 32 bytes of shadow space above it, and the return address a trap that ends the run with the image's
   * status. Arms the 5-minute boot watchdog as BDS does.
   */
  entryState(image: LoadedUefiImage): X86EntryState {
    if (this.arch !== 'x86_64') throw new NotImplementedError(`UefiFirmware.entryState is the x64 hand-over; this firmware serves ${this.arch} (use entryStateAarch64)`);
    const env = this.longModeEnvironment();
    const rsp = env.stackTop - 32 - 8;
    writePtr(this.ctx.bus, rsp, this.imageReturnTrap);
    this.watchdog.timeoutSeconds = BOOT_WATCHDOG_SECONDS;
    this.watchdog.firesAtNs = this.ctx.clock.nowNs() + BOOT_WATCHDOG_SECONDS * 1e9;
    this.trace.record('start', 'StartImage', { entry: traceHex(image.pe.entry), imageHandle: traceHex(image.imageHandle), systemTable: traceHex(this.systemTable), rsp: traceHex(rsp) });
    return { ...env.state, rip: image.pe.entry, regs: { rcx: image.imageHandle, rdx: this.systemTable, rsp } };
  }

  private environment?: { state: X86EntryState; stackTop: number };

  /**
   * The long-mode environment the firmware runs its applications in, built once: identity-mapped page
   * tables up to 4 GiB or the end of RAM, OVMF's GDT selectors, a 128 KiB stack. Loaders that enter a
   * kernel with boot services alive (Multiboot2 EFI flavour) enter it in this same environment.
   */
  longModeEnvironment(): { state: X86EntryState; stackTop: number } {
    if (this.environment) return this.environment;
    const { bus, memory } = this.ctx;
    const top = this.options.identityMapTop ?? Math.max(FOUR_GIB, ...memory.descriptors().map((d) => d.base + d.pages * EFI_PAGE_SIZE));
    const tablesSize = identityMapSize(top);
    const pt = mustAllocate('page tables', memory.allocatePages(EfiBootServicesData, tablesSize / EFI_PAGE_SIZE), tablesSize);
    const cr3 = writeIdentityMap(bus, pt, top);
    const gdtAt = this.ctx.bootHeap.alloc(OVMF_CODE64_SELECTOR + 8, 16);
    const gdt = writeGdt(bus, gdtAt, [[OVMF_DATA_SELECTOR, 'data'], [OVMF_CODE64_SELECTOR, 'code64']]);
    const stack = mustAllocate('stack', memory.allocatePages(EfiBootServicesData, STACK_SIZE / EFI_PAGE_SIZE), STACK_SIZE);
    const stackTop = stack + STACK_SIZE;
    this.environment = {
      stackTop,
      state: { rip: 0, regs: { rsp: stackTop }, gdt, segments: { cs: OVMF_CODE64_SELECTOR, ds: OVMF_DATA_SELECTOR }, ...modeRegisters('uefi', cr3) },
    };
    return this.environment;
  }

  /** Current memory map as GetMemoryMap returns it: descriptors of MEMORY_DESCRIPTOR_SIZE bytes and the key. */
  memoryMapSnapshot(): { bytes: Uint8Array; mapKey: number; descriptorSize: number; descriptorVersion: number } {
    const descriptors = this.ctx.memory.descriptors();
    const bytes = new Uint8Array(descriptors.length * MEMORY_DESCRIPTOR_SIZE);
    descriptors.forEach((d, i) =>
      MemoryDescriptor.write(viewOf(bytes), i * MEMORY_DESCRIPTOR_SIZE, { Type: d.type, PhysicalStart: BigInt(d.base), VirtualStart: 0n, NumberOfPages: BigInt(d.pages), Attribute: d.attribute }),
    );
    return { bytes, mapKey: this.ctx.memory.mapKey, descriptorSize: MEMORY_DESCRIPTOR_SIZE, descriptorVersion: EFI_MEMORY_DESCRIPTOR_VERSION };
  }

  /**
   * ExitBootServices performed by a loader that lives inside the firmware (the Multiboot2 path plays GRUB):
   * takes the final memory map and exits with its key, exactly as a guest loader would.
   */
  exitBootServicesFromLoader(loader: string): Uint8Array {
    const snap = this.memoryMapSnapshot();
    this.trace.record('exit-boot-services', 'ExitBootServices', { by: loader, mapKey: snap.mapKey, currentMapKey: this.ctx.memory.mapKey, outcome: 'EFI_SUCCESS' });
    this.ctx.exited = true;
    this.onExitBootServices();
    return snap.bytes;
  }

  /**
   * An image handle for a loader that runs inside the firmware (the Multiboot2 path plays GRUB, which is
   * itself a UEFI application): LoadedImage with no image bytes of its own.
   */
  installLoaderImage(): number {
    const loadedImage = this.ctx.bootHeap.alloc(LoadedImage.size);
    this.ctx.bus.writeBytes(loadedImage, LoadedImage.encode({
      Revision: LOADED_IMAGE_PROTOCOL_REVISION, SystemTable: BigInt(this.systemTable), ImageCodeType: EfiLoaderCode, ImageDataType: EfiLoaderData,
    }));
    const handle = this.ctx.handles.create();
    this.ctx.handles.install(handle, G.LOADED_IMAGE_PROTOCOL, loadedImage);
    return handle;
  }

  /**
   * The CPU state StartImage enters an AArch64 application with (UEFI 2.10, 2.3.6): at `el` (the firmware's
   * own level: EL2 on a board with virtualization), SP_ELx 16-byte aligned at the top of a 128 KiB
   * boot-services stack, X0 = ImageHandle, X1 = SystemTable, LR = a trap that ends the run with the image's
   * status, and the MMU on with an identity map of the memory map (RAM Normal write-back, the rest Device)
   * built in boot-services memory, caches on, little-endian. Interrupts stay masked: the firmware arms no
   * interrupt source and installs no vectors, so no interrupt could be taken anyway. Arms the boot watchdog.
   */
  entryStateAarch64(image: LoadedUefiImage, el: 1 | 2): Aarch64EntryState {
    if (this.arch !== 'aarch64') throw new NotImplementedError(`UefiFirmware.entryStateAarch64 on a ${this.arch} firmware`);
    const { bus, memory } = this.ctx;
    const table = mustAllocate('page tables', memory.allocatePages(EfiBootServicesData, IDENTITY_MAP_TABLE_SIZE / EFI_PAGE_SIZE), IDENTITY_MAP_TABLE_SIZE);
    const mapped = memory.descriptors().map((d) => ({ base: d.base, size: d.pages * EFI_PAGE_SIZE }));
    writeAarch64IdentityMap(bus, table, mapped);
    const stack = mustAllocate('stack', memory.allocatePages(EfiBootServicesData, STACK_SIZE / EFI_PAGE_SIZE), STACK_SIZE);
    const sp = stack + STACK_SIZE;
    // Exception vectors in runtime memory (the OS never reuses it): an exception the image takes before it
    // installs its own ends the run with a verdict naming ESR/ELR/FAR, as AAVMF's handler prints them.
    const vbar = this.exceptionVectors ??= mustAllocate('exception vectors', memory.allocatePages(EfiRuntimeServicesCode, 1), EFI_PAGE_SIZE);
    writeGuardVectors(bus, vbar);
    this.watchdog.timeoutSeconds = BOOT_WATCHDOG_SECONDS;
    this.watchdog.firesAtNs = this.ctx.clock.nowNs() + BOOT_WATCHDOG_SECONDS * 1e9;
    this.trace.record('start', 'StartImage', { entry: traceHex(image.pe.entry), imageHandle: traceHex(image.imageHandle), systemTable: traceHex(this.systemTable), sp: traceHex(sp), el, ttbr0: traceHex(table) });
    return {
      el,
      pc: image.pe.entry,
      x: [image.imageHandle, this.systemTable],
      sp,
      lr: this.imageReturnTrap,
      vbar,
      mmu: { ttbr0: table, tcr: identityMapTcr(el), mair: MAIR_VALUE, sctlrSet: SCTLR_M | SCTLR_C | SCTLR_I },
    };
  }

  private writeTable(table: typeof SystemTable | typeof BootServices | typeof RuntimeServices, at: number, values: Record<string, unknown>): void {
    const bytes = (table.encode as (v: object) => Uint8Array)(values);
    this.ctx.bus.writeBytes(at, bytes);
    this.updateCrc(at, table.size);
  }

  /** UEFI 2.10, 4.2: CRC32 over HeaderSize bytes with the CRC32 field taken as 0. */
  private updateCrc(at: number, size: number): void {
    const bytes = this.ctx.bus.readBytes(at, size);
    viewOf(bytes).setUint32(TableHeader.offsetOf('CRC32'), 0, true);
    this.ctx.bus.write32(at + TableHeader.offsetOf('CRC32'), crc32(bytes));
  }

  private installConfigurationTable(guid: string, table: number): boolean {
    const i = this.configTables.findIndex((t) => t.guid === guid);
    if (table === 0) {
      if (i < 0) return false;
      this.configTables.splice(i, 1);
    } else if (i >= 0) {
      this.configTables[i]!.table = table;
    } else {
      if (this.configTables.length >= CONFIG_TABLE_CAPACITY) throw new NotImplementedError(`more than ${CONFIG_TABLE_CAPACITY} configuration tables`);
      this.configTables.push({ guid, table });
    }
    const bytes = new Uint8Array(ConfigurationTable.size * CONFIG_TABLE_CAPACITY);
    this.configTables.forEach((t, k) => ConfigurationTable.write(viewOf(bytes), k * ConfigurationTable.size, { VendorGuid: G.guidBytes(t.guid), VendorTable: BigInt(t.table) }));
    this.ctx.bus.writeBytes(this.configArray, bytes);
    if (this.systemTable) {
      writePtr(this.ctx.bus, this.systemTable + SystemTable.offsetOf('NumberOfTableEntries'), this.configTables.length);
      this.updateCrc(this.systemTable, SystemTable.size);
    }
    return true;
  }

  /** EDK2's CoreExitBootServices: clear the non-runtime system-table fields, recompute the CRC, zero gBS. */
  private onExitBootServices(): void {
    const { bus } = this.ctx;
    for (const f of ['BootServices', 'ConIn', 'ConsoleInHandle', 'ConOut', 'ConsoleOutHandle', 'StdErr', 'StandardErrorHandle'] as const) {
      writePtr(bus, this.systemTable + SystemTable.offsetOf(f), 0);
    }
    this.updateCrc(this.systemTable, SystemTable.size);
    bus.writeBytes(this.bootServices, new Uint8Array(BootServices.size));
    this.watchdog.timeoutSeconds = 0;
    this.watchdog.firesAtNs = undefined;
  }
}
