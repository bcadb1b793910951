#include "board/trap.h"

#include <stddef.h>

#include "board/plic.h"
#include "board/riscv.h"
#include "board/simctl.h"
#include "board/uart.h"
#include "rainier/hw/irq.h"

#define NUM_LOCAL_IRQS 16
#define NUM_EXC_CAUSES 16

static irq_handler_t irq_handlers[NUM_LOCAL_IRQS];
static irq_handler_t ext_handlers[RAINIER_PLIC_NUM_SOURCES];
static exc_handler_t exc_handlers[NUM_EXC_CAUSES];

static volatile bool expect_armed;
static volatile struct trap_record expect_rec;
static int crash_depth;

void trap_dispatch(struct trap_frame* f);

void trap_init(void) {
    extern char trap_entry[], __trap_stack_top[];
    csr_write(mtvec, (uintptr_t)trap_entry);
    csr_write(mscratch, (uintptr_t)__trap_stack_top);
}

void trap_set_irq_handler(unsigned irq, irq_handler_t h) {
    if (irq >= NUM_LOCAL_IRQS) return;
    irq_handlers[irq] = h;
    if (h)
        csr_set(mie, RAINIER_BIT(irq));
    else
        csr_clear(mie, RAINIER_BIT(irq));
}

void trap_set_ext_handler(unsigned src, irq_handler_t h) {
    if (src < RAINIER_PLIC_NUM_SOURCES) ext_handlers[src] = h;
}

void trap_set_exc_handler(unsigned cause, exc_handler_t h) {
    if (cause < NUM_EXC_CAUSES) exc_handlers[cause] = h;
}

void trap_expect(void) {
    expect_rec.taken = false;
    expect_armed = true;
    __asm__ volatile("" ::: "memory");
}

struct trap_record trap_expect_end(void) {
    __asm__ volatile("" ::: "memory");
    expect_armed = false;
    struct trap_record r = {expect_rec.taken, expect_rec.mcause,  expect_rec.mepc,
                            expect_rec.mtval, expect_rec.mstatus, expect_rec.prev_priv};
    return r;
}

static bool is_fetch_fault(uint64_t cause) {
    return cause == CAUSE_MISALIGNED_FETCH || cause == CAUSE_FETCH_ACCESS ||
           cause == CAUSE_FETCH_PAGE_FAULT;
}

static void dispatch_external(const struct trap_frame* f) {
    unsigned src;
    while ((src = plic_claim()) != 0) {
        if (src >= RAINIER_PLIC_NUM_SOURCES || !ext_handlers[src])
            trap_crash(f, "unexpected external interrupt");
        ext_handlers[src]();
        plic_complete(src);
    }
}

void trap_dispatch(struct trap_frame* f) {
    uint64_t cause = f->mcause & ~MCAUSE_INTERRUPT;

    if (f->mcause & MCAUSE_INTERRUPT) {
        if (cause == IRQ_M_EXT) {
            dispatch_external(f);
            return;
        }
        if (cause < NUM_LOCAL_IRQS && irq_handlers[cause]) {
            irq_handlers[cause]();
            return;
        }
        trap_crash(f, "unexpected interrupt");
    }

    if (expect_armed) {
        expect_armed = false;
        expect_rec.taken = true;
        expect_rec.mcause = f->mcause;
        expect_rec.mepc = f->mepc;
        expect_rec.mtval = f->mtval;
        expect_rec.mstatus = f->mstatus;
        expect_rec.prev_priv = (f->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
        /* A fetch fault has no instruction to step over: the probe reached it by a call, so
         * return to the caller. Otherwise resume after the faulting instruction. */
        if (is_fetch_fault(cause))
            f->mepc = f->x[1];
        else
            f->mepc += insn_length(*(const uint16_t*)(uintptr_t)f->mepc);
        return;
    }

    if (cause < NUM_EXC_CAUSES && exc_handlers[cause] && exc_handlers[cause](f)) return;
    trap_crash(f, "unexpected exception");
}

const char* trap_cause_name(uint64_t mcause) {
    static const char* const exc[NUM_EXC_CAUSES] = {
        "instruction address misaligned",
        "instruction access fault",
        "illegal instruction",
        "breakpoint",
        "load address misaligned",
        "load access fault",
        "store/AMO address misaligned",
        "store/AMO access fault",
        "environment call from U-mode",
        "environment call from S-mode",
        "reserved",
        "environment call from M-mode",
        "instruction page fault",
        "load page fault",
        "reserved",
        "store/AMO page fault",
    };
    static const char* const irq[NUM_LOCAL_IRQS] = {
        "reserved", "supervisor software interrupt",
        "reserved", "machine software interrupt",
        "reserved", "supervisor timer interrupt",
        "reserved", "machine timer interrupt",
        "reserved", "supervisor external interrupt",
        "reserved", "machine external interrupt",
        "reserved", "reserved",
        "reserved", "reserved",
    };
    uint64_t code = mcause & ~MCAUSE_INTERRUPT;
    if (code >= NUM_EXC_CAUSES) return "unknown";
    return (mcause & MCAUSE_INTERRUPT) ? irq[code] : exc[code];
}

/* The crash report goes straight to the UART: it must work whatever state stdio is in. */
static void put_hex(uint64_t v) {
    uart_puts("0x");
    for (int i = 60; i >= 0; i -= 4)
        uart_putc("0123456789abcdef"[(v >> i) & 0xf]);
}

static void put_dec(uint64_t v) {
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    uart_puts(&buf[i]);
}

void trap_crash(const struct trap_frame* f, const char* why) {
    static const char* const names[32] = {
        "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
        "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
        "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    };
    static const char* const modes[4] = {"U", "S", "?", "M"};
    uint64_t code = f->mcause & ~MCAUSE_INTERRUPT;

    if (++crash_depth > 1) simctl_fail(TRAP_EXIT_CRASH_BASE + 15);

    uart_puts("\n*** CRASH: ");
    uart_puts(why);
    uart_puts("\n*** cause ");
    put_dec(code);
    uart_puts((f->mcause & MCAUSE_INTERRUPT) ? " (interrupt: " : " (");
    uart_puts(trap_cause_name(f->mcause));
    uart_puts(") in ");
    uart_puts(modes[(f->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT]);
    uart_puts("-mode\n*** mepc    ");
    put_hex(f->mepc);
    uart_puts("  mtval   ");
    put_hex(f->mtval);
    uart_puts("\n*** mcause  ");
    put_hex(f->mcause);
    uart_puts("  mstatus ");
    put_hex(f->mstatus);
    uart_puts("\n");
    for (int i = 0; i < 32; i++) {
        const char* n = names[i];
        uart_puts("  ");
        uart_puts(n);
        size_t len = 0;
        while (n[len])
            len++;
        for (; len < 5; len++)
            uart_putc(' ');
        put_hex(i == 0 ? 0 : f->x[i]);
        if (i % 4 == 3) uart_putc('\n');
    }
    simctl_fail((f->mcause & MCAUSE_INTERRUPT) ? TRAP_EXIT_UNEXPECTED_IRQ
                                               : TRAP_EXIT_CRASH_BASE + (unsigned)code);
}
