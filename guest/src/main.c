/* The guest's entry: apply the next inbox block of the S window and yield (docs/spec.md §4.5).
 * The yield code is EVM_STEP_* (informative: the result is the window's content). */
#include "evm.h"

int main(void) {
    rt_yield(evm_window_step(rt_s_base(), rt_s_size()));
}
