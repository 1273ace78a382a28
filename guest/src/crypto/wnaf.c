/* Width-w non-adjacent form of scalars (see wnaf.h). */
#include "wnaf.h"

int wnaf(int8_t digits[WNAF_MAX_DIGITS], const fe256 *k, int w) {
    uint64_t v[5] = {k->w[0], k->w[1], k->w[2], k->w[3], 0};
    int len = 0;
    const uint64_t mask = ((uint64_t)1 << w) - 1;
    while (v[0] | v[1] | v[2] | v[3] | v[4]) {
        int d = 0;
        if (v[0] & 1) {
            d = (int)(v[0] & mask);
            if (d >= (1 << (w - 1))) d -= 1 << w;
            /* v -= d: clear the low bits (d > 0) or carry a positive adjustment in (d < 0) */
            if (d > 0) {
                v[0] -= (uint64_t)d;
            } else {
                uint64_t add = (uint64_t)(-d);
                for (int i = 0; i < 5 && add; i++) {
                    v[i] += add;
                    add = v[i] < add;
                }
            }
        }
        digits[len++] = (int8_t)d;
        for (int i = 0; i < 4; i++) v[i] = (v[i] >> 1) | (v[i + 1] << 63);
        v[4] >>= 1;
    }
    return len;
}

