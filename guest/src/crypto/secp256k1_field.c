/* Arithmetic modulo the secp256k1 prime p = 2^256 - C, C = 2^32 + 977, on plain residues: a
 * product is reduced by folding its high half, 2^256 ≡ C (mod p), instead of Montgomery rounds.
 * The arithmetic itself is inline in secp256k1_internal.h (the point formulas of secp256k1.c
 * inline it too); inversion is mont256's binary Euclid on plain residues. */
#include "secp256k1_internal.h"

void secp_fe_mul(fe256 *r, const fe256 *a, const fe256 *b) { secp_fe_mul_inl(r, a, b); }

void secp_fe_sqr(fe256 *r, const fe256 *a) { secp_fe_sqr_inl(r, a); }

/* r = a^(2^n) */
static void sqr_n(fe256 *r, const fe256 *a, int n) {
    secp_fe_sqr_inl(r, a);
    while (--n > 0) secp_fe_sqr_inl(r, r);
}

bool secp_fe_sqrt(fe256 *r, const fe256 *a) {
    /* a^((p+1)/4), checked by squaring (p ≡ 3 mod 4). (p+1)/4 in binary is 223 ones, a zero,
     * 22 ones and 0b001100 (bits 253 … 0). With x_k = a^(2^k - 1), built by
     * x_{j+k} = x_j^(2^k)·x_k, that is ((x_223^(2^23)·x_22)^(2^6)·a^3)^(2^2). */
    fe256 x2, x3, x6, x9, x11, x22, x44, x88, x176, x220, x223, t;
    secp_fe_sqr(&x2, a);
    secp_fe_mul_inl(&x2, &x2, a);
    secp_fe_sqr(&x3, &x2);
    secp_fe_mul_inl(&x3, &x3, a);
    sqr_n(&x6, &x3, 3);
    secp_fe_mul_inl(&x6, &x6, &x3);
    sqr_n(&x9, &x6, 3);
    secp_fe_mul_inl(&x9, &x9, &x3);
    sqr_n(&x11, &x9, 2);
    secp_fe_mul_inl(&x11, &x11, &x2);
    sqr_n(&x22, &x11, 11);
    secp_fe_mul_inl(&x22, &x22, &x11);
    sqr_n(&x44, &x22, 22);
    secp_fe_mul_inl(&x44, &x44, &x22);
    sqr_n(&x88, &x44, 44);
    secp_fe_mul_inl(&x88, &x88, &x44);
    sqr_n(&x176, &x88, 88);
    secp_fe_mul_inl(&x176, &x176, &x88);
    sqr_n(&x220, &x176, 44);
    secp_fe_mul_inl(&x220, &x220, &x44);
    sqr_n(&x223, &x220, 3);
    secp_fe_mul_inl(&x223, &x223, &x3);
    sqr_n(&t, &x223, 23);
    secp_fe_mul_inl(&t, &t, &x22);
    sqr_n(&t, &t, 6);
    secp_fe_mul_inl(&t, &t, &x2);
    sqr_n(&t, &t, 2);
    fe256 chk;
    secp_fe_sqr_inl(&chk, &t);
    if (!fe_eq(&chk, a)) return false;
    *r = t;
    return true;
}
