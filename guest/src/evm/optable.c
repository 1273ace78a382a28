/* The opcode tables: for each fork, every opcode's static gas, the stack heights it may run at, and
 * its variant, built from the opcode lists of opcodes.h. Dynamic gas (memory, copies, access lists,
 * calls) is charged by the opcode's function (interp.c). Each fork's table is the previous fork's
 * lists plus its own: Cancun = Shanghai + EVM_OPS_CANCUN_NEW + EVM_OPS_CANCUN_CHANGED.
 */
#include "opcodes.h"

/* min1 = inputs + 1 and range = 1024 - outputs, so that the loop's single unsigned compare
 * (sp + 1 - min1 > range) rejects underflow, overflow and (all-zero entries) undefined opcodes. */
#define ENTRY(name, code, g, in, out, fn, arg) [code] = {(g), (in) + 1, EVM_STACK_LIMIT - (out), 0},
/* A later fork's change overrides the entry its predecessor's list made (same byte, same stack). */
#define CHANGE(name, v) [OP_##name].variant = (v),

/* Shanghai (yellow paper appendices G and H with EIPs 150, 1884, 2929, 3198, 3529, 3855). Opcodes
 * whose cost depends on warm/cold access have static gas 0 here and charge it themselves. */
static const opinfo_t SHANGHAI[256] = {EVM_OPS_SHANGHAI(ENTRY)};

/* The changes below override fields of earlier designated initializers, on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const opinfo_t CANCUN[256] = {EVM_OPS_SHANGHAI(ENTRY) EVM_OPS_CANCUN_NEW(ENTRY) EVM_OPS_CANCUN_CHANGED(CHANGE)};
#pragma GCC diagnostic pop

const opinfo_t *optable_for(uint64_t fork) {
    return fork >= S_FORK_CANCUN ? CANCUN : SHANGHAI; /* Prague adds its table here */
}
