/**
 * `nova-image boot` command-line behaviour: the default path per image kind, and bad input or usage ending
 * with exit status 2 and a one-line message (file, offset, field), never a stack trace or a started guest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from '../boot/helpers/toolchain.js';
import { novaImage } from '../image/qemu.js';

const DIR = tempDir('nova-boot-cli-');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
let image: string;

beforeAll(() => {
  image = join(DIR, 'nova-x86_64.img');
  expect(novaImage(['build', '-o', image]).status).toBe(0);
});

function boot(args: string[]) {
  const r = spawnSync(process.execPath, ['dist/tools/nova-image.js', 'boot', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function expectRefused(r: ReturnType<typeof boot>, message: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stdout).toBe('');
}

describe('nova-image boot (CLI)', () => {
  it('picks UEFI for the mono-image by default, streams the console, exits with the guest status', () => {
    const r = boot([image, '--max-insns', '50000000']);
    expect(r.status, r.stderr).toBe(33);
    expect(r.stdout.startsWith('NOVA-IMAGE REFERENCE KERNEL 0.1.0 (x86_64)')).toBe(true);
    expect(r.stdout).toMatch(/^boot: path=uefi /m);
    expect(r.stderr).toMatch(/^nova-image boot: path=uefi verdict: guest-exit \(guest value 0x10\): .*exit status 33; \d+ instructions/);
  });

  it('picks Linux for an image without a PE header but with a bzImage header', () => {
    const bytes = new Uint8Array(readFileSync(image));
    bytes[0] = 0; // no "MZ": not a PE image any more; the setup header at 0x1f1 is untouched
    const file = join(DIR, 'no-pe.img');
    writeFileSync(file, bytes);
    const r = boot([file, '--max-insns', '50000000', '--append', 'picked=linux']);
    expect(r.status, r.stderr).toBe(33);
    expect(r.stdout).toMatch(/^boot: path=linux /m);
    expect(r.stdout).toContain('cmdline: "picked=linux"');
  });

  it('a plain Multiboot2 kernel ELF: --module files become its modules (GRUB module2); --trace writes JSON', () => {
    // The mono-image's stub passes its catalog's modules; a bare kernel gets the loader's, as from GRUB.
    const extra = join(DIR, 'extra.bin');
    writeFileSync(extra, Buffer.alloc(5000, 0x5a));
    const trace = join(DIR, 'trace.json');
    const r = boot(['build/kernel/x86_64/kernel.elf', '--module', 'build/kernel/x86_64/root.elf', '--module', extra, '--append', 'direct=1', '--max-insns', '50000000', '--trace', trace]);
    expect(r.status, r.stderr).toBe(33);
    expect(r.stdout).toMatch(/^boot: path=multiboot2 loader=nova-image magic=0x36d76289\r?$/m);
    expect(r.stdout).toMatch(/^module: 0 name="root.elf" start=0x[0-9a-f]+ end=0x[0-9a-f]+ size=\d+ \(root task\)\r?$/m);
    expect(r.stdout).toMatch(/^module: 1 name="extra.bin" start=0x[0-9a-f]+ end=0x[0-9a-f]+ size=5000\r?$/m);
    expect(r.stdout).toMatch(/^modules: 2\r?$/m);
    expect(r.stdout).toContain('cmdline: "direct=1"');
    expect(r.stdout).toContain('ROOT: hello from user mode');
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    expect(t).toMatchObject({ format: 'nova-image boot trace', version: 1, path: 'multiboot2', verdict: { kind: 'guest-exit', exitStatus: 33 } });
    expect(t.events.filter((e: { name: string }) => e.name === 'multiboot2-module').map((e: { data: unknown }) => e.data)).toMatchObject([{ string: 'root.elf' }, { string: 'extra.bin', size: 5000 }]);
  });

  it('a gcc-built UEFI application: ConOut reaches stdout; returning from efi_main ends the run with its status', () => {
    // UEFI 2.10: EFI_SYSTEM_TABLE.ConOut at 0x40; SIMPLE_TEXT_OUTPUT.OutputString at 0x08.
    const source = String.raw`
      typedef unsigned long long u64; typedef unsigned short u16;
      typedef u64 (__attribute__((ms_abi)) *fn)();
      #define AT(p, off) (*(void **)((char *)(p) + (off)))
      static u16 hello[] = u"Hello from a UEFI application\r\n";
      __attribute__((ms_abi)) u64 efi_main(void *image, void *st) {
        void *conout = AT(st, 0x40);
        ((fn)AT(conout, 0x08))(conout, hello);
        return STATUS;
      }`;
    writeFileSync(join(DIR, 'app.c'), source);
    for (const [status, exit] of [['0', 0], ['0x8000000000000001ull', 1]] as const) {
      const obj = join(DIR, 'app.o');
      const efi = join(DIR, `app-${exit}.efi`);
      run('gcc', ['-c', '-O1', `-DSTATUS=${status}`, '-ffreestanding', '-fno-stack-protector', '-mno-red-zone', '-mgeneral-regs-only', '-fpie', '-fno-ident', '-fno-asynchronous-unwind-tables', '-o', obj, join(DIR, 'app.c')]);
      run('ld', ['-m', 'i386pep', '--subsystem', '10', '-e', 'efi_main', '-o', efi, obj]);
      const r = boot([efi, '--max-insns', '1000000']);
      expect(r.status, r.stderr).toBe(exit);
      expect(r.stdout).toBe('Hello from a UEFI application\r\n');
      expect(r.stderr).toMatch(new RegExp(`^nova-image boot: path=uefi verdict: image-returned: the image returned ${exit === 0 ? 'EFI_SUCCESS' : 'EFI_LOAD_ERROR'} from its entry point`));
    }
  });

  it('refuses bad input and usage with status 2', () => {
    const rand = join(DIR, 'random.bin');
    writeFileSync(rand, Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff)));
    expectRefused(boot([rand, '--trace', join(DIR, 'no-trace.json')]), /random\.bin: offset 0x0: boot headers: neither a UEFI PE32\+ application/);
    const truncated = join(DIR, 'truncated.img');
    writeFileSync(truncated, readFileSync(image).subarray(0, 3000));
    expectRefused(boot([truncated, '--via', 'linux']), /truncated\.img: offset 0x1f1: setup_header\.setup_sects: protected-mode code at 0x1000 lies past the end/);
    expectRefused(boot([truncated, '--via', 'multiboot2']), /truncated\.img: offset 0x0: multiboot2_header: no Multiboot2 header/);
    expectRefused(boot([join(DIR, 'missing.img')]), /image .*missing\.img: ENOENT/);
    expectRefused(boot([image, '--via', 'bios']), /--via bios: expected one of uefi, multiboot2, linux/);
    expectRefused(boot([image, '--memory', '1K']), /--memory: must be between 16 MiB and 1 TiB/);
    expectRefused(boot([image, '--max-insns', '-5']), /--max-insns -5: expected a positive integer/);
    expectRefused(boot([image, '--via', 'linux', '--grub', 'efi']), /--grub applies to --via multiboot2 only/);
    expectRefused(boot([image, '--via', 'multiboot2', '--grub', 'coreboot']), /--grub coreboot: expected bios or efi/);
    expectRefused(boot([image, '--board', 'virt']), /--board virt: .*nova-x86_64\.img is an x86 image \(Linux x86 setup header "HdrS" at 0x202\); the virt board runs AArch64 images/);
    expectRefused(boot([image, '--via', 'uefi', '--module', rand]), /--via uefi: the built-in UEFI firmware offers no file system/);
    expect(existsSync(join(DIR, 'no-trace.json'))).toBe(false);
  });
});
