/* memcpy, memmove, memset, memcmp for the RV64 image: aligned 8-byte words wherever possible.
 * Built with -ffreestanding (no builtins), so the compiler does not turn these loops into calls.
 *
 * Only aligned word accesses are used (the compiler targets strict alignment): when source and
 * destination sit at different offsets within a word, the destination is aligned and each of its
 * words is assembled from two aligned source words by shifts (little-endian). Such a source word
 * is only ever read when at least one of its bytes lies in the source range, so no access leaves
 * the aligned word of a byte the caller named. The word loops move four words per iteration:
 * these functions run on every hash, trie node and heap block the guest handles. */
#include "rt.h"

#define WORD sizeof(uint64_t)
typedef uint64_t __attribute__((may_alias)) word_t; /* word access to any object */

static inline uint64_t ld(const uint8_t *p) { return *(const word_t *)p; }
static inline void sd(uint8_t *p, uint64_t v) { *(word_t *)p = v; }

/* Copy n < 16 bytes forward: straight-line by 8, 4, 2 and 1 (short copies, heads and tails). */
static inline void copy_short(uint8_t *d, const uint8_t *s, size_t n) {
    if (n & 8) {
        d[0] = s[0], d[1] = s[1], d[2] = s[2], d[3] = s[3], d[4] = s[4], d[5] = s[5], d[6] = s[6], d[7] = s[7];
        d += 8, s += 8;
    }
    if (n & 4) d[0] = s[0], d[1] = s[1], d[2] = s[2], d[3] = s[3], d += 4, s += 4;
    if (n & 2) d[0] = s[0], d[1] = s[1], d += 2, s += 2;
    if (n & 1) d[0] = s[0];
}

/* Copy the whole words of n bytes forward, d already 8-aligned and n >= 8; s at any alignment.
 * Returns the bytes left (< 8). */
static size_t copy_words(uint8_t *d, const uint8_t *s, size_t n) {
    unsigned off = (unsigned)((uintptr_t)s & (WORD - 1));
    if (off == 0) {
        for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD, s += 4 * WORD) {
            uint64_t a = ld(s), b = ld(s + 8), c = ld(s + 16), e = ld(s + 24);
            sd(d, a), sd(d + 8, b), sd(d + 16, c), sd(d + 24, e);
        }
        for (; n >= WORD; n -= WORD, d += WORD, s += WORD) sd(d, ld(s));
        return n;
    }
    unsigned lo = 8 * off, hi = 64 - lo;
    const uint8_t *w = s - off; /* the aligned word holding s[0] */
    uint64_t cur = ld(w);
    for (; n >= 2 * WORD; n -= 2 * WORD, d += 2 * WORD, w += 2 * WORD) {
        uint64_t a = ld(w + WORD), b = ld(w + 2 * WORD); /* each holds the last byte of its output word */
        sd(d, (cur >> lo) | (a << hi));
        sd(d + WORD, (a >> lo) | (b << hi));
        cur = b;
    }
    if (n >= WORD) {
        uint64_t a = ld(w + WORD);
        sd(d, (cur >> lo) | (a << hi));
        n -= WORD;
    }
    return n;
}

void *memcpy(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (n >= 2 * WORD) {
        size_t head = (size_t)(-(uintptr_t)d & (WORD - 1)); /* bytes up to d's next word */
        copy_short(d, s, head);
        d += head, s += head, n -= head;
        size_t left = copy_words(d, s, n);
        d += n - left, s += n - left, n = left;
    }
    copy_short(d, s, n);
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n); /* a forward copy never reads what it wrote */
    /* dst above src, overlapping: backwards from the end, by whole words of d once d + n is
     * aligned (an RLP list header inserted before its payload moves the payload by one to nine
     * bytes). With d + n aligned, the source word carried down to the next step lies wholly below
     * the destination word just stored, and the first one read is read before any store. */
    if (n >= 2 * WORD) {
        size_t tail = (uintptr_t)(d + n) & (WORD - 1);
        while (tail--) n--, d[n] = s[n];
        unsigned off = (unsigned)((uintptr_t)(s + n) & (WORD - 1));
        if (off == 0) {
            while (n >= WORD) n -= WORD, sd(d + n, ld(s + n));
        } else {
            unsigned lo = 8 * off, hi = 64 - lo;
            const uint8_t *w = s + n - off; /* the aligned word holding s[n - 1] */
            uint64_t top = ld(w);
            for (; n >= WORD; n -= WORD, w -= WORD) {
                uint64_t low = ld(w - WORD); /* holds s[n - 8]: inside the range */
                sd(d + n - WORD, (top << hi) | (low >> lo));
                top = low;
            }
        }
    }
    while (n--) d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    uint8_t *d = dst;
    uint8_t byte = (uint8_t)c;
    if (n >= WORD) {
        while ((uintptr_t)d & (WORD - 1)) *d++ = byte, n--;
        uint64_t w = byte * 0x0101010101010101ull;
        for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD) sd(d, w), sd(d + 8, w), sd(d + 16, w), sd(d + 24, w);
        for (; n >= WORD; n -= WORD, d += WORD) sd(d, w);
    }
    while (n--) *d++ = byte;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    size_t i = 0;
    if ((((uintptr_t)x | (uintptr_t)y) & (WORD - 1)) == 0) {
        while (i + WORD <= n && ld(x + i) == ld(y + i)) i += WORD; /* the first differing byte is after i */
    }
    for (; i < n; i++) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}
