/**
 * A misbehaving guest on the virt board ends the run with a verdict, an exit status and a register dump,
 * never a hang or a host crash. Each guest is a tiny arm64 Image whose instructions are written out below
 * (A64 encodings, one comment per word), entered through the Linux Image path at EL2 like any kernel.
 * Last, corrupted copies of the default mono-image: a typed error or a verdict, never a host exception.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NovaImageError } from '../../common/errors.js';
import { buildAarch64Image } from '../../loader/aarch64/index.js';
import { EXIT_STATUS } from '../../platform/machine/verdict.js';
import { bootVirtImage } from '../../platform/machine/virt-machine.js';
import { scratchDir } from '../image-aarch64/qemu-aarch64.js';
import { Xorshift32 } from '../common/rng.js';

/** An arm64 Image header (booting.rst) whose code0 branches over itself to `code`. */
function image(code: number[]): Uint8Array {
  const b = new Uint8Array(64 + code.length * 4);
  const v = new DataView(b.buffer);
  v.setUint32(0x00, 0x14000010, true); // code0: b +64
  v.setBigUint64(0x10, BigInt(b.length), true); // image_size
  v.setBigUint64(0x18, 0xan, true); // flags: LE, 4K pages, anywhere
  v.setUint32(0x38, 0x644d5241, true); // "ARM\x64"
  code.forEach((w, i) => v.setUint32(64 + 4 * i, w >>> 0, true));
  return b;
}

const B_SELF = 0x14000000; // b .
const WFI = 0xd503207f; // wfi
const SMC0 = 0xd4000003; // smc #0
const UDF0 = 0x00000000; // udf #0
const MOVZ_X0_8400_LSL16 = 0xd2b08000; // movz x0, #0x8400, lsl #16
const MOVK_X0 = (imm16: number) => 0xf2800000 | (imm16 << 5); // movk x0, #imm16
const MSR_DAIFCLR_I = 0xd50342ff; // msr daifclr, #2 (unmask IRQ)

const GUESTS = [
  { name: 'endless loop', code: [B_SELF], kind: 'budget-exhausted', status: EXIT_STATUS.budgetExhausted, message: /instruction budget of 2000000 spent.*pc 0x40200040/ },
  { name: 'WFI with everything masked and no timer', code: [WFI, B_SELF], kind: 'halted-forever', status: EXIT_STATUS.haltedForever, message: /WFI at EL2 .*can never continue/ },
  { name: 'WFI with IRQs unmasked but no interrupt source armed', code: [MSR_DAIFCLR_I, WFI, B_SELF], kind: 'halted-forever', status: EXIT_STATUS.haltedForever, message: /WFI at EL2/ },
  // UDF at EL2 with VBAR_EL2 = 0: the exception vector lies in the (empty) flash region, the fetch faults.
  { name: 'undefined instruction without vectors', code: [UDF0], kind: 'fault', status: EXIT_STATUS.fault, message: /instruction fetch at 0x0000000000000200/ },
  // SMC with a function ID outside the PSCI ranges: no EL3 firmware takes it, so it is undefined too.
  { name: 'SMC that is not a PSCI call', code: [0xd2a80000, SMC0], kind: 'fault', status: EXIT_STATUS.fault, message: /instruction fetch at 0x0000000000000200/ },
  { name: 'PSCI CPU_OFF of the only CPU', code: [MOVZ_X0_8400_LSL16, MOVK_X0(0x0002), SMC0, B_SELF], kind: 'halted-forever', status: EXIT_STATUS.haltedForever, message: /PSCI CPU_OFF \(smc\) of the only CPU/ },
  { name: 'PSCI SYSTEM_RESET', code: [MOVZ_X0_8400_LSL16, MOVK_X0(0x0009), SMC0, B_SELF], kind: 'reset', status: EXIT_STATUS.reset, message: /PSCI SYSTEM_RESET \(smc\)/ },
] as const;

describe.each(GUESTS)('misbehaving guest: $name', ({ code, kind, status, message }) => {
  it(`ends with verdict ${kind}`, async () => {
    const r = await bootVirtImage(image([...code]), { file: 'guest.img', gic: 2, maxInstructions: 2_000_000 });
    expect(r.verdict.kind, r.verdict.message).toBe(kind);
    expect(r.verdict.exitStatus).toBe(status);
    expect(r.verdict.message).toMatch(message);
    if (kind !== 'reset') expect(r.verdict.registers).toMatch(/pc=[0-9a-f]{16}[\s\S]*ESR_EL2/);
    expect(r.trace.at(-1)).toMatchObject({ kind: 'verdict', name: kind });
  });
});

describe('PSCI answers of the virt firmware', () => {
  it('VERSION 1.1, FEATURES, AFFINITY_INFO, CPU_ON of CPU 0, unknown PSCI function', async () => {
    // Each call's result X0 is printed as one character: its low byte + 0x40, stored to the PL011 data register.
    const call = (fn: number, x1 = 0) => [
      MOVZ_X0_8400_LSL16, MOVK_X0(fn), // x0 = 0x840000fn
      0xd2800001 | (x1 << 5), // movz x1, #x1
      SMC0,
      0x91010000, // add x0, x0, #0x40 (printable)
      0xb9000260, // str w0, [x19] (PL011 DR)
    ];
    const r = await bootVirtImage(
      image([
        0xd2a12013, // movz x19, #0x0900, lsl #16 (PL011 at 0x09000000)
        ...call(0x0000), // VERSION -> 0x10001: prints 0x41 'A'
        ...call(0x000a, 0x0008), // FEATURES(0x8: not a PSCI function ID) -> NOT_SUPPORTED (-1): '?'
        ...call(0x0004, 0), // AFFINITY_INFO(MPIDR 0) -> ON (0): '@'
        ...call(0x0003, 0), // CPU_ON(MPIDR 0) -> ALREADY_ON (-4): '<'
        ...call(0x0003, 1), // CPU_ON(MPIDR 1) -> INVALID_PARAMETERS (-2): '>'
        ...call(0x001f), // an unassigned PSCI function -> NOT_SUPPORTED (-1): '?'
        ...call(0x0006), // MIGRATE_INFO_TYPE -> 2: 'B'
        MOVZ_X0_8400_LSL16, MOVK_X0(0x0008), SMC0, // SYSTEM_OFF
      ]),
      { file: 'psci.img', gic: 3, maxInstructions: 100_000 },
    );
    expect(r.verdict.kind).toBe('power-off');
    expect(Buffer.from(r.console).toString('latin1')).toBe('A?@<>?B');
  });
});

describe('corrupted mono-images never crash the host', () => {
  it('truncations and flipped bytes end in a typed error or a verdict', async () => {
    process.env.NOVA_IMAGE_BUILD ??= resolve('build');
    const file = join(scratchDir('boot-virt-corrupt'), 'nova.img');
    buildAarch64Image({ output: file });
    const good = new Uint8Array(readFileSync(file));
    // A fixed-seed generator: the same corruptions on every run.
    const rng = new Xorshift32(0x2545f491);
    const rand = (n: number) => rng.below(n);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 24; i++) {
      // The first truncation leaves less than the 64-byte Image header: a typed error before the CPU starts.
      const bad = i === 0 ? good.slice(0, 40) : i < 8 ? good.slice(0, rand(good.length)) : good.slice();
      if (i >= 8) for (let k = 0; k < 4; k++) bad[rand(i < 16 ? 0x1000 : bad.length)] ^= 1 << rand(8);
      try {
        // 1M instructions: four times what the reference stack needs; a corrupted kernel whose stack runs into
        // unassigned memory takes an external abort per store, which is slow on the model (BusError objects).
        const r = await bootVirtImage(bad, { file: `corrupt-${i}.img`, gic: 3, maxInstructions: 1_000_000 });
        outcomes.set(r.verdict.kind, (outcomes.get(r.verdict.kind) ?? 0) + 1);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(NovaImageError);
        outcomes.set(e instanceof Error ? e.constructor.name : 'other', (outcomes.get(e instanceof Error ? e.constructor.name : 'other') ?? 0) + 1);
      }
    }
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(24);
    // The corruptions reach the loader (typed error) as well as the guest (its stub powers off, faults, loops).
    expect(outcomes.get('Arm64ImageError')).toBeGreaterThan(0);
    expect(outcomes.size).toBeGreaterThanOrEqual(3);
  }, 180_000);
});
