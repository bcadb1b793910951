// Zicsr on the RV64 ISS: the six instructions, access rules by privilege and by number,
// read-only and WARL CSRs, counters and their enables, instret counting.
#include "rv64_test_harness.h"

namespace rv64_test {
namespace {

class csrs : public rv64_test {
protected:
    void SetUp() override {
        make_hart(hart::config{5, false});
        install_handlers();
    }
    // Runs one instruction at code in the current mode; true if it did not trap.
    bool one(uint32_t insn) {
        exec({as::nop()}); // a retired instruction: the next trap is not a double trap
        poke<uint32_t>(code, insn);
        h->set_pc(code);
        run(1);
        return h->pc() == code + 4;
    }
    // Runs one instruction at code in privilege p; true if it did not trap. Back in M after.
    bool in_mode(privilege p, uint32_t insn) {
        poke<uint32_t>(code, insn);
        enter(p, code);
        run(1);
        const bool ok = h->pc() == code + 4;
        if (ok) {
            // Back to M through an ecall (nothing is delegated in these tests).
            poke<uint32_t>(code + 4, as::ecall());
            run(1);
        }
        EXPECT_EQ(h->priv(), privilege::machine);
        return ok;
    }
    void expect_illegal(uint32_t insn) {
        EXPECT_EQ(h->pc(), handler);
        EXPECT_EQ(csr(n::mcause), 2u);
        EXPECT_EQ(csr(n::mtval), insn);
    }
};

TEST_F(csrs, the_six_instructions) {
    emit({
        as::csrrw(a0, n::mscratch, t0),  // a0 = 0, mscratch = 0x1234
        as::csrrs(a1, n::mscratch, t1),  // a1 = 0x1234, mscratch = 0x12f4
        as::csrrc(a2, n::mscratch, t2),  // a2 = 0x12f4, mscratch = 0xf4
        as::csrrwi(a3, n::mscratch, 31), // a3 = 0xf4, mscratch = 31
        as::csrrci(a4, n::mscratch, 1),  // a4 = 31, mscratch = 30
        as::csrrsi(a5, n::mscratch, 0),  // a5 = 30, no write
        as::csrrsi(a6, n::mscratch, 16), // a6 = 30, mscratch = 30
        as::csrrw(t0, n::mscratch, t0),  // swap: t0 = 30, mscratch = 0x1234
    });
    set_x(t0, 0x1234);
    set_x(t1, 0xf0);
    set_x(t2, 0x1200);
    h->set_pc(code);
    EXPECT_EQ(run(8), 8u);
    EXPECT_EQ(h->pc(), code + 32);
    EXPECT_EQ(x(a0), 0u);
    EXPECT_EQ(x(a1), 0x1234u);
    EXPECT_EQ(x(a2), 0x12f4u);
    EXPECT_EQ(x(a3), 0xf4u);
    EXPECT_EQ(x(a4), 31u);
    EXPECT_EQ(x(a5), 30u);
    EXPECT_EQ(x(a6), 30u);
    EXPECT_EQ(x(t0), 30u);
    EXPECT_EQ(csr(n::mscratch), 0x1234u);
}

TEST_F(csrs, read_only_csrs) {
    // csrrs/csrrsi with x0 / 0 do not write, so reading mhartid is fine.
    EXPECT_TRUE(one(as::csrrs(a0, n::mhartid, zero)));
    EXPECT_EQ(x(a0), 5u);
    EXPECT_TRUE(one(as::csrrsi(a1, n::mhartid, 0)));
    EXPECT_EQ(x(a1), 5u);
    EXPECT_TRUE(one(as::csrrci(a1, n::mvendorid, 0)));
    EXPECT_EQ(x(a1), 0u);
    // Any write to a read-only number (bits 11:10 == 3) is illegal, even of the same value.
    set_x(t0, 5);
    EXPECT_FALSE(one(as::csrrw(a0, n::mhartid, t0)));
    expect_illegal(as::csrrw(a0, n::mhartid, t0));
    EXPECT_FALSE(one(as::csrrw(zero, n::mhartid, t0)));
    expect_illegal(as::csrrw(zero, n::mhartid, t0));
    set_x(t0, 0); // rs1 != x0 means a write, whatever its value
    EXPECT_FALSE(one(as::csrrs(a0, n::mhartid, t0)));
    expect_illegal(as::csrrs(a0, n::mhartid, t0));
    EXPECT_FALSE(one(as::csrrci(a0, n::mhartid, 1)));
    EXPECT_FALSE(one(as::csrrwi(zero, n::cycle, 0)));
    expect_illegal(as::csrrwi(zero, n::cycle, 0));
    EXPECT_FALSE(one(as::csrrs(zero, n::instret, t0)));
    EXPECT_FALSE(one(as::csrrw(zero, n::time, t0)));
    EXPECT_EQ(csr(n::mhartid), 5u);
}

TEST_F(csrs, misa_is_warl_and_ignores_writes) {
    // RV64 (MXL=2), extensions A C I M S U.
    const uint64_t misa = (uint64_t(2) << 62) | 0x141105;
    EXPECT_EQ(csr(n::misa), misa);
    set_x(t0, 0);
    EXPECT_TRUE(one(as::csrrw(a0, n::misa, t0)));
    EXPECT_EQ(x(a0), misa);
    EXPECT_EQ(csr(n::misa), misa);
    EXPECT_TRUE(one(as::csrrci(zero, n::misa, 4))); // try to clear C
    EXPECT_EQ(csr(n::misa), misa);
}

TEST_F(csrs, unknown_csr_numbers_are_illegal) {
    for (unsigned num : {0x7c0u, 0x5c0u, 0x3a1u /* odd pmpcfg: none on RV64 */, 0x0c0u, 0xfffu}) {
        const uint32_t rd_insn = as::csrrs(a0, num, zero);
        EXPECT_FALSE(one(rd_insn)) << std::hex << num;
        expect_illegal(rd_insn);
    }
}

TEST_F(csrs, unknown_csr_write_without_read_is_illegal) {
    // csrrw with rd=x0 does not read the CSR, but the CSR still has to exist.
    set_x(t0, 1);
    for (unsigned num : {0x7c0u, 0x5c0u, 0x3a1u}) {
        const uint32_t insn = as::csrrw(zero, num, t0);
        EXPECT_FALSE(one(insn)) << std::hex << "csrrw x0, 0x" << num;
        expect_illegal(insn);
        const uint32_t insn_i = as::csrrwi(zero, num, 1);
        EXPECT_FALSE(one(insn_i)) << std::hex << "csrrwi x0, 0x" << num;
        expect_illegal(insn_i);
    }
}

TEST_F(csrs, hpm_and_unimplemented_pmp_are_read_only_zero) {
    set_x(t0, 0x1f);
    // 16 PMP entries are implemented: pmpcfg4..14 and pmpaddr16..63 read as zero.
    for (unsigned num : {0xb03u /* mhpmcounter3 */, 0xb1fu, 0x323u /* mhpmevent3 */, 0x33fu,
                         0x3a4u /* pmpcfg4 */, 0x3aeu, 0x3c0u /* pmpaddr16 */, 0x3efu}) {
        EXPECT_TRUE(one(as::csrrw(zero, num, t0))) << std::hex << num;
        EXPECT_TRUE(one(as::csrrs(a0, num, t0))) << std::hex << num;
        EXPECT_EQ(x(a0), 0u) << std::hex << num;
    }
    EXPECT_TRUE(one(as::csrrs(a0, 0xc03, zero))); // hpmcounter3 from M
    EXPECT_EQ(x(a0), 0u);
}

TEST_F(csrs, privilege_rules) {
    // M CSRs from S and U.
    EXPECT_FALSE(in_mode(privilege::supervisor, as::csrrs(a0, n::mstatus, zero)));
    expect_illegal(as::csrrs(a0, n::mstatus, zero));
    EXPECT_EQ(csr(n::mstatus) & MSTATUS_MPP, uint64_t(1) << 11) << "trapped from S";
    EXPECT_FALSE(in_mode(privilege::supervisor, as::csrrs(a0, n::mhartid, zero)));
    EXPECT_FALSE(in_mode(privilege::user, as::csrrs(a0, n::mscratch, zero)));
    // S CSRs from U.
    EXPECT_FALSE(in_mode(privilege::user, as::csrrs(a0, n::sstatus, zero)));
    expect_illegal(as::csrrs(a0, n::sstatus, zero));
    EXPECT_FALSE(in_mode(privilege::user, as::csrrw(zero, n::sscratch, t0)));
    // S CSRs from S and M.
    set_x(t0, 0xabc);
    EXPECT_TRUE(in_mode(privilege::supervisor, as::csrrw(zero, n::sscratch, t0)));
    EXPECT_EQ(csr(n::sscratch), 0xabcu);
    EXPECT_TRUE(one(as::csrrs(a0, n::sscratch, zero)));
    EXPECT_EQ(x(a0), 0xabcu);
}

TEST_F(csrs, counter_enables) {
    bus.time = 123456;
    const uint32_t rd_cycle = as::csrrs(a0, n::cycle, zero);
    const uint32_t rd_time = as::csrrs(a0, n::time, zero);
    const uint32_t rd_instret = as::csrrs(a0, n::instret, zero);
    // M always may.
    EXPECT_TRUE(one(rd_time));
    EXPECT_EQ(x(a0), 123456u);
    // With both enables clear, neither S nor U may.
    EXPECT_FALSE(in_mode(privilege::supervisor, rd_cycle));
    expect_illegal(rd_cycle);
    EXPECT_FALSE(in_mode(privilege::user, rd_time));
    // mcounteren opens them to S, not yet to U.
    write_csr(n::mcounteren, 0x7);
    EXPECT_TRUE(in_mode(privilege::supervisor, rd_time));
    EXPECT_EQ(x(a0), 123456u);
    EXPECT_TRUE(in_mode(privilege::supervisor, rd_cycle));
    EXPECT_FALSE(in_mode(privilege::user, rd_cycle));
    // scounteren opens them to U; one bit per counter.
    write_csr(n::scounteren, 0x2); // TM only
    EXPECT_TRUE(in_mode(privilege::user, rd_time));
    EXPECT_EQ(x(a0), 123456u);
    EXPECT_FALSE(in_mode(privilege::user, rd_cycle));
    EXPECT_FALSE(in_mode(privilege::user, rd_instret));
    // scounteren alone is not enough.
    write_csr(n::mcounteren, 0x5); // CY, IR
    write_csr(n::scounteren, 0x7);
    EXPECT_FALSE(in_mode(privilege::user, rd_time));
    EXPECT_TRUE(in_mode(privilege::user, rd_instret));
    // The machine counters are M-only whatever the enables say.
    EXPECT_FALSE(in_mode(privilege::supervisor, as::csrrs(a0, n::mcycle, zero)));
}

TEST_F(csrs, satp_and_tvm) {
    const uint32_t rd_satp = as::csrrs(a0, n::satp, zero);
    EXPECT_TRUE(in_mode(privilege::supervisor, rd_satp));
    write_csr(n::mstatus, MSTATUS_TVM);
    EXPECT_FALSE(in_mode(privilege::supervisor, rd_satp));
    expect_illegal(rd_satp);
    write_csr(n::mstatus, MSTATUS_TVM);
    EXPECT_FALSE(in_mode(privilege::supervisor, as::sfence_vma(0, 0)));
    write_csr(n::mstatus, MSTATUS_TVM);
    EXPECT_TRUE(one(rd_satp)) << "M is not affected by TVM";
    // Bare and Sv39 are implemented: a write selecting Sv48 (9) or Sv57 (10) has no effect.
    write_csr(n::satp, (uint64_t(9) << 60) | 0x1234);
    EXPECT_EQ(csr(n::satp), 0u);
    write_csr(n::satp, (uint64_t(10) << 60) | 0x1234);
    EXPECT_EQ(csr(n::satp), 0u);
}

TEST_F(csrs, mstatus_warl) {
    write_csr(n::mstatus, uint64_t(2) << 11); // MPP = 2 (reserved)
    EXPECT_NE((csr(n::mstatus) & MSTATUS_MPP) >> 11, 2u);
    write_csr(n::mstatus, uint64_t(1) << 11);
    EXPECT_EQ((csr(n::mstatus) & MSTATUS_MPP) >> 11, 1u);
    write_csr(n::mstatus, uint64_t(3) << 11);
    EXPECT_EQ((csr(n::mstatus) & MSTATUS_MPP) >> 11, 3u);
    // UXL and SXL read as 2 (64-bit) and are not writable.
    write_csr(n::mstatus, 0);
    EXPECT_EQ((csr(n::mstatus) >> 32) & 0xf, 0xau);
}

TEST_F(csrs, sstatus_is_a_view_of_mstatus) {
    write_csr(n::mstatus, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_MIE | MSTATUS_MPIE |
                              (uint64_t(3) << 11) | MSTATUS_TSR);
    const uint64_t s = csr(n::sstatus);
    EXPECT_EQ(s & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP),
              MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP);
    EXPECT_EQ(s & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TSR), 0u);
    EXPECT_EQ((s >> 32) & 3, 2u) << "UXL";
    // Writing sstatus changes only the S fields of mstatus.
    write_csr(n::sstatus, MSTATUS_SPIE);
    const uint64_t m = csr(n::mstatus);
    EXPECT_EQ(m & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP), MSTATUS_SPIE);
    EXPECT_EQ(m & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TSR),
              MSTATUS_MIE | MSTATUS_MPIE | (uint64_t(3) << 11) | MSTATUS_TSR);
    write_csr(n::sstatus, MSTATUS_MIE | (uint64_t(1) << 11));
    EXPECT_EQ(csr(n::mstatus) & MSTATUS_MPP, uint64_t(3) << 11);
}

TEST_F(csrs, sie_sip_are_views_through_mideleg) {
    write_csr(n::mie, 0xaaa); // every interrupt enable bit
    EXPECT_EQ(csr(n::mie), 0xaaau);
    EXPECT_EQ(csr(n::sie), 0u) << "nothing delegated";
    write_csr(n::mideleg, 0x222); // SSI, STI, SEI
    EXPECT_EQ(csr(n::sie), 0x222u);
    write_csr(n::sie, 0);
    EXPECT_EQ(csr(n::mie), 0x888u);
    h->set_interrupt(7, true);
    h->set_interrupt(9, true);
    EXPECT_EQ(csr(n::mip), 0x280u);
    EXPECT_EQ(csr(n::sip), 0x200u);
    h->set_interrupt(7, false);
    h->set_interrupt(9, false);
    write_csr(n::mip, 0x2); // SSIP is writable from M
    EXPECT_EQ(csr(n::sip), 0x2u);
    write_csr(n::sip, 0);
    EXPECT_EQ(csr(n::mip), 0u);
    // The machine-level bits of mip are not writable by software.
    write_csr(n::mip, 0x888);
    EXPECT_EQ(csr(n::mip), 0u);
    // SSIP through sip only when delegated.
    write_csr(n::mideleg, 0);
    write_csr(n::sip, 0x2);
    EXPECT_EQ(csr(n::mip), 0u);
}

TEST_F(csrs, epc_and_tvec_alignment) {
    write_csr(n::mepc, 0x80001233);
    EXPECT_EQ(csr(n::mepc), 0x80001232u);
    write_csr(n::sepc, 0x80001235);
    EXPECT_EQ(csr(n::sepc), 0x80001234u);
    write_csr(n::mtvec, 0x80002001);
    EXPECT_EQ(csr(n::mtvec), 0x80002001u) << "vectored mode is kept";
    write_csr(n::medeleg, ~uint64_t(0));
    EXPECT_EQ(csr(n::medeleg) & (uint64_t(1) << 11), 0u) << "ecall from M cannot be delegated";
    EXPECT_NE(csr(n::medeleg) & (uint64_t(1) << 8), 0u);
}

TEST_F(csrs, instret_counts_retired_instructions) {
    h->reset(code);
    cursor = code;
    emit({as::nop(), as::addi(a0, zero, 1), as::csrrs(a1, n::minstret, zero),
          as::csrrs(a2, n::instret, zero), as::ecall(), as::nop()});
    EXPECT_EQ(run(4), 4u);
    EXPECT_EQ(x(a1), 2u) << "minstret counts the instructions before the reading one";
    EXPECT_EQ(x(a2), 3u);
    EXPECT_EQ(h->instret(), 4u);
    // A trapping instruction does not retire.
    write_csr(n::mtvec, handler); // retires one more
    poke<uint32_t>(handler, as::nop());
    EXPECT_EQ(h->instret(), 5u);
    run(1); // the ecall
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(h->instret(), 5u);
    run(1);
    EXPECT_EQ(h->instret(), 6u);
}

TEST_F(csrs, minstret_and_mcycle_writes) {
    h->reset(code);
    cursor = code;
    emit({as::csrrw(zero, n::minstret, t0), as::csrrs(a0, n::minstret, zero),
          as::csrrw(zero, n::mcycle, t1), as::csrrs(a1, n::mcycle, zero)});
    set_x(t0, 100);
    set_x(t1, 5000);
    run(4);
    EXPECT_EQ(x(a0), 100u) << "the value written is what the next instruction reads";
    EXPECT_EQ(x(a1), 5000u);
    EXPECT_EQ(h->instret(), 103u);
}

TEST_F(csrs, mcountinhibit_is_honoured_or_reads_zero) {
    // mcountinhibit bits may be read-only zero; a bit that reads 1 must stop its counter.
    write_csr(n::mcountinhibit, 0x5); // CY, IR
    const uint64_t inhibit = csr(n::mcountinhibit);
    const uint64_t instret0 = csr(n::minstret), cycle0 = csr(n::mcycle);
    exec({as::nop(), as::nop(), as::nop()});
    if (inhibit & 4)
        EXPECT_EQ(csr(n::minstret), instret0) << "IR reads 1 but minstret counts";
    else
        EXPECT_EQ(csr(n::minstret), instret0 + 3);
    if (inhibit & 1)
        EXPECT_EQ(csr(n::mcycle), cycle0) << "CY reads 1 but mcycle counts";
    else
        EXPECT_GE(csr(n::mcycle), cycle0 + 3);
    write_csr(n::mcountinhibit, 0);
}

} // namespace
} // namespace rv64_test
