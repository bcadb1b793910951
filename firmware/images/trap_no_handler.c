/* Takes an exception with mtvec = 0, i.e. with no trap handler. The hart then jumps to address
 * 0, where nothing is mapped, so every fetch faults again and traps to 0 again: a trap loop
 * that never exits. A simulator must report it (trap-loop detection or --max-time); QEMU just
 * spins. */
#include <stdio.h>

#include "board/riscv.h"

int main(void) {
    printf("trap_no_handler: mtvec = 0, now executing an illegal instruction\n");
    csr_write(mtvec, 0);
    __asm__ volatile(".4byte 0" ::: "memory"); /* all-zero word: illegal instruction */
    printf("trap_no_handler: still running, which is wrong\n");
    return 1;
}
