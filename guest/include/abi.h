/* The machine AB ABI as the guest sees it: memory map, ECALL numbers, abort codes.
 *
 * Mirrors emulator/layout.py and docs/spec.md §2-§3; a test checks that the two agree.
 * The build constants SWAPVM_RAM_SIZE and SWAPVM_S_SIZE may be overridden with -D by the
 * toolchain driver (toolchain/build.py); the image exports them so the loader can refuse a
 * machine whose regions are smaller.
 */
#ifndef SWAPVM_ABI_H
#define SWAPVM_ABI_H

#define SWAPVM_RAM_BASE 0x20000000u
#define SWAPVM_S_BASE 0x40000000u
#define SWAPVM_ROM_BASE 0x80000000u

#ifndef SWAPVM_RAM_SIZE
#define SWAPVM_RAM_SIZE (64u << 20) /* RAM the image uses: .data, .bss, heap, stack */
#endif
#ifndef SWAPVM_S_SIZE
#define SWAPVM_S_SIZE (64u << 20) /* accessible bytes of the S window the image assumes */
#endif
#ifndef SWAPVM_STACK_SIZE
#define SWAPVM_STACK_SIZE (1u << 20) /* top of RAM reserved for the stack; the heap stops below */
#endif

/* ECALL numbers (in a7), docs/spec.md §2.4. */
#define SWAPVM_ECALL_WRITE 64    /* write(fd = a0, buf = a1, len = a2): debug output, pc += 4 */
#define SWAPVM_ECALL_YIELD 93    /* YIELDED; a0 is the exit code */
#define SWAPVM_ECALL_ABORT 1000  /* FAULTED with cause guest-abort, tval = a0 */
#define SWAPVM_ECALL_PREIMAGE 1001 /* preimage_read(key = a0, offset = a1, dst = a2, max = a3):
                                        * a0 = bytes written (never past the 32-byte leaf at dst),
                                        * a1 = the preimage's length, pc += 4; a missing key stops the host */

/* File descriptors of ECALL 64 (write), docs/spec.md §2.4: neither changes any state. */
#define SWAPVM_FD_DEBUG 2        /* text for a person (rt_debug) */
#define SWAPVM_FD_HINT 3         /* one preimage the guest created (rt_hint): the host may keep it under its keccak256 */

#endif
