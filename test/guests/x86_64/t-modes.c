/* Mode transitions: 64-bit -> compatibility mode (32-bit code under long mode) -> paging off (legacy 32-bit
 * protected mode) -> 16-bit protected mode -> real mode (IVT interrupt, 16-bit code) -> protected mode ->
 * long mode again. The 16-bit part is copied below 1 MiB and prints on the UART itself. */
#include "rt.h"

#define BLOB 0x7000

__asm__(
    ".section .text\n"
    ".globl mode_tour\n"
    ".code64\n"
    "mode_tour:\n"
    "  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "  mov %rsp, saved_rsp64(%rip)\n"
    "  ljmpl *compat_ptr(%rip)\n"
    ".code32\n"
    "compat32:\n"
    "  mov $5, %eax\n"
    "  .byte 0x48\n" /* DEC EAX in compatibility mode (a REX prefix in 64-bit mode) */
    "  mov %eax, compat_result\n"
    "  mov %cr0, %eax\n"
    "  and $0x7fffffff, %eax\n"
    "  mov %eax, %cr0\n" /* paging off: long mode inactive (EFER.LMA=0) */
    "  mov $0xC0000080, %ecx\n"
    "  rdmsr\n"
    "  mov %eax, efer_after_pg_off\n"
    "  and $~0x100, %eax\n"
    "  wrmsr\n"
    "  mov $0x10, %ax\n"
    "  mov %ax, %ds; mov %ax, %es; mov %ax, %ss\n"
    "  mov $'P', %al; mov $0x3f8, %dx; out %al, %dx\n"
    "  mov $'\\n', %al; out %al, %dx\n"
    "  ljmp $0x48, $(0x7000 + pm16_entry - blob_start)\n"
    "pm32_back:\n"
    "  mov $0x10, %ax\n"
    "  mov %ax, %ds; mov %ax, %es; mov %ax, %ss; mov %ax, %fs; mov %ax, %gs\n"
    "  mov $0xC0000080, %ecx\n"
    "  rdmsr\n"
    "  or $0x100, %eax\n"
    "  wrmsr\n"
    "  mov %cr0, %eax\n"
    "  or $0x80000000, %eax\n"
    "  mov %eax, %cr0\n"
    "  ljmp $0x08, $back64\n"
    ".code64\n"
    "back64:\n"
    "  mov $0x10, %ax\n"
    "  mov %ax, %ds; mov %ax, %es; mov %ax, %ss\n"
    "  mov saved_rsp64(%rip), %rsp\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "  ret\n"
    /* ---- 16-bit blob, copied to 0x7000 and run there (CS base 0 in 16-bit PM, CS=0x700 in real mode) ---- */
    ".globl blob_start, blob_end\n"
    ".code16\n"
    "blob_start:\n"
    "pm16_entry:\n"
    "  mov %cr0, %eax\n"
    "  and $~1, %eax\n"
    "  mov %eax, %cr0\n"
    "  ljmp $0x700, $(rm_entry - blob_start)\n"
    "rm_entry:\n"
    "  mov $0x700, %ax\n"
    "  mov %ax, %ds; mov %ax, %ss\n"
    "  mov $0x1f00, %sp\n"
    "  lidt (rm_idtr - blob_start)\n"
    "  xor %ax, %ax; mov %ax, %es\n"
    "  movw $(rm_int50 - blob_start), %es:0x140\n"
    "  movw $0x700, %es:0x142\n"
    "  mov $(msg_real - blob_start), %si\n"
    "  call puts16\n"
    "  int $0x50\n"
    "  int $0x50\n"
    "  mov (counter - blob_start), %ax\n"
    "  call hex16\n"
    /* 16-bit arithmetic, high byte registers, LOOP, XLAT, segment override, 32-bit operand prefix */
    "  mov $0x1234, %ax; mov $0x00ff, %bx; add %bx, %ax; xchg %ah, %al; call hex16\n"
    "  mov $10, %cx; xor %ax, %ax\n"
    "1: add %cx, %ax; loop 1b\n"
    "  call hex16\n"
    "  mov $(table - blob_start), %bx; mov $3, %al; xlat; xor %ah, %ah; call hex16\n"
    "  mov $0x12345678, %eax; ror $8, %eax; shr $16, %eax; call hex16\n"
    "  push $0xbeef; pop %ax; call hex16\n"
    "  mov %cs, %ax; call hex16\n"
    "  mov $'\\n', %al; mov $0x3f8, %dx; out %al, %dx\n"
    /* back to protected mode */
    "  cli\n"
    "  mov %cr0, %eax\n"
    "  or $1, %eax\n"
    "  mov %eax, %cr0\n"
    "  ljmpl $0x40, $pm32_back\n"
    "rm_int50:\n"
    "  incw %cs:(counter - blob_start)\n"
    "  iret\n"
    "puts16:\n"
    "  mov $0x3f8, %dx\n"
    "2: lodsb\n"
    "  test %al, %al\n"
    "  jz 3f\n"
    "  out %al, %dx\n"
    "  jmp 2b\n"
    "3: ret\n"
    "hex16:\n" /* prints AX as 4 hex digits and a space */
    "  push %ax; push %bx; push %cx; push %dx\n"
    "  mov %ax, %bx\n"
    "  mov $4, %cx\n"
    "  mov $0x3f8, %dx\n"
    "4: rol $4, %bx\n"
    "  mov %bl, %al\n"
    "  and $15, %al\n"
    "  add $'0', %al\n"
    "  cmp $'9', %al\n"
    "  jbe 5f\n"
    "  add $7, %al\n"
    "5: out %al, %dx\n"
    "  loop 4b\n"
    "  mov $' ', %al\n"
    "  out %al, %dx\n"
    "  pop %dx; pop %cx; pop %bx; pop %ax\n"
    "  ret\n"
    "rm_idtr: .word 0x3ff\n .long 0\n"
    ".globl counter_sym\n"
    "counter_sym:\n"
    "counter: .word 0\n"
    "table: .byte 0x10, 0x20, 0x30, 0x40, 0x50\n"
    "msg_real: .asciz \"real mode: \"\n"
    "blob_end:\n"
    ".code64\n"
    ".section .data\n"
    "compat_ptr: .long compat32\n .word 0x40\n"
    ".globl compat_result, efer_after_pg_off\n"
    "compat_result: .long 0\n"
    "efer_after_pg_off: .long 0\n"
    "saved_rsp64: .quad 0\n"
    ".section .text\n");

extern char blob_start[], blob_end[], counter_sym[];
extern u32 compat_result, efer_after_pg_off;
void mode_tour(void);

int test_main(void) {
  rt_puts("t-modes\n");
  for (char *s = blob_start, *d = (char *)BLOB; s < blob_end; s++, d++) *d = *s;
  struct { u16 limit; u64 base; } __attribute__((packed)) idtr;
  __asm__ volatile("sidt %0" : "=m"(idtr));
  mode_tour();
  __asm__ volatile("lidt %0" : : "m"(idtr));
  rt_printf("back in long mode: compat dec -> %u, EFER with paging off %x (LME=1, LMA=0)\n", compat_result,
            efer_after_pg_off & 0xd01);
  rt_printf("real-mode counter at the blob's counter: %u\n", *(volatile u16 *)(BLOB + (counter_sym - blob_start)));
  u64 efer = rdmsr(0xC0000080);
  rt_printf("EFER now %lx, CR0 %lx\n", efer & 0xd01, read_cr0() & 0x80000001);
  return 0;
}
