/* A main for libFuzzer targets where libFuzzer is missing (no clang): feeds the target
 * `runs` pseudo-random inputs (xorshift64*, from `seed`) of 0 to `max_len` bytes, or the files
 * named on the command line. Not coverage-guided: a fixed random sample, under the sanitizers
 * the target was built with. Usage: random_main [runs seed max_len] | random_main -f FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t state;

static uint64_t rand64(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "-f") == 0) {
        for (int i = 2; i < argc; i++) {
            FILE *f = fopen(argv[i], "rb");
            if (f == NULL) return 2;
            static uint8_t buf[1 << 20];
            size_t n = fread(buf, 1, sizeof buf, f);
            fclose(f);
            LLVMFuzzerTestOneInput(buf, n);
        }
        return 0;
    }
    unsigned long runs = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
    state = argc > 2 ? strtoull(argv[2], NULL, 10) * 2 + 1 : 1;
    size_t max_len = argc > 3 ? strtoul(argv[3], NULL, 10) : 512;
    uint8_t *buf = malloc(max_len ? max_len : 1);
    if (buf == NULL) return 2;
    for (unsigned long r = 0; r < runs; r++) {
        size_t n = (size_t)(rand64() % (max_len + 1));
        for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)(rand64() >> 56);
        LLVMFuzzerTestOneInput(buf, n);
    }
    free(buf);
    printf("%lu inputs\n", runs);
    return 0;
}
