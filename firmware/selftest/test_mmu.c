/* Sv39 virtual memory: page tables in memory (4 KiB pages, 2 MiB megapages, 1 GiB gigapages),
 * S/U-mode loads, stores and fetches through them, every page-fault case with its cause and
 * tval, U/SUM/MXR, hardware A/D updates, sfence.vma, PMP under translation, MPRV, satp WARL
 * and TVM.
 *
 * All traps go to M-mode (medeleg = 0) unless a group delegates them. A run in S/U-mode
 * (lower.h) is one access, or a few, ended by an ecall or by the trap under test. After every
 * page-table change M-mode executes sfence.vma, so no check depends on what a TLB keeps. */
#include <stdint.h>

#include "board/riscv.h"
#include "board/trap.h"
#include "check.h"
#include "lower.h"
#include "rainier/hw/memory_map.h"

#define PTE_V 0x001
#define PTE_R 0x002
#define PTE_W 0x004
#define PTE_X 0x008
#define PTE_U 0x010
#define PTE_A 0x040
#define PTE_D 0x080
#define PTE_RWX_AD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define PTE_RW_AD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

#define PAGE_SIZE 0x1000ULL
#define MEGA_SIZE (1ULL << 21)
#define GIGA_SIZE (1ULL << 30)

/* Virtual layout. root[0] points to pt_l1, which maps VA [0, 1 GiB) in 2 MiB slots. */
#define VA_4K (1 * MEGA_SIZE)        /* pt_l1[1] -> pt_l0: 4 KiB pages, one per slot below */
#define VA_MEGA (2 * MEGA_SIZE)      /* pt_l1[2]: megapage onto DRAM, RWX */
#define VA_MEGA_MIS (3 * MEGA_SIZE)  /* pt_l1[3]: megapage with a misaligned PPN */
#define VA_MEGA_RSV (4 * MEGA_SIZE)  /* pt_l1[4]: megapage with PTE bit 63 set */
#define VA_GIGA (1 * GIGA_SIZE)      /* root[1]: gigapage onto DRAM, RW, not executable */
#define VA_IDENT RAINIER_DRAM_BASE   /* root[2]: identity gigapage, RWX: S-mode code runs here */
#define VA_GIGA_MIS (3 * GIGA_SIZE)  /* root[3]: gigapage with a misaligned PPN */
#define VA_UNMAPPED (4 * GIGA_SIZE)  /* root[4]: invalid */
#define VA_USER (5 * GIGA_SIZE)      /* root[5]: gigapage onto DRAM, RWX + U: U-mode code */
#define VA_PTR_RSV (6 * GIGA_SIZE)   /* root[6]: pointer to pt_l1 with PTE bit 60 set */
#define VA_NEG 0xffffffc000000000ULL /* root[256]: the first negative gigapage, onto DRAM, RW */

/* The 4 KiB pages at VA_4K + slot * PAGE_SIZE. */
enum {
    SLOT_RW,        /* page_a, RW */
    SLOT_RW2,       /* page_a again, RW: an alias */
    SLOT_RO,        /* page_a, read-only */
    SLOT_XO,        /* the code page, execute-only */
    SLOT_RX,        /* the code page, RX */
    SLOT_INVALID,   /* V = 0 */
    SLOT_U,         /* page_a, RW, U */
    SLOT_UX,        /* the code page, RX, U */
    SLOT_WO,        /* page_a, W without R (reserved) */
    SLOT_RSV,       /* page_a, RW, PTE bit 54 set (reserved) */
    SLOT_PBMT,      /* page_a, RW, PTE bit 61 set (PBMT, reserved without Svpbmt) */
    SLOT_NONLEAF,   /* V only, at the last level */
    SLOT_AD,        /* page_ad, RW, A = D = 0 */
    SLOT_AD_X,      /* the code page, X, A = D = 0 */
    SLOT_REMAP,     /* page_a or page_b */
    SLOT_CROSS_RW,  /* page_b, RW, followed by ... */
    SLOT_CROSS_INV, /* ... an invalid page */
    SLOT_CODE_X,    /* the code page, X, followed by ... */
    SLOT_CODE_INV,  /* ... an invalid page */
    SLOT_CODE_SWAP, /* one code page or the other */
    SLOT_SMC_RW,    /* page_code, RW */
    SLOT_SMC_X,     /* page_code, X */
};

static volatile uint64_t pt_root[512] __attribute__((aligned(4096)));
static volatile uint64_t pt_l1[512] __attribute__((aligned(4096)));
static volatile uint64_t pt_l0[512] __attribute__((aligned(4096)));
static volatile uint64_t pt_root2[512] __attribute__((aligned(4096))); /* gigapage alias only */
static volatile uint64_t page_a[512] __attribute__((aligned(4096)));
static volatile uint64_t page_b[512] __attribute__((aligned(4096)));
static volatile uint64_t page_ad[512] __attribute__((aligned(4096)));
static volatile uint32_t page_code[1024] __attribute__((aligned(4096)));
static volatile uint64_t marker = 0x6d61726b65723339ULL;

static uint64_t satp_sv39;

static uint64_t pte(uintptr_t pa, uint64_t flags) {
    return ((pa >> 12) << 10) | flags;
}
static uint64_t va4k(unsigned slot, unsigned offset) {
    return VA_4K + slot * PAGE_SIZE + offset;
}
/* The address of DRAM object p inside a mapping of DRAM that starts at va_base. */
static uint64_t alias(uint64_t va_base, const volatile void* p) {
    return va_base + ((uintptr_t)p - RAINIER_DRAM_BASE);
}
static void sfence(void) {
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
}
static void set_slot(unsigned slot, uint64_t v) {
    pt_l0[slot] = v;
    sfence();
}

static struct lower_result s_run(void (*fn)(void), uint64_t a0, uint64_t a1, uint64_t a2) {
    return lower_call(PRV_S, (uintptr_t)fn, a0, a1, a2);
}
static struct lower_result s_ld(uint64_t va) {
    return s_run(lower_ld, va, 0, 0);
}
static struct lower_result s_sd(uint64_t va, uint64_t v) {
    return s_run(lower_sd, va, v, 0);
}
static struct lower_result s_exec(uint64_t va) {
    return lower_call(PRV_S, va, 0, 0, 0);
}
/* U-mode code runs through the U gigapage. */
static struct lower_result u_ld(uint64_t va) {
    return lower_call(PRV_U, alias(VA_USER, (const void*)lower_ld), va, 0, 0);
}
static struct lower_result u_sd(uint64_t va, uint64_t v) {
    return lower_call(PRV_U, alias(VA_USER, (const void*)lower_sd), va, v, 0);
}

static void build_tables(void) {
    const uintptr_t dram = RAINIER_DRAM_BASE, code = (uintptr_t)lower_code_page;

    pt_root[0] = pte((uintptr_t)pt_l1, PTE_V);
    pt_root[1] = pte(dram, PTE_RW_AD);
    pt_root[2] = pte(dram, PTE_RWX_AD);
    pt_root[3] = pte(dram + MEGA_SIZE, PTE_RW_AD);
    pt_root[5] = pte(dram, PTE_RWX_AD | PTE_U);
    pt_root[6] = pte((uintptr_t)pt_l1, PTE_V) | (1ULL << 60);
    pt_root[256] = pte(dram, PTE_RW_AD);

    pt_l1[VA_4K / MEGA_SIZE] = pte((uintptr_t)pt_l0, PTE_V);
    pt_l1[VA_MEGA / MEGA_SIZE] = pte(dram, PTE_RWX_AD);
    pt_l1[VA_MEGA_MIS / MEGA_SIZE] = pte(dram + PAGE_SIZE, PTE_RW_AD);
    pt_l1[VA_MEGA_RSV / MEGA_SIZE] = pte(dram, PTE_RW_AD) | (1ULL << 63);

    pt_l0[SLOT_RW] = pte((uintptr_t)page_a, PTE_RW_AD);
    pt_l0[SLOT_RW2] = pte((uintptr_t)page_a, PTE_RW_AD);
    pt_l0[SLOT_RO] = pte((uintptr_t)page_a, PTE_V | PTE_R | PTE_A);
    pt_l0[SLOT_XO] = pte(code, PTE_V | PTE_X | PTE_A);
    pt_l0[SLOT_RX] = pte(code, PTE_V | PTE_R | PTE_X | PTE_A);
    pt_l0[SLOT_INVALID] = pte((uintptr_t)page_a, PTE_RW_AD & ~PTE_V);
    pt_l0[SLOT_U] = pte((uintptr_t)page_a, PTE_RW_AD | PTE_U);
    pt_l0[SLOT_UX] = pte(code, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);
    pt_l0[SLOT_WO] = pte((uintptr_t)page_a, PTE_V | PTE_W | PTE_A | PTE_D);
    pt_l0[SLOT_RSV] = pte((uintptr_t)page_a, PTE_RW_AD) | (1ULL << 54);
    pt_l0[SLOT_PBMT] = pte((uintptr_t)page_a, PTE_RW_AD) | (1ULL << 61);
    pt_l0[SLOT_NONLEAF] = pte((uintptr_t)pt_l0, PTE_V);
    pt_l0[SLOT_AD] = pte((uintptr_t)page_ad, PTE_V | PTE_R | PTE_W);
    pt_l0[SLOT_AD_X] = pte(code, PTE_V | PTE_X);
    pt_l0[SLOT_REMAP] = pte((uintptr_t)page_a, PTE_RW_AD);
    pt_l0[SLOT_CROSS_RW] = pte((uintptr_t)page_b, PTE_RW_AD);
    pt_l0[SLOT_CODE_X] = pte(code, PTE_V | PTE_X | PTE_A);
    pt_l0[SLOT_CODE_SWAP] = pte(code, PTE_V | PTE_X | PTE_A);
    pt_l0[SLOT_SMC_RW] = pte((uintptr_t)page_code, PTE_RW_AD);
    pt_l0[SLOT_SMC_X] = pte((uintptr_t)page_code, PTE_V | PTE_X | PTE_A);

    for (unsigned i = 0; i < 512; i++) {
        page_a[i] = 0xa0a0000000000000ULL + i;
        page_b[i] = 0xb0b0000000000000ULL + i;
        page_ad[i] = 0xadad000000000000ULL + i;
    }
    satp_sv39 = ((uint64_t)SATP_MODE_SV39 << SATP_MODE_SHIFT) | ((uintptr_t)pt_root >> 12);
}

static void setup(void) {
    lower_init();
    /* S/U-mode needs a PMP entry on QEMU (and by the spec): one NAPOT entry opens everything. */
    csr_write(pmpaddr0, ~0ULL);
    csr_write(pmpcfg0, PMPCFG_R | PMPCFG_W | PMPCFG_X | PMPCFG_A_NAPOT);
    csr_clear(mstatus, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_MPRV);
    build_tables();
}

static void test_satp(void) {
    check_group("satp WARL");
    const uint64_t ppn = (uintptr_t)pt_root >> 12;
    csr_write(satp, 0);
    CHECK_EQ("Bare reads back", csr_read(satp), 0);
    csr_write(satp, satp_sv39);
    CHECK_EQ("Sv39 reads back", csr_read(satp), satp_sv39);
    /* Reserved (1) and Sv64 (11) are supported by neither simulator: the write is ignored.
     * Sv48 (9) is not checked: QEMU 7.2 implements Sv48 and Sv57 on rv64 and has no
     * option to turn them off (sv48=/sv57= properties arrived in QEMU 8.0). */
    csr_write(satp, (1ULL << SATP_MODE_SHIFT) | ppn);
    CHECK_EQ("mode 1 (reserved) ignored", csr_read(satp), satp_sv39);
    csr_write(satp, (11ULL << SATP_MODE_SHIFT) | ppn);
    CHECK_EQ("mode 11 (Sv64) ignored", csr_read(satp), satp_sv39);
    sfence();
}

static void test_mappings(void) {
    check_group("Sv39 loads/stores/fetches");
    CHECK("DRAM data within the megapage",
          (uintptr_t)page_code + PAGE_SIZE - RAINIER_DRAM_BASE <= MEGA_SIZE);
    CHECK_S_OK("identity gigapage load", s_ld((uintptr_t)&marker), marker);
    CHECK_S_OK("gigapage alias load", s_ld(alias(VA_GIGA, &marker)), marker);
    CHECK_S_OK("megapage alias load", s_ld(alias(VA_MEGA, &marker)), marker);
    CHECK_S_OK("negative gigapage load", s_ld(alias(VA_NEG, &marker)), marker);
    CHECK_S_OK("4K page load", s_ld(va4k(SLOT_RW, 8 * 7)), page_a[7]);

    struct lower_result r = s_sd(va4k(SLOT_RW, 8 * 9), 0x1234567890abcdefULL);
    CHECK_EQ("4K page store: no fault", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("4K page store: in physical memory", page_a[9], 0x1234567890abcdefULL);
    r = s_sd(va4k(SLOT_RW, 8 * 10), 0x5555aaaa5555aaaaULL);
    CHECK_EQ("alias: store via one VA", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_S_OK("alias: read via another", s_ld(va4k(SLOT_RW2, 8 * 10)), 0x5555aaaa5555aaaaULL);
    r = s_sd(va4k(SLOT_RW2, 8 * 11), 0x0f0f0f0ff0f0f0f0ULL);
    CHECK_EQ("alias: store via the second VA", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_S_OK("alias: read via the read-only VA", s_ld(va4k(SLOT_RO, 8 * 11)),
               0x0f0f0f0ff0f0f0f0ULL);
    CHECK_S_OK("alias: read via the megapage", s_ld(alias(VA_MEGA, &page_a[11])),
               0x0f0f0f0ff0f0f0f0ULL);
    r = s_sd(alias(VA_GIGA, &page_a[12]), 0x7777);
    CHECK_EQ("gigapage store", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("gigapage store: in physical memory", page_a[12], 0x7777);

    r = s_exec(va4k(SLOT_XO, 0));
    CHECK_S_OK("fetch from an execute-only 4K page", r, LOWER_CODE_MAGIC);
    CHECK_EQ("fetch: mepc is the virtual pc", r.epc, va4k(SLOT_XO, 4));
    CHECK_S_OK("fetch from an RX 4K page", s_exec(va4k(SLOT_RX, 0)), LOWER_CODE_MAGIC);
    r = s_exec(alias(VA_MEGA, lower_code_page));
    CHECK_S_OK("fetch through the megapage", r, LOWER_CODE_MAGIC);
    CHECK_EQ("megapage fetch: mepc", r.epc, alias(VA_MEGA, lower_code_page) + 4);
    r = lower_call(PRV_S, alias(VA_MEGA, (const void*)lower_ld), va4k(SLOT_RW, 0), 0, 0);
    CHECK_S_OK("code and data both translated", r, page_a[0]);
}

static void test_faults(void) {
    check_group("page faults: cause and mtval");
    const uint64_t va_inv = va4k(SLOT_INVALID, 0x18);
    CHECK_FAULT("invalid PTE: load", s_ld(va_inv), CAUSE_LOAD_PAGE_FAULT, va_inv);
    CHECK_FAULT("invalid PTE: store", s_sd(va_inv, 1), CAUSE_STORE_PAGE_FAULT, va_inv);
    struct lower_result r = s_exec(va4k(SLOT_INVALID, 0x40));
    CHECK_FAULT("invalid PTE: fetch", r, CAUSE_FETCH_PAGE_FAULT, va4k(SLOT_INVALID, 0x40));
    CHECK_EQ("invalid PTE: fetch mepc", r.epc, va4k(SLOT_INVALID, 0x40));
    CHECK_FAULT("invalid root PTE: load", s_ld(VA_UNMAPPED + 0x123450), CAUSE_LOAD_PAGE_FAULT,
                VA_UNMAPPED + 0x123450);

    const uint64_t va_ro = va4k(SLOT_RO, 0x20);
    const uint64_t before = page_a[4];
    CHECK_FAULT("read-only page: store", s_sd(va_ro, 0xdead), CAUSE_STORE_PAGE_FAULT, va_ro);
    CHECK_EQ("read-only page: memory unchanged", page_a[4], before);
    CHECK_FAULT("read-only page: AMO", s_run(lower_amoadd, va_ro, 1, 0), CAUSE_STORE_PAGE_FAULT,
                va_ro);
    CHECK_S_OK("read-only page: load", s_ld(va_ro), before);

    CHECK_FAULT("non-executable 4K page: fetch", s_exec(va4k(SLOT_RW, 0x100)),
                CAUSE_FETCH_PAGE_FAULT, va4k(SLOT_RW, 0x100));
    CHECK_FAULT("non-executable gigapage: fetch", s_exec(alias(VA_GIGA, lower_code_page)),
                CAUSE_FETCH_PAGE_FAULT, alias(VA_GIGA, lower_code_page));
    CHECK_FAULT("execute-only page: load", s_ld(va4k(SLOT_XO, 0)), CAUSE_LOAD_PAGE_FAULT,
                va4k(SLOT_XO, 0));
    CHECK_FAULT("execute-only page: store", s_sd(va4k(SLOT_XO, 0), 0), CAUSE_STORE_PAGE_FAULT,
                va4k(SLOT_XO, 0));

    CHECK_FAULT("W without R: load", s_ld(va4k(SLOT_WO, 8)), CAUSE_LOAD_PAGE_FAULT,
                va4k(SLOT_WO, 8));
    CHECK_FAULT("W without R: store", s_sd(va4k(SLOT_WO, 8), 0), CAUSE_STORE_PAGE_FAULT,
                va4k(SLOT_WO, 8));
    CHECK_FAULT("pointer PTE at level 0: load", s_ld(va4k(SLOT_NONLEAF, 0)), CAUSE_LOAD_PAGE_FAULT,
                va4k(SLOT_NONLEAF, 0));
    CHECK_FAULT("reserved PTE bit 54: load", s_ld(va4k(SLOT_RSV, 0)), CAUSE_LOAD_PAGE_FAULT,
                va4k(SLOT_RSV, 0));
    CHECK_FAULT("PBMT bit 61 without Svpbmt: load", s_ld(va4k(SLOT_PBMT, 0)), CAUSE_LOAD_PAGE_FAULT,
                va4k(SLOT_PBMT, 0));
    CHECK_FAULT("reserved bit 60 in a pointer PTE: load", s_ld(VA_PTR_RSV + va4k(SLOT_RW, 0)),
                CAUSE_LOAD_PAGE_FAULT, VA_PTR_RSV + va4k(SLOT_RW, 0));
    CHECK_FAULT("reserved PTE bit 63 (megapage): load", s_ld(VA_MEGA_RSV + 0x1000),
                CAUSE_LOAD_PAGE_FAULT, VA_MEGA_RSV + 0x1000);
    CHECK_FAULT("misaligned megapage: load", s_ld(VA_MEGA_MIS + 0x2008), CAUSE_LOAD_PAGE_FAULT,
                VA_MEGA_MIS + 0x2008);
    CHECK_FAULT("misaligned gigapage: store", s_sd(VA_GIGA_MIS + 0x3010, 0), CAUSE_STORE_PAGE_FAULT,
                VA_GIGA_MIS + 0x3010);

    /* Bits 63:39 must all equal bit 38; these would otherwise reach root[2] and root[256]. */
    const uint64_t noncanon_lo = (1ULL << 39) | alias(VA_IDENT, &marker);
    const uint64_t noncanon_hi = 0xffffff8000000000ULL | ((uintptr_t)&marker & (GIGA_SIZE - 1));
    CHECK_FAULT("non-canonical VA (bit 39): load", s_ld(noncanon_lo), CAUSE_LOAD_PAGE_FAULT,
                noncanon_lo);
    CHECK_FAULT("non-canonical VA (bit 38 clear): load", s_ld(noncanon_hi), CAUSE_LOAD_PAGE_FAULT,
                noncanon_hi);
    CHECK_FAULT("non-canonical VA: store", s_sd(1ULL << 63, 0), CAUSE_STORE_PAGE_FAULT, 1ULL << 63);
    struct lower_result r2 = s_exec(noncanon_lo);
    CHECK_FAULT("non-canonical VA: fetch", r2, CAUSE_FETCH_PAGE_FAULT, noncanon_lo);
    CHECK_EQ("non-canonical VA: fetch mepc", r2.epc, noncanon_lo);
}

/* Misaligned loads/stores are done in hardware by QEMU and by rainier-vp's default config, or
 * trap as misaligned (rainier-vp with cpu.misaligned_access=trap); the spec allows both. */
static bool done_or_misaligned(struct lower_result r, uint64_t misaligned_cause, uint64_t va,
                               uint64_t done_cause, uint64_t done_tval) {
    return (r.cause == misaligned_cause && r.tval == va) ||
           (r.cause == done_cause && r.tval == done_tval);
}

static void test_crossing(void) {
    /* The part in the next page is translated on its own; a fault there reports that part's
     * address, and a store writes nothing. */
    check_group("accesses crossing a page");
    uint64_t va = va4k(SLOT_RW, 4092);
    struct lower_result r = s_ld(va);
    CHECK("load into the alias page",
          done_or_misaligned(r, CAUSE_MISALIGNED_LOAD, va, CAUSE_SUPERVISOR_ECALL, 0) &&
              (r.cause != CAUSE_SUPERVISOR_ECALL ||
               r.a0 == ((page_a[511] >> 32) | (page_a[0] << 32))));
    va = va4k(SLOT_CROSS_RW, 4092);
    CHECK("load into an invalid page",
          done_or_misaligned(s_ld(va), CAUSE_MISALIGNED_LOAD, va, CAUSE_LOAD_PAGE_FAULT,
                             va4k(SLOT_CROSS_INV, 0)));
    const uint64_t before = page_b[511];
    va = va4k(SLOT_CROSS_RW, 4094);
    CHECK("store into an invalid page",
          done_or_misaligned(s_sd(va, 0), CAUSE_MISALIGNED_STORE, va, CAUSE_STORE_PAGE_FAULT,
                             va4k(SLOT_CROSS_INV, 0)));
    CHECK_EQ("store into an invalid page: nothing written", page_b[511], before);
    /* Fetches are never misaligned with C: this one is a 4-byte instruction in two pages. */
    r = s_exec(va4k(SLOT_CODE_X, 4094));
    CHECK_FAULT("fetch of a 4-byte instruction into an invalid page", r, CAUSE_FETCH_PAGE_FAULT,
                va4k(SLOT_CODE_INV, 0));
    CHECK_EQ("crossing fetch: mepc at the instruction", r.epc, va4k(SLOT_CODE_X, 4094));
}

static void test_user_sum_mxr(void) {
    check_group("U bit, SUM, MXR");
    const uint64_t va_u = va4k(SLOT_U, 0x30);
    CHECK_FAULT("S load of a U page, SUM=0", s_ld(va_u), CAUSE_LOAD_PAGE_FAULT, va_u);
    CHECK_FAULT("S store to a U page, SUM=0", s_sd(va_u, 0), CAUSE_STORE_PAGE_FAULT, va_u);
    CHECK_FAULT("S fetch from a U page, SUM=0", s_exec(va4k(SLOT_UX, 0)), CAUSE_FETCH_PAGE_FAULT,
                va4k(SLOT_UX, 0));
    csr_set(mstatus, MSTATUS_SUM);
    CHECK_S_OK("S load of a U page, SUM=1", s_ld(va_u), page_a[6]);
    struct lower_result r = s_sd(va_u, 0x5u);
    CHECK_EQ("S store to a U page, SUM=1", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("S store to a U page, SUM=1: memory", page_a[6], 0x5u);
    CHECK_FAULT("S fetch from a U page, SUM=1", s_exec(va4k(SLOT_UX, 0)), CAUSE_FETCH_PAGE_FAULT,
                va4k(SLOT_UX, 0));
    CHECK_FAULT("U load of an S page, SUM=1", u_ld(va4k(SLOT_RW, 0)), CAUSE_LOAD_PAGE_FAULT,
                va4k(SLOT_RW, 0));
    csr_clear(mstatus, MSTATUS_SUM);

    CHECK_U_OK("U load of a U page", u_ld(va_u), 0x5u);
    r = u_sd(va_u, 0x66);
    CHECK_EQ("U store to a U page", r.cause, CAUSE_USER_ECALL);
    CHECK_EQ("U store to a U page: memory", page_a[6], 0x66);
    CHECK_FAULT("U load of an S page", u_ld(va4k(SLOT_RW, 0)), CAUSE_LOAD_PAGE_FAULT,
                va4k(SLOT_RW, 0));
    CHECK_FAULT("U store to an S page", u_sd(va4k(SLOT_RW, 0), 0), CAUSE_STORE_PAGE_FAULT,
                va4k(SLOT_RW, 0));
    r = lower_call(PRV_U, (uintptr_t)lower_ld, 0, 0, 0);
    CHECK_FAULT("U fetch from an S page", r, CAUSE_FETCH_PAGE_FAULT, (uintptr_t)lower_ld);
    r = lower_call(PRV_U, va4k(SLOT_UX, 0), 0, 0, 0);
    CHECK_U_OK("U fetch from a U page", r, LOWER_CODE_MAGIC);

    const uint64_t first_insn = *(const volatile uint64_t*)lower_code_page;
    csr_set(mstatus, MSTATUS_MXR);
    CHECK_S_OK("MXR=1: load of an execute-only page", s_ld(va4k(SLOT_XO, 0)), first_insn);
    CHECK_FAULT("MXR=1: store to it still faults", s_sd(va4k(SLOT_XO, 0), 0),
                CAUSE_STORE_PAGE_FAULT, va4k(SLOT_XO, 0));
    CHECK_FAULT("MXR=1: invalid PTE still faults", s_ld(va4k(SLOT_INVALID, 0)),
                CAUSE_LOAD_PAGE_FAULT, va4k(SLOT_INVALID, 0));
    csr_clear(mstatus, MSTATUS_MXR);
    CHECK_FAULT("MXR=0: load of an execute-only page", s_ld(va4k(SLOT_XO, 0)),
                CAUSE_LOAD_PAGE_FAULT, va4k(SLOT_XO, 0));
}

static void test_delegated(void) {
    check_group("page faults delegated to S: stval");
    csr_write(stvec, (uintptr_t)lower_s_vector);
    csr_write(medeleg, RAINIER_BIT(CAUSE_FETCH_PAGE_FAULT) | RAINIER_BIT(CAUSE_LOAD_PAGE_FAULT) |
                           RAINIER_BIT(CAUSE_STORE_PAGE_FAULT));
    const uint64_t va = va4k(SLOT_INVALID, 0x28);
    struct lower_result r = s_ld(va);
    CHECK_EQ("S load: reached the S vector", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("S load: scause", r.a0, CAUSE_LOAD_PAGE_FAULT);
    CHECK_EQ("S load: stval", r.a1, va);
    CHECK_EQ("S load: sepc", r.a2, (uintptr_t)lower_ld);
    r = s_sd(va4k(SLOT_RO, 0x38), 0);
    CHECK_EQ("S store: scause", r.a0, CAUSE_STORE_PAGE_FAULT);
    CHECK_EQ("S store: stval", r.a1, va4k(SLOT_RO, 0x38));
    CHECK_EQ("S store: sepc", r.a2, (uintptr_t)lower_sd);
    r = s_exec(va4k(SLOT_RW, 0x44));
    CHECK_EQ("S fetch: scause", r.a0, CAUSE_FETCH_PAGE_FAULT);
    CHECK_EQ("S fetch: stval", r.a1, va4k(SLOT_RW, 0x44));
    CHECK_EQ("S fetch: sepc", r.a2, va4k(SLOT_RW, 0x44));
    r = u_ld(va4k(SLOT_RW, 0x50));
    CHECK_EQ("U load: reached the S vector", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("U load: scause", r.a0, CAUSE_LOAD_PAGE_FAULT);
    CHECK_EQ("U load: stval", r.a1, va4k(SLOT_RW, 0x50));
    CHECK_EQ("U load: sepc", r.a2, alias(VA_USER, (const void*)lower_ld));
    csr_write(medeleg, 0);
}

static void test_accessed_dirty(void) {
    /* Both simulators set A and D in hardware (the spec also allows a page fault instead). */
    check_group("hardware A/D updates");
    CHECK_EQ("A/D clear before", pt_l0[SLOT_AD] & (PTE_A | PTE_D), 0);
    CHECK_S_OK("load", s_ld(va4k(SLOT_AD, 0x10)), page_ad[2]);
    CHECK_EQ("load sets A only", pt_l0[SLOT_AD] & (PTE_A | PTE_D), PTE_A);
    struct lower_result r = s_sd(va4k(SLOT_AD, 0x10), 0xd1d1);
    CHECK_EQ("store", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("store sets D", pt_l0[SLOT_AD] & (PTE_A | PTE_D), PTE_A | PTE_D);
    CHECK_EQ("store: memory", page_ad[2], 0xd1d1);
    set_slot(SLOT_AD, pte((uintptr_t)page_ad, PTE_V | PTE_R | PTE_W));
    r = s_sd(va4k(SLOT_AD, 0x18), 0xd2d2);
    CHECK_EQ("store to a fresh PTE", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("store sets A and D", pt_l0[SLOT_AD] & (PTE_A | PTE_D), PTE_A | PTE_D);
    CHECK_S_OK("fetch", s_exec(va4k(SLOT_AD_X, 0)), LOWER_CODE_MAGIC);
    CHECK_EQ("fetch sets A only", pt_l0[SLOT_AD_X] & (PTE_A | PTE_D), PTE_A);
    set_slot(SLOT_AD, pte((uintptr_t)page_ad, PTE_V | PTE_R));
    CHECK_FAULT("store to a read-only page", s_sd(va4k(SLOT_AD, 0), 0), CAUSE_STORE_PAGE_FAULT,
                va4k(SLOT_AD, 0));
    CHECK_EQ("a faulting store sets neither", pt_l0[SLOT_AD] & (PTE_A | PTE_D), 0);
}

static void test_sfence(void) {
    check_group("sfence.vma");
    const uint64_t va = va4k(SLOT_REMAP, 8 * 20);
    const uint64_t to_b = pte((uintptr_t)page_b, PTE_RW_AD);
    struct lower_result r = s_run(lower_remap, va, (uintptr_t)&pt_l0[SLOT_REMAP], to_b);
    CHECK_EQ("S remap, sfence.vma: no fault", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("before: page_a", r.a0, page_a[20]);
    CHECK_EQ("after sfence.vma: page_b", r.a1, page_b[20]);

    set_slot(SLOT_REMAP, pte((uintptr_t)page_a, PTE_RW_AD));
    r = s_run(lower_remap_va, va, (uintptr_t)&pt_l0[SLOT_REMAP], to_b);
    CHECK_EQ("S remap, sfence.vma va: no fault", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("before: page_a", r.a0, page_a[20]);
    CHECK_EQ("after sfence.vma va: page_b", r.a1, page_b[20]);

    set_slot(SLOT_REMAP, pte((uintptr_t)page_a, PTE_RW_AD));
    r = s_run(lower_remap, va, (uintptr_t)&pt_l0[SLOT_REMAP], 0);
    CHECK_FAULT("S unmaps, sfence.vma, loads", r, CAUSE_LOAD_PAGE_FAULT, va);
    CHECK_EQ("the second load faulted", r.epc, (uintptr_t)lower_remap + 12);

    set_slot(SLOT_REMAP, pte((uintptr_t)page_a, PTE_RW_AD));
    CHECK_S_OK("M remaps to page_a", s_ld(va), page_a[20]);
    set_slot(SLOT_REMAP, to_b);
    CHECK_S_OK("M remaps to page_b", s_ld(va), page_b[20]);
}

static void test_within_run(void) {
    /* Several accesses in one S-mode run, so that later ones may hit what the first cached. */
    check_group("several accesses in one run");
    struct lower_result r = s_run(lower_ld_sd, va4k(SLOT_RO, 0x48), 0, 0);
    CHECK_FAULT("load, then store to a read-only page", r, CAUSE_STORE_PAGE_FAULT,
                va4k(SLOT_RO, 0x48));
    CHECK_EQ("the store faulted", r.epc, (uintptr_t)lower_ld_sd + 4);
    set_slot(SLOT_AD, pte((uintptr_t)page_ad, PTE_V | PTE_R | PTE_W));
    r = s_run(lower_ld_sd, va4k(SLOT_AD, 0x48), 0xabab, 0);
    CHECK_S_OK("load, then store to a clean page", r, 0xadad000000000009ULL);
    CHECK_EQ("the store reached memory", page_ad[9], 0xabab);
    CHECK_EQ("the store set D", pt_l0[SLOT_AD] & (PTE_A | PTE_D), PTE_A | PTE_D);
    r = s_run(lower_sum_toggle, va4k(SLOT_U, 0x50), 0, 0);
    CHECK_EQ("SUM=1: load of a U page", r.a1, page_a[10]);
    CHECK_FAULT("S clears SUM: the next load faults", r, CAUSE_LOAD_PAGE_FAULT, va4k(SLOT_U, 0x50));
    CHECK_EQ("SUM: the second load faulted", r.epc, (uintptr_t)lower_sum_toggle + 16);
    r = s_run(lower_mxr_toggle, va4k(SLOT_XO, 0), 0, 0);
    CHECK_EQ("MXR=1: load of an execute-only page", r.a1,
             *(const volatile uint64_t*)lower_code_page);
    CHECK_FAULT("S clears MXR: the next load faults", r, CAUSE_LOAD_PAGE_FAULT, va4k(SLOT_XO, 0));
    CHECK_EQ("MXR: the second load faulted", r.epc, (uintptr_t)lower_mxr_toggle + 16);
}

static void test_code_remap(void) {
    /* Code reached by a virtual address that changes meaning: after sfence.vma (and fence.i
     * for code written through another mapping) the new code runs. */
    check_group("code remapping, self-modifying code");
    CHECK_S_OK("first code page", s_exec(va4k(SLOT_CODE_SWAP, 0)), LOWER_CODE_MAGIC);
    set_slot(SLOT_CODE_SWAP, pte((uintptr_t)lower_code_page2, PTE_V | PTE_X | PTE_A));
    CHECK_S_OK("remapped to the second", s_exec(va4k(SLOT_CODE_SWAP, 0)), LOWER_CODE_MAGIC2);
    set_slot(SLOT_CODE_SWAP, pte((uintptr_t)lower_code_page, PTE_V | PTE_X | PTE_A));
    CHECK_S_OK("and back", s_exec(va4k(SLOT_CODE_SWAP, 0)), LOWER_CODE_MAGIC);

    /* "addi a0, zero, imm; ecall", written by S-mode through a RW alias of an X page. */
    for (unsigned imm = 0x101; imm <= 0x102; imm++) {
        struct lower_result r = s_sd(va4k(SLOT_SMC_RW, 0), 0x0000007300000513ULL | (imm << 20));
        CHECK_EQ("S writes code through the RW alias", r.cause, CAUSE_SUPERVISOR_ECALL);
        __asm__ volatile("fence.i" ::: "memory");
        CHECK_S_OK("and runs it through the X alias", s_exec(va4k(SLOT_SMC_X, 0)), imm);
    }
}

static void test_pmp_translated(void) {
    /* PMP checks the page-table walk (as S-mode reads) and the translated address; faults are
     * access faults with mtval = the virtual address. Entry 1 opens everything else. */
    check_group("PMP under translation");
    csr_write(pmpaddr1, ~0ULL);
    csr_write(pmpaddr0, ((uintptr_t)pt_l0 >> 2) | 0x1ff);
    csr_write(pmpcfg0,
              ((uint64_t)(PMPCFG_R | PMPCFG_W | PMPCFG_X | PMPCFG_A_NAPOT) << 8) | PMPCFG_A_NAPOT);
    sfence();
    CHECK_FAULT("walk denied: load", s_ld(va4k(SLOT_RW, 8)), CAUSE_LOAD_ACCESS, va4k(SLOT_RW, 8));
    CHECK_FAULT("walk denied: store", s_sd(va4k(SLOT_RW, 8), 0), CAUSE_STORE_ACCESS,
                va4k(SLOT_RW, 8));
    CHECK_FAULT("walk denied: fetch", s_exec(va4k(SLOT_RX, 0)), CAUSE_FETCH_ACCESS,
                va4k(SLOT_RX, 0));
    CHECK_S_OK("walk not through it: gigapage", s_ld(alias(VA_GIGA, &marker)), marker);

    csr_write(pmpaddr0, ((uintptr_t)page_a >> 2) | 0x1ff);
    csr_write(pmpcfg0, ((uint64_t)(PMPCFG_R | PMPCFG_W | PMPCFG_X | PMPCFG_A_NAPOT) << 8) |
                           PMPCFG_A_NAPOT | PMPCFG_R);
    sfence();
    CHECK_S_OK("page R: load", s_ld(va4k(SLOT_RW, 8)), page_a[1]);
    CHECK_FAULT("page R: store", s_sd(va4k(SLOT_RW2, 16), 0), CAUSE_STORE_ACCESS,
                va4k(SLOT_RW2, 16));
    csr_write(pmpaddr0, ((uintptr_t)lower_code_page >> 2) | 0x1ff);
    sfence();
    CHECK_FAULT("code page R: fetch", s_exec(va4k(SLOT_RX, 0)), CAUSE_FETCH_ACCESS,
                va4k(SLOT_RX, 0));

    csr_write(pmpaddr0, ~0ULL);
    csr_write(pmpcfg0, PMPCFG_R | PMPCFG_W | PMPCFG_X | PMPCFG_A_NAPOT);
    sfence();
}

static void test_mprv(void) {
    check_group("MPRV");
    CHECK_EQ("MPP=S: gigapage alias", mprv_ld(alias(VA_GIGA, &marker), PRV_S), marker);
    CHECK_EQ("MPP=S: 4K page", mprv_ld(va4k(SLOT_RW, 8 * 3), PRV_S), page_a[3]);
    mprv_sd(va4k(SLOT_RW2, 8 * 13), 0x3131313131313131ULL, PRV_S);
    CHECK_EQ("MPP=S: store", page_a[13], 0x3131313131313131ULL);
    trap_expect();
    mprv_ld(va4k(SLOT_INVALID, 8), PRV_S);
    struct trap_record t = trap_expect_end();
    CHECK("MPP=S: invalid PTE traps", t.taken);
    CHECK_EQ("MPP=S: load page fault", t.mcause, CAUSE_LOAD_PAGE_FAULT);
    CHECK_EQ("MPP=S: mtval", t.mtval, va4k(SLOT_INVALID, 8));
    CHECK_EQ("MPP=S: taken from M", t.prev_priv, PRV_M);
    trap_expect();
    mprv_sd(va4k(SLOT_RO, 8), 0, PRV_S);
    t = trap_expect_end();
    CHECK_EQ("MPP=S: store to read-only", t.mcause, CAUSE_STORE_PAGE_FAULT);
    CHECK_EQ("MPP=S: store mtval", t.mtval, va4k(SLOT_RO, 8));
    trap_expect();
    mprv_ld(va4k(SLOT_RW, 8), PRV_U);
    t = trap_expect_end();
    CHECK_EQ("MPP=U: S page faults", t.mcause, CAUSE_LOAD_PAGE_FAULT);
    CHECK_EQ("MPP=U: U page", mprv_ld(va4k(SLOT_U, 8), PRV_U), page_a[1]);
    CHECK_EQ("MPP=M: not translated", mprv_ld((uintptr_t)&page_b[5], PRV_M), page_b[5]);
    csr_set(mstatus, MSTATUS_SUM);
    CHECK_EQ("MPP=S, SUM=1: U page", mprv_ld(va4k(SLOT_U, 8), PRV_S), page_a[1]);
    csr_clear(mstatus, MSTATUS_SUM);
    trap_expect();
    mprv_ld(va4k(SLOT_U, 8), PRV_S);
    t = trap_expect_end();
    CHECK_EQ("MPP=S, SUM=0: U page faults", t.mcause, CAUSE_LOAD_PAGE_FAULT);

    /* Fetches are never translated for M-mode: with tables that do not map the code at all,
     * M-mode code keeps running under MPRV. */
    pt_root2[1] = pt_root[1];
    csr_write(satp, ((uint64_t)SATP_MODE_SV39 << SATP_MODE_SHIFT) | ((uintptr_t)pt_root2 >> 12));
    sfence();
    CHECK_EQ("MPP=S, code not mapped: load", mprv_ld(alias(VA_GIGA, &marker), PRV_S), marker);
    csr_write(satp, satp_sv39);
    sfence();
}

static void test_tvm(void) {
    check_group("TVM, satp and sfence.vma from U");
    CHECK_S_OK("TVM=0: S reads satp", s_run(lower_csrr_satp, 0, 0, 0), satp_sv39);
    struct lower_result r = s_run(lower_csrw_satp, satp_sv39, 0, 0);
    CHECK_EQ("TVM=0: S writes satp", r.cause, CAUSE_SUPERVISOR_ECALL);
    CHECK_EQ("TVM=0: S sfence.vma", s_run(lower_sfence, 0, 0, 0).cause, CAUSE_SUPERVISOR_ECALL);
    csr_set(mstatus, MSTATUS_TVM);
    CHECK_FAULT("TVM=1: S csrr satp", s_run(lower_csrr_satp, 0, 0, 0), CAUSE_ILLEGAL_INSTRUCTION,
                0x18002573);
    CHECK_FAULT("TVM=1: S csrw satp", s_run(lower_csrw_satp, 0, 0, 0), CAUSE_ILLEGAL_INSTRUCTION,
                0x18051073);
    CHECK_EQ("TVM=1: satp unchanged", csr_read(satp), satp_sv39);
    CHECK_FAULT("TVM=1: S sfence.vma", s_run(lower_sfence, 0, 0, 0), CAUSE_ILLEGAL_INSTRUCTION,
                0x12000073);
    CHECK_S_OK("TVM=1: S loads still translate", s_ld(va4k(SLOT_RW, 0)), page_a[0]);
    csr_write(satp, satp_sv39);
    CHECK_EQ("TVM=1: M writes satp", csr_read(satp), satp_sv39);
    csr_clear(mstatus, MSTATUS_TVM);
    CHECK_FAULT("U csrr satp",
                lower_call(PRV_U, alias(VA_USER, (const void*)lower_csrr_satp), 0, 0, 0),
                CAUSE_ILLEGAL_INSTRUCTION, 0x18002573);
    CHECK_FAULT("U sfence.vma",
                lower_call(PRV_U, alias(VA_USER, (const void*)lower_sfence), 0, 0, 0),
                CAUSE_ILLEGAL_INSTRUCTION, 0x12000073);
}

int main(void) {
    setup();
    test_satp();
    test_mappings();
    test_faults();
    test_crossing();
    test_user_sum_mxr();
    test_delegated();
    test_accessed_dirty();
    test_sfence();
    test_within_run();
    test_code_remap();
    test_pmp_translated();
    test_mprv();
    test_tvm();
    csr_write(satp, 0);
    sfence();
    return check_done("test_mmu");
}
