/*
 * kmain: the order of the boot. entry.S arrives here in long mode on the boot stack with the image's
 * physical address (to learn the relocation shift) and the Multiboot2 information's physical address.
 */
#include "kernel.h"
#include "x86.h"
#include "multiboot2.h"

#define MB2_BOOT_MAGIC 0x36d76289u /* entry.S refused anything else */

static void report_kernel(uint64_t image_phys)
{
    /* entry.S enabled NX only if CPUID offered it; what counts for page tables is what is enabled (an NX
       bit in a PTE with EFER.NXE clear is a reserved-bit page fault). */
    nx_supported = (rdmsr(MSR_EFER) & EFER_NXE) != 0;
    int64_t shift = kernel_shift;
    kprintf("kernel: image at 0x%llx, linked at 0x%llx, shift %c0x%llx, nx=%s\n", (unsigned long long)image_phys,
            (unsigned long long)LOAD_BASE, shift < 0 ? '-' : '+', (unsigned long long)(shift < 0 ? -shift : shift),
            nx_supported ? "on" : "unsupported");
    /* A relocating loader also says where it put us (tag 21): an independent check of the call/pop
       arithmetic in entry.S. */
    const struct mbi_tag *t = mbi_find(NULL, MB2_TAG_LOAD_BASE_ADDR);
    if (t && t->size >= sizeof(struct mb2_load_base_tag))
        kprintf("kernel: loader reports load base 0x%x (MB2 tag 21)%s\n", ((const struct mb2_load_base_tag *)t)->load_base_addr,
                ((const struct mb2_load_base_tag *)t)->load_base_addr == image_phys ? "" : ", which DIFFERS from where the image runs");
}

__attribute__((noreturn)) void kmain(uint64_t image_phys, uint64_t mbi_phys)
{
    serial_init();
    kernel_shift = (int64_t)image_phys - (int64_t)LOAD_BASE;
    kprintf("NOVA-IMAGE REFERENCE KERNEL " KERNEL_VERSION " (x86_64)\n");
    mbi_init(mbi_phys);
    mbi_report_boot(MB2_BOOT_MAGIC);
    report_kernel(image_phys);
    gdt_init();
    idt_init();
    efi_handoff();        /* first: with boot services kept, nothing is ours until they are gone */
    memmap_report();
    mbi_report_modules();
    mbi_report_cmdline();
    acpi_report();
    start_root_task();
    halt_forever();
}
