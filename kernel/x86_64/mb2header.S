/*
 * Multiboot2 header with the shape of NOVA's: module alignment (6), keep EFI boot services (7, only in the
 * keepbs build) and relocatable (10). No address/entry tags: the loader takes load addresses from the ELF
 * program headers (p_paddr) and the entry point from e_entry, which is why e_entry is a physical address.
 */
#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0            /* entered in 32-bit protected mode, paging off */
#define TAG_OPTIONAL 1

    .section .mb2header, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

    /* 6: modules page aligned. Required: the root task is mapped in place, page by page. */
    .balign 8
    .short 6, 0
    .long 8

#ifdef KEEP_BOOT_SERVICES
    /* 7: leave EFI boot services running; this kernel calls ExitBootServices itself (efi.c).
       Optional: a BIOS loader has no boot services to keep. */
    .balign 8
    .short 7, TAG_OPTIONAL
    .long 8
#endif

    /* 10: relocatable. The loader may shift the whole image by a multiple of 2 MiB anywhere in
       [2 MiB, 4 GiB); entry.S finds the shift at run time. Preference 2 = place it as high as possible. */
    .balign 8
    .short 10, TAG_OPTIONAL
    .long 24
    .long 0x200000                 /* min_addr */
    .long 0xffffffff               /* max_addr */
    .long 0x200000                 /* align */
    .long 2                        /* preference: high */

    .balign 8
    .short 0, 0                    /* end tag */
    .long 8
mb2_header_end:
