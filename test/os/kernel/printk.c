/* Kernel console output and panics. */
#include "printk.h"

#include <stdarg.h>

#include "fmt.h"
#include "riscv.h"
#include "sbi.h"
#include "uart.h"

static void console_putc(void *arg, char c)
{
    (void)arg;
    if (c == '\n')
        uart_putc('\r');
    uart_putc(c);
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(console_putc, 0, fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    intr_off();
    va_list ap;
    va_start(ap, fmt);
    printk("[kernel] panic: ");
    fmt_vformat(console_putc, 0, fmt, ap);
    printk("\n");
    va_end(ap);
    sbi_shutdown(255);
}
