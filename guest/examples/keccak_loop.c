/* keccak_loop: the benchmark guest. Applies keccak-f[1600] N times to a state in RAM
 * (N = the u64 at S[0], 1000 if zero), writes the state to S[8..208) and yields 0. */
#include "rt.h"

static uint64_t round_constants[24]; /* .bss, filled by the LFSR of FIPS 202 at start-up */

/* rc(t) of FIPS 202 §3.2.5: the output bit of the degree-8 LFSR after t steps. */
static unsigned lfsr_bit(unsigned t) {
    unsigned r = 1;
    for (unsigned i = 0; i < t % 255; i++) {
        r <<= 1;
        if (r & 0x100) r ^= 0x171;
    }
    return r & 1;
}

static void init_round_constants(void) {
    for (unsigned round = 0; round < 24; round++) {
        uint64_t rc = 0;
        for (unsigned j = 0; j < 7; j++) rc |= (uint64_t)lfsr_bit(j + 7 * round) << ((1u << j) - 1);
        round_constants[round] = rc;
    }
}
static const unsigned rotations[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                                       25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

static uint64_t rotl(uint64_t x, unsigned n) { return n ? (x << n) | (x >> (64 - n)) : x; }

static void keccak_f(uint64_t a[25]) {
    for (unsigned round = 0; round < 24; round++) {
        uint64_t c[5], b[25];
        for (unsigned x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (unsigned x = 0; x < 5; x++) {
            uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
            for (unsigned y = 0; y < 25; y += 5) a[y + x] ^= d;
        }
        for (unsigned x = 0; x < 5; x++)
            for (unsigned y = 0; y < 5; y++) b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], rotations[x + 5 * y]);
        for (unsigned y = 0; y < 25; y += 5)
            for (unsigned x = 0; x < 5; x++) a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        a[0] ^= round_constants[round];
    }
}

int main(void) {
    uint64_t *s = (uint64_t *)rt_s_base();
    uint64_t n = s[0] ? s[0] : 1000;
    uint64_t *state = rt_alloc(25 * sizeof(uint64_t));
    init_round_constants();
    for (uint64_t i = 0; i < n; i++) keccak_f(state);
    memcpy(s + 1, state, 25 * sizeof(uint64_t));
    return 0;
}
