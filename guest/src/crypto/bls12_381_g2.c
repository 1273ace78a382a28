/* BLS12-381 G2 (the M-type twist over Fp2): Jacobian arithmetic from the shared formulas of
 * jac_template.h, ZCash's compressed encoding and the subgroup check. */
#include "bls12_381_internal.h"
#include "wnaf.h"

#define JT_POINT bls_g2
#define JT_FE fp2
#define JT_ADD(r, a, b) fp2_add(r, a, b)
#define JT_SUB(r, a, b) fp2_sub(r, a, b)
#define JT_FMUL(r, a, b) fp2_mul(r, a, b)
#define JT_SQR(r, a) fp2_sqr(r, a)
#define JT_NEG(r, a) fp2_neg(r, a)
#define JT_IS_ZERO(a) fp2_is_zero(a)
#define JT_IS_INF g2_is_inf
#define JT_DOUBLE bls_g2_double
#define JT_ADDP bls_g2_add
#define JT_SCALAR_MUL bls_g2_mul
#define JT_LINKAGE
#include "jac_template.h"

bool bls_g2_to_affine(const bls_g2 *a, bls_g2_affine *r) {
    if (g2_is_inf(a)) return false;
    if (fp_eq(&a->z.c0, &BLS_ONE) && fp_is_zero(&a->z.c1)) { /* already affine */
        r->x = a->x;
        r->y = a->y;
        return true;
    }
    fp2 zi, zi2;
    fp2_inv(&zi, &a->z);
    fp2_sqr(&zi2, &zi);
    fp2_mul(&r->x, &a->x, &zi2);
    fp2_mul(&zi2, &zi2, &zi);
    fp2_mul(&r->y, &a->y, &zi2);
    return true;
}

bool bls_g2_on_curve(const bls_g2 *a) {
    /* Y^2 = X^3 + 4(1 + u) Z^6 */
    if (g2_is_inf(a)) return true;
    fp2 lhs, rhs, z2, z6;
    fp2_sqr(&lhs, &a->y);
    fp2_sqr(&rhs, &a->x);
    fp2_mul(&rhs, &rhs, &a->x);
    fp2_sqr(&z2, &a->z);
    fp2_sqr(&z6, &z2);
    fp2_mul(&z6, &z6, &z2);
    fp2_mul(&z6, &z6, &BLS_TWIST_B);
    fp2_add(&rhs, &rhs, &z6);
    return fp2_eq(&lhs, &rhs);
}

bool bls_g2_in_subgroup(const bls_g2 *a) {
    /* Scott, "A note on group membership tests for G1, G2 and GT on BLS pairing-friendly curves"
     * (ePrint 2021/1130, §4): Q on the twist is in G2 exactly when ψ(Q) = [x]Q, ψ the
     * untwist-Frobenius-twist endomorphism, whose eigenvalue on G2 is p ≡ x (mod r). One
     * multiplication by the 64-bit |x| instead of one by r; the tests hold it to py_ecc's
     * r·Q = O on points inside and outside G2. */
    if (g2_is_inf(a)) return true;
    bls_g2 t = *a;
    for (int i = 62; i >= 0; i--) {
        bls_g2_double(&t, &t);
        if ((BLS_X_ABS >> i) & 1) bls_g2_add(&t, &t, a);
    }
    if (g2_is_inf(&t)) return false; /* ψ(Q) is not infinity */
    fp2_neg(&t.y, &t.y); /* [x]Q = -[|x|]Q */
    /* ψ in Jacobian coordinates: (conj(X)·cx, conj(Y)·cy, conj(Z)); compare with t */
    bls_g2 s;
    fp2_conj(&s.x, &a->x);
    fp2_mul(&s.x, &s.x, &BLS_PSI_X);
    fp2_conj(&s.y, &a->y);
    fp2_mul(&s.y, &s.y, &BLS_PSI_Y);
    fp2_conj(&s.z, &a->z);
    fp2 sz2, tz2, l, r;
    fp2_sqr(&sz2, &s.z);
    fp2_sqr(&tz2, &t.z);
    fp2_mul(&l, &s.x, &tz2);
    fp2_mul(&r, &t.x, &sz2);
    if (!fp2_eq(&l, &r)) return false;
    fp2_mul(&l, &s.y, &tz2);
    fp2_mul(&l, &l, &t.z);
    fp2_mul(&r, &t.y, &sz2);
    fp2_mul(&r, &r, &s.z);
    return fp2_eq(&l, &r);
}

bool bls_g2_decompress(bls_g2 *r, const uint8_t in[96]) {
    /* x = c0 + c1 u with c1 (and the flags) in the first 48 bytes, c0 in the second */
    uint8_t first[48];
    bool large = false;
    int kind = bls_decode_flags(in, 96, first, &large);
    if (kind == BLS_FLAGS_BAD) return false;
    memset(r, 0, sizeof *r);
    if (kind == BLS_FLAGS_INF) return true;
    fp2 rhs;
    if (!fp_from_bytes(&r->x.c1, first) || !fp_from_bytes(&r->x.c0, in + 48)) return false;
    fp2_sqr(&rhs, &r->x);
    fp2_mul(&rhs, &rhs, &r->x);
    fp2_add(&rhs, &rhs, &BLS_TWIST_B);
    if (!fp2_sqrt(&r->y, &rhs)) return false;
    if (fp2_is_large(&r->y) != large) fp2_neg(&r->y, &r->y);
    fp2_set_one(&r->z);
    return true;
}

void bls_g2_compress(const bls_g2 *a, uint8_t out[96]) {
    bls_g2_affine p;
    if (!bls_g2_to_affine(a, &p)) {
        memset(out, 0, 96);
        out[0] = 0xc0;
        return;
    }
    fp_to_bytes(&p.x.c1, out);
    fp_to_bytes(&p.x.c0, out + 48);
    out[0] |= (uint8_t)(0x80 | (fp2_is_large(&p.y) ? 0x20 : 0));
}
