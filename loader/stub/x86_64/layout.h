/*
 * Layout constants shared by the loader stub's assembly and C code. The TypeScript composer reads the
 * resulting offsets from stub-symbols.json (generated at build time), never from a copy of these numbers.
 */
#ifndef NOVA_STUB_LAYOUT_H
#define NOVA_STUB_LAYOUT_H

/* Physical address the BIOS-side loaders (GRUB multiboot2 with the address tag, Linux 32-bit boot with
 * code32_start) put the protected-mode part (file offset S) at. */
#define STUB_LOAD_ADDR      0x100000

/* Offsets inside the protected-mode part (fixed by the Linux boot protocol or by us). */
#define OFF_ENTRY32_LINUX   0x000   /* code32_start */
#define OFF_STUB_INFO       0x010
#define OFF_ENTRY32_MB2     0x040
#define OFF_MB2_HEADER      0x080   /* the composer writes the Multiboot2 header here */
#define MB2_HEADER_SPACE    0x180
#define OFF_ENTRY64_LINUX   0x200   /* Linux boot protocol: 64-bit entry = startup_32 + 0x200 */
#define OFF_ENTRY64_MB2EFI  0x240

/* Real-mode setup (file offsets; the setup sectors run with CS:IP normalised so IP == file offset). */
#define SETUP16_OFFSET      0x270
#define SETUP16_ZERO_PAGE   0x1000  /* boot_params the 16-bit routine builds, relative to the setup base */
#define SETUP16_STACK_TOP   0xe000

/* Boot paths (values of boot_path). */
#define PATH_LINUX          1
#define PATH_MB2            2
#define PATH_UEFI           3

#define STUB_STACK_SIZE     0x8000

#endif
