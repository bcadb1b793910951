/* C extension: the hand-written c.* routines in compressed.S. (The rest of every image is
 * compiled with C on as well, so compressed code runs everywhere.) */
#include <stdint.h>

#include "board/trap.h"
#include "check.h"

uint64_t cx_li_addi(void);
uint64_t cx_addiw1(uint64_t);
uint64_t cx_addiw0(uint64_t);
uint64_t cx_lui_pos(void);
uint64_t cx_lui_neg(void);
uint64_t cx_sp_adjust(void);
void cx_stack_mem(uint64_t, uint64_t*);
void cx_reg_mem(uint64_t, uint64_t*);
uint64_t cx_srli1(uint64_t), cx_srli63(uint64_t), cx_srai32(uint64_t), cx_srai63(uint64_t);
uint64_t cx_slli32(uint64_t), cx_slli63(uint64_t), cx_andi_m16(uint64_t), cx_andi_31(uint64_t);
uint64_t cx_sub(uint64_t, uint64_t), cx_xor(uint64_t, uint64_t), cx_or(uint64_t, uint64_t);
uint64_t cx_and(uint64_t, uint64_t), cx_subw(uint64_t, uint64_t), cx_addw(uint64_t, uint64_t);
uint64_t cx_add(uint64_t, uint64_t), cx_mv(uint64_t, uint64_t);
uint64_t cx_li_upper(void);
uint64_t cx_loop(uint64_t);
uint64_t cx_bnez(uint64_t);
uint64_t cx_jalr_link(void);
uint64_t cx_call(uint64_t (*)(void));
uint64_t cx_ebreak(uint64_t*);

int main(void) {
    check_group("c.li/addi/addiw/lui/nop");
    CHECK_EQ("c.li, c.addi", cx_li_addi(), 4);
    CHECK_EQ("c.addiw overflow", cx_addiw1(0x7fffffff), 0xffffffff80000000ULL);
    CHECK_EQ("c.addiw 0 = sext.w", cx_addiw0(0x1234567880000001ULL), 0xffffffff80000001ULL);
    CHECK_EQ("c.lui", cx_lui_pos(), 0x1f000);
    CHECK_EQ("c.lui negative", cx_lui_neg(), 0xfffffffffffe0000ULL);
    CHECK_EQ("c.li/c.addi on x31", cx_li_upper(), 7);

    check_group("c.addi16sp/addi4spn/sp loads+stores");
    CHECK_EQ("c.addi16sp, c.addi4spn", cx_sp_adjust(), 48);
    uint64_t out[4] = {0, 0, 0, 0};
    cx_stack_mem(0x89abcdef80000001ULL, out);
    CHECK_EQ("c.sdsp/c.ldsp", out[0], 0x89abcdef80000001ULL);
    CHECK_EQ("c.swsp/c.lwsp sign-extends", out[1], 0xffffffff80000001ULL);

    check_group("c.lw/c.sw/c.ld/c.sd");
    out[0] = out[1] = out[2] = out[3] = 0;
    cx_reg_mem(0x01234567fedcba98ULL, out);
    CHECK_EQ("c.sw at +4", out[0], 0xfedcba9800000000ULL);
    CHECK_EQ("c.sd", out[1], 0x01234567fedcba98ULL);
    CHECK_EQ("c.lw sign-extends", out[2], 0xfffffffffedcba98ULL);
    CHECK_EQ("c.ld", out[3], 0x01234567fedcba98ULL);

    check_group("c shifts/andi");
    CHECK_EQ("c.srli 1", cx_srli1(0x8000000000000002ULL), 0x4000000000000001ULL);
    CHECK_EQ("c.srli 63", cx_srli63(0x8000000000000000ULL), 1);
    CHECK_EQ("c.srai 32", cx_srai32(0x8000000000000000ULL), 0xffffffff80000000ULL);
    CHECK_EQ("c.srai 63", cx_srai63(0x8000000000000000ULL), 0xffffffffffffffffULL);
    CHECK_EQ("c.slli 32", cx_slli32(0x80000001ULL), 0x8000000100000000ULL);
    CHECK_EQ("c.slli 63", cx_slli63(3), 0x8000000000000000ULL);
    CHECK_EQ("c.andi -16", cx_andi_m16(0xffffffffffffffffULL), 0xfffffffffffffff0ULL);
    CHECK_EQ("c.andi 31", cx_andi_31(0xffffffffffffffffULL), 31);

    check_group("c register-register ops");
    CHECK_EQ("c.sub", cx_sub(0, 1), 0xffffffffffffffffULL);
    CHECK_EQ("c.xor", cx_xor(0xff00, 0x0ff0), 0xf0f0);
    CHECK_EQ("c.or", cx_or(0xff00, 0x0ff0), 0xfff0);
    CHECK_EQ("c.and", cx_and(0xff00, 0x0ff0), 0x0f00);
    CHECK_EQ("c.subw", cx_subw(0x80000000ULL, 1), 0x7fffffff);
    CHECK_EQ("c.subw sign-extends", cx_subw(0, 1), 0xffffffffffffffffULL);
    CHECK_EQ("c.addw", cx_addw(0x7fffffff, 1), 0xffffffff80000000ULL);
    CHECK_EQ("c.add", cx_add(0x7fffffff, 1), 0x80000000ULL);
    CHECK_EQ("c.mv", cx_mv(1, 0x5a5a), 0x5a5a);

    check_group("c branches/jumps");
    CHECK_EQ("c.beqz/c.j loop", cx_loop(5), 15);
    CHECK_EQ("c.beqz loop zero", cx_loop(0), 0);
    CHECK_EQ("c.bnez taken", cx_bnez(0x100000000ULL), 1);
    CHECK_EQ("c.bnez not taken", cx_bnez(0), 0);
    CHECK_EQ("c.jalr links pc+2", cx_jalr_link(), 2);
    CHECK_EQ("c.jalr call", cx_call(cx_li_addi), 4);

    check_group("c.ebreak");
    uint64_t at = 0;
    trap_expect();
    uint64_t r = cx_ebreak(&at);
    struct trap_record t = trap_expect_end();
    CHECK("c.ebreak traps", t.taken);
    CHECK_EQ("c.ebreak mcause", t.mcause, 3);
    CHECK_EQ("c.ebreak mepc", t.mepc, at);
    CHECK_EQ("execution resumes after c.ebreak", r, 7);
    return check_done("test_compressed");
}
