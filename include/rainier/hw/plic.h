/* Platform-level interrupt controller (SiFive PLIC layout, as on QEMU virt). */
#ifndef RAINIER_HW_PLIC_H
#define RAINIER_HW_PLIC_H

#include "rainier/hw/common.h"

#define PLIC_PRIORITY(src) (0x000000 + 4 * (src))
#define PLIC_PENDING(word) (0x001000 + 4 * (word))
#define PLIC_ENABLE(ctx, word) (0x002000 + 0x80 * (ctx) + 4 * (word))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (0x200004 + 0x1000 * (ctx))

/* Priorities are 3 bits wide (0 = never interrupts). */
#define PLIC_PRIORITY_MAX 7

#endif
