/*
 * Host-native oracle for test/cpu-x86_64/native.test.ts: executes instruction sequences on the real CPU.
 * stdin: records { u64 regs[16]; u64 rflags; u32 xmm[16][4]; u32 mxcsr; u32 pad; u8 len; u8 code[len]; }
 * (RSP is ignored: the code must not use it). stdout: per record { u64 regs[16]; u64 rflags; u32 xmm[16][4];
 * u32 mxcsr; u32 pad; } after the code ran. The code runs in an RWX page and ends with an absolute jump back
 * into the harness; every GPR except RSP, XMM0-15 and MXCSR are loaded and saved (MXCSR is reset to its
 * default afterwards: the C library must not run with the test's rounding mode or DAZ/FTZ).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

struct state { uint64_t r[16]; uint64_t flags; uint32_t xmm[16][4]; uint32_t mxcsr, pad; };
uint32_t g_default_mxcsr = 0x1f80;
_Static_assert(sizeof(struct state) == 400, "record layout used by native.test.ts");
struct state g_in, g_out;
uint64_t g_code, g_saved_rsp;

void run_code(void);
__asm__(
    ".text\n"
    ".globl run_code\n"
    "run_code:\n"
    "  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "  mov %rsp, g_saved_rsp(%rip)\n"
    "  mov g_in+8*1(%rip), %rcx\n"
    "  mov g_in+8*2(%rip), %rdx\n"
    "  mov g_in+8*3(%rip), %rbx\n"
    "  mov g_in+8*5(%rip), %rbp\n"
    "  mov g_in+8*6(%rip), %rsi\n"
    "  mov g_in+8*7(%rip), %rdi\n"
    "  mov g_in+8*8(%rip), %r8\n"
    "  mov g_in+8*9(%rip), %r9\n"
    "  mov g_in+8*10(%rip), %r10\n"
    "  mov g_in+8*11(%rip), %r11\n"
    "  mov g_in+8*12(%rip), %r12\n"
    "  mov g_in+8*13(%rip), %r13\n"
    "  mov g_in+8*14(%rip), %r14\n"
    "  mov g_in+8*15(%rip), %r15\n"
    "  movdqu g_in+136+16*0(%rip), %xmm0\n"
    "  movdqu g_in+136+16*1(%rip), %xmm1\n"
    "  movdqu g_in+136+16*2(%rip), %xmm2\n"
    "  movdqu g_in+136+16*3(%rip), %xmm3\n"
    "  movdqu g_in+136+16*4(%rip), %xmm4\n"
    "  movdqu g_in+136+16*5(%rip), %xmm5\n"
    "  movdqu g_in+136+16*6(%rip), %xmm6\n"
    "  movdqu g_in+136+16*7(%rip), %xmm7\n"
    "  movdqu g_in+136+16*8(%rip), %xmm8\n"
    "  movdqu g_in+136+16*9(%rip), %xmm9\n"
    "  movdqu g_in+136+16*10(%rip), %xmm10\n"
    "  movdqu g_in+136+16*11(%rip), %xmm11\n"
    "  movdqu g_in+136+16*12(%rip), %xmm12\n"
    "  movdqu g_in+136+16*13(%rip), %xmm13\n"
    "  movdqu g_in+136+16*14(%rip), %xmm14\n"
    "  movdqu g_in+136+16*15(%rip), %xmm15\n"
    "  ldmxcsr g_in+392(%rip)\n"
    "  pushq g_in+8*16(%rip)\n"
    "  popfq\n"
    "  mov g_in+8*0(%rip), %rax\n"
    "  jmp *g_code(%rip)\n"
    ".globl harness_resume\n"
    "harness_resume:\n"
    "  mov %rax, g_out+8*0(%rip)\n"
    "  pushfq\n"
    "  pop %rax\n"
    "  mov %rax, g_out+8*16(%rip)\n"
    "  mov %rcx, g_out+8*1(%rip)\n"
    "  mov %rdx, g_out+8*2(%rip)\n"
    "  mov %rbx, g_out+8*3(%rip)\n"
    "  mov %rbp, g_out+8*5(%rip)\n"
    "  mov %rsi, g_out+8*6(%rip)\n"
    "  mov %rdi, g_out+8*7(%rip)\n"
    "  mov %r8, g_out+8*8(%rip)\n"
    "  mov %r9, g_out+8*9(%rip)\n"
    "  mov %r10, g_out+8*10(%rip)\n"
    "  mov %r11, g_out+8*11(%rip)\n"
    "  mov %r12, g_out+8*12(%rip)\n"
    "  mov %r13, g_out+8*13(%rip)\n"
    "  mov %r14, g_out+8*14(%rip)\n"
    "  mov %r15, g_out+8*15(%rip)\n"
    "  movdqu %xmm0, g_out+136+16*0(%rip)\n"
    "  movdqu %xmm1, g_out+136+16*1(%rip)\n"
    "  movdqu %xmm2, g_out+136+16*2(%rip)\n"
    "  movdqu %xmm3, g_out+136+16*3(%rip)\n"
    "  movdqu %xmm4, g_out+136+16*4(%rip)\n"
    "  movdqu %xmm5, g_out+136+16*5(%rip)\n"
    "  movdqu %xmm6, g_out+136+16*6(%rip)\n"
    "  movdqu %xmm7, g_out+136+16*7(%rip)\n"
    "  movdqu %xmm8, g_out+136+16*8(%rip)\n"
    "  movdqu %xmm9, g_out+136+16*9(%rip)\n"
    "  movdqu %xmm10, g_out+136+16*10(%rip)\n"
    "  movdqu %xmm11, g_out+136+16*11(%rip)\n"
    "  movdqu %xmm12, g_out+136+16*12(%rip)\n"
    "  movdqu %xmm13, g_out+136+16*13(%rip)\n"
    "  movdqu %xmm14, g_out+136+16*14(%rip)\n"
    "  movdqu %xmm15, g_out+136+16*15(%rip)\n"
    "  stmxcsr g_out+392(%rip)\n"
    "  ldmxcsr g_default_mxcsr(%rip)\n"
    "  mov g_saved_rsp(%rip), %rsp\n"
    "  cld\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "  ret\n");
extern char harness_resume[];

int main(void) {
  uint8_t *page = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 2;
  for (;;) {
    uint8_t len;
    if (fread(&g_in, sizeof(g_in), 1, stdin) != 1) break;
    if (fread(&len, 1, 1, stdin) != 1) return 3;
    if (fread(page, 1, len, stdin) != len) return 3;
    /* jmp *0(%rip) ; .quad harness_resume */
    page[len] = 0xff;
    page[len + 1] = 0x25;
    memset(page + len + 2, 0, 4);
    uint64_t back = (uint64_t)harness_resume;
    memcpy(page + len + 6, &back, 8);
    g_code = (uint64_t)page;
    run_code();
    g_out.r[4] = 0;
    g_out.pad = 0;
    fwrite(&g_out, sizeof(g_out), 1, stdout);
  }
  return 0;
}
