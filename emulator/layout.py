"""The fixed layout of machine AB: memory map, shadow page offsets, status and fault codes.

Everything here is normative and mirrored in docs/spec.md §2; the guest's
`guest/include/abi.h` repeats the parts the guest needs.
"""

from __future__ import annotations

# --- the address space and its tree ---------------------------------------------------------
ADDRESS_BITS = 32                 # the machine is one 2^32-byte space
LEAF_BYTES = 32                   # a leaf is 32 raw bytes
LEAF_BITS = 5
TREE_HEIGHT = ADDRESS_BITS - LEAF_BITS    # 27 levels of inner nodes above the leaves
PAGE_BYTES = 4096                 # a page is a depth-7 subtree (128 leaves)
PAGE_BITS = 12
PAGE_HEIGHT = PAGE_BITS - LEAF_BITS       # 7

# --- windows (aligned 1 GiB subtrees, height 25 in leaves) ---------------------------------
WINDOW_BITS = 30
WINDOW_HEIGHT = WINDOW_BITS - LEAF_BITS   # 25
Q_BASE = 0x0000_0000
S_BASE = 0x4000_0000
ROM_BASE = 0x8000_0000
TOP_BASE = 0xC000_0000            # nothing: every access faults

SHADOW_BASE = 0x0000_0000         # the shadow page: registers and machine fields
RAM_BASE = 0x2000_0000            # scratch RAM inside Q

DEFAULT_RAM_SIZE = 512 << 20         # the most the RAM window allows (spec §2.8, §4.9)
DEFAULT_S_SIZE = 64 << 20
DEFAULT_LOG2_WINDOW = 32

# --- shadow page offsets (each field is a little-endian u64) -------------------------------
SHADOW_X = 0x000                  # x0..x31 at 0x000 + 8*i
SHADOW_PC = 0x100
SHADOW_CLOCK = 0x108
SHADOW_STATUS = 0x110
SHADOW_CAUSE = 0x118
SHADOW_TVAL = 0x120
SHADOW_LOG2_WINDOW = 0x128
SHADOW_TEXT_START = 0x130
SHADOW_TEXT_END = 0x138
SHADOW_ROM_END = 0x140
SHADOW_RAM_SIZE = 0x148
SHADOW_S_SIZE = 0x150

# --- status --------------------------------------------------------------------------------
STATUS_RUNNING = 0
STATUS_YIELDED = 1
STATUS_FAULTED = 2
STATUS_NAMES = {STATUS_RUNNING: "running", STATUS_YIELDED: "yielded", STATUS_FAULTED: "faulted"}

# --- fault causes (tval in brackets) -------------------------------------------------------
CAUSE_NONE = 0
CAUSE_MISALIGNED_TARGET = 1       # jump/branch target not 4-aligned [target]
CAUSE_FETCH = 2                   # fetch outside the text segments [pc]
CAUSE_ILLEGAL = 3                 # illegal or unsupported instruction [instruction word]
CAUSE_BREAKPOINT = 4              # EBREAK [pc]
CAUSE_LOAD = 5                    # load outside the readable regions [address]
CAUSE_STORE = 6                   # store outside the writable regions [address]
CAUSE_ECALL = 7                   # unknown ECALL number [a7]
CAUSE_ABORT = 8                   # guest abort call [a0]
CAUSE_NAMES = {
    CAUSE_NONE: "none",
    CAUSE_MISALIGNED_TARGET: "misaligned-target",
    CAUSE_FETCH: "fetch-fault",
    CAUSE_ILLEGAL: "illegal-instruction",
    CAUSE_BREAKPOINT: "breakpoint",
    CAUSE_LOAD: "load-fault",
    CAUSE_STORE: "store-fault",
    CAUSE_ECALL: "unknown-ecall",
    CAUSE_ABORT: "guest-abort",
}

# --- ECALL numbers (in a7) -----------------------------------------------------------------
ECALL_WRITE = 64                  # write(fd=a0, buf=a1, len=a2): debug output, no state effect
ECALL_YIELD = 93                  # exit/yield: status := YIELDED, a0 is the exit code
ECALL_ABORT = 1000                # guest-detected internal error: FAULTED, cause ABORT, tval a0
ECALL_PREIMAGE = 1001             # preimage_read(key at a0, offset a1, dst a2, max a3): a0 = n, a1 = length

# --- file descriptors of ECALL_WRITE (a0; spec §2.4): outside the step, no state effect --------
FD_DEBUG = 2                      # text for a person (rt_debug)
FD_HINT = 3                       # one preimage the guest created (rt_hint), kept under its own keccak256
