/*
 * Byte-wise on purpose: with the MMU off every access is Device memory, where unaligned accesses fault, and
 * these run before and after the MMU is on.
 */
#include "string.h"

void *memcpy(void *dst, const void *src, usize n) {
  u8 *d = dst;
  const u8 *s = src;
  if ((((u64)d | (u64)s | n) & 7) == 0) {
    for (usize i = 0; i < n / 8; i++) ((u64 *)d)[i] = ((const u64 *)s)[i];
    return dst;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, usize n) {
  u8 *d = dst;
  const u8 *s = src;
  if (d <= s || d >= s + n) return memcpy(dst, src, n);
  while (n--) d[n] = s[n];
  return dst;
}

void *memset(void *dst, int c, usize n) {
  u8 *d = dst;
  if ((((u64)d | n) & 7) == 0 && c == 0) {
    for (usize i = 0; i < n / 8; i++) ((u64 *)d)[i] = 0;
    return dst;
  }
  while (n--) *d++ = (u8)c;
  return dst;
}

int memcmp(const void *a, const void *b, usize n) {
  const u8 *x = a, *y = b;
  for (usize i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] - y[i];
  return 0;
}

usize strlen(const char *s) {
  usize n = 0;
  while (s[n]) n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, usize n) {
  for (usize i = 0; i < n; i++) {
    if (a[i] != b[i]) return (u8)a[i] - (u8)b[i];
    if (!a[i]) return 0;
  }
  return 0;
}
