/* memcpy, memmove, memset, memcmp for the RV64 image: word-at-a-time when both sides are aligned.
 * Built with -ffreestanding (no builtins), so the compiler does not turn these loops into calls. */
#include "rt.h"

#define WORD sizeof(uint64_t)
typedef uint64_t __attribute__((may_alias)) word_t; /* word access to any object */

void *memcpy(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & (WORD - 1)) == 0) {
        for (; n >= WORD; n -= WORD, d += WORD, s += WORD) *(word_t *)d = *(const word_t *)s;
    }
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    while (n--) d[n] = s[n]; /* overlapping with dst above src: copy backwards */
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    uint8_t *d = dst;
    uint8_t byte = (uint8_t)c;
    if (((uintptr_t)d & (WORD - 1)) == 0) {
        uint64_t w = byte * 0x0101010101010101ull;
        for (; n >= WORD; n -= WORD, d += WORD) *(word_t *)d = w;
    }
    while (n--) *d++ = byte;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}
