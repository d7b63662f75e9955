/** The x86-64 CPU model: what boards and tests import. */
export { X86Cpu, type RunResult, type StopReason, type InterruptSource, GUEST_FAULT } from './cpu.js';
export { TestMachine, MULTIBOOT_BOOTLOADER_MAGIC, MULTIBOOT_INFO_ADDRESS } from './test-machine.js';
export { cpuid } from './cpuid.js';
export type { X2ApicMsrTarget } from './msr.js';
