/* oracle_read (oracle.h): whole preimages in aligned 32-byte pieces, checked by keccak256. */
#include "oracle.h"

#include "keccak.h"

oracle_stats_t oracle_stats;

span_t oracle_read(const uint8_t key[32]) {
    uint8_t want[32];
    memcpy(want, key, 32); /* the key may sit in memory the reads below overwrite */
    uint8_t head_space[64];
    uint8_t *head = head_space + (32u - (uintptr_t)head_space % 32u) % 32u; /* one whole leaf */
    uint64_t len = 0;
    uint64_t got = rt_preimage_read(want, 0, head, 32, &len);
    oracle_stats.calls++;
    if ((size_t)len != len || len > SIZE_MAX - 64) rt_abort(RT_ABORT_OOM);
    uint8_t *block = (uint8_t *)rt_alloc_uninit((size_t)len + 32); /* written whole below */
    uint8_t *out = block + (32u - (uintptr_t)block % 32u) % 32u; /* 32-aligned: whole pieces */
    memcpy(out, head, (size_t)got);
    for (uint64_t off = got; off < len;) {
        uint64_t again = 0;
        uint64_t n = rt_preimage_read(want, off, out + off, len - off, &again);
        oracle_stats.calls++;
        RT_ASSERT(again == len && n > 0 && n <= len - off); /* the oracle is a fixed function */
        off += n;
    }
    uint8_t h[32];
    keccak256(out, (size_t)len, h);
    if (memcmp(h, want, 32) != 0) rt_abort(RT_ABORT_PREIMAGE);
    oracle_stats.reads++;
    oracle_stats.bytes += len;
    return span_make(out, (size_t)len);
}
