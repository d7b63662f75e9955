/*
 * Shared declarations of the reference kernel. Each subsystem lives in its own file; this header is the
 * table of contents.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define KERNEL_VERSION "0.1.0"

/* Higher-half link address of the 64-bit part (see kernel.ld); the image is linked at LOAD_BASE physical. */
#define KERNEL_VBASE 0xffffffff80000000ull
#define LOAD_BASE 0x1000000ull
/* All physical memory below 4 GiB is visible at DIRECT_MAP + phys (PML4 slot 256, built in entry.S). */
#define DIRECT_MAP 0xffff800000000000ull
#define DIRECT_MAP_SIZE 0x100000000ull

/* Run verdicts written to the isa-debug-exit port. QEMU exits with (status << 1) | 1. */
#define STATUS_KERNEL_FAILURE 0x20

/* --- serial.c / print.c: console on the 16550 at 0x3f8 --- */
void serial_init(void);
void serial_putc(char c);
void puts_(const char *s);
void put_bytes(const char *s, size_t n); /* printable bytes as they are, others as '?' */
__attribute__((format(printf, 1, 2))) void kprintf(const char *fmt, ...);

/* --- paging.c --- */
extern int64_t kernel_shift;         /* physical load address minus LOAD_BASE (a multiple of 2 MiB) */
extern bool nx_supported;
void *phys_to_virt(uint64_t phys);   /* through the direct map; fatal when beyond it */
bool phys_range_ok(uint64_t phys, uint64_t len);
uint64_t kernel_virt_to_phys(const void *p);
uint64_t direct_virt_to_phys(const void *p);  /* inverse of phys_to_virt */
#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_NX (1ull << 63)
bool map_user_page(uint64_t vaddr, uint64_t phys, uint64_t flags);
void drop_identity_map(void);

/* --- gdt.c / idt.c --- */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23
#define SEL_TSS 0x28
void gdt_init(void);
void idt_init(void);

/* Saved by vectors.S on every interrupt/exception/system call, in this order on the stack. */
struct frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
__attribute__((noreturn)) void exception(struct frame *f);
void syscall_dispatch(struct frame *f);
void interrupt_dispatch(struct frame *f);     /* called by vectors.S */
void enter_user(uint64_t rip, uint64_t rsp);  /* vectors.S, never returns */

/* --- main.c: entered from entry.S --- */
__attribute__((noreturn)) void kmain(uint64_t image_phys, uint64_t mbi_phys);

/* --- mbi.c: Multiboot2 information --- */
struct mbi_tag {
    uint32_t type, size;
};
const struct mbi_tag *mbi_find(const struct mbi_tag *after, uint32_t type);
void mbi_init(uint64_t mbi_phys);
void mbi_report_boot(uint32_t magic);
void mbi_report_modules(void);
void mbi_report_cmdline(void);
bool mbi_module(unsigned index, uint64_t *start, uint64_t *end, const char **name);

/* --- memmap.c, acpi.c, efi.c --- */
void memmap_report(void);
void acpi_report(void);
void efi_handoff(void);
void pci_disable_bus_masters(unsigned *functions, unsigned *cleared);

/* --- usermode.c --- */
void start_root_task(void);

/* --- shutdown.c --- */
void acpi_set_s5(uint16_t pm1a_cnt, uint16_t pm1b_cnt, uint8_t slp_typ_a, uint8_t slp_typ_b);
__attribute__((noreturn)) void end_run(uint8_t status);

/* --- string helpers (lib.c): the compiler may emit calls to these --- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
bool starts_with(const char *s, const char *prefix);
