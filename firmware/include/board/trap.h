/* Machine-mode trap handling: register interrupt and exception handlers; anything unhandled
 * prints a crash report on the UART and fails the run through sim-control. */
#ifndef BOARD_TRAP_H
#define BOARD_TRAP_H

/* Layout shared with trap_entry.S: x1..x31 at x[1..31] (x[0] unused), then the trap CSRs. */
#define TRAP_FRAME_X(n) ((n)*8)
#define TRAP_FRAME_MEPC (32 * 8)
#define TRAP_FRAME_MSTATUS (33 * 8)
#define TRAP_FRAME_MCAUSE (34 * 8)
#define TRAP_FRAME_MTVAL (35 * 8)
#define TRAP_FRAME_SIZE (36 * 8)

/* Exit code of a crash report: TRAP_EXIT_CRASH_BASE + exception code. */
#define TRAP_EXIT_CRASH_BASE 64
#define TRAP_EXIT_UNEXPECTED_IRQ 96

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct trap_frame {
    uint64_t x[32];
    uint64_t mepc, mstatus, mcause, mtval;
};

typedef void (*irq_handler_t)(void);
/* Returns true when the exception was dealt with (and mepc/the frame adjusted as needed). */
typedef bool (*exc_handler_t)(struct trap_frame* f);

/* Points mtvec at the trap entry and mscratch at the trap stack. crt0 does the same before
 * main; this is for code that changed them. */
void trap_init(void);

/* Local interrupts by number (IRQ_M_SOFT, IRQ_M_TIMER); also sets/clears the mie bit. */
void trap_set_irq_handler(unsigned irq, irq_handler_t h);
/* PLIC source handlers, called between claim and complete when IRQ_M_EXT is enabled. */
void trap_set_ext_handler(unsigned src, irq_handler_t h);
void trap_set_exc_handler(unsigned cause, exc_handler_t h);

/* "Expected trap" probe: while armed, the next exception is recorded instead of crashing,
 * and execution resumes after the faulting instruction. */
struct trap_record {
    bool taken;
    uint64_t mcause, mepc, mtval, mstatus, prev_priv;
};
void trap_expect(void);
/* Disarms the probe and returns what was recorded (taken = false if nothing trapped). */
struct trap_record trap_expect_end(void);

_Noreturn void trap_crash(const struct trap_frame* f, const char* why);
const char* trap_cause_name(uint64_t mcause);
#endif

#endif
