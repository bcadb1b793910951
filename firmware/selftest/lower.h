/* Single accesses in S- or U-mode, for the MMU and PMP self-tests: lower_call() drops to the
 * mode at `pc` with a0..a2 set; the routine there ends with an ecall or a trap, which M-mode
 * records and turns into lower_call()'s return. Medeleg must be 0, except for traps an S-mode
 * vector handles itself. */
#ifndef SELFTEST_LOWER_H
#define SELFTEST_LOWER_H

#include <stdint.h>

struct lower_result {
    uint64_t cause, epc, tval; /* mcause, mepc, mtval of the trap that ended the run */
    uint64_t a0, a1, a2;       /* the lower mode's registers at that trap */
    uint64_t prev;             /* the mode the trap came from */
};

/* Checks (check.h) on a lower_result: a run that ended in its own ecall, with a0 = want. */
#define CHECK_S_OK(what, r, want)                                                                  \
    do {                                                                                           \
        struct lower_result r_ = (r);                                                              \
        CHECK_EQ(what ": no fault", r_.cause, CAUSE_SUPERVISOR_ECALL);                             \
        CHECK_EQ(what ": value", r_.a0, (want));                                                   \
    } while (0)
#define CHECK_U_OK(what, r, want)                                                                  \
    do {                                                                                           \
        struct lower_result r_ = (r);                                                              \
        CHECK_EQ(what ": no fault", r_.cause, CAUSE_USER_ECALL);                                   \
        CHECK_EQ(what ": value", r_.a0, (want));                                                   \
    } while (0)
/* A run that ended in a trap with this cause and mtval. */
#define CHECK_FAULT(what, r, want_cause, want_tval)                                                \
    do {                                                                                           \
        struct lower_result r_ = (r);                                                              \
        CHECK_EQ(what ": cause", r_.cause, (want_cause));                                          \
        CHECK_EQ(what ": tval", r_.tval, (want_tval));                                             \
    } while (0)

/* Registers the M-mode handler for every exception cause from S/U. */
void lower_init(void);
struct lower_result lower_call(uint64_t mode, uintptr_t pc, uint64_t a0, uint64_t a1, uint64_t a2);

/* Lower-mode routines (uncompressed, each ends with an ecall; a0 is the result). */
void lower_ld(void);         /* a0 = *(uint64_t*)a0 */
void lower_lw(void);         /* a0 = *(int32_t*)a0 */
void lower_sd(void);         /* *(uint64_t*)a0 = a1 */
void lower_sw(void);         /* *(uint32_t*)a0 = a1 */
void lower_amoadd(void);     /* a0 = amoadd.d a1 to (a0) */
void lower_ld_sd(void);      /* a0 = *a0, then *(uint64_t*)a0 = a1 */
void lower_sum_toggle(void); /* SUM=1: a1 = *a0; SUM=0: a0 = *a0 */
void lower_mxr_toggle(void); /* MXR=1: a1 = *a0; MXR=0: a0 = *a0 */
void lower_remap(void);      /* a0 = *a0; *(uint64_t*)a1 = a2; sfence.vma; a1 = *a0 */
void lower_remap_va(void);   /* the same with sfence.vma a0, zero */
void lower_csrr_satp(void);  /* a0 = satp */
void lower_csrw_satp(void);  /* satp = a0 */
void lower_sfence(void);     /* sfence.vma */
/* S-mode trap vector: ends the run with an ecall, a0 = scause, a1 = stval, a2 = sepc. */
void lower_s_vector(void);
/* Two pages of code: "li a0, LOWER_CODE_MAGIC(2); ecall" at their start. The first ends with
 * the first half of a 4-byte instruction. */
extern char lower_code_page[], lower_code_page2[];
#define LOWER_CODE_MAGIC 0x5a5
#define LOWER_CODE_MAGIC2 0x6b6

/* M-mode loads and stores with mstatus.MPRV = 1 and MPP = `mpp`, undone afterwards. A fault
 * (caught with trap_expect) leaves a0 = addr. */
uint64_t mprv_ld(uint64_t addr, uint64_t mpp);
void mprv_sd(uint64_t addr, uint64_t value, uint64_t mpp);

#endif
