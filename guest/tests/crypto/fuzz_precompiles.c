/* libFuzzer target (host only): no input makes a precompile or the secp256k1 recovery fault, and
 * the result contract of precompiles.h holds. Input: byte 0 selects the precompile (mod 11, so
 * address 0 is exercised too), bytes 1-3 the gas limit (at most 2^24, which keeps blake2f and
 * modexp short), the rest is the call input. A recovery of the first 97 bytes runs as well. */
#include "precompiles.h"
#include "secp256k1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    size_t heap = rt_heap_mark();
    unsigned addr = data[0] % (PRECOMPILE_LAST + 1u);
    uint64_t gas = ((uint64_t)data[1] << 16) | ((uint64_t)data[2] << 8) | data[3];
    precompile_result res;
    int st = precompile_run(addr, data + 4, size - 4, gas, &res);
    RT_ASSERT(st == PRECOMPILE_OK || st == PRECOMPILE_OOG || st == PRECOMPILE_FAIL);
    RT_ASSERT(res.gas_used <= gas);
    if (st != PRECOMPILE_OK) RT_ASSERT(res.gas_used == gas && res.out_len == 0);
    if (res.out_len) { /* the whole output is readable (ASan checks the allocation's bounds) */
        RT_ASSERT(res.out != NULL);
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < res.out_len; i++) sink ^= res.out[i];
        (void)sink;
    }
    if (size >= 97) {
        uint8_t pub[64];
        (void)secp256k1_recover(data, data + 32, data + 64, data[96] & 7u, pub);
    }
    rt_heap_release(heap);
    return 0;
}
