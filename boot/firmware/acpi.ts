/**
 * Puts the board's ACPI tables into guest memory for any firmware path. Tables laid out in free RAM become
 * EfiACPIReclaimMemory (E820 type 3), as OVMF reports them; tables in the BIOS area (0xe0000, inside the
 * reserved legacy hole, where a legacy RSDP scan finds them) stay reserved, as SeaBIOS reports them.
 */
import type { PhysicalBus } from '../../platform/memory/bus.js';
import type { FirmwareMemoryMap } from './memory-map.js';
import { EfiACPIReclaimMemory } from './memory-types.js';

export interface AcpiTablesInput {
  /** Guest-physical address the tables were laid out for. */
  readonly base: number;
  readonly bytes: Uint8Array;
  readonly rsdpAddress: number;
}

export function installAcpiTables(bus: PhysicalBus, memory: FirmwareMemoryMap, acpi: AcpiTablesInput): Uint8Array {
  bus.writeBytes(acpi.base, acpi.bytes);
  if (memory.isFree(acpi.base, acpi.bytes.length)) memory.claim(acpi.base, acpi.bytes.length, EfiACPIReclaimMemory);
  return rsdpBytes(bus, acpi.rsdpAddress);
}

/** The RSDP as a loader finds it: 20 bytes for revision 0, `length` bytes (offset 20) for revision 2+. */
export function rsdpBytes(bus: PhysicalBus, address: number): Uint8Array {
  const revision = bus.read8(address + 15);
  return bus.readBytes(address, revision >= 2 ? bus.read32(address + 20) : 20);
}
