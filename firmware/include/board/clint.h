/* CLINT driver for hart 0: mtime, the timer compare register and the software interrupt. */
#ifndef BOARD_CLINT_H
#define BOARD_CLINT_H

#include <stdint.h>

uint64_t clint_mtime(void);
void clint_set_timer(uint64_t mtimecmp);
/* Pushes mtimecmp to the far future, which clears the timer interrupt. */
void clint_stop_timer(void);
void clint_set_msip(int pending);
int clint_msip(void);

#endif
