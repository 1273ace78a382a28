/* RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996), for the ripemd160 precompile (address 0x03;
 * the precompile left-pads the 20-byte digest to 32 bytes, which is the caller's job). */
#ifndef SWAPVM_RIPEMD160_H
#define SWAPVM_RIPEMD160_H

#include "rt.h"

void ripemd160(const uint8_t *data, size_t len, uint8_t out[20]);

#endif
