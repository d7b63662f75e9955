/**
 * The information-structure codec against the real producer: GRUB. A probe kernel (assembly below, built
 * here with gcc) dumps EAX and the whole Multiboot2 information structure as hex on COM1; QEMU boots it via
 * GRUB BIOS and GRUB EFI (OVMF), with and without the EFI boot-services tag. Our reader must decode every
 * tag GRUB emits, and our writer must reproduce GRUB's bytes exactly (padding aside: GRUB leaves it
 * uninitialised).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INFO_BASIC_MEMINFO,
  INFO_BOOT_LOADER_NAME,
  INFO_CMDLINE,
  INFO_EFI64,
  INFO_EFI64_IH,
  INFO_EFI_BS,
  INFO_EFI_MMAP,
  INFO_ELF_SECTIONS,
  INFO_FRAMEBUFFER,
  INFO_MMAP,
  INFO_MODULE,
  encodeMultiboot2Info,
  readMultiboot2Info,
  type InfoTagOf,
  type InfoTagType,
  type Multiboot2Info,
} from '../../boot/multiboot2/info.js';
import { MULTIBOOT2_BOOTLOADER_MAGIC } from '../../boot/multiboot2/header.js';
import { readelf } from './helpers/readelf.js';
import { run, runStatus, tempDir } from './helpers/toolchain.js';

const PROBE = `
/* Multiboot2 probe kernel: dumps EAX and the information structure as hex to COM1, exits via port 0xf4. */
    .set MB2_MAGIC, 0xe85250d6
    .section .multiboot2, "a"
    .align 8
hdr_start:
    .long MB2_MAGIC, 0, hdr_end - hdr_start, -(MB2_MAGIC + (hdr_end - hdr_start))
#ifdef KEEP_BOOT_SERVICES
    .align 8
    .short 7, 0                 /* EFI boot services */
    .long 8
    .align 8
    .short 9, 0                 /* EFI amd64 entry address */
    .long 12
    .long entry64
#endif
    .align 8
    .short 0, 0
    .long 8
hdr_end:

    .text
    .code32
    .globl _start
_start:
    mov $stack_top, %esp
    cld
    mov %eax, %edi
    mov $'M', %al
    call marker32
    mov $4, %ecx
1:  mov %edi, %eax
    call hexbyte32
    shr $8, %edi
    loop 1b
    mov $'B', %al
    call marker32
    mov (%ebx), %ecx
    mov %ebx, %esi
2:  lodsb
    call hexbyte32
    loop 2b
    mov $'E', %al
    call marker32
    mov $0x10, %al
    out %al, $0xf4
3:  cli
    hlt
    jmp 3b
marker32:                       /* "\\n@@" %al "=" */
    push %eax
    mov $'\\n', %al
    call putc32
    mov $'@', %al
    call putc32
    call putc32
    pop %eax
    call putc32
    mov $'=', %al
    jmp putc32
hexbyte32:
    push %eax
    shr $4, %al
    call nibble32
    pop %eax
nibble32:
    and $0xf, %al
    add $'0', %al
    cmp $'9', %al
    jbe putc32
    add $('a' - '9' - 1), %al
putc32:
    push %edx
    push %eax
4:  mov $0x3fd, %dx
    in %dx, %al
    test $0x20, %al
    jz 4b
    pop %eax
    mov $0x3f8, %dx
    out %al, %dx
    pop %edx
    ret

    .code64
entry64:                        /* GRUB EFI, boot services kept: RAX magic, RBX MBI, firmware stack */
    cld
    and $-16, %rsp
    mov %eax, %edi
    mov $'M', %al
    call marker64
    mov $4, %ecx
1:  mov %edi, %eax
    call hexbyte64
    shr $8, %edi
    loop 1b
    mov $'B', %al
    call marker64
    mov (%rbx), %ecx
    mov %rbx, %rsi
2:  lodsb
    call hexbyte64
    loop 2b
    mov $'E', %al
    call marker64
    mov $0x10, %al
    out %al, $0xf4
3:  cli
    hlt
    jmp 3b
marker64:
    push %rax
    mov $'\\n', %al
    call putc64
    mov $'@', %al
    call putc64
    call putc64
    pop %rax
    call putc64
    mov $'=', %al
    jmp putc64
hexbyte64:
    push %rax
    shr $4, %al
    call nibble64
    pop %rax
nibble64:
    and $0xf, %al
    add $'0', %al
    cmp $'9', %al
    jbe putc64
    add $('a' - '9' - 1), %al
putc64:
    push %rdx
    push %rax
4:  mov $0x3fd, %dx
    in %dx, %al
    test $0x20, %al
    jz 4b
    pop %rax
    mov $0x3f8, %dx
    out %al, %dx
    pop %rdx
    ret

    .bss
    .align 16
    .space 4096
stack_top:
`;

const DIR = tempDir('nova-mbi-');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
const MODULE_SIZE = 3000;
const CMDLINE = 'first-arg second=2';
const MODULE_STRING = 'the-module arg';

interface Boot {
  magic: number;
  raw: Uint8Array;
  info: Multiboot2Info;
}

function buildIso(name: string, kernelForEfi: string): string {
  const root = join(DIR, `${name}-root`);
  mkdirSync(join(root, 'boot', 'grub'), { recursive: true });
  for (const k of ['k.elf', 'k-efi.elf', 'module.bin']) copyFileSync(join(DIR, k), join(root, 'boot', k));
  writeFileSync(
    join(root, 'boot', 'grub', 'grub.cfg'),
    `set timeout=0
menuentry "probe" {
  if [ "$grub_platform" = "efi" ]; then multiboot2 /boot/${kernelForEfi} ${CMDLINE}
  else multiboot2 /boot/k.elf ${CMDLINE}
  fi
  module2 /boot/module.bin ${MODULE_STRING}
  boot
}
`,
  );
  const iso = join(DIR, `${name}.iso`);
  run('grub-mkrescue', ['-o', iso, root]);
  return iso;
}

function boot(iso: string, efi: boolean, name: string): Boot {
  const serial = join(DIR, `${name}.serial`);
  const args = ['60', 'qemu-system-x86_64', '-m', '256', '-cdrom', iso, '-display', 'none', '-serial', `file:${serial}`, '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'];
  if (efi) {
    const vars = join(DIR, `${name}-vars.fd`);
    copyFileSync('/usr/share/OVMF/OVMF_VARS_4M.fd', vars);
    args.push('-drive', 'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd', '-drive', `if=pflash,format=raw,unit=1,file=${vars}`);
  } else {
    args.push('-boot', 'd');
  }
  const r = runStatus('timeout', args);
  const out = readFileSync(serial, 'latin1');
  expect(r.status, `QEMU exit (33 = probe wrote 0x10 to isa-debug-exit); serial: ${out.slice(-400)}`).toBe(33);
  const magicHex = /@@M=([0-9a-f]{8})/.exec(out)![1]!;
  const raw = new Uint8Array(Buffer.from(/@@B=([0-9a-f]+)/.exec(out)![1]!, 'hex'));
  return { magic: Buffer.from(magicHex, 'hex').readUInt32LE(0), raw, info: readMultiboot2Info(raw, `${name} MBI`) };
}

/** GRUB's bytes with the padding between tags zeroed, walking the tag sizes independently of our codec. */
function zeroPadding(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(raw.length);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  out.set(raw.subarray(0, 8));
  for (let at = 8; at < raw.length; ) {
    const size = v.getUint32(at + 4, true);
    out.set(raw.subarray(at, at + size), at);
    if (v.getUint32(at, true) === 0) break;
    at += (size + 7) & ~7;
  }
  return out;
}

const tag = <T extends InfoTagType>(b: Boot, type: T) => b.info.tags.find((t) => t.type === type) as InfoTagOf<T> | undefined;
const types = (b: Boot) => b.info.tags.map((t) => t.type);

let bios: Boot;
let efiKeepBs: Boot;
let efiExit: Boot;
let grubVersion = '';
let elfPath = '';

beforeAll(() => {
  const src = join(DIR, 'probe.S');
  writeFileSync(src, PROBE);
  const flags = ['-m32', '-nostdlib', '-static', '-no-pie', '-Wl,-Ttext=0x200000', '-Wl,-z,noseparate-code', '-Wl,--build-id=none'];
  elfPath = join(DIR, 'k.elf');
  run('gcc', [...flags, '-o', elfPath, src]);
  run('gcc', [...flags, '-DKEEP_BOOT_SERVICES', '-o', join(DIR, 'k-efi.elf'), src]);
  writeFileSync(join(DIR, 'module.bin'), Uint8Array.from({ length: MODULE_SIZE }, (_, i) => (i * 7) & 0xff));
  grubVersion = /\(GRUB\) (\S+)/.exec(run('grub-mkrescue', ['--version']))![1]!;
  const keep = buildIso('keep-bs', 'k-efi.elf');
  const plain = buildIso('exit-bs', 'k.elf');
  bios = boot(keep, false, 'bios');
  efiKeepBs = boot(keep, true, 'efi-keep-bs');
  efiExit = boot(plain, true, 'efi-exit-bs');
}, 240_000);

describe('Multiboot2 information structure from GRUB', () => {
  it('every boot: the Multiboot2 magic, only known tags, and our writer reproduces GRUB bytes', () => {
    for (const b of [bios, efiKeepBs, efiExit]) {
      expect(b.magic).toBe(MULTIBOOT2_BOOTLOADER_MAGIC);
      expect(b.info.unknownTags).toEqual([]);
      expect(b.info.totalSize).toBe(b.raw.length);
      expect(Buffer.from(encodeMultiboot2Info(b.info.tags)).toString('hex')).toBe(Buffer.from(zeroPadding(b.raw)).toString('hex'));
    }
  });

  it('tags carry what grub.cfg and the files say', () => {
    const elf = readelf(elfPath);
    for (const b of [bios, efiKeepBs, efiExit]) {
      expect(tag(b, INFO_CMDLINE)!.string).toBe(CMDLINE);
      expect(tag(b, INFO_BOOT_LOADER_NAME)!.string).toBe(`GRUB ${grubVersion}`);
      const mod = tag(b, INFO_MODULE)!;
      expect([mod.mod_end - mod.mod_start, mod.string]).toEqual([statSync(join(DIR, 'module.bin')).size, MODULE_STRING]);
      const sections = tag(b, INFO_ELF_SECTIONS)!;
      expect([sections.num, sections.entsize, sections.shndx]).toEqual([elf.sections.length, 40, Number(elf.header['Section header string table index'])]);
      expect(sections.sections.length).toBe(sections.num * sections.entsize);
    }
  });

  it('GRUB BIOS: basic meminfo, BIOS boot device, memory map, EGA text framebuffer', () => {
    expect(types(bios)).toEqual(expect.arrayContaining([INFO_BASIC_MEMINFO, 5, INFO_MMAP, INFO_FRAMEBUFFER, 14]));
    expect(tag(bios, INFO_BASIC_MEMINFO)!.mem_lower).toBe(639);
    const mmap = tag(bios, INFO_MMAP)!;
    expect(mmap.entry_size).toBe(24);
    const ram = mmap.entries.filter((e) => e.type === 1).reduce((n, e) => n + e.len, 0n);
    expect(ram > 250n << 20n && ram <= 256n << 20n).toBe(true);
    const fb = tag(bios, INFO_FRAMEBUFFER)!;
    expect([fb.framebuffer_addr, fb.framebuffer_width, fb.framebuffer_height, fb.color.kind]).toEqual([0xb8000n, 80, 25, 'ega-text']);
  });

  it('GRUB EFI keeping boot services: EFI64 system table, image handle, tag 18; no memory map', () => {
    expect(types(efiKeepBs)).toEqual(expect.arrayContaining([INFO_EFI64, INFO_EFI64_IH, INFO_EFI_BS, 15]));
    expect(types(efiKeepBs)).not.toContain(INFO_EFI_MMAP);
    expect(tag(efiKeepBs, INFO_EFI64)!.pointer).toBeGreaterThan(0n);
    expect(tag(efiKeepBs, INFO_EFI64_IH)!.pointer).toBeGreaterThan(0n);
  });

  it('GRUB EFI after ExitBootServices: EFI memory map (tag 17) and e820-style map, no tag 18', () => {
    expect(types(efiExit)).toEqual(expect.arrayContaining([INFO_EFI64, INFO_EFI_MMAP, INFO_MMAP]));
    expect(types(efiExit)).not.toContain(INFO_EFI_BS);
    const m = tag(efiExit, INFO_EFI_MMAP)!;
    expect(m.descr_size).toBeGreaterThanOrEqual(40);
    expect(m.efi_mmap.length % m.descr_size).toBe(0);
  });
});
