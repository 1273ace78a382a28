/* The precompile table and the small precompiles: ecrecover (0x01), sha256 (0x02),
 * ripemd160 (0x03), identity (0x04). The curve, modexp, blake2f and point-evaluation precompiles
 * live beside their arithmetic (bn254_precompiles.c, modexp.c, blake2f.c, bls12_381_kzg.c). */
#include "precompiles.h"

#include "precompile_internal.h"
#include "ripemd160.h"
#include "scodec.h"
#include "secp256k1.h"
#include "sha256.h"

int precompile_fail(precompile_result *res, uint64_t gas_limit, int status) {
    res->out = NULL;
    res->out_len = 0;
    res->gas_used = gas_limit;
    return status;
}

int precompile_charge(precompile_result *res, uint64_t gas_limit, uint64_t gas, size_t out_len) {
    if (gas > gas_limit) return precompile_fail(res, gas_limit, PRECOMPILE_OOG);
    res->gas_used = gas;
    res->out_len = out_len;
    res->out = out_len ? (uint8_t *)rt_alloc(out_len) : NULL;
    return PRECOMPILE_OK;
}

void precompile_padded(uint8_t *dst, size_t n, const uint8_t *in, size_t in_len) {
    size_t k = in_len < n ? in_len : n;
    if (k) memcpy(dst, in, k);
    if (k < n) memset(dst + k, 0, n - k);
}

uint64_t precompile_word_gas(uint64_t base, uint64_t per_word, size_t len) {
    uint64_t words = (uint64_t)(len / 32) + (len % 32 != 0);
    if (words > (UINT64_MAX - base) / per_word) return UINT64_MAX;
    return base + per_word * words;
}

int precompile_ecrecover(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    if (3000 > gas_limit) return precompile_fail(res, gas_limit, PRECOMPILE_OOG);
    uint8_t buf[128], pub[64];
    precompile_padded(buf, sizeof buf, in, in_len);
    res->gas_used = 3000;
    res->out = NULL;
    res->out_len = 0;
    /* v is a 32-byte word that must be 27 or 28; anything invalid gives an empty output */
    for (int i = 32; i < 63; i++)
        if (buf[i]) return PRECOMPILE_OK;
    if (buf[63] != 27 && buf[63] != 28) return PRECOMPILE_OK;
    if (secp256k1_recover(buf, buf + 64, buf + 96, buf[63] - 27u, pub) != 0) return PRECOMPILE_OK;
    precompile_charge(res, gas_limit, 3000, 32);
    secp256k1_pubkey_address(pub, res->out + 12);
    return PRECOMPILE_OK;
}

int precompile_sha256(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    int st = precompile_charge(res, gas_limit, precompile_word_gas(60, 12, in_len), 32);
    if (st == PRECOMPILE_OK) sha256(in, in_len, res->out);
    return st;
}

int precompile_ripemd160(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    int st = precompile_charge(res, gas_limit, precompile_word_gas(600, 120, in_len), 32);
    if (st == PRECOMPILE_OK) ripemd160(in, in_len, res->out + 12);
    return st;
}

int precompile_identity(const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    int st = precompile_charge(res, gas_limit, precompile_word_gas(15, 3, in_len), in_len);
    if (st == PRECOMPILE_OK && in_len) memcpy(res->out, in, in_len);
    return st;
}

const precompile_fn PRECOMPILES[PRECOMPILE_LAST + 1] = {
    NULL,
    precompile_ecrecover,
    precompile_sha256,
    precompile_ripemd160,
    precompile_identity,
    precompile_modexp,
    precompile_bn254_add,
    precompile_bn254_mul,
    precompile_bn254_pairing,
    precompile_blake2f,
    precompile_point_evaluation,
};

unsigned precompile_last(uint64_t fork) { return fork >= S_FORK_CANCUN ? 10u : 9u; }

int precompile_run(unsigned addr, const uint8_t *in, size_t in_len, uint64_t gas_limit, precompile_result *res) {
    if (addr == 0 || addr > PRECOMPILE_LAST) return precompile_fail(res, gas_limit, PRECOMPILE_FAIL);
    return PRECOMPILES[addr](in, in_len, gas_limit, res);
}
