/* The guest's entry: apply the next inbox block of the S window and yield (docs/spec.md §4.5).
 * The yield code is EVM_STEP_* (0 applied, 1 idle, 2 no valid S, 3 fork not implemented):
 * informative, the result is the window's content. */
#include "evm.h"

int main(void) {
    rt_yield(evm_window_step(rt_s_base(), rt_s_size()));
}
