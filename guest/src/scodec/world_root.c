/* The state root of a world state held as s_account arrays (see scodec.h). */
#include "keccak.h"
#include "scodec.h"
#include "trie.h"

/* The storage root of one account: keys hashed, values RLP-encoded minimal integers. */
static void storage_root(const s_account *a, uint8_t out[32]) {
    size_t mark = rt_heap_mark();
    trie_pair *pairs = a->n_storage ? (trie_pair *)rt_alloc(a->n_storage * sizeof *pairs) : NULL;
    uint8_t *keys = a->n_storage ? (uint8_t *)rt_alloc(a->n_storage * 32) : NULL;
    buf_t vals;
    buf_init(&vals, a->n_storage * 34);
    /* All values first, then the spans into them (the buffer may move while it grows). */
    size_t *offs = a->n_storage ? (size_t *)rt_alloc((a->n_storage + 1) * sizeof *offs) : NULL;
    for (size_t i = 0; i < a->n_storage; i++) {
        offs[i] = vals.len;
        rlp_put_uint_be(&vals, a->storage[i].value, 32);
    }
    for (size_t i = 0; i < a->n_storage; i++) {
        keccak256(a->storage[i].key, 32, keys + 32 * i);
        size_t end = i + 1 < a->n_storage ? offs[i + 1] : vals.len;
        pairs[i].key = span_make(keys + 32 * i, 32);
        pairs[i].value = span_make(vals.ptr + offs[i], end - offs[i]);
        /* A zero slot does not exist in the trie (an empty value is dropped by trie_root). */
        if (bytes_all_zero(a->storage[i].value, 32)) pairs[i].value.len = 0;
    }
    trie_root(pairs, a->n_storage, out);
    rt_heap_release(mark);
}

/* keccak256(b"") = c5d24601…a470: the code hash of every account without code (most of them),
 * a constant instead of one keccak-f per account and block. */
const uint8_t S_EMPTY_CODE_HASH[32] = {
    0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0,
    0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70,
};

void s_world_root(const s_account *accounts, size_t n, uint8_t out[32]) {
    size_t mark = rt_heap_mark();
    trie_pair *pairs = n ? (trie_pair *)rt_alloc(n * sizeof *pairs) : NULL;
    uint8_t *keys = n ? (uint8_t *)rt_alloc(n * 32) : NULL;
    buf_t *leaves = n ? (buf_t *)rt_alloc(n * sizeof *leaves) : NULL;
    for (size_t i = 0; i < n; i++) {
        const s_account *a = &accounts[i];
        uint8_t sroot[32], code_hash[32];
        storage_root(a, sroot);
        if (a->code.len == 0) {
            memcpy(code_hash, S_EMPTY_CODE_HASH, 32);
        } else {
            keccak256(a->code.ptr, a->code.len, code_hash);
        }
        buf_init(&leaves[i], 112);
        size_t list = rlp_list_begin(&leaves[i]);
        rlp_put_u64(&leaves[i], a->nonce);
        rlp_put_uint_be(&leaves[i], a->balance, 32);
        rlp_put_bytes(&leaves[i], sroot, 32);
        rlp_put_bytes(&leaves[i], code_hash, 32);
        rlp_list_end(&leaves[i], list);
        keccak256(a->address, 20, keys + 32 * i);
        pairs[i].key = span_make(keys + 32 * i, 32);
        pairs[i].value = buf_span(&leaves[i]);
    }
    trie_root(pairs, n, out);
    rt_heap_release(mark);
}
