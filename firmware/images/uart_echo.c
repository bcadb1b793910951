/* Console input: echoes each line received on UART0 in upper case until a line reads "quit". */
#include <stdio.h>

#include "board/uart.h"

int main(void) {
    char line[128];
    unsigned len = 0;
    printf("uart_echo: type lines, \"quit\" ends\n");
    for (;;) {
        int c = uart_getc();
        if (c == '\r') continue;
        if (c != '\n' && len + 1 < sizeof(line)) {
            line[len++] = (char)c;
            continue;
        }
        line[len] = '\0';
        if (len == 4 && line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't') break;
        for (unsigned i = 0; i < len; ++i)
            if (line[i] >= 'a' && line[i] <= 'z') line[i] = (char)(line[i] - 'a' + 'A');
        printf("echo: %s\n", line);
        len = 0;
    }
    printf("uart_echo: bye\n");
    return 0;
}
