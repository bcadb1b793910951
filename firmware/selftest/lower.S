/* Helpers for the MMU and PMP self-tests (see lower.h): a run in S- or U-mode that ends at the
 * first trap, the small routines run there, and M-mode accesses under MPRV. */
#include "board/riscv.h"

    .text
    /* uint64_t lower_run(uint64_t mode, uintptr_t pc, uint64_t a0, uint64_t a1, uint64_t a2)
     * mret to pc in `mode` with a0..a2; the M-mode handler resumes at lower_return. */
    .globl lower_run
lower_run:
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
    lla     t0, lower_saved_sp
    sd      sp, 0(t0)
    csrw    mepc, a1
    li      t0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MPRV
    csrc    mstatus, t0
    slli    a0, a0, MSTATUS_MPP_SHIFT
    csrs    mstatus, a0
    mv      a0, a2
    mv      a1, a3
    mv      a2, a4
    mret

    .globl lower_return
lower_return:
    lla     t0, lower_saved_sp
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

    /* uint64_t mprv_ld(uint64_t addr, uint64_t mpp); void mprv_sd(addr, value, mpp).
     * Nothing but the access itself runs with MPRV set: the stack may not be mapped. */
    .globl mprv_ld
mprv_ld:
    li      t0, MSTATUS_MPP
    csrc    mstatus, t0
    slli    a1, a1, MSTATUS_MPP_SHIFT
    csrs    mstatus, a1
    li      t0, MSTATUS_MPRV
    csrs    mstatus, t0
    .option push
    .option norvc
    ld      a0, 0(a0)
    .option pop
    csrc    mstatus, t0
    ret

    .globl mprv_sd
mprv_sd:
    li      t0, MSTATUS_MPP
    csrc    mstatus, t0
    slli    a2, a2, MSTATUS_MPP_SHIFT
    csrs    mstatus, a2
    li      t0, MSTATUS_MPRV
    csrs    mstatus, t0
    .option push
    .option norvc
    sd      a1, 0(a0)
    .option pop
    csrc    mstatus, t0
    ret

    /* Lower-mode routines: position independent, no stack, uncompressed. (Aligned before
     * norvc: with only 4-byte nops the linker could not pad an alignment inside.) */
    .balign 4
    .option push
    .option norvc
    .globl lower_ld
lower_ld:
    ld      a0, 0(a0)
    ecall

    .globl lower_lw
lower_lw:
    lw      a0, 0(a0)
    ecall

    .globl lower_sd
lower_sd:
    sd      a1, 0(a0)
    ecall

    .globl lower_sw
lower_sw:
    sw      a1, 0(a0)
    ecall

    .globl lower_amoadd
lower_amoadd:
    amoadd.d a0, a1, (a0)
    ecall

    .globl lower_remap
lower_remap:
    ld      t0, 0(a0)
    sd      a2, 0(a1)
    sfence.vma zero, zero
    ld      a1, 0(a0)
    mv      a0, t0
    ecall

    .globl lower_remap_va
lower_remap_va:
    ld      t0, 0(a0)
    sd      a2, 0(a1)
    sfence.vma a0, zero
    ld      a1, 0(a0)
    mv      a0, t0
    ecall

    .globl lower_ld_sd
lower_ld_sd:
    ld      t0, 0(a0)
    sd      a1, 0(a0)
    mv      a0, t0
    ecall

    /* Load with sstatus.SUM set, clear it, load again (the second should fault). */
    .globl lower_sum_toggle
lower_sum_toggle:
    li      t0, MSTATUS_SUM
    csrs    sstatus, t0
    ld      a1, 0(a0)
    csrc    sstatus, t0
    ld      a0, 0(a0)
    ecall

    /* The same with MXR. */
    .globl lower_mxr_toggle
lower_mxr_toggle:
    li      t0, MSTATUS_MXR
    csrs    sstatus, t0
    ld      a1, 0(a0)
    csrc    sstatus, t0
    ld      a0, 0(a0)
    ecall

    .globl lower_csrr_satp
lower_csrr_satp:
    csrr    a0, satp
    ecall

    .globl lower_csrw_satp
lower_csrw_satp:
    csrw    satp, a0
    ecall

    .globl lower_sfence
lower_sfence:
    sfence.vma zero, zero
    ecall

    .globl lower_s_vector
lower_s_vector:
    csrr    a0, scause
    csrr    a1, stval
    csrr    a2, sepc
    ecall
    .option pop

    /* Pages of their own, so that mappings and PMP entries can treat them alone. The first
     * ends with the first half of a 4-byte instruction (addi x0, x0, 0), for fetches that
     * cross into the next page; the rest is zero (illegal instructions). */
    .section .text.lower_code_page, "ax"
    .option push
    .option norvc
    .option norelax /* else .balign reserves its worst-case padding, and .org sees it */
    .balign 4096
    .globl lower_code_page
lower_code_page:
    li      a0, 0x5a5
    ecall
    .org    4094
    .2byte  0x0013
    .globl lower_code_page2
lower_code_page2:
    li      a0, 0x6b6
    ecall
    .option pop
    .balign 4096

    .bss
    .balign 8
lower_saved_sp:
    .dword  0
