/**
 * Acceptance of the Linux Image path on our virt board: the default aarch64 mono-image (real loader stub,
 * reference kernel and root task on the AArch64 CPU model) reaches the root task and PSCI SYSTEM_OFF, and its
 * console equals `qemu-system-aarch64 -M virt,virtualization=on,gic-version=N -cpu cortex-a57 -m M -kernel`
 * for the same file line by line, under the rules of console-lines.ts. Two runs are identical.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAarch64Image } from '../../loader/aarch64/index.js';
import { bootVirtImage, type VirtBootResult } from '../../platform/machine/virt-machine.js';
import { runQemuAarch64, scratchDir } from '../image-aarch64/qemu-aarch64.js';
import { BANNER, QEMU_ONLY_DEVICES, ROOT_LINE, comparableLines, finalLine } from './console-lines.js';

/** The reference stack needs about 270 000 instructions; this bounds a runaway guest to a second or two. */
const BUDGET = 20_000_000;

let dir: string;
let imagePath: string;
let image: Uint8Array;

beforeAll(() => {
  process.env.NOVA_IMAGE_BUILD ??= resolve('build');
  dir = scratchDir('boot-virt');
  imagePath = join(dir, 'nova-aarch64.img');
  buildAarch64Image({ output: imagePath, cmdline: 'from=image' });
  image = new Uint8Array(readFileSync(imagePath));
});

function text(r: VirtBootResult): string {
  return Buffer.from(r.console).toString('latin1');
}

/** virtualization off: entered at EL1 (QEMU -M virt without virtualization=on), PSCI over HVC. */
const CASES = [
  { gic: 2, memory: '512M', memoryBytes: 512 * 2 ** 20, append: 'from=cli', virtualization: true },
  { gic: 3, memory: '512M', memoryBytes: 512 * 2 ** 20, append: 'from=cli', virtualization: true },
  { gic: 3, memory: '128M', memoryBytes: 128 * 2 ** 20, append: '', virtualization: true },
  { gic: 2, memory: '256M', memoryBytes: 256 * 2 ** 20, append: 'at=el1', virtualization: false },
] as const;

describe.each(CASES)('virt board, GICv$gic, $memory, append "$append", virtualization $virtualization: same console as QEMU -kernel', ({ gic, memory, memoryBytes, append, virtualization }) => {
  it('runs stub, kernel and root task to PSCI SYSTEM_OFF; lines equal QEMU apart from the named ones', async () => {
    const machine = `virt,virtualization=${virtualization ? 'on' : 'off'},gic-version=${gic}`;
    const qemu = await runQemuAarch64(['-m', memory, '-kernel', imagePath, ...(append ? ['-append', append] : [])], { machine, timeoutSeconds: 30 });
    expect(qemu.status, qemu.output).toBe(0);

    const ours = await bootVirtImage(image, { file: imagePath, via: 'linux', gic, memoryBytes, append, virtualization, maxInstructions: BUDGET });
    const console = text(ours);
    expect(ours.verdict.kind, `${ours.verdict.message}\n${ours.verdict.registers ?? ''}\n${console}`).toBe('power-off');
    expect(ours.verdict.exitStatus).toBe(0);
    expect(ours.path).toBe('linux');

    const theirs = comparableLines(qemu.output);
    const mine = comparableLines(console);
    // The comparison must cover the lines that matter, or an empty or early-ending console could pass.
    const conduit = virtualization ? 'smc' : 'hvc';
    for (const needed of [BANNER, ROOT_LINE, finalLine(conduit), 'root: exited with status 0x10']) expect(theirs).toContain(needed);
    for (const prefix of ['boot: path=linux ', `cpu: MIDR 0x411fd070, entered at EL${virtualization ? 2 : 1}`, 'memory: ', 'module 0: ', 'module 1: ', 'cmdline: ', 'fdt: at ', 'fdt:   arm,pl011 x1', `fdt:   ${gic === 2 ? 'arm,cortex-a15-gic' : 'arm,gic-v3'} x1`, `psci: conduit ${conduit}`]) {
      expect(theirs.some((l) => l.startsWith(prefix)), `QEMU console lacks "${prefix}"`).toBe(true);
    }
    expect(theirs).toContain(`cmdline: "from=image${append ? ` ${append}` : ''}"`);
    expect(mine).toEqual(theirs);

    // What the masks hide, checked on its own: our board has no PCIe host, and lists no QEMU-only device.
    expect(console).toMatch(/^pci: no ECAM window\r?$/m);
    for (const kind of QEMU_ONLY_DEVICES) expect(console).not.toContain(`fdt:   ${kind} x`);
    // Both trees reach the stub at the same address (QEMU: RAM + min(RAM/2, 128 MiB), 2 MiB aligned).
    expect(ours.load?.fdt.address).toBe(0x40000000 + Math.min(memoryBytes / 2, 128 * 2 ** 20));
  }, 60_000);
});

describe('determinism and trace', () => {
  it('two runs give the same console, verdict and event trace', async () => {
    const a = await bootVirtImage(image, { file: imagePath, gic: 3, append: 'x=1', maxInstructions: BUDGET });
    const b = await bootVirtImage(image, { file: imagePath, gic: 3, append: 'x=1', maxInstructions: BUDGET });
    expect(text(a)).toContain(ROOT_LINE);
    expect(text(b)).toBe(text(a));
    expect(b.verdict).toEqual(a.verdict);
    expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
  });

  it('the trace names the board, the loader placement, the PSCI calls and the verdict', async () => {
    const r = await bootVirtImage(image, { file: imagePath, gic: 2, maxInstructions: BUDGET });
    const names = r.trace.map((e) => `${e.kind}:${e.name}`);
    expect(names[0]).toBe('machine:board');
    expect(names).toEqual(expect.arrayContaining(['machine:boot', 'load:arm64-image', 'load:arm64-fdt', 'start:arm64-image-entry', 'verdict:power-off']));
    const image0 = r.trace.find((e) => e.name === 'arm64-image')!;
    expect(image0.data).toMatchObject({ loadAddress: '0x40200000', textOffset: '0x0' });
    const psci = r.trace.filter((e) => e.kind === 'call' && e.name === 'psci').map((e) => e.data.function);
    expect(psci).toEqual(['VERSION', 'SYSTEM_OFF']);
    expect(r.trace.at(-1)).toMatchObject({ kind: 'verdict', name: 'power-off', data: { exitStatus: 0 } });
  });
});
