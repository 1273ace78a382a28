/* Start-up code of every AB image: stack, .data copied from ROM to RAM, main(), yield.
 *
 * The machine starts every window from Q* (docs/spec.md §2.3): registers 0, pc = _start,
 * RAM all zero. .bss therefore needs no zeroing; .data is copied from its ROM load address.
 * If main returns, its return value is the yield code.
 */
    .option norelax
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    la      sp, __stack_top
    la      t0, __data_load
    la      t1, __data_start
    la      t2, __data_end
1:  bgeu    t1, t2, 2f
    ld      t3, 0(t0)
    sd      t3, 0(t1)
    addi    t0, t0, 8
    addi    t1, t1, 8
    j       1b
2:  call    main
    li      a7, 93
    ecall
3:  j       3b
    .size _start, . - _start
