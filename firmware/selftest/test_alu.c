/* Integer ALU (RV64I register and immediate forms, W forms, shifts at the edges) and the M
 * extension (multiply high variants, division by zero and signed overflow). All operations
 * run as uncompressed instructions on run-time register values; the expected values are
 * computed by hand from the ISA manual. */
#include <stdint.h>

#include "check.h"

#define MIN64 0x8000000000000000ULL
#define MAX64 0x7fffffffffffffffULL
#define ALL1 0xffffffffffffffffULL

static void test_rr(void) {
    check_group("add/sub/logic/compare");
    CHECK_EQ("add", OP_RR("add", 1, 2), 3);
    CHECK_EQ("add overflow", OP_RR("add", MAX64, 1), MIN64);
    CHECK_EQ("add -1+1", OP_RR("add", ALL1, 1), 0);
    CHECK_EQ("sub", OP_RR("sub", 0, 1), ALL1);
    CHECK_EQ("sub underflow", OP_RR("sub", MIN64, 1), MAX64);
    CHECK_EQ("and", OP_RR("and", 0xff00ff00ff00ff00ULL, 0x0ff00ff00ff00ff0ULL),
             0x0f000f000f000f00ULL);
    CHECK_EQ("or", OP_RR("or", 0xff00ff00ff00ff00ULL, 0x0ff00ff00ff00ff0ULL),
             0xfff0fff0fff0fff0ULL);
    CHECK_EQ("xor", OP_RR("xor", 0xff00ff00ff00ff00ULL, 0x0ff00ff00ff00ff0ULL),
             0xf0f0f0f0f0f0f0f0ULL);
    CHECK_EQ("slt -1<1", OP_RR("slt", ALL1, 1), 1);
    CHECK_EQ("slt 1<-1", OP_RR("slt", 1, ALL1), 0);
    CHECK_EQ("slt equal", OP_RR("slt", 5, 5), 0);
    CHECK_EQ("sltu -1<1", OP_RR("sltu", ALL1, 1), 0);
    CHECK_EQ("sltu 1<-1", OP_RR("sltu", 1, ALL1), 1);
    CHECK_EQ("sltu min/max", OP_RR("sltu", MAX64, MIN64), 1);

    check_group("immediates/lui/auipc");
    CHECK_EQ("addi -6", OP_RI("addi", 5, -6), ALL1);
    CHECK_EQ("addi 2047", OP_RI("addi", 1, 2047), 2048);
    CHECK_EQ("addi -2048", OP_RI("addi", 0, -2048), 0xfffffffffffff800ULL);
    CHECK_EQ("slti", OP_RI("slti", -5, -4), 1);
    CHECK_EQ("slti false", OP_RI("slti", -4, -5), 0);
    CHECK_EQ("sltiu seqz", OP_RI("sltiu", 0, 1), 1);
    CHECK_EQ("sltiu imm sign-extends", OP_RI("sltiu", 5, -1), 1);
    CHECK_EQ("andi -16", OP_RI("andi", 0x123456789abcdef7ULL, -16), 0x123456789abcdef0ULL);
    CHECK_EQ("andi 0x7ff", OP_RI("andi", ALL1, 0x7ff), 0x7ff);
    CHECK_EQ("ori", OP_RI("ori", 0x1000, 0x7ff), 0x17ff);
    CHECK_EQ("ori -1", OP_RI("ori", 0, -1), ALL1);
    CHECK_EQ("xori not", OP_RI("xori", 0x00ff00ff00ff00ffULL, -1), 0xff00ff00ff00ff00ULL);
    uint64_t v;
    __asm__ volatile(NORVC("lui %0, 0x80000") : "=r"(v));
    CHECK_EQ("lui sign-extends", v, 0xffffffff80000000ULL);
    __asm__ volatile(NORVC("lui %0, 0x7ffff") : "=r"(v));
    CHECK_EQ("lui", v, 0x7ffff000);
    uint64_t pc, label;
    __asm__ volatile(NORVC("1: auipc %0, 0\n\tlla %1, 1b") : "=r"(pc), "=r"(label));
    CHECK_EQ("auipc 0", pc, label);
    __asm__ volatile(NORVC("1: auipc %0, 1\n\tlla %1, 1b") : "=r"(pc), "=r"(label));
    CHECK_EQ("auipc 1", pc - label, 0x1000);
    __asm__ volatile(NORVC("1: auipc %0, 0xfffff\n\tlla %1, 1b") : "=r"(pc), "=r"(label));
    CHECK_EQ("auipc -1", pc - label, (uint64_t)-0x1000);
}

static void test_shifts(void) {
    check_group("shifts 64-bit");
    CHECK_EQ("sll 0", OP_RR("sll", 1, 0), 1);
    CHECK_EQ("sll 31", OP_RR("sll", 1, 31), 0x80000000ULL);
    CHECK_EQ("sll 32", OP_RR("sll", 1, 32), 0x100000000ULL);
    CHECK_EQ("sll 63", OP_RR("sll", 1, 63), MIN64);
    CHECK_EQ("sll 64 uses 6 bits", OP_RR("sll", 1, 64), 1);
    CHECK_EQ("sll 65 uses 6 bits", OP_RR("sll", 1, 65), 2);
    CHECK_EQ("srl 0", OP_RR("srl", MIN64, 0), MIN64);
    CHECK_EQ("srl 31", OP_RR("srl", MIN64, 31), 0x100000000ULL);
    CHECK_EQ("srl 32", OP_RR("srl", MIN64, 32), 0x80000000ULL);
    CHECK_EQ("srl 63", OP_RR("srl", MIN64, 63), 1);
    CHECK_EQ("sra 0", OP_RR("sra", MIN64, 0), MIN64);
    CHECK_EQ("sra 31", OP_RR("sra", MIN64, 31), 0xffffffff00000000ULL);
    CHECK_EQ("sra 32", OP_RR("sra", MIN64, 32), 0xffffffff80000000ULL);
    CHECK_EQ("sra 63", OP_RR("sra", MIN64, 63), ALL1);
    CHECK_EQ("sra positive", OP_RR("sra", MAX64, 63), 0);
    CHECK_EQ("slli 0", OP_RI("slli", 1, 0), 1);
    CHECK_EQ("slli 31", OP_RI("slli", 1, 31), 0x80000000ULL);
    CHECK_EQ("slli 32", OP_RI("slli", 1, 32), 0x100000000ULL);
    CHECK_EQ("slli 63", OP_RI("slli", 3, 63), MIN64);
    CHECK_EQ("srli 0", OP_RI("srli", MIN64, 0), MIN64);
    CHECK_EQ("srli 31", OP_RI("srli", MIN64, 31), 0x100000000ULL);
    CHECK_EQ("srli 32", OP_RI("srli", MIN64, 32), 0x80000000ULL);
    CHECK_EQ("srli 63", OP_RI("srli", MIN64, 63), 1);
    CHECK_EQ("srai 0", OP_RI("srai", MIN64, 0), MIN64);
    CHECK_EQ("srai 31", OP_RI("srai", MIN64, 31), 0xffffffff00000000ULL);
    CHECK_EQ("srai 32", OP_RI("srai", MIN64, 32), 0xffffffff80000000ULL);
    CHECK_EQ("srai 63", OP_RI("srai", MIN64, 63), ALL1);
}

static void test_word(void) {
    check_group("W ops (32-bit, sign-extended)");
    CHECK_EQ("addw overflow", OP_RR("addw", 0x7fffffff, 1), 0xffffffff80000000ULL);
    CHECK_EQ("addw wraps", OP_RR("addw", 0xffffffff, 1), 0);
    CHECK_EQ("addw ignores upper", OP_RR("addw", 0x100000005ULL, 0x200000003ULL), 8);
    CHECK_EQ("subw", OP_RR("subw", 0, 1), ALL1);
    CHECK_EQ("subw underflow", OP_RR("subw", 0x80000000, 1), 0x7fffffff);
    CHECK_EQ("addiw overflow", OP_RI("addiw", 0x7fffffff, 1), 0xffffffff80000000ULL);
    CHECK_EQ("addiw 0 = sext.w", OP_RI("addiw", 0x80000000ULL, 0), 0xffffffff80000000ULL);
    CHECK_EQ("addiw 0 positive", OP_RI("addiw", 0x123456787fffffffULL, 0), 0x7fffffff);
    CHECK_EQ("addiw -1", OP_RI("addiw", 0, -1), ALL1);
    CHECK_EQ("sllw 0", OP_RR("sllw", 1, 0), 1);
    CHECK_EQ("sllw 31", OP_RR("sllw", 1, 31), 0xffffffff80000000ULL);
    CHECK_EQ("sllw 32 uses 5 bits", OP_RR("sllw", 1, 32), 1);
    CHECK_EQ("sllw 63 uses 5 bits", OP_RR("sllw", 3, 63), 0xffffffff80000000ULL);
    CHECK_EQ("srlw 0 sign-extends", OP_RR("srlw", 0x80000000ULL, 0), 0xffffffff80000000ULL);
    CHECK_EQ("srlw 31", OP_RR("srlw", 0x80000000ULL, 31), 1);
    CHECK_EQ("srlw 32 uses 5 bits", OP_RR("srlw", 0x80000000ULL, 32), 0xffffffff80000000ULL);
    CHECK_EQ("srlw ignores upper", OP_RR("srlw", 0xffffffff00000010ULL, 4), 1);
    CHECK_EQ("sraw 0", OP_RR("sraw", 0x80000000ULL, 0), 0xffffffff80000000ULL);
    CHECK_EQ("sraw 4", OP_RR("sraw", 0x80000000ULL, 4), 0xfffffffff8000000ULL);
    CHECK_EQ("sraw 31", OP_RR("sraw", 0x80000000ULL, 31), ALL1);
    CHECK_EQ("sraw 31 positive", OP_RR("sraw", 0xffffffff7fffffffULL, 31), 0);
    CHECK_EQ("slliw 0", OP_RI("slliw", 1, 0), 1);
    CHECK_EQ("slliw 31", OP_RI("slliw", 1, 31), 0xffffffff80000000ULL);
    CHECK_EQ("srliw 0 sign-extends", OP_RI("srliw", 0xffffffff, 0), ALL1);
    CHECK_EQ("srliw 1", OP_RI("srliw", 0x80000000ULL, 1), 0x40000000);
    CHECK_EQ("srliw 31", OP_RI("srliw", 0x80000000ULL, 31), 1);
    CHECK_EQ("sraiw 0", OP_RI("sraiw", 0x80000000ULL, 0), 0xffffffff80000000ULL);
    CHECK_EQ("sraiw 31", OP_RI("sraiw", 0x80000000ULL, 31), ALL1);
}

static void test_muldiv(void) {
    check_group("mul/mulh/mulhsu/mulhu");
    CHECK_EQ("mul", OP_RR("mul", 3, -7), (uint64_t)-21);
    CHECK_EQ("mul low 64", OP_RR("mul", 0x100000000ULL, 0x100000000ULL), 0);
    CHECK_EQ("mulh 2^32*2^32", OP_RR("mulh", 0x100000000ULL, 0x100000000ULL), 1);
    CHECK_EQ("mulh -1*-1", OP_RR("mulh", ALL1, ALL1), 0);
    CHECK_EQ("mulh -1*1", OP_RR("mulh", ALL1, 1), ALL1);
    CHECK_EQ("mulh min*min", OP_RR("mulh", MIN64, MIN64), 0x4000000000000000ULL);
    CHECK_EQ("mulh min*-1", OP_RR("mulh", MIN64, ALL1), 0);
    CHECK_EQ("mulhu max*max", OP_RR("mulhu", ALL1, ALL1), 0xfffffffffffffffeULL);
    CHECK_EQ("mulhu 2^63*2", OP_RR("mulhu", MIN64, 2), 1);
    CHECK_EQ("mulhsu -1*max", OP_RR("mulhsu", ALL1, ALL1), ALL1);
    CHECK_EQ("mulhsu -1*1", OP_RR("mulhsu", ALL1, 1), ALL1);
    CHECK_EQ("mulhsu 1*max", OP_RR("mulhsu", 1, ALL1), 0);
    CHECK_EQ("mulhsu min*max", OP_RR("mulhsu", MIN64, ALL1), MIN64);
    CHECK_EQ("mulw", OP_RR("mulw", 0x7fffffff, 2), 0xfffffffffffffffeULL);
    CHECK_EQ("mulw ignores upper", OP_RR("mulw", 0x100000003ULL, 5), 15);

    check_group("div/divu/rem/remu");
    CHECK_EQ("div truncates", OP_RR("div", -7, 2), (uint64_t)-3);
    CHECK_EQ("rem sign of dividend", OP_RR("rem", -7, 2), ALL1);
    CHECK_EQ("div neg divisor", OP_RR("div", 7, -2), (uint64_t)-3);
    CHECK_EQ("rem neg divisor", OP_RR("rem", 7, -2), 1);
    CHECK_EQ("divu", OP_RR("divu", ALL1, 2), MAX64);
    CHECK_EQ("remu", OP_RR("remu", ALL1, 2), 1);
    CHECK_EQ("div by zero", OP_RR("div", 42, 0), ALL1);
    CHECK_EQ("divu by zero", OP_RR("divu", 42, 0), ALL1);
    CHECK_EQ("rem by zero", OP_RR("rem", -42, 0), (uint64_t)-42);
    CHECK_EQ("remu by zero", OP_RR("remu", 42, 0), 42);
    CHECK_EQ("div overflow", OP_RR("div", MIN64, ALL1), MIN64);
    CHECK_EQ("rem overflow", OP_RR("rem", MIN64, ALL1), 0);

    check_group("divw/divuw/remw/remuw");
    CHECK_EQ("divw", OP_RR("divw", -7, 2), (uint64_t)-3);
    CHECK_EQ("remw", OP_RR("remw", -7, 2), ALL1);
    CHECK_EQ("divw overflow", OP_RR("divw", 0x80000000ULL, ALL1), 0xffffffff80000000ULL);
    CHECK_EQ("remw overflow", OP_RR("remw", 0x80000000ULL, ALL1), 0);
    CHECK_EQ("divw by zero", OP_RR("divw", 5, 0), ALL1);
    CHECK_EQ("divuw by zero", OP_RR("divuw", 5, 0), ALL1);
    CHECK_EQ("remw by zero", OP_RR("remw", 5, 0), 5);
    CHECK_EQ("remuw by zero sign-extends", OP_RR("remuw", 0x80000000ULL, 0), 0xffffffff80000000ULL);
    CHECK_EQ("divuw", OP_RR("divuw", 0xffffffff, 2), 0x7fffffff);
    CHECK_EQ("remuw", OP_RR("remuw", 0xffffffff, 2), 1);
    CHECK_EQ("divuw ignores upper", OP_RR("divuw", 0x100000006ULL, 3), 2);
    CHECK_EQ("divuw result sign-extends", OP_RR("divuw", 0x80000000ULL, 1), 0xffffffff80000000ULL);
    CHECK_EQ("divw ignores upper", OP_RR("divw", 0x5fffffff9ULL, 0x100000002ULL), (uint64_t)-3);
}

int main(void) {
    test_rr();
    test_shifts();
    test_word();
    test_muldiv();
    return check_done("test_alu");
}
