/* DMA self-test: error paths end in an interrupt through the PLIC (the chip's line), the
 * queue's error registers say why, and the engine carries on with the next descriptor. */
#include <stdint.h>

#include "board/dma.h"
#include "board/mmio.h"
#include "board/plic.h"
#include "board/riscv.h"
#include "board/trap.h"
#include "check.h"
#include "rainier/hw/irq.h"

static struct rainier_dma_desc ring[8] __attribute__((aligned(64)));
static struct dma_queue q;
static volatile unsigned irqs;
static volatile uint32_t seen_status, seen_error, seen_chip;

#define HBM RAINIER_CHIP_APERTURE(0)

static void on_chip(void) {
    seen_chip = mmio_read32(RAINIER_CHIP_MMIO_ADDR(0) + RAINIER_CHIP_CTRL_IRQ_STATUS(0));
    seen_status = dma_irq_status(&q);
    seen_error = dma_read(&q, RAINIER_DMA_Q_ERROR);
    dma_irq_clear(&q, seen_status);
    irqs++;
}

static int wait_irq(unsigned n) {
    for (uint32_t spins = 0; spins < 10000000; spins++)
        if (irqs >= n) return 1;
    return 0;
}

static void expect_error(const char* what, const struct rainier_dma_desc* bad, uint32_t code) {
    check_group(what);
    const unsigned before = irqs;
    const uint32_t done = dma_read(&q, RAINIER_DMA_Q_COMPLETED);
    struct rainier_dma_desc good;
    dma_desc_copy(&good, HBM, HBM + 0x10000, 64);
    good.tag = 0x600d;
    CHECK_EQ("push bad", dma_push(&q, bad), 0);
    CHECK_EQ("push good", dma_push(&q, &good), 0);
    dma_doorbell(&q);
    CHECK("interrupt taken", wait_irq(before + 1));
    CHECK_EQ("engine 2 in the chip summary", seen_chip, 1u << 2);
    CHECK_EQ("error bit of queue 3", seen_status, RAINIER_DMA_IRQ_ERROR(3));
    CHECK_EQ("error code", seen_error, code);
    CHECK_EQ("both completed", dma_wait(&q, done + 2, 10000000), 0);
    CHECK_EQ("failing index", dma_read(&q, RAINIER_DMA_Q_ERROR_INDEX), done);
    CHECK_EQ("next descriptor ran", dma_read(&q, RAINIER_DMA_Q_LAST_TAG), 0x600d);
    dma_write(&q, RAINIER_DMA_Q_ERROR, 0);
}

int main(void) {
    const unsigned src = RAINIER_IRQ_CHIP(0);
    dma_queue_init(&q, 0, 2, 3, ring, 8);
    dma_irq_enable(&q, RAINIER_DMA_IRQ_ERROR(3));
    trap_set_ext_handler(src, on_chip);
    plic_set_threshold(0);
    plic_set_priority(src, 1);
    plic_enable(src);
    csr_set(mie, MIP_MEIP);
    irq_global_enable();

    struct rainier_dma_desc d;
    /* Past the last possible NeuronCore SRAM window: a hole in every configuration. */
    dma_desc_copy(&d, RAINIER_CHIP_SRAM_BASE(0, RAINIER_MAX_CORES_PER_CHIP), HBM + 0x20000, 64);
    expect_error("unmapped source", &d, RAINIER_DMA_ERR_ADDRESS);
    dma_desc_copy(&d, HBM, RAINIER_CHIP_SRAM_BASE(0, 0) + 0x3fff0, 64); /* past a partition */
    expect_error("SBUF partition out of range", &d, RAINIER_DMA_ERR_ADDRESS);
    dma_desc_copy(&d, HBM, HBM + 0x20000, 64);
    d.dst_count[2] = 0;
    expect_error("zero size", &d, RAINIER_DMA_ERR_ZERO_SIZE);
    dma_desc_copy(&d, HBM + 2, HBM + 0x20000, 64);
    expect_error("misaligned", &d, RAINIER_DMA_ERR_MISALIGNED);

    check_group("ring overrun");
    const unsigned before = irqs;
    dma_write(&q, RAINIER_DMA_Q_TAIL, dma_read(&q, RAINIER_DMA_Q_HEAD) + 9); /* ring of 8 */
    dma_write(&q, RAINIER_DMA_Q_DOORBELL, 1);
    CHECK("interrupt taken", wait_irq(before + 1));
    CHECK_EQ("error code", seen_error, RAINIER_DMA_ERR_RING_OVERRUN);
    CHECK_EQ("tail rejected", dma_read(&q, RAINIER_DMA_Q_TAIL), q.tail);

    irq_global_disable();
    plic_disable(src);
    csr_clear(mie, MIP_MEIP);
    return check_done("dma_error");
}
