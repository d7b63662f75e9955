/*
 * Assembly only (a gas macro, for .S files through cpp). The register frames of the reference kernel's
 * exception entry, the CPU test guests' vectors and the fuzz harness all lay x0..x30 out as 8 * n bytes
 * from a base on SP; this moves x2..x29 of such a frame in pairs (x0/x1 and x30 go where each caller keeps
 * them). `op` is stp to save or ldp to restore.
 */
#pragma once

.macro GPR_PAIRS_X2_X29 op, base
    \op     x2, x3, [sp, #(\base + 16)]
    \op     x4, x5, [sp, #(\base + 32)]
    \op     x6, x7, [sp, #(\base + 48)]
    \op     x8, x9, [sp, #(\base + 64)]
    \op     x10, x11, [sp, #(\base + 80)]
    \op     x12, x13, [sp, #(\base + 96)]
    \op     x14, x15, [sp, #(\base + 112)]
    \op     x16, x17, [sp, #(\base + 128)]
    \op     x18, x19, [sp, #(\base + 144)]
    \op     x20, x21, [sp, #(\base + 160)]
    \op     x22, x23, [sp, #(\base + 176)]
    \op     x24, x25, [sp, #(\base + 192)]
    \op     x26, x27, [sp, #(\base + 208)]
    \op     x28, x29, [sp, #(\base + 224)]
.endm
