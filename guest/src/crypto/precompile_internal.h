/* Helpers shared by the precompile implementations (see precompiles.h for the contract). */
#ifndef SWAPVM_PRECOMPILE_INTERNAL_H
#define SWAPVM_PRECOMPILE_INTERNAL_H

#include "precompiles.h"

/* Fail with `status`: all gas consumed, empty output. */
int precompile_fail(precompile_result *res, uint64_t gas_limit, int status);
/* Charge `gas` (OOG when above gas_limit) and allocate an output of `out_len` zero bytes. */
int precompile_charge(precompile_result *res, uint64_t gas_limit, uint64_t gas, size_t out_len);
/* Copy the first n bytes of the input, zero-padded on the right when the input is shorter. */
void precompile_padded(uint8_t *dst, size_t n, const uint8_t *in, size_t in_len);
/* base + per_word·ceil(len/32), saturating at UINT64_MAX. */
uint64_t precompile_word_gas(uint64_t base, uint64_t per_word, size_t len);

#endif
