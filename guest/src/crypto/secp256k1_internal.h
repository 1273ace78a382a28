/* secp256k1 internals shared by the recovery code, its field (secp256k1_field.c) and its generated
 * tables (secp256k1_gtable.c). */
#ifndef SWAPVM_SECP256K1_INTERNAL_H
#define SWAPVM_SECP256K1_INTERNAL_H

#include "mont256.h"

/* Arithmetic modulo p on plain residues (secp256k1_field.c), exploiting p = 2^256 - 2^32 - 977;
 * add, sub and neg are mont256's, inversion fe_inv_plain. */
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
