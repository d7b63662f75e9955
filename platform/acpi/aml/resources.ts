/**
 * Resource descriptors for _CRS (ACPI 6.5 section 6.4): the small and large descriptors our DSDT uses,
 * and ResourceTemplate() that wraps them in a Buffer with an End Tag.
 */
import { defineStruct } from '../../../common/struct.js';
import { buffer, concat, type Aml } from './encoder.js';

const IoPort = defineStruct('acpi_res_io', 8, {
  tag: [0, 'u8'],
  info: [1, 'u8'],
  min: [2, 'u16'],
  max: [4, 'u16'],
  alignment: [6, 'u8'],
  length: [7, 'u8'],
});
const IrqNoFlags = defineStruct('acpi_res_irq', 3, { tag: [0, 'u8'], mask: [1, 'u16'] });
const WordAddress = defineStruct('acpi_res_word_address', 16, {
  tag: [0, 'u8'],
  length: [1, 'u16'],
  resource_type: [3, 'u8'],
  general_flags: [4, 'u8'],
  type_flags: [5, 'u8'],
  granularity: [6, 'u16'],
  min: [8, 'u16'],
  max: [10, 'u16'],
  translation: [12, 'u16'],
  range_length: [14, 'u16'],
});
const DWordAddress = defineStruct('acpi_res_dword_address', 26, {
  tag: [0, 'u8'],
  length: [1, 'u16'],
  resource_type: [3, 'u8'],
  general_flags: [4, 'u8'],
  type_flags: [5, 'u8'],
  granularity: [6, 'u32'],
  min: [10, 'u32'],
  max: [14, 'u32'],
  translation: [18, 'u32'],
  range_length: [22, 'u32'],
});
const Memory32Fixed = defineStruct('acpi_res_memory32_fixed', 12, {
  tag: [0, 'u8'],
  length: [1, 'u16'],
  info: [3, 'u8'],
  base: [4, 'u32'],
  range_length: [8, 'u32'],
});

/** Small item tags (type, length folded in) and large item tags. */
const TAG_IRQ_NO_FLAGS = 0x22;
const TAG_IO = 0x47;
const TAG_END = 0x79;
const TAG_MEMORY32_FIXED = 0x86;
const TAG_DWORD_ADDRESS = 0x87;
const TAG_WORD_ADDRESS = 0x88;

const RESOURCE_MEMORY = 0;
const RESOURCE_IO = 1;
const RESOURCE_BUS = 2;
/** General flags: producer, positive decode, min and max fixed. */
const PRODUCER_FIXED = (1 << 2) | (1 << 3);
/** I/O type flags: decode the entire ISA range. */
const IO_ENTIRE_RANGE = 3;
/** Memory type flags: read-write, non-cacheable. */
const MEM_RW_NONCACHEABLE = 1;

/** IO (Decode16, min, max, alignment, length) */
export function io(min: number, max: number, alignment: number, length: number): Aml {
  return IoPort.encode({ tag: TAG_IO, info: 1, min, max, alignment, length });
}

/** IRQNoFlags () { irqs } */
export function irqNoFlags(...irqs: number[]): Aml {
  return IrqNoFlags.encode({ tag: TAG_IRQ_NO_FLAGS, mask: irqs.reduce((m, i) => m | (1 << i), 0) });
}

function word(resourceType: number, typeFlags: number, min: number, max: number): Aml {
  return WordAddress.encode({
    tag: TAG_WORD_ADDRESS,
    length: WordAddress.size - 3,
    resource_type: resourceType,
    general_flags: PRODUCER_FIXED,
    type_flags: typeFlags,
    min,
    max,
    range_length: max - min + 1,
  });
}

/** WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, min, max, 0, count) */
export function wordBusNumber(min: number, max: number): Aml {
  return word(RESOURCE_BUS, 0, min, max);
}

/** WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, min, max, 0, length) */
export function wordIo(min: number, max: number): Aml {
  return word(RESOURCE_IO, IO_ENTIRE_RANGE, min, max);
}

/** DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite, 0, min, max, 0, length) */
export function dwordMemory(min: number, max: number): Aml {
  return DWordAddress.encode({
    tag: TAG_DWORD_ADDRESS,
    length: DWordAddress.size - 3,
    resource_type: RESOURCE_MEMORY,
    general_flags: PRODUCER_FIXED,
    type_flags: MEM_RW_NONCACHEABLE,
    min,
    max,
    range_length: max - min + 1,
  });
}

/** Memory32Fixed (ReadWrite, base, length): a consumed (reserved) memory range (ACPI 6.5, 6.4.3.4). */
export function memory32Fixed(base: number, length: number): Aml {
  return Memory32Fixed.encode({ tag: TAG_MEMORY32_FIXED, length: Memory32Fixed.size - 3, info: 1, base, range_length: length });
}

/** ResourceTemplate () { descriptors }: a Buffer ending with an End Tag whose checksum byte is 0 ("ignore"). */
export function resourceTemplate(...descriptors: Aml[]): Aml {
  const body = concat(...descriptors, Uint8Array.of(TAG_END, 0));
  return buffer(body);
}
