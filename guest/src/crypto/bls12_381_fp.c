/* The BLS12-381 base field: Montgomery arithmetic modulo the 381-bit p over six 64-bit limbs
 * (CIOS multiplication, Koç, Acar, Kaliski 1996, as mont256.c does it for four limbs). p < 2^382,
 * so sums of two reduced elements never carry out of 384 bits. Inversion is Fermat's a^(p-2),
 * square roots a^((p+1)/4) (p ≡ 3 mod 4): both are needed a handful of times per call. */
#include "bls12_381_internal.h"

typedef unsigned __int128 u128;

/* r = a - b over 384 bits; returns the borrow out. */
static uint64_t sub6(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]) {
    uint64_t borrow = 0;
    for (int i = 0; i < FP_LIMBS; i++) {
        uint64_t d = a[i] - b[i];
        uint64_t b1 = a[i] < b[i];
        uint64_t t = d - borrow;
        borrow = b1 | (d < borrow);
        r[i] = t;
    }
    return borrow;
}

/* r = a + b over 384 bits (no carry out for the operands used here: both below 2^383). */
static void add6(uint64_t r[6], const uint64_t a[6], const uint64_t b[6]) {
    uint64_t carry = 0;
    for (int i = 0; i < FP_LIMBS; i++) {
        uint64_t s = a[i] + b[i];
        uint64_t c1 = s < a[i];
        uint64_t t = s + carry;
        carry = c1 | (t < s);
        r[i] = t;
    }
}

/* r = t - p when t ≥ p, else t (t < 2p). */
static void reduce_once(fp384 *r, const uint64_t t[6]) {
    uint64_t u[6];
    const uint64_t *src = sub6(u, t, BLS_P.w) ? t : u;
    for (int i = 0; i < FP_LIMBS; i++) r->w[i] = src[i];
}

void fp_add(fp384 *r, const fp384 *a, const fp384 *b) {
    uint64_t s[6];
    add6(s, a->w, b->w);
    reduce_once(r, s);
}

void fp_sub(fp384 *r, const fp384 *a, const fp384 *b) {
    uint64_t t[6];
    if (sub6(t, a->w, b->w)) add6(t, t, BLS_P.w);
    for (int i = 0; i < FP_LIMBS; i++) r->w[i] = t[i];
}

void fp_neg(fp384 *r, const fp384 *a) {
    if (fp_is_zero(a)) {
        *r = *a;
        return;
    }
    sub6(r->w, BLS_P.w, a->w);
}

void fp_mul(fp384 *r, const fp384 *a, const fp384 *b) {
    /* CIOS: for each limb b_i, t += a·b_i, then t = (t + q·p)/2^64 with q clearing the low limb.
     * t stays below 2p < 2^383, so a seventh limb only holds the transient carry. */
    const uint64_t *p = BLS_P.w;
    uint64_t t[FP_LIMBS + 1] = {0};
    for (int i = 0; i < FP_LIMBS; i++) {
        uint64_t c = 0, bi = b->w[i];
        for (int j = 0; j < FP_LIMBS; j++) {
            u128 z = (u128)a->w[j] * bi + t[j] + c;
            t[j] = (uint64_t)z;
            c = (uint64_t)(z >> 64);
        }
        t[FP_LIMBS] = c;
        uint64_t q = t[0] * BLS_PINV;
        c = (uint64_t)(((u128)q * p[0] + t[0]) >> 64);
        for (int j = 1; j < FP_LIMBS; j++) {
            u128 z = (u128)q * p[j] + t[j] + c;
            t[j - 1] = (uint64_t)z;
            c = (uint64_t)(z >> 64);
        }
        t[FP_LIMBS - 1] = t[FP_LIMBS] + c; /* below 2^64: t < 2p after every round */
    }
    reduce_once(r, t);
}

void fp_sqr(fp384 *r, const fp384 *a) { fp_mul(r, a, a); }

void fp_pow(fp384 *r, const fp384 *a, const uint64_t *e, int nlimbs) {
    fp384 tab[16]; /* tab[k] = a^k */
    fp_set_one(&tab[0]);
    tab[1] = *a;
    for (int k = 2; k < 16; k++) fp_mul(&tab[k], &tab[k - 1], a);
    fp384 acc;
    fp_set_one(&acc);
    for (int i = 16 * nlimbs - 1; i >= 0; i--) {
        for (int s = 0; s < 4; s++) fp_sqr(&acc, &acc);
        unsigned nib = (unsigned)(e[i >> 4] >> (4 * (i & 15))) & 15u;
        if (nib) fp_mul(&acc, &acc, &tab[nib]);
    }
    *r = acc;
}

void fp_inv(fp384 *r, const fp384 *a) {
    uint64_t e[6];
    const uint64_t two[6] = {2, 0, 0, 0, 0, 0};
    sub6(e, BLS_P.w, two);
    fp_pow(r, a, e, FP_LIMBS);
}

bool fp_sqrt(fp384 *r, const fp384 *a) {
    /* (p + 1)/4: p + 1 has no carry beyond the top limb, and the shift is by two bits */
    uint64_t e[6];
    const uint64_t one[6] = {1, 0, 0, 0, 0, 0};
    add6(e, BLS_P.w, one);
    for (int i = 0; i < FP_LIMBS; i++) e[i] = (e[i] >> 2) | (i + 1 < FP_LIMBS ? e[i + 1] << 62 : 0);
    fp384 s, chk;
    fp_pow(&s, a, e, FP_LIMBS);
    fp_sqr(&chk, &s);
    if (!fp_eq(&chk, a)) return false;
    *r = s;
    return true;
}

bool fp_is_zero(const fp384 *a) {
    uint64_t acc = 0;
    for (int i = 0; i < FP_LIMBS; i++) acc |= a->w[i];
    return acc == 0;
}

bool fp_eq(const fp384 *a, const fp384 *b) {
    uint64_t acc = 0;
    for (int i = 0; i < FP_LIMBS; i++) acc |= a->w[i] ^ b->w[i];
    return acc == 0;
}

void fp_set_one(fp384 *r) { *r = BLS_ONE; }

bool fp_from_bytes(fp384 *r, const uint8_t in[48]) {
    fp384 v;
    for (int i = 0; i < FP_LIMBS; i++) {
        uint64_t x = 0;
        for (int j = 0; j < 8; j++) x = (x << 8) | in[(FP_LIMBS - 1 - i) * 8 + j];
        v.w[i] = x;
    }
    uint64_t t[6];
    if (!sub6(t, v.w, BLS_P.w)) return false; /* v ≥ p */
    fp_mul(r, &v, &BLS_R2);
    return true;
}

/* The plain value of a Montgomery-form element. */
static void fp_plain(fp384 *r, const fp384 *a) {
    fp384 one = {{1, 0, 0, 0, 0, 0}};
    fp_mul(r, a, &one);
}

void fp_to_bytes(const fp384 *a, uint8_t out[48]) {
    fp384 v;
    fp_plain(&v, a);
    for (int i = 0; i < FP_LIMBS; i++)
        for (int j = 0; j < 8; j++) out[(FP_LIMBS - 1 - i) * 8 + j] = (uint8_t)(v.w[i] >> (56 - 8 * j));
}

void fp_from_u64(fp384 *r, uint64_t v) {
    fp384 x = {{v, 0, 0, 0, 0, 0}};
    fp_mul(r, &x, &BLS_R2);
}

bool fp_is_large(const fp384 *a) {
    fp384 v;
    uint64_t t[6];
    fp_plain(&v, a);
    return sub6(t, BLS_P_HALF.w, v.w) != 0; /* (p - 1)/2 < v */
}
