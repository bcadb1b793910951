/* PLIC driver for hart 0's machine-mode context. */
#ifndef BOARD_PLIC_H
#define BOARD_PLIC_H

#include <stdint.h>

void plic_set_priority(unsigned src, uint32_t prio);
void plic_enable(unsigned src);
void plic_disable(unsigned src);
void plic_set_threshold(uint32_t threshold);
int plic_pending(unsigned src);
/* Returns the highest-priority pending source (0 if none) and marks it in service. */
unsigned plic_claim(void);
void plic_complete(unsigned src);

#endif
