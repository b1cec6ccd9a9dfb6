/* Validates a RISC-V ELF executable and lists its loadable segments. */
#ifndef OS_ELF_H
#define OS_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 8
#define ELF_SEG_X 1   /* p_flags bits */
#define ELF_SEG_W 2
#define ELF_SEG_R 4

struct elf_segment {
    uint64_t vaddr, memsz;
    uint64_t offset, filesz;
    uint32_t flags;
};

struct elf_image {
    uint64_t entry;
    unsigned nsegs;
    struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/* Checks that `blob` (`size` bytes) is a 64-bit little-endian RISC-V ET_EXEC
 * whose PT_LOAD segments lie inside the blob and inside [lo, hi) in memory,
 * with the entry point in an executable segment. Returns 0 and fills `img`,
 * or -1 with a message naming the field and its value in `err`. */
int elf_parse(const void *blob, size_t size, uint64_t lo, uint64_t hi,
              struct elf_image *img, char *err, size_t errlen);

#endif
