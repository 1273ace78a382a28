/* secp256k1 internals shared by the recovery code, its field (secp256k1_field.c) and its generated
 * tables (secp256k1_gtable.c). */
#ifndef SWAPVM_SECP256K1_INTERNAL_H
#define SWAPVM_SECP256K1_INTERNAL_H

#include "mont256.h"

/* Arithmetic modulo p on plain residues (secp256k1_field.c), exploiting p = 2^256 - C with
 * C = 2^32 + 977 (p's upper three limbs are all ones); inversion is fe_inv_plain. Inputs and
 * results are fully reduced (below p), so equality is limb equality. */
#define SECP_C 0x1000003D1ull
#define SECP_P0 0xfffffffefffffc2full /* the low limb of p */

/* r = a + b: s = a + b ≥ p (a carry out, or top limbs all ones and s0 ≥ p0) becomes
 * s - p = s + C mod 2^256. */
static inline void secp_fe_add(fe256 *r, const fe256 *a, const fe256 *b) {
    uint64_t s0 = a->w[0] + b->w[0], k = s0 < a->w[0];
    uint64_t s1 = a->w[1] + k;
    k = s1 < k;
    s1 += b->w[1];
    k += s1 < b->w[1];
    uint64_t s2 = a->w[2] + k;
    k = s2 < k;
    s2 += b->w[2];
    k += s2 < b->w[2];
    uint64_t s3 = a->w[3] + k;
    k = s3 < k;
    s3 += b->w[3];
    k += s3 < b->w[3];
    if (k || ((s3 & s2 & s1) == ~0ull && s0 >= SECP_P0)) {
        s0 += SECP_C;
        if (s0 < SECP_C && ++s1 == 0 && ++s2 == 0) ++s3;
    }
    r->w[0] = s0;
    r->w[1] = s1;
    r->w[2] = s2;
    r->w[3] = s3;
}

/* r = a - b: a borrow out adds p, i.e. subtracts C modulo 2^256. */
static inline void secp_fe_sub(fe256 *r, const fe256 *a, const fe256 *b) {
    uint64_t d0 = a->w[0] - b->w[0], k = a->w[0] < b->w[0];
    uint64_t d1 = a->w[1] - b->w[1], k1 = a->w[1] < b->w[1];
    k1 += d1 < k;
    d1 -= k;
    uint64_t d2 = a->w[2] - b->w[2], k2 = a->w[2] < b->w[2];
    k2 += d2 < k1;
    d2 -= k1;
    uint64_t d3 = a->w[3] - b->w[3], k3 = a->w[3] < b->w[3];
    k3 += d3 < k2;
    d3 -= k2;
    if (k3) {
        uint64_t o = d0 < SECP_C;
        d0 -= SECP_C;
        if (o && d1-- == 0 && d2-- == 0) d3--;
    }
    r->w[0] = d0;
    r->w[1] = d1;
    r->w[2] = d2;
    r->w[3] = d3;
}

/* r = -a: p - a, and 0 for 0. */
static inline void secp_fe_neg(fe256 *r, const fe256 *a) {
    if ((a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0) {
        *r = *a;
        return;
    }
    uint64_t k = a->w[0] > SECP_P0;
    r->w[0] = SECP_P0 - a->w[0];
    uint64_t t1 = ~a->w[1], t2 = ~a->w[2], t3 = ~a->w[3];
    /* p's upper limbs are all ones: ~0 - x = ~x never borrows, only the incoming borrow can */
    r->w[1] = t1 - k;
    k = t1 < k;
    r->w[2] = t2 - k;
    k = t2 < k;
    r->w[3] = t3 - k;
}

/* r = a/2: a >> 1 for an even a, else (a + p)/2 = ((a - C) mod 2^256 + 2^256·[a ≥ C]) / 2. */
static inline void secp_fe_half(fe256 *r, const fe256 *a) {
    uint64_t d0 = a->w[0], d1 = a->w[1], d2 = a->w[2], d3 = a->w[3], top = 0;
    if (d0 & 1) {
        uint64_t b = d0 < SECP_C;
        d0 -= SECP_C;
        if (b && d1-- == 0 && d2-- == 0 && d3-- == 0) b = 1; /* a < C: a + p < 2^256 */
        else b = 0;
        top = 1 - b;
    }
    r->w[0] = (d0 >> 1) | (d1 << 63);
    r->w[1] = (d1 >> 1) | (d2 << 63);
    r->w[2] = (d2 >> 1) | (d3 << 63);
    r->w[3] = (d3 >> 1) | (top << 63);
}

/* a == 0 (limb equality: elements are fully reduced). */
static inline bool secp_fe_is_zero(const fe256 *a) { return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0; }

/* r = k·a for a small k (below 2^16): the fifth limb k·a / 2^256 folds back as a multiple of C. */
static inline void secp_fe_mul_small(fe256 *r, const fe256 *a, uint64_t k) {
    unsigned __int128 z = (unsigned __int128)a->w[0] * k;
    uint64_t s0 = (uint64_t)z, c = (uint64_t)(z >> 64);
    z = (unsigned __int128)a->w[1] * k + c;
    uint64_t s1 = (uint64_t)z;
    c = (uint64_t)(z >> 64);
    z = (unsigned __int128)a->w[2] * k + c;
    uint64_t s2 = (uint64_t)z;
    c = (uint64_t)(z >> 64);
    z = (unsigned __int128)a->w[3] * k + c;
    uint64_t s3 = (uint64_t)z;
    c = (uint64_t)(z >> 64);
    z = (unsigned __int128)c * SECP_C + s0; /* c·C < 2^49: a carry of at most 1 */
    s0 = (uint64_t)z;
    if ((uint64_t)(z >> 64) && ++s1 == 0 && ++s2 == 0 && ++s3 == 0) {
        /* the carry left 2^256 ≡ C behind (s1 = s2 = s3 = 0 now) */
        s0 += SECP_C;
        s1 += s0 < SECP_C;
    }
    if ((s3 & s2 & s1) == ~0ull && s0 >= SECP_P0) {
        s0 -= SECP_P0;
        s1 = s2 = s3 = 0;
    }
    r->w[0] = s0;
    r->w[1] = s1;
    r->w[2] = s2;
    r->w[3] = s3;
}

/* Products: the 512-bit product by product scanning (a three-word column accumulator), then
 * folded by 2^256 ≡ C. */
/* (c2, c1, c0) += a·b: one product of a column (product scanning). */
#define MULADD(a, b)                                   \
    do {                                               \
        unsigned __int128 p_ = (unsigned __int128)(a) * (b);                     \
        uint64_t lo_ = (uint64_t)p_, hi_ = (uint64_t)(p_ >> 64); \
        c0 += lo_;                                     \
        hi_ += c0 < lo_; /* hi_ ≤ 2^64 - 2: no overflow */ \
        c1 += hi_;                                     \
        c2 += c1 < hi_;                                \
    } while (0)

/* (c2, c1, c0) += 2·a·b (a product counted twice in a square). */
#define MULADD2(a, b)                                  \
    do {                                               \
        unsigned __int128 p_ = (unsigned __int128)(a) * (b);                     \
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
    unsigned __int128 z;
    z = (unsigned __int128)t4 * SECP_C + t0;
    s0 = (uint64_t)z;
    k = (uint64_t)(z >> 64);
    z = (unsigned __int128)t5 * SECP_C + t1 + k;
    s1 = (uint64_t)z;
    k = (uint64_t)(z >> 64);
    z = (unsigned __int128)t6 * SECP_C + t2 + k;
    s2 = (uint64_t)z;
    k = (uint64_t)(z >> 64);
    z = (unsigned __int128)t7 * SECP_C + t3 + k;
    s3 = (uint64_t)z;
    k = (uint64_t)(z >> 64);
    /* fold k·2^256 ≡ k·C (below 2^67) into the low limbs */
    z = (unsigned __int128)k * SECP_C + s0;
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

static inline __attribute__((always_inline)) void secp_fe_mul_inl(fe256 *r, const fe256 *a, const fe256 *b) {
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

static inline __attribute__((always_inline)) void secp_fe_sqr_inl(fe256 *r, const fe256 *a) {
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

/* The same as functions (for callers that do not need the speed). */
void secp_fe_mul(fe256 *r, const fe256 *a, const fe256 *b);
void secp_fe_sqr(fe256 *r, const fe256 *a);
/* a square root (false when a is not a square) */
bool secp_fe_sqrt(fe256 *r, const fe256 *a);

/* An affine point, coordinates plain residues modulo p. */
typedef struct {
    fe256 x, y;
} secp_affine;

/* Width of the wNAF for multiples of G: the table holds the 2^(W-2) odd multiples 1G … 127G. */
#define SECP_G_WINDOW 8
extern const secp_affine SECP256K1_GTABLE[1 << (SECP_G_WINDOW - 2)];

/* The GLV endomorphism (x, y) -> (βx, y) = λ·(x, y) and the scalar split k ≡ k1 + k2·λ (mod n):
 * β a plain residue mod p; the lattice basis (a1, b1), (a2, b2) as Montgomery residues mod n;
 * g1, g2 plain, c_i = round(k·g_i / 2^382) (generated with the table). */
extern const fe256 SECP256K1_BETA;
extern const fe256 SECP256K1_GLV_A1, SECP256K1_GLV_B1, SECP256K1_GLV_A2, SECP256K1_GLV_B2;
extern const fe256 SECP256K1_GLV_G1, SECP256K1_GLV_G2;

#endif
