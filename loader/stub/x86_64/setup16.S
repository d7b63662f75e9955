/*
 * Real-mode setup routine (in the bzImage setup sectors, file offset SETUP16_OFFSET).
 *
 * QEMU -kernel (and any loader using the 16-bit boot protocol) enters at file offset 0x200 with
 * CS = setup segment + 0x20, IP = 0; the short jump there lands here. QEMU gives no memory map, so this
 * routine builds a boot_params (zero page) itself: copies the setup header, asks INT 15h E820 for the map,
 * enables A20, switches to 32-bit protected mode with flat segments and jumps to code32_start with
 * ESI = boot_params -- the same state GRUB's `linux` command produces.
 *
 * Assembled at 0 so that symbol values are file offsets; the composer copies bytes from SETUP16_OFFSET on.
 */
#include "layout.h"

	.section .setup16, "ax"
	.code16
	.org	SETUP16_OFFSET
	.globl	setup16_entry
setup16_entry:
	cli
	cld
	movw	%cs, %ax
	subw	$0x20, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$SETUP16_STACK_TOP, %sp
	pushw	%ax
	pushw	$normalised
	lretw
normalised:
	/* zero page: cleared, then the setup header as the loader left it (cmd_line_ptr, type_of_loader...) */
	movw	$SETUP16_ZERO_PAGE, %di
	xorw	%ax, %ax
	movw	$2048, %cx
	rep stosw
	movw	$0x1f1, %si
	movw	$SETUP16_ZERO_PAGE + 0x1f1, %di
	movw	$(0x26c - 0x1f1), %cx
	rep movsb

	/* E820 into boot_params.e820_table (0x2d0), count into e820_entries (0x1e8) */
	xorl	%ebx, %ebx
	movw	$SETUP16_ZERO_PAGE + 0x2d0, %di
	xorw	%bp, %bp
1:	movl	$0xe820, %eax
	movl	$0x534d4150, %edx		/* 'SMAP' */
	movl	$20, %ecx
	int	$0x15
	jc	2f
	cmpl	$0x534d4150, %eax
	jne	2f
	incw	%bp
	addw	$20, %di
	testl	%ebx, %ebx
	jz	2f
	cmpw	$128, %bp
	jb	1b
2:	movw	%bp, %ax
	movb	%al, SETUP16_ZERO_PAGE + 0x1e8

	/* A20 through the fast gate */
	inb	$0x92, %al
	orb	$2, %al
	andb	$0xfe, %al
	outb	%al, $0x92

	xorl	%ebx, %ebx
	movw	%ds, %bx
	shll	$4, %ebx			/* linear address of the setup */
	leal	gdt16(%ebx), %eax
	movl	%eax, gdt16_desc + 2
	lgdtl	gdt16_desc
	leal	SETUP16_ZERO_PAGE(%ebx), %esi
	movl	0x214, %eax			/* code32_start, as the loader left it */
	movl	%eax, far32
	movw	$0x10, far32 + 4

	movl	%cr0, %eax
	orb	$1, %al
	movl	%eax, %cr0
	movw	$0x18, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	xorl	%ebx, %ebx
	ljmpl	*%cs:far32

	.balign	8
gdt16:
	.quad	0
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x10: __BOOT_CS */
	.quad	0x00cf92000000ffff		/* 0x18: __BOOT_DS */
gdt16_end:
gdt16_desc:
	.word	gdt16_end - gdt16 - 1
	.long	0
far32:
	.long	0
	.word	0
	.globl	setup16_end
setup16_end:

	.section .note.GNU-stack, "", @progbits
