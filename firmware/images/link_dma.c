/* NeuronLink self-test (2 chips, e.g. --set chip.count=2 --set link.topology=ring:2): a DMA
 * engine of chip 0 copies 64 KiB from chip 0's HBM to chip 1's HBM over the link (global
 * addresses); the host checks the data through chip 1's aperture word by word. */
#include <stdint.h>

#include "board/dma.h"
#include "board/mmio.h"
#include "check.h"

static struct rainier_dma_desc ring[4] __attribute__((aligned(64)));

#define SRC (RAINIER_CHIP_APERTURE(0) + 0x100000)
#define DST (RAINIER_CHIP_APERTURE(1) + 0x200000)

static uint32_t pattern(uint32_t i) {
    return i * 2654435761u + 0x5a5a5u;
}

int main(void) {
    check_group("two chips");
    CHECK_EQ("chip 0 id", mmio_read32(RAINIER_CHIP_MMIO_ADDR(0) + RAINIER_CHIP_CTRL_ID), 0);
    CHECK_EQ("chip 1 id", mmio_read32(RAINIER_CHIP_MMIO_ADDR(1) + RAINIER_CHIP_CTRL_ID), 1);

    check_group("HBM of chip 0 to HBM of chip 1");
    volatile uint32_t* src = (volatile uint32_t*)(uintptr_t)SRC;
    volatile uint32_t* dst = (volatile uint32_t*)(uintptr_t)DST;
    const uint32_t words = 16384; /* 64 KiB */
    for (uint32_t i = 0; i < words; i++)
        src[i] = pattern(i);
    CHECK_EQ("untouched remote HBM reads zero", dst[77], 0);

    struct dma_queue q;
    dma_queue_init(&q, 0, 0, 0, ring, 4);
    struct rainier_dma_desc d;
    dma_desc_copy(&d, SRC, DST, words * 4);
    d.tag = 0x71;
    CHECK_EQ("push", dma_push(&q, &d), 0);
    dma_doorbell(&q);
    CHECK_EQ("done", dma_wait(&q, 1, 10000000), 0);
    CHECK_EQ("no error", dma_read(&q, RAINIER_DMA_Q_ERROR), 0);
    CHECK_EQ("tag", dma_read(&q, RAINIER_DMA_Q_LAST_TAG), 0x71);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < words; i++)
        bad += dst[i] != pattern(i);
    CHECK_EQ("remote copy matches", bad, 0);
    return check_done("link_dma");
}
