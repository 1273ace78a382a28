/* secp256k1 internals shared by the recovery code and its generated generator table. */
#ifndef SWAPVM_SECP256K1_INTERNAL_H
#define SWAPVM_SECP256K1_INTERNAL_H

#include "mont256.h"

/* An affine point, coordinates in Montgomery form modulo p. */
typedef struct {
    fe256 x, y;
} secp_affine;

/* Width of the wNAF for multiples of G: the table holds the 2^(W-2) odd multiples 1G … 127G. */
#define SECP_G_WINDOW 8
extern const secp_affine SECP256K1_GTABLE[1 << (SECP_G_WINDOW - 2)];

#endif
