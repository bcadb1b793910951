/* UART0 (16550A) driver: polled transmit/receive plus interrupt-enable control. */
#ifndef BOARD_UART_H
#define BOARD_UART_H

#include <stdbool.h>
#include <stdint.h>

void uart_init(void);
void uart_putc(char c);
void uart_puts(const char* s);
/* Blocks until a byte arrives. */
int uart_getc(void);
/* Returns -1 when no byte is waiting. */
int uart_trygetc(void);
/* Sets the IER bits (UART_IER_* from rainier/hw/uart16550.h). */
void uart_irq_enable(uint8_t ier_bits);
void uart_irq_disable(uint8_t ier_bits);
/* Reads IIR (reading it acknowledges a THR-empty interrupt). */
uint8_t uart_irq_id(void);

#endif
