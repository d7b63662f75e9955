/* Shared declarations of the aarch64 reference kernel. One concept per file; this is the glue. */
#pragma once
#include "lib/types.h"

#define KERNEL_VERSION "0.1.0"

/* console.c */
void console_init(const void *fdt, const void *rsdp);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kputc(char c);

/* mmu.c */
void mmu_init(void);
/* Maps one 4 KiB page of the root task's window at EL0; returns 0 when va is outside it. */
int mmu_map_user(u64 va, u64 pa, int writable, int executable);
void mmu_flush(void);
/* Maps [lo, hi) as device memory with 1 GiB blocks above 4 GiB (below it, device memory is mapped already
 * under 1 GiB). Returns 0 when the range is not representable. */
int mmu_map_device(u64 lo, u64 hi);
#define USER_BASE 0x00400000UL
#define USER_LIMIT 0x00600000UL /* one 2 MiB slot, the last page is the root's stack */
#define USER_STACK_TOP USER_LIMIT

/* devtree.c / acpi.c */
void devtree_summary(const void *fdt);
void acpi_summary(const void *rsdp);
u64 acpi_spcr_uart(const void *rsdp);
void pci_summary(const void *fdt, const void *rsdp);
int acpi_psci_hvc(const void *rsdp, int *found);

/* psci.c */
void psci_init(const void *fdt, const void *rsdp, u64 entry_el);
void __attribute__((noreturn)) power_off(void);
u64 psci_call(u64 fid, u64 a1, u64 a2, u64 a3, u64 use_hvc);

/* root.c */
void __attribute__((noreturn)) root_start(u64 elf, u64 size);
void enter_el0(u64 entry, u64 sp);

/* exception.c */
struct frame {
  u64 x[31];
  u64 elr, spsr, pad;
};
void exception(struct frame *f, u64 kind);

#define READ_SYSREG(name)                              \
  ({                                                   \
    u64 v_;                                            \
    __asm__ volatile("mrs %0, " #name : "=r"(v_));     \
    v_;                                                \
  })
#define WRITE_SYSREG(name, v) __asm__ volatile("msr " #name ", %0" ::"r"((u64)(v)))
