/* BLS12-381 G1: Jacobian arithmetic over Fp (the shared formulas of jac_template.h), ZCash's
 * compressed encoding and the subgroup check. */
#include "bls12_381_internal.h"
#include "wnaf.h"

#define JT_POINT bls_g1
#define JT_FE fp384
#define JT_ADD(r, a, b) fp_add(r, a, b)
#define JT_SUB(r, a, b) fp_sub(r, a, b)
#define JT_FMUL(r, a, b) fp_mul(r, a, b)
#define JT_SQR(r, a) fp_sqr(r, a)
#define JT_NEG(r, a) fp_neg(r, a)
#define JT_IS_ZERO(a) fp_is_zero(a)
#define JT_IS_INF g1_is_inf
#define JT_DOUBLE bls_g1_double
#define JT_ADDP bls_g1_add
#define JT_SCALAR_MUL bls_g1_mul
#define JT_LINKAGE
#include "jac_template.h"

int bls_decode_flags(const uint8_t *in, size_t n, uint8_t first[48], bool *large) {
    /* bit 7 of the first byte: compressed (required); bit 6: infinity; bit 5: the larger y */
    uint8_t flags = in[0] & 0xe0;
    if (!(flags & 0x80)) return BLS_FLAGS_BAD;
    memcpy(first, in, 48);
    first[0] &= 0x1f;
    if (flags & 0x40) {
        /* infinity: no sign flag and every other bit zero */
        if (flags & 0x20) return BLS_FLAGS_BAD;
        uint8_t acc = first[0];
        for (size_t i = 1; i < n; i++) acc |= in[i];
        return acc ? BLS_FLAGS_BAD : BLS_FLAGS_INF;
    }
    *large = (flags & 0x20) != 0;
    return BLS_FLAGS_POINT;
}

bool bls_g1_to_affine(const bls_g1 *a, fp384 *x, fp384 *y) {
    if (g1_is_inf(a)) return false;
    if (fp_eq(&a->z, &BLS_ONE)) { /* already affine (decoded points) */
        *x = a->x;
        *y = a->y;
        return true;
    }
    fp384 zi, zi2;
    fp_inv(&zi, &a->z);
    fp_sqr(&zi2, &zi);
    fp_mul(x, &a->x, &zi2);
    fp_mul(&zi2, &zi2, &zi);
    fp_mul(y, &a->y, &zi2);
    return true;
}

bool bls_g1_on_curve(const bls_g1 *a) {
    /* Y^2 = X^3 + 4 Z^6 */
    if (g1_is_inf(a)) return true;
    fp384 lhs, rhs, z2, z6;
    fp_sqr(&lhs, &a->y);
    fp_sqr(&rhs, &a->x);
    fp_mul(&rhs, &rhs, &a->x);
    fp_sqr(&z2, &a->z);
    fp_sqr(&z6, &z2);
    fp_mul(&z6, &z6, &z2);
    fp_mul(&z6, &z6, &BLS_B);
    fp_add(&rhs, &rhs, &z6);
    return fp_eq(&lhs, &rhs);
}

/* The odd multiples a, 3a, …, 15a of a point (the table of a width-5 NAF). */
static void odd_multiples(bls_g1 tab[8], const bls_g1 *a) {
    bls_g1 a2;
    tab[0] = *a;
    bls_g1_double(&a2, a);
    for (int i = 1; i < 8; i++) bls_g1_add(&tab[i], &tab[i - 1], &a2);
}

/* acc += d·a for a width-5 NAF digit d over the odd multiples tab of a. */
static void add_digit(bls_g1 *acc, const bls_g1 tab[8], int d) {
    if (d > 0) {
        bls_g1_add(acc, acc, &tab[d >> 1]);
    } else if (d < 0) {
        bls_g1 t = tab[(-d) >> 1];
        fp_neg(&t.y, &t.y);
        bls_g1_add(acc, acc, &t);
    }
}

void bls_g1_mul2(bls_g1 *r, const bls_g1 *a, const fe256 *ka, const bls_g1 *b, const fe256 *kb) {
    /* Straus-Shamir: both width-5 NAFs in one pass of doublings */
    int8_t da[WNAF_MAX_DIGITS], db[WNAF_MAX_DIGITS];
    int la = wnaf(da, ka, 5), lb = wnaf(db, kb, 5);
    bls_g1 ta[8], tb[8], acc;
    odd_multiples(ta, a);
    odd_multiples(tb, b);
    memset(&acc, 0, sizeof acc);
    for (int i = (la > lb ? la : lb) - 1; i >= 0; i--) {
        bls_g1_double(&acc, &acc);
        if (i < la) add_digit(&acc, ta, da[i]);
        if (i < lb) add_digit(&acc, tb, db[i]);
    }
    *r = acc;
}

/* r = |x|·a by double and add over the bits of |x| (63 doublings, 5 additions). */
static void mul_x_abs(bls_g1 *r, const bls_g1 *a) {
    bls_g1 acc = *a;
    for (int i = 62; i >= 0; i--) {
        bls_g1_double(&acc, &acc);
        if ((BLS_X_ABS >> i) & 1) bls_g1_add(&acc, &acc, a);
    }
    *r = acc;
}

bool bls_g1_in_subgroup(const bls_g1 *a) {
    /* Scott, "A note on group membership tests for G1, G2 and GT on BLS pairing-friendly curves"
     * (ePrint 2021/1130, §6): P on the curve is in G1 exactly when φ(P) = [-x^2]P, with φ the
     * endomorphism (x, y) -> (βx, y) whose eigenvalue on G1 is -x^2 (β chosen so by the
     * generator). Two multiplications by the 64-bit |x| instead of one by the 255-bit r; the
     * tests hold it to py_ecc's r·P = O on points inside and outside G1. */
    if (g1_is_inf(a)) return true;
    bls_g1 t;
    mul_x_abs(&t, a);
    mul_x_abs(&t, &t);
    if (g1_is_inf(&t)) return false; /* φ(P) is not infinity */
    /* (βX/Z^2, Y/Z^3) = (Xt/Zt^2, -Yt/Zt^3) */
    fp384 z2, tz2, l, r;
    fp_sqr(&z2, &a->z);
    fp_sqr(&tz2, &t.z);
    fp_mul(&l, &a->x, &BLS_BETA);
    fp_mul(&l, &l, &tz2);
    fp_mul(&r, &t.x, &z2);
    if (!fp_eq(&l, &r)) return false;
    fp_mul(&l, &a->y, &tz2);
    fp_mul(&l, &l, &t.z);
    fp_mul(&r, &t.y, &z2);
    fp_mul(&r, &r, &a->z);
    fp_neg(&r, &r);
    return fp_eq(&l, &r);
}

bool bls_g1_decompress(bls_g1 *r, const uint8_t in[48]) {
    uint8_t first[48];
    bool large = false;
    int kind = bls_decode_flags(in, 48, first, &large);
    if (kind == BLS_FLAGS_BAD) return false;
    memset(r, 0, sizeof *r);
    if (kind == BLS_FLAGS_INF) return true;
    fp384 rhs;
    if (!fp_from_bytes(&r->x, first)) return false; /* x ≥ p */
    fp_sqr(&rhs, &r->x);
    fp_mul(&rhs, &rhs, &r->x);
    fp_add(&rhs, &rhs, &BLS_B);
    if (!fp_sqrt(&r->y, &rhs)) return false; /* not on the curve */
    if (fp_is_large(&r->y) != large) fp_neg(&r->y, &r->y);
    fp_set_one(&r->z);
    return true;
}

void bls_g1_compress(const bls_g1 *a, uint8_t out[48]) {
    fp384 x, y;
    if (!bls_g1_to_affine(a, &x, &y)) {
        memset(out, 0, 48);
        out[0] = 0xc0;
        return;
    }
    fp_to_bytes(&x, out);
    out[0] |= (uint8_t)(0x80 | (fp_is_large(&y) ? 0x20 : 0));
}
