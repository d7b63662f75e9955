/** All instruction semantics by mnemonic (the names used in opcode-table.ts). */
import type { Handler } from './insn.js';
import { ALU_HANDLERS } from './exec-alu.js';
import { CONTROL_HANDLERS } from './exec-control.js';
import { STRING_HANDLERS } from './exec-string.js';
import { SYSTEM_HANDLERS } from './exec-system.js';
import { SSE_HANDLERS } from './exec-sse.js';
import { SSEFP_HANDLERS } from './exec-ssefp.js';

export const HANDLERS: Readonly<Record<string, Handler>> = {
  ...ALU_HANDLERS,
  ...CONTROL_HANDLERS,
  ...STRING_HANDLERS,
  ...SYSTEM_HANDLERS,
  ...SSE_HANDLERS,
  ...SSEFP_HANDLERS,
};
