/* Chip bring-up: wait for HBM, reset every engine queue, route the chip's interrupts.
 * Registers: rainier/hw/chip.h. */
#ifndef BOARD_CHIP_H
#define BOARD_CHIP_H

#include <stdint.h>

/* What the chip control block reports (RAINIER_CHIP_CTRL_*). */
struct chip_info {
    unsigned id;
    unsigned cores;
    unsigned dma_engines; /* per core */
    unsigned dma_queues;  /* per engine */
    unsigned partitions;
    unsigned te_rows, te_cols;
    unsigned te_mode; /* RAINIER_TE_MODE_* */
    uint32_t sbuf_size, psum_size;
    uint32_t te_khz, ve_khz;
    uint64_t hbm_size;
    unsigned system_chips; /* chips in the system */
    unsigned topology[3];  /* ring sizes in x, y, z (1 where unused): id = x + X * (y + Y * z) */
};

uintptr_t chip_regs(unsigned chip);
void chip_read_info(unsigned chip, struct chip_info* info);
/* Nanoseconds since power-on (CTRL_TIME_NS): one clock for every chip, finer than mtime. */
uint64_t chip_time_ns(unsigned chip);

/* Brings chip `chip` up: polls STATUS until HBM_READY (-1 after `spins` polls), resets every
 * engine queue (CTRL_RESET ENGINES), fills `info` (may be null), enables the done and error
 * interrupts of every NeuronCore queue and every DMA queue, and gives the chip's PLIC source
 * RAINIER_IRQ_CHIP(chip) priority 1 and enables it. It does not touch mie/mstatus: install a
 * handler with trap_set_ext_handler() and enable MEIP/MIE to take the interrupts. */
int chip_init(unsigned chip, struct chip_info* info, uint32_t spins);

#endif
