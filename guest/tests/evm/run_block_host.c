/* Native block executor for tests (host only, libc): `run_block_host IN OUT [PREIMAGES]` loads the
 * S image IN into the S window, runs one guest step (evm_window_step) and writes the image left in
 * the window (16 + L bytes) to OUT. PREIMAGES (S version 2) is the oracle: records of a 4-byte
 * little-endian length and that many bytes, each stored under its keccak256. Exit code: the
 * EVM_STEP_* result; 100+ on rt_abort; 90 on a missing preimage. The image is written at exit, so
 * a step that yields from inside (a block refused for its live bytes, live.c) leaves it too. */
#include <stdio.h>
#include <stdlib.h>

#include "evm.h"
#include "keccak.h"
#include "../../host/preimages_host.h"

static const char *g_out;

static void write_out(void) {
    uint8_t *win = rt_s_base();
    size_t size = rt_s_size(), len = 16 + (size_t)load_le64(win + 8);
    if (len > size) len = size;
    FILE *out = fopen(g_out, "wb");
    if (!out || fwrite(win, 1, len, out) != len || fclose(out) != 0) _Exit(67);
}

/* Fill the host's oracle from a file of length-prefixed preimages; false if it is malformed. */
static bool load_preimages(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    uint8_t len_le[4], key[32];
    bool ok = true;
    while (ok && fread(len_le, 1, 4, f) == 4) {
        size_t len = (size_t)len_le[0] | (size_t)len_le[1] << 8 | (size_t)len_le[2] << 16 | (size_t)len_le[3] << 24;
        uint8_t *data = malloc(len ? len : 1);
        ok = data != NULL && fread(data, 1, len, f) == len;
        if (ok) {
            keccak256(data, len, key);
            preimages_host_put(key, data, len);
        }
        free(data);
    }
    return fclose(f) == 0 && ok;
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: run_block_host IN OUT [PREIMAGES]\n");
        return 64;
    }
    if (argc == 4 && !load_preimages(argv[3])) return 68;
    uint8_t *win = rt_s_base();
    size_t size = rt_s_size();
    FILE *in = fopen(argv[1], "rb");
    if (!in) return 65;
    size_t n = fread(win, 1, size, in);
    int more = fgetc(in);
    fclose(in);
    if (more != EOF) return 66; /* the image does not fit the window */
    (void)n;
    g_out = argv[2];
    atexit(write_out);
    return (int)evm_window_step(win, size);
}
