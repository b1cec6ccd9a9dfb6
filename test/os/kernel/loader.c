/* Builds a user address space from an embedded program's ELF file. */
#include "loader.h"

#include "elf.h"
#include "kalloc.h"
#include "memlayout.h"
#include "printk.h"
#include "string.h"
#include "vm.h"

static uint64_t segment_perm(uint32_t flags)
{
    uint64_t perm = PTE_U;
    if (flags & ELF_SEG_R)
        perm |= PTE_R;
    if (flags & ELF_SEG_W)
        perm |= PTE_W;
    if (flags & ELF_SEG_X)
        perm |= PTE_X;
    return perm;
}

static int map_segment(pagetable_t pt, const struct app *app, const struct elf_segment *s)
{
    if (vm_user_alloc(pt, s->vaddr, s->memsz, segment_perm(s->flags)) != 0)
        return -1;
    /* Copy the file bytes page by page through the physical mapping. */
    for (uint64_t done = 0; done < s->filesz;) {
        uint64_t va = s->vaddr + done;
        uint64_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (n > s->filesz - done)
            n = s->filesz - done;
        memcpy((void *)vm_translate(pt, va), app->elf + s->offset + done, n);
        done += n;
    }
    return 0;
}

/* Pushes the argument strings and argv[] onto the new stack (top down). */
static int push_args(struct user_image *img, const struct args *args)
{
    uint64_t sp = USER_STACK_TOP;
    uint64_t ptrs[ARG_MAX + 1];
    for (int i = args->argc - 1; i >= 0; i--) {
        size_t len = strlen(args->argv[i]) + 1;
        sp -= len;
        if (vm_copy_out(img->pagetable, sp, args->argv[i], len) != 0)
            return -1;
        ptrs[i] = sp;
    }
    ptrs[args->argc] = 0;
    sp = (sp - (uint64_t)(args->argc + 1) * 8) & ~15UL;
    if (vm_copy_out(img->pagetable, sp, ptrs, (uint64_t)(args->argc + 1) * 8) != 0)
        return -1;
    img->argv = sp;
    img->sp = sp;
    return 0;
}

/* Fills img->pagetable; on failure returns -1 and sets *why (the caller frees). */
static int build(const struct app *app, const struct args *args, struct user_image *img,
                 char *why, size_t whylen)
{
    struct elf_image elf;
    if (elf_parse(app->elf, (size_t)(app->end - app->elf), USER_BASE, USER_LOAD_TOP, &elf, why, whylen) != 0)
        return -1;
    strlcpy(why, "out of memory", whylen);
    for (unsigned i = 0; i < elf.nsegs; i++) {
        if (map_segment(img->pagetable, app, &elf.seg[i]) != 0)
            return -1;
    }
    uint64_t stack_bottom = USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE;
    if (vm_user_alloc(img->pagetable, stack_bottom, USER_STACK_PAGES * PAGE_SIZE,
                      PTE_R | PTE_W | PTE_U) != 0)
        return -1;
    img->trap_cx = kalloc();
    if (!img->trap_cx)
        return -1;
    if (vm_map(img->pagetable, TRAP_CONTEXT, (uint64_t)img->trap_cx, PTE_R | PTE_W) != 0) {
        kfree(img->trap_cx);
        return -1;
    }
    img->entry = elf.entry;
    return push_args(img, args);
}

int loader_build(const struct app *app, const struct args *args, struct user_image *img)
{
    char why[128];
    *img = (struct user_image){ .pagetable = vm_user_create() };
    if (!img->pagetable) {
        printk("[kernel] cannot load %s: out of memory\n", app->name);
        return -1;
    }
    if (build(app, args, img, why, sizeof why) != 0) {
        vm_user_free(img->pagetable);
        printk("[kernel] cannot load %s: %s\n", app->name, why);
        return -1;
    }
    return 0;
}
