/**
 * Boot benchmark on the Arm `virt` board: wall time from process start to the reference kernel's banner and
 * to the end of the run, for our virt board (built-in firmware + AArch64 CPU model) beside
 * `qemu-system-aarch64 -M virt,virtualization=on,gic-version=N -cpu cortex-a57 -m 512M` (TCG) for the same
 * aarch64 mono-image in the same run, with GICv2 and GICv3, per path: linux (QEMU: -kernel IMAGE),
 * multiboot2 (QEMU: the aarch64 test Multiboot2 loader test/image-aarch64/mb2-loader with the image
 * preloaded at 0x40400000) and uefi (QEMU: AAVMF from pflash, the image as EFI/BOOT/BOOTAA64.EFI on a FAT
 * directory, boot menu timeout 0; ours: the built-in UEFI firmware). Also the in-process time of the emulator alone (no node start-up) and the guest
 * instruction count.
 *
 * "Process start" is the moment the benchmark spawns the process; our side is this file in child mode
 * (`--child IMAGE GIC PATH`: boots through bootVirtImage and streams the console), so it measures the same
 * library the `boot --board virt` command calls. Building the image is not timed. Each figure is the median
 * of N runs (default 3).
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/boot-virt.js [IMAGE] [--runs N]
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootVirtImage } from '../platform/machine/virt-machine.js';

const BANNER = 'NOVA-IMAGE REFERENCE KERNEL 0.1.0 (aarch64)';
const TIMEOUT_MS = 120_000;
const MEMORY_MIB = 512;
const GICS = [2, 3] as const;
const PATHS = ['linux', 'multiboot2', 'uefi'] as const;
const AAVMF_CODE = '/usr/share/AAVMF/AAVMF_CODE.fd';
const AAVMF_VARS = '/usr/share/AAVMF/AAVMF_VARS.fd';
type Path = (typeof PATHS)[number];

interface Timing {
  bannerMs: number;
  exitMs: number;
  status: number | null;
  /** From the child's last stderr line (ours only). */
  instructions?: number;
  emulatorMs?: number;
}

function timeProcess(cmd: string, args: string[]): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let errText = '';
    let bannerMs = NaN;
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stderr.on('data', (d: Buffer) => (errText += d.toString('latin1')));
    child.stdout.on('data', (d: Buffer) => {
      if (!Number.isNaN(bannerMs)) return;
      text += d.toString('latin1');
      if (text.includes(BANNER)) bannerMs = ms();
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      if (Number.isNaN(bannerMs)) return reject(new Error(`${cmd} ${args.join(' ')}: no banner (exit ${status})\n${text.slice(-2000)}${errText.slice(-2000)}`));
      const stats = /instructions=(\d+) emulatorMs=([\d.]+)/.exec(errText);
      resolve({ bannerMs, exitMs: ms(), status, instructions: stats ? Number(stats[1]) : undefined, emulatorMs: stats ? Number(stats[2]) : undefined });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Child mode: one boot, console streamed to stdout, stats on stderr, the verdict's exit status. */
async function child(image: string, gic: 2 | 3, via: Path): Promise<void> {
  const bytes = new Uint8Array(readFileSync(image));
  const t0 = process.hrtime.bigint();
  const r = await bootVirtImage(bytes, { file: image, gic, via, memoryBytes: MEMORY_MIB * 2 ** 20, onConsole: (b) => process.stdout.write(b) });
  const emulatorMs = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stderr.write(`verdict=${r.verdict.kind} instructions=${r.verdict.instructions} emulatorMs=${emulatorMs.toFixed(1)}\n`);
  process.exitCode = r.verdict.exitStatus;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1]!, Number(argv[2]) as 2 | 3, argv[3] as Path);
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
  const dir = mkdtempSync(join(tmpdir(), 'nova-bench-boot-virt-'));
  try {
    let image = argv.find((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));
    if (!image) {
      image = join(dir, 'nova-aarch64.img');
      const b = spawnSync(process.execPath, ['dist/tools/nova-image.js', 'build', '--arch', 'aarch64', '-o', image], { encoding: 'utf8' });
      if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
    }
    if (!existsSync(image)) throw new Error(`${image}: no such image`);
    const self = fileURLToPath(import.meta.url);
    const mb2Loader = join(dir, 'mb2-loader');
    const make = spawnSync('make', ['-s', '-C', 'test/image-aarch64/mb2-loader', `BUILD=${mb2Loader}`], { encoding: 'utf8' });
    if (make.status !== 0) throw new Error(`mb2-loader build failed: ${make.stderr}`);
    const esp = join(dir, 'esp');
    mkdirSync(join(esp, 'EFI', 'BOOT'), { recursive: true });
    copyFileSync(image, join(esp, 'EFI', 'BOOT', 'BOOTAA64.EFI'));
    const vars = join(dir, 'AAVMF_VARS.fd');
    copyFileSync(AAVMF_VARS, vars);
    const qemuBoot: Record<Path, string[]> = {
      linux: ['-kernel', image],
      multiboot2: ['-kernel', join(mb2Loader, 'mb2-loader.elf'), '-device', `loader,file=${image},addr=0x40400000,force-raw=on`],
      uefi: [
        '-drive', `if=pflash,format=raw,readonly=on,file=${AAVMF_CODE}`,
        '-drive', `if=pflash,format=raw,file=${vars}`,
        '-boot', 'menu=on,splash-time=0',
        '-drive', `file=fat:rw:${esp},format=raw,media=disk`,
      ],
    };
    console.log(`virt boot benchmark: ${image}, ${MEMORY_MIB} MiB, ${runs} run(s) each, median wall times in ms`);
    console.log('path        GIC  nova-image banner  QEMU banner  ratio   | nova-image exit  QEMU exit  ratio   | status ours/QEMU | emulator only | guest instructions');
    for (const path of PATHS) for (const gic of GICS) {
      const ours: Timing[] = [];
      const qemu: Timing[] = [];
      for (let i = 0; i < runs; i++) {
        ours.push(await timeProcess(process.execPath, [self, '--child', image, String(gic), path]));
        qemu.push(
          await timeProcess('timeout', ['-k', '5', '60', 'qemu-system-aarch64', '-M', `virt,virtualization=on,gic-version=${gic}`, '-cpu', 'cortex-a57', '-m', `${MEMORY_MIB}M`,
            '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot', ...qemuBoot[path]]),
        );
      }
      const ob = median(ours.map((t) => t.bannerMs));
      const qb = median(qemu.map((t) => t.bannerMs));
      const oe = median(ours.map((t) => t.exitMs));
      const qe = median(qemu.map((t) => t.exitMs));
      const em = median(ours.map((t) => t.emulatorMs ?? NaN));
      const f = (n: number, w: number) => n.toFixed(0).padStart(w);
      console.log(`${path.padEnd(11)} v${gic}   ${f(ob, 17)}  ${f(qb, 11)}  ${(ob / qb).toFixed(2).padStart(5)}x  | ${f(oe, 15)}  ${f(qe, 9)}  ${(oe / qe).toFixed(2).padStart(5)}x  | ${`${ours[0]!.status}/${qemu[0]!.status}`.padEnd(16)} | ${f(em, 10)} ms | ${ours[0]!.instructions ?? '?'}`);
    }
    const idle = await timeProcess(process.execPath, ['-e', `process.stdout.write(${JSON.stringify(BANNER)})`]);
    console.log(`(node start-up alone, printing the banner: ${idle.bannerMs.toFixed(0)} ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
