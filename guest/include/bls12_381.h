/* BLS12-381 for the EIP-4844 point-evaluation precompile (0x0a); the curve library itself is
 * internal (guest/src/crypto/bls12_381_internal.h) and meant for EIP-2537's precompiles too.
 * Encodings are ZCash's compressed ones (as KZG commitments use them): a G1 point is 48 bytes,
 * big-endian x with three flag bits on top (compressed, infinity, y the larger root). */
#ifndef SWAPVM_BLS12_381_H
#define SWAPVM_BLS12_381_H

#include "rt.h"

/* Outcomes of bls12_381_verify_kzg_proof, in the order the checks run. */
enum {
    KZG_OK = 0,          /* the proof holds */
    KZG_BAD_SCALAR = 1,  /* z or y is not below the group order r */
    KZG_BAD_POINT = 2,   /* the commitment or the proof is no valid compressed G1 point */
    KZG_NOT_IN_G1 = 3,   /* ... or is not in the order-r subgroup */
    KZG_WRONG_PROOF = 4, /* the pairing equation fails */
};

/* verify_kzg_proof of EIP-4844 for z, y (32-byte big-endian) and the compressed commitment and
 * proof (48 bytes each): e(proof, [τ - z]₂) == e(commitment - [y]₁, [1]₂). */
int bls12_381_verify_kzg_proof(const uint8_t commitment[48], const uint8_t z[32], const uint8_t y[32],
                               const uint8_t proof[48]);

#endif
