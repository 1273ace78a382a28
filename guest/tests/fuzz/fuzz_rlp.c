/* libFuzzer target (host only): RLP decoding never crashes, and whatever rlp_validate accepts
 * is canonical — re-encoding the decoded tree gives back exactly the input. The typed getters
 * run on the top item too. */
#include "rlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reencode(const rlp_item *it, buf_t *out) {
    if (!it->is_list) {
        rlp_put_bytes(out, it->payload.ptr, it->payload.len);
        return;
    }
    size_t mark = rlp_list_begin(out);
    rlp_iter iter;
    rlp_item child;
    RT_ASSERT(rlp_iter_init(&iter, it) == RLP_OK);
    while (!rlp_iter_done(&iter)) {
        RT_ASSERT(rlp_iter_next(&iter, &child) == RLP_OK);
        reencode(&child, out);
    }
    rlp_list_end(out, mark);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t heap = rt_heap_mark();
    span_t in = span_make(data, size);
    rlp_item top;
    if (rlp_validate(in) == RLP_OK) {
        RT_ASSERT(rlp_decode(in, &top) == RLP_OK);
        buf_t out;
        buf_init(&out, size);
        reencode(&top, &out);
        RT_ASSERT(out.len == size && memcmp(out.ptr, data, size) == 0);
    }
    if (rlp_decode_prefix(in, &top, NULL) == RLP_OK) {
        uint8_t word[32], fixed[20];
        uint64_t v;
        size_t n;
        span_t b;
        rlp_item items[4];
        (void)rlp_get_u64(&top, &v);
        (void)rlp_get_uint_be32(&top, 32, word);
        (void)rlp_get_fixed(&top, fixed, 20);
        (void)rlp_get_bytes(&top, &b);
        (void)rlp_list_count(&top, &n);
        (void)rlp_list_exact(&top, items, 4);
    }
    rt_heap_release(heap);
    return 0;
}
