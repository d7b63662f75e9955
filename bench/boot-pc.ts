/**
 * Boot benchmark: wall time from process start to the reference kernel's banner, for each boot path of
 * `nova-image boot` (our firmware + x86-64 CPU model) beside QEMU TCG with the real firmware for the same
 * image in the same run (QEMU -kernel for linux, GRUB 2.06 BIOS multiboot2 from a grub-mkrescue ISO, the
 * same ISO's x86_64-efi GRUB under OVMF for multiboot2 --grub efi, OVMF for uefi; q35, 512 MiB both). Also the time to the end of the run (root task's exit status).
 *
 * "Process start" is the moment the benchmark spawns the process (node or qemu-system-x86_64); the banner
 * time is when its first console line containing the banner reaches the benchmark through a pipe. Building
 * the GRUB ISO and the image are not timed. Each measurement is the median of N runs (default 3).
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/boot-pc.js [IMAGE] [--runs N]
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BANNER = 'NOVA-IMAGE REFERENCE KERNEL 0.1.0 (x86_64)';
const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const TIMEOUT_MS = 120_000;
type Path = 'linux' | 'multiboot2' | 'multiboot2-efi' | 'uefi';
/** multiboot2-efi: our `--via multiboot2 --grub efi` beside GRUB's x86_64-efi under OVMF (same ISO). */
const PATHS: Path[] = ['linux', 'multiboot2', 'multiboot2-efi', 'uefi'];

function oursArgs(path: Path, image: string): string[] {
  const via = path === 'multiboot2-efi' ? ['--via', 'multiboot2', '--grub', 'efi'] : ['--via', path];
  return ['dist/tools/nova-image.js', 'boot', image, ...via];
}

interface Timing {
  bannerMs: number;
  exitMs: number;
  status: number | null;
  /** Retired instructions from our verdict line (stderr); undefined for QEMU. */
  instructions?: number;
}

/** Spawns a process, times the banner on stdout and the exit; kills it after TIMEOUT_MS. */
function timeProcess(cmd: string, args: string[]): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let errText = '';
    child.stderr.on('data', (d: Buffer) => (errText += d.toString('latin1')));
    let bannerMs = NaN;
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => {
      if (Number.isNaN(bannerMs)) {
        text += d.toString('latin1');
        if (text.includes(BANNER)) bannerMs = ms();
      }
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      if (Number.isNaN(bannerMs)) reject(new Error(`${cmd} ${args.join(' ')}: no banner (exit ${status})\n${text.slice(-2000)}`));
      else {
        const insns = /; (\d+) instructions,/.exec(errText);
        resolve({ bannerMs, exitMs: ms(), status, instructions: insns ? Number(insns[1]) : undefined });
      }
    });
  });
}

function qemuArgs(dir: string, path: Path, image: string, iso: string): string[] {
  const common = ['-accel', 'tcg', '-M', 'q35', '-m', '512', '-display', 'none', '-no-reboot', '-monitor', 'none', '-serial', 'stdio',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'];
  if (path === 'linux') return [...common, '-kernel', image];
  if (path === 'multiboot2') return [...common, '-cdrom', iso, '-boot', 'd'];
  const vars = join(dir, `vars-${Math.random().toString(36).slice(2)}.fd`);
  copyFileSync(OVMF_VARS, vars);
  const ovmf = ['-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`];
  if (path === 'multiboot2-efi') return [...common, ...ovmf, '-cdrom', iso];
  return [...common, ...ovmf, '-drive', `file=fat:rw:${join(dir, 'esp')},format=raw`];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
  const dir = mkdtempSync(join(tmpdir(), 'nova-bench-boot-'));
  try {
    let image = argv.find((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));
    if (!image) {
      image = join(dir, 'nova-x86_64.img');
      const b = spawnSync(process.execPath, ['dist/tools/nova-image.js', 'build', '-o', image], { encoding: 'utf8' });
      if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
    }
    if (!existsSync(image)) throw new Error(`${image}: no such image`);
    // Fixtures for the reference firmware (not timed): the ESP directory and the GRUB ISO.
    mkdirSync(join(dir, 'esp', 'EFI', 'BOOT'), { recursive: true });
    copyFileSync(image, join(dir, 'esp', 'EFI', 'BOOT', 'BOOTX64.EFI'));
    const isoRoot = join(dir, 'iso');
    mkdirSync(join(isoRoot, 'boot', 'grub'), { recursive: true });
    copyFileSync(image, join(isoRoot, 'boot', 'nova.img'));
    writeFileSync(join(isoRoot, 'boot', 'grub', 'grub.cfg'), 'set timeout=0\nset default=0\nmenuentry "nova-image" {\n  multiboot2 /boot/nova.img\n  boot\n}\n');
    const iso = join(dir, 'mb2.iso');
    const g = spawnSync('grub-mkrescue', ['-o', iso, isoRoot], { encoding: 'utf8', timeout: 120_000 });
    if (g.status !== 0) throw new Error(`grub-mkrescue failed: ${g.stderr}`);

    console.log(`boot benchmark: ${image}, ${runs} run(s) each, median wall times in ms (process start -> banner; -> exit)`);
    console.log('path           nova-image banner  QEMU banner  ratio   | nova-image exit  QEMU exit  ratio   | status ours/QEMU | guest instructions (ours)');
    for (const path of PATHS) {
      const ours: Timing[] = [];
      const qemu: Timing[] = [];
      for (let i = 0; i < runs; i++) {
        ours.push(await timeProcess(process.execPath, oursArgs(path, image)));
        qemu.push(await timeProcess('qemu-system-x86_64', qemuArgs(dir, path, image, iso)));
      }
      const ob = median(ours.map((t) => t.bannerMs));
      const qb = median(qemu.map((t) => t.bannerMs));
      const oe = median(ours.map((t) => t.exitMs));
      const qe = median(qemu.map((t) => t.exitMs));
      const f = (n: number, w: number) => n.toFixed(0).padStart(w);
      console.log(`${path.padEnd(14)} ${f(ob, 17)}  ${f(qb, 11)}  ${(ob / qb).toFixed(2).padStart(5)}x  | ${f(oe, 15)}  ${f(qe, 9)}  ${(oe / qe).toFixed(2).padStart(5)}x  | ${`${ours[0]!.status}/${qemu[0]!.status}`.padEnd(16)} | ${ours[0]!.instructions ?? '?'}`);
    }
    const idle = await timeProcess(process.execPath, ['-e', `process.stdout.write(${JSON.stringify(BANNER)})`]);
    console.log(`(node start-up alone, printing the banner: ${idle.bannerMs.toFixed(0)} ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
