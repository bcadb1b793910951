/* DMA engine driver: one descriptor ring per queue (in host DRAM), submit / doorbell / wait,
 * interrupt status, and helpers that fill descriptors. Registers and descriptor format:
 * rainier/hw/dma.h; where the engines sit: rainier/hw/chip.h. */
#ifndef BOARD_DMA_H
#define BOARD_DMA_H

#include <stdint.h>

#include "rainier/hw/chip.h"
#include "rainier/hw/dma.h"

struct dma_queue {
    uintptr_t engine;              /* engine register block */
    uintptr_t regs;                /* this queue's registers */
    struct rainier_dma_desc* ring; /* 64-byte aligned, `size` entries */
    uint32_t size;
    uint32_t tail;
    unsigned q;
};

/* Register block of DMA engine `engine` (global index on the chip) of chip `chip`. */
uintptr_t dma_engine_base(unsigned chip, unsigned engine);

/* Programs the ring and enables the queue; HEAD/TAIL continue from the engine's values. */
void dma_queue_init(struct dma_queue* dq, unsigned chip, unsigned engine, unsigned q,
                    struct rainier_dma_desc* ring, uint32_t size);
/* Copies a descriptor to the ring at TAIL; -1 if the ring is full (nothing written). */
int dma_push(struct dma_queue* dq, const struct rainier_dma_desc* d);
/* Publishes TAIL and rings the doorbell. */
void dma_doorbell(struct dma_queue* dq);
/* Polls until COMPLETED reaches `count` (free-running); -1 after `spins` polls. */
int dma_wait(const struct dma_queue* dq, uint32_t count, uint32_t spins);

uint32_t dma_read(const struct dma_queue* dq, unsigned reg); /* a RAINIER_DMA_Q_* register */
void dma_write(const struct dma_queue* dq, unsigned reg, uint32_t v);
uint32_t dma_irq_status(const struct dma_queue* dq);
void dma_irq_clear(const struct dma_queue* dq, uint32_t bits); /* write one to clear */
void dma_irq_enable(const struct dma_queue* dq, uint32_t bits);

/* Fills a plain copy of `bytes` (a multiple of 4), as rows of at most 4 KiB. */
void dma_desc_copy(struct rainier_dma_desc* d, uint64_t src, uint64_t dst, uint32_t bytes);

#endif
