#include "rv64_decoder.h"

#include <cstddef>

namespace rainier::rv64 {

namespace {

constexpr uint32_t bits(uint32_t v, unsigned hi, unsigned lo) {
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}
constexpr int64_t sext(uint64_t v, unsigned width) {
    const uint64_t m = uint64_t(1) << (width - 1);
    return static_cast<int64_t>((v ^ m) - m);
}

decoded_insn make(op o, unsigned rd, unsigned rs1, unsigned rs2, int64_t imm, unsigned len) {
    decoded_insn d;
    d.opcode = o;
    d.rd = static_cast<uint8_t>(rd);
    d.rs1 = static_cast<uint8_t>(rs1);
    d.rs2 = static_cast<uint8_t>(rs2);
    d.imm = imm;
    d.length = static_cast<uint8_t>(len);
    return d;
}

decoded_insn illegal(unsigned len) {
    return make(op::illegal, 0, 0, 0, 0, len);
}

int64_t imm_i(uint32_t r) {
    return sext(bits(r, 31, 20), 12);
}
int64_t imm_s(uint32_t r) {
    return sext((bits(r, 31, 25) << 5) | bits(r, 11, 7), 12);
}
int64_t imm_b(uint32_t r) {
    return sext((bits(r, 31, 31) << 12) | (bits(r, 7, 7) << 11) | (bits(r, 30, 25) << 5) |
                    (bits(r, 11, 8) << 1),
                13);
}
int64_t imm_u(uint32_t r) {
    return sext(r & 0xfffff000u, 32);
}
int64_t imm_j(uint32_t r) {
    return sext((bits(r, 31, 31) << 20) | (bits(r, 19, 12) << 12) | (bits(r, 20, 20) << 11) |
                    (bits(r, 30, 21) << 1),
                21);
}

decoded_insn decode_amo(uint32_t r, unsigned rd, unsigned rs1, unsigned rs2, unsigned f3) {
    static const op word_ops[32] = {
        /*00*/ op::amoadd_w,  /*01*/ op::amoswap_w, /*02*/ op::lr_w, /*03*/ op::sc_w,
        /*04*/ op::amoxor_w,  op::illegal,          op::illegal,     op::illegal,
        /*08*/ op::amoor_w,   op::illegal,          op::illegal,     op::illegal,
        /*0c*/ op::amoand_w,  op::illegal,          op::illegal,     op::illegal,
        /*10*/ op::amomin_w,  op::illegal,          op::illegal,     op::illegal,
        /*14*/ op::amomax_w,  op::illegal,          op::illegal,     op::illegal,
        /*18*/ op::amominu_w, op::illegal,          op::illegal,     op::illegal,
        /*1c*/ op::amomaxu_w, op::illegal,          op::illegal,     op::illegal,
    };
    if (f3 != 2 && f3 != 3) return illegal(4);
    const unsigned funct5 = bits(r, 31, 27);
    op o = word_ops[funct5];
    if (o == op::illegal) return illegal(4);
    if ((o == op::lr_w) && rs2 != 0) return illegal(4);
    if (f3 == 3)
        o = static_cast<op>(static_cast<unsigned>(o) +
                            (static_cast<unsigned>(op::lr_d) - static_cast<unsigned>(op::lr_w)));
    return make(o, rd, rs1, rs2, 0, 4);
}

decoded_insn decode_system(uint32_t r, unsigned rd, unsigned rs1, unsigned rs2, unsigned f3) {
    const unsigned csr = bits(r, 31, 20);
    switch (f3) {
    case 0: {
        if (rd != 0) return illegal(4);
        const unsigned f7 = bits(r, 31, 25);
        if (f7 == 0x09) return make(op::sfence_vma, 0, rs1, rs2, 0, 4);
        if (rs1 != 0) return illegal(4);
        switch (csr) {
        case 0x000: return make(op::ecall, 0, 0, 0, 0, 4);
        case 0x001: return make(op::ebreak, 0, 0, 0, 0, 4);
        case 0x302: return make(op::mret, 0, 0, 0, 0, 4);
        case 0x102: return make(op::sret, 0, 0, 0, 0, 4);
        case 0x105: return make(op::wfi, 0, 0, 0, 0, 4);
        default: return illegal(4);
        }
    }
    case 1: return make(op::csrrw, rd, rs1, 0, csr, 4);
    case 2: return make(op::csrrs, rd, rs1, 0, csr, 4);
    case 3: return make(op::csrrc, rd, rs1, 0, csr, 4);
    case 5: return make(op::csrrwi, rd, rs1, 0, csr, 4);
    case 6: return make(op::csrrsi, rd, rs1, 0, csr, 4);
    case 7: return make(op::csrrci, rd, rs1, 0, csr, 4);
    default: return illegal(4);
    }
}

decoded_insn decode_op(unsigned f7, unsigned f3, unsigned rd, unsigned rs1, unsigned rs2,
                       bool word) {
    static const op base[8] = {op::add,  op::sll, op::slt, op::sltu,
                               op::xor_, op::srl, op::or_, op::and_};
    static const op muldiv[8] = {op::mul, op::mulh, op::mulhsu, op::mulhu,
                                 op::div, op::divu, op::rem,    op::remu};
    static const op base_w[8] = {op::addw,    op::sllw, op::illegal, op::illegal,
                                 op::illegal, op::srlw, op::illegal, op::illegal};
    static const op muldiv_w[8] = {op::mulw, op::illegal, op::illegal, op::illegal,
                                   op::divw, op::divuw,   op::remw,    op::remuw};
    op o = op::illegal;
    if (f7 == 0x00) {
        o = word ? base_w[f3] : base[f3];
    } else if (f7 == 0x01) {
        o = word ? muldiv_w[f3] : muldiv[f3];
    } else if (f7 == 0x20) {
        if (f3 == 0) o = word ? op::subw : op::sub;
        if (f3 == 5) o = word ? op::sraw : op::sra;
    }
    if (o == op::illegal) return illegal(4);
    return make(o, rd, rs1, rs2, 0, 4);
}

} // namespace

decoded_insn decode(uint32_t r) {
    if ((r & 3) != 3) return decode_compressed(static_cast<uint16_t>(r));
    const unsigned rd = bits(r, 11, 7), rs1 = bits(r, 19, 15), rs2 = bits(r, 24, 20);
    const unsigned f3 = bits(r, 14, 12), f7 = bits(r, 31, 25);
    switch (bits(r, 6, 0)) {
    case 0x37: return make(op::lui, rd, 0, 0, imm_u(r), 4);
    case 0x17: return make(op::auipc, rd, 0, 0, imm_u(r), 4);
    case 0x6f: return make(op::jal, rd, 0, 0, imm_j(r), 4);
    case 0x67:
        if (f3 != 0) return illegal(4);
        return make(op::jalr, rd, rs1, 0, imm_i(r), 4);
    case 0x63: {
        static const op br[8] = {op::beq, op::bne, op::illegal, op::illegal,
                                 op::blt, op::bge, op::bltu,    op::bgeu};
        if (br[f3] == op::illegal) return illegal(4);
        return make(br[f3], 0, rs1, rs2, imm_b(r), 4);
    }
    case 0x03: {
        static const op ld[8] = {op::lb,  op::lh,  op::lw,  op::ld,
                                 op::lbu, op::lhu, op::lwu, op::illegal};
        if (ld[f3] == op::illegal) return illegal(4);
        return make(ld[f3], rd, rs1, 0, imm_i(r), 4);
    }
    case 0x23: {
        static const op st[8] = {op::sb,      op::sh,      op::sw,      op::sd,
                                 op::illegal, op::illegal, op::illegal, op::illegal};
        if (st[f3] == op::illegal) return illegal(4);
        return make(st[f3], 0, rs1, rs2, imm_s(r), 4);
    }
    case 0x13: {
        switch (f3) {
        case 0: return make(op::addi, rd, rs1, 0, imm_i(r), 4);
        case 2: return make(op::slti, rd, rs1, 0, imm_i(r), 4);
        case 3: return make(op::sltiu, rd, rs1, 0, imm_i(r), 4);
        case 4: return make(op::xori, rd, rs1, 0, imm_i(r), 4);
        case 6: return make(op::ori, rd, rs1, 0, imm_i(r), 4);
        case 7: return make(op::andi, rd, rs1, 0, imm_i(r), 4);
        case 1:
            if (bits(r, 31, 26) != 0) return illegal(4);
            return make(op::slli, rd, rs1, 0, bits(r, 25, 20), 4);
        default: // 5
            if (bits(r, 31, 26) == 0x00) return make(op::srli, rd, rs1, 0, bits(r, 25, 20), 4);
            if (bits(r, 31, 26) == 0x10) return make(op::srai, rd, rs1, 0, bits(r, 25, 20), 4);
            return illegal(4);
        }
    }
    case 0x1b: {
        if (f3 == 0) return make(op::addiw, rd, rs1, 0, imm_i(r), 4);
        if (f3 == 1 && f7 == 0x00) return make(op::slliw, rd, rs1, 0, rs2, 4);
        if (f3 == 5 && f7 == 0x00) return make(op::srliw, rd, rs1, 0, rs2, 4);
        if (f3 == 5 && f7 == 0x20) return make(op::sraiw, rd, rs1, 0, rs2, 4);
        return illegal(4);
    }
    case 0x33: return decode_op(f7, f3, rd, rs1, rs2, false);
    case 0x3b: return decode_op(f7, f3, rd, rs1, rs2, true);
    case 0x0f:
        if (f3 == 0) return make(op::fence, 0, 0, 0, 0, 4);
        if (f3 == 1) return make(op::fence_i, 0, 0, 0, 0, 4);
        return illegal(4);
    case 0x2f: return decode_amo(r, rd, rs1, rs2, f3);
    case 0x73: return decode_system(r, rd, rs1, rs2, f3);
    default: return illegal(4);
    }
}

decoded_insn decode_compressed(uint16_t c) {
    const uint32_t r = c;
    const unsigned rd = bits(r, 11, 7), rs2 = bits(r, 6, 2);
    const unsigned rdp = bits(r, 4, 2) + 8, rs1p = bits(r, 9, 7) + 8;
    const unsigned f3 = bits(r, 15, 13);
    switch (r & 3) {
    case 0:
        switch (f3) {
        case 0: {
            const uint32_t imm = (bits(r, 12, 11) << 4) | (bits(r, 10, 7) << 6) |
                                 (bits(r, 6, 6) << 2) | (bits(r, 5, 5) << 3);
            if (imm == 0) return illegal(2); // includes the all-zero illegal instruction
            return make(op::addi, rdp, 2, 0, imm, 2);
        }
        case 2: {
            const uint32_t imm =
                (bits(r, 12, 10) << 3) | (bits(r, 6, 6) << 2) | (bits(r, 5, 5) << 6);
            return make(op::lw, rdp, rs1p, 0, imm, 2);
        }
        case 3: {
            const uint32_t imm = (bits(r, 12, 10) << 3) | (bits(r, 6, 5) << 6);
            return make(op::ld, rdp, rs1p, 0, imm, 2);
        }
        case 6: {
            const uint32_t imm =
                (bits(r, 12, 10) << 3) | (bits(r, 6, 6) << 2) | (bits(r, 5, 5) << 6);
            return make(op::sw, 0, rs1p, rdp, imm, 2);
        }
        case 7: {
            const uint32_t imm = (bits(r, 12, 10) << 3) | (bits(r, 6, 5) << 6);
            return make(op::sd, 0, rs1p, rdp, imm, 2);
        }
        default: return illegal(2); // c.fld, c.fsd (no F/D) and the reserved encoding
        }
    case 1:
        switch (f3) {
        case 0: return make(op::addi, rd, rd, 0, sext((bits(r, 12, 12) << 5) | rs2, 6), 2);
        case 1:
            if (rd == 0) return illegal(2);
            return make(op::addiw, rd, rd, 0, sext((bits(r, 12, 12) << 5) | rs2, 6), 2);
        case 2: return make(op::addi, rd, 0, 0, sext((bits(r, 12, 12) << 5) | rs2, 6), 2);
        case 3: {
            if (rd == 2) {
                const uint32_t imm = (bits(r, 12, 12) << 9) | (bits(r, 6, 6) << 4) |
                                     (bits(r, 5, 5) << 6) | (bits(r, 4, 3) << 7) |
                                     (bits(r, 2, 2) << 5);
                if (imm == 0) return illegal(2);
                return make(op::addi, 2, 2, 0, sext(imm, 10), 2);
            }
            const uint32_t imm = (bits(r, 12, 12) << 17) | (rs2 << 12);
            if (imm == 0) return illegal(2);
            return make(op::lui, rd, 0, 0, sext(imm, 18), 2);
        }
        case 4: {
            const unsigned shamt = (bits(r, 12, 12) << 5) | rs2;
            switch (bits(r, 11, 10)) {
            case 0: return make(op::srli, rs1p, rs1p, 0, shamt, 2);
            case 1: return make(op::srai, rs1p, rs1p, 0, shamt, 2);
            case 2: return make(op::andi, rs1p, rs1p, 0, sext(shamt, 6), 2);
            default: {
                static const op ops[8] = {op::sub,  op::xor_, op::or_,     op::and_,
                                          op::subw, op::addw, op::illegal, op::illegal};
                const op o = ops[(bits(r, 12, 12) << 2) | bits(r, 6, 5)];
                if (o == op::illegal) return illegal(2);
                return make(o, rs1p, rs1p, rdp, 0, 2);
            }
            }
        }
        case 5: {
            const uint32_t imm = (bits(r, 12, 12) << 11) | (bits(r, 11, 11) << 4) |
                                 (bits(r, 10, 9) << 8) | (bits(r, 8, 8) << 10) |
                                 (bits(r, 7, 7) << 6) | (bits(r, 6, 6) << 7) |
                                 (bits(r, 5, 3) << 1) | (bits(r, 2, 2) << 5);
            return make(op::jal, 0, 0, 0, sext(imm, 12), 2);
        }
        default: { // 6: c.beqz, 7: c.bnez
            const uint32_t imm = (bits(r, 12, 12) << 8) | (bits(r, 11, 10) << 3) |
                                 (bits(r, 6, 5) << 6) | (bits(r, 4, 3) << 1) | (bits(r, 2, 2) << 5);
            return make(f3 == 6 ? op::beq : op::bne, 0, rs1p, 0, sext(imm, 9), 2);
        }
        }
    case 2:
        switch (f3) {
        case 0: return make(op::slli, rd, rd, 0, (bits(r, 12, 12) << 5) | rs2, 2);
        case 2: {
            if (rd == 0) return illegal(2);
            const uint32_t imm =
                (bits(r, 12, 12) << 5) | (bits(r, 6, 4) << 2) | (bits(r, 3, 2) << 6);
            return make(op::lw, rd, 2, 0, imm, 2);
        }
        case 3: {
            if (rd == 0) return illegal(2);
            const uint32_t imm =
                (bits(r, 12, 12) << 5) | (bits(r, 6, 5) << 3) | (bits(r, 4, 2) << 6);
            return make(op::ld, rd, 2, 0, imm, 2);
        }
        case 4:
            if (bits(r, 12, 12) == 0) {
                if (rs2 == 0) {
                    if (rd == 0) return illegal(2);
                    return make(op::jalr, 0, rd, 0, 0, 2); // c.jr
                }
                return make(op::add, rd, 0, rs2, 0, 2); // c.mv
            }
            if (rs2 == 0) {
                if (rd == 0) return make(op::ebreak, 0, 0, 0, 0, 2);
                return make(op::jalr, 1, rd, 0, 0, 2); // c.jalr
            }
            return make(op::add, rd, rd, rs2, 0, 2);
        case 6: {
            const uint32_t imm = (bits(r, 12, 9) << 2) | (bits(r, 8, 7) << 6);
            return make(op::sw, 0, 2, rs2, imm, 2);
        }
        case 7: {
            const uint32_t imm = (bits(r, 12, 10) << 3) | (bits(r, 9, 7) << 6);
            return make(op::sd, 0, 2, rs2, imm, 2);
        }
        default: return illegal(2); // c.fldsp, c.fsdsp
        }
    default: return illegal(4);
    }
}

const char* op_name(op o) {
    static const char* const names[] = {
        "illegal",  "lui",        "auipc",     "jal",       "jalr",     "beq",      "bne",
        "blt",      "bge",        "bltu",      "bgeu",      "lb",       "lh",       "lw",
        "ld",       "lbu",        "lhu",       "lwu",       "sb",       "sh",       "sw",
        "sd",       "addi",       "slti",      "sltiu",     "xori",     "ori",      "andi",
        "slli",     "srli",       "srai",      "add",       "sub",      "sll",      "slt",
        "sltu",     "xor",        "srl",       "sra",       "or",       "and",      "addiw",
        "slliw",    "srliw",      "sraiw",     "addw",      "subw",     "sllw",     "srlw",
        "sraw",     "fence",      "fence.i",   "ecall",     "ebreak",   "mret",     "sret",
        "wfi",      "sfence.vma", "csrrw",     "csrrs",     "csrrc",    "csrrwi",   "csrrsi",
        "csrrci",   "mul",        "mulh",      "mulhsu",    "mulhu",    "div",      "divu",
        "rem",      "remu",       "mulw",      "divw",      "divuw",    "remw",     "remuw",
        "lr.w",     "sc.w",       "amoswap.w", "amoadd.w",  "amoxor.w", "amoand.w", "amoor.w",
        "amomin.w", "amomax.w",   "amominu.w", "amomaxu.w", "lr.d",     "sc.d",     "amoswap.d",
        "amoadd.d", "amoxor.d",   "amoand.d",  "amoor.d",   "amomin.d", "amomax.d", "amominu.d",
        "amomaxu.d"};
    static_assert(sizeof(names) / sizeof(names[0]) == static_cast<size_t>(op::count_),
                  "op_name table out of step with the op enum");
    return names[static_cast<unsigned>(o)];
}

} // namespace rainier::rv64
