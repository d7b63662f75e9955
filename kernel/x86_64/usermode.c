/*
 * Starting the root task: the first module, an ELF64 ET_EXEC that obeys NOVA's root rules
 * (p_filesz == p_memsz and p_vaddr == p_offset mod 4 KiB for every PT_LOAD). Those rules exist so the
 * kernel can map each segment straight onto the module's pages where the loader put them: nothing is
 * copied and nothing is zeroed. Then a user stack, and IRETQ to ring 3.
 */
#include "kernel.h"
#include "elf.h"

#define PAGE 4096ull
#define USER_TOP 0x0000800000000000ull
#define USER_STACK_PAGES 4
#define USER_STACK_TOP 0x00007ffffff00000ull

static uint8_t user_stack[USER_STACK_PAGES][PAGE] __attribute__((aligned(4096)));

static __attribute__((noreturn)) void refuse(const char *why, unsigned segment)
{
    if (segment == ~0u)
        kprintf("root: cannot start the root task: %s\n", why);
    else
        kprintf("root: cannot start the root task: segment %u: %s\n", segment, why);
    end_run(STATUS_KERNEL_FAILURE);
}

void start_root_task(void)
{
    uint64_t start, end;
    const char *name;
    if (!mbi_module(0, &start, &end, &name))
        refuse("no modules (the first module is the root task)", ~0u);
    uint64_t size = end - start;
    if (end < start || !phys_range_ok(start, size))
        refuse("module outside the mapped 4 GiB", ~0u);
    if (start & (PAGE - 1))
        refuse("module not page aligned (loader ignored header tag 6)", ~0u);

    const uint8_t *image = phys_to_virt(start);
    const struct elf64_ehdr *eh = (const void *)image;
    if (size < sizeof *eh || memcmp(eh->ident, "\177ELF", 4))
        refuse("not an ELF file", ~0u);
    if (eh->ident[4] != ELFCLASS64 || eh->ident[5] != ELFDATA2LSB || eh->machine != EM_X86_64)
        refuse("not an x86_64 little-endian ELF64 file", ~0u);
    if (eh->type != ET_EXEC)
        refuse("not ET_EXEC", ~0u);
    if (eh->phentsize < sizeof(struct elf64_phdr) || eh->phoff > size ||
        (uint64_t)eh->phnum * eh->phentsize > size - eh->phoff)
        refuse("program headers outside the file", ~0u);

    /* The kernel's view of low physical memory is the direct map from now on; the lower half is the root
       task's. */
    drop_identity_map();

    unsigned loads = 0;
    for (unsigned i = 0; i < eh->phnum; i++) {
        const struct elf64_phdr *ph = (const void *)(image + eh->phoff + (uint64_t)i * eh->phentsize);
        if (ph->type != PT_LOAD || ph->memsz == 0)
            continue;
        if (ph->filesz != ph->memsz)
            refuse("p_filesz != p_memsz (root rule: no zero fill, so no .bss)", i);
        if ((ph->vaddr - ph->offset) & (PAGE - 1))
            refuse("p_vaddr not congruent to p_offset modulo 4 KiB (root rule)", i);
        if (ph->offset > size || ph->filesz > size - ph->offset)
            refuse("segment data outside the module", i);
        if (ph->vaddr >= USER_TOP || ph->memsz > USER_TOP - ph->vaddr || ph->vaddr + ph->memsz > USER_STACK_TOP - USER_STACK_PAGES * PAGE)
            refuse("segment outside the user half or overlapping the stack", i);

        uint64_t flags = (ph->flags & PF_W ? PTE_W : 0) | (ph->flags & PF_X ? 0 : PTE_NX);
        uint64_t first = ph->vaddr & ~(PAGE - 1), last = (ph->vaddr + ph->memsz - 1) & ~(PAGE - 1);
        uint64_t phys = start + (ph->offset & ~(PAGE - 1));
        for (uint64_t va = first; va <= last; va += PAGE, phys += PAGE)
            if (!map_user_page(va, phys, flags))
                refuse("cannot map (page-table pool exhausted or page mapped twice)", i);
        kprintf("root: segment %u vaddr=0x%llx size=0x%llx %c%c%c mapped in place at phys 0x%llx\n", i,
                (unsigned long long)ph->vaddr, (unsigned long long)ph->memsz, ph->flags & PF_R ? 'r' : '-',
                ph->flags & PF_W ? 'w' : '-', ph->flags & PF_X ? 'x' : '-',
                (unsigned long long)(start + (ph->offset & ~(PAGE - 1))));
        loads++;
    }
    if (!loads)
        refuse("no PT_LOAD segments", ~0u);
    if (eh->entry >= USER_TOP)
        refuse("entry point outside the user half", ~0u);

    for (unsigned p = 0; p < USER_STACK_PAGES; p++)
        if (!map_user_page(USER_STACK_TOP - (USER_STACK_PAGES - p) * PAGE, kernel_virt_to_phys(user_stack[p]), PTE_W | PTE_NX))
            refuse("cannot map the user stack", ~0u);

    kprintf("root: entering ring 3 at 0x%llx, stack top 0x%llx\n", (unsigned long long)eh->entry,
            (unsigned long long)USER_STACK_TOP);
    enter_user(eh->entry, USER_STACK_TOP);
}
