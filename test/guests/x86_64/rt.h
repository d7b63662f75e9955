/* Runtime for the CPU test guests: UART output, formatted printing, exit, IDT/TSS, fault capture. */
#ifndef RT_H
#define RT_H
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long s64;

struct frame {
  u64 r15, r14, r13, r12, r11, r10, r9, r8, rdi, rsi, rbp, rbx, rdx, rcx, rax;
  u64 vector, error, rip, cs, rflags, rsp, ss;
};

void rt_putc(int c);
void rt_puts(const char *s);
void rt_printf(const char *fmt, ...);
void rt_exit(int code) __attribute__((noreturn));
int test_main(void);

/* Runs fn(arg); returns 0 if it returned, else the exception vector + 1 (the fault details below). */
long try_call(void (*fn)(long), long arg);
extern u64 last_vector, last_error, last_cr2, last_rip, last_cs, last_rsp, last_ss;
/* When set, called for every exception first; return 1 to resume the faulting instruction. */
extern int (*volatile fault_hook)(struct frame *f);
/* Counts of interrupts per vector taken by the default handler (for INT n and IRQ tests). */
extern u32 irq_count[256];
void set_gate(int vector, void *handler, int dpl, int ist, int trap);
void *isr_address(int vector);
long run_user(void (*fn)(void), void *user_stack);
extern u64 pml4[512], pdpt[512], pd[2048];
extern u8 tss[104 + 32 + 1];

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u64 read_cr0(void) { u64 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline u64 read_cr2(void) { u64 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline u64 read_cr3(void) { u64 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline u64 read_cr4(void) { u64 v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(u64 v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(u64 v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(u64 v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline void invlpg(const void *p) { __asm__ volatile("invlpg (%0)" : : "r"(p) : "memory"); }
static inline u64 rdmsr(u32 msr) { u32 lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((u64)hi << 32) | lo; }
static inline void wrmsr(u32 msr, u64 v) { __asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))); }

/* 64-bit FNV-1a-style mixing for result digests */
static inline u64 mix(u64 h, u64 v) {
  for (int i = 0; i < 8; i++) { h ^= (v >> (i * 8)) & 0xff; h *= 0x100000001b3UL; }
  return h;
}
#define FNV_INIT 0xcbf29ce484222325UL
#endif
