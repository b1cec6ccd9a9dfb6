/* Validates a RISC-V ELF executable and lists its loadable segments
 * (System V gABI: a 64-byte header, then program headers of 56 bytes). */
#include "elf.h"

#include "fmt.h"

#define EM_RISCV   243
#define ET_EXEC    2
#define PT_LOAD    1
#define EHDR_SIZE  64
#define PHDR_SIZE  56

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

#define FAIL(...) \
    do { fmt_snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static int check_header(const uint8_t *b, size_t size, char *err, size_t errlen)
{
    if (size < EHDR_SIZE)
        FAIL("elf: %zu bytes is smaller than the 64-byte ELF header", size);
    if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
        FAIL("elf: bad magic %02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
    if (b[4] != 2)
        FAIL("elf: EI_CLASS %u is not ELFCLASS64", b[4]);
    if (b[5] != 1)
        FAIL("elf: EI_DATA %u is not little-endian", b[5]);
    if (le16(b + 18) != EM_RISCV)
        FAIL("elf: e_machine %u is not EM_RISCV (243)", le16(b + 18));
    if (le16(b + 16) != ET_EXEC)
        FAIL("elf: e_type %u is not ET_EXEC", le16(b + 16));
    if (le16(b + 54) != PHDR_SIZE)
        FAIL("elf: e_phentsize %u is not 56", le16(b + 54));
    return 0;
}

static int check_segment(const struct elf_segment *s, unsigned i, size_t size,
                         uint64_t lo, uint64_t hi, char *err, size_t errlen)
{
    if (s->filesz > s->memsz)
        FAIL("elf: segment %u p_filesz 0x%lx exceeds p_memsz 0x%lx", i, s->filesz, s->memsz);
    if (s->offset > size || s->filesz > size - s->offset)
        FAIL("elf: segment %u bytes [0x%lx, +0x%lx) lie outside the %zu-byte file",
             i, s->offset, s->filesz, size);
    if ((s->flags & ELF_SEG_W) && !(s->flags & ELF_SEG_R))
        FAIL("elf: segment %u p_flags 0x%x is writable but not readable", i, s->flags);
    if (s->vaddr < lo || s->vaddr > hi || s->memsz > hi - s->vaddr)
        FAIL("elf: segment %u [0x%lx, +0x%lx) lies outside [0x%lx, 0x%lx)",
             i, s->vaddr, s->memsz, lo, hi);
    return 0;
}

int elf_parse(const void *blob, size_t size, uint64_t lo, uint64_t hi,
              struct elf_image *img, char *err, size_t errlen)
{
    const uint8_t *b = blob;
    if (check_header(b, size, err, errlen) != 0)
        return -1;
    uint64_t phoff = le64(b + 32);
    unsigned phnum = le16(b + 56);
    if (phoff > size || (uint64_t)phnum * PHDR_SIZE > size - phoff)
        FAIL("elf: %u program headers at 0x%lx lie outside the %zu-byte file",
             phnum, phoff, size);

    *img = (struct elf_image){ .entry = le64(b + 24) };
    int entry_ok = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = b + phoff + (uint64_t)i * PHDR_SIZE;
        if (le32(ph) != PT_LOAD || le64(ph + 40) == 0)
            continue; /* not loadable, or an empty segment a linker script left */
        if (img->nsegs == ELF_MAX_SEGMENTS)
            FAIL("elf: more than %d PT_LOAD segments", ELF_MAX_SEGMENTS);
        struct elf_segment *s = &img->seg[img->nsegs];
        *s = (struct elf_segment){ .flags = le32(ph + 4), .offset = le64(ph + 8),
                                   .vaddr = le64(ph + 16), .filesz = le64(ph + 32),
                                   .memsz = le64(ph + 40) };
        if (check_segment(s, i, size, lo, hi, err, errlen) != 0)
            return -1;
        if ((s->flags & ELF_SEG_X) && img->entry >= s->vaddr &&
            img->entry - s->vaddr < s->memsz)
            entry_ok = 1;
        img->nsegs++;
    }
    if (img->nsegs == 0)
        FAIL("elf: no PT_LOAD segment");
    if (!entry_ok)
        FAIL("elf: entry point 0x%lx is not in an executable segment", img->entry);
    return 0;
}
