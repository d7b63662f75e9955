/*
 * The loader stub's common work after each entry point reached long mode:
 * collect facts -> read the payload catalog -> place and copy the kernel -> build the Multiboot2
 * information -> enter the kernel in the Multiboot2 i386 state (or, on UEFI with tags 7 + 9, in the EFI
 * amd64 state with boot services kept).
 */
#include "stub.h"

static void enter_kernel_i386(u64 tramp_page, u64 mbi)
{
    memcpy((void *)tramp_page, trampoline_start, (usize)(trampoline_end - trampoline_start));
    enter_i386_via(tramp_page, kplan.entry_i386 + kplan.shift, mbi);
}

/* BIOS paths (Linux boot protocol, Multiboot2 from GRUB BIOS): we own the machine already. */
static void __attribute__((noreturn)) run_legacy(void)
{
    read_catalog();
    const struct payload *k = find_payload(CAT_KERNEL);
    if (!k) fatal2("payload catalog has no kernel", NULL);
    kernel_parse(k);
    mem_reserve(0, 0x100000);
    mem_reserve(image_memory_start(), ALIGN_UP(image_memory_end(), PAGE));
    kernel_place(mem_range_free);
    mem_reserve(kplan.lo + kplan.shift, ALIGN_UP(kplan.hi + kplan.shift, PAGE));
    const usize mbi_cap = 64 * 1024;
    u64 mbi = mem_alloc(mbi_cap);
    u64 tramp = mem_alloc(PAGE);
    if (acpi_overrides_present()) {
        u64 size = ALIGN_UP(acpi_overrides_size(), PAGE);
        u64 area = mem_alloc(size);
        mmap_mark(area, area + size, MB2_MEMORY_ACPI_RECLAIMABLE);
        acpi_apply_overrides((u8 *)area);
    }
    kernel_copy(k);
    mbi_build((u8 *)mbi, mbi_cap, NULL, 0);
    enter_kernel_i386(tramp, mbi);
    __builtin_unreachable();
}

void stub_main(int path, u32 magic, u64 info)
{
    if (path == PATH_LINUX) {
        collect_linux(info);
    } else {
        if (magic != MB2_BOOTLOADER_MAGIC) fatal("Multiboot2 entry with a wrong magic in EAX", magic);
        collect_mb2(info);
        if (facts.efi_system_table) efi_run(facts.efi_image_handle, facts.efi_system_table);
    }
    run_legacy();
}
