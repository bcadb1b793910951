/* Exercises the crash report: a load from unmapped address 0 with no handler registered.
 * Expected: the report on the console and exit code 64 + 5 (load access fault). Registers
 * are deterministic because crt0 starts from zeroed registers. */
#include <stdint.h>
#include <stdio.h>

int main(void) {
    printf("crash: loading from address 0, expect a crash report\n");
    volatile uint64_t* p = (volatile uint64_t*)0;
    __asm__ volatile("li a0, 0x1234\n\tli t6, -1" ::: "a0", "t6");
    (void)*p;
    printf("crash: survived, which is wrong\n");
    return 0;
}
