/* SHA-256 (FIPS 180-4), for the sha256 precompile (address 0x02). */
#ifndef SWAPVM_SHA256_H
#define SWAPVM_SHA256_H

#include "rt.h"

void sha256(const uint8_t *data, size_t len, uint8_t out[32]);

#endif
