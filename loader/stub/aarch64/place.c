/*
 * Placement without firmware (Linux and Multiboot2 paths): RAM ranges from the boot facts minus a list of
 * busy ranges (this image, the incoming FDT/MBI/modules, reserved memory, and whatever we placed).
 */
#include "stub.h"

#define MAX_BUSY 64
static struct range busy[MAX_BUSY];
static u32 busy_count;

void mem_reserve(u64 lo, u64 hi) {
  if (hi <= lo) return;
  if (busy_count == MAX_BUSY) fatal("too many reserved memory ranges");
  busy[busy_count++] = (struct range){ALIGN_DOWN(lo, PAGE), ALIGN_UP(hi, PAGE)};
}

static const struct range *overlap(u64 lo, u64 hi) {
  for (u32 i = 0; i < busy_count; i++)
    if (lo < busy[i].hi && busy[i].lo < hi) return &busy[i];
  return NULL;
}

static int in_ram(u64 lo, u64 hi) {
  for (u32 i = 0; i < facts.ram_count; i++)
    if (lo >= facts.ram[i].lo && hi <= facts.ram[i].hi) return 1;
  return 0;
}

int mem_range_free(u64 lo, u64 hi) {
  if (!in_ram(lo, hi) || overlap(lo, hi)) return 0;
  mem_reserve(lo, hi);
  return 1;
}

/* First fit, lowest address first, below 4 GiB (Multiboot2 module addresses are 32-bit). */
u64 mem_alloc(u64 size, u64 align) {
  size = ALIGN_UP(size, PAGE);
  for (u32 i = 0; i < facts.ram_count; i++) {
    u64 at = ALIGN_UP(facts.ram[i].lo, align);
    while (at + size <= facts.ram[i].hi && at + size <= 0x100000000UL) {
      const struct range *b = overlap(at, at + size);
      if (!b) {
        mem_reserve(at, at + size);
        return at;
      }
      at = ALIGN_UP(b->hi, align);
    }
  }
  fatal("no free RAM for 0x%lx bytes", size);
}
