/*
 * Placement on the BIOS paths, where no firmware allocator exists: RAM is what the memory map calls
 * available (type 1), from 1 MiB to 4 GiB, minus the ranges reserved here (the image itself, the loaded
 * kernel, earlier allocations).
 */
#include "stub.h"

#define MAX_RESERVED 16
static struct { u64 lo, hi; } reserved[MAX_RESERVED];
static u32 nreserved;

void mem_reserve(u64 lo, u64 hi)
{
    if (nreserved == MAX_RESERVED) fatal("too many reserved ranges", nreserved);
    reserved[nreserved].lo = lo;
    reserved[nreserved].hi = hi;
    nreserved++;
}

static int in_ram(u64 lo, u64 hi)
{
    for (u32 i = 0; i < facts.mmap_count; i++) {
        const struct mmap_entry *m = &facts.mmap[i];
        if (m->type == 1 && lo >= m->base && hi <= m->base + m->length) return 1;
    }
    return 0;
}

int mem_range_free(u64 lo, u64 hi)
{
    if (lo < 0x100000 || hi > 0x100000000ULL || hi <= lo) return 0;
    if (!in_ram(lo, hi)) return 0;
    for (u32 i = 0; i < nreserved; i++)
        if (lo < reserved[i].hi && reserved[i].lo < hi) return 0;
    return 1;
}

u64 mem_alloc(u64 size)
{
    size = ALIGN_UP(size, PAGE);
    for (u32 r = 0; r < facts.mmap_count; r++) {
        const struct mmap_entry *m = &facts.mmap[r];
        if (m->type != 1) continue;
        u64 p = ALIGN_UP(m->base < 0x100000 ? 0x100000 : m->base, PAGE);
        for (int moved = 1; moved;) {
            moved = 0;
            for (u32 i = 0; i < nreserved; i++)
                if (p < reserved[i].hi && reserved[i].lo < p + size) {
                    p = ALIGN_UP(reserved[i].hi, PAGE);
                    moved = 1;
                }
        }
        if (p + size <= m->base + m->length && p + size <= 0x100000000ULL) {
            mem_reserve(p, p + size);
            return p;
        }
    }
    fatal("no free RAM below 4 GiB for the loader's structures, size", size);
}
