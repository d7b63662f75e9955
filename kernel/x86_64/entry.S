/*
 * Multiboot2 entry: EAX = 0x36d76289, EBX = physical address of the information structure, 32-bit
 * protected mode, paging off, no usable stack. GRUB on UEFI enters the same e_entry in 64-bit long mode
 * (on firmware page tables) when boot services are kept (header tag 7) and there is no EFI64 entry tag;
 * the first bytes tell the two apart and the 64-bit case drops back to 32-bit protected mode, so there
 * is one path to our own page tables. This code is linked at its physical load address
 * (LOAD_BASE) but the loader may have shifted the whole image by any multiple of 2 MiB (MB2 tag 10), so
 * it addresses everything as "link address + shift" and builds the page tables at run time:
 *
 *   PML4[0]   -> identity map of 0..4 GiB (2 MiB pages): needed while the switch to long mode runs at
 *                physical addresses, and by EFI, which expects an identity map; removed before ring 3.
 *   PML4[256] -> the same page directories: the kernel's permanent view of physical memory (DIRECT_MAP).
 *   PML4[511] -> the image at KERNEL_VBASE + link address, i.e. onto physical link address + shift: the
 *                64-bit C code is linked there once and never needs relocating.
 */
#define KERNEL_VBASE 0xffffffff80000000
#define LOAD_BASE 0x1000000
#define PHYS(sym) ((sym) - KERNEL_VBASE)       /* link-time physical address of a higher-half symbol */
#define MB2_BOOT_MAGIC 0x36d76289
#define STATUS_KERNEL_FAILURE 0x20             /* as in kernel.h */
#define PG_P 0x1
#define PG_W 0x2
#define PG_PS 0x80
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_KCODE32 0x38

/* Print a constant message without memory or stack (used before either can be trusted). */
.macro SERIAL_STR chars:vararg
    .irp c, \chars
    mov $0x3fd, %dx
1:  inb %dx, %al
    test $0x20, %al                     /* transmitter holding register empty */
    jz 1b
    mov $0x3f8, %dx
    mov $\c, %al
    outb %al, %dx
    .endr
.endm

    .section .boot.text, "ax"
    .code32
    .globl _start32
_start32:
    cli
    cld
    /* Mode probe, valid in both modes: 0x41 is "inc %ecx" in 32-bit code but only a REX prefix of the
       (memory-less) NOP after it in 64-bit code, so ECX ends up 1 in protected mode, 0 in long mode. */
    xor %ecx, %ecx
    .byte 0x41
    .byte 0x0f, 0x1f, 0x00               /* nopl (%eax) / nopl (%r8) */
    test %ecx, %ecx
    jz .Lfrom_long_mode
.Lprotected_mode:
    cmp $MB2_BOOT_MAGIC, %eax
    jne .Lbad_magic
    mov %ebx, %esi                       /* esi = MBI physical address for the whole trip */

    /* call/pop needs one stack slot. The MBI header's second word is reserved, so borrow it for the
       return address and put its value back (the same trick Linux plays with boot_params' scratch). */
    mov 4(%ebx), %ecx
    lea 8(%ebx), %esp
    call 1f
1:  pop %ebp
    mov %ecx, 4(%ebx)
    sub $1b, %ebp                        /* ebp = shift = where we run - where we were linked (mod 2^32) */

    /* Zero .bss ourselves rather than trusting every loader to honour p_memsz > p_filesz. The page
       tables and the boot stack live there. */
    mov $PHYS(__bss_start), %edi
    add %ebp, %edi
    mov $PHYS(__bss_end), %ecx
    sub $PHYS(__bss_start), %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl

    mov $PHYS(boot_stack_top), %esp
    add %ebp, %esp

    /* Long mode available? (CPUID 0x80000001 EDX bit 29). Keep EDX: bit 20 says whether NX exists. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb .Lno_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc .Lno_long_mode
    mov %edx, %ebx                       /* ebx = extended feature flags */

    /* PML4 */
    mov $PHYS(pml4), %edi
    add %ebp, %edi
    mov $PHYS(pdpt_low), %eax
    add %ebp, %eax
    or $(PG_P | PG_W), %eax
    mov %eax, 0*8(%edi)
    mov %eax, 256*8(%edi)
    mov $PHYS(pdpt_high), %eax
    add %ebp, %eax
    or $(PG_P | PG_W), %eax
    mov %eax, 511*8(%edi)

    /* pdpt_low[0..3] -> pd_low (four consecutive pages) */
    mov $PHYS(pdpt_low), %edi
    add %ebp, %edi
    mov $PHYS(pd_low), %eax
    add %ebp, %eax
    or $(PG_P | PG_W), %eax
    mov $4, %ecx
2:  mov %eax, (%edi)
    add $8, %edi
    add $0x1000, %eax
    loop 2b

    /* pd_low: 2048 x 2 MiB = 0..4 GiB, identity */
    mov $PHYS(pd_low), %edi
    add %ebp, %edi
    mov $(PG_P | PG_W | PG_PS), %eax
    mov $2048, %ecx
3:  mov %eax, (%edi)
    add $8, %edi
    add $0x200000, %eax
    loop 3b

    /* pdpt_high[510] -> pd_kernel; pd_kernel[i] maps link address i*2MiB onto i*2MiB + shift, for the
       2 MiB pages the image covers. The shift is a multiple of 2 MiB (tag 10 alignment), and the sum
       below 4 GiB, so 32-bit wrap-around arithmetic gives the right physical address. */
    mov $PHYS(pdpt_high), %edi
    add %ebp, %edi
    mov $PHYS(pd_kernel), %eax
    add %ebp, %eax
    or $(PG_P | PG_W), %eax
    mov %eax, 510*8(%edi)

    mov $PHYS(pd_kernel), %edi
    add %ebp, %edi
    mov $(LOAD_BASE >> 21), %ecx         /* first index */
    mov $PHYS(__image_end + 0x1fffff), %edx
    shr $21, %edx                        /* one past the last index */
4:  mov %ecx, %eax
    shl $21, %eax
    add %ebp, %eax
    or $(PG_P | PG_W | PG_PS), %eax
    mov %eax, (%edi, %ecx, 8)
    inc %ecx
    cmp %edx, %ecx
    jb 4b

    /* CR4, set outright (a loader's leftovers such as LA57 would not match our 4-level tables): PAE,
       plus OSFXSR/OSXMMEXCPT because EFI code called later (keepbs build) may use SSE. */
    mov $((1 << 5) | (1 << 9) | (1 << 10)), %eax
    mov %eax, %cr4

    mov $PHYS(pml4), %eax
    add %ebp, %eax
    mov %eax, %cr3

    /* EFER: long mode enable; NX enable only when the CPU has it (setting it otherwise is a #GP). */
    mov $0xc0000080, %ecx
    rdmsr
    or $(1 << 8), %eax
    bt $20, %ebx
    jnc 5f
    or $(1 << 11), %eax
5:  wrmsr

    /* CR0: paging, write protect, numeric error, monitor coprocessor; no x87 emulation, no task-switched */
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16) | (1 << 5) | (1 << 1) | 1), %eax
    and $~((1 << 2) | (1 << 3)), %eax
    mov %eax, %cr0

    /* The GDT pointer must hold the GDT's physical address, so build it on the stack. */
    mov $PHYS(gdt), %eax
    add %ebp, %eax
    push %eax
    pushw $(gdt_end - gdt - 1)
    lgdt (%esp)
    add $6, %esp

    mov $LOAD_BASE, %edi
    add %ebp, %edi                       /* edi = physical address the image really starts at */

    push $SEL_KCODE
    mov $.Llong_mode, %eax
    add %ebp, %eax
    push %eax
    lret                                 /* far return: the only way to load CS with a computed target */

    .code64
.Llong_mode:
    mov $SEL_KDATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    movabs $high_half, %rax
    jmp *%rax

    /* Entered in long mode (GRUB on UEFI with boot services kept): RAX = magic, RBX = MBI, paging on
       with the firmware's identity map, stack unknown. Switch to our stack and GDT, drop to 32-bit
       compatibility mode, turn paging and long mode off, and join the protected-mode path. */
.Lfrom_long_mode:
    cmp $MB2_BOOT_MAGIC, %eax
    jne .Lbad_magic
    mov %rbx, %rcx
    shr $32, %rcx
    jnz .Lbad_magic                      /* the 32-bit path needs the MBI below 4 GiB */
    lea _start32(%rip), %rbp
    sub $_start32, %ebp                  /* shift, as in the 32-bit path */
    mov $PHYS(boot_stack_top), %esp      /* 32-bit writes zero-extend into RSP */
    add %ebp, %esp
    sub $16, %rsp
    movw $(gdt_end - gdt - 1), (%rsp)
    mov $PHYS(gdt), %ecx
    add %ebp, %ecx
    mov %rcx, 2(%rsp)
    lgdt (%rsp)
    add $16, %rsp
    mov %cr4, %rcx
    and $~(1 << 17), %ecx                /* PCIDE: clearing CR0.PG with it set would #GP */
    mov %rcx, %cr4
    pushq $SEL_KCODE32
    lea .Lcompat(%rip), %rcx
    push %rcx
    lretq
    .code32
.Lcompat:
    mov %cr0, %ecx
    and $~(1 << 31), %ecx                /* paging off: long mode becomes inactive */
    mov %ecx, %cr0
    mov $0xc0000080, %ecx
    rdmsr
    and $~(1 << 8), %eax                 /* EFER.LME off */
    wrmsr
    mov $SEL_KDATA, %ecx
    mov %ecx, %ds
    mov %ecx, %es
    mov %ecx, %ss
    mov %ecx, %fs
    mov %ecx, %gs
    mov $MB2_BOOT_MAGIC, %eax
    jmp .Lprotected_mode

.Lbad_magic:
    /* EBX cannot be trusted, so neither can anything else: say so on the UART and stop. The long-mode
       path jumps here too: these instructions encode identically in 32-bit and 64-bit mode. */
    SERIAL_STR 70,65,84,65,76,58,32,110,111,116,32,97,32,77,117,108,116,105,98,111,111,116,50,32,98,111,111,116,13,10
    jmp .Lhalt
.Lno_long_mode:
    SERIAL_STR 70,65,84,65,76,58,32,110,111,32,108,111,110,103,32,109,111,100,101,13,10
.Lhalt:
    /* End the run with the kernel's failure status (isa-debug-exit, as shutdown.c does); halt if that
       device is absent. Port I/O needs neither memory nor a stack. */
    mov $STATUS_KERNEL_FAILURE, %al
    outb %al, $0xf4
1:  cli
    hlt
    jmp 1b

    /* ---------------------------------------------------------------- higher half from here on */
    .text
    .code64
high_half:
    lea boot_stack_top(%rip), %rsp
    mov %edi, %edi                       /* zero-extend: upper halves are undefined after the mode switch */
    mov %esi, %esi
    call kmain                           /* kmain(image_phys, mbi_phys) does not return */
6:  cli
    hlt
    jmp 6b

    /* Descriptors the switch needs; gdt.c adds the TSS and reloads GDTR with the virtual address. */
    .data
    .balign 16
    .globl gdt, gdt_end, gdt_tss
gdt:
    .quad 0
    .quad 0x00af9a000000ffff             /* 0x08 kernel code, 64-bit */
    .quad 0x00cf92000000ffff             /* 0x10 kernel data */
    .quad 0x00cff2000000ffff             /* 0x18 user data (DPL 3); SYSRET-style order: data before code */
    .quad 0x00affa000000ffff             /* 0x20 user code, 64-bit (DPL 3) */
gdt_tss:
    .quad 0, 0                           /* 0x28 64-bit TSS descriptor (16 bytes) */
    .quad 0x00cf9a000000ffff             /* 0x38 kernel code, 32-bit: only to leave a loader's long mode */
gdt_end:

    .bss
    .balign 4096
    .globl pml4
pml4:      .skip 4096
pdpt_low:  .skip 4096
pd_low:    .skip 4 * 4096
pdpt_high: .skip 4096
pd_kernel: .skip 4096
    .balign 16
boot_stack: .skip 32768                  /* EFI's ExitBootServices runs on this stack too */
boot_stack_top:
