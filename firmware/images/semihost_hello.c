/* Console and exit through RISC-V semihosting (picolibc --oslib=semihost), no UART. */
#include <stdio.h>

int main(void) {
    printf("semihost_hello: hello from rainier-vp through semihosting\n");
    return 0;
}
