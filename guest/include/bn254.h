/* alt_bn128 (BN254) curve operations with the encodings of EIP-196/197: a G1 point is x ‖ y
 * (32-byte big-endian each, (0, 0) the point at infinity); a G2 point is x ‖ y with each Fp2
 * coordinate a·i + b encoded as a ‖ b (imaginary part first), all zero the point at infinity.
 * Every function returns 0 on success and nonzero when an input is invalid: a coordinate ≥ p,
 * a point not on its curve, or (G2) not in the order-r subgroup. */
#ifndef SWAPVM_BN254_H
#define SWAPVM_BN254_H

#include "rt.h"

/* out = A + B for in = A ‖ B (128 bytes). */
int bn254_g1_add(const uint8_t in[128], uint8_t out[64]);
/* out = s·A for in = A ‖ s (96 bytes, s a 256-bit big-endian scalar). */
int bn254_g1_mul(const uint8_t in[96], uint8_t out[64]);
/* *holds = (product of e(P_j, Q_j) over the pairs == 1) for `npairs` 192-byte pairs P ‖ Q;
 * npairs = 0 holds. */
int bn254_pairing_check(const uint8_t *in, size_t npairs, bool *holds);

#endif
