/* Minimal self-test framework: checks print nothing when they pass, a FAIL line when they
 * do not, and each group ends with one summary line. All output is deterministic (no times,
 * no addresses) so the console of two platforms can be compared byte for byte. */
#ifndef SELFTEST_CHECK_H
#define SELFTEST_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#define CHECK_EQ(what, got, want) check_eq(__LINE__, (what), (uint64_t)(got), (uint64_t)(want))
#define CHECK(what, cond) check_eq(__LINE__, (what), (cond) ? 1 : 0, 1)

void check_eq(int line, const char* what, uint64_t got, uint64_t want);
/* Ends the previous group (printing its summary) and starts a new one. */
void check_group(const char* name);
/* Ends the last group and prints the verdict; returns the exit code for main. */
int check_done(const char* test_name);

/* Instructions emitted exactly as written: no compression by the assembler. */
#define NORVC(insns) ".option push\n\t.option norvc\n\t" insns "\n\t.option pop"

/* One instruction on registers / an immediate, the result returned. */
#define OP_RR(insn, a, b)                                                                          \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__ volatile(NORVC(insn " %0, %1, %2")                                                 \
                         : "=r"(r_)                                                                \
                         : "r"((uint64_t)(a)), "r"((uint64_t)(b)));                                \
        r_;                                                                                        \
    })
#define OP_RI(insn, a, imm)                                                                        \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__ volatile(NORVC(insn " %0, %1, %2") : "=r"(r_) : "r"((uint64_t)(a)), "i"(imm));     \
        r_;                                                                                        \
    })

#endif
