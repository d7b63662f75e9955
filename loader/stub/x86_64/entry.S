/*
 * Entry points of the loader stub's protected-mode part (linked at 0; the part starts at file offset S).
 *
 *   +0x000 entry32_linux   Linux 32-bit boot protocol (code32_start): ESI = boot_params, flat segments.
 *   +0x010 stub_info       facts the composer patches (catalog position, S).
 *   +0x040 entry32_mb2     Multiboot2 i386 entry (tag 3): EAX = magic, EBX = MBI, loaded at STUB_LOAD_ADDR.
 *   +0x080 mb2 header      written by the composer.
 *   +0x200 entry64_linux   Linux 64-bit boot protocol entry: RSI = boot_params, identity-mapped long mode.
 *   +0x240 entry64_mb2efi  Multiboot2 EFI amd64 entry (tag 9): EAX = magic, EBX = MBI, boot services alive.
 *   efi_main (C)           PE/COFF entry point (UEFI application).
 *
 * The 32-bit paths build identity page tables for the low 4 GiB (2 MiB pages: QEMU's default CPU has no
 * 1 GiB pages), switch to long mode and call stub_main() like the 64-bit paths do. 32-bit code addresses
 * the image through %ebp = its load address plus absolute (link-time, base 0) offsets.
 */
#include "layout.h"

	.section .head, "awx"
	.code32
	.globl entry32_linux
entry32_linux:
	jmp	linux32

	.org	OFF_STUB_INFO
	.globl	stub_info
stub_info:
	.ascii	"NOVASTUB"		/* magic */
	.long	1			/* version of this block */
	.long	0			/* pm_file_offset: file offset S of this part (composer) */
	.long	0			/* catalog_offset: file offset of the payload catalog (composer) */
	.long	0			/* catalog_size (composer) */
	.long	0			/* file_size: bytes of the whole file (composer) */
	.long	0			/* reserved */

	.org	OFF_ENTRY32_MB2
	.globl	entry32_mb2
entry32_mb2:
	cli
	cld
	/* The Multiboot2 address tag fixes where GRUB put us. */
	movl	$STUB_LOAD_ADDR, %ebp
	movl	$PATH_MB2, %ecx
	movl	%ebx, %edx
	jmp	common32

	.org	OFF_MB2_HEADER
	.globl	mb2_header_area
mb2_header_area:
	.fill	MB2_HEADER_SPACE, 1, 0

	.code64
	.org	OFF_ENTRY64_LINUX
	.globl	entry64_linux
entry64_linux:
	cli
	cld
	leaq	stub_stack_top(%rip), %rsp
	movq	%rsi, %r12
	/* The loader only promises a mapping of us, boot_params and the command line: use our own tables. */
	call	build_page_tables
	movq	%rax, %cr3
	call	load_gdt64
	movl	$PATH_LINUX, %edi
	xorl	%esi, %esi
	movq	%r12, %rdx
	call	stub_main
	jmp	halt_forever

	.org	OFF_ENTRY64_MB2EFI
	.globl	entry64_mb2efi
entry64_mb2efi:
	/* Boot services are alive: keep the firmware's page tables, GDT and interrupt state. */
	cld
	leaq	stub_stack_top(%rip), %rsp
	movl	$PATH_MB2, %edi
	movl	%eax, %esi
	movl	%ebx, %edx
	call	stub_main
	jmp	halt_forever

	.text
	.code32
linux32:
	cli
	cld
	/* No stack is promised here: borrow boot_params.scratch (0x1e4) for call/pop, as Linux does. */
	leal	0x1e4 + 4(%esi), %esp
	call	1f
1:	popl	%ebp
	subl	$1b, %ebp			/* 1b is the link-time offset (linked at 0) */
	movl	$PATH_LINUX, %ecx
	xorl	%eax, %eax
	movl	%esi, %edx
	jmp	common32

common32:
	/* ebp = load address, ecx = path, eax = magic, edx = information pointer */
	movl	%ecx, boot_path(%ebp)
	movl	%eax, boot_magic(%ebp)
	movl	%edx, boot_info(%ebp)
	leal	stub_stack_top(%ebp), %esp

	/* Identity map 0..4 GiB: PML4[0] -> PDPT, PDPT[0..3] -> 4 page directories of 2 MiB pages. */
	leal	page_tables(%ebp), %edi
	xorl	%eax, %eax
	movl	$(6 * 4096 / 4), %ecx
	rep stosl
	leal	page_tables + 0x1003(%ebp), %eax
	movl	%eax, page_tables(%ebp)
	leal	page_tables + 0x2003(%ebp), %eax
	leal	page_tables + 0x1000(%ebp), %edi
	movl	$4, %ecx
2:	movl	%eax, (%edi)
	addl	$0x1000, %eax
	addl	$8, %edi
	loop	2b
	leal	page_tables + 0x2000(%ebp), %edi
	movl	$0x83, %eax			/* present, writable, 2 MiB page */
	movl	$2048, %ecx
3:	movl	%eax, (%edi)
	movl	$0, 4(%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	3b

	movl	%cr4, %eax
	orl	$0x20, %eax			/* PAE */
	movl	%eax, %cr4
	leal	page_tables(%ebp), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx		/* EFER */
	rdmsr
	orl	$0x100, %eax			/* LME */
	wrmsr
	leal	gdt64(%ebp), %eax
	movl	%eax, gdt64_desc + 2(%ebp)
	lgdt	gdt64_desc(%ebp)
	movl	%cr0, %eax
	orl	$0x80000001, %eax		/* PG | PE */
	movl	%eax, %cr0
	leal	long64(%ebp), %eax
	pushl	$0x08
	pushl	%eax
	lret

	.code64
long64:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	leaq	stub_stack_top(%rip), %rsp
	movl	boot_path(%rip), %edi
	movl	boot_magic(%rip), %esi
	movl	boot_info(%rip), %edx
	call	stub_main
	/* fall through */
	.globl	halt_forever
halt_forever:
	cli
1:	hlt
	jmp	1b

/* Builds the 4 GiB identity map from long mode; returns its address for CR3. */
build_page_tables:
	leaq	page_tables(%rip), %rdi
	xorl	%eax, %eax
	movl	$(6 * 4096 / 8), %ecx
	rep stosq
	leaq	page_tables(%rip), %rdx
	leaq	0x1003(%rdx), %rax
	movq	%rax, (%rdx)
	leaq	0x2003(%rdx), %rax
	leaq	0x1000(%rdx), %rdi
	movl	$4, %ecx
1:	movq	%rax, (%rdi)
	addq	$0x1000, %rax
	addq	$8, %rdi
	loop	1b
	leaq	0x2000(%rdx), %rdi
	movq	$0x83, %rax
	movl	$2048, %ecx
2:	movq	%rax, (%rdi)
	addq	$0x200000, %rax
	addq	$8, %rdi
	loop	2b
	movq	%rdx, %rax
	ret

load_gdt64:
	leaq	gdt64(%rip), %rax
	movq	%rax, gdt64_desc + 2(%rip)
	lgdt	gdt64_desc(%rip)
	pushq	$0x08
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	ret

	.data
	.balign	16
gdt64:
	.quad	0
	.quad	0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff		/* 0x10: flat data */
gdt64_end:
	.balign	8
gdt64_desc:
	.word	gdt64_end - gdt64 - 1
	.quad	0
	.globl	boot_path, boot_magic, boot_info
boot_path:	.long 0
boot_magic:	.long 0
boot_info:	.long 0

	.section .bss.pagetables, "aw", @nobits
	.balign	4096
page_tables:
	.space	6 * 4096
	.balign	16
	.space	STUB_STACK_SIZE
	.globl	stub_stack_top
stub_stack_top:

	.section .note.GNU-stack, "", @progbits
