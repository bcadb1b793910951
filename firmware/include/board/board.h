/* Board support entry points shared by every image. */
#ifndef BOARD_BOARD_H
#define BOARD_BOARD_H

#include <stdint.h>

/* Hart id and device-tree address handed over by the boot ROM in a0/a1 (saved by crt0). */
extern uint64_t board_boot_hartid;
extern uint64_t board_boot_dtb;

/* Called by crt0 before main: console and traps. Images override nothing here. */
void board_init(void);

#endif
