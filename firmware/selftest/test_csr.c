/* Zicsr (csrrw/csrrs/csrrc and the immediate forms, read-only and WARL behaviour that the ISA
 * fixes) and Zifencei (code written to memory, then executed after fence.i). */
#include <stdint.h>

#include "board/clint.h"
#include "board/riscv.h"
#include "board/trap.h"
#include "check.h"

#define CSR_OP(insn, csr, v)                                                                       \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__ volatile(insn " %0, " #csr ", %1" : "=r"(r_) : "r"((uint64_t)(v)) : "memory");     \
        r_;                                                                                        \
    })
#define CSR_OPI(insn, csr, imm)                                                                    \
    ({                                                                                             \
        uint64_t r_;                                                                               \
        __asm__ volatile(insn " %0, " #csr ", %1" : "=r"(r_) : "i"(imm) : "memory");               \
        r_;                                                                                        \
    })

static void test_zicsr(void) {
    check_group("csrrw/csrrs/csrrc");
    csr_write(mscratch, 0x0123456789abcdefULL);
    CHECK_EQ("csrrw returns old", CSR_OP("csrrw", mscratch, 0xfedcba9876543210ULL),
             0x0123456789abcdefULL);
    CHECK_EQ("csrrw wrote", csr_read(mscratch), 0xfedcba9876543210ULL);
    CHECK_EQ("csrrs returns old", CSR_OP("csrrs", mscratch, 0x0f), 0xfedcba9876543210ULL);
    CHECK_EQ("csrrs set bits", csr_read(mscratch), 0xfedcba987654321fULL);
    CHECK_EQ("csrrc returns old", CSR_OP("csrrc", mscratch, 0xff00000000000000ULL),
             0xfedcba987654321fULL);
    CHECK_EQ("csrrc cleared bits", csr_read(mscratch), 0x00dcba987654321fULL);
    uint64_t v;
    __asm__ volatile("csrrs %0, mscratch, zero" : "=r"(v));
    CHECK_EQ("csrrs x0 reads", v, 0x00dcba987654321fULL);
    __asm__ volatile("csrrw zero, mscratch, %0" ::"r"(7ULL));
    CHECK_EQ("csrrw rd=x0 writes", csr_read(mscratch), 7);

    check_group("csrrwi/csrrsi/csrrci");
    CHECK_EQ("csrrwi returns old", CSR_OPI("csrrwi", mscratch, 31), 7);
    CHECK_EQ("csrrwi zero-extends", csr_read(mscratch), 31);
    CHECK_EQ("csrrci returns old", CSR_OPI("csrrci", mscratch, 0x15), 31);
    CHECK_EQ("csrrci cleared", csr_read(mscratch), 0x0a);
    CHECK_EQ("csrrsi returns old", CSR_OPI("csrrsi", mscratch, 0x11), 0x0a);
    CHECK_EQ("csrrsi set", csr_read(mscratch), 0x1b);
    CHECK_EQ("csrrsi 0 reads", CSR_OPI("csrrsi", mscratch, 0), 0x1b);
    CHECK_EQ("csrrwi 0", CSR_OPI("csrrwi", mscratch, 0), 0x1b);
    CHECK_EQ("csrrwi 0 wrote", csr_read(mscratch), 0);

    check_group("machine CSRs");
    uint64_t misa = csr_read(misa);
    CHECK_EQ("misa MXL = 64-bit", misa >> 62, 2);
    uint64_t need = (1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('A' - 'A')) |
                    (1u << ('C' - 'A')) | (1u << ('S' - 'A')) | (1u << ('U' - 'A'));
    CHECK_EQ("misa has I M A C S U", misa & need, need);
    CHECK_EQ("mhartid", csr_read(mhartid), 0);
    /* mepc bit 0 should read 0 (IALIGN=16) but QEMU 7.2 keeps it, so only even values. */
    csr_write(mepc, 0x80001236ULL);
    CHECK_EQ("mepc", csr_read(mepc), 0x80001236ULL);
    csr_write(sscratch, 0x5555aaaa5555aaaaULL);
    CHECK_EQ("sscratch from M-mode", csr_read(sscratch), 0x5555aaaa5555aaaaULL);
    csr_write(sscratch, 0);
    uint64_t old_mie = csr_read(mie);
    csr_write(mie, ~0ULL);
    /* M and S software/timer/external must be writable. QEMU 7.2 also keeps VS and LCOF bits
     * (reads 0x2eee), so bits outside 0xaaa are not compared. */
    CHECK_EQ("mie has M+S soft/timer/ext", csr_read(mie) & 0xaaa, 0xaaa);
    csr_write(mie, old_mie);
    csr_set(mstatus, MSTATUS_MPP);
    CHECK_EQ("mstatus.MPP set via csrs", csr_read(mstatus) & MSTATUS_MPP, MSTATUS_MPP);
    CHECK("sstatus hides mstatus.MPP", !(csr_read(sstatus) & MSTATUS_MPP));
    csr_clear(mstatus, MSTATUS_MPP);
    CHECK_EQ("mstatus.MPP cleared via csrc", csr_read(mstatus) & MSTATUS_MPP, 0);
    csr_set(mstatus, MSTATUS_MPIE);
    CHECK("mstatus.MPIE set", csr_read(mstatus) & MSTATUS_MPIE);
    csr_clear(mstatus, MSTATUS_MPIE);
    CHECK("mstatus.MPIE cleared", !(csr_read(mstatus) & MSTATUS_MPIE));
    csr_set(sstatus, MSTATUS_SIE);
    CHECK("sstatus.SIE visible in mstatus", csr_read(mstatus) & MSTATUS_SIE);
    csr_clear(mstatus, MSTATUS_SIE);
    CHECK("mstatus.SIE visible in sstatus", !(csr_read(sstatus) & MSTATUS_SIE));

    check_group("counters/time");
    uint64_t c0 = csr_read(mcycle), i0 = csr_read(minstret);
    for (volatile int i = 0; i < 100; i++) {
    }
    uint64_t c1 = csr_read(mcycle), i1 = csr_read(minstret);
    CHECK("mcycle advances", c1 > c0);
    CHECK("minstret advances by at least 100", i1 - i0 >= 100);
    uint64_t t0 = clint_mtime();
    uint64_t t1 = csr_read(time);
    uint64_t t2 = clint_mtime();
    CHECK("time CSR follows mtime", t0 <= t1 && t1 <= t2);
    while (clint_mtime() == t2) {
    }
    CHECK("mtime advances", 1);
}

/* Room for a few instructions written at run time. Any DRAM address is executable here. */
static uint32_t code[4] __attribute__((aligned(8)));

#define INSN_LI_A0(imm) (((uint32_t)(imm) << 20) | (10u << 7) | 0x13u) /* addi a0, zero, imm */
#define INSN_RET 0x00008067u                                           /* jalr zero, 0(ra) */
#define CINSN_LI_A0(imm) (0x4001u | (10u << 7) | (((imm)&0x1fu) << 2)) /* c.li a0, imm */
#define CINSN_RET 0x8082u                                              /* c.jr ra */

static uint64_t run_code(void) {
    uint64_t (*fn)(void) = (uint64_t(*)(void))(uintptr_t)code;
    return fn();
}

static void test_fencei(void) {
    check_group("fence.i");
    code[0] = INSN_LI_A0(42);
    code[1] = INSN_RET;
    __asm__ volatile("fence.i" ::: "memory");
    CHECK_EQ("run written code", run_code(), 42);
    code[0] = INSN_LI_A0(43);
    __asm__ volatile("fence.i" ::: "memory");
    CHECK_EQ("run rewritten code", run_code(), 43);
    uint16_t* c = (uint16_t*)code;
    c[0] = CINSN_LI_A0(5);
    c[1] = CINSN_RET;
    __asm__ volatile("fence.i" ::: "memory");
    CHECK_EQ("run written compressed code", run_code(), 5);
    /* A 32-bit instruction that starts at a 2-byte boundary. */
    c[0] = 0x0001; /* c.nop */
    c[1] = (uint16_t)INSN_LI_A0(44);
    c[2] = (uint16_t)(INSN_LI_A0(44) >> 16);
    c[3] = CINSN_RET;
    __asm__ volatile("fence.i" ::: "memory");
    CHECK_EQ("run 32-bit insn at 2-byte boundary", run_code(), 44);
}

int main(void) {
    test_zicsr();
    test_fencei();
    return check_done("test_csr");
}
