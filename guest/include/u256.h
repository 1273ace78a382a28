/* uint256: the EVM word as four 64-bit limbs, least significant first.
 *
 * All operations are total and follow the EVM's definitions (yellow paper, appendix H):
 * division or modulo by zero gives 0, SDIV(-2^255, -1) = -2^255, shifts of 256 or more give 0
 * (or all ones for an arithmetic shift of a negative value). Results may alias operands:
 * every function reads all of its inputs before it writes its output.
 * Small hot operations are inline here; the rest lives in guest/src/u256.c.
 */
#ifndef SWAPVM_U256_H
#define SWAPVM_U256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t w[4]; /* w[0] is the least significant limb */
} u256;

/* The interpreter's hot paths rely on these being inlined; GCC and Clang may decline for a large
 * caller unless told. */
#if defined(__GNUC__)
#define U256_INLINE static inline __attribute__((always_inline))
#else
#define U256_INLINE static inline
#endif

/* ---- carry helpers ---- */

/* a + b + carry_in; returns the sum, stores the carry out (0 or 1). */
U256_INLINE uint64_t u64_addc(uint64_t a, uint64_t b, uint64_t cin, uint64_t *cout) {
    uint64_t s = a + b;
    uint64_t c1 = s < a;
    uint64_t t = s + cin;
    *cout = c1 | (t < s);
    return t;
}

/* a - b - borrow_in; returns the difference, stores the borrow out (0 or 1). */
U256_INLINE uint64_t u64_subb(uint64_t a, uint64_t b, uint64_t bin, uint64_t *bout) {
    uint64_t d = a - b;
    uint64_t b1 = a < b;
    uint64_t t = d - bin;
    *bout = b1 | (d < bin);
    return t;
}

/* ---- construction and conversion ---- */

U256_INLINE void u256_set_u64(u256 *r, uint64_t v) {
    r->w[0] = v;
    r->w[1] = 0;
    r->w[2] = 0;
    r->w[3] = 0;
}

U256_INLINE bool u256_is_zero(const u256 *a) { return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0; }

/* True when the value is below 2^64 (so w[0] is the whole value). */
U256_INLINE bool u256_fits_u64(const u256 *a) { return (a->w[1] | a->w[2] | a->w[3]) == 0; }

/* The value if it is below 2^64, else UINT64_MAX (for sizes and offsets that saturate). */
U256_INLINE uint64_t u256_to_u64_sat(const u256 *a) { return u256_fits_u64(a) ? a->w[0] : UINT64_MAX; }

/* Read n <= 32 big-endian bytes as a number (right-aligned: n = 0 gives 0). */
void u256_from_be(u256 *r, const uint8_t *p, size_t n);
/* Write the 32-byte big-endian form. */
void u256_to_be(const u256 *a, uint8_t out[32]);

/* ---- comparison ---- */

U256_INLINE bool u256_eq(const u256 *a, const u256 *b) {
    return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) | (a->w[3] ^ b->w[3])) == 0;
}

U256_INLINE bool u256_lt(const u256 *a, const u256 *b) {
    if (a->w[3] != b->w[3]) return a->w[3] < b->w[3];
    if (a->w[2] != b->w[2]) return a->w[2] < b->w[2];
    if (a->w[1] != b->w[1]) return a->w[1] < b->w[1];
    return a->w[0] < b->w[0];
}

U256_INLINE bool u256_is_neg(const u256 *a) { return (a->w[3] >> 63) != 0; }

/* Signed (two's complement) less-than. */
U256_INLINE bool u256_slt(const u256 *a, const u256 *b) {
    bool na = u256_is_neg(a), nb = u256_is_neg(b);
    if (na != nb) return na;
    return u256_lt(a, b);
}

/* ---- bitwise ---- */

U256_INLINE void u256_and(u256 *r, const u256 *a, const u256 *b) {
    for (int i = 0; i < 4; i++) r->w[i] = a->w[i] & b->w[i];
}
U256_INLINE void u256_or(u256 *r, const u256 *a, const u256 *b) {
    for (int i = 0; i < 4; i++) r->w[i] = a->w[i] | b->w[i];
}
U256_INLINE void u256_xor(u256 *r, const u256 *a, const u256 *b) {
    for (int i = 0; i < 4; i++) r->w[i] = a->w[i] ^ b->w[i];
}
U256_INLINE void u256_not(u256 *r, const u256 *a) {
    for (int i = 0; i < 4; i++) r->w[i] = ~a->w[i];
}

/* ---- additive arithmetic (mod 2^256) ---- */

U256_INLINE void u256_add(u256 *r, const u256 *a, const u256 *b) {
    uint64_t c;
    uint64_t r0 = u64_addc(a->w[0], b->w[0], 0, &c);
    uint64_t r1 = u64_addc(a->w[1], b->w[1], c, &c);
    uint64_t r2 = u64_addc(a->w[2], b->w[2], c, &c);
    uint64_t r3 = a->w[3] + b->w[3] + c;
    r->w[0] = r0;
    r->w[1] = r1;
    r->w[2] = r2;
    r->w[3] = r3;
}

U256_INLINE void u256_sub(u256 *r, const u256 *a, const u256 *b) {
    uint64_t c;
    uint64_t r0 = u64_subb(a->w[0], b->w[0], 0, &c);
    uint64_t r1 = u64_subb(a->w[1], b->w[1], c, &c);
    uint64_t r2 = u64_subb(a->w[2], b->w[2], c, &c);
    uint64_t r3 = a->w[3] - b->w[3] - c;
    r->w[0] = r0;
    r->w[1] = r1;
    r->w[2] = r2;
    r->w[3] = r3;
}

/* r = -a (mod 2^256). */
void u256_neg(u256 *r, const u256 *a);

/* ---- multiplicative arithmetic (guest/src/u256.c) ---- */

void u256_mul(u256 *r, const u256 *a, const u256 *b);
void u256_div(u256 *r, const u256 *a, const u256 *b);      /* b = 0 -> 0 */
void u256_mod(u256 *r, const u256 *a, const u256 *b);      /* b = 0 -> 0 */
void u256_sdiv(u256 *r, const u256 *a, const u256 *b);     /* truncates toward zero */
void u256_smod(u256 *r, const u256 *a, const u256 *b);     /* sign of a */
void u256_addmod(u256 *r, const u256 *a, const u256 *b, const u256 *m); /* exact, m = 0 -> 0 */
void u256_mulmod(u256 *r, const u256 *a, const u256 *b, const u256 *m); /* 512-bit product */
void u256_exp(u256 *r, const u256 *base, const u256 *exponent);

/* ---- byte and shift operations ---- */

void u256_signextend(u256 *r, const u256 *b, const u256 *x); /* SIGNEXTEND(b, x) */
void u256_byte(u256 *r, const u256 *i, const u256 *x);       /* BYTE(i, x), i = 0 is the top byte */
void u256_shl(u256 *r, const u256 *shift, const u256 *x);    /* SHL: x << shift */
void u256_shr(u256 *r, const u256 *shift, const u256 *x);    /* SHR: x >> shift (logical) */
void u256_sar(u256 *r, const u256 *shift, const u256 *x);    /* SAR: x >> shift (arithmetic) */

/* Number of significant bytes (0 for zero): the EXP gas charge counts these. */
unsigned u256_byte_len(const u256 *a);

#endif
