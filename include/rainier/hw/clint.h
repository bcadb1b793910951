/* Core-local interruptor (SiFive CLINT layout, as on QEMU virt). */
#ifndef RAINIER_HW_CLINT_H
#define RAINIER_HW_CLINT_H

#include "rainier/hw/common.h"

#define CLINT_MSIP(hart) (0x0000 + 4 * (hart))     /* 32-bit, bit 0 = machine software irq */
#define CLINT_MTIMECMP(hart) (0x4000 + 8 * (hart)) /* 64-bit */
#define CLINT_MTIME 0xbff8                         /* 64-bit, read-write */

/* mtime ticks at this rate (QEMU virt uses the same). */
#define RAINIER_CLINT_TIMEBASE_HZ 10000000

#endif
