/* DMA self-test: a 3-D pattern from HBM into SBUF partitions and back, PSUM accumulation
 * through its alias. Expected layouts are computed here element by element. */
#include <stdint.h>

#include "board/dma.h"
#include "board/mmio.h"
#include "check.h"

static struct rainier_dma_desc ring[4] __attribute__((aligned(64)));

#define HBM RAINIER_CHIP_APERTURE(0)
#define SRAM RAINIER_CHIP_SRAM_BASE(0, 0)

int main(void) {
    /* Source tensor in HBM: 4 planes x 8 rows x 16 bf16 (2-byte) elements, rows padded to 64
     * bytes, planes 1 KiB apart; value = (plane << 8) | (row << 4) | column. */
    volatile uint16_t* t = (volatile uint16_t*)(uintptr_t)(HBM + 0x200000);
    for (unsigned z = 0; z < 4; z++)
        for (unsigned y = 0; y < 8; y++)
            for (unsigned x = 0; x < 16; x++)
                t[z * 512 + y * 32 + x] = (uint16_t)(z << 8 | y << 4 | x);

    check_group("HBM to SBUF, 3-D");
    /* Destination: row y of plane z into partition 4 + y, at byte 256 + z * 32. */
    struct dma_queue q;
    dma_queue_init(&q, 0, 0, 1, ring, 4);
    struct rainier_dma_desc d = {0};
    d.elem_size = 2;
    d.src = HBM + 0x200000;
    d.src_count[0] = 16, d.src_count[1] = 8, d.src_count[2] = 4;
    d.src_stride[0] = 2, d.src_stride[1] = 64, d.src_stride[2] = 1024;
    d.dst = SRAM + RAINIER_SBUF_OFFSET + 4 * RAINIER_SBUF_PARTITION_STRIDE + 256;
    d.dst_count[0] = 16, d.dst_count[1] = 8, d.dst_count[2] = 4;
    d.dst_stride[0] = 2, d.dst_stride[1] = (int32_t)RAINIER_SBUF_PARTITION_STRIDE,
    d.dst_stride[2] = 32;
    CHECK_EQ("push", dma_push(&q, &d), 0);
    dma_doorbell(&q);
    CHECK_EQ("done", dma_wait(&q, 1, 10000000), 0);
    CHECK_EQ("no error", dma_read(&q, RAINIER_DMA_Q_ERROR), 0);
    unsigned bad = 0;
    for (unsigned z = 0; z < 4; z++)
        for (unsigned y = 0; y < 8; y++)
            for (unsigned x = 0; x < 16; x++) {
                volatile uint16_t* p =
                    (volatile uint16_t*)(uintptr_t)(SRAM + (4 + y) * RAINIER_SBUF_PARTITION_STRIDE +
                                                    256 + z * 32 + x * 2);
                bad += *p != (uint16_t)(z << 8 | y << 4 | x);
            }
    CHECK_EQ("every element in place", bad, 0);

    check_group("PSUM accumulate");
    volatile float* a = (volatile float*)(uintptr_t)(HBM + 0x300000);
    for (unsigned i = 0; i < 64; i++)
        a[i] = (float)i * 0.5f;
    const uint64_t acc = SRAM + RAINIER_PSUM_ACC_OFFSET + 7 * RAINIER_PSUM_PARTITION_STRIDE;
    for (unsigned k = 0; k < 3; k++) {
        dma_desc_copy(&d, HBM + 0x300000, acc, 256);
        CHECK_EQ("push", dma_push(&q, &d), 0);
    }
    dma_doorbell(&q);
    CHECK_EQ("done", dma_wait(&q, 4, 10000000), 0);
    volatile float* p = (volatile float*)(uintptr_t)(SRAM + RAINIER_PSUM_OFFSET +
                                                     7 * RAINIER_PSUM_PARTITION_STRIDE);
    bad = 0;
    for (unsigned i = 0; i < 64; i++)
        bad += p[i] != (float)i * 1.5f;
    CHECK_EQ("three accumulations", bad, 0);
    return check_done("dma_sbuf3d");
}
