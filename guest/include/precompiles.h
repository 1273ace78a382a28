/* The precompiled contracts at addresses 0x01 … 0x09 (Shanghai) and 0x0a (Cancun's point
 * evaluation, EIP-4844), with Ethereum's exact gas and failure semantics.
 *
 * One uniform signature. A precompile either
 *   - succeeds: returns PRECOMPILE_OK, res->gas_used is its gas (≤ gas_limit), res->out/out_len
 *     its output (possibly empty: ecrecover of an invalid signature succeeds with no output), or
 *   - fails: returns PRECOMPILE_OOG (gas_limit below the price) or PRECOMPILE_FAIL (invalid
 *     input: bad point or field element, bad length, bad blake2f flag); res->gas_used is then
 *     gas_limit (a failing precompile consumes all gas given to it) and the output is empty.
 * The output is allocated with rt_alloc (an arena: the caller releases it with its frame).
 * No input makes these functions fault; lengths in the input (modexp) are checked against the
 * gas before anything is read or allocated.
 */
#ifndef SWAPVM_PRECOMPILES_H
#define SWAPVM_PRECOMPILES_H

#include "rt.h"

enum {
    PRECOMPILE_OK = 0,
    PRECOMPILE_OOG = 1,
    PRECOMPILE_FAIL = 2,
};

typedef struct {
    uint8_t *out;      /* rt_alloc'd, NULL when out_len == 0 */
    size_t out_len;
    uint64_t gas_used;
} precompile_result;

typedef int (*precompile_fn)(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res);

int precompile_ecrecover(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res);  /* 0x01 */
int precompile_sha256(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res);     /* 0x02 */
int precompile_ripemd160(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res);  /* 0x03 */
int precompile_identity(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res);   /* 0x04 */
int precompile_modexp(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res);     /* 0x05 */
int precompile_bn254_add(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res);  /* 0x06 */
int precompile_bn254_mul(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res);  /* 0x07 */
int precompile_bn254_pairing(const uint8_t *in, size_t in_len, uint64_t gas_limit,
                             precompile_result *res);                                                      /* 0x08 */
int precompile_blake2f(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res);    /* 0x09 */
int precompile_point_evaluation(const uint8_t *in, size_t in_len, uint64_t gas_limit,
                                precompile_result *res);                                                   /* 0x0a */

/* The highest precompile address of any fork this executor implements. */
#define PRECOMPILE_LAST 10u

/* The highest precompile address of a fork (S's fork number, scodec.h): 9 for Shanghai, 10 from
 * Cancun on. Addresses above it are ordinary accounts in that fork. */
unsigned precompile_last(uint64_t fork);

/* PRECOMPILES[a] is the precompile at address a for 1 ≤ a ≤ PRECOMPILE_LAST; PRECOMPILES[0] is NULL. */
extern const precompile_fn PRECOMPILES[PRECOMPILE_LAST + 1];

/* Run the precompile at `addr` (1 … PRECOMPILE_LAST, whatever the fork: callers map addresses
 * with precompile_last); an address outside that range fails. */
int precompile_run(unsigned addr, const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res);

#endif
