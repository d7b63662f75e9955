/**
 * A misbehaving guest ends `nova-image boot` with a verdict, a register dump and a distinct exit status,
 * never a hang: tiny Multiboot2 kernels assembled with Debian's binutils at test time (ud2 with no IDT ->
 * triple fault; an endless loop under --max-insns; cli+hlt; a device DMA aimed outside RAM), the same ud2 kernel inside a mono-image (the
 * loader stub's real code runs first), and the reference kernel catching its root task's #UD itself.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from '../boot/helpers/toolchain.js';
import { novaImage } from '../image/qemu.js';

/** Multiboot2 header (magic, i386, length, checksum, end tag) and one misbehaviour chosen by -D. */
const GUEST_SOURCE = String.raw`
    .section .multiboot2, "a"
    .balign 8
hdr:
    .long 0xe85250d6, 0, hdr_end - hdr, -(0xe85250d6 + (hdr_end - hdr))
    .short 0, 0
    .long 8
hdr_end:
    .text
    .globl _start
_start:
#if defined(GUEST_UD2)
    ud2
#elif defined(GUEST_LOOP)
1:  jmp 1b
#elif defined(GUEST_HLT)
    cli
    hlt
#elif defined(GUEST_S5)
    mov $0x604, %dx          /* q35 PM1a_CNT */
    mov $(0 << 10 | 1 << 13), %ax   /* SLP_TYP = \_S5 (0), SLP_EN */
    out %ax, %dx
    ud2                       /* not reached when the machine powers off */
#elif defined(GUEST_RESET)
    mov $0xcf9, %dx
    mov $0x06, %al            /* ICH9 reset control: full reset */
    out %al, %dx
    ud2
#elif defined(GUEST_STRAY_DMA)
    /* A wild driver: edu (00:02.0) as bus master, 16 bytes from its buffer to 192 MiB (not RAM at 128 MiB). */
    mov $0x80001010, %eax     /* CF8: 00:02.0 BAR0 */
    mov $0xcf8, %dx
    out %eax, %dx
    mov $0xcfc, %dx
    in %dx, %eax
    and $0xfffffff0, %eax
    mov %eax, %ebx
    mov $0x80001004, %eax     /* command register: memory decode + bus master */
    mov $0xcf8, %dx
    out %eax, %dx
    mov $0xcfc, %dx
    in %dx, %ax
    or $0x6, %ax
    out %ax, %dx
    movl $0x40000, 0x80(%ebx)     /* source: the device's buffer */
    movl $0, 0x84(%ebx)
    movl $0x0c000000, 0x88(%ebx)  /* destination */
    movl $0, 0x8c(%ebx)
    movl $16, 0x90(%ebx)
    movl $3, 0x98(%ebx)           /* start, device to RAM */
1:  pause
    jmp 1b
#endif
`;

const DIR = tempDir('nova-boot-verdicts-');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
const guests: Record<string, string> = {};

beforeAll(() => {
  writeFileSync(join(DIR, 'guest.S'), GUEST_SOURCE);
  for (const g of ['UD2', 'LOOP', 'HLT', 'S5', 'RESET', 'STRAY_DMA']) {
    const obj = join(DIR, `${g}.o`);
    run('gcc', ['-m32', '-c', `-DGUEST_${g}`, '-o', obj, join(DIR, 'guest.S')]);
    guests[g] = join(DIR, `${g}.elf`);
    run('ld', ['-m', 'elf_i386', '-Ttext=0x200000', '--build-id=none', '-o', guests[g]!, obj]);
  }
});

function boot(args: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['dist/tools/nova-image.js', 'boot', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - t0 };
}

const REGISTER_DUMP = /rax=[0-9a-f]{16} rcx=[0-9a-f]{16}[\s\S]*rip=[0-9a-f]{16} rflags=[0-9a-f]{8} cpl=\d mode=\d+-bit[\s\S]*bytes at rip: /;

describe('misbehaving guests end with a verdict', () => {
  it('ud2 with no IDT: triple fault, register dump, exit status 126', () => {
    const r = boot([guests.UD2!]);
    expect(r.status, r.stderr).toBe(126);
    expect(r.stderr).toMatch(/^nova-image boot: path=multiboot2 verdict: fault: triple-fault: /);
    expect(r.stderr).toMatch(REGISTER_DUMP);
    expect(r.stderr).toContain('rip=0000000000200000');
    expect(r.stderr).toContain('bytes at rip: 0f 0b');
  });

  it('stray DMA: the edu device told to write outside RAM ends the run (exit 126) naming device and address', () => {
    const r = boot([guests.STRAY_DMA!, '--memory', '128M', '--trace', join(DIR, 'stray.json')]);
    expect(r.status, r.stderr).toBe(126);
    expect(r.stderr).toMatch(/^nova-image boot: path=multiboot2 verdict: stray-dma: edu@00:02\.0 DMA write of 0x10 bytes at 0xc000000 refused: 0xc000000\+0x10 is not RAM; /m);
    expect(r.stderr).toMatch(REGISTER_DUMP);
    const trace = JSON.parse(readFileSync(join(DIR, 'stray.json'), 'utf8')) as { events: Array<{ kind: string; name: string; data: Record<string, unknown> }> };
    expect(trace.events.filter((e) => e.kind === 'dma').map((e) => [e.name, e.data.address, e.data.outcome])).toEqual([['edu@00:02.0', '0xc000000', 'fault']]);
    // The same address is RAM on a 512 MiB machine: the transfer lands and the guest just spins to its budget.
    const fits = boot([guests.STRAY_DMA!, '--memory', '512M', '--max-insns', '2000000']);
    expect(fits.status, fits.stderr).toBe(124);
  });

  it('an endless loop: the --max-insns budget ends it (exit status 124) with the loop in the dump', () => {
    const r = boot([guests.LOOP!, '--max-insns', '3000000']);
    expect(r.status, r.stderr).toBe(124);
    expect(r.stderr).toMatch(/verdict: budget-exhausted: instruction budget of 3000000 spent/);
    expect(r.stderr).toContain('3000000 instructions');
    expect(r.stderr).toMatch(REGISTER_DUMP);
    expect(r.stderr).toContain('bytes at rip: eb fe');
  });

  it('cli; hlt: halted forever (exit status 125), not a hang', () => {
    const r = boot([guests.HLT!, '--max-insns', '1000000000']);
    expect(r.status, r.stderr).toBe(125);
    expect(r.stderr).toMatch(/verdict: halted-forever: HLT at rip 0x200002 with interrupts disabled/);
    expect(r.ms).toBeLessThan(30_000);
  });

  it('ACPI S5 power-off ends the run with status 0; a reset request with 127 (like QEMU -no-reboot, no reboot)', () => {
    const off = boot([guests.S5!, '--max-insns', '1000000']);
    expect(off.status, off.stderr).toBe(0);
    expect(off.stderr).toMatch(/verdict: power-off: ACPI S5 power-off/);
    const reset = boot([guests.RESET!, '--max-insns', '1000000']);
    expect(reset.status, reset.stderr).toBe(127);
    expect(reset.stderr).toMatch(/verdict: reset: full reset requested through port 0xcf9/);
  });

  it('a mono-image whose kernel hits ud2: the loader stub runs, then the kernel triple-faults', () => {
    const image = join(DIR, 'ud2-mono.img');
    const b = novaImage(['build', '--kernel', guests.UD2!, '--root', 'build/kernel/x86_64/root.elf', '-o', image]);
    expect(b.status, b.stderr).toBe(0);
    for (const via of ['linux', 'multiboot2', 'uefi']) {
      const r = boot([image, '--via', via, '--max-insns', '50000000']);
      expect(r.status, `${via}: ${r.stderr}`).toBe(126);
      expect(r.stderr).toMatch(new RegExp(`^nova-image boot: path=${via} verdict: fault: triple-fault: `));
      // Entered by the stub exactly as a Multiboot2 loader would: i386 state, EAX = magic, at the ELF entry.
      expect(r.stderr).toContain('rip=0000000000200000');
      expect(r.stderr).toContain('rax=0000000036d76289');
      expect(r.stderr).toContain('mode=32-bit');
    }
  });

  it('the reference kernel catches its root task\'s #UD: FAULT dump on the console, status 0x20 -> 65', () => {
    const image = join(DIR, 'root-ud.img');
    const b = novaImage(['build', '--kernel', 'build/kernel/x86_64/kernel.elf', '--root', 'build/kernel/x86_64/root-ud.elf', '-o', image]);
    expect(b.status, b.stderr).toBe(0);
    const r = boot([image, '--via', 'linux', '--max-insns', '50000000']);
    expect(r.status, r.stderr).toBe(65);
    expect(r.stdout).toContain('ROOT: hello from user mode');
    expect(r.stdout).toMatch(/^FAULT: #UD invalid opcode \(vector 6, error 0x0\) in user mode\r?$/m);
    expect(r.stdout).toContain('kernel: root task faulted; ending the run with failure status 0x20');
    expect(r.stderr).toMatch(/verdict: guest-exit \(guest value 0x20\)/);
  });
});
