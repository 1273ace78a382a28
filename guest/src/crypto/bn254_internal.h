/* BN254 (alt_bn128) internals: the field tower Fp2 = Fp[i]/(i^2+1), Fp6 = Fp2[v]/(v^3 - xi) with
 * xi = 9 + i, Fp12 = Fp6[w]/(w^2 - v); points of G1 (over Fp) and of the twist G2 (over Fp2,
 * y^2 = x^3 + 3/xi); the pairing. All field elements are in Montgomery form modulo p. */
#ifndef SWAPVM_BN254_INTERNAL_H
#define SWAPVM_BN254_INTERNAL_H

#include "bn254.h"
#include "mont256.h"

#define FP (&BN254_P)

typedef struct {
    fe256 c0, c1; /* c0 + c1·i */
} fp2;
typedef struct {
    fp2 c0, c1, c2; /* c0 + c1·v + c2·v^2 */
} fp6;
typedef struct {
    fp6 c0, c1; /* c0 + c1·w */
} fp12;

/* Jacobian points (X/Z^2, Y/Z^3), Z = 0 the point at infinity. */
typedef struct {
    fe256 x, y, z;
} g1_jac;
typedef struct {
    fp2 x, y, z;
} g2_jac;
/* Affine points of the twist (never infinity where used). */
typedef struct {
    fp2 x, y;
} g2_affine;

/* Generated constants (bn254_consts.c). */
extern const fp2 BN254_TWIST_B;
extern const fp2 BN254_FROB_X, BN254_FROB_Y;
extern const fp2 BN254_FROB1[6];
extern const fe256 BN254_FROB2[6];
extern const fe256 BN254_SIX_U2;
/* NAF digits, least significant first (their top digit is 1) */
extern const int8_t BN254_ATE_NAF[66]; /* 6u+2, the optimal-ate loop count */
extern const int8_t BN254_U_NAF[63];   /* u, the BN parameter */

/* ---- Fp2 ---- */
void fp2_add(fp2 *r, const fp2 *a, const fp2 *b);
void fp2_sub(fp2 *r, const fp2 *a, const fp2 *b);
void fp2_neg(fp2 *r, const fp2 *a);
void fp2_mul(fp2 *r, const fp2 *a, const fp2 *b);
void fp2_sqr(fp2 *r, const fp2 *a);
void fp2_mul_fp(fp2 *r, const fp2 *a, const fe256 *b);
void fp2_mul_xi(fp2 *r, const fp2 *a);
void fp2_inv(fp2 *r, const fp2 *a);
void fp2_conj(fp2 *r, const fp2 *a);
void fp2_set_one(fp2 *r);
bool fp2_is_zero(const fp2 *a);
bool fp2_eq(const fp2 *a, const fp2 *b);

/* ---- Fp6 and Fp12 ---- */
void fp6_add(fp6 *r, const fp6 *a, const fp6 *b);
void fp6_sub(fp6 *r, const fp6 *a, const fp6 *b);
void fp6_mul(fp6 *r, const fp6 *a, const fp6 *b);
void fp12_set_one(fp12 *r);
bool fp12_is_one(const fp12 *a);
void fp12_mul(fp12 *r, const fp12 *a, const fp12 *b);
void fp12_sqr(fp12 *r, const fp12 *a);
/* r = a^2 for a in the cyclotomic subgroup (where the final exponentiation's easy part lands). */
void fp12_cyclo_sqr(fp12 *r, const fp12 *a);
void fp12_inv(fp12 *r, const fp12 *a);
void fp12_conj(fp12 *r, const fp12 *a);
/* r = a^p and r = a^(p^2) */
void fp12_frob(fp12 *r, const fp12 *a);
void fp12_frob2(fp12 *r, const fp12 *a);
/* r = f · (l0 + (l10 + l11·v)·w): the shape of a line evaluated at a G1 point */
void fp12_mul_line(fp12 *r, const fp12 *f, const fp2 *l0, const fp2 *l10, const fp2 *l11);

/* ---- points ---- */
void g1_double(g1_jac *r, const g1_jac *a);
void g1_add(g1_jac *r, const g1_jac *a, const g1_jac *b);
/* r = k·a for a plain 256-bit scalar k */
void g1_mul(g1_jac *r, const g1_jac *a, const fe256 *k);
/* Affine coordinates (Montgomery form); returns false for the point at infinity. */
bool g1_to_affine(const g1_jac *a, fe256 *x, fe256 *y);
void g2_double(g2_jac *r, const g2_jac *a);
void g2_add(g2_jac *r, const g2_jac *a, const g2_jac *b);
void g2_mul(g2_jac *r, const g2_jac *a, const fe256 *k);

/* The p-power Frobenius endomorphism ψ of the twist (untwist, Frobenius, twist). */
void bn254_twist_frobenius(g2_affine *r, const g2_affine *q);

/* ---- the pairing ---- */
/* A pair of affine points, P in G1 and Q in G2, neither infinity, Q in the order-r subgroup. */
typedef struct {
    fe256 px, py;
    g2_affine q;
} bn254_pair;
/* f = the product over the n pairs of the optimal-ate Miller loop values (one shared loop). */
void bn254_miller_loop(fp12 *f, const bn254_pair *pairs, size_t n);
/* f^((p^12 - 1) / r) */
void bn254_final_exp(fp12 *r, const fp12 *f);

#endif
