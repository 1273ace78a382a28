/* hello: the smallest useful AB program. Writes a greeting (rodata) through the debug ECALL,
 * counts with a .data and a .bss variable, stores a summary into S, and yields 42. */
#include "rt.h"

static const char greeting[] = "hello from machine AB\n";
static uint64_t counter = 7;   /* .data: copied from ROM by crt0 */
static uint64_t scratch[4];    /* .bss: zero at Q* */

int main(void) {
    rt_debug(greeting, sizeof greeting - 1);
    for (unsigned i = 0; i < 4; i++) {
        scratch[i] = counter * (i + 1);
        counter += scratch[i];
    }
    uint64_t *s = (uint64_t *)rt_s_base();
    s[0] = counter;
    s[1] = scratch[3];
    uint64_t *heap = rt_alloc(64);
    heap[7] = s[0] ^ s[1];
    s[2] = heap[7];
    return 42;
}
