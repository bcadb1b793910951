/* Exits with code 3 through semihosting, so the non-zero exit path can be tested. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("semihost_exit: exiting with code 3\n");
    exit(3);
}
