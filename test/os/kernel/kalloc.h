/* Physical page allocator: a free list of 4 KiB pages above the kernel image. */
#ifndef OS_KALLOC_H
#define OS_KALLOC_H

#include <stdint.h>

void kalloc_init(uint64_t start, uint64_t end);
/* Returns a zeroed page, or 0 when memory is exhausted. */
void *kalloc(void);
void kfree(void *page);
/* Pages currently free. */
uint64_t kalloc_free_pages(void);

#endif
