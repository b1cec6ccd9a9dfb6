/* The ns16550a UART console: polled output, interrupt-driven input. */
#ifndef OS_UART_H
#define OS_UART_H

#include <stddef.h>

void uart_init(void);
void uart_putc(char c);
/* Called from the external-interrupt handler: drains the receive FIFO. */
void uart_intr(void);
/* Copies up to `len` received bytes into `buf`; returns how many (0 if none). */
size_t uart_read(char *buf, size_t len);
/* Bytes dropped because the receive buffer was full. */
unsigned long uart_rx_dropped(void);

#endif
