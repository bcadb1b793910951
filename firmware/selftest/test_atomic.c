/* A extension: LR/SC success and failure, every AMO in .w and .d form (return value, memory
 * result, sign extension of .w results, neighbouring word untouched), aq/rl variants. */
#include <stdint.h>

#include "check.h"

static volatile uint64_t cell[4] __attribute__((aligned(16)));

#define AMO(insn, addr, val)                                                                       \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__ volatile(insn " %0, %2, (%1)"                                                      \
                         : "=r"(r_)                                                                \
                         : "r"(addr), "r"((uint64_t)(val))                                         \
                         : "memory");                                                              \
        r_;                                                                                        \
    })

static void test_lrsc(void) {
    uint64_t v, fail;
    check_group("lr/sc");
    cell[0] = 0x1111222233334444ULL;
    __asm__ volatile("lr.d %0, (%2)\n\taddi %0, %0, 1\n\tsc.d %1, %0, (%2)"
                     : "=&r"(v), "=&r"(fail)
                     : "r"(&cell[0])
                     : "memory");
    CHECK_EQ("lr.d/sc.d succeeds", fail, 0);
    CHECK_EQ("sc.d stored", cell[0], 0x1111222233334445ULL);
    __asm__ volatile("sc.d %0, %1, (%2)" : "=r"(fail) : "r"(7), "r"(&cell[0]) : "memory");
    CHECK("sc.d without reservation fails", fail != 0);
    CHECK_EQ("failed sc.d stores nothing", cell[0], 0x1111222233334445ULL);
    cell[1] = 5;
    __asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %0, (%3)"
                     : "=&r"(v), "=&r"(fail)
                     : "r"(&cell[0]), "r"(&cell[1])
                     : "memory");
    CHECK("sc.d to another address fails", fail != 0);
    CHECK_EQ("failed sc.d stores nothing (2)", cell[1], 5);

    cell[2] = 0xaaaaaaaa80000000ULL;
    __asm__ volatile("lr.w %0, (%2)\n\tsc.w %1, %3, (%2)"
                     : "=&r"(v), "=&r"(fail)
                     : "r"(&cell[2]), "r"(0x7fffffffULL)
                     : "memory");
    CHECK_EQ("lr.w sign-extends", v, 0xffffffff80000000ULL);
    CHECK_EQ("lr.w/sc.w succeeds", fail, 0);
    CHECK_EQ("sc.w writes 32 bits", cell[2], 0xaaaaaaaa7fffffffULL);
    __asm__ volatile("sc.w %0, %1, (%2)" : "=r"(fail) : "r"(0), "r"(&cell[2]) : "memory");
    CHECK("sc.w without reservation fails", fail != 0);
    CHECK_EQ("failed sc.w stores nothing", cell[2], 0xaaaaaaaa7fffffffULL);
    __asm__ volatile("lr.w.aq %0, (%2)\n\tsc.w.rl %1, %0, (%2)"
                     : "=&r"(v), "=&r"(fail)
                     : "r"(&cell[2])
                     : "memory");
    CHECK_EQ("lr.w.aq/sc.w.rl succeeds", fail, 0);
    __asm__ volatile("lr.d.aqrl %0, (%2)\n\tsc.d.aqrl %1, %0, (%2)"
                     : "=&r"(v), "=&r"(fail)
                     : "r"(&cell[2])
                     : "memory");
    CHECK_EQ("lr.d.aqrl/sc.d.aqrl succeeds", fail, 0);
}

#define MEM_D 0x8000000000000005ULL
#define MEM_W 0x80000005ULL
#define HIGH_W 0xaaaaaaaa00000000ULL

/* Runs one AMO on a fresh cell and checks the old value returned and the memory result. */
#define AMO_D(insn, operand, want_mem)                                                             \
    do {                                                                                           \
        cell[0] = MEM_D;                                                                           \
        CHECK_EQ(insn " returns old", AMO(insn, &cell[0], operand), MEM_D);                        \
        CHECK_EQ(insn " memory", cell[0], want_mem);                                               \
    } while (0)
#define AMO_W(insn, operand, want_mem)                                                             \
    do {                                                                                           \
        cell[1] = HIGH_W | MEM_W;                                                                  \
        CHECK_EQ(insn " returns old, sign-extended", AMO(insn, &cell[1], operand),                 \
                 0xffffffff80000005ULL);                                                           \
        CHECK_EQ(insn " memory", cell[1], HIGH_W | (want_mem));                                    \
    } while (0)

static void test_amo(void) {
    check_group("amo*.d");
    AMO_D("amoswap.d", 3, 3);
    AMO_D("amoadd.d", 3, 0x8000000000000008ULL);
    AMO_D("amoxor.d", 3, 0x8000000000000006ULL);
    AMO_D("amoand.d", 3, 1);
    AMO_D("amoor.d", 3, 0x8000000000000007ULL);
    AMO_D("amomin.d", 3, MEM_D);
    AMO_D("amomax.d", 3, 3);
    AMO_D("amominu.d", 3, 3);
    AMO_D("amomaxu.d", 3, MEM_D);
    AMO_D("amoadd.d.aq", 3, 0x8000000000000008ULL);
    AMO_D("amoadd.d.rl", 3, 0x8000000000000008ULL);
    AMO_D("amoadd.d.aqrl", 3, 0x8000000000000008ULL);

    /* The operand's upper half is garbage: .w forms must use only its low 32 bits. */
    check_group("amo*.w");
    const uint64_t op = 0xffffffff00000003ULL;
    AMO_W("amoswap.w", op, 3);
    AMO_W("amoadd.w", op, 0x80000008ULL);
    AMO_W("amoxor.w", op, 0x80000006ULL);
    AMO_W("amoand.w", op, 1);
    AMO_W("amoor.w", op, 0x80000007ULL);
    AMO_W("amomin.w", op, MEM_W);
    AMO_W("amomax.w", op, 3);
    AMO_W("amominu.w", op, 3);
    AMO_W("amomaxu.w", op, MEM_W);
    AMO_W("amoadd.w.aqrl", op, 0x80000008ULL);
    cell[1] = HIGH_W | MEM_W;
    AMO("amoadd.w", &cell[1], 0x7ffffffbULL);
    CHECK_EQ("amoadd.w carry stays in the word", cell[1], HIGH_W);

    check_group("amo rd=x0");
    cell[0] = 40;
    __asm__ volatile("amoadd.d zero, %1, (%0)" ::"r"(&cell[0]), "r"(2) : "memory");
    CHECK_EQ("amoadd.d zero", cell[0], 42);
}

int main(void) {
    test_lrsc();
    test_amo();
    return check_done("test_atomic");
}
