/**
 * Differentiated System Description Table: the AML namespace of the pc board, assembled by our AML
 * encoder from the board description. ASL equivalent (what `iasl -d` prints back):
 *
 *   Scope (_SB) {
 *     Device (PCI0) {
 *       Name (_HID, EisaId ("PNP0A08"))  Name (_CID, EisaId ("PNP0A03"))
 *       Name (_SEG, <segment>)  Name (_BBN, <first bus>)  Name (_UID, Zero)
 *       Name (_CRS, ResourceTemplate () { WordBusNumber, IO 0xCF8, WordIO below/above it, DWordMemory window })
 *       Name (_PRT, Package () { Package () { 0x<dev>FFFF, <pin-1>, Zero, <GSI> }, ... })   // INTx -> GSI
 *       Device (LPC) {
 *         Name (_ADR, 0x001F0000)
 *         Device (COM1) { Name (_HID, EisaId ("PNP0501"))  Name (_UID, One)
 *                         Name (_CRS, ResourceTemplate () { IO (Decode16, 0x3F8, 0x3F8, 0, 8)  IRQNoFlags () {4} }) }
 *       }
 *     }
 *     Device (PWRB) { Name (_HID, EisaId ("PNP0C0C"))  Name (_UID, Zero) }
 *     Device (MRES) { Name (_HID, EisaId ("PNP0C02"))  Name (_UID, Zero)      // motherboard resources
 *                     Name (_CRS, ResourceTemplate () { Memory32Fixed (ReadWrite, <ECAM base>, <ECAM size>) }) }
 *   }
 *   Name (_S5, Package (4) { <SLP_TYPa>, <SLP_TYPb>, Zero, Zero })
 */
import type { PcBoard } from '../boards/pc/board.js';
import { concat, device, eisaId, integer, name, packageOf, scope } from './aml/encoder.js';
import { dwordMemory, io, irqNoFlags, memory32Fixed, resourceTemplate, wordBusNumber, wordIo } from './aml/resources.js';
import { buildTable, SdtHeader } from './sdt-header.js';

/** DSDT revision 2: integers are 64 bits wide. */
export const DSDT_REVISION = 2;

export function dsdtAml(board: PcBoard): Uint8Array {
  const cf8 = board.pciConfig.port;
  const lpc = board.pciFunctions.find((f) => f.name === 'lpc-bridge');
  if (!lpc) throw new Error('pc board description has no LPC bridge');
  const pci0 = device(
    'PCI0',
    name('_HID', eisaId('PNP0A08')),
    name('_CID', eisaId('PNP0A03')),
    name('_SEG', integer(board.ecam.segment)),
    name('_BBN', integer(board.ecam.busStart)),
    name('_UID', integer(0)),
    name(
      '_CRS',
      resourceTemplate(
        wordBusNumber(board.ecam.busStart, board.ecam.busEnd),
        io(cf8, cf8, 1, board.pciConfig.count),
        wordIo(0x0000, cf8 - 1),
        wordIo(0x0d00, board.pciIo.end - 1),
        dwordMemory(board.pciMmio32.base, board.pciMmio32.end - 1),
      ),
    ),
    // PCI interrupt routing: each function's INTx pin straight to its GSI (Source = 0 means "global system
    // interrupt"); polarity and trigger come from the MADT overrides of those ISA IRQs, as on QEMU q35.
    name(
      '_PRT',
      packageOf(
        board.pciFunctions
          .filter((f) => f.interrupt)
          .map((f) => packageOf([integer(((f.bdf.device << 16) | 0xffff) >>> 0), integer(f.interrupt!.pin - 1), integer(0), integer(f.interrupt!.gsi)])),
      ),
    ),
    device(
      'LPC',
      name('_ADR', integer(((lpc.bdf.device << 16) | lpc.bdf.function) >>> 0)),
      device(
        'COM1',
        name('_HID', eisaId('PNP0501')),
        name('_UID', integer(1)),
        name('_CRS', resourceTemplate(io(board.uart.port, board.uart.port, 0, 8), irqNoFlags(board.uart.irq))),
      ),
    ),
  );
  const pwrb = device('PWRB', name('_HID', eisaId('PNP0C0C')), name('_UID', integer(0)));
  // The ECAM window (MCFG) is reserved as a motherboard resource, as the PCI Firmware Specification (3.2,
  // 4.1.2) asks: an OS uses MCFG's ECAM only when the range is reserved (Linux: "MMCONFIG ... not reserved
  // in ACPI motherboard resources", then it falls back to port 0xcf8 and cannot reach extended config space).
  const mres = device(
    'MRES',
    name('_HID', eisaId('PNP0C02')),
    name('_UID', integer(0)),
    name('_CRS', resourceTemplate(memory32Fixed(board.ecam.base, board.ecam.size))),
  );
  // At the root scope a plain segment is the shortest name for \_S5 and \_SB (iasl's optimizer does the same).
  const s5 = name('_S5', packageOf([integer(board.acpiPm.s5SlpTyp), integer(board.acpiPm.s5SlpTyp), integer(0), integer(0)]));
  return concat(scope('_SB', pci0, pwrb, mres), s5);
}

export function encodeDsdt(board: PcBoard): Uint8Array {
  const aml = dsdtAml(board);
  return buildTable('DSDT', DSDT_REVISION, SdtHeader.size + aml.length, board.acpiIds, (_view, bytes) => {
    bytes.set(aml, SdtHeader.size);
  });
}
