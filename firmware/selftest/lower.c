#include "lower.h"

#include "board/riscv.h"
#include "board/trap.h"

uint64_t lower_run(uint64_t mode, uintptr_t pc, uint64_t a0, uint64_t a1, uint64_t a2);
void lower_return(void);

static struct lower_result rec;

/* Any trap from S/U ends the run: record it and resume lower_run's caller in M-mode. */
static bool lower_trap(struct trap_frame* f) {
    uint64_t prev = (f->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    if (prev == PRV_M) return false;
    rec.cause = f->mcause;
    rec.epc = f->mepc;
    rec.tval = f->mtval;
    rec.a0 = f->x[10];
    rec.a1 = f->x[11];
    rec.a2 = f->x[12];
    rec.prev = prev;
    f->mepc = (uintptr_t)lower_return;
    f->mstatus |= MSTATUS_MPP;
    return true;
}

void lower_init(void) {
    for (unsigned c = 0; c < 16; c++)
        trap_set_exc_handler(c, lower_trap);
    csr_write(medeleg, 0);
    csr_write(mideleg, 0);
}

struct lower_result lower_call(uint64_t mode, uintptr_t pc, uint64_t a0, uint64_t a1, uint64_t a2) {
    rec.cause = rec.epc = rec.tval = rec.a0 = rec.a1 = rec.a2 = rec.prev = 99;
    lower_run(mode, pc, a0, a1, a2);
    return rec;
}
