#include "board/simctl.h"

#include "board/mmio.h"
#include "rainier/hw/memory_map.h"
#include "rainier/hw/simctl.h"

static _Noreturn void finish(uint32_t v) {
    mmio_write32(RAINIER_SIMCTL_BASE + SIMCTL_FINISHER, v);
    /* The write ends the run; should it not, do not run on into garbage. */
    for (;;)
        __asm__ volatile("wfi");
}

void simctl_pass(void) {
    finish(SIMCTL_FINISHER_PASS);
}
void simctl_fail(unsigned code) {
    finish(SIMCTL_FAIL_CODE(code & 0xffff ? code : 1));
}
