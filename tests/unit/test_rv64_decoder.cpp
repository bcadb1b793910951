// The RV64 decoder on its own: operands and immediates of each format, compressed expansion,
// illegal encodings, and the op_name table.
#include "rv64_test_harness.h"

#include <set>
#include <string>

#include "rv64_decoder.h"

namespace rv64_test {
namespace {

using rainier::rv64::decode;
using rainier::rv64::decode_compressed;
using rainier::rv64::decoded_insn;
using rainier::rv64::op;
using rainier::rv64::op_name;

void expect(const decoded_insn& d, op o, unsigned rd, unsigned rs1, unsigned rs2, int64_t imm,
            unsigned len) {
    EXPECT_EQ(d.opcode, o) << op_name(d.opcode) << " instead of " << op_name(o);
    EXPECT_EQ(d.rd, rd) << op_name(o);
    EXPECT_EQ(d.rs1, rs1) << op_name(o);
    EXPECT_EQ(d.rs2, rs2) << op_name(o);
    EXPECT_EQ(d.imm, imm) << op_name(o);
    EXPECT_EQ(d.length, len) << op_name(o);
}

TEST(rv64_decoder, formats_and_immediates) {
    expect(decode(as::add(1, 2, 3)), op::add, 1, 2, 3, 0, 4);
    expect(decode(as::sra(31, 30, 29)), op::sra, 31, 30, 29, 0, 4);
    expect(decode(as::addi(5, 6, -2048)), op::addi, 5, 6, 0, -2048, 4);
    expect(decode(as::sd(7, 8, -1)), op::sd, 0, 8, 7, -1, 4);
    expect(decode(as::sw(7, 8, 0x7ff)), op::sw, 0, 8, 7, 0x7ff, 4);
    expect(decode(as::beq(1, 2, -4096)), op::beq, 0, 1, 2, -4096, 4);
    expect(decode(as::bgeu(1, 2, 0xaaa)), op::bgeu, 0, 1, 2, 0xaaa, 4);
    expect(decode(as::lui(9, 0x80000000)), op::lui, 9, 0, 0, -0x80000000ll, 4);
    expect(decode(as::auipc(9, 0x12345000)), op::auipc, 9, 0, 0, 0x12345000, 4);
    expect(decode(as::jal(1, -0x100000)), op::jal, 1, 0, 0, -0x100000, 4);
    expect(decode(as::jal(1, 0x5555a)), op::jal, 1, 0, 0, 0x5555a, 4);
    expect(decode(as::jalr(1, 2, -1)), op::jalr, 1, 2, 0, -1, 4);
    expect(decode(as::srai(3, 4, 63)), op::srai, 3, 4, 0, 63, 4);
    expect(decode(as::sraiw(3, 4, 31)), op::sraiw, 3, 4, 0, 31, 4);
    expect(decode(as::csrrw(1, 0x340, 2)), op::csrrw, 1, 2, 0, 0x340, 4);
    expect(decode(as::csrrci(1, 0xfff, 31)), op::csrrci, 1, 31, 0, 0xfff, 4);
    expect(decode(as::amo(as::AMO_MAXU, 3, 1, 2, 3)), op::amomaxu_d, 1, 2, 3, 0, 4);
    expect(decode(as::lr_w(1, 2)), op::lr_w, 1, 2, 0, 0, 4);
}

TEST(rv64_decoder, every_32_bit_mnemonic) {
    using namespace as;
    const std::pair<uint32_t, op> cases[] = {
        {lb(1, 2, 0), op::lb},
        {lh(1, 2, 0), op::lh},
        {lw(1, 2, 0), op::lw},
        {ld(1, 2, 0), op::ld},
        {lbu(1, 2, 0), op::lbu},
        {lhu(1, 2, 0), op::lhu},
        {lwu(1, 2, 0), op::lwu},
        {sb(1, 2, 0), op::sb},
        {sh(1, 2, 0), op::sh},
        {bne(1, 2, 4), op::bne},
        {blt(1, 2, 4), op::blt},
        {bge(1, 2, 4), op::bge},
        {bltu(1, 2, 4), op::bltu},
        {slti(1, 2, 0), op::slti},
        {sltiu(1, 2, 0), op::sltiu},
        {xori(1, 2, 0), op::xori},
        {ori(1, 2, 0), op::ori},
        {andi(1, 2, 0), op::andi},
        {slli(1, 2, 63), op::slli},
        {srli(1, 2, 63), op::srli},
        {sub(1, 2, 3), op::sub},
        {sll(1, 2, 3), op::sll},
        {slt(1, 2, 3), op::slt},
        {sltu(1, 2, 3), op::sltu},
        {xor_(1, 2, 3), op::xor_},
        {srl(1, 2, 3), op::srl},
        {or_(1, 2, 3), op::or_},
        {and_(1, 2, 3), op::and_},
        {addiw(1, 2, 0), op::addiw},
        {slliw(1, 2, 0), op::slliw},
        {srliw(1, 2, 0), op::srliw},
        {addw(1, 2, 3), op::addw},
        {subw(1, 2, 3), op::subw},
        {sllw(1, 2, 3), op::sllw},
        {srlw(1, 2, 3), op::srlw},
        {sraw(1, 2, 3), op::sraw},
        {fence(), op::fence},
        {fence_i(), op::fence_i},
        {ecall(), op::ecall},
        {ebreak(), op::ebreak},
        {mret(), op::mret},
        {sret(), op::sret},
        {wfi(), op::wfi},
        {sfence_vma(1, 2), op::sfence_vma},
        {csrrs(1, 1, 2), op::csrrs},
        {csrrc(1, 1, 2), op::csrrc},
        {csrrwi(1, 1, 2), op::csrrwi},
        {csrrsi(1, 1, 2), op::csrrsi},
        {mul(1, 2, 3), op::mul},
        {mulh(1, 2, 3), op::mulh},
        {mulhsu(1, 2, 3), op::mulhsu},
        {mulhu(1, 2, 3), op::mulhu},
        {div(1, 2, 3), op::div},
        {divu(1, 2, 3), op::divu},
        {rem(1, 2, 3), op::rem},
        {remu(1, 2, 3), op::remu},
        {mulw(1, 2, 3), op::mulw},
        {divw(1, 2, 3), op::divw},
        {divuw(1, 2, 3), op::divuw},
        {remw(1, 2, 3), op::remw},
        {remuw(1, 2, 3), op::remuw},
        {sc_w(1, 2, 3), op::sc_w},
        {lr_d(1, 2), op::lr_d},
        {sc_d(1, 2, 3), op::sc_d},
        {amo(AMO_SWAP, 2, 1, 2, 3), op::amoswap_w},
        {amo(AMO_ADD, 2, 1, 2, 3), op::amoadd_w},
        {amo(AMO_XOR, 2, 1, 2, 3), op::amoxor_w},
        {amo(AMO_AND, 2, 1, 2, 3), op::amoand_w},
        {amo(AMO_OR, 2, 1, 2, 3), op::amoor_w},
        {amo(AMO_MIN, 2, 1, 2, 3), op::amomin_w},
        {amo(AMO_MAX, 2, 1, 2, 3), op::amomax_w},
        {amo(AMO_MINU, 2, 1, 2, 3), op::amominu_w},
        {amo(AMO_MAXU, 2, 1, 2, 3), op::amomaxu_w},
        {amo(AMO_SWAP, 3, 1, 2, 3), op::amoswap_d},
        {amo(AMO_ADD, 3, 1, 2, 3), op::amoadd_d},
        {amo(AMO_XOR, 3, 1, 2, 3), op::amoxor_d},
        {amo(AMO_AND, 3, 1, 2, 3), op::amoand_d},
        {amo(AMO_OR, 3, 1, 2, 3), op::amoor_d},
        {amo(AMO_MIN, 3, 1, 2, 3), op::amomin_d},
        {amo(AMO_MAX, 3, 1, 2, 3), op::amomax_d},
        {amo(AMO_MINU, 3, 1, 2, 3), op::amominu_d},
    };
    for (const auto& c : cases) {
        const decoded_insn d = decode(c.first);
        EXPECT_EQ(d.opcode, c.second) << std::hex << "0x" << c.first << ": " << op_name(d.opcode)
                                      << " instead of " << op_name(c.second);
        EXPECT_EQ(d.length, 4u);
    }
    // aq/rl bits do not change the operation.
    EXPECT_EQ(decode(as::amo(as::AMO_ADD, 3, 1, 2, 3) | (3u << 25)).opcode, op::amoadd_d);
}

TEST(rv64_decoder, illegal_32_bit_encodings) {
    using namespace as;
    const uint32_t cases[] = {
        0xffffffffu,
        0x0000000bu,                           // custom-0
        i_type(0, 2, 7, 1, OP_LOAD),           // load funct3=7
        s_type(0, 1, 2, 4, OP_STORE),          // store funct3=4
        b_type(4, 1, 2, 2, OP_BRANCH),         // branch funct3=2
        b_type(4, 1, 2, 3, OP_BRANCH),         // branch funct3=3
        i_type(0, 2, 1, 1, OP_JALR),           // jalr funct3=1
        i_type(64, 2, 1, 1, OP_IMM),           // slli shamt=64
        i_type(0x200 | 3, 2, 5, 1, OP_IMM),    // srli/srai with a wrong funct6
        i_type(32, 2, 1, 1, OP_IMM32),         // slliw shamt=32
        i_type(0x400 | 32, 2, 5, 1, OP_IMM32), // sraiw shamt=32
        r_type(0x20, 3, 2, 1, 1, OP_OP),       // funct7 0x20 with sll
        r_type(0x02, 3, 2, 0, 1, OP_OP),
        r_type(0, 3, 2, 2, 1, OP_OP32),    // no sltw
        r_type(1, 3, 2, 1, 1, OP_OP32),    // no mulhw
        amo(AMO_LR, 2, 1, 2, 3),           // lr.w with rs2 != 0
        amo(AMO_ADD, 1, 1, 2, 3),          // AMO width 1
        amo(0x05, 2, 1, 2, 3),             // funct5 5
        i_type(0, 0, 0, 1, OP_SYSTEM),     // ecall with rd != 0
        i_type(0, 1, 0, 0, OP_SYSTEM),     // ecall with rs1 != 0
        i_type(0x002, 0, 0, 0, OP_SYSTEM), // uret (no N extension)
        i_type(0x7b2, 0, 0, 0, OP_SYSTEM), // dret
        i_type(0x340, 2, 4, 1, OP_SYSTEM), // SYSTEM funct3=4
        i_type(0, 0, 2, 0, OP_MISC_MEM),   // MISC-MEM funct3=2
        0x00000007u,                       // LOAD-FP
        0x00000053u,                       // OP-FP
    };
    for (uint32_t raw : cases) {
        const decoded_insn d = decode(raw);
        EXPECT_EQ(d.opcode, op::illegal)
            << std::hex << "0x" << raw << " decoded as " << op_name(d.opcode);
        EXPECT_EQ(d.length, 4u);
    }
}

TEST(rv64_decoder, compressed_expansions) {
    expect(decode_compressed(as::c_addi4spn(8, 1020)), op::addi, 8, 2, 0, 1020, 2);
    expect(decode_compressed(as::c_lw(9, 10, 124)), op::lw, 9, 10, 0, 124, 2);
    expect(decode_compressed(as::c_ld(15, 8, 248)), op::ld, 15, 8, 0, 248, 2);
    expect(decode_compressed(as::c_sw(9, 10, 64)), op::sw, 0, 10, 9, 64, 2);
    expect(decode_compressed(as::c_sd(9, 10, 128)), op::sd, 0, 10, 9, 128, 2);
    expect(decode_compressed(as::c_addi(5, -32)), op::addi, 5, 5, 0, -32, 2);
    expect(decode_compressed(as::c_addiw(5, 31)), op::addiw, 5, 5, 0, 31, 2);
    expect(decode_compressed(as::c_li(5, -1)), op::addi, 5, 0, 0, -1, 2);
    expect(decode_compressed(as::c_addi16sp(-512)), op::addi, 2, 2, 0, -512, 2);
    expect(decode_compressed(as::c_lui(5, 0x20000)), op::lui, 5, 0, 0, -0x20000, 2);
    expect(decode_compressed(as::c_srli(8, 63)), op::srli, 8, 8, 0, 63, 2);
    expect(decode_compressed(as::c_srai(8, 1)), op::srai, 8, 8, 0, 1, 2);
    expect(decode_compressed(as::c_andi(8, -32)), op::andi, 8, 8, 0, -32, 2);
    expect(decode_compressed(as::c_sub(8, 15)), op::sub, 8, 8, 15, 0, 2);
    expect(decode_compressed(as::c_addw(8, 15)), op::addw, 8, 8, 15, 0, 2);
    expect(decode_compressed(as::c_j(-2048)), op::jal, 0, 0, 0, -2048, 2);
    expect(decode_compressed(as::c_beqz(9, -256)), op::beq, 0, 9, 0, -256, 2);
    expect(decode_compressed(as::c_bnez(9, 254)), op::bne, 0, 9, 0, 254, 2);
    expect(decode_compressed(as::c_slli(7, 33)), op::slli, 7, 7, 0, 33, 2);
    expect(decode_compressed(as::c_lwsp(7, 252)), op::lw, 7, 2, 0, 252, 2);
    expect(decode_compressed(as::c_ldsp(7, 504)), op::ld, 7, 2, 0, 504, 2);
    expect(decode_compressed(as::c_swsp(7, 252)), op::sw, 0, 2, 7, 252, 2);
    expect(decode_compressed(as::c_sdsp(7, 504)), op::sd, 0, 2, 7, 504, 2);
    expect(decode_compressed(as::c_jr(7)), op::jalr, 0, 7, 0, 0, 2);
    expect(decode_compressed(as::c_jalr(7)), op::jalr, 1, 7, 0, 0, 2);
    expect(decode_compressed(as::c_mv(7, 8)), op::add, 7, 0, 8, 0, 2);
    expect(decode_compressed(as::c_add(7, 8)), op::add, 7, 7, 8, 0, 2);
    EXPECT_EQ(decode_compressed(as::c_ebreak()).opcode, op::ebreak);
    EXPECT_EQ(decode_compressed(as::c_ebreak()).length, 2u);
    // decode() hands 16-bit encodings on.
    expect(decode(as::c_li(5, 7)), op::addi, 5, 0, 0, 7, 2);
    EXPECT_EQ(decode(0).opcode, op::illegal);
    EXPECT_EQ(decode(0).length, 2u);
}

TEST(rv64_decoder, insn_length) {
    EXPECT_EQ(rainier::rv64::insn_length(0x0013), 4u);
    EXPECT_EQ(rainier::rv64::insn_length(0x4501), 2u);
    EXPECT_EQ(rainier::rv64::insn_length(0x0000), 2u);
    EXPECT_EQ(rainier::rv64::insn_length(0x0002), 2u);
}

TEST(rv64_decoder, op_names) {
    EXPECT_STREQ(op_name(op::illegal), "illegal");
    EXPECT_STREQ(op_name(op::lui), "lui");
    EXPECT_STREQ(op_name(op::xor_), "xor");
    EXPECT_STREQ(op_name(op::or_), "or");
    EXPECT_STREQ(op_name(op::and_), "and");
    EXPECT_STREQ(op_name(op::fence_i), "fence.i");
    EXPECT_STREQ(op_name(op::sfence_vma), "sfence.vma");
    EXPECT_STREQ(op_name(op::csrrci), "csrrci");
    EXPECT_STREQ(op_name(op::remuw), "remuw");
    EXPECT_STREQ(op_name(op::lr_w), "lr.w");
    EXPECT_STREQ(op_name(op::sc_d), "sc.d");
    EXPECT_STREQ(op_name(op::amomaxu_w), "amomaxu.w");
    EXPECT_STREQ(op_name(op::amomaxu_d), "amomaxu.d");
    // Every op has its own non-empty name.
    std::set<std::string> names;
    for (unsigned i = 0; i < static_cast<unsigned>(op::count_); ++i) {
        const char* name = op_name(static_cast<op>(i));
        ASSERT_NE(name, nullptr);
        EXPECT_GT(std::string(name).size(), 0u);
        EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    }
    // Each decoded mnemonic gets its own name back.
    EXPECT_STREQ(op_name(decode(as::mulhsu(1, 2, 3)).opcode), "mulhsu");
    EXPECT_STREQ(op_name(decode(as::amo(as::AMO_MIN, 3, 1, 2, 3)).opcode), "amomin.d");
    EXPECT_STREQ(op_name(decode(as::sraiw(1, 2, 3)).opcode), "sraiw");
    EXPECT_STREQ(op_name(decode(as::wfi()).opcode), "wfi");
}

} // namespace
} // namespace rv64_test
