/* The crypto driver's BLS12-381 operations (ops.h): Fp, Fp2 and Fp12 arithmetic, G1 and G2
 * encodings, scalar multiplication and subgroup checks, the pairing and KZG verification. Field
 * elements travel as 48-byte big-endian plain values, Fp2 as c0 ‖ c1, Fp12 as its twelve Fp
 * coefficients in the struct's order (c0.c0, c0.c1, c0.c2, c1.c0, c1.c1, c1.c2, each c0 ‖ c1). */
#include "../harness/harness.h"
#include "../../src/crypto/bls12_381_internal.h"
#include "ops.h"

/* Read n Fp elements (false when one is ≥ p). */
static bool read_fps(const uint8_t *in, fp384 *out, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!fp_from_bytes(&out[i], in + 48 * i)) return false;
    return true;
}

static void put_fps(buf_t *r, const fp384 *a, size_t n) {
    for (size_t i = 0; i < n; i++) fp_to_bytes(&a[i], buf_extend(r, 48));
}

/* op[1] a[48] b[48] -> status (1: no square root); r[48] */
uint64_t op_bls_fp(span_t a, buf_t *r) {
    fp384 x[2], z;
    if (a.len != 97 || !read_fps(a.ptr + 1, x, 2)) return HARNESS_BAD_REQUEST;
    switch (a.ptr[0]) {
    case MONT_ADD: fp_add(&z, &x[0], &x[1]); break;
    case MONT_SUB: fp_sub(&z, &x[0], &x[1]); break;
    case MONT_NEG: fp_neg(&z, &x[0]); break;
    case MONT_MUL: fp_mul(&z, &x[0], &x[1]); break;
    case MONT_SQR: fp_sqr(&z, &x[0]); break;
    case MONT_INV: fp_inv(&z, &x[0]); break;
    case MONT_SQRT:
        if (!fp_sqrt(&z, &x[0])) return 1;
        break;
    default: return HARNESS_BAD_REQUEST;
    }
    put_fps(r, &z, 1);
    return 0;
}

/* op[1] a[96] b[96] -> status (1: no square root); r[96] (BLS_FP2_LARGE: r[1] the sign) */
uint64_t op_bls_fp2(span_t a, buf_t *r) {
    fp2 x[2], z;
    if (a.len != 193 || !read_fps(a.ptr + 1, &x[0].c0, 4)) return HARNESS_BAD_REQUEST;
    switch (a.ptr[0]) {
    case MONT_MUL: fp2_mul(&z, &x[0], &x[1]); break;
    case MONT_SQR: fp2_sqr(&z, &x[0]); break;
    case MONT_INV: fp2_inv(&z, &x[0]); break;
    case MONT_SQRT:
        if (!fp2_sqrt(&z, &x[0])) return 1;
        break;
    case BLS_FP2_MUL_XI: fp2_mul_xi(&z, &x[0]); break;
    case BLS_FP2_LARGE: *buf_extend(r, 1) = fp2_is_large(&x[0]); return 0;
    default: return HARNESS_BAD_REQUEST;
    }
    put_fps(r, &z.c0, 2);
    return 0;
}

/* op[1] a[576] b[576] -> r[576] */
uint64_t op_bls_fp12(span_t a, buf_t *r) {
    fp12 x[2], z;
    if (a.len != 1 + 2 * 576 || !read_fps(a.ptr + 1, &x[0].c0.c0.c0, 24)) return HARNESS_BAD_REQUEST;
    switch (a.ptr[0]) {
    case BLS_FP12_MUL: fp12_mul(&z, &x[0], &x[1]); break;
    case BLS_FP12_SQR: fp12_sqr(&z, &x[0]); break;
    case BLS_FP12_INV: fp12_inv(&z, &x[0]); break;
    case BLS_FP12_FROB: fp12_frob(&z, &x[0]); break;
    case BLS_FP12_FROB2: fp12_frob2(&z, &x[0]); break;
    case BLS_FP12_CONJ: fp12_conj(&z, &x[0]); break;
    case BLS_FP12_CYCLO_SQR: fp12_cyclo_sqr(&z, &x[0]); break;
    case BLS_FP12_EASY: /* f^((p^6 - 1)(p^2 + 1)), the start of the final exponentiation */
        fp12_inv(&z, &x[0]);
        fp12_conj(&x[1], &x[0]);
        fp12_mul(&z, &z, &x[1]);
        fp12_frob2(&x[1], &z);
        fp12_mul(&z, &z, &x[1]);
        break;
    case BLS_FP12_FINAL_EXP: bls_final_exp(&z, &x[0]); break;
    case BLS_FP12_LINE: /* x[0] · (a + b v + c v w) with a, b, c the first three Fp2 of x[1] */
        bls_fp12_mul_line(&z, &x[0], &x[1].c0.c0, &x[1].c0.c1, &x[1].c0.c2);
        break;
    default: return HARNESS_BAD_REQUEST;
    }
    put_fps(r, &z.c0.c0.c0, 12);
    return 0;
}

/* Affine coordinates (zero for infinity) and the flags byte (1: infinity, 2: in the subgroup). */
static void put_g1(buf_t *r, const bls_g1 *p) {
    fp384 xy[2] = {{{0}}, {{0}}};
    bool inf = !bls_g1_to_affine(p, &xy[0], &xy[1]);
    *buf_extend(r, 1) = (uint8_t)(inf | (bls_g1_in_subgroup(p) << 1));
    put_fps(r, xy, 2);
    bls_g1_compress(p, buf_extend(r, 48));
}

static void put_g2(buf_t *r, const bls_g2 *p) {
    bls_g2_affine xy;
    memset(&xy, 0, sizeof xy);
    bool inf = !bls_g2_to_affine(p, &xy);
    *buf_extend(r, 1) = (uint8_t)(inf | (bls_g2_in_subgroup(p) << 1));
    put_fps(r, &xy.x.c0, 4);
    bls_g2_compress(p, buf_extend(r, 96));
}

/* Read a G1 point: 48 compressed bytes, or x ‖ y affine (96 bytes, on the curve or not). */
static bool read_g1(span_t *a, bool affine, bls_g1 *p) {
    span_t s;
    if (!harness_read_span(a, affine ? 96 : 48, &s)) return false;
    if (!affine) return bls_g1_decompress(p, s.ptr);
    if (!read_fps(s.ptr, &p->x, 2)) return false;
    fp_set_one(&p->z);
    return true;
}

static bool read_g2(span_t *a, bool affine, bls_g2 *p) {
    span_t s;
    if (!harness_read_span(a, affine ? 192 : 96, &s)) return false;
    if (!affine) return bls_g2_decompress(p, s.ptr);
    if (!read_fps(s.ptr, &p->x.c0, 4)) return false;
    fp2_set_one(&p->z);
    return true;
}

/* op[1] (group, affine input, operation) then points and a scalar -> status (1: the input does
 * not decode); flags, affine x, y and the compressed encoding of the result. */
uint64_t op_bls_point(span_t a, buf_t *r) {
    span_t op;
    if (!harness_read_span(&a, 1, &op)) return HARNESS_BAD_REQUEST;
    bool g2 = op.ptr[0] & BLS_POINT_G2, affine = op.ptr[0] & BLS_POINT_AFFINE;
    unsigned kind = op.ptr[0] & BLS_POINT_OP_MASK;
    bls_g1 p1[2];
    bls_g2 p2[2];
    int npoints = kind == BLS_POINT_ADD ? 2 : 1;
    for (int i = 0; i < npoints; i++)
        if (g2 ? !read_g2(&a, affine, &p2[i]) : !read_g1(&a, affine, &p1[i])) return 1;
    if (kind == BLS_POINT_ON_CURVE) {
        *buf_extend(r, 1) = g2 ? bls_g2_on_curve(&p2[0]) : bls_g1_on_curve(&p1[0]);
        return 0;
    }
    if (kind == BLS_POINT_ADD) {
        if (g2) bls_g2_add(&p2[0], &p2[0], &p2[1]);
        else bls_g1_add(&p1[0], &p1[0], &p1[1]);
    } else if (kind == BLS_POINT_MUL) {
        fe256 k;
        if (a.len != 32) return HARNESS_BAD_REQUEST;
        fe_from_be(&k, a.ptr);
        if (g2) bls_g2_mul(&p2[0], &p2[0], &k);
        else bls_g1_mul(&p1[0], &p1[0], &k);
    } else if (kind != BLS_POINT_DECODE) {
        return HARNESS_BAD_REQUEST;
    }
    if (g2) put_g2(r, &p2[0]);
    else put_g1(r, &p1[0]);
    return 0;
}

/* n × (G1[48] G2[96]) compressed -> status (1: a point does not decode); holds[1] and, for one
 * pair, the Fp12 value of the pairing (cubed, as bls_final_exp gives it) */
uint64_t op_bls_pairing(span_t a, buf_t *r) {
    size_t n = a.len / 144;
    if (a.len % 144 || n > 8) return HARNESS_BAD_REQUEST;
    bls_g1 p[8];
    bls_g2 q[8];
    for (size_t i = 0; i < n; i++)
        if (!bls_g1_decompress(&p[i], a.ptr + 144 * i) || !bls_g2_decompress(&q[i], a.ptr + 144 * i + 48)) return 1;
    *buf_extend(r, 1) = bls_pairing_check(p, q, n);
    if (n == 1) {
        bls_pair pair;
        fp12 f;
        fp12_set_one(&f);
        if (bls_g1_to_affine(&p[0], &pair.px, &pair.py) && bls_g2_to_affine(&q[0], &pair.q)) {
            bls_miller_loop(&f, &pair, 1);
            bls_final_exp(&f, &f);
        }
        put_fps(r, &f.c0.c0.c0, 12);
    }
    return 0;
}

/* commitment[48] z[32] y[32] proof[48] -> the KZG_* status */
uint64_t op_kzg_verify(span_t a, buf_t *r) {
    (void)r;
    if (a.len != 160) return HARNESS_BAD_REQUEST;
    return (uint64_t)bls12_381_verify_kzg_proof(a.ptr, a.ptr + 48, a.ptr + 80, a.ptr + 112);
}
