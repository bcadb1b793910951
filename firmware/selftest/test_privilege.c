/* Privilege levels: ecall from U and S, mret/sret and the mstatus stack, CSR access rules of
 * the lower modes, counter enables, and trap delegation to S-mode through medeleg. */
#include <stdint.h>

#include "board/riscv.h"
#include "board/trap.h"
#include "check.h"

uint64_t priv_run(uint64_t mode, void (*fn)(void), void* stack_top);
void priv_return(void);
void lower_ecall(void), lower_read_mstatus(void), lower_read_sstatus(void), lower_mret(void);
void lower_sret(void), lower_rdcycle(void), lower_ecall_ebreak(void), lower_illegal_ecall(void);
void s_vector(void);
extern volatile uint64_t s_rec[4]; /* scause, sepc, stval, sstatus */

static uint8_t lower_stack[4096] __attribute__((aligned(16)));
static struct { uint64_t mcause, mepc, mtval, prev; } m_rec;

/* Any trap from S/U ends the lower-mode run: record it and resume priv_run's caller. */
static bool lower_trap(struct trap_frame* f) {
    uint64_t prev = (f->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    if (prev == PRV_M) return false;
    m_rec.mcause = f->mcause;
    m_rec.mepc = f->mepc;
    m_rec.mtval = f->mtval;
    m_rec.prev = prev;
    f->mepc = (uintptr_t)priv_return;
    f->mstatus |= MSTATUS_MPP;
    return true;
}

static uint64_t run(uint64_t mode, void (*fn)(void)) {
    m_rec.mcause = m_rec.mepc = m_rec.mtval = m_rec.prev = 99;
    return priv_run(mode, fn, lower_stack + sizeof lower_stack);
}

static void setup(void) {
    static const unsigned causes[] = {
        CAUSE_FETCH_ACCESS, CAUSE_ILLEGAL_INSTRUCTION, CAUSE_BREAKPOINT,       CAUSE_LOAD_ACCESS,
        CAUSE_STORE_ACCESS, CAUSE_USER_ECALL,          CAUSE_SUPERVISOR_ECALL,
    };
    for (unsigned i = 0; i < sizeof causes / sizeof causes[0]; i++)
        trap_set_exc_handler(causes[i], lower_trap);
    /* With PMP implemented and no entry matching, S/U accesses fail (QEMU implements PMP).
     * One NAPOT entry opens everything; a core without PMP CSRs just traps, silently. */
    trap_expect();
    csr_write(pmpaddr0, ~0ULL);
    trap_expect_end();
    trap_expect();
    csr_write(pmpcfg0, PMPCFG_R | PMPCFG_W | PMPCFG_X | PMPCFG_A_NAPOT);
    trap_expect_end();
    csr_write(medeleg, 0);
    csr_write(mideleg, 0);
}

static void test_mstatus_stack(void) {
    check_group("trap entry / mret");
    csr_set(mstatus, MSTATUS_MIE); /* mie is 0: no interrupt can fire */
    trap_expect();
    __asm__ volatile("ecall");
    struct trap_record r = trap_expect_end();
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ("trap: mcause", r.mcause, CAUSE_MACHINE_ECALL);
    CHECK("trap: MPIE = old MIE", r.mstatus & MSTATUS_MPIE);
    CHECK("trap: MIE cleared", !(r.mstatus & MSTATUS_MIE));
    CHECK_EQ("trap: MPP = M", r.prev_priv, PRV_M);

    uint64_t after;
    csr_set(mstatus, MSTATUS_MPP | MSTATUS_MPIE);
    __asm__ volatile("lla t0, 1f\n\tcsrw mepc, t0\n\tmret\n1:\n\tcsrr %0, mstatus"
                     : "=r"(after)::"t0", "memory");
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ("mret: MPP becomes U", after & MSTATUS_MPP, 0);
    CHECK("mret: MIE = old MPIE", after & MSTATUS_MIE);
    CHECK("mret: MPIE set", after & MSTATUS_MPIE);
}

static void test_ecall(void) {
    check_group("ecall from U/S");
    run(PRV_U, lower_ecall);
    CHECK_EQ("U ecall mcause", m_rec.mcause, CAUSE_USER_ECALL);
    CHECK_EQ("U ecall mepc", m_rec.mepc, (uintptr_t)lower_ecall);
    CHECK_EQ("U ecall mtval", m_rec.mtval, 0);
    CHECK_EQ("U ecall MPP", m_rec.prev, PRV_U);
    run(PRV_S, lower_ecall);
    CHECK_EQ("S ecall mcause", m_rec.mcause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("S ecall mepc", m_rec.mepc, (uintptr_t)lower_ecall);
    CHECK_EQ("S ecall MPP", m_rec.prev, PRV_S);
}

static void test_access_rules(void) {
    check_group("lower-mode CSR/insn rules");
    run(PRV_U, lower_read_mstatus);
    CHECK_EQ("U csrr mstatus: illegal", m_rec.mcause, CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ("U csrr mstatus: mtval", m_rec.mtval, 0x30002573);
    CHECK_EQ("U csrr mstatus: MPP", m_rec.prev, PRV_U);
    run(PRV_S, lower_read_mstatus);
    CHECK_EQ("S csrr mstatus: illegal", m_rec.mcause, CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ("S csrr mstatus: MPP", m_rec.prev, PRV_S);
    uint64_t v = run(PRV_S, lower_read_sstatus);
    CHECK_EQ("S csrr sstatus: allowed", m_rec.mcause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("sstatus hides MPP", v & MSTATUS_MPP, 0);
    run(PRV_U, lower_read_sstatus);
    CHECK_EQ("U csrr sstatus: illegal", m_rec.mcause, CAUSE_ILLEGAL_INSTRUCTION);
    run(PRV_S, lower_mret);
    CHECK_EQ("S mret: illegal", m_rec.mcause, CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ("S mret: mtval", m_rec.mtval, 0x30200073);
    run(PRV_U, lower_sret);
    CHECK_EQ("U sret: illegal", m_rec.mcause, CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ("U sret: mtval", m_rec.mtval, 0x10200073);

    check_group("counter enables");
    csr_write(mcounteren, 0);
    run(PRV_U, lower_rdcycle);
    CHECK_EQ("U rdcycle, mcounteren.CY=0: illegal", m_rec.mcause, CAUSE_ILLEGAL_INSTRUCTION);
    run(PRV_S, lower_rdcycle);
    CHECK_EQ("S rdcycle, mcounteren.CY=0: illegal", m_rec.mcause, CAUSE_ILLEGAL_INSTRUCTION);
    csr_write(mcounteren, 1);
    run(PRV_S, lower_rdcycle);
    CHECK_EQ("S rdcycle, mcounteren.CY=1: allowed", m_rec.mcause, CAUSE_SUPERVISOR_ECALL);
    csr_write(scounteren, 0);
    run(PRV_U, lower_rdcycle);
    CHECK_EQ("U rdcycle, scounteren.CY=0: illegal", m_rec.mcause, CAUSE_ILLEGAL_INSTRUCTION);
    csr_write(scounteren, 1);
    run(PRV_U, lower_rdcycle);
    CHECK_EQ("U rdcycle, both CY=1: allowed", m_rec.mcause, CAUSE_USER_ECALL);
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
}

static void test_delegation(void) {
    check_group("medeleg to S-mode");
    csr_write(stvec, (uintptr_t)s_vector);
    csr_write(medeleg, RAINIER_BIT(CAUSE_USER_ECALL));
    run(PRV_U, lower_ecall_ebreak);
    CHECK_EQ("U ecall went to S: scause", s_rec[0], CAUSE_USER_ECALL);
    CHECK_EQ("U ecall went to S: sepc", s_rec[1], (uintptr_t)lower_ecall_ebreak);
    CHECK_EQ("U ecall went to S: stval", s_rec[2], 0);
    CHECK("U ecall went to S: SPP = U", !(s_rec[3] & MSTATUS_SPP));
    CHECK_EQ("sret back to U, ebreak to M: mcause", m_rec.mcause, CAUSE_BREAKPOINT);
    CHECK_EQ("ebreak mepc", m_rec.mepc, (uintptr_t)lower_ecall_ebreak + 4);
    CHECK_EQ("ebreak MPP = U", m_rec.prev, PRV_U);

    csr_write(medeleg, RAINIER_BIT(CAUSE_ILLEGAL_INSTRUCTION));
    run(PRV_S, lower_illegal_ecall);
    CHECK_EQ("S illegal went to S: scause", s_rec[0], CAUSE_ILLEGAL_INSTRUCTION);
    CHECK_EQ("S illegal went to S: sepc", s_rec[1], (uintptr_t)lower_illegal_ecall);
    CHECK_EQ("S illegal went to S: stval", s_rec[2], 0xc0001073);
    CHECK("S illegal went to S: SPP = S", s_rec[3] & MSTATUS_SPP);
    CHECK_EQ("sret back to S, ecall to M: mcause", m_rec.mcause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("ecall MPP = S", m_rec.prev, PRV_S);

    /* Delegation never applies to traps taken in M-mode. */
    trap_expect();
    __asm__ volatile(".4byte 0xc0001073");
    struct trap_record r = trap_expect_end();
    CHECK("M illegal stays in M despite medeleg", r.taken && r.mcause == CAUSE_ILLEGAL_INSTRUCTION);
    csr_write(medeleg, 0);
}

int main(void) {
    setup();
    test_mstatus_stack();
    test_ecall();
    test_access_rules();
    test_delegation();
    return check_done("test_privilege");
}
