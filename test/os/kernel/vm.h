/* Sv39 page tables: the kernel's, each user process's, and copying across. */
#ifndef OS_VM_H
#define OS_VM_H

#include <stddef.h>
#include <stdint.h>

#include "riscv.h"

/* Builds the kernel page table (identity-mapped RAM and devices plus the
 * trampoline) and turns paging on. `ram_end` is the top of physical RAM. */
void vm_init_kernel(uint64_t ram_end);
/* satp value of the kernel's address space. */
uint64_t vm_kernel_satp(void);

/* A new user page table holding only the trampoline; 0 if out of memory. */
pagetable_t vm_user_create(void);
/* Frees every user page, the trap-context page and the page table itself. */
void vm_user_free(pagetable_t pt);
/* Maps [va, va+size) to newly allocated zeroed pages with `perm` (PTE_R/W/X/U);
 * pages already mapped are kept and get `perm` added. 0, or -1 if out of memory. */
int vm_user_alloc(pagetable_t pt, uint64_t va, uint64_t size, uint64_t perm);
/* Copies every user page of `from` (trap context excluded) into `to`. */
int vm_user_copy(pagetable_t from, pagetable_t to);

/* Maps one page va→pa. 0, or -1 if out of memory or already mapped. */
int vm_map(pagetable_t pt, uint64_t va, uint64_t pa, uint64_t perm);
/* Physical address of the page mapping `va` (any permission), or 0. */
uint64_t vm_translate(pagetable_t pt, uint64_t va);

/* Copies between kernel memory and a user address space, checking that every
 * page is mapped user-accessible (and writable for copy_out). 0 or -1. */
int vm_copy_out(pagetable_t pt, uint64_t dst_va, const void *src, size_t len);
int vm_copy_in(pagetable_t pt, void *dst, uint64_t src_va, size_t len);
/* Whether [va, va+len) is mapped user-writable (len > 0). */
int vm_user_writable(pagetable_t pt, uint64_t va, size_t len);
/* Copies a NUL-terminated user string of at most `max` bytes including the
 * NUL. Returns its length, or -1 (bad address or no NUL within `max`). */
long vm_copy_in_str(pagetable_t pt, char *dst, uint64_t src_va, size_t max);

#endif
