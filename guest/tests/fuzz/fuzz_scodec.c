/* libFuzzer target (host only): the S codec never crashes on any image, and whatever it
 * accepts is canonical — s_encode gives back exactly the image up to the payload's end (the
 * padding after it is not read, spec §4.1) — and its world state can be hashed. */
#include "scodec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t heap = rt_heap_mark();
    s_state s;
    if (s_decode(data, size, &s) == S_OK) {
        buf_t out;
        buf_init(&out, size);
        s_encode(&s, &out);
        RT_ASSERT(out.len <= size && memcmp(out.ptr, data, out.len) == 0);
        uint8_t root[32];
        s_world_root(s.accounts, s.n_accounts, root);
    }
    rt_heap_release(heap);
    return 0;
}
