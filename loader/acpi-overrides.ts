/**
 * ACPI table overrides (`build --acpi-table FILE`, payload catalog type 5): compiled tables (for example
 * `iasl` output, .aml) that the loader stub puts in front of the firmware's at boot. The stub trusts what
 * the composer packed, so every check a table needs happens here: header present, length equal to the
 * file, checksum zero, a signature the stub can place, one override per table it replaces.
 *
 * Placement rules (implemented in loader/stub/x86_64/acpi.c): a table replaces the firmware's table with
 * the same signature; an SSDT replaces the SSDT with the same OEM Table ID and is added otherwise; a table
 * the firmware lacks is added; a DSDT is reached through the FADT; an overriding FADT keeps the machine's
 * FACS and DSDT pointers. RSDT and XSDT are rebuilt by the stub and FACS has no table header, so those
 * three cannot be overridden.
 */
import { basename } from 'node:path';
import { viewOf } from '../common/struct.js';
import { SdtHeader, sum8 } from '../platform/acpi/sdt-header.js';
import { catalogName, readInput } from './inputs.js';
import { PayloadType, type CatalogPayload } from './catalog.js';
import { PayloadError } from './errors.js';

const NOT_OVERRIDABLE: Readonly<Record<string, string>> = {
  RSDT: 'the loader stub builds the root tables itself from the firmware\'s and the overrides',
  XSDT: 'the loader stub builds the root tables itself from the firmware\'s and the overrides',
  FACS: 'the FACS is firmware-owned memory shared with the waking vector, not a table to replace',
};

/** The stub copies an overriding FADT into a buffer of this size (FADT_MAX_LENGTH in acpi.c). */
const FADT_MAX_LENGTH = 512;

export interface AcpiOverride {
  file: string;
  signature: string;
  oemTableId: string;
  bytes: Uint8Array;
}

/** Checks one compiled table; throws PayloadError naming the file, offset and field. */
export function validateAcpiOverride(bytes: Uint8Array, file: string): AcpiOverride {
  if (bytes.length < SdtHeader.size) {
    throw new PayloadError(file, bytes.length, 'acpi_sdt_header', `file has ${bytes.length} bytes, an ACPI table needs at least its ${SdtHeader.size}-byte header`);
  }
  const h = SdtHeader.read(viewOf(bytes), 0, file);
  if (!/^[A-Z0-9_]{4}$/.test(h.signature)) {
    throw new PayloadError(file, 0, 'acpi_sdt_header.signature', `${JSON.stringify(h.signature)} is not an ACPI table signature (4 characters A-Z, 0-9, _)`);
  }
  const refusal = NOT_OVERRIDABLE[h.signature];
  if (refusal) throw new PayloadError(file, 0, 'acpi_sdt_header.signature', `${h.signature} cannot be overridden: ${refusal}`);
  if (h.length !== bytes.length) {
    throw new PayloadError(file, SdtHeader.offsetOf('length'), 'acpi_sdt_header.length', `is ${h.length}, but the file has ${bytes.length} bytes`);
  }
  if (h.signature === 'FACP' && h.length > FADT_MAX_LENGTH) {
    throw new PayloadError(file, SdtHeader.offsetOf('length'), 'acpi_sdt_header.length', `a FADT of ${h.length} bytes is longer than the ${FADT_MAX_LENGTH} the loader stub takes`);
  }
  const sum = sum8(bytes);
  if (sum !== 0) {
    throw new PayloadError(file, SdtHeader.offsetOf('checksum'), 'acpi_sdt_header.checksum', `table bytes sum to 0x${sum.toString(16)}, not 0`);
  }
  return { file, signature: h.signature, oemTableId: h.oem_table_id, bytes };
}

/** Reads and checks every override; two overrides of the same firmware table are refused. */
export function loadAcpiOverrides(files: readonly string[]): AcpiOverride[] {
  const overrides: AcpiOverride[] = [];
  for (const file of files) {
    const o = validateAcpiOverride(readInput(file, 'ACPI table'), file);
    const clash = overrides.find((p) => p.signature === o.signature && (o.signature !== 'SSDT' || p.oemTableId === o.oemTableId));
    if (clash) {
      const what = o.signature === 'SSDT' ? `SSDT with OEM Table ID ${JSON.stringify(o.oemTableId)}` : o.signature;
      throw new PayloadError(file, 0, 'acpi_sdt_header.signature', `${what} is already overridden by ${clash.file}`);
    }
    overrides.push(o);
  }
  return overrides;
}

export function acpiOverridePayloads(overrides: readonly AcpiOverride[]): CatalogPayload[] {
  return overrides.map((o) => ({ type: PayloadType.ACPI_TABLE, name: catalogName(basename(o.file)), data: o.bytes }));
}
