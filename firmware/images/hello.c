/* The demo image: a banner on the console, then a clean exit through sim-control. */
#include <stdio.h>

#include "board/riscv.h"

int main(void) {
    printf("\n");
    printf("  Hello from rainier-vp!\n");
    printf("  ---------------------\n");
    printf("  This firmware runs in M-mode on the host CPU, an RV64IMAC core,\n");
    printf("  with its console on a 16550A UART. The platform models a Trainium-class\n");
    printf("  AI chip; the same ELF also boots on qemu-system-riscv64 -M virt.\n");
    printf("  hart %u says goodbye: exiting through sim-control with code 0.\n",
           (unsigned)csr_read(mhartid));
    return 0;
}
