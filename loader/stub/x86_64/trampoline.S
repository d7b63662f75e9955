/*
 * Kernel entry trampolines.
 *
 * enter_i386: the Multiboot2 i386 machine state must be reached from long mode, and the code doing it must
 * survive paging being switched off, so it runs from a copy in a page below 4 GiB (identity mapped by every
 * path): long mode -> 32-bit compatibility mode (its own GDT) -> CR0.PG = 0 -> EFER.LME = 0 -> flat data
 * segments -> EAX = magic, EBX = MBI -> jump to the kernel. The block is position independent, so
 * copying it is all the relocation it needs.
 *
 *   void trampoline_i386(u64 entry, u64 mbi)  [the copy is called; rdi = entry, rsi = mbi]
 *
 * enter_efi64: the Multiboot2 EFI amd64 state (tag 9): stay in long mode with the firmware's tables.
 */
	.text
	.code64
	.globl	trampoline_start, trampoline_end
	.balign	16
trampoline_start:
	cli
	leaq	tgdt(%rip), %rax
	movq	%rax, tgdt_desc + 2(%rip)
	lgdt	tgdt_desc(%rip)
	pushq	$0x08
	leaq	compat32(%rip), %rax
	pushq	%rax
	lretq

	.code32
compat32:
	movl	%cr0, %eax
	andl	$0x7fffffff, %eax		/* paging off: the CPU leaves IA-32e mode */
	movl	%eax, %cr0
	movl	$0xc0000080, %ecx
	rdmsr
	andl	$~0x100, %eax			/* EFER.LME off */
	wrmsr
	movl	%cr4, %eax
	andl	$~0x20, %eax			/* PAE off (paging is off anyway) */
	movl	%eax, %cr4
	xorl	%eax, %eax
	movl	%eax, %cr3
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	pushl	$0x2				/* EFLAGS: IF = 0, DF = 0, VM = 0 */
	popfl
	movl	%esi, %ebx
	movl	$0x36d76289, %eax
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%ebp, %ebp
	jmp	*%edi

	.balign	16
tgdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08: 32-bit flat code */
	.quad	0x00cf92000000ffff		/* 0x10: flat data */
tgdt_end:
	.balign	8
tgdt_desc:
	.word	tgdt_end - tgdt - 1
	.quad	0
trampoline_end:

	.code64
	.globl	enter_efi64
/* void enter_efi64(u64 entry, u64 mbi) */
enter_efi64:
	movq	%rdi, %rcx
	movq	%rsi, %rbx
	movl	$0x36d76289, %eax
	jmp	*%rcx

	.globl	enter_i386_via
/* void enter_i386_via(u64 trampoline_copy, u64 entry, u64 mbi) */
enter_i386_via:
	cli
	movq	%rdi, %rax
	movq	%rsi, %rdi
	movq	%rdx, %rsi
	jmp	*%rax

	.section .note.GNU-stack, "", @progbits
