// Integer ALU, M extension, branches and jumps of the RV64 ISS. Expected values are worked out
// by hand from the ISA manual.
#include "rv64_test_harness.h"

namespace rv64_test {
namespace {

constexpr uint64_t ALL = ~uint64_t(0);
constexpr uint64_t I64_MIN = uint64_t(1) << 63;
constexpr uint64_t I64_MAX = I64_MIN - 1;
constexpr uint64_t neg(uint64_t v) {
    return ~v + 1;
}

class alu : public rv64_test {
protected:
    // Executes one instruction rd=a0, rs1=a1, rs2=a2 and returns a0.
    uint64_t op(uint32_t insn, uint64_t a, uint64_t b = 0) {
        h->reset(code);
        poke<uint32_t>(code, insn);
        set_x(a1, a);
        set_x(a2, b);
        EXPECT_EQ(run(1), 1u);
        EXPECT_EQ(h->pc(), code + 4) << "instruction trapped";
        EXPECT_EQ(x(a1), a) << "source register changed";
        return x(a0);
    }
};

TEST_F(alu, add_sub_wrap) {
    EXPECT_EQ(op(as::add(a0, a1, a2), I64_MAX, 1), I64_MIN);
    EXPECT_EQ(op(as::add(a0, a1, a2), ALL, 1), 0u);
    EXPECT_EQ(op(as::sub(a0, a1, a2), 0, 1), ALL);
    EXPECT_EQ(op(as::sub(a0, a1, a2), I64_MIN, 1), I64_MAX);
}

TEST_F(alu, logic) {
    EXPECT_EQ(op(as::xor_(a0, a1, a2), 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0),
              0xf0f0f0f0f0f0f0f0u);
    EXPECT_EQ(op(as::or_(a0, a1, a2), 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0), 0xfff0fff0fff0fff0u);
    EXPECT_EQ(op(as::and_(a0, a1, a2), 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0),
              0x0f000f000f000f00u);
}

TEST_F(alu, set_less_than_signed_vs_unsigned) {
    EXPECT_EQ(op(as::slt(a0, a1, a2), ALL, 1), 1u);  // -1 < 1
    EXPECT_EQ(op(as::sltu(a0, a1, a2), ALL, 1), 0u); // 2^64-1 > 1
    EXPECT_EQ(op(as::slt(a0, a1, a2), 1, 1), 0u);
    EXPECT_EQ(op(as::sltu(a0, a1, a2), 0, 1), 1u);
    EXPECT_EQ(op(as::slt(a0, a1, a2), I64_MIN, I64_MAX), 1u);
    EXPECT_EQ(op(as::sltu(a0, a1, a2), I64_MIN, I64_MAX), 0u);
}

TEST_F(alu, immediates_are_sign_extended) {
    EXPECT_EQ(op(as::addi(a0, a1, -2048), 0), 0xfffffffffffff800u);
    EXPECT_EQ(op(as::addi(a0, a1, 2047), 1), 2048u);
    EXPECT_EQ(op(as::addi(a0, a1, -1), 0), ALL);
    EXPECT_EQ(op(as::slti(a0, a1, 0), ALL), 1u);
    EXPECT_EQ(op(as::slti(a0, a1, -1), 0), 0u);
    EXPECT_EQ(op(as::sltiu(a0, a1, 1), 0), 1u); // seqz
    EXPECT_EQ(op(as::sltiu(a0, a1, 1), 5), 0u);
    EXPECT_EQ(op(as::sltiu(a0, a1, -1), 5), 1u); // imm is 2^64-1 unsigned
    EXPECT_EQ(op(as::sltiu(a0, a1, -1), ALL), 0u);
    EXPECT_EQ(op(as::xori(a0, a1, -1), 0x0123456789abcdef), 0xfedcba9876543210u); // not
    EXPECT_EQ(op(as::ori(a0, a1, -16), 0x5), 0xfffffffffffffff5u);
    EXPECT_EQ(op(as::andi(a0, a1, -16), 0x0123456789abcdef), 0x0123456789abcde0u);
    EXPECT_EQ(op(as::andi(a0, a1, 0x7ff), ALL), 0x7ffu);
}

TEST_F(alu, register_shifts_mask_the_amount_to_6_bits) {
    EXPECT_EQ(op(as::sll(a0, a1, a2), 1, 0), 1u);
    EXPECT_EQ(op(as::sll(a0, a1, a2), 1, 31), 0x80000000u);
    EXPECT_EQ(op(as::sll(a0, a1, a2), 1, 32), 0x100000000u);
    EXPECT_EQ(op(as::sll(a0, a1, a2), 1, 63), I64_MIN);
    EXPECT_EQ(op(as::sll(a0, a1, a2), 0x1234, 64), 0x1234u); // 64 & 63 == 0
    EXPECT_EQ(op(as::sll(a0, a1, a2), 1, 65), 2u);
    EXPECT_EQ(op(as::srl(a0, a1, a2), I64_MIN, 63), 1u);
    EXPECT_EQ(op(as::srl(a0, a1, a2), I64_MIN, 32), 0x80000000u);
    EXPECT_EQ(op(as::srl(a0, a1, a2), I64_MIN, 64), I64_MIN);
    EXPECT_EQ(op(as::srl(a0, a1, a2), ALL, 0xffffffffffffff04), 0x0fffffffffffffffu);
    EXPECT_EQ(op(as::sra(a0, a1, a2), I64_MIN, 63), ALL);
    EXPECT_EQ(op(as::sra(a0, a1, a2), I64_MIN, 31), 0xffffffff00000000u);
    EXPECT_EQ(op(as::sra(a0, a1, a2), I64_MIN, 0), I64_MIN);
    EXPECT_EQ(op(as::sra(a0, a1, a2), I64_MIN, 127), ALL); // 127 & 63 == 63
    EXPECT_EQ(op(as::sra(a0, a1, a2), I64_MAX, 62), 1u);
}

TEST_F(alu, immediate_shifts) {
    EXPECT_EQ(op(as::slli(a0, a1, 0), 0x1234), 0x1234u);
    EXPECT_EQ(op(as::slli(a0, a1, 31), 1), 0x80000000u);
    EXPECT_EQ(op(as::slli(a0, a1, 32), 1), 0x100000000u);
    EXPECT_EQ(op(as::slli(a0, a1, 63), 3), I64_MIN);
    EXPECT_EQ(op(as::srli(a0, a1, 63), ALL), 1u);
    EXPECT_EQ(op(as::srli(a0, a1, 32), ALL), 0xffffffffu);
    EXPECT_EQ(op(as::srai(a0, a1, 63), I64_MIN), ALL);
    EXPECT_EQ(op(as::srai(a0, a1, 32), I64_MIN), 0xffffffff80000000u);
    EXPECT_EQ(op(as::srai(a0, a1, 0), I64_MIN), I64_MIN);
    EXPECT_EQ(op(as::srai(a0, a1, 4), 0x7000000000000000), 0x0700000000000000u);
}

TEST_F(alu, word_ops_sign_extend) {
    EXPECT_EQ(op(as::addw(a0, a1, a2), 0x7fffffff, 1), 0xffffffff80000000u);
    EXPECT_EQ(op(as::addw(a0, a1, a2), 0xffffffff00000001, 0x00000000ffffffff), 0u);
    EXPECT_EQ(op(as::addw(a0, a1, a2), 0x1234567800000005, 0xabcdef0000000003), 8u);
    EXPECT_EQ(op(as::subw(a0, a1, a2), 0x80000000, 1), 0x7fffffffu);
    EXPECT_EQ(op(as::subw(a0, a1, a2), 0, 1), ALL);
    EXPECT_EQ(op(as::addiw(a0, a1, 1), 0x7fffffff), 0xffffffff80000000u);
    EXPECT_EQ(op(as::addiw(a0, a1, 0), 0x0000000080000000), 0xffffffff80000000u); // sext.w
    EXPECT_EQ(op(as::addiw(a0, a1, -1), 0xffffffff00000000), ALL);
    EXPECT_EQ(op(as::addiw(a0, a1, 0), 0xffffffff7fffffff), 0x7fffffffu);
}

TEST_F(alu, word_shifts_mask_the_amount_to_5_bits) {
    EXPECT_EQ(op(as::sllw(a0, a1, a2), 1, 31), 0xffffffff80000000u);
    EXPECT_EQ(op(as::sllw(a0, a1, a2), 0x100000001, 32), 1u); // 32 & 31 == 0
    EXPECT_EQ(op(as::sllw(a0, a1, a2), 0x100000001, 33), 2u);
    EXPECT_EQ(op(as::sllw(a0, a1, a2), 0xffffffff, 63), 0xffffffff80000000u); // by 31
    EXPECT_EQ(op(as::srlw(a0, a1, a2), 0x80000000, 31), 1u);
    EXPECT_EQ(op(as::srlw(a0, a1, a2), 0x80000000, 32), 0xffffffff80000000u); // by 0
    EXPECT_EQ(op(as::srlw(a0, a1, a2), 0xffffffff00000000, 4), 0u);
    EXPECT_EQ(op(as::srlw(a0, a1, a2), 0x00000000fffffff0, 4), 0x0fffffffu);
    EXPECT_EQ(op(as::sraw(a0, a1, a2), 0x80000000, 31), ALL);
    EXPECT_EQ(op(as::sraw(a0, a1, a2), 0x7fffffff, 31), 0u);
    EXPECT_EQ(op(as::sraw(a0, a1, a2), 0x0000000080000000, 4), 0xfffffffff8000000u);
    EXPECT_EQ(op(as::sraw(a0, a1, a2), 0x0000000080000000, 36), 0xfffffffff8000000u);
    EXPECT_EQ(op(as::sraw(a0, a1, a2), 0xffffffff00000010, 0), 0x10u);
    EXPECT_EQ(op(as::slliw(a0, a1, 31), 1), 0xffffffff80000000u);
    EXPECT_EQ(op(as::slliw(a0, a1, 0), 0x00000000fffffffe), 0xfffffffffffffffeu);
    EXPECT_EQ(op(as::srliw(a0, a1, 0), 0x80000000), 0xffffffff80000000u);
    EXPECT_EQ(op(as::srliw(a0, a1, 1), 0xffffffff80000000), 0x40000000u);
    EXPECT_EQ(op(as::srliw(a0, a1, 31), 0xffffffff), 1u);
    EXPECT_EQ(op(as::sraiw(a0, a1, 1), 0x80000000), 0xffffffffc0000000u);
    EXPECT_EQ(op(as::sraiw(a0, a1, 31), 0x7fffffff), 0u);
    EXPECT_EQ(op(as::sraiw(a0, a1, 0), 0x123456789abcdef0), 0xffffffff9abcdef0u);
}

TEST_F(alu, lui_auipc_sign_extend) {
    EXPECT_EQ(op(as::lui(a0, 0x80000000), 0), 0xffffffff80000000u);
    EXPECT_EQ(op(as::lui(a0, 0x7ffff000), 0), 0x7ffff000u);
    EXPECT_EQ(op(as::lui(a0, 0xfffff000), 0), 0xfffffffffffff000u);
    EXPECT_EQ(op(as::auipc(a0, 0x1000), 0), code + 0x1000);
    EXPECT_EQ(op(as::auipc(a0, 0), 0), code);
    // 0x80000000 + sext(0x80000000) wraps to 0.
    EXPECT_EQ(op(as::auipc(a0, 0x80000000), 0), 0u);
    EXPECT_EQ(op(as::auipc(a0, 0xfffff000), 0), code - 0x1000);
}

TEST_F(alu, mul_high_parts) {
    EXPECT_EQ(op(as::mul(a0, a1, a2), neg(3), 5), neg(15));
    EXPECT_EQ(op(as::mul(a0, a1, a2), 0x100000001, 0x100000001), 0x200000001u);
    EXPECT_EQ(op(as::mul(a0, a1, a2), I64_MIN, ALL), I64_MIN);
    EXPECT_EQ(op(as::mulh(a0, a1, a2), ALL, ALL), 0u);                          // (-1)(-1) = 1
    EXPECT_EQ(op(as::mulh(a0, a1, a2), neg(2), 3), ALL);                        // -6
    EXPECT_EQ(op(as::mulh(a0, a1, a2), I64_MIN, I64_MIN), 0x4000000000000000u); // 2^126
    EXPECT_EQ(op(as::mulh(a0, a1, a2), I64_MAX, I64_MAX), 0x3fffffffffffffffu);
    EXPECT_EQ(op(as::mulh(a0, a1, a2), I64_MIN, 1), ALL);
    EXPECT_EQ(op(as::mulhu(a0, a1, a2), ALL, ALL), 0xfffffffffffffffeu);
    EXPECT_EQ(op(as::mulhu(a0, a1, a2), neg(2), 3), 2u);
    EXPECT_EQ(op(as::mulhu(a0, a1, a2), I64_MIN, I64_MIN), 0x4000000000000000u);
    EXPECT_EQ(op(as::mulhsu(a0, a1, a2), ALL, ALL), ALL);                         // -1 * (2^64-1)
    EXPECT_EQ(op(as::mulhsu(a0, a1, a2), neg(2), 3), ALL);                        // -6
    EXPECT_EQ(op(as::mulhsu(a0, a1, a2), 2, ALL), 1u);                            // 2^65-2
    EXPECT_EQ(op(as::mulhsu(a0, a1, a2), I64_MIN, I64_MIN), 0xc000000000000000u); // -2^126
    EXPECT_EQ(op(as::mulhsu(a0, a1, a2), 3, neg(2)), 2u);
}

TEST_F(alu, mulw) {
    EXPECT_EQ(op(as::mulw(a0, a1, a2), 0x7fffffff, 2), 0xfffffffffffffffeu);
    EXPECT_EQ(op(as::mulw(a0, a1, a2), 0x100000003, 0x500000004), 12u);
    EXPECT_EQ(op(as::mulw(a0, a1, a2), 0x10000, 0x8000), 0xffffffff80000000u);
}

TEST_F(alu, div_rem_64) {
    EXPECT_EQ(op(as::div(a0, a1, a2), 7, neg(2)), neg(3));
    EXPECT_EQ(op(as::div(a0, a1, a2), neg(7), 2), neg(3));
    EXPECT_EQ(op(as::div(a0, a1, a2), 12345, 0), ALL);
    EXPECT_EQ(op(as::div(a0, a1, a2), I64_MIN, ALL), I64_MIN); // overflow
    EXPECT_EQ(op(as::divu(a0, a1, a2), ALL, 2), I64_MAX);
    EXPECT_EQ(op(as::divu(a0, a1, a2), 12345, 0), ALL);
    EXPECT_EQ(op(as::divu(a0, a1, a2), I64_MIN, ALL), 0u);
    EXPECT_EQ(op(as::rem(a0, a1, a2), neg(7), 2), ALL);
    EXPECT_EQ(op(as::rem(a0, a1, a2), 7, neg(2)), 1u);
    EXPECT_EQ(op(as::rem(a0, a1, a2), neg(12345), 0), neg(12345));
    EXPECT_EQ(op(as::rem(a0, a1, a2), I64_MIN, ALL), 0u);
    EXPECT_EQ(op(as::remu(a0, a1, a2), ALL, 0), ALL);
    EXPECT_EQ(op(as::remu(a0, a1, a2), 12345, 0), 12345u);
    EXPECT_EQ(op(as::remu(a0, a1, a2), ALL, 16), 15u);
}

TEST_F(alu, div_rem_32) {
    EXPECT_EQ(op(as::divw(a0, a1, a2), 0x80000000, ALL), 0xffffffff80000000u); // overflow
    EXPECT_EQ(op(as::divw(a0, a1, a2), 0x80000000, 0x00000000ffffffff), 0xffffffff80000000u);
    EXPECT_EQ(op(as::divw(a0, a1, a2), 5, 0), ALL);
    EXPECT_EQ(op(as::divw(a0, a1, a2), 5, 0xffffffff00000000), ALL); // low word is 0
    EXPECT_EQ(op(as::divw(a0, a1, a2), 0xaaaaaaaa00000007, 0x55555555fffffffe), neg(3));
    EXPECT_EQ(op(as::divuw(a0, a1, a2), 0x80000000, 1), 0xffffffff80000000u);
    EXPECT_EQ(op(as::divuw(a0, a1, a2), 0xffffffff, 2), 0x7fffffffu);
    EXPECT_EQ(op(as::divuw(a0, a1, a2), 7, 0x100000000), ALL);
    EXPECT_EQ(op(as::remw(a0, a1, a2), 0x80000000, ALL), 0u);
    EXPECT_EQ(op(as::remw(a0, a1, a2), 0x80000000, 0), 0xffffffff80000000u);
    EXPECT_EQ(op(as::remw(a0, a1, a2), 0xfffffff9, 2), ALL); // -7 % 2
    EXPECT_EQ(op(as::remuw(a0, a1, a2), 0x80000000, 0), 0xffffffff80000000u);
    EXPECT_EQ(op(as::remuw(a0, a1, a2), 0xffffffff, 0x10), 15u);
    EXPECT_EQ(op(as::remuw(a0, a1, a2), 0x1234567800000009, 0xffffffff00000004), 1u);
}

TEST_F(alu, x0_is_hardwired) {
    h->reset(code);
    emit({as::addi(zero, zero, 5), as::lui(zero, 0x12345000), as::add(a0, zero, zero)});
    EXPECT_EQ(run(3), 3u);
    EXPECT_EQ(x(zero), 0u);
    EXPECT_EQ(x(a0), 0u);
}

class branch : public rv64_test {
protected:
    // Executes one branch at code with a1/a2; returns true if taken (+16).
    bool taken(uint32_t insn, uint64_t a, uint64_t b) {
        h->reset(code);
        poke<uint32_t>(code, insn);
        set_x(a1, a);
        set_x(a2, b);
        run(1);
        EXPECT_TRUE(h->pc() == code + 4 || h->pc() == code + 16);
        return h->pc() == code + 16;
    }
};

TEST_F(branch, signed_and_unsigned_compares) {
    EXPECT_TRUE(taken(as::beq(a1, a2, 16), 5, 5));
    EXPECT_FALSE(taken(as::beq(a1, a2, 16), 5, 6));
    EXPECT_TRUE(taken(as::bne(a1, a2, 16), 5, 6));
    EXPECT_FALSE(taken(as::bne(a1, a2, 16), ALL, ALL));
    EXPECT_TRUE(taken(as::blt(a1, a2, 16), ALL, 1));   // -1 < 1
    EXPECT_FALSE(taken(as::bltu(a1, a2, 16), ALL, 1)); // max > 1
    EXPECT_FALSE(taken(as::bge(a1, a2, 16), ALL, 1));
    EXPECT_TRUE(taken(as::bgeu(a1, a2, 16), ALL, 1));
    EXPECT_TRUE(taken(as::bge(a1, a2, 16), 7, 7));
    EXPECT_TRUE(taken(as::bgeu(a1, a2, 16), 7, 7));
    EXPECT_FALSE(taken(as::blt(a1, a2, 16), 7, 7));
    EXPECT_FALSE(taken(as::bltu(a1, a2, 16), 7, 7));
    EXPECT_TRUE(taken(as::blt(a1, a2, 16), I64_MIN, I64_MAX));
    EXPECT_FALSE(taken(as::bltu(a1, a2, 16), I64_MIN, I64_MAX));
}

TEST_F(branch, far_and_backward_offsets) {
    h->reset(code + 0x2000);
    poke<uint32_t>(code + 0x2000, as::beq(zero, zero, -4096));
    run(1);
    EXPECT_EQ(h->pc(), code + 0x1000);
    poke<uint32_t>(code + 0x1000, as::bne(a1, zero, 4094));
    set_x(a1, 1);
    run(1);
    EXPECT_EQ(h->pc(), code + 0x1000 + 4094);
}

TEST_F(branch, jal_links_and_reaches_far) {
    emit(as::jal(ra, 0xffffe)); // largest forward offset
    run(1);
    EXPECT_EQ(h->pc(), code + 0xffffe);
    EXPECT_EQ(x(ra), code + 4);
    h->reset(code + 0x80000);
    poke<uint32_t>(code + 0x80000, as::jal(zero, -0x80000));
    run(1);
    EXPECT_EQ(h->pc(), code);
    EXPECT_EQ(x(zero), 0u);
}

TEST_F(branch, jalr_clears_bit0_and_handles_rd_equal_rs1) {
    emit(as::jalr(ra, a1, 0));
    set_x(a1, code + 0x101);
    run(1);
    EXPECT_EQ(h->pc(), code + 0x100);
    EXPECT_EQ(x(ra), code + 4);

    h->reset(code);
    poke<uint32_t>(code, as::jalr(a1, a1, -8)); // target from the old a1, then a1 = link
    set_x(a1, code + 0x48);
    run(1);
    EXPECT_EQ(h->pc(), code + 0x40);
    EXPECT_EQ(x(a1), code + 4);

    h->reset(code);
    poke<uint32_t>(code, as::jalr(zero, a1, 2047));
    set_x(a1, code + 0x200);
    run(1);
    EXPECT_EQ(h->pc(), code + 0x200 + 2046);
}

} // namespace
} // namespace rv64_test
