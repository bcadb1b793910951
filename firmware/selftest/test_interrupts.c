/* Interrupts: machine software interrupt (CLINT msip), machine timer interrupt (CLINT
 * mtimecmp), WFI wake-up by the timer with interrupts globally off and on, and a PLIC external
 * interrupt from the UART's THR-empty condition (claim/complete, priority and threshold). */
#include <stdint.h>
#include <stdio.h>

#include "board/clint.h"
#include "board/plic.h"
#include "board/riscv.h"
#include "board/trap.h"
#include "board/uart.h"
#include "check.h"
#include "rainier/hw/clint.h"
#include "rainier/hw/irq.h"
#include "rainier/hw/uart16550.h"

/* Bounded waits: an interrupt that never comes is a failure, not a hang. */
#define SPIN_LIMIT 10000000u
#define TICK (RAINIER_CLINT_TIMEBASE_HZ / 10000) /* 100 us */

static volatile unsigned soft_count, timer_count, uart_count;
static volatile uint64_t soft_mcause, timer_mcause, uart_iir;

static void on_soft(void) {
    soft_count++;
    soft_mcause = csr_read(mcause);
    clint_set_msip(0);
}

static void on_timer(void) {
    timer_count++;
    timer_mcause = csr_read(mcause);
    if (timer_count < 3)
        clint_set_timer(clint_mtime() + TICK);
    else
        clint_stop_timer();
}

static void on_uart(void) {
    uart_count++;
    /* Reading IIR acknowledges THR-empty; disabling ETBEI keeps it from coming back. */
    uart_iir = uart_irq_id();
    uart_irq_disable(UART_IER_ETBEI);
}

static bool wait_count(volatile unsigned* count, unsigned want) {
    for (unsigned i = 0; i < SPIN_LIMIT; i++)
        if (*count >= want) return true;
    return false;
}

static void test_software(void) {
    check_group("software interrupt (msip)");
    trap_set_irq_handler(IRQ_M_SOFT, on_soft);
    clint_set_msip(1);
    CHECK("msip reads back 1", clint_msip());
    CHECK("mip.MSIP pending while MIE=0", csr_read(mip) & MIP_MSIP);
    CHECK_EQ("not taken while MIE=0", soft_count, 0);
    irq_global_enable();
    CHECK("taken once MIE=1", wait_count(&soft_count, 1));
    irq_global_disable();
    CHECK_EQ("taken exactly once", soft_count, 1);
    CHECK_EQ("mcause", soft_mcause, MCAUSE_INTERRUPT | IRQ_M_SOFT);
    CHECK("mip.MSIP clear after msip=0", !(csr_read(mip) & MIP_MSIP));
    trap_set_irq_handler(IRQ_M_SOFT, 0);
}

static void test_timer(void) {
    check_group("timer interrupt");
    CHECK("mip.MTIP clear with mtimecmp = max", !(csr_read(mip) & MIP_MTIP));
    clint_set_timer(clint_mtime());
    CHECK("mip.MTIP set once mtime >= mtimecmp", csr_read(mip) & MIP_MTIP);
    clint_stop_timer();
    CHECK("mip.MTIP clear after mtimecmp = max", !(csr_read(mip) & MIP_MTIP));

    trap_set_irq_handler(IRQ_M_TIMER, on_timer);
    irq_global_enable();
    uint64_t give_up = clint_mtime() + 1000 * TICK;
    clint_set_timer(clint_mtime() + TICK);
    /* WFI may legally return early (or be a no-op), hence loops bounded by time. */
    while (timer_count < 3 && clint_mtime() < give_up)
        wfi();
    irq_global_disable();
    CHECK_EQ("three periodic interrupts", timer_count, 3);
    CHECK_EQ("mcause", timer_mcause, MCAUSE_INTERRUPT | IRQ_M_TIMER);
    trap_set_irq_handler(IRQ_M_TIMER, 0);
}

static void test_wfi(void) {
    check_group("wfi wake-up");
    /* MIE=0, MTIE=1: wfi must return when the timer fires, without taking the interrupt. */
    timer_count = 0;
    trap_set_irq_handler(IRQ_M_TIMER, on_timer);
    irq_global_disable();
    uint64_t deadline = clint_mtime() + 5 * TICK;
    clint_set_timer(deadline);
    uint64_t give_up = deadline + 1000 * TICK;
    while (!(csr_read(mip) & MIP_MTIP) && clint_mtime() < give_up)
        wfi();
    CHECK("wfi returned with MTIP pending", csr_read(mip) & MIP_MTIP);
    CHECK("mtime reached mtimecmp", clint_mtime() >= deadline);
    CHECK_EQ("interrupt not taken while MIE=0", timer_count, 0);
    timer_count = 2; /* the handler then stops the timer on its next (third) call */
    irq_global_enable();
    CHECK("pending interrupt taken once MIE=1", wait_count(&timer_count, 3));

    /* MIE=1: wfi returns after the handler ran. */
    timer_count = 2;
    give_up = clint_mtime() + 1000 * TICK;
    clint_set_timer(clint_mtime() + 5 * TICK);
    while (timer_count < 3 && clint_mtime() < give_up)
        wfi();
    irq_global_disable();
    CHECK_EQ("wfi woke up, handler ran", timer_count, 3);
    trap_set_irq_handler(IRQ_M_TIMER, 0);
}

static void test_plic(void) {
    check_group("PLIC external (UART THRE)");
    const unsigned src = RAINIER_IRQ_UART0;
    trap_set_ext_handler(src, on_uart);
    plic_set_threshold(0);
    plic_set_priority(src, 0);
    plic_enable(src);
    csr_set(mie, MIP_MEIP);
    irq_global_enable();

    /* Priority 0 never interrupts, but the source still shows as pending. Nothing is printed
     * while ETBEI is on: printing would re-raise THR-empty. */
    uart_irq_enable(UART_IER_ETBEI);
    for (volatile int i = 0; i < 1000; i++) {
    }
    unsigned taken_prio0 = uart_count;
    int pending_prio0 = plic_pending(src);
    int meip_prio0 = (csr_read(mip) & MIP_MEIP) != 0;
    /* Priority 1 with threshold 1 still does not interrupt. */
    plic_set_threshold(1);
    plic_set_priority(src, 1);
    for (volatile int i = 0; i < 1000; i++) {
    }
    unsigned taken_thresh = uart_count;
    /* Threshold 0: now it does. */
    plic_set_threshold(0);
    bool taken = wait_count(&uart_count, 1);
    irq_global_disable();

    CHECK_EQ("priority 0: not taken", taken_prio0, 0);
    CHECK_EQ("priority 0: pending in PLIC", pending_prio0, 1);
    CHECK_EQ("priority 0: mip.MEIP clear", meip_prio0, 0);
    CHECK_EQ("priority <= threshold: not taken", taken_thresh, 0);
    CHECK("priority > threshold: taken", taken);
    CHECK_EQ("handled exactly once", uart_count, 1);
    CHECK_EQ("IIR said THR empty", uart_iir & UART_IIR_ID_MASK, UART_IIR_THRE);
    CHECK_EQ("IIR no interrupt after handling",
             uart_irq_id() & (UART_IIR_ID_MASK | UART_IIR_NO_INT), UART_IIR_NO_INT);
    CHECK_EQ("no claimable source left", plic_claim(), 0);
    CHECK("mip.MEIP clear", !(csr_read(mip) & MIP_MEIP));
    plic_disable(src);
    csr_clear(mie, MIP_MEIP);
}

int main(void) {
    test_software();
    test_timer();
    test_wfi();
    test_plic();
    return check_done("test_interrupts");
}
