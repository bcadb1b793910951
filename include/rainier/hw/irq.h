/* PLIC interrupt source numbers and contexts. UART0 uses QEMU virt's number. */
#ifndef RAINIER_HW_IRQ_H
#define RAINIER_HW_IRQ_H

#define RAINIER_IRQ_UART0 10

/* One line per chip: the OR of every interrupt inside it; each block has its own status. */
#define RAINIER_IRQ_CHIP_BASE 32
#define RAINIER_IRQ_CHIP(n) (RAINIER_IRQ_CHIP_BASE + (n))

/* Number of PLIC sources (source 0 is reserved and never raised). */
#define RAINIER_PLIC_NUM_SOURCES 128

/* PLIC contexts of hart 0, as on QEMU virt. */
#define RAINIER_PLIC_CTX_HART0_M 0
#define RAINIER_PLIC_CTX_HART0_S 1
#define RAINIER_PLIC_NUM_CONTEXTS 2

#endif
