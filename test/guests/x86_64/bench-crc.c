/* gcc-built workload: fill 4 MiB with pseudo-random bytes, sort 256 Ki 32-bit keys (heap sort, no
 * recursion), then CRC-32 (bitwise-table) over the 4 MiB. Prints the digests. */
#include "rt.h"

#define BYTES (4u << 20)
static u8 buf[BYTES] __attribute__((aligned(64)));
static u32 crc_table[256];

static void sift(u32 *a, long start, long end) {
  long root = start;
  while (2 * root + 1 <= end) {
    long child = 2 * root + 1, sw = root;
    if (a[sw] < a[child]) sw = child;
    if (child + 1 <= end && a[sw] < a[child + 1]) sw = child + 1;
    if (sw == root) return;
    u32 t = a[root]; a[root] = a[sw]; a[sw] = t;
    root = sw;
  }
}

static void heapsort(u32 *a, long n) {
  for (long start = (n - 2) / 2; start >= 0; start--) sift(a, start, n - 1);
  for (long end = n - 1; end > 0; end--) {
    u32 t = a[end]; a[end] = a[0]; a[0] = t;
    sift(a, 0, end - 1);
  }
}

int test_main(void) {
  u64 x = 0x9E3779B97F4A7C15UL;
  for (u32 i = 0; i < BYTES / 8; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    ((u64 *)buf)[i] = x;
  }
  u32 *keys = (u32 *)buf;
  long n = 256 * 1024;
  heapsort(keys, n);
  u64 sorted = 1;
  for (long i = 1; i < n; i++) if (keys[i - 1] > keys[i]) sorted = 0;
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
  u32 crc = 0xffffffffu;
  for (u32 i = 0; i < BYTES; i++) crc = crc_table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
  rt_printf("bench-crc: sorted=%lu min=%08x max=%08x crc32=%08x\n", sorted, keys[0], keys[n - 1], crc ^ 0xffffffffu);
  return 0;
}
