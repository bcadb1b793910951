/* NeuronCore engine-queue driver: one instruction ring per engine (tensor, vector), submit /
 * doorbell / wait, errors and interrupts. Registers and instruction format:
 * rainier/hw/neuroncore.h; where the block sits: rainier/hw/chip.h. */
#ifndef BOARD_NC_H
#define BOARD_NC_H

#include <stdint.h>

#include "rainier/hw/chip.h"
#include "rainier/hw/neuroncore.h"

struct nc_queue {
    uintptr_t core;               /* the core's engine-queue block */
    uintptr_t regs;               /* this engine's queue registers */
    struct rainier_nc_insn* ring; /* 64-byte aligned, `size` entries */
    uint32_t size;
    uint32_t tail;
    unsigned engine; /* RAINIER_NC_ENGINE_* */
};

/* nc_wait() results. */
#define NC_OK 0
#define NC_TIMEOUT (-1)
#define NC_HALTED (-2) /* the queue stopped on an error: nc_error() says which */

/* Engine-queue block of core `core` of chip `chip`. */
uintptr_t nc_core_base(unsigned chip, unsigned core);

/* Empties the queue (CTRL_RESET: HEAD = TAIL = COMPLETED = 0), programs the ring and enables
 * the queue. */
void nc_queue_init(struct nc_queue* q, unsigned chip, unsigned core, unsigned engine,
                   struct rainier_nc_insn* ring, uint32_t size);
/* Empties the queue again (also clears a halt); the ring stays. */
void nc_queue_reset(struct nc_queue* q);
/* Copies an instruction to the ring at TAIL; -1 if the ring is full (nothing written). */
int nc_push(struct nc_queue* q, const struct rainier_nc_insn* insn);
/* Free ring entries as seen now. */
uint32_t nc_space(const struct nc_queue* q);
/* Publishes TAIL and rings the doorbell. */
void nc_doorbell(struct nc_queue* q);
/* Polls until COMPLETED reaches `count` (free-running since the last reset): NC_OK, NC_HALTED
 * as soon as the queue halts, NC_TIMEOUT after `spins` polls. */
int nc_wait(const struct nc_queue* q, uint32_t count, uint32_t spins);

uint32_t nc_read(const struct nc_queue* q, unsigned reg); /* a RAINIER_NC_Q_* register */
void nc_write(const struct nc_queue* q, unsigned reg, uint32_t v);
uint64_t nc_busy_cycles(const struct nc_queue* q);
/* RAINIER_NC_ERR_* of the halting error (0 if none); its ring index in *index if not null. */
uint32_t nc_error(const struct nc_queue* q, uint32_t* index);
/* Clears the error: the queue resumes at HEAD (the failed instruction, rewritten or not). */
void nc_resume(const struct nc_queue* q);
/* Rewrites the ring entry of free-running index `index` (e.g. to fix a failed instruction). */
void nc_rewrite(struct nc_queue* q, uint32_t index, const struct rainier_nc_insn* insn);

/* The core's interrupt status/enable (RAINIER_NC_IRQ_DONE(e), RAINIER_NC_IRQ_ERROR(e)). */
uint32_t nc_irq_status(const struct nc_queue* q);
void nc_irq_clear(const struct nc_queue* q, uint32_t bits); /* write one to clear */
void nc_irq_enable(const struct nc_queue* q, uint32_t bits);

#endif
