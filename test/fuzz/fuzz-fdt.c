/* libFuzzer harness for fdt_parse (test/os/kernel/fdt.c): any input must be
 * parsed or refused without reading outside it, and a result must point
 * into the input. Seeds: test/fuzz/corpus/fdt/ (a DTB dumped by QEMU virt). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal always says why, in a NUL-terminated string inside the buffer. */
static void check_err(const char *err, size_t errlen)
{
    if (!memchr(err, '\0', errlen) || err[0] == '\0')
        __builtin_trap();
}

/* bootargs, if set, starts inside the input and its NUL is inside it too,
 * so the kernel can use it as a C string without a length. */
static void check_bootargs(const char *bootargs, const uint8_t *data, size_t size)
{
    if (!bootargs)
        return;
    uintptr_t p = (uintptr_t)bootargs, lo = (uintptr_t)data;
    if (p < lo || p - lo >= size)
        __builtin_trap();
    if (!memchr(bootargs, '\0', size - (p - lo)))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fdt_info info;
    char err[128];
    memset(err, 'X', sizeof err);
    int rc = fdt_parse(data, size, &info, err, sizeof err);
    if (rc == 0)
        check_bootargs(info.bootargs, data, size);
    else if (rc == -1)
        check_err(err, sizeof err);
    else
        __builtin_trap();
    return 0;
}
