#include "board/uart.h"

#include "board/mmio.h"
#include "rainier/hw/memory_map.h"
#include "rainier/hw/uart16550.h"

static inline uint8_t rd(unsigned reg) {
    return mmio_read8(RAINIER_UART0_BASE + reg);
}
static inline void wr(unsigned reg, uint8_t v) {
    mmio_write8(RAINIER_UART0_BASE + reg, v);
}

void uart_init(void) {
    wr(UART_IER, 0);
    /* Divisor 1 (the model ignores the baud rate, real hardware would not). */
    wr(UART_LCR, UART_LCR_DLAB);
    wr(UART_DLL, 1);
    wr(UART_DLM, 0);
    wr(UART_LCR, UART_LCR_WLS_8);
    wr(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
    wr(UART_MCR, 0);
}

void uart_putc(char c) {
    while (!(rd(UART_LSR) & UART_LSR_THRE)) {
    }
    wr(UART_THR, (uint8_t)c);
}

void uart_puts(const char* s) {
    while (*s)
        uart_putc(*s++);
}

int uart_trygetc(void) {
    return (rd(UART_LSR) & UART_LSR_DR) ? rd(UART_RBR) : -1;
}

int uart_getc(void) {
    int c;
    while ((c = uart_trygetc()) < 0) {
    }
    return c;
}

void uart_irq_enable(uint8_t ier_bits) {
    wr(UART_IER, rd(UART_IER) | ier_bits);
}
void uart_irq_disable(uint8_t ier_bits) {
    wr(UART_IER, rd(UART_IER) & (uint8_t)~ier_bits);
}
uint8_t uart_irq_id(void) {
    return rd(UART_IIR);
}
