/* DMA engine driver (see board/dma.h). */
#include "board/dma.h"

#include <string.h>

#include "board/mmio.h"

uintptr_t dma_engine_base(unsigned chip, unsigned engine) {
    return (uintptr_t)(RAINIER_CHIP_MMIO_ADDR(chip) + RAINIER_CHIP_DMA_OFFSET +
                       (uint64_t)engine * RAINIER_CHIP_DMA_STRIDE);
}

void dma_queue_init(struct dma_queue* dq, unsigned chip, unsigned engine, unsigned q,
                    struct rainier_dma_desc* ring, uint32_t size) {
    dq->engine = dma_engine_base(chip, engine);
    dq->regs = dq->engine + RAINIER_DMA_QUEUE(q);
    dq->ring = ring;
    dq->size = size;
    dq->q = q;
    mmio_write32(dq->regs + RAINIER_DMA_Q_CTRL, 0);
    mmio_write64(dq->regs + RAINIER_DMA_Q_BASE, (uint64_t)(uintptr_t)ring);
    mmio_write32(dq->regs + RAINIER_DMA_Q_SIZE, size);
    dq->tail = mmio_read32(dq->regs + RAINIER_DMA_Q_TAIL);
    mmio_write32(dq->regs + RAINIER_DMA_Q_CTRL, RAINIER_DMA_Q_CTRL_ENABLE);
}

int dma_push(struct dma_queue* dq, const struct rainier_dma_desc* d) {
    const uint32_t head = mmio_read32(dq->regs + RAINIER_DMA_Q_HEAD);
    if ((uint32_t)(dq->tail - head) >= dq->size) return -1;
    memcpy(&dq->ring[dq->tail % dq->size], d, sizeof *d);
    dq->tail++;
    return 0;
}

void dma_doorbell(struct dma_queue* dq) {
    __asm__ volatile("fence w, o" ::: "memory"); /* descriptors before the doorbell */
    mmio_write32(dq->regs + RAINIER_DMA_Q_TAIL, dq->tail);
    mmio_write32(dq->regs + RAINIER_DMA_Q_DOORBELL, 1);
}

int dma_wait(const struct dma_queue* dq, uint32_t count, uint32_t spins) {
    while ((int32_t)(mmio_read32(dq->regs + RAINIER_DMA_Q_COMPLETED) - count) < 0) {
        if (spins-- == 0) return -1;
    }
    __asm__ volatile("fence i, r" ::: "memory"); /* data after the completion */
    return 0;
}

uint32_t dma_read(const struct dma_queue* dq, unsigned reg) {
    return mmio_read32(dq->regs + reg);
}
void dma_write(const struct dma_queue* dq, unsigned reg, uint32_t v) {
    mmio_write32(dq->regs + reg, v);
}
uint32_t dma_irq_status(const struct dma_queue* dq) {
    return mmio_read32(dq->engine + RAINIER_DMA_IRQ_STATUS);
}
void dma_irq_clear(const struct dma_queue* dq, uint32_t bits) {
    mmio_write32(dq->engine + RAINIER_DMA_IRQ_STATUS, bits);
}
void dma_irq_enable(const struct dma_queue* dq, uint32_t bits) {
    mmio_write32(dq->engine + RAINIER_DMA_IRQ_ENABLE, bits);
}

void dma_desc_copy(struct rainier_dma_desc* d, uint64_t src, uint64_t dst, uint32_t bytes) {
    memset(d, 0, sizeof *d);
    d->src = src;
    d->dst = dst;
    d->elem_size = 4;
    d->src_stride[0] = d->dst_stride[0] = 4;
    if (bytes > 4096 && bytes % 4096 == 0) {
        d->src_count[0] = d->dst_count[0] = 1024;
        d->src_count[1] = d->dst_count[1] = (uint16_t)(bytes / 4096);
        d->src_stride[1] = d->dst_stride[1] = 4096;
    } else {
        d->src_count[0] = d->dst_count[0] = (uint16_t)(bytes / 4);
        d->src_count[1] = d->dst_count[1] = 1;
    }
    d->src_count[2] = d->dst_count[2] = 1;
}
