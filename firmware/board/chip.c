/* Chip bring-up (see board/chip.h). */
#include "board/chip.h"

#include "board/mmio.h"
#include "board/plic.h"
#include "rainier/hw/chip.h"
#include "rainier/hw/dma.h"
#include "rainier/hw/irq.h"
#include "rainier/hw/neuroncore.h"

uintptr_t chip_regs(unsigned chip) {
    return (uintptr_t)RAINIER_CHIP_MMIO_ADDR(chip);
}

void chip_read_info(unsigned chip, struct chip_info* info) {
    const uintptr_t r = chip_regs(chip) + RAINIER_CHIP_CTRL_OFFSET;
    info->id = mmio_read32(r + RAINIER_CHIP_CTRL_ID);
    info->cores = mmio_read32(r + RAINIER_CHIP_CTRL_CORES);
    info->dma_engines = mmio_read32(r + RAINIER_CHIP_CTRL_DMA_ENGINES);
    info->dma_queues = mmio_read32(r + RAINIER_CHIP_CTRL_DMA_QUEUES);
    info->partitions = mmio_read32(r + RAINIER_CHIP_CTRL_PARTITIONS);
    info->hbm_size = mmio_read64(r + RAINIER_CHIP_CTRL_HBM_SIZE);
    info->te_rows = mmio_read32(r + RAINIER_CHIP_CTRL_TE_ROWS);
    info->te_cols = mmio_read32(r + RAINIER_CHIP_CTRL_TE_COLS);
    info->sbuf_size = mmio_read32(r + RAINIER_CHIP_CTRL_SBUF_SIZE);
    info->psum_size = mmio_read32(r + RAINIER_CHIP_CTRL_PSUM_SIZE);
    info->te_mode = mmio_read32(r + RAINIER_CHIP_CTRL_TE_MODE);
    info->te_khz = mmio_read32(r + RAINIER_CHIP_CTRL_TE_CLOCK);
    info->ve_khz = mmio_read32(r + RAINIER_CHIP_CTRL_VE_CLOCK);
    info->system_chips = mmio_read32(r + RAINIER_CHIP_CTRL_SYSTEM_CHIPS);
    const uint32_t topo = mmio_read32(r + RAINIER_CHIP_CTRL_TOPOLOGY);
    for (unsigned d = 0; d < RAINIER_CHIP_TOPOLOGY_DIMS; d++)
        info->topology[d] = RAINIER_CHIP_TOPOLOGY_DIM(topo, d);
}

int chip_init(unsigned chip, struct chip_info* info, uint32_t spins) {
    const uintptr_t r = chip_regs(chip) + RAINIER_CHIP_CTRL_OFFSET;
    while (!(mmio_read32(r + RAINIER_CHIP_CTRL_STATUS) & RAINIER_CHIP_STATUS_HBM_READY))
        if (spins-- == 0) return -1;
    mmio_write32(r + RAINIER_CHIP_CTRL_RESET, RAINIER_CHIP_RESET_ENGINES);

    struct chip_info local;
    if (!info) info = &local;
    chip_read_info(chip, info);

    uint32_t nc_bits = 0;
    for (unsigned e = 0; e < RAINIER_NC_ENGINES; e++)
        nc_bits |= RAINIER_NC_IRQ_DONE(e) | RAINIER_NC_IRQ_ERROR(e);
    for (unsigned c = 0; c < info->cores; c++)
        mmio_write32(chip_regs(chip) + RAINIER_CHIP_NC_OFFSET(c) + RAINIER_NC_IRQ_ENABLE, nc_bits);

    uint32_t dma_bits = 0;
    for (unsigned q = 0; q < info->dma_queues && q < RAINIER_DMA_MAX_QUEUES; q++)
        dma_bits |= RAINIER_DMA_IRQ_DONE(q) | RAINIER_DMA_IRQ_ERROR(q);
    for (unsigned e = 0; e < info->cores * info->dma_engines; e++)
        mmio_write32(chip_regs(chip) + RAINIER_CHIP_DMA_OFFSET + e * RAINIER_CHIP_DMA_STRIDE +
                         RAINIER_DMA_IRQ_ENABLE,
                     dma_bits);

    plic_set_priority(RAINIER_IRQ_CHIP(chip), 1);
    plic_enable(RAINIER_IRQ_CHIP(chip));
    return 0;
}

uint64_t chip_time_ns(unsigned chip) {
    return mmio_read64(chip_regs(chip) + RAINIER_CHIP_CTRL_OFFSET + RAINIER_CHIP_CTRL_TIME_NS);
}
