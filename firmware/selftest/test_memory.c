/* Loads and stores of every width (sign and zero extension, positive and negative offsets),
 * fences, branches (taken and not, signed vs unsigned) and jumps (link values, jalr clearing
 * bit 0). Uncompressed encodings; test_compressed covers the 16-bit forms. */
#include <stdint.h>
#include <string.h>

#include "check.h"

static uint8_t buf[32] __attribute__((aligned(16)));

#define LOAD(insn, base, off)                                                                      \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__ volatile(NORVC(insn " %0, %2(%1)") : "=r"(r_) : "r"(base), "i"(off) : "memory");   \
        r_;                                                                                        \
    })
#define STORE(insn, v, base, off)                                                                  \
    __asm__ volatile(NORVC(insn " %0, %2(%1)")::"r"((uint64_t)(v)), "r"(base), "i"(off)            \
                     : "memor"                                                                     \
                       "y")

static uint64_t rd64(unsigned off) {
    uint64_t v;
    memcpy(&v, buf + off, 8);
    return v;
}

static void test_loads(void) {
    check_group("loads");
    for (unsigned i = 0; i < 16; i++)
        buf[i] = (uint8_t)(0x80 + i);
    for (unsigned i = 16; i < 32; i++)
        buf[i] = (uint8_t)(0x70 + i - 16);
    uint8_t* p = buf;
    CHECK_EQ("lb negative", LOAD("lb", p, 0), 0xffffffffffffff80ULL);
    CHECK_EQ("lbu", LOAD("lbu", p, 0), 0x80);
    CHECK_EQ("lb positive", LOAD("lb", p, 16), 0x70);
    CHECK_EQ("lh negative", LOAD("lh", p, 0), 0xffffffffffff8180ULL);
    CHECK_EQ("lhu", LOAD("lhu", p, 0), 0x8180);
    CHECK_EQ("lh positive", LOAD("lh", p, 16), 0x7170);
    CHECK_EQ("lw negative", LOAD("lw", p, 0), 0xffffffff83828180ULL);
    CHECK_EQ("lwu", LOAD("lwu", p, 0), 0x83828180ULL);
    CHECK_EQ("lw positive", LOAD("lw", p, 16), 0x73727170);
    CHECK_EQ("ld", LOAD("ld", p, 8), 0x8f8e8d8c8b8a8988ULL);
    CHECK_EQ("ld positive", LOAD("ld", p, 16), 0x7776757473727170ULL);
    uint8_t* q = buf + 16;
    CHECK_EQ("lb offset -1", LOAD("lb", q, -1), 0xffffffffffffff8fULL);
    CHECK_EQ("lhu offset -2", LOAD("lhu", q, -2), 0x8f8e);
    CHECK_EQ("lw offset -4", LOAD("lw", q, -4), 0xffffffff8f8e8d8cULL);
    CHECK_EQ("ld offset -16", LOAD("ld", q, -16), 0x8786858483828180ULL);
    uint8_t* far = (uint8_t*)((uintptr_t)buf + 2047);
    CHECK_EQ("lbu offset -2047", LOAD("lbu", far, -2047), 0x80);
    uint8_t* near = (uint8_t*)((uintptr_t)buf - 2047);
    CHECK_EQ("lbu offset 2047", LOAD("lbu", near, 2047), 0x80);
    uint64_t v = 0x1122;
    __asm__ volatile(NORVC("ld zero, 0(%0)")::"r"(buf) : "memory");
    __asm__ volatile(NORVC("mv %0, zero") : "=r"(v));
    CHECK_EQ("load to x0 discarded", v, 0);
}

static void test_stores(void) {
    check_group("stores");
    memset(buf, 0, sizeof buf);
    uint8_t* p = buf;
    STORE("sb", 0x1234567890abcdefULL, p, 1);
    CHECK_EQ("sb writes one byte", rd64(0), 0xef00);
    STORE("sh", 0x1234567890abcdefULL, p, 2);
    CHECK_EQ("sh writes two bytes", rd64(0), 0xcdefef00ULL);
    STORE("sw", 0x1234567890abcdefULL, p, 4);
    CHECK_EQ("sw writes four bytes", rd64(0), 0x90abcdefcdefef00ULL);
    STORE("sd", 0x1234567890abcdefULL, p, 8);
    CHECK_EQ("sd", rd64(8), 0x1234567890abcdefULL);
    CHECK_EQ("sd leaves the word below", rd64(0), 0x90abcdefcdefef00ULL);
    CHECK_EQ("sd leaves the word above", rd64(16), 0);
    uint8_t* q = buf + 24;
    STORE("sw", 0xa5a5a5a5ULL, q, -4);
    CHECK_EQ("sw offset -4", rd64(16), 0xa5a5a5a500000000ULL);
    STORE("sb", 0x7f, q, -9);
    CHECK_EQ("sb offset -9", rd64(8), 0x7f34567890abcdefULL);
    __asm__ volatile(
        NORVC("fence\n\tfence rw, rw\n\tfence r, r\n\tfence w, w\n\tfence iorw, iorw")::
            : "memory");
    CHECK("fences execute", 1);
}

#define BR(insn, a, b)                                                                             \
    ({                                                                                             \
        uint64_t t_;                                                                               \
        __asm__ volatile(NORVC("li %0, 1\n\t" insn " %1, %2, 1f\n\tli %0, 0\n1:")                  \
                         : "=&r"(t_)                                                               \
                         : "r"((uint64_t)(a)), "r"((uint64_t)(b)));                                \
        t_;                                                                                        \
    })

static void test_branches(void) {
    check_group("branches");
    CHECK_EQ("beq taken", BR("beq", 5, 5), 1);
    CHECK_EQ("beq not taken", BR("beq", 5, 6), 0);
    CHECK_EQ("bne taken", BR("bne", 5, 6), 1);
    CHECK_EQ("bne not taken", BR("bne", 5, 5), 0);
    CHECK_EQ("blt -1<1", BR("blt", -1, 1), 1);
    CHECK_EQ("blt 1<-1", BR("blt", 1, -1), 0);
    CHECK_EQ("blt equal", BR("blt", 3, 3), 0);
    CHECK_EQ("bge 1>=-1", BR("bge", 1, -1), 1);
    CHECK_EQ("bge equal", BR("bge", 3, 3), 1);
    CHECK_EQ("bge -1>=1", BR("bge", -1, 1), 0);
    CHECK_EQ("bltu -1<1", BR("bltu", -1, 1), 0);
    CHECK_EQ("bltu 1<-1", BR("bltu", 1, -1), 1);
    CHECK_EQ("bgeu -1>=1", BR("bgeu", -1, 1), 1);
    CHECK_EQ("bgeu 1>=-1", BR("bgeu", 1, -1), 0);
    CHECK_EQ("bgeu equal", BR("bgeu", 0, 0), 1);
    uint64_t n = 0;
    __asm__ volatile(NORVC("li t0, 10\n1:\n\taddi %0, %0, 3\n\taddi t0, t0, -1\n\tbnez t0, 1b")
                     : "+r"(n)::"t0");
    CHECK_EQ("backward branch loop", n, 30);
}

static void test_jumps(void) {
    check_group("jal/jalr");
    uint64_t link, expect;
    __asm__ volatile(NORVC("jal %0, 1f\n2:\n\tnop\n1:\n\tlla %1, 2b") : "=r"(link), "=r"(expect));
    CHECK_EQ("jal links pc+4", link, expect);
    __asm__ volatile(NORVC("lla t0, 1f\n\tjalr %0, 0(t0)\n2:\n\tnop\n1:\n\tlla %1, 2b")
                     : "=r"(link), "=r"(expect)::"t0");
    CHECK_EQ("jalr links pc+4", link, expect);
    uint64_t skipped = 0;
    __asm__ volatile(NORVC("lla t0, 1f\n\tjalr zero, 1(t0)\n\tli %0, 1\n1:") : "+r"(skipped)::"t0");
    CHECK_EQ("jalr clears bit 0 of the target", skipped, 0);
    __asm__ volatile(NORVC("lla t0, 1f - 8\n\tjalr zero, 8(t0)\n\tli %0, 1\n1:")
                     : "+r"(skipped)::"t0");
    CHECK_EQ("jalr adds the offset", skipped, 0);
    /* rd == rs1: the target uses the old value, then the link overwrites it. */
    __asm__ volatile(NORVC("lla %0, 1f\n\tjalr %0, 0(%0)\n2:\n\tnop\n1:\n\tlla %1, 2b")
                     : "=&r"(link), "=r"(expect));
    CHECK_EQ("jalr rd == rs1", link, expect);
    __asm__ volatile(NORVC("jal zero, 1f\n\tli %0, 1\n1:") : "+r"(skipped));
    CHECK_EQ("jal x0 (j)", skipped, 0);
}

int main(void) {
    test_loads();
    test_stores();
    test_branches();
    test_jumps();
    return check_done("test_memory");
}
