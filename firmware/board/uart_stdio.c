/* Hooks picolibc's stdio to UART0 and exit() to sim-control. Linked into every image except
 * those that use picolibc's semihosting library for the same job. */
#include <stdio.h>
#include <unistd.h>

#include "board/simctl.h"
#include "board/uart.h"

static int stdio_put(char c, FILE* f) {
    (void)f;
    uart_putc(c);
    return (unsigned char)c;
}

static int stdio_get(FILE* f) {
    (void)f;
    return uart_getc();
}

static FILE uart_stream = FDEV_SETUP_STREAM(stdio_put, stdio_get, NULL, _FDEV_SETUP_RW);

FILE* const stdin = &uart_stream;
FILE* const stdout = &uart_stream;
FILE* const stderr = &uart_stream;

void _exit(int code) {
    if (code == 0) simctl_pass();
    simctl_fail((unsigned)code);
}
