/**
 * Comparing a Linux kernel log from our pc board with QEMU's for the same kernel: the kernel-log lines of a
 * console stream, the lines that legitimately differ between the two machines (each rule says why), and a
 * child-process runner that keeps the console. Used by the Linux-path and the EFI-stub tests.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface Rule {
  readonly pattern: RegExp;
  readonly why: string;
}

export const IGNORED: readonly Rule[] = [
  // ---- measured time: depends on the host's speed under QEMU, on instruction counts here ----
  { pattern: /^tsc: (Detected|Fast TSC calibration|PIT calibration|Unable to calibrate|using HPET)/, why: 'TSC calibration results and the method that succeeded depend on timing' },
  { pattern: /BogoMIPS/, why: 'loops-per-jiffy from the measured TSC frequency' },
  { pattern: /^clocksource: tsc-early: mask/, why: 'max_cycles/max_idle_ns derive from the measured TSC frequency' },
  { pattern: /^sched_clock: Marking stable/, why: 'clock readings' },
  { pattern: /deferred pages initialised in \d+ms/, why: 'a duration' },
  { pattern: /^audit: type=2000 audit\(/, why: 'wall-clock timestamp' },
  { pattern: /^random: crng init done/, why: 'when the entropy pool fills depends on timing and on RDRAND (our CPU model has it)' },
  { pattern: /^(Memory|Poking) KASLR using/, why: 'the entropy sources: RDRAND is in our CPUID, not in qemu64' },
  // ---- the firmware's hand-off: SeaBIOS under QEMU, our built-in Linux-path firmware here ----
  { pattern: /^BIOS-e820: /, why: 'memory map: SeaBIOS reserves the top 132 KiB of RAM, the ECAM window and its ROM areas' },
  { pattern: /^(last_pfn|Faking a node|NODE_DATA\(0\)|Initmem setup node|On node 0, zone DMA32)/, why: 'derived from the memory map' },
  { pattern: /^\s+(DMA32|node +0:) +\[mem /, why: 'derived from the memory map' },
  { pattern: /^\[mem 0x[0-9a-f]+-0x[0-9a-f]+\] available for PCI devices/, why: 'the first gap in the memory map' },
  { pattern: /^Memory: \d+K\/\d+K available|Total pages: \d+|^e820: reserve RAM buffer/, why: 'page counts from the memory map' },
  { pattern: /^ACPI: (RSDP|RSDT|XSDT|FACP|DSDT|FACS|APIC|MCFG|HPET|SPCR|DBG2|WAET) |^ACPI: Reserving |^ACPI: SPCR: /, why: 'ACPI table addresses, OEM IDs and set (ours adds SPCR and DBG2, QEMU has WAET)' },
  { pattern: /^DMI: |^SMBIOS \d/, why: 'the SMBIOS tables: SeaBIOS\'s (2.8, QEMU\'s identity) against ours (3.0, nova-image\'s identity)' },
  { pattern: /^PCI: Ignoring E820 reservations for host bridge windows/, why: 'Linux does so for a BIOS release year from 2023 on (SMBIOS type 0): ours says 2026, SeaBIOS 2014' },
  // ---- devices and the ACPI namespace of the two boards ----
  { pattern: /MMCONFIG|_OSC: /, why: 'where the ECAM window is found reserved (QEMU: E820, ours: ACPI motherboard resources); _OSC: QEMU\'s DSDT has one, ours not' },
  { pattern: /^pci [0-9a-f]{4}:|^pci_bus [0-9a-f]{4}:/, why: 'PCI devices and windows (QEMU: VGA, e1000e, AHCI, SMBus; ours: edu)' },
  { pattern: /^system 00:0\d: \[mem /, why: 'the PNP0C02 device: numbered after the other PnP devices, QEMU describes the range as a window' },
  { pattern: /^pnp: PnP ACPI: found|^platform rtc_cmos|^rtc_cmos |^i8042: |ttyS0 at I\/O 0x3f8|^ACPI: PM: \(supports|^Console: colour/, why: 'devices the two DSDTs declare (RTC, PS/2, VGA console, S3/S4)' },
  { pattern: /^x2apic: /, why: 'our CPU model offers x2APIC, qemu64 does not' },
  // ---- the CPU model: "nova-image virtual x86-64 CPU" (Intel family 6) against QEMU's qemu64 (AMD) ----
  { pattern: /^smpboot: CPU0: |^Performance Events: |^intel_pstate: |^process: using /, why: 'CPU vendor, model and the drivers that follow from them' },
  { pattern: /^(Spectre V1|Spectre V2|Speculative Store Bypass|MDS|MMIO Stale Data|SRBDS|Retbleed|TAA|Kernel\/User page tables isolation)\b/, why: 'vulnerability state follows the CPU vendor and model' },
  { pattern: /^x86\/fpu: |^signal: max sigframe size/, why: 'XSAVE (ours) against FXSAVE only (qemu64)' },
  { pattern: /^Last level [di]TLB entries/, why: 'TLB descriptors: CPUID leaf 2 (Intel) against 0x80000005/6 (AMD)' },
  { pattern: /^Using GB pages|^HugeTLB: (registered 1\.00 GiB|16380 KiB)/, why: '1 GiB pages are in our CPUID, not in qemu64' },
];

export function ignored(line: string, extra: readonly Rule[] = []): boolean {
  return IGNORED.some((r) => r.pattern.test(line)) || extra.some((r) => r.pattern.test(line));
}

/**
 * Kernel log lines: escape sequences (SeaBIOS clears the screen) and `[ time]` prefixes removed. A carriage
 * return inside a line starts it over, as on a terminal: SeaBIOS's `Probing EDD ... ok` can end with `k\r`
 * right before the kernel's first line.
 */
export function kernelLines(text: string): string[] {
  return text
    .replace(/\x1b(\[[0-9;?=]*[A-Za-z]|c)/g, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .map((l) => l.slice(l.lastIndexOf('\r') + 1))
    .filter((l) => /^\[ *\d+\.\d{6}\] /.test(l))
    .map((l) => l.replace(/^\[ *\d+\.\d{6}\] /, ''));
}

export function runTo(file: string, cmd: string, args: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (status) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('latin1');
      writeFileSync(file, stdout);
      resolve({ status, stdout, stderr: Buffer.concat(err).toString('latin1') });
    });
  });
}

