/* The machine services of rt.h on RV64: ECALLs per docs/spec.md §2.4, and the S window bounds. */
#include "abi.h"
#include "rt.h"

static inline uint64_t ecall3(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2) {
    register uint64_t r_a0 __asm__("a0") = a0;
    register uint64_t r_a1 __asm__("a1") = a1;
    register uint64_t r_a2 __asm__("a2") = a2;
    register uint64_t r_a7 __asm__("a7") = number;
    __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
    return r_a0;
}

uint64_t rt_preimage_read(const uint8_t key[32], uint64_t offset, uint8_t *dst, uint64_t max, uint64_t *len) {
    register uint64_t r_a0 __asm__("a0") = (uint64_t)(uintptr_t)key;
    register uint64_t r_a1 __asm__("a1") = offset;
    register uint64_t r_a2 __asm__("a2") = (uint64_t)(uintptr_t)dst;
    register uint64_t r_a3 __asm__("a3") = max;
    register uint64_t r_a7 __asm__("a7") = SWAPVM_ECALL_PREIMAGE;
    __asm__ volatile("ecall" : "+r"(r_a0), "+r"(r_a1) : "r"(r_a2), "r"(r_a3), "r"(r_a7) : "memory");
    *len = r_a1;
    return r_a0;
}

_Noreturn void rt_abort(uint64_t code) {
    for (;;) ecall3(SWAPVM_ECALL_ABORT, code, 0, 0);
}

_Noreturn void rt_yield(uint64_t code) {
    for (;;) ecall3(SWAPVM_ECALL_YIELD, code, 0, 0);
}

void rt_debug(const char *buf, size_t len) {
    ecall3(SWAPVM_ECALL_WRITE, SWAPVM_FD_DEBUG, (uint64_t)(uintptr_t)buf, (uint64_t)len);
}

void rt_hint(const void *buf, size_t len) {
    ecall3(SWAPVM_ECALL_WRITE, SWAPVM_FD_HINT, (uint64_t)(uintptr_t)buf, (uint64_t)len);
}

uint8_t *rt_s_base(void) { return (uint8_t *)(uintptr_t)SWAPVM_S_BASE; }

size_t rt_s_size(void) { return (size_t)SWAPVM_S_SIZE; }
