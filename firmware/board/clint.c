#include "board/clint.h"

#include "board/mmio.h"
#include "rainier/hw/clint.h"
#include "rainier/hw/memory_map.h"

/* Only hart 0 runs firmware on this platform. */
#define HART 0

uint64_t clint_mtime(void) {
    return mmio_read64(RAINIER_CLINT_BASE + CLINT_MTIME);
}
void clint_set_timer(uint64_t cmp) {
    mmio_write64(RAINIER_CLINT_BASE + CLINT_MTIMECMP(HART), cmp);
}
void clint_stop_timer(void) {
    clint_set_timer(UINT64_MAX);
}
void clint_set_msip(int pending) {
    mmio_write32(RAINIER_CLINT_BASE + CLINT_MSIP(HART), pending ? 1 : 0);
}
int clint_msip(void) {
    return mmio_read32(RAINIER_CLINT_BASE + CLINT_MSIP(HART)) & 1;
}
