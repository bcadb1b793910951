/* Never ends: tests that the simulator's --max-time / --max-instructions limits stop a run. */
#include <stdio.h>

int main(void) {
    printf("spin_forever: looping forever on purpose\n");
    for (;;)
        __asm__ volatile("");
}
