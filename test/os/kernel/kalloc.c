/* Physical page allocator: a free list of 4 KiB pages above the kernel image. */
#include "kalloc.h"

#include "printk.h"
#include "riscv.h"
#include "string.h"

struct free_page {
    struct free_page *next;
};

static struct {
    struct free_page *free;
    uint64_t start, end;
    uint64_t nfree;
} pool;

void kalloc_init(uint64_t start, uint64_t end)
{
    pool.start = PG_ROUND_UP(start);
    pool.end = PG_ROUND_DOWN(end);
    for (uint64_t pa = pool.end; pa > pool.start;)
        kfree((void *)(pa -= PAGE_SIZE));
}

void *kalloc(void)
{
    struct free_page *p = pool.free;
    if (!p)
        return 0;
    pool.free = p->next;
    pool.nfree--;
    memset(p, 0, PAGE_SIZE);
    return p;
}

void kfree(void *page)
{
    uint64_t pa = (uint64_t)page;
    if (pa % PAGE_SIZE != 0 || pa < pool.start || pa >= pool.end)
        panic("kfree: bad page %p", page);
    struct free_page *p = page;
    p->next = pool.free;
    pool.free = p;
    pool.nfree++;
}

uint64_t kalloc_free_pages(void)
{
    return pool.nfree;
}
