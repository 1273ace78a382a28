/* EIP-4844: the excess blob gas of a header and the blob base fee. The base fee is a Taylor
 * series of e^(excess / fraction) in integers, so its intermediate terms are kept in 384 bits
 * and the series stops as soon as the result is known to exceed 2^256 - 1. */
#include "blob.h"

#include "rt.h"

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

/* a = floor(a / d) for 0 < d < 2^32, by 32-bit digits (RV64 divides 64 by 64 bits natively; a
 * 128-bit division would need a runtime library the guest does not have). */
static void wide_div_small(wide_t *a, uint64_t d) {
    RT_ASSERT(d != 0 && d <= UINT32_MAX);
    uint64_t rem = 0;
    for (int i = WIDE_LIMBS - 1; i >= 0; i--) {
        uint64_t hi = (rem << 32) | (a->w[i] >> 32);
        uint64_t qh = hi / d;
        rem = hi % d;
        uint64_t lo = (rem << 32) | (a->w[i] & UINT32_MAX);
        uint64_t ql = lo / d;
        rem = lo % d;
        a->w[i] = (qh << 32) | ql;
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
        /* floor(floor(t / a) / b) = floor(t / (a * b)): the series' divisor denominator * i in two
         * steps (i stays far below 2^32: the series ends or overflows within a few hundred terms) */
        wide_div_small(&term, denominator);
        wide_div_small(&term, i);
    }
    wide_div_small(&sum, denominator);
    for (int k = 0; k < 4; k++) out->w[k] = sum.w[k];
}
