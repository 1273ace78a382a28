/* Arbitrary-length modular exponentiation for the modexp precompile (EIP-198, address 0x05) with
 * the EIP-2565 gas formula. Numbers are big-endian byte strings of any length. */
#ifndef SWAPVM_MODEXP_H
#define SWAPVM_MODEXP_H

#include "rt.h"

/* The EIP-2565 gas of a modexp call input (lengths read from the zero-padded 96-byte header):
 * max(200, ceil(max(Lb, Lm)/8)^2 · max(adjusted exponent length, 1) / 3). Returns UINT64_MAX
 * when the true value is UINT64_MAX or more (such a call can never be paid for). */
uint64_t modexp_gas(const uint8_t *in, size_t in_len);

/* out[0 … mlen) = base^exp mod modulus, left-padded; 0 when the modulus is 0 (0^0 = 1). Scratch
 * space comes from rt_alloc. mlen > 0. */
void modexp_compute(const uint8_t *base, size_t blen, const uint8_t *exp, size_t elen, const uint8_t *mod,
                    size_t mlen, uint8_t *out);

#endif
