/** All instruction tables the decoder is generated from. */
import type { InsnSpec } from '../decoder.js';
import { BRANCH_SYSTEM } from './branch-system.js';
import { DATA_PROCESSING } from './data-processing.js';
import { LOAD_STORE } from './load-store.js';
import { SIMD_FP } from './simd-fp.js';

export const A64_TABLES: readonly (readonly InsnSpec[])[] = [DATA_PROCESSING, BRANCH_SYSTEM, LOAD_STORE, SIMD_FP];
