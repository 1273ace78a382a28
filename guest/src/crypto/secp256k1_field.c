/* Arithmetic modulo the secp256k1 prime p = 2^256 - C, C = 2^32 + 977, on plain residues: a
 * product is reduced by folding its high half, 2^256 ≡ C (mod p), instead of Montgomery rounds.
 * Addition, subtraction and negation are inline in secp256k1_internal.h; inversion is mont256's
 * binary Euclid on plain residues. Every result is fully reduced (below p). */
#include "secp256k1_internal.h"

typedef unsigned __int128 u128;

/* (c2, c1, c0) += a·b: one product of a column (product scanning). */
#define MULADD(a, b)                                   \
    do {                                               \
        u128 p_ = (u128)(a) * (b);                     \
        uint64_t lo_ = (uint64_t)p_, hi_ = (uint64_t)(p_ >> 64); \
        c0 += lo_;                                     \
        hi_ += c0 < lo_; /* hi_ ≤ 2^64 - 2: no overflow */ \
        c1 += hi_;                                     \
        c2 += c1 < hi_;                                \
    } while (0)

/* (c2, c1, c0) += 2·a·b (a product counted twice in a square). */
#define MULADD2(a, b)                                  \
    do {                                               \
        u128 p_ = (u128)(a) * (b);                     \
        uint64_t lo_ = (uint64_t)p_, hi_ = (uint64_t)(p_ >> 64); \
        c2 += hi_ >> 63;                               \
        hi_ = (hi_ << 1) | (lo_ >> 63);                \
        lo_ <<= 1;                                     \
        c0 += lo_;                                     \
        hi_ += c0 < lo_;                               \
        c1 += hi_;                                     \
        c2 += c1 < hi_;                                \
    } while (0)

/* Emit the column's low word into t and shift the accumulator. */
#define COLUMN(t)   \
    do {            \
        (t) = c0;   \
        c0 = c1;    \
        c1 = c2;    \
        c2 = 0;     \
    } while (0)

/* r = t mod p for a 512-bit t = (t0 … t7), fully reduced. */
static inline __attribute__((always_inline)) void reduce512(fe256 *r, uint64_t t0, uint64_t t1, uint64_t t2,
                                                            uint64_t t3, uint64_t t4, uint64_t t5,
                                                            uint64_t t6, uint64_t t7) {
    /* s = lo + hi·C: five limbs, the top one below 2^34 */
    uint64_t s0, s1, s2, s3, k;
    u128 z;
    z = (u128)t4 * SECP_C + t0;
    s0 = (uint64_t)z;
    k = (uint64_t)(z >> 64);
    z = (u128)t5 * SECP_C + t1 + k;
    s1 = (uint64_t)z;
    k = (uint64_t)(z >> 64);
    z = (u128)t6 * SECP_C + t2 + k;
    s2 = (uint64_t)z;
    k = (uint64_t)(z >> 64);
    z = (u128)t7 * SECP_C + t3 + k;
    s3 = (uint64_t)z;
    k = (uint64_t)(z >> 64);
    /* fold k·2^256 ≡ k·C (below 2^67) into the low limbs */
    z = (u128)k * SECP_C + s0;
    s0 = (uint64_t)z;
    k = (uint64_t)(z >> 64);
    s1 += k;
    if (s1 < k) { /* rare: the carry runs on */
        s2 += 1;
        if (s2 == 0) {
            s3 += 1;
            if (s3 == 0) {
                /* a carry out is one more 2^256 ≡ C; the sum is then tiny and cannot carry again */
                s0 += SECP_C;
                s1 += s0 < SECP_C;
            }
        }
    }
    /* s < 2^256; s ≥ p only when its top three limbs are all ones (then s - p = s0 - p0) */
    if (__builtin_expect((s3 & s2 & s1) == ~0ull, 0) && s0 >= SECP_P0) {
        s0 -= SECP_P0;
        s1 = s2 = s3 = 0;
    }
    r->w[0] = s0;
    r->w[1] = s1;
    r->w[2] = s2;
    r->w[3] = s3;
}

void secp_fe_mul(fe256 *r, const fe256 *a, const fe256 *b) {
    const uint64_t a0 = a->w[0], a1 = a->w[1], a2 = a->w[2], a3 = a->w[3];
    const uint64_t b0 = b->w[0], b1 = b->w[1], b2 = b->w[2], b3 = b->w[3];
    uint64_t c0 = 0, c1 = 0, c2 = 0, t0, t1, t2, t3, t4, t5, t6;
    MULADD(a0, b0);
    COLUMN(t0);
    MULADD(a0, b1);
    MULADD(a1, b0);
    COLUMN(t1);
    MULADD(a0, b2);
    MULADD(a1, b1);
    MULADD(a2, b0);
    COLUMN(t2);
    MULADD(a0, b3);
    MULADD(a1, b2);
    MULADD(a2, b1);
    MULADD(a3, b0);
    COLUMN(t3);
    MULADD(a1, b3);
    MULADD(a2, b2);
    MULADD(a3, b1);
    COLUMN(t4);
    MULADD(a2, b3);
    MULADD(a3, b2);
    COLUMN(t5);
    MULADD(a3, b3);
    COLUMN(t6);
    reduce512(r, t0, t1, t2, t3, t4, t5, t6, c0);
}

void secp_fe_sqr(fe256 *r, const fe256 *a) {
    const uint64_t a0 = a->w[0], a1 = a->w[1], a2 = a->w[2], a3 = a->w[3];
    uint64_t c0 = 0, c1 = 0, c2 = 0, t0, t1, t2, t3, t4, t5, t6;
    MULADD(a0, a0);
    COLUMN(t0);
    MULADD2(a0, a1);
    COLUMN(t1);
    MULADD2(a0, a2);
    MULADD(a1, a1);
    COLUMN(t2);
    MULADD2(a0, a3);
    MULADD2(a1, a2);
    COLUMN(t3);
    MULADD2(a1, a3);
    MULADD(a2, a2);
    COLUMN(t4);
    MULADD2(a2, a3);
    COLUMN(t5);
    MULADD(a3, a3);
    COLUMN(t6);
    reduce512(r, t0, t1, t2, t3, t4, t5, t6, c0);
}

/* r = a^(2^n) */
static void sqr_n(fe256 *r, const fe256 *a, int n) {
    secp_fe_sqr(r, a);
    while (--n > 0) secp_fe_sqr(r, r);
}

bool secp_fe_sqrt(fe256 *r, const fe256 *a) {
    /* a^((p+1)/4), checked by squaring (p ≡ 3 mod 4). (p+1)/4 in binary is 223 ones, a zero,
     * 22 ones and 0b001100 (bits 253 … 0). With x_k = a^(2^k - 1), built by
     * x_{j+k} = x_j^(2^k)·x_k, that is ((x_223^(2^23)·x_22)^(2^6)·a^3)^(2^2). */
    fe256 x2, x3, x6, x9, x11, x22, x44, x88, x176, x220, x223, t;
    secp_fe_sqr(&x2, a);
    secp_fe_mul(&x2, &x2, a);
    secp_fe_sqr(&x3, &x2);
    secp_fe_mul(&x3, &x3, a);
    sqr_n(&x6, &x3, 3);
    secp_fe_mul(&x6, &x6, &x3);
    sqr_n(&x9, &x6, 3);
    secp_fe_mul(&x9, &x9, &x3);
    sqr_n(&x11, &x9, 2);
    secp_fe_mul(&x11, &x11, &x2);
    sqr_n(&x22, &x11, 11);
    secp_fe_mul(&x22, &x22, &x11);
    sqr_n(&x44, &x22, 22);
    secp_fe_mul(&x44, &x44, &x22);
    sqr_n(&x88, &x44, 44);
    secp_fe_mul(&x88, &x88, &x44);
    sqr_n(&x176, &x88, 88);
    secp_fe_mul(&x176, &x176, &x88);
    sqr_n(&x220, &x176, 44);
    secp_fe_mul(&x220, &x220, &x44);
    sqr_n(&x223, &x220, 3);
    secp_fe_mul(&x223, &x223, &x3);
    sqr_n(&t, &x223, 23);
    secp_fe_mul(&t, &t, &x22);
    sqr_n(&t, &t, 6);
    secp_fe_mul(&t, &t, &x2);
    sqr_n(&t, &t, 2);
    fe256 chk;
    secp_fe_sqr(&chk, &t);
    if (!fe_eq(&chk, a)) return false;
    *r = t;
    return true;
}
