/* A small program for debugger sessions (tests/tools): a function with locals to step
 * through, a global that is written once (for a watchpoint), and a UART access. Built without
 * optimisation so every variable lives where GDB expects it. */
#include <stdint.h>
#include <stdio.h>

volatile uint64_t gdb_watched;

__attribute__((noinline)) static int sum_of_squares(int n) {
    int total = 0;
    for (int i = 1; i <= n; ++i) {
        int square = i * i;
        total += square;
    }
    return total;
}

int main(void) {
    int result = sum_of_squares(10);
    gdb_watched = (uint64_t)result;
    printf("gdb_target: sum of squares 1..10 = %d\n", result);
    return 0;
}
