/* Machine-mode trap entry (mtvec, direct mode): saves every register in a struct trap_frame on
 * the trap stack and calls trap_dispatch(frame). mscratch holds the top of the free trap stack,
 * so a trap taken from any mode, with any sp, gets a valid stack, and nested traps stack up. */
#include "board/trap.h"

    .section .text.trap_entry, "ax"
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw   sp, mscratch, sp
    addi    sp, sp, -TRAP_FRAME_SIZE
    sd      x1, TRAP_FRAME_X(1)(sp)
    sd      x3, TRAP_FRAME_X(3)(sp)
    sd      x4, TRAP_FRAME_X(4)(sp)
    sd      x5, TRAP_FRAME_X(5)(sp)
    sd      x6, TRAP_FRAME_X(6)(sp)
    sd      x7, TRAP_FRAME_X(7)(sp)
    sd      x8, TRAP_FRAME_X(8)(sp)
    sd      x9, TRAP_FRAME_X(9)(sp)
    sd      x10, TRAP_FRAME_X(10)(sp)
    sd      x11, TRAP_FRAME_X(11)(sp)
    sd      x12, TRAP_FRAME_X(12)(sp)
    sd      x13, TRAP_FRAME_X(13)(sp)
    sd      x14, TRAP_FRAME_X(14)(sp)
    sd      x15, TRAP_FRAME_X(15)(sp)
    sd      x16, TRAP_FRAME_X(16)(sp)
    sd      x17, TRAP_FRAME_X(17)(sp)
    sd      x18, TRAP_FRAME_X(18)(sp)
    sd      x19, TRAP_FRAME_X(19)(sp)
    sd      x20, TRAP_FRAME_X(20)(sp)
    sd      x21, TRAP_FRAME_X(21)(sp)
    sd      x22, TRAP_FRAME_X(22)(sp)
    sd      x23, TRAP_FRAME_X(23)(sp)
    sd      x24, TRAP_FRAME_X(24)(sp)
    sd      x25, TRAP_FRAME_X(25)(sp)
    sd      x26, TRAP_FRAME_X(26)(sp)
    sd      x27, TRAP_FRAME_X(27)(sp)
    sd      x28, TRAP_FRAME_X(28)(sp)
    sd      x29, TRAP_FRAME_X(29)(sp)
    sd      x30, TRAP_FRAME_X(30)(sp)
    sd      x31, TRAP_FRAME_X(31)(sp)
    csrr    t0, mscratch
    sd      t0, TRAP_FRAME_X(2)(sp)
    csrw    mscratch, sp
    csrr    t0, mepc
    sd      t0, TRAP_FRAME_MEPC(sp)
    csrr    t0, mstatus
    sd      t0, TRAP_FRAME_MSTATUS(sp)
    csrr    t0, mcause
    sd      t0, TRAP_FRAME_MCAUSE(sp)
    csrr    t0, mtval
    sd      t0, TRAP_FRAME_MTVAL(sp)

    /* The interrupted code may have had anything in gp/tp (lower modes, a crash). */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      tp, __tls_base
    mv      a0, sp
    call    trap_dispatch

    /* The dispatcher may have changed mepc (skip an instruction) or mstatus.MPP. */
    ld      t0, TRAP_FRAME_MEPC(sp)
    csrw    mepc, t0
    ld      t0, TRAP_FRAME_MSTATUS(sp)
    csrw    mstatus, t0
    addi    t0, sp, TRAP_FRAME_SIZE
    csrw    mscratch, t0
    ld      x1, TRAP_FRAME_X(1)(sp)
    ld      x3, TRAP_FRAME_X(3)(sp)
    ld      x4, TRAP_FRAME_X(4)(sp)
    ld      x5, TRAP_FRAME_X(5)(sp)
    ld      x6, TRAP_FRAME_X(6)(sp)
    ld      x7, TRAP_FRAME_X(7)(sp)
    ld      x8, TRAP_FRAME_X(8)(sp)
    ld      x9, TRAP_FRAME_X(9)(sp)
    ld      x10, TRAP_FRAME_X(10)(sp)
    ld      x11, TRAP_FRAME_X(11)(sp)
    ld      x12, TRAP_FRAME_X(12)(sp)
    ld      x13, TRAP_FRAME_X(13)(sp)
    ld      x14, TRAP_FRAME_X(14)(sp)
    ld      x15, TRAP_FRAME_X(15)(sp)
    ld      x16, TRAP_FRAME_X(16)(sp)
    ld      x17, TRAP_FRAME_X(17)(sp)
    ld      x18, TRAP_FRAME_X(18)(sp)
    ld      x19, TRAP_FRAME_X(19)(sp)
    ld      x20, TRAP_FRAME_X(20)(sp)
    ld      x21, TRAP_FRAME_X(21)(sp)
    ld      x22, TRAP_FRAME_X(22)(sp)
    ld      x23, TRAP_FRAME_X(23)(sp)
    ld      x24, TRAP_FRAME_X(24)(sp)
    ld      x25, TRAP_FRAME_X(25)(sp)
    ld      x26, TRAP_FRAME_X(26)(sp)
    ld      x27, TRAP_FRAME_X(27)(sp)
    ld      x28, TRAP_FRAME_X(28)(sp)
    ld      x29, TRAP_FRAME_X(29)(sp)
    ld      x30, TRAP_FRAME_X(30)(sp)
    ld      x31, TRAP_FRAME_X(31)(sp)
    ld      sp, TRAP_FRAME_X(2)(sp)
    mret
