#include "board/plic.h"

#include "board/mmio.h"
#include "rainier/hw/irq.h"
#include "rainier/hw/memory_map.h"
#include "rainier/hw/plic.h"

#define CTX RAINIER_PLIC_CTX_HART0_M
#define REG(off) (RAINIER_PLIC_BASE + (off))

void plic_set_priority(unsigned src, uint32_t prio) {
    mmio_write32(REG(PLIC_PRIORITY(src)), prio);
}

void plic_enable(unsigned src) {
    uintptr_t r = REG(PLIC_ENABLE(CTX, src / 32));
    mmio_write32(r, mmio_read32(r) | (1u << (src % 32)));
}

void plic_disable(unsigned src) {
    uintptr_t r = REG(PLIC_ENABLE(CTX, src / 32));
    mmio_write32(r, mmio_read32(r) & ~(1u << (src % 32)));
}

void plic_set_threshold(uint32_t t) {
    mmio_write32(REG(PLIC_THRESHOLD(CTX)), t);
}
int plic_pending(unsigned src) {
    return (mmio_read32(REG(PLIC_PENDING(src / 32))) >> (src % 32)) & 1;
}
unsigned plic_claim(void) {
    return mmio_read32(REG(PLIC_CLAIM(CTX)));
}
void plic_complete(unsigned src) {
    mmio_write32(REG(PLIC_CLAIM(CTX)), src);
}
