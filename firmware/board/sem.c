/* NeuronCore semaphores (see board/sem.h). */
#include "board/sem.h"

#include "board/mmio.h"
#include "rainier/hw/chip.h"

static uintptr_t sem_reg(unsigned chip, unsigned core, unsigned off) {
    return (uintptr_t)(RAINIER_CHIP_MMIO_ADDR(chip) + RAINIER_CHIP_SEM_OFFSET(core) + off);
}

uint32_t sem_read(unsigned chip, unsigned core, unsigned i) {
    return mmio_read32(sem_reg(chip, core, RAINIER_SEM_VALUE(i)));
}
void sem_write(unsigned chip, unsigned core, unsigned i, uint32_t v) {
    mmio_write32(sem_reg(chip, core, RAINIER_SEM_VALUE(i)), v);
}
void sem_add(unsigned chip, unsigned core, unsigned i, uint32_t v) {
    mmio_write32(sem_reg(chip, core, RAINIER_SEM_INC(i)), v);
}
int sem_wait_ge(unsigned chip, unsigned core, unsigned i, uint32_t v, uint32_t spins) {
    while (sem_read(chip, core, i) < v)
        if (spins-- == 0) return -1;
    __asm__ volatile("fence i, r" ::: "memory"); /* data after the signal */
    return 0;
}
void sem_clear_all(unsigned chip, unsigned core) {
    for (unsigned i = 0; i < RAINIER_SEM_COUNT; i++)
        sem_write(chip, core, i, 0);
}
