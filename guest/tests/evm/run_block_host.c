/* Native block executor for tests (host only, libc): `run_block_host IN OUT` loads the S image
 * IN into the S window, runs one guest step (evm_window_step) and writes the image left in the
 * window (16 + L bytes) to OUT. Exit code: the EVM_STEP_* result; 100+ on rt_abort. The image is
 * written at exit, so a step that yields from inside (a block refused for its live bytes, live.c)
 * leaves it too. */
#include <stdio.h>
#include <stdlib.h>

#include "evm.h"

static const char *g_out;

static void write_out(void) {
    uint8_t *win = rt_s_base();
    size_t size = rt_s_size(), len = 16 + (size_t)load_le64(win + 8);
    if (len > size) len = size;
    FILE *out = fopen(g_out, "wb");
    if (!out || fwrite(win, 1, len, out) != len || fclose(out) != 0) _Exit(67);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: run_block_host IN OUT\n");
        return 64;
    }
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
