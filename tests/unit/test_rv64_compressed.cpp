// Every RVC form of RV64C on the ISS, each immediate bit on its own so that a misplaced bit
// shows, and the reserved / illegal encodings.
#include "rv64_test_harness.h"

namespace rv64_test {
namespace {

constexpr uint64_t ALL = ~uint64_t(0);
constexpr uint64_t I64_MIN = uint64_t(1) << 63;

class rvc : public rv64_test {
protected:
    // Executes one compressed instruction at `at` (a 32-bit all-ones halfword follows it).
    void c1(uint16_t insn, uint64_t at = code) {
        poke<uint16_t>(at, insn);
        poke<uint16_t>(at + 2, 0xffff);
        h->set_pc(at);
        run(1);
    }
    // Executes it and checks it fell through.
    void c1_ok(uint16_t insn) {
        c1(insn);
        EXPECT_EQ(h->pc(), code + 2)
            << std::hex << "insn 0x" << insn << " trapped, mcause " << csr(n::mcause);
    }
};

TEST_F(rvc, addi4spn_each_bit) {
    set_x(sp, data);
    for (unsigned bit = 2; bit <= 9; ++bit) {
        set_x(s0, 0);
        c1_ok(as::c_addi4spn(s0, 1u << bit));
        EXPECT_EQ(x(s0), data + (1u << bit)) << "bit " << bit;
    }
    c1_ok(as::c_addi4spn(a5, 1020));
    EXPECT_EQ(x(a5), data + 1020);
}

TEST_F(rvc, lw_sw_each_offset_bit) {
    set_x(s1, data);
    for (unsigned bit = 2; bit <= 6; ++bit) {
        const unsigned off = 1u << bit;
        poke<uint32_t>(data + off, 0x80000000u | off);
        c1_ok(as::c_lw(a0, s1, off));
        EXPECT_EQ(x(a0), 0xffffffff80000000u | off) << "bit " << bit;
        set_x(a2, 0x1234567800000000u | (off << 8));
        c1_ok(as::c_sw(a2, s1, off));
        EXPECT_EQ(peek<uint32_t>(data + off), off << 8) << "bit " << bit;
    }
}

TEST_F(rvc, ld_sd_each_offset_bit) {
    set_x(s1, data);
    for (unsigned bit = 3; bit <= 7; ++bit) {
        const unsigned off = 1u << bit;
        poke<uint64_t>(data + off, 0x8000000000000000u | off);
        c1_ok(as::c_ld(a0, s1, off));
        EXPECT_EQ(x(a0), 0x8000000000000000u | off) << "bit " << bit;
        set_x(a3, 0x1111000000000000u | off);
        c1_ok(as::c_sd(a3, s1, off));
        EXPECT_EQ(peek<uint64_t>(data + off), 0x1111000000000000u | off) << "bit " << bit;
    }
}

TEST_F(rvc, stack_pointer_loads_and_stores_each_offset_bit) {
    set_x(sp, data);
    for (unsigned bit = 2; bit <= 7; ++bit) {
        const unsigned off = 1u << bit;
        poke<uint32_t>(data + off, 0x90000000u | off);
        c1_ok(as::c_lwsp(t0, off));
        EXPECT_EQ(x(t0), 0xffffffff90000000u | off) << "lwsp bit " << bit;
        set_x(t1, 0xabcd0000u | off);
        c1_ok(as::c_swsp(t1, off));
        EXPECT_EQ(peek<uint32_t>(data + off), 0xabcd0000u | off) << "swsp bit " << bit;
    }
    for (unsigned bit = 3; bit <= 8; ++bit) {
        const unsigned off = 1u << bit;
        poke<uint64_t>(data + 0x400 + off, 0xfedc000000000000u | off);
        set_x(sp, data + 0x400);
        c1_ok(as::c_ldsp(t2, off));
        EXPECT_EQ(x(t2), 0xfedc000000000000u | off) << "ldsp bit " << bit;
        set_x(t3, 0x0123000000000000u | off);
        c1_ok(as::c_sdsp(t3, off));
        EXPECT_EQ(peek<uint64_t>(data + 0x400 + off), 0x0123000000000000u | off)
            << "sdsp bit " << bit;
    }
}

TEST_F(rvc, addi_addiw_li) {
    set_x(a0, 100);
    c1_ok(as::c_addi(a0, -32));
    EXPECT_EQ(x(a0), 68u);
    c1_ok(as::c_addi(a0, 31));
    EXPECT_EQ(x(a0), 99u);
    set_x(a0, 0);
    c1_ok(as::c_addi(a0, -1));
    EXPECT_EQ(x(a0), ALL);
    c1_ok(as::c_nop());
    EXPECT_EQ(x(a0), ALL);

    set_x(a0, 0x7fffffff);
    c1_ok(as::c_addiw(a0, 1));
    EXPECT_EQ(x(a0), 0xffffffff80000000u);
    set_x(a0, 0x00000000ffffffff);
    c1_ok(as::c_addiw(a0, 0)); // sext.w
    EXPECT_EQ(x(a0), ALL);
    set_x(a0, 0x1234567800000000);
    c1_ok(as::c_addiw(a0, -32));
    EXPECT_EQ(x(a0), 0xffffffffffffffe0u);

    c1_ok(as::c_li(t0, -32));
    EXPECT_EQ(x(t0), 0xffffffffffffffe0u);
    c1_ok(as::c_li(t0, 31));
    EXPECT_EQ(x(t0), 31u);
    c1_ok(as::c_li(t0, 0));
    EXPECT_EQ(x(t0), 0u);
}

TEST_F(rvc, addi16sp_each_bit) {
    for (unsigned bit = 4; bit <= 8; ++bit) {
        set_x(sp, data);
        c1_ok(as::c_addi16sp(1 << bit));
        EXPECT_EQ(x(sp), data + (1u << bit)) << "bit " << bit;
    }
    set_x(sp, data);
    c1_ok(as::c_addi16sp(-512));
    EXPECT_EQ(x(sp), data - 512);
    set_x(sp, data);
    c1_ok(as::c_addi16sp(-16));
    EXPECT_EQ(x(sp), data - 16);
    set_x(sp, data);
    c1_ok(as::c_addi16sp(496));
    EXPECT_EQ(x(sp), data + 496);
}

TEST_F(rvc, lui_each_bit_and_sign_extension) {
    for (unsigned bit = 12; bit <= 16; ++bit) {
        c1_ok(as::c_lui(a4, 1 << bit));
        EXPECT_EQ(x(a4), uint64_t(1) << bit) << "bit " << bit;
    }
    c1_ok(as::c_lui(a4, 0x20000));
    EXPECT_EQ(x(a4), 0xfffffffffffe0000u);
    c1_ok(as::c_lui(a4, -4096));
    EXPECT_EQ(x(a4), 0xfffffffffffff000u);
}

TEST_F(rvc, shifts_and_andi) {
    set_x(s0, I64_MIN);
    c1_ok(as::c_srli(s0, 63));
    EXPECT_EQ(x(s0), 1u);
    set_x(s0, I64_MIN);
    c1_ok(as::c_srli(s0, 32));
    EXPECT_EQ(x(s0), 0x80000000u);
    set_x(s0, 6);
    c1_ok(as::c_srli(s0, 1));
    EXPECT_EQ(x(s0), 3u);
    set_x(s0, I64_MIN);
    c1_ok(as::c_srai(s0, 63));
    EXPECT_EQ(x(s0), ALL);
    set_x(s0, I64_MIN);
    c1_ok(as::c_srai(s0, 32));
    EXPECT_EQ(x(s0), 0xffffffff80000000u);
    set_x(s0, 0x40);
    c1_ok(as::c_srai(s0, 3));
    EXPECT_EQ(x(s0), 8u);

    set_x(s1, 0x123456789abcdef7);
    c1_ok(as::c_andi(s1, -32));
    EXPECT_EQ(x(s1), 0x123456789abcdee0u);
    set_x(s1, 0x123456789abcdef7);
    c1_ok(as::c_andi(s1, 31));
    EXPECT_EQ(x(s1), 0x17u);
    set_x(s1, 0x123456789abcdef7);
    c1_ok(as::c_andi(s1, -1));
    EXPECT_EQ(x(s1), 0x123456789abcdef7u);

    set_x(t0, 1);
    c1_ok(as::c_slli(t0, 63));
    EXPECT_EQ(x(t0), I64_MIN);
    set_x(t0, 1);
    c1_ok(as::c_slli(t0, 32));
    EXPECT_EQ(x(t0), 0x100000000u);
    set_x(t0, 3);
    c1_ok(as::c_slli(t0, 1));
    EXPECT_EQ(x(t0), 6u);
}

TEST_F(rvc, register_register_ops) {
    struct {
        uint16_t insn;
        uint64_t a, b, expect;
    } cases[] = {
        {as::c_sub(s0, s1), 5, 7, ALL - 1},
        {as::c_sub(s0, s1), 7, 5, 2},
        {as::c_xor(s0, s1), 0xff00, 0x0ff0, 0xf0f0},
        {as::c_or(s0, s1), 0xff00, 0x0ff0, 0xfff0},
        {as::c_and(s0, s1), 0xff00, 0x0ff0, 0x0f00},
        {as::c_subw(s0, s1), 0x80000000, 1, 0x7fffffff},
        {as::c_subw(s0, s1), 0, 1, ALL},
        {as::c_addw(s0, s1), 0x7fffffff, 1, 0xffffffff80000000},
        {as::c_addw(s0, s1), 0xffffffff00000001, 0x00000000ffffffff, 0},
    };
    for (const auto& c : cases) {
        set_x(s0, c.a);
        set_x(s1, c.b);
        c1_ok(c.insn);
        EXPECT_EQ(x(s0), c.expect) << std::hex << "insn 0x" << c.insn;
        EXPECT_EQ(x(s1), c.b);
    }
    set_x(t0, 0);
    set_x(t1, 0x1234);
    c1_ok(as::c_mv(t0, t1));
    EXPECT_EQ(x(t0), 0x1234u);
    set_x(t0, ALL);
    c1_ok(as::c_add(t0, t1));
    EXPECT_EQ(x(t0), 0x1233u);
}

TEST_F(rvc, j_each_offset_bit) {
    const uint64_t at = code + 0x1000;
    for (unsigned bit = 1; bit <= 10; ++bit) {
        c1(as::c_j(1 << bit), at);
        EXPECT_EQ(h->pc(), at + (1u << bit)) << "bit " << bit;
    }
    c1(as::c_j(-2048), at);
    EXPECT_EQ(h->pc(), at - 2048);
    c1(as::c_j(-2), at);
    EXPECT_EQ(h->pc(), at - 2);
    EXPECT_EQ(x(ra), 0u) << "c.j does not link";
}

TEST_F(rvc, beqz_bnez_each_offset_bit) {
    const uint64_t at = code + 0x1000;
    for (unsigned bit = 1; bit <= 7; ++bit) {
        set_x(a2, 0);
        c1(as::c_beqz(a2, 1 << bit), at);
        EXPECT_EQ(h->pc(), at + (1u << bit)) << "beqz bit " << bit;
        set_x(a2, 1);
        c1(as::c_bnez(a2, 1 << bit), at);
        EXPECT_EQ(h->pc(), at + (1u << bit)) << "bnez bit " << bit;
    }
    set_x(a2, 0);
    c1(as::c_beqz(a2, -256), at);
    EXPECT_EQ(h->pc(), at - 256);
    c1(as::c_bnez(a2, -256), at);
    EXPECT_EQ(h->pc(), at + 2);
    set_x(a2, ALL);
    c1(as::c_beqz(a2, 64), at);
    EXPECT_EQ(h->pc(), at + 2);
    c1(as::c_bnez(a2, -2), at);
    EXPECT_EQ(h->pc(), at - 2);
}

TEST_F(rvc, jr_jalr) {
    set_x(t0, code + 0x101);
    c1(as::c_jr(t0));
    EXPECT_EQ(h->pc(), code + 0x100);
    EXPECT_EQ(x(ra), 0u);
    set_x(t0, code + 0x200);
    c1(as::c_jalr(t0));
    EXPECT_EQ(h->pc(), code + 0x200);
    EXPECT_EQ(x(ra), code + 2);
    // c.jalr ra: the target is the old ra.
    set_x(ra, code + 0x300);
    c1(as::c_jalr(ra));
    EXPECT_EQ(h->pc(), code + 0x300);
    EXPECT_EQ(x(ra), code + 2);
}

TEST_F(rvc, ebreak) {
    write_csr(n::mtvec, handler);
    c1(as::c_ebreak());
    EXPECT_EQ(h->pc(), handler);
    EXPECT_EQ(csr(n::mcause), 3u);
    EXPECT_EQ(csr(n::mtval), 0u) << "the ISS writes 0, as QEMU does";
    EXPECT_EQ(csr(n::mepc), code);
}

TEST_F(rvc, mixed_lengths) {
    emit_c(as::c_li(a0, 5));
    emit(as::addi(a0, a0, 10)); // a 32-bit instruction at a 2-byte aligned address
    emit_c(as::c_addi(a0, 1));
    emit(as::slli(a0, a0, 1));
    EXPECT_EQ(run(4), 4u);
    EXPECT_EQ(x(a0), 32u);
    EXPECT_EQ(h->pc(), code + 12);
}

TEST_F(rvc, reserved_and_illegal_encodings_trap_with_the_16_bit_encoding) {
    using namespace as;
    const struct {
        const char* what;
        uint16_t insn;
    } cases[] = {
        {"all zero", 0x0000},
        {"c.addi4spn nzuimm=0", c16((0u << 13) | (cr(a0) << 2))},
        {"c.fld", c16((1u << 13) | (cr(s1) << 7) | (cr(a0) << 2))},
        {"reserved q0 funct3=4", c16((4u << 13) | (cr(s1) << 7) | (cr(a0) << 2))},
        {"c.fsd", c16((5u << 13) | (cr(s1) << 7) | (cr(a0) << 2))},
        {"c.addiw rd=0", ci(1, 0, 1, 1)},
        {"c.addi16sp imm=0", c16((3u << 13) | (2u << 7) | 1)},
        {"c.lui imm=0", c16((3u << 13) | (a0 << 7) | 1)},
        {"reserved CA 1/10", ca(1, 2, s0, s1)},
        {"reserved CA 1/11", ca(1, 3, s0, s1)},
        {"c.fldsp", c16((1u << 13) | (a0 << 7) | 2)},
        {"c.lwsp rd=0", c_lwsp(0, 4)},
        {"c.ldsp rd=0", c_ldsp(0, 8)},
        {"c.jr rs1=0", c_jr(0)},
        {"c.fsdsp", c16((5u << 13) | (a0 << 2) | 2)},
    };
    for (const auto& c : cases) {
        write_csr(n::mtvec, handler);
        write_csr(n::mtval, 0x55);
        // An instruction from the same page first, so the fetch takes the fast path too.
        poke<uint32_t>(code + 0x40, as::nop());
        h->set_pc(code + 0x40);
        run(1);
        c1(c.insn);
        EXPECT_EQ(h->pc(), handler) << c.what;
        EXPECT_EQ(csr(n::mcause), 2u) << c.what;
        EXPECT_EQ(csr(n::mtval), c.insn) << c.what;
        EXPECT_EQ(csr(n::mepc), code) << c.what;
    }
    // A zero word: mtval is 0, the encoding of the 16-bit instruction.
    write_csr(n::mtval, 0x55);
    poke<uint32_t>(code, 0);
    h->set_pc(code);
    run(1);
    EXPECT_EQ(csr(n::mcause), 2u);
    EXPECT_EQ(csr(n::mtval), 0u);
}

TEST_F(rvc, hints_execute_as_nops) {
    // c.addi x0 / c.li x0 / c.mv x0 / c.slli x0 / c.lui x0 are hints: no effect, no trap.
    const uint16_t hints[] = {as::c_addi(0, 5), as::c_li(0, 3),       as::c_mv(0, t0),
                              as::c_slli(0, 3), as::c_lui(0, 0x1000), as::c_add(0, t0)};
    set_x(t0, 7);
    for (uint16_t insn : hints) {
        c1_ok(insn);
        EXPECT_EQ(x(zero), 0u);
    }
}

} // namespace
} // namespace rv64_test
