/* The BLAKE2b compression function F (RFC 7693 §3.2) with a caller-chosen number of rounds,
 * as the blake2f precompile (EIP-152, address 0x09) exposes it. */
#ifndef SWAPVM_BLAKE2F_H
#define SWAPVM_BLAKE2F_H

#include "rt.h"

/* Compress message block m into state h with offset counters t and the final-block flag;
 * `rounds` rounds (BLAKE2b itself uses 12; the precompile allows 0 … 2^32-1). */
void blake2f_compress(uint64_t h[8], const uint64_t m[16], const uint64_t t[2], bool final, uint32_t rounds);

#endif
