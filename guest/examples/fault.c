/* fault: one way to stop abnormally per mode (the u64 at S[0]), for the engines' differential
 * tests. Every mode first does a little work (a debug write, some stores) so that the fault
 * happens mid-run with dirty pages. Unknown modes yield 7. */
#include "rt.h"

typedef void (*fn_t)(void);

static volatile uint64_t sink;
static const uint32_t not_code[2] = {0x00000013u, 0x00000013u}; /* nops, but in rodata */

static void target(void) { sink += 1; }

int main(void) {
    volatile uint64_t *s = (volatile uint64_t *)rt_s_base();
    uint64_t mode = s[0];
    rt_debug("fault\n", 6);
    for (unsigned i = 0; i < 16; i++) s[64 + i] = i * mode;
    volatile uint8_t *p;
    switch (mode) {
    case 0: /* store into ROM (text): store-fault */
        p = (volatile uint8_t *)(uintptr_t)0x80000000u;
        *p = 1;
        break;
    case 1: /* load from the shadow page: load-fault */
        p = (volatile uint8_t *)(uintptr_t)0x100u;
        sink = *p;
        break;
    case 2: { /* jump to a target that is not 4-aligned: misaligned-target */
        uintptr_t bad = (uintptr_t)&target + 2u + (uintptr_t)s[1];
        ((fn_t)bad)();
        break;
    }
    case 3: /* the guest-abort call */
        rt_abort(0xdead);
    case 4: /* EBREAK: breakpoint */
        __asm__ volatile("ebreak");
        break;
    case 5: { /* an ECALL number nobody knows: unknown-ecall */
        register uint64_t a7 __asm__("a7") = 4242;
        __asm__ volatile("ecall" : : "r"(a7));
        break;
    }
    case 6: /* store that straddles the end of S: store-fault, nothing written */
        p = rt_s_base() + rt_s_size() - 4u;
        *(volatile uint64_t *)p = 0x1122334455667788ull;
        break;
    case 7: /* jump into read-only data: fetch-fault */
        ((fn_t)(uintptr_t)not_code)();
        break;
    default:
        return 7;
    }
    target();
    return 0;
}
