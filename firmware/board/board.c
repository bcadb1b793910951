#include "board/board.h"

#include "board/clint.h"
#include "board/uart.h"

uint64_t board_boot_hartid;
uint64_t board_boot_dtb;

void board_init(void) {
    uart_init();
    /* mtimecmp's reset value differs between platforms; make "no timer pending" explicit. */
    clint_stop_timer();
}
