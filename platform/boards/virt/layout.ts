/**
 * Every guest-physical address and interrupt number of the `virt` board, in one place. Values are QEMU's
 * `virt` machine (hw/arm/virt.c base_memmap and irqmap), so AAVMF, U-Boot, Linux and NOVA find the devices.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

// ---- memory map -------------------------------------------------------------------------------------------
/** Flash 0 holds the firmware on QEMU; our built-in firmware places its trap page here. */
export const FIRMWARE_BASE = 0x00000000;
export const FIRMWARE_SIZE = 128 * MiB;

export const GIC_DIST_BASE = 0x08000000;
export const GIC_DIST_SIZE = 0x10000;
export const GICV2_CPU_BASE = 0x08010000;
export const GICV2_CPU_SIZE = 0x10000;
export const GICV2_HYP_BASE = 0x08030000;
export const GICV2_HYP_SIZE = 0x10000;
export const GICV2_VCPU_BASE = 0x08040000;
export const GICV2_VCPU_SIZE = 0x10000;
export const GICV3_REDIST_BASE = 0x080a0000;
/** QEMU's first redistributor region: room for 123 CPUs of 128 KiB each. */
export const GICV3_REDIST_SIZE = 0xf60000;
export const GICV3_REDIST_STRIDE = 0x20000;

export const UART_BASE = 0x09000000;
export const UART_SIZE = 0x1000;
export const RTC_BASE = 0x09010000;
export const RTC_SIZE = 0x1000;

export const RAM_BASE = 0x40000000;
/** QEMU virt without highmem caps RAM below 256 GiB; we keep the single low region (up to 255 GiB). */
export const RAM_MAX = 255 * GiB;

// ---- interrupts ------------------------------------------------------------------------------------------
/** Shared peripheral interrupts (SPI numbers, GIC INTID = 32 + n). */
export const UART_SPI = 1;
export const RTC_SPI = 2;
/** Private peripheral interrupts (PPI numbers, GIC INTID = 16 + n). */
export const TIMER_SECURE_PPI = 13;
export const TIMER_NONSECURE_PPI = 14;
export const TIMER_VIRT_PPI = 11;
export const TIMER_HYP_PPI = 10;
export const GIC_MAINTENANCE_PPI = 9;
export const PMU_PPI = 7;

// ---- clocks and CPUs -------------------------------------------------------------------------------------
/** The fixed 24 MHz APB clock QEMU gives the PL011 and PL031 (node apb-pclk). */
export const APB_CLOCK_HZ = 24_000_000;
/** Generic timer counter frequency of QEMU's Cortex-A57 model (62.5 MHz). */
export const GENERIC_TIMER_HZ = 62_500_000;
export const CPU_COMPATIBLE = 'arm,cortex-a57';
/**
 * /chosen kaslr-seed (8 bytes) and rng-seed (32 bytes, QEMU's size). Fixed rather than random so that the same
 * image gives the same run: "nova-img" in ASCII, and 32 bytes counting 0x00..0x1f.
 */
export const KASLR_SEED = 0x6e6f76612d696d67n;
export const RNG_SEED = Uint8Array.from({ length: 32 }, (_, i) => i);

// ---- PSCI (function IDs of the 0.2+ interface, SMC64 where the call takes 64-bit arguments) -------------
export const PSCI_CPU_SUSPEND = 0xc4000001;
export const PSCI_CPU_OFF = 0x84000002;
export const PSCI_CPU_ON = 0xc4000003;
export const PSCI_MIGRATE = 0xc4000005;
export const PSCI_SYSTEM_OFF = 0x84000008;
export const PSCI_SYSTEM_RESET = 0x84000009;

// ---- device tree phandles (QEMU's numbering, so diffs against its tree stay small) ------------------------
export const PHANDLE_APB_CLOCK = 0x8000;
export const PHANDLE_CPU0 = 0x8001;
export const PHANDLE_GIC = 0x8002;
