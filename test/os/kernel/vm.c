/* Sv39 page tables: the kernel's, each user process's, and copying across. */
#include "vm.h"

#include "kalloc.h"
#include "memlayout.h"
#include "printk.h"
#include "string.h"

extern char stext[], etext[], srodata[], erodata[], sdata[], strampoline[];

static pagetable_t kernel_pt;

/* The PTE for `va` in `pt`, creating intermediate tables if `alloc`. */
static pte_t *walk(pagetable_t pt, uint64_t va, int alloc)
{
    for (int level = 2; level > 0; level--) {
        pte_t *pte = &pt[VPN(va, level)];
        if (*pte & PTE_V) {
            pt = (pagetable_t)PTE_TO_PA(*pte);
        } else {
            if (!alloc || !(pt = kalloc()))
                return 0;
            *pte = PA_TO_PTE(pt) | PTE_V;
        }
    }
    return &pt[VPN(va, 0)];
}

int vm_map(pagetable_t pt, uint64_t va, uint64_t pa, uint64_t perm)
{
    pte_t *pte = walk(pt, va, 1);
    if (!pte || (*pte & PTE_V))
        return -1;
    *pte = PA_TO_PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
    return 0;
}

static void map_range(pagetable_t pt, uint64_t start, uint64_t end, uint64_t perm)
{
    for (uint64_t a = PG_ROUND_DOWN(start); a < end; a += PAGE_SIZE) {
        if (vm_map(pt, a, a, perm) != 0)
            panic("vm: cannot map kernel page %p", (void *)a);
    }
}

void vm_init_kernel(uint64_t ram_end)
{
    kernel_pt = kalloc();
    ASSERT(kernel_pt);
    map_range(kernel_pt, VIRT_TEST_BASE, VIRT_TEST_BASE + PAGE_SIZE, PTE_R | PTE_W);
    map_range(kernel_pt, UART0_BASE, UART0_BASE + PAGE_SIZE, PTE_R | PTE_W);
    map_range(kernel_pt, PLIC_BASE, PLIC_BASE + PLIC_SIZE, PTE_R | PTE_W);
    map_range(kernel_pt, (uint64_t)stext, (uint64_t)etext, PTE_R | PTE_X);
    map_range(kernel_pt, (uint64_t)srodata, (uint64_t)erodata, PTE_R);
    map_range(kernel_pt, (uint64_t)sdata, ram_end, PTE_R | PTE_W);
    if (vm_map(kernel_pt, TRAMPOLINE, (uint64_t)strampoline, PTE_R | PTE_X) != 0)
        panic("vm: cannot map the trampoline");
    csr_write(satp, MAKE_SATP(kernel_pt));
    sfence_vma();
}

uint64_t vm_kernel_satp(void)
{
    return MAKE_SATP(kernel_pt);
}

pagetable_t vm_user_create(void)
{
    pagetable_t pt = kalloc();
    if (pt && vm_map(pt, TRAMPOLINE, (uint64_t)strampoline, PTE_R | PTE_X) != 0) {
        vm_user_free(pt);
        return 0;
    }
    return pt;
}

/* Frees the leaves of `pt` (except the shared trampoline) and the tables. */
static void free_level(pagetable_t pt, int level)
{
    for (int i = 0; i < 512; i++) {
        pte_t pte = pt[i];
        if (!(pte & PTE_V))
            continue;
        uint64_t pa = PTE_TO_PA(pte);
        if (level > 0)
            free_level((pagetable_t)pa, level - 1);
        else if (pa != (uint64_t)strampoline)
            kfree((void *)pa);
    }
    kfree(pt);
}

void vm_user_free(pagetable_t pt)
{
    free_level(pt, 2);
}

int vm_user_alloc(pagetable_t pt, uint64_t va, uint64_t size, uint64_t perm)
{
    for (uint64_t a = PG_ROUND_DOWN(va); a < va + size; a += PAGE_SIZE) {
        pte_t *pte = walk(pt, a, 1);
        if (!pte)
            return -1;
        if (*pte & PTE_V) {
            *pte |= perm;
            continue;
        }
        void *page = kalloc();
        if (!page)
            return -1;
        *pte = PA_TO_PTE(page) | perm | PTE_V | PTE_A | PTE_D;
    }
    return 0;
}

/* Copies the user leaves under one table of `from` into `to` (same VAs). */
static int copy_level(pagetable_t from, pagetable_t to, int level, uint64_t base)
{
    for (uint64_t i = 0; i < 512; i++) {
        pte_t pte = from[i];
        uint64_t va = base | (i << (12 + 9 * level));
        if (!(pte & PTE_V))
            continue;
        if (level > 0) {
            if (copy_level((pagetable_t)PTE_TO_PA(pte), to, level - 1, va) != 0)
                return -1;
            continue;
        }
        if (!(pte & PTE_U))
            continue; /* trampoline and trap context are set up separately */
        void *page = kalloc();
        if (!page)
            return -1;
        memcpy(page, (void *)PTE_TO_PA(pte), PAGE_SIZE);
        if (vm_map(to, va, (uint64_t)page, pte & (PTE_R | PTE_W | PTE_X | PTE_U)) != 0) {
            kfree(page);
            return -1;
        }
    }
    return 0;
}

int vm_user_copy(pagetable_t from, pagetable_t to)
{
    return copy_level(from, to, 2, 0);
}

uint64_t vm_translate(pagetable_t pt, uint64_t va)
{
    pte_t *pte = walk(pt, va, 0);
    if (!pte || !(*pte & PTE_V))
        return 0;
    return PTE_TO_PA(*pte) | (va & (PAGE_SIZE - 1));
}

/* Physical address for user access to `va`, or 0 if not allowed. */
static uint64_t user_pa(pagetable_t pt, uint64_t va, uint64_t need)
{
    if (va >= MAX_VA)
        return 0;
    pte_t *pte = walk(pt, va, 0);
    if (!pte || (*pte & (PTE_V | PTE_U | need)) != (PTE_V | PTE_U | need))
        return 0;
    return PTE_TO_PA(*pte) | (va & (PAGE_SIZE - 1));
}

int vm_user_writable(pagetable_t pt, uint64_t va, size_t len)
{
    if (len == 0 || va + len < va)
        return 0;
    for (uint64_t a = PG_ROUND_DOWN(va); a < va + len; a += PAGE_SIZE) {
        if (!user_pa(pt, a, PTE_W))
            return 0;
    }
    return 1;
}

int vm_copy_out(pagetable_t pt, uint64_t dst_va, const void *src, size_t len)
{
    const char *s = src;
    while (len > 0) {
        uint64_t pa = user_pa(pt, dst_va, PTE_W);
        if (!pa)
            return -1;
        size_t n = PAGE_SIZE - (dst_va & (PAGE_SIZE - 1));
        if (n > len)
            n = len;
        memcpy((void *)pa, s, n);
        s += n, dst_va += n, len -= n;
    }
    return 0;
}

int vm_copy_in(pagetable_t pt, void *dst, uint64_t src_va, size_t len)
{
    char *d = dst;
    while (len > 0) {
        uint64_t pa = user_pa(pt, src_va, PTE_R);
        if (!pa)
            return -1;
        size_t n = PAGE_SIZE - (src_va & (PAGE_SIZE - 1));
        if (n > len)
            n = len;
        memcpy(d, (void *)pa, n);
        d += n, src_va += n, len -= n;
    }
    return 0;
}

long vm_copy_in_str(pagetable_t pt, char *dst, uint64_t src_va, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        uint64_t pa = user_pa(pt, src_va + i, PTE_R);
        if (!pa)
            return -1;
        dst[i] = *(const char *)pa;
        if (dst[i] == '\0')
            return (long)i;
    }
    return -1;
}
