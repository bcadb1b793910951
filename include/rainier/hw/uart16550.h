/* 16550A UART, one byte per register (register shift 0), as on QEMU virt. */
#ifndef RAINIER_HW_UART16550_H
#define RAINIER_HW_UART16550_H

#include "rainier/hw/common.h"

#define UART_RBR 0x0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0x0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0x0 /* divisor latch low (DLAB=1) */
#define UART_IER 0x1 /* interrupt enable (DLAB=0) */
#define UART_DLM 0x1 /* divisor latch high (DLAB=1) */
#define UART_IIR 0x2 /* interrupt identification (read) */
#define UART_FCR 0x2 /* FIFO control (write) */
#define UART_LCR 0x3 /* line control */
#define UART_MCR 0x4 /* modem control */
#define UART_LSR 0x5 /* line status */
#define UART_MSR 0x6 /* modem status */
#define UART_SCR 0x7 /* scratch */
#define UART_NUM_REGS 8

#define UART_IER_ERBFI 0x01 /* received data available */
#define UART_IER_ETBEI 0x02 /* transmitter holding register empty */
#define UART_IER_ELSI 0x04  /* receiver line status */
#define UART_IER_EDSSI 0x08 /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_ID_MASK 0x0e
#define UART_IIR_RLS 0x06  /* receiver line status */
#define UART_IIR_RDA 0x04  /* received data available */
#define UART_IIR_CTI 0x0c  /* character timeout */
#define UART_IIR_THRE 0x02 /* transmitter holding register empty */
#define UART_IIR_MSI 0x00  /* modem status */
#define UART_IIR_FIFO_ENABLED 0xc0

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04

#define UART_LCR_WLS_8 0x03
#define UART_LCR_DLAB 0x80

#define UART_MCR_LOOP 0x10

#define UART_LSR_DR 0x01   /* data ready */
#define UART_LSR_OE 0x02   /* overrun error */
#define UART_LSR_THRE 0x20 /* transmit holding register empty */
#define UART_LSR_TEMT 0x40 /* transmitter empty */

#define UART_FIFO_DEPTH 16

#endif
