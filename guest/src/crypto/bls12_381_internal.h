/* BLS12-381 internals: the base field Fp (381 bits, six 64-bit limbs, Montgomery form with
 * R = 2^384), the tower Fp2 = Fp[u]/(u^2 + 1), Fp6 = Fp2[v]/(v^3 - xi) with xi = 1 + u,
 * Fp12 = Fp6[w]/(w^2 - v) (the same tower shape as BN254's, written once in tower_template.h),
 * the curve E: y^2 = x^3 + 4 over Fp with G1, the M-type twist E': y^2 = x^3 + 4·xi over Fp2 with
 * G2, and the optimal ate pairing. The curve parameter is x = -0xd201000000010000;
 * p = (x - 1)^2 (x^4 - x^2 + 1)/3 + x and r = x^4 - x^2 + 1.
 *
 * The tower's names (fp2, fp6, fp12 and their functions) are BN254's: this header renames them
 * to bls_* so that both curves link into one image; a file includes only one curve's header. */
#ifndef SWAPVM_BLS12_381_INTERNAL_H
#define SWAPVM_BLS12_381_INTERNAL_H

#include "bls12_381.h"
#include "mont256.h"

#define FP_LIMBS 6

/* An element of Fp: Montgomery form, fully reduced (< p), w[0] least significant. */
typedef struct {
    uint64_t w[FP_LIMBS];
} fp384;

/* ---- Fp ---- */
extern const fp384 BLS_P;       /* the modulus (plain) */
extern const fp384 BLS_ONE;     /* R mod p */
extern const fp384 BLS_R2;      /* R^2 mod p */
extern const uint64_t BLS_PINV; /* -p^-1 mod 2^64 */
extern const fp384 BLS_P_HALF;  /* (p - 1)/2 (plain): above it a coordinate is the larger root */

void fp_add(fp384 *r, const fp384 *a, const fp384 *b);
void fp_sub(fp384 *r, const fp384 *a, const fp384 *b);
void fp_neg(fp384 *r, const fp384 *a);
void fp_mul(fp384 *r, const fp384 *a, const fp384 *b);
void fp_sqr(fp384 *r, const fp384 *a);
/* r = a^e for a plain exponent of `nlimbs` limbs (4-bit fixed window). */
void fp_pow(fp384 *r, const fp384 *a, const uint64_t *e, int nlimbs);
/* r = a^-1 (Fermat: a^(p-2)); the inverse of 0 is 0. */
void fp_inv(fp384 *r, const fp384 *a);
/* r = a square root of a (p ≡ 3 mod 4: a^((p+1)/4)); false when a is not a square. */
bool fp_sqrt(fp384 *r, const fp384 *a);
bool fp_is_zero(const fp384 *a);
bool fp_eq(const fp384 *a, const fp384 *b);
void fp_set_one(fp384 *r);
/* Conversions: 48 big-endian bytes (false when the value is ≥ p) and small integers. */
bool fp_from_bytes(fp384 *r, const uint8_t in[48]);
void fp_to_bytes(const fp384 *a, uint8_t out[48]);
void fp_from_u64(fp384 *r, uint64_t v);
/* The plain value of a is above (p - 1)/2 (the "lexicographically largest" root of ZCash's
 * encoding). */
bool fp_is_large(const fp384 *a);

/* ---- the tower (tower_template.h under bls_* names) ---- */
#define fp2 bls_fp2
#define fp6 bls_fp6
#define fp12 bls_fp12
#define fp2_add bls_fp2_add
#define fp2_sub bls_fp2_sub
#define fp2_neg bls_fp2_neg
#define fp2_conj bls_fp2_conj
#define fp2_mul bls_fp2_mul
#define fp2_sqr bls_fp2_sqr
#define fp2_mul_fp bls_fp2_mul_fp
#define fp2_mul_xi bls_fp2_mul_xi
#define fp2_inv bls_fp2_inv
#define fp2_set_one bls_fp2_set_one
#define fp2_is_zero bls_fp2_is_zero
#define fp2_eq bls_fp2_eq
#define fp6_add bls_fp6_add
#define fp6_sub bls_fp6_sub
#define fp6_mul bls_fp6_mul
#define fp12_set_one bls_fp12_set_one
#define fp12_is_one bls_fp12_is_one
#define fp12_mul bls_fp12_mul
#define fp12_sqr bls_fp12_sqr
#define fp12_cyclo_sqr bls_fp12_cyclo_sqr
#define fp12_inv bls_fp12_inv
#define fp12_conj bls_fp12_conj
#define fp12_frob bls_fp12_frob
#define fp12_frob2 bls_fp12_frob2

typedef struct {
    fp384 c0, c1; /* c0 + c1·u */
} fp2;
typedef struct {
    fp2 c0, c1, c2; /* c0 + c1·v + c2·v^2 */
} fp6;
typedef struct {
    fp6 c0, c1; /* c0 + c1·w */
} fp12;

void fp2_add(fp2 *r, const fp2 *a, const fp2 *b);
void fp2_sub(fp2 *r, const fp2 *a, const fp2 *b);
void fp2_neg(fp2 *r, const fp2 *a);
void fp2_conj(fp2 *r, const fp2 *a);
void fp2_mul(fp2 *r, const fp2 *a, const fp2 *b);
void fp2_sqr(fp2 *r, const fp2 *a);
void fp2_mul_fp(fp2 *r, const fp2 *a, const fp384 *b);
void fp2_mul_xi(fp2 *r, const fp2 *a);
void fp2_inv(fp2 *r, const fp2 *a);
void fp2_set_one(fp2 *r);
bool fp2_is_zero(const fp2 *a);
bool fp2_eq(const fp2 *a, const fp2 *b);
/* r = a square root of a in Fp2 (Adj, Rodríguez-Henríquez 2012, Algorithm 9 for p ≡ 3 mod 4);
 * false when a is not a square. */
bool fp2_sqrt(fp2 *r, const fp2 *a);
/* The "lexicographically largest" order of Fp2 (ZCash): c1 large, or c1 = 0 and c0 large. */
bool fp2_is_large(const fp2 *a);

void fp6_add(fp6 *r, const fp6 *a, const fp6 *b);
void fp6_sub(fp6 *r, const fp6 *a, const fp6 *b);
void fp6_mul(fp6 *r, const fp6 *a, const fp6 *b);
void fp12_set_one(fp12 *r);
bool fp12_is_one(const fp12 *a);
void fp12_mul(fp12 *r, const fp12 *a, const fp12 *b);
void fp12_sqr(fp12 *r, const fp12 *a);
void fp12_cyclo_sqr(fp12 *r, const fp12 *a);
void fp12_inv(fp12 *r, const fp12 *a);
void fp12_conj(fp12 *r, const fp12 *a);
void fp12_frob(fp12 *r, const fp12 *a);
void fp12_frob2(fp12 *r, const fp12 *a);
/* r = f · (a + b·v + c·v·w): the shape of a line of the M-type twist evaluated at a G1 point
 * (constant term a, w^2 = v term b, w^3 = v·w term c). */
void bls_fp12_mul_line(fp12 *r, const fp12 *f, const fp2 *a, const fp2 *b, const fp2 *c);

/* Generated constants (bls12_381_consts.c). */
extern const fp2 BLS_FROB1[6];   /* xi^(k(p-1)/6) */
extern const fp384 BLS_FROB2[6]; /* xi^(k(p^2-1)/6), in Fp */
extern const fp384 BLS_B;        /* 4 */
extern const fp2 BLS_TWIST_B;    /* 4·xi */
extern const fe256 BLS_ORDER;    /* r (plain) */
extern const fp384 BLS_BETA;     /* the cube root of unity of the G1 endomorphism */
extern const fp2 BLS_PSI_X, BLS_PSI_Y; /* the constants of the G2 endomorphism ψ */
extern const fp384 BLS_G1_X, BLS_G1_Y; /* the generator of G1 */
extern const fp2 BLS_G2_X, BLS_G2_Y;   /* the generator of G2 */
extern const fp2 BLS_TAU_G2_X, BLS_TAU_G2_Y; /* [τ]₂ of the Ethereum KZG ceremony */
#define BLS_X_ABS 0xd201000000010000ull /* |x|; x is negative */
/* The Miller loop's steps for one pair: 63 doublings and 5 additions (the bits of |x|). For the
 * fixed points [1]₂ and [τ]₂ their affine lines are in ROM: step k is (λ, μ), the line's slope on
 * the twist and μ = λ·x - y at a point of the line. */
#define BLS_MILLER_STEPS 68
extern const fp2 BLS_G2_LINES[BLS_MILLER_STEPS][2];
extern const fp2 BLS_TAU_G2_LINES[BLS_MILLER_STEPS][2];

/* The flags of ZCash's compressed encoding of an n-byte point (48 or 96): BLS_FLAGS_BAD (not
 * compressed, or an infinity with other bits set), BLS_FLAGS_INF, or BLS_FLAGS_POINT with the
 * first 48 bytes, flags cleared, in `first` and the sign flag in *large. */
enum { BLS_FLAGS_BAD, BLS_FLAGS_INF, BLS_FLAGS_POINT };
int bls_decode_flags(const uint8_t *in, size_t n, uint8_t first[48], bool *large);

/* ---- points: Jacobian (X/Z^2, Y/Z^3), Z = 0 the point at infinity ---- */
typedef struct {
    fp384 x, y, z;
} bls_g1;
typedef struct {
    fp2 x, y, z;
} bls_g2;
typedef struct {
    fp2 x, y;
} bls_g2_affine;

void bls_g1_double(bls_g1 *r, const bls_g1 *a);
void bls_g1_add(bls_g1 *r, const bls_g1 *a, const bls_g1 *b);
void bls_g1_mul(bls_g1 *r, const bls_g1 *a, const fe256 *k);
/* r = ka·a + kb·b (one shared run of doublings). */
void bls_g1_mul2(bls_g1 *r, const bls_g1 *a, const fe256 *ka, const bls_g1 *b, const fe256 *kb);
/* Affine coordinates; false for the point at infinity. */
bool bls_g1_to_affine(const bls_g1 *a, fp384 *x, fp384 *y);
/* The point is on the curve y^2 = x^3 + 4 (infinity is). */
bool bls_g1_on_curve(const bls_g1 *a);
/* The point (on the curve) lies in the order-r subgroup: φ(P) = [-x^2]P (bls12_381_g1.c). */
bool bls_g1_in_subgroup(const bls_g1 *a);
/* ZCash's compressed encoding (48 bytes): decoding checks the flags, x < p and that x is on the
 * curve, not the subgroup; encoding gives the canonical bytes. */
bool bls_g1_decompress(bls_g1 *r, const uint8_t in[48]);
void bls_g1_compress(const bls_g1 *a, uint8_t out[48]);

void bls_g2_double(bls_g2 *r, const bls_g2 *a);
void bls_g2_add(bls_g2 *r, const bls_g2 *a, const bls_g2 *b);
void bls_g2_mul(bls_g2 *r, const bls_g2 *a, const fe256 *k);
bool bls_g2_to_affine(const bls_g2 *a, bls_g2_affine *r);
bool bls_g2_on_curve(const bls_g2 *a);
/* ψ(Q) = [x]Q (bls12_381_g2.c). */
bool bls_g2_in_subgroup(const bls_g2 *a);
/* 96 bytes: x.c1 (with the flags) ‖ x.c0. */
bool bls_g2_decompress(bls_g2 *r, const uint8_t in[96]);
void bls_g2_compress(const bls_g2 *a, uint8_t out[96]);

/* ---- the pairing ---- */
/* A pair for the Miller loop: P in G1 and Q in G2, affine, neither the point at infinity. */
typedef struct {
    fp384 px, py;
    bls_g2_affine q;
} bls_pair;
/* f = the product over the pairs of the Miller loop values f_{|x|,Q}(P), conjugated (x < 0). */
void bls_miller_loop(fp12 *f, const bls_pair *pairs, size_t n);
/* f = the product of the Miller loop values for n pairs of an affine G1 point and a fixed G2
 * point given by its line table (BLS_G2_LINES, BLS_TAU_G2_LINES). */
void bls_miller_loop_fixed(fp12 *f, const fp384 *px, const fp384 *py, const fp2 (*const *lines)[2], size_t n);
/* r = f^(3(p^12 - 1)/r): the final exponentiation, cubed (a chain for 3·(p^4 - p^2 + 1)/r;
 * since 3 does not divide r, the cube is 1 exactly when the pairing value is). */
void bls_final_exp(fp12 *r, const fp12 *f);
/* Whether the product of e(P_i, Q_i) over n pairs of points (any, including infinity; points
 * must be in their subgroups) is 1: one Miller loop, one final exponentiation. */
bool bls_pairing_check(const bls_g1 *p, const bls_g2 *q, size_t n);

#endif
