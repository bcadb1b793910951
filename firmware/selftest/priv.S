/* Helpers for test_privilege: drop to S- or U-mode and come back, plus the small routines that
 * run in those modes and an S-mode trap vector. */
#include "board/riscv.h"

    .text
    /* uint64_t priv_run(uint64_t mode, void (*fn)(void), void* stack_top)
     * Runs fn in `mode` (mret with MPP = mode). fn ends by trapping to M-mode; the M-mode
     * handler resumes at priv_return with a0 = the result, and priv_run returns it. */
    .globl priv_run
priv_run:
    addi    sp, sp, -112
    sd      ra, 0(sp)
    sd      s0, 8(sp)
    sd      s1, 16(sp)
    sd      s2, 24(sp)
    sd      s3, 32(sp)
    sd      s4, 40(sp)
    sd      s5, 48(sp)
    sd      s6, 56(sp)
    sd      s7, 64(sp)
    sd      s8, 72(sp)
    sd      s9, 80(sp)
    sd      s10, 88(sp)
    sd      s11, 96(sp)
    lla     t0, priv_saved_sp
    sd      sp, 0(t0)
    csrw    mepc, a1
    li      t0, MSTATUS_MPP | MSTATUS_MPIE
    csrc    mstatus, t0
    slli    a0, a0, MSTATUS_MPP_SHIFT
    csrs    mstatus, a0
    mv      sp, a2
    mret

    .globl priv_return
priv_return:
    lla     t0, priv_saved_sp
    ld      sp, 0(t0)
    ld      ra, 0(sp)
    ld      s0, 8(sp)
    ld      s1, 16(sp)
    ld      s2, 24(sp)
    ld      s3, 32(sp)
    ld      s4, 40(sp)
    ld      s5, 48(sp)
    ld      s6, 56(sp)
    ld      s7, 64(sp)
    ld      s8, 72(sp)
    ld      s9, 80(sp)
    ld      s10, 88(sp)
    ld      s11, 96(sp)
    addi    sp, sp, 112
    ret

    /* Lower-mode routines. Uncompressed, so mepc/sepc offsets are known. */
    .option push
    .option norvc
    .globl lower_ecall
lower_ecall:
    ecall
1:  j       1b

    .globl lower_read_mstatus
lower_read_mstatus:
    csrr    a0, mstatus
    ecall

    .globl lower_read_sstatus
lower_read_sstatus:
    li      a0, 0
    csrr    a0, sstatus
    ecall

    .globl lower_mret
lower_mret:
    mret
    ecall

    .globl lower_sret
lower_sret:
    sret
    ecall

    .globl lower_rdcycle
lower_rdcycle:
    csrr    a0, cycle
    li      a0, 1
    ecall

    /* U-mode: an ecall delegated to S (which returns with sret), then an ebreak to M. */
    .globl lower_ecall_ebreak
lower_ecall_ebreak:
    ecall
    ebreak
1:  j       1b

    /* S-mode: an illegal instruction delegated to S (which returns), then an ecall to M. */
    .globl lower_illegal_ecall
lower_illegal_ecall:
    .4byte  0xc0001073
    ecall
1:  j       1b

    /* S-mode trap vector: records scause, sepc, stval, sstatus in s_rec, steps over the
     * trapping (4-byte) instruction and returns with sret. */
    .balign 4
    .globl s_vector
s_vector:
    lla     t0, s_rec
    csrr    t1, scause
    sd      t1, 0(t0)
    csrr    t1, sepc
    sd      t1, 8(t0)
    csrr    t1, stval
    sd      t1, 16(t0)
    csrr    t1, sstatus
    sd      t1, 24(t0)
    csrr    t1, sepc
    addi    t1, t1, 4
    csrw    sepc, t1
    sret
    .option pop

    .bss
    .balign 8
priv_saved_sp:
    .dword  0
    .globl s_rec
s_rec:
    .dword  0, 0, 0, 0
