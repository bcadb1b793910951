// Synchronous traps, delegation, xRET, WFI, interrupts and double traps on the RV64 ISS.
#include "rv64_test_harness.h"

namespace rv64_test {
namespace {

constexpr uint64_t MPP_U = 0, MPP_S = uint64_t(1) << 11, MPP_M = uint64_t(3) << 11;

class traps : public rv64_test {
protected:
    void SetUp() override {
        rv64_test::SetUp();
        install_handlers();
    }
    uint64_t mpp() { return csr(n::mstatus) & MSTATUS_MPP; }
};

TEST_F(traps, ecall_from_each_mode) {
    poke<uint32_t>(code, as::ecall());
    write_csr(n::mstatus, MSTATUS_MIE);
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 11u);
    EXPECT_EQ(csr(n::mepc), code);
    EXPECT_EQ(csr(n::mtval), 0u);
    EXPECT_EQ(mpp(), MPP_M);
    EXPECT_EQ(csr(n::mstatus) & (MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_MPIE);
    EXPECT_EQ(h->priv(), privilege::machine);

    enter(privilege::supervisor, code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 9u);
    EXPECT_EQ(mpp(), MPP_S);
    EXPECT_EQ(h->priv(), privilege::machine);

    enter(privilege::user, code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 8u);
    EXPECT_EQ(csr(n::mepc), code);
    EXPECT_EQ(mpp(), MPP_U);
    EXPECT_EQ(h->priv(), privilege::machine);
}

TEST_F(traps, ebreak_and_illegal) {
    poke<uint32_t>(code, as::ebreak());
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 3u);
    // The spec allows 0 or the pc; the ISS writes 0, as QEMU (the differential reference) does.
    EXPECT_EQ(csr(n::mtval), 0u);
    EXPECT_EQ(csr(n::mepc), code);
    run(1); // the handler's nop, so the next trap is not a double trap

    const uint32_t bad[] = {
        as::s_type(0, a1, a2, 4, as::OP_STORE), // store funct3=4
        as::i_type(0, a1, 7, a0, as::OP_LOAD),  // load funct3=7
        as::b_type(8, a1, a2, 2, as::OP_BRANCH),
        as::r_type(0x02, a2, a1, 0, a0, as::OP_OP), // funct7=2
        0x0000000b,                                 // custom-0
        as::i_type(0x305, 0, 4, a0, as::OP_SYSTEM), // SYSTEM funct3=4
        0xffffffff,
    };
    for (uint32_t insn : bad) {
        poke<uint32_t>(code + 0x40, insn);
        h->set_pc(code + 0x40);
        run(1);
        EXPECT_EQ(h->pc(), handler) << std::hex << insn;
        EXPECT_EQ(csr(n::mcause), 2u) << std::hex << insn;
        EXPECT_EQ(csr(n::mtval), insn) << std::hex << insn;
        EXPECT_EQ(csr(n::mepc), code + 0x40);
        run(1); // the handler's nop, so the next trap is not a double trap
    }
}

TEST_F(traps, instruction_access_fault) {
    poke<uint32_t>(code, as::jalr(zero, a1, 0));
    set_x(a1, unmapped);
    h->set_pc(code);
    run(2);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 1u);
    EXPECT_EQ(csr(n::mtval), unmapped);
    EXPECT_EQ(csr(n::mepc), unmapped);
    run(1); // the handler's nop
    // The second half of a 32-bit instruction on unmapped memory.
    const uint64_t last = ram_base + ram_size - 2;
    poke<uint16_t>(last, 0x0013); // low half of a 32-bit addi
    h->set_pc(last);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 1u);
    EXPECT_EQ(csr(n::mepc), last);
}

TEST_F(traps, delegation_to_s) {
    write_csr(n::medeleg, (1u << 8) | (1u << 9) | (1u << 2));
    write_csr(n::mstatus, MSTATUS_SIE);
    poke<uint32_t>(code, as::ecall());
    enter(privilege::user, code);
    run(1);
    EXPECT_EQ(h->pc(), s_handler);
    EXPECT_EQ(h->priv(), privilege::supervisor);
    EXPECT_EQ(csr(n::scause), 8u);
    EXPECT_EQ(csr(n::sepc), code);
    EXPECT_EQ(csr(n::stval), 0u);
    EXPECT_EQ(csr(n::mcause), 0u) << "M trap state untouched";
    uint64_t s = csr(n::sstatus);
    EXPECT_EQ(s & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP), MSTATUS_SPIE);

    // From S: SPP records S.
    run(1); // the handler's nop
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), s_handler);
    EXPECT_EQ(csr(n::scause), 9u);
    s = csr(n::sstatus);
    EXPECT_EQ(s & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP), MSTATUS_SPP);

    // An illegal instruction from S, delegated: stval is the encoding.
    run(1);
    const uint32_t bad = as::csrrs(a0, n::mstatus, zero);
    poke<uint32_t>(code, bad);
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), s_handler);
    EXPECT_EQ(csr(n::scause), 2u);
    EXPECT_EQ(csr(n::stval), bad);
    EXPECT_EQ(h->priv(), privilege::supervisor);
}

TEST_F(traps, traps_in_m_are_never_delegated) {
    write_csr(n::medeleg, ~uint64_t(0));
    poke<uint32_t>(code, as::ecall());
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 11u);
    run(1); // the handler's nop
    const uint32_t bad = as::csrrs(a0, 0x7c0, zero);
    poke<uint32_t>(code, bad);
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 2u);
    EXPECT_EQ(csr(n::mtval), bad);
    EXPECT_EQ(csr(n::scause), 0u);
    EXPECT_EQ(h->priv(), privilege::machine);
}

TEST_F(traps, mret_state_changes) {
    write_csr(n::mstatus, MSTATUS_MPIE | MPP_S);
    write_csr(n::mepc, code + 0x100);
    poke<uint32_t>(code, as::mret());
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), code + 0x100);
    EXPECT_EQ(h->priv(), privilege::supervisor);
    // MIE <- MPIE, MPIE <- 1, MPP <- U.
    const uint64_t after = csr(n::mstatus);
    EXPECT_EQ(after & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP), MSTATUS_MIE | MSTATUS_MPIE);

    // MPIE = 0 gives MIE = 0; MPP = M stays in M.
    poke<uint32_t>(code + 0x100, as::ecall());
    run(1); // back to M
    write_csr(n::mstatus, MSTATUS_MIE | MPP_M);
    write_csr(n::mepc, code + 0x200);
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), code + 0x200);
    EXPECT_EQ(h->priv(), privilege::machine);
    EXPECT_EQ(csr(n::mstatus) & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP), MSTATUS_MPIE);

    // mret from S is illegal.
    enter(privilege::supervisor, code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 2u);
    EXPECT_EQ(csr(n::mtval), as::mret());
}

TEST_F(traps, sret_state_changes) {
    write_csr(n::sepc, code + 0x100);
    write_csr(n::mstatus, MSTATUS_SPIE); // SPP = U
    poke<uint32_t>(code, as::sret());
    enter(privilege::supervisor, code);
    run(1);
    EXPECT_EQ(h->pc(), code + 0x100);
    EXPECT_EQ(h->priv(), privilege::user);
    EXPECT_EQ(csr(n::mstatus) & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP),
              MSTATUS_SIE | MSTATUS_SPIE);

    // sret in U is illegal.
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 2u);
    EXPECT_EQ(csr(n::mtval), as::sret());
    EXPECT_EQ(mpp(), MPP_U);

    // SPP = S returns to S; SPIE = 0 gives SIE = 0.
    write_csr(n::mstatus, MSTATUS_SIE | MSTATUS_SPP);
    enter(privilege::supervisor, code);
    run(1);
    EXPECT_EQ(h->pc(), code + 0x100);
    EXPECT_EQ(h->priv(), privilege::supervisor);
    EXPECT_EQ(csr(n::mstatus) & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP), MSTATUS_SPIE);

    // With TSR, sret from S is illegal; from M it is allowed.
    poke<uint32_t>(code + 0x100, as::ecall());
    run(1);
    write_csr(n::mstatus, MSTATUS_TSR | MSTATUS_SPP);
    enter(privilege::supervisor, code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 2u);
    write_csr(n::mstatus, MSTATUS_TSR | MSTATUS_SPP);
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), code + 0x100);
    EXPECT_EQ(h->priv(), privilege::supervisor);
}

TEST_F(traps, wfi_privilege) {
    poke<uint32_t>(code, as::wfi());
    enter(privilege::user, code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 2u);
    EXPECT_EQ(csr(n::mtval), as::wfi());

    write_csr(n::mstatus, MSTATUS_TW);
    enter(privilege::supervisor, code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 2u);

    write_csr(n::mstatus, 0);
    enter(privilege::supervisor, code);
    run(1);
    EXPECT_EQ(h->pc(), code + 4);
    EXPECT_EQ(h->last_stop(), hart::stop_reason::wfi);
}

TEST_F(traps, machine_timer_interrupt) {
    emit({as::addi(a0, a0, 1), as::addi(a0, a0, 1), as::addi(a0, a0, 1)});
    write_csr(n::mie, uint64_t(1) << 7);
    h->set_pc(code);
    h->set_interrupt(7, true);
    // M-mode with MIE = 0: not taken.
    run(1);
    EXPECT_EQ(h->pc(), code + 4);
    EXPECT_EQ(x(a0), 1u);
    write_csr(n::mstatus, MSTATUS_MIE);
    run(1); // taken before the next instruction, then the handler's first one
    EXPECT_EQ(h->pc(), handler + 4);
    EXPECT_EQ(csr(n::mcause), INTERRUPT | 7);
    EXPECT_EQ(csr(n::mepc), code + 4);
    EXPECT_EQ(csr(n::mtval), 0u);
    EXPECT_EQ(x(a0), 1u);
    EXPECT_EQ(csr(n::mstatus) & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP), MSTATUS_MPIE | MPP_M);
    EXPECT_NE(csr(n::mip) & (uint64_t(1) << 7), 0u);
    h->set_interrupt(7, false);
    EXPECT_EQ(csr(n::mip), 0u);
}

TEST_F(traps, interrupt_taken_below_m_whatever_mie) {
    emit({as::addi(a0, a0, 1), as::addi(a0, a0, 1)});
    write_csr(n::mie, uint64_t(1) << 3);
    h->set_interrupt(3, true);
    for (privilege p : {privilege::user, privilege::supervisor}) {
        write_csr(n::mstatus, 0);
        enter(p, code);
        run(1);
        EXPECT_EQ(h->pc(), handler + 4);
        EXPECT_EQ(csr(n::mcause), INTERRUPT | 3);
        EXPECT_EQ(csr(n::mepc), code);
        EXPECT_EQ(mpp(), uint64_t(static_cast<unsigned>(p)) << 11);
        EXPECT_EQ(x(a0), 0u);
        EXPECT_EQ(h->priv(), privilege::machine);
    }
}

TEST_F(traps, wfi_in_m_ignores_tw) {
    poke<uint32_t>(code, as::wfi());
    write_csr(n::mstatus, MSTATUS_TW);
    h->set_pc(code);
    EXPECT_EQ(run(5), 1u);
    EXPECT_EQ(h->pc(), code + 4);
    EXPECT_TRUE(h->waiting_for_interrupt());
}

TEST_F(traps, interrupt_priority) {
    write_csr(n::mie, 0xaaa);
    h->set_interrupt(3, true);
    h->set_interrupt(7, true);
    h->set_interrupt(11, true);
    h->set_interrupt(9, true);
    write_csr(n::mip, 0x22);                      // SSIP, STIP
    const unsigned order[] = {11, 3, 7, 9, 1, 5}; // MEI MSI MTI SEI SSI STI
    for (unsigned irq : order) {
        write_csr(n::mstatus, MSTATUS_MIE);
        h->set_pc(code);
        poke<uint32_t>(code, as::nop());
        run(1);
        EXPECT_EQ(csr(n::mcause), INTERRUPT | irq) << "expected irq " << irq;
        EXPECT_EQ(h->pc(), handler + 4);
        if (irq == 1 || irq == 5)
            write_csr(n::mip, csr(n::mip) & ~(uint64_t(1) << irq) & 0x222);
        else
            h->set_interrupt(irq, false);
    }
    EXPECT_EQ(csr(n::mip), 0u);
}

TEST_F(traps, vectored_mtvec) {
    write_csr(n::mtvec, handler | 1);
    write_csr(n::mie, 0xaaa);
    write_csr(n::mstatus, MSTATUS_MIE);
    h->set_interrupt(7, true);
    poke<uint32_t>(code, as::nop());
    h->set_pc(code);
    run(1);
    EXPECT_EQ(csr(n::mcause), INTERRUPT | 7);
    EXPECT_EQ(h->pc(), handler + 4 * 7 + 4);
    h->set_interrupt(7, false);
    h->set_interrupt(11, true);
    write_csr(n::mstatus, MSTATUS_MIE);
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), handler + 4 * 11 + 4);
    h->set_interrupt(11, false);
    // Exceptions go to the base.
    poke<uint32_t>(code, as::ecall());
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 11u);
}

TEST_F(traps, delegated_interrupt_goes_to_s) {
    write_csr(n::mideleg, uint64_t(1) << 5);
    write_csr(n::mie, uint64_t(1) << 5);
    write_csr(n::mip, uint64_t(1) << 5); // STIP
    write_csr(n::mstatus, MSTATUS_SIE | MSTATUS_MIE);
    poke<uint32_t>(code, as::nop());
    h->set_pc(code);
    run(1);
    EXPECT_EQ(h->pc(), code + 4) << "an S interrupt is never taken in M";
    enter(privilege::user, code);
    run(1);
    EXPECT_EQ(h->priv(), privilege::supervisor);
    EXPECT_EQ(h->pc(), s_handler + 4);
    EXPECT_EQ(csr(n::scause), INTERRUPT | 5);
    EXPECT_EQ(csr(n::sepc), code);
    EXPECT_EQ(csr(n::mcause), 0u);
    // In S with SIE = 0 (cleared by the trap), not taken again.
    run(1);
    EXPECT_EQ(h->pc(), s_handler + 8);
}

TEST_F(traps, wfi_stops_run_and_wakes_on_an_enabled_interrupt) {
    emit({as::wfi(), as::addi(a0, zero, 1), as::nop()});
    write_csr(n::mie, uint64_t(1) << 7); // MTIE only; mstatus.MIE = 0
    h->set_pc(code);
    EXPECT_EQ(run(10), 1u);
    EXPECT_EQ(h->last_stop(), hart::stop_reason::wfi);
    EXPECT_TRUE(h->waiting_for_interrupt());
    EXPECT_EQ(h->pc(), code + 4);
    EXPECT_EQ(run(10), 0u);
    EXPECT_EQ(h->last_stop(), hart::stop_reason::wfi);
    h->set_interrupt(3, true); // not enabled in mie: still asleep
    EXPECT_TRUE(h->waiting_for_interrupt());
    EXPECT_EQ(run(10), 0u);
    h->set_interrupt(7, true);
    EXPECT_FALSE(h->waiting_for_interrupt());
    EXPECT_EQ(run(1), 1u);
    EXPECT_EQ(h->last_stop(), hart::stop_reason::budget);
    EXPECT_EQ(x(a0), 1u) << "MIE = 0: resumes after the wfi without a trap";
    EXPECT_EQ(h->pc(), code + 8);
}

TEST_F(traps, wfi_wakes_into_the_handler) {
    emit({as::wfi(), as::addi(a0, zero, 1)});
    write_csr(n::mie, uint64_t(1) << 7);
    write_csr(n::mstatus, MSTATUS_MIE);
    h->set_pc(code);
    EXPECT_EQ(run(10), 1u);
    EXPECT_EQ(h->last_stop(), hart::stop_reason::wfi);
    h->set_interrupt(7, true);
    run(1);
    EXPECT_EQ(csr(n::mcause), INTERRUPT | 7);
    EXPECT_EQ(csr(n::mepc), code + 4);
    EXPECT_EQ(h->pc(), handler + 4);
    EXPECT_EQ(x(a0), 0u);
}

TEST_F(traps, wfi_with_a_pending_enabled_interrupt_does_not_sleep) {
    emit({as::wfi(), as::addi(a0, zero, 1)});
    write_csr(n::mie, uint64_t(1) << 7);
    h->set_interrupt(7, true); // MIE = 0, so not taken, but wfi must not wait
    h->set_pc(code);
    EXPECT_EQ(run(2), 2u);
    EXPECT_EQ(x(a0), 1u);
    EXPECT_FALSE(h->waiting_for_interrupt());
}

TEST_F(traps, double_trap_calls_the_hook_and_halts) {
    std::vector<hart::double_trap_info> seen;
    h->on_double_trap = [&](const hart::double_trap_info& i) { seen.push_back(i); };
    write_csr(n::mtvec, unmapped);
    poke<uint32_t>(code, as::ecall());
    h->set_pc(code);
    run(10);
    EXPECT_EQ(h->last_stop(), hart::stop_reason::halt);
    EXPECT_TRUE(h->halted());
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].first_cause, 11u);
    EXPECT_EQ(seen[0].first_pc, code);
    EXPECT_EQ(seen[0].first_tval, 0u);
    EXPECT_EQ(seen[0].second_cause, 1u);
    EXPECT_EQ(seen[0].handler, unmapped);
    EXPECT_EQ(run(10), 0u);
    EXPECT_EQ(seen.size(), 1u);
}

TEST_F(traps, double_trap_without_a_hook_still_halts) {
    write_csr(n::mtvec, unmapped);
    poke<uint32_t>(code, 0); // illegal
    h->set_pc(code);
    run(10);
    EXPECT_EQ(h->last_stop(), hart::stop_reason::halt);
}

TEST_F(traps, request_halt_stops_run) {
    emit({as::nop(), as::nop()});
    h->set_pc(code);
    h->request_halt();
    EXPECT_EQ(run(10), 0u);
    EXPECT_EQ(h->last_stop(), hart::stop_reason::halt);
    h->clear_halt();
    EXPECT_EQ(run(2), 2u);
    EXPECT_EQ(h->last_stop(), hart::stop_reason::budget);
}

TEST_F(traps, semihosting_sequence_calls_the_hook) {
    int calls = 0;
    h->semihosting = [&](hart& hh) {
        ++calls;
        hh.set_reg(a0, 42);
        return true;
    };
    emit({as::slli(zero, zero, 0x1f), as::ebreak(), as::srai(zero, zero, 7)});
    h->set_pc(code);
    run(3);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(x(a0), 42u);
    EXPECT_EQ(h->pc(), code + 12);
    // A lone ebreak is a breakpoint.
    poke<uint32_t>(code + 0x40, as::ebreak());
    h->set_pc(code + 0x40);
    run(1);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 3u);
    // Not from U.
    run(1);
    enter(privilege::user, code + 4);
    run(1);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(csr(n::mcause), 3u);
    EXPECT_EQ(csr(n::mepc), code + 4);
}

} // namespace
} // namespace rv64_test
