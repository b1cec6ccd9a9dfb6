/* Reads the boot arguments and the RAM range from a flattened device tree. */
#ifndef OS_FDT_H
#define OS_FDT_H

#include <stddef.h>
#include <stdint.h>

struct fdt_info {
    const char *bootargs;   /* /chosen/bootargs inside the blob, or 0 */
    uint64_t mem_base;      /* first /memory node's first reg range, or 0 */
    uint64_t mem_size;
};

/* Parses the device tree at `blob`, reading no byte at or past
 * blob + max_size (pass the buffer size, or SIZE_MAX when the firmware's
 * header is trusted). Returns 0, or -1 with a message in `err`. */
int fdt_parse(const void *blob, size_t max_size, struct fdt_info *info,
              char *err, size_t errlen);

#endif
