/* NeuronCore engine-queue driver (see board/nc.h). */
#include "board/nc.h"

#include <string.h>

#include "board/mmio.h"

uintptr_t nc_core_base(unsigned chip, unsigned core) {
    return (uintptr_t)(RAINIER_CHIP_MMIO_ADDR(chip) + RAINIER_CHIP_NC_OFFSET(core));
}

void nc_queue_init(struct nc_queue* q, unsigned chip, unsigned core, unsigned engine,
                   struct rainier_nc_insn* ring, uint32_t size) {
    q->core = nc_core_base(chip, core);
    q->regs = q->core + RAINIER_NC_QUEUE(engine);
    q->ring = ring;
    q->size = size;
    q->engine = engine;
    mmio_write32(q->regs + RAINIER_NC_Q_CTRL, RAINIER_NC_Q_CTRL_RESET);
    mmio_write64(q->regs + RAINIER_NC_Q_BASE, (uint64_t)(uintptr_t)ring);
    mmio_write32(q->regs + RAINIER_NC_Q_SIZE, size);
    q->tail = 0;
    mmio_write32(q->regs + RAINIER_NC_Q_CTRL, RAINIER_NC_Q_CTRL_ENABLE);
}

void nc_queue_reset(struct nc_queue* q) {
    mmio_write32(q->regs + RAINIER_NC_Q_CTRL, RAINIER_NC_Q_CTRL_ENABLE | RAINIER_NC_Q_CTRL_RESET);
    q->tail = 0;
}

uint32_t nc_space(const struct nc_queue* q) {
    return q->size - (uint32_t)(q->tail - mmio_read32(q->regs + RAINIER_NC_Q_HEAD));
}

int nc_push(struct nc_queue* q, const struct rainier_nc_insn* insn) {
    if (nc_space(q) == 0) return -1;
    memcpy(&q->ring[q->tail % q->size], insn, sizeof *insn);
    q->tail++;
    return 0;
}

void nc_doorbell(struct nc_queue* q) {
    __asm__ volatile("fence w, o" ::: "memory"); /* instructions before the doorbell */
    mmio_write32(q->regs + RAINIER_NC_Q_TAIL, q->tail);
    mmio_write32(q->regs + RAINIER_NC_Q_DOORBELL, 1);
}

int nc_wait(const struct nc_queue* q, uint32_t count, uint32_t spins) {
    while ((int32_t)(mmio_read32(q->regs + RAINIER_NC_Q_COMPLETED) - count) < 0) {
        if (mmio_read32(q->regs + RAINIER_NC_Q_STATUS) & RAINIER_NC_Q_STATUS_HALTED)
            return NC_HALTED;
        if (spins-- == 0) return NC_TIMEOUT;
    }
    __asm__ volatile("fence i, r" ::: "memory"); /* results after the completion */
    return NC_OK;
}

uint32_t nc_read(const struct nc_queue* q, unsigned reg) {
    return mmio_read32(q->regs + reg);
}
void nc_write(const struct nc_queue* q, unsigned reg, uint32_t v) {
    mmio_write32(q->regs + reg, v);
}
uint64_t nc_busy_cycles(const struct nc_queue* q) {
    return mmio_read64(q->regs + RAINIER_NC_Q_BUSY_CYCLES);
}

uint32_t nc_error(const struct nc_queue* q, uint32_t* index) {
    if (index) *index = mmio_read32(q->regs + RAINIER_NC_Q_ERROR_INDEX);
    return mmio_read32(q->regs + RAINIER_NC_Q_ERROR);
}

void nc_resume(const struct nc_queue* q) {
    __asm__ volatile("fence w, o" ::: "memory"); /* a rewritten instruction first */
    mmio_write32(q->regs + RAINIER_NC_Q_ERROR, 0);
}

void nc_rewrite(struct nc_queue* q, uint32_t index, const struct rainier_nc_insn* insn) {
    memcpy(&q->ring[index % q->size], insn, sizeof *insn);
}

uint32_t nc_irq_status(const struct nc_queue* q) {
    return mmio_read32(q->core + RAINIER_NC_IRQ_STATUS);
}
void nc_irq_clear(const struct nc_queue* q, uint32_t bits) {
    mmio_write32(q->core + RAINIER_NC_IRQ_STATUS, bits);
}
void nc_irq_enable(const struct nc_queue* q, uint32_t bits) {
    mmio_write32(q->core + RAINIER_NC_IRQ_ENABLE, bits);
}
