/* The ns16550a UART console: polled output, interrupt-driven input. */
#include "uart.h"

#include <stdint.h>

#include "memlayout.h"
#include "printk.h"
#include "task.h"

/* ns16550a registers (byte offsets). */
#define RBR 0   /* receive buffer (read) */
#define THR 0   /* transmit holding (write) */
#define IER 1   /* interrupt enable */
#define FCR 2   /* FIFO control (write) */
#define LCR 3   /* line control */
#define MCR 4   /* modem control */
#define LSR 5   /* line status */

#define IER_RX_AVAILABLE 0x01
#define FCR_ENABLE       0x01
#define LCR_8N1          0x03
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DATA_READY   0x01
#define LSR_THR_EMPTY    0x20

#define RX_BUF_SIZE 256

static volatile uint8_t *const uart = (volatile uint8_t *)UART0_BASE;

/* Received bytes waiting for a read(): a ring written by the interrupt
 * handler and read by system calls, both with interrupts off. */
static struct {
    char buf[RX_BUF_SIZE];
    unsigned head;   /* next byte to read */
    unsigned tail;   /* next free slot */
    unsigned long dropped;
} rx;

static void rx_drain(void)
{
    unsigned long dropped = rx.dropped;
    while (uart[LSR] & LSR_DATA_READY) {
        char c = (char)uart[RBR];
        if (rx.tail - rx.head == RX_BUF_SIZE) {
            rx.dropped++;
            continue;
        }
        rx.buf[rx.tail++ % RX_BUF_SIZE] = c;
    }
    if (rx.dropped != dropped)
        printk("[kernel] console input buffer full: %lu bytes dropped so far\n", rx.dropped);
}

void uart_init(void)
{
    uart[IER] = 0;
    uart[LCR] = LCR_8N1;
    /* Turning the FIFOs on discards what was received before (QEMU too),
     * so keep any byte typed during boot first. */
    rx_drain();
    uart[FCR] = FCR_ENABLE;
    uart[MCR] = MCR_DTR_RTS_OUT2;
    uart[IER] = IER_RX_AVAILABLE;
}

void uart_putc(char c)
{
    while ((uart[LSR] & LSR_THR_EMPTY) == 0)
        ;
    uart[THR] = (uint8_t)c;
}

void uart_intr(void)
{
    rx_drain();
    task_wakeup(WAIT_CONSOLE);
}

size_t uart_read(char *buf, size_t len)
{
    size_t n = 0;
    while (n < len && rx.head != rx.tail)
        buf[n++] = rx.buf[rx.head++ % RX_BUF_SIZE];
    return n;
}

unsigned long uart_rx_dropped(void)
{
    return rx.dropped;
}
