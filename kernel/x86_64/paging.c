/*
 * Address spaces. entry.S built the kernel's tables (identity 0..4 GiB, direct map, higher-half image);
 * this file gives C access to physical memory and builds the root task's user mappings in the lower half
 * with 4 KiB pages taken from a small static pool.
 */
#include "kernel.h"
#include "x86.h"

extern uint64_t pml4[512];

int64_t kernel_shift;
bool nx_supported;

#define POOL_PAGES 32
static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned pool_used;

bool phys_range_ok(uint64_t phys, uint64_t len)
{
    return phys < DIRECT_MAP_SIZE && len <= DIRECT_MAP_SIZE - phys;
}

void *phys_to_virt(uint64_t phys)
{
    return (void *)(uintptr_t)(DIRECT_MAP + phys);
}

uint64_t kernel_virt_to_phys(const void *p)
{
    return (uint64_t)(uintptr_t)p - KERNEL_VBASE + (uint64_t)kernel_shift;
}

/* The next level's table for entry e, allocated (zeroed: .bss) on first use. */
static uint64_t *next_level(uint64_t *e)
{
    if (*e & PTE_P)
        return phys_to_virt(*e & 0x000ffffffffff000ull);
    if (pool_used == POOL_PAGES)
        return NULL;
    uint64_t *t = pool[pool_used++];
    /* Intermediate levels allow everything; the leaf decides. */
    *e = kernel_virt_to_phys(t) | PTE_P | PTE_W | PTE_U;
    return t;
}

/*
 * Map one user page. Two ELF segments may share a page (their file data does); then the page gets the
 * union of their permissions. A different frame at an already mapped page is refused.
 */
bool map_user_page(uint64_t vaddr, uint64_t phys, uint64_t flags)
{
    uint64_t *t = pml4;
    for (int shift = 39; shift > 12; shift -= 9) {
        t = next_level(&t[(vaddr >> shift) & 511]);
        if (!t)
            return false;
    }
    uint64_t *pte = &t[(vaddr >> 12) & 511];
    uint64_t want = phys | flags | PTE_P | PTE_U;
    if (!nx_supported)
        want &= ~PTE_NX;
    if (*pte & PTE_P) {
        if ((*pte & 0x000ffffffffff000ull) != phys)
            return false;
        want = (*pte | want) & ~((*pte & want & PTE_NX) ? 0 : PTE_NX);
    }
    *pte = want;
    return true;
}

/* Give the lower half to user space: from here on physical memory is reached through DIRECT_MAP only. */
void drop_identity_map(void)
{
    pml4[0] = 0;
    write_cr3(read_cr3());
}

uint64_t direct_virt_to_phys(const void *p)
{
    return (uint64_t)(uintptr_t)p - DIRECT_MAP;
}
