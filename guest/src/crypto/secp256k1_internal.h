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
