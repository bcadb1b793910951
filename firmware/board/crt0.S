/* Reset entry: the boot ROM (rainier-vp's or QEMU's) jumps here in M-mode with a0 = hart id and
 * a1 = device-tree address. */
#include "board/trap.h"

    .section .text.init.enter, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    /* Only hart 0 runs the image; any other hart parks. */
    bnez    a0, .Lpark
    la      sp, __stack_top
    la      tp, __tls_base

    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  la      t0, __tbss_start
    la      t1, __tbss_end
3:  bgeu    t0, t1, 4f
    sb      zero, 0(t0)
    addi    t0, t0, 1
    j       3b
4:
    /* After .bss is clear, so these survive. */
    la      t0, board_boot_hartid
    sd      a0, 0(t0)
    la      t0, board_boot_dtb
    sd      a1, 0(t0)

    /* Traps from here on get a crash report; the trap stack is separate from the main one. */
    la      t0, trap_entry
    csrw    mtvec, t0
    la      t0, __trap_stack_top
    csrw    mscratch, t0

    /* Start from known register values so crash reports are reproducible on any platform. */
    li      x1, 0
    li      x5, 0
    li      x6, 0
    li      x7, 0
    li      x8, 0
    li      x9, 0
    li      x10, 0
    li      x11, 0
    li      x12, 0
    li      x13, 0
    li      x14, 0
    li      x15, 0
    li      x16, 0
    li      x17, 0
    li      x18, 0
    li      x19, 0
    li      x20, 0
    li      x21, 0
    li      x22, 0
    li      x23, 0
    li      x24, 0
    li      x25, 0
    li      x26, 0
    li      x27, 0
    li      x28, 0
    li      x29, 0
    li      x30, 0
    li      x31, 0

    call    board_init
    call    __libc_init_array
    li      a0, 0
    li      a1, 0
    call    main
    call    exit
.Lpark:
    wfi
    j       .Lpark
