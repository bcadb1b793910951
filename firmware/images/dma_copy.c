/* DMA self-test: HBM to HBM copies on two engines, checked word by word; completion interrupt
 * status, semaphore increment, tags, and the chip's identification registers. */
#include <stdint.h>

#include "board/dma.h"
#include "board/mmio.h"
#include "check.h"

static struct rainier_dma_desc ring0[8] __attribute__((aligned(64)));
static struct rainier_dma_desc ring1[8] __attribute__((aligned(64)));

#define HBM RAINIER_CHIP_APERTURE(0)
#define CHIP_REG(off) (RAINIER_CHIP_MMIO_ADDR(0) + (off))

static uint32_t pattern(uint32_t i) {
    return i * 2654435761u + 0x12345u;
}

int main(void) {
    check_group("chip identification");
    CHECK_EQ("chip id", mmio_read32(CHIP_REG(RAINIER_CHIP_CTRL_ID)), 0);
    CHECK("at least one core", mmio_read32(CHIP_REG(RAINIER_CHIP_CTRL_CORES)) >= 1);
    CHECK("at least two engines", mmio_read32(CHIP_REG(RAINIER_CHIP_CTRL_DMA_ENGINES)) >= 2);
    CHECK("HBM present", mmio_read64(CHIP_REG(RAINIER_CHIP_CTRL_HBM_SIZE)) >= (1u << 30));

    check_group("HBM to HBM copy");
    volatile uint32_t* src = (volatile uint32_t*)(uintptr_t)(HBM + 0x100000);
    volatile uint32_t* dst0 = (volatile uint32_t*)(uintptr_t)(HBM + 0x800000);
    volatile uint32_t* dst1 = (volatile uint32_t*)(uintptr_t)(HBM + 0xC00000);
    const uint32_t words = 16384; /* 64 KiB */
    for (uint32_t i = 0; i < words; i++)
        src[i] = pattern(i);
    CHECK_EQ("untouched HBM reads zero", dst0[123], 0);

    struct dma_queue q0, q1;
    dma_queue_init(&q0, 0, 0, 0, ring0, 8);
    dma_queue_init(&q1, 0, 1, 2, ring1, 8);
    dma_irq_enable(&q0, RAINIER_DMA_IRQ_DONE(0));
    struct rainier_dma_desc d;
    dma_desc_copy(&d, HBM + 0x100000, HBM + 0x800000, words * 4);
    d.flags = RAINIER_DMA_FLAG_IRQ | RAINIER_DMA_FLAG_SEM;
    d.sem_id = 2;
    d.sem_inc = 1;
    d.tag = 0xd0;
    CHECK_EQ("push 0", dma_push(&q0, &d), 0);
    dma_desc_copy(&d, HBM + 0x100000, HBM + 0xC00000, words * 4);
    d.flags = RAINIER_DMA_FLAG_SEM;
    d.sem_id = 2;
    d.sem_inc = 10;
    d.tag = 0xd1;
    CHECK_EQ("push 1", dma_push(&q1, &d), 0);
    dma_doorbell(&q0);
    dma_doorbell(&q1);
    CHECK_EQ("engine 0 done", dma_wait(&q0, 1, 10000000), 0);
    CHECK_EQ("engine 1 done", dma_wait(&q1, 1, 10000000), 0);
    uint32_t bad0 = 0, bad1 = 0;
    for (uint32_t i = 0; i < words; i++) {
        bad0 += dst0[i] != pattern(i);
        bad1 += dst1[i] != pattern(i);
    }
    CHECK_EQ("copy 0 matches", bad0, 0);
    CHECK_EQ("copy 1 matches", bad1, 0);
    CHECK_EQ("no error 0", dma_read(&q0, RAINIER_DMA_Q_ERROR), 0);
    CHECK_EQ("tag 0", dma_read(&q0, RAINIER_DMA_Q_LAST_TAG), 0xd0);
    CHECK_EQ("tag 1", dma_read(&q1, RAINIER_DMA_Q_LAST_TAG), 0xd1);
    CHECK_EQ("head advanced", dma_read(&q0, RAINIER_DMA_Q_HEAD), 1);
    CHECK_EQ("completion interrupt pending", dma_irq_status(&q0), RAINIER_DMA_IRQ_DONE(0));
    CHECK_EQ("chip summary shows engine 0",
             mmio_read32(CHIP_REG(RAINIER_CHIP_CTRL_IRQ_STATUS(0))) & 1, 1);
    dma_irq_clear(&q0, RAINIER_DMA_IRQ_DONE(0));
    CHECK_EQ("cleared", dma_irq_status(&q0), 0);
    CHECK_EQ("semaphore incremented by both",
             mmio_read32(CHIP_REG(RAINIER_CHIP_SEM_OFFSET(0) + RAINIER_SEM_VALUE(2))), 11);
    return check_done("dma_copy");
}
