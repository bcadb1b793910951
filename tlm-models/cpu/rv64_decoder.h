// RV64IMAC + Zicsr + Zifencei decoder: one raw instruction (16 or 32 bits) to an opcode enum
// and its operands. Compressed instructions are expanded to their base equivalents.
#pragma once

#include <cstdint>

namespace rainier::rv64 {

// One line per instruction group reads better than one per opcode.
// clang-format off
enum class op : uint8_t {
    illegal,
    // RV64I
    lui, auipc, jal, jalr,
    beq, bne, blt, bge, bltu, bgeu,
    lb, lh, lw, ld, lbu, lhu, lwu,
    sb, sh, sw, sd,
    addi, slti, sltiu, xori, ori, andi, slli, srli, srai,
    add, sub, sll, slt, sltu, xor_, srl, sra, or_, and_,
    addiw, slliw, srliw, sraiw, addw, subw, sllw, srlw, sraw,
    fence, fence_i, ecall, ebreak, mret, sret, wfi, sfence_vma,
    // Zicsr
    csrrw, csrrs, csrrc, csrrwi, csrrsi, csrrci,
    // M
    mul, mulh, mulhsu, mulhu, div, divu, rem, remu,
    mulw, divw, divuw, remw, remuw,
    // A
    lr_w, sc_w, amoswap_w, amoadd_w, amoxor_w, amoand_w, amoor_w,
    amomin_w, amomax_w, amominu_w, amomaxu_w,
    lr_d, sc_d, amoswap_d, amoadd_d, amoxor_d, amoand_d, amoor_d,
    amomin_d, amomax_d, amominu_d, amomaxu_d,
    count_
};
// clang-format on

const char* op_name(op o);

struct decoded_insn {
    op opcode = op::illegal;
    uint8_t rd = 0;
    uint8_t rs1 = 0; // also the zimm of csr*i
    uint8_t rs2 = 0;
    uint8_t length = 4; // bytes: 2 (compressed) or 4
    int64_t imm = 0;    // also the CSR number of csr* instructions
};

// Length in bytes of the instruction whose low 16 bits are given.
inline unsigned insn_length(uint32_t low_bits) {
    return (low_bits & 3) == 3 ? 4 : 2;
}

decoded_insn decode(uint32_t raw);
decoded_insn decode_compressed(uint16_t raw);

} // namespace rainier::rv64
