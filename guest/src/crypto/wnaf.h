/* Width-w non-adjacent form (wNAF) of 256-bit scalars, for the scalar multiplications of
 * secp256k1 and BN254: nonzero digits are odd, below 2^(w-1) in absolute value, and any two are
 * at least w positions apart, so a w-window costs about 256/(w+1) additions. */
#ifndef SWAPVM_WNAF_H
#define SWAPVM_WNAF_H

#include "mont256.h"

#define WNAF_MAX_DIGITS 258 /* a 256-bit scalar has a wNAF of at most 257 digits */

/* digits[i] odd in (-2^(w-1), 2^(w-1)) or 0 with k = sum digits[i]·2^i (2 ≤ w ≤ 8). Returns the
 * number of digits (0 for k = 0). */
int wnaf(int8_t digits[WNAF_MAX_DIGITS], const fe256 *k, int w);

#endif
