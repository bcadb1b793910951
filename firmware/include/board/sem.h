/* NeuronCore semaphores (rainier/hw/chip.h): read, set, atomic add, wait. */
#ifndef BOARD_SEM_H
#define BOARD_SEM_H

#include <stdint.h>

uint32_t sem_read(unsigned chip, unsigned core, unsigned i);
void sem_write(unsigned chip, unsigned core, unsigned i, uint32_t v);
void sem_add(unsigned chip, unsigned core, unsigned i, uint32_t v); /* wraps */
/* Polls until sem[i] >= v (unsigned, as the engines compare); -1 after `spins` polls. */
int sem_wait_ge(unsigned chip, unsigned core, unsigned i, uint32_t v, uint32_t spins);
/* Sets every semaphore of the core to 0. */
void sem_clear_all(unsigned chip, unsigned core);

#endif
