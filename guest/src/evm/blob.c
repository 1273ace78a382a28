/* EIP-4844: the excess blob gas of a header and the blob base fee. The base fee is a Taylor
 * series of e^(excess / fraction) in integers, so its intermediate terms are kept in 384 bits
 * and the series stops as soon as the result is known to exceed 2^256 - 1. */
#include "blob.h"

__extension__ typedef unsigned __int128 u128;

#define WIDE_LIMBS 6

typedef struct {
    uint64_t w[WIDE_LIMBS]; /* little-endian limbs */
} wide_t;

bool blob_excess_gas(const s_header *parent, uint64_t *out) {
    u128 sum = (u128)parent->excess_blob_gas + parent->blob_gas_used;
    if (sum < TARGET_BLOB_GAS_PER_BLOCK) {
        *out = 0;
        return true;
    }
    sum -= TARGET_BLOB_GAS_PER_BLOCK;
    if (sum > UINT64_MAX) return false;
    *out = (uint64_t)sum;
    return true;
}

static bool wide_is_zero(const wide_t *a) {
    for (int i = 0; i < WIDE_LIMBS; i++) {
        if (a->w[i]) return false;
    }
    return true;
}

/* a += b (the callers keep both below 2^383: no carry out). */
static void wide_add(wide_t *a, const wide_t *b) {
    uint64_t carry = 0;
    for (int i = 0; i < WIDE_LIMBS; i++) {
        u128 t = (u128)a->w[i] + b->w[i] + carry;
        a->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
}

/* a *= m (the callers keep a below 2^320: no carry out). */
static void wide_mul_u64(wide_t *a, uint64_t m) {
    uint64_t carry = 0;
    for (int i = 0; i < WIDE_LIMBS; i++) {
        u128 t = (u128)a->w[i] * m + carry;
        a->w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
}

/* a = floor(a / d), d > 0. */
static void wide_div_u64(wide_t *a, uint64_t d) {
    u128 rem = 0;
    for (int i = WIDE_LIMBS - 1; i >= 0; i--) {
        u128 cur = (rem << 64) | a->w[i];
        a->w[i] = (uint64_t)(cur / d);
        rem = cur % d;
    }
}

void blob_base_fee(uint64_t excess, u256 *out) {
    const uint64_t denominator = BLOB_BASE_FEE_UPDATE_FRACTION;
    wide_t sum = {{0}}, term = {{(uint64_t)MIN_BLOB_BASE_FEE * denominator}};
    for (uint64_t i = 1; !wide_is_zero(&term); i++) {
        wide_add(&sum, &term);
        /* sum / denominator >= 2^256 exactly when the limb above 2^256 reaches the denominator */
        if (sum.w[5] != 0 || sum.w[4] >= denominator) {
            for (int k = 0; k < 4; k++) out->w[k] = UINT64_MAX;
            return;
        }
        /* term <= sum < 2^256 * denominator < 2^278, so term * excess < 2^342 fits */
        wide_mul_u64(&term, excess);
        wide_div_u64(&term, denominator * i);
    }
    wide_div_u64(&sum, denominator);
    for (int k = 0; k < 4; k++) out->w[k] = sum.w[k];
}
