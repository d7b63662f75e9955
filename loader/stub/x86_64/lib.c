/* The few libc routines gcc and the stub need (gcc may emit calls to memcpy/memset by itself). */
#include "stub.h"

void *memcpy(void *dst, const void *src, usize n)
{
    u8 *d = dst;
    const u8 *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, usize n)
{
    u8 *d = dst;
    const u8 *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, usize n)
{
    u8 *d = dst;
    while (n--) *d++ = (u8)c;
    return dst;
}

int memcmp(const void *a, const void *b, usize n)
{
    const u8 *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x - *y;
    return 0;
}

usize strlen(const char *s)
{
    usize n = 0;
    while (s[n]) n++;
    return n;
}

void str_append_n(char *dst, usize cap, const char *src, usize n)
{
    usize len = strlen(dst);
    for (usize i = 0; i < n && src[i] && len + 1 < cap; i++) dst[len++] = src[i];
    dst[len] = 0;
}

void str_append(char *dst, usize cap, const char *src) { str_append_n(dst, cap, src, (usize)-1); }
