/* libFuzzer harness for elf_parse (test/os/kernel/elf.c) with the kernel's
 * user window: any input must be accepted or refused without reading
 * outside it, and an accepted image must be safe to load as described.
 * Seeds: test/fuzz/corpus/elf/ (a user program from `make os`). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "elf.h"

#define USER_LO 0x10000ULL
#define USER_HI 0x40000000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Everything the loader relies on: the segment's file bytes are inside the
 * input, its memory is inside [lo, hi), and it never copies more than it maps. */
static void check_segment(const struct elf_segment *s, size_t size)
{
    if (s->offset > size || s->filesz > size - s->offset)
        __builtin_trap();
    if (s->vaddr < USER_LO || s->vaddr > USER_HI || s->memsz > USER_HI - s->vaddr)
        __builtin_trap();
    if (s->filesz > s->memsz || s->memsz == 0)
        __builtin_trap();
}

static void check_image(const struct elf_image *img, size_t size)
{
    if (img->nsegs == 0 || img->nsegs > ELF_MAX_SEGMENTS)
        __builtin_trap();
    int entry_ok = 0;
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];
        check_segment(s, size);
        if ((s->flags & ELF_SEG_X) && img->entry >= s->vaddr &&
            img->entry - s->vaddr < s->memsz)
            entry_ok = 1;
    }
    if (!entry_ok)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_image img;
    char err[160];
    memset(err, 'X', sizeof err);
    int rc = elf_parse(data, size, USER_LO, USER_HI, &img, err, sizeof err);
    if (rc == 0)
        check_image(&img, size);
    else if (rc != -1 || !memchr(err, '\0', sizeof err) || err[0] == '\0')
        __builtin_trap();   /* a refusal says why, in a terminated string */
    return 0;
}
