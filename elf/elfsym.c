/* Symbols, loaded bytes, RISC-V instructions and DWARF lines of one ELF file
 * (libelf reads the ELF structures, libdw the DWARF). */
#define _POSIX_C_SOURCE 200809L

#include "elfsym.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE_BYTES  ((size_t)1 << 30)   /* largest ELF file read */
#define NEXT_LINE_RANGE 50                  /* how far a line without code moves on */
#define MAX_DIE_DEPTH   64                  /* DIE nesting followed; real code needs a dozen */
#define MAX_DIE_VISITS  (1ul << 22)         /* per walk, so a corrupt sibling chain ends */
#define PICK_MAX        3                   /* distinct addresses named in "ambiguous" */

/* A symbol that names an address: not a section, file or undefined one. */
struct sym {
    const char *name;        /* in the string table, via elf_strptr */
    uint64_t value, size;
    size_t shndx;            /* its section; 0 for none (SHN_ABS, SHN_COMMON, ...) */
    unsigned char type, bind;
    unsigned char table;     /* 0 .symtab, 1 .dynsym */
};

/* An allocated section, to tell which section holds an address. */
struct section {
    uint64_t addr, size;
    size_t index;
};

/* An entry of a GDB line table; line 0 ends the range before it. */
struct entry {
    uint64_t pc;
    uint32_t line;
    uint32_t order;          /* when it was recorded: the sort keeps ties so */
    uint8_t flags;
};
#define ENTRY_STMT         1u
#define ENTRY_PROLOGUE_END 2u

/* The line table of one source file in one unit (a GDB symtab), sorted by
 * pc with line-0 entries first at a pc. */
struct subfile {
    char *path;              /* full path */
    struct entry *v;
    size_t n, cap;
};

/* A compilation unit with line information. */
struct unit {
    Dwarf_Die die;           /* valid while the Dwarf handle is open */
    struct subfile *subs;
    size_t nsubs, subs_cap;
    bool assembler;          /* DW_LANG_Mips_Assembler */
    bool gcc_4_5;            /* produced by GCC 4.5 or later */
};

struct elf_file {
    char *path;
    char *image;             /* the file's bytes; libelf reads them in place */
    size_t size;
    Elf *elf;
    Dwarf *dwarf;            /* NULL without DWARF */
    uint64_t entry;
    uint16_t machine;
    struct elf_segment *segs;
    uint64_t *seg_offset;    /* where each segment's bytes start in the file */
    size_t nsegs;
    struct section *secs;
    size_t nsecs, secs_cap;
    struct sym *syms;
    size_t nsyms, syms_cap;
    struct unit *units;
    size_t nunits, units_cap;
};

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (errlen == 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Room for element n in arr (capacity *cap): the array, maybe moved, or
 * NULL when out of memory (arr is then unchanged and still owned). */
static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return arr;
    size_t want = *cap ? *cap * 2 : 16;
    if (want > SIZE_MAX / elem)
        return NULL;
    void *p = realloc(arr, want * elem);
    if (p)
        *cap = want;
    return p;
}

/* ------------------------------------------------------------ reading */

static int read_all(int fd, const char *path, size_t size, char **image, char *err,
                    size_t errlen)
{
    char *buf = malloc(size ? size : 1);
    size_t got = 0;
    if (!buf)
        return fail(err, errlen, "%s: out of memory (%zu bytes)", path, size);
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(buf);
            return n < 0 ? fail(err, errlen, "%s: %s", path, strerror(errno))
                         : fail(err, errlen, "%s: changed while being read", path);
        }
        got += (size_t)n;
    }
    *image = buf;
    return 0;
}

/* The whole file in a malloc'd buffer; *size its length. */
static int read_file(const char *path, char **image, size_t *size, char *err, size_t errlen)
{
    struct stat st;
    int rc = -1, fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0)
        fail(err, errlen, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        fail(err, errlen, "%s: not a regular file", path);
    else if ((uint64_t)st.st_size > MAX_FILE_BYTES)
        fail(err, errlen, "%s: too large (%lld bytes, at most %zu)", path,
             (long long)st.st_size, MAX_FILE_BYTES);
    else if ((rc = read_all(fd, path, (size_t)st.st_size, image, err, errlen)) == 0)
        *size = (size_t)st.st_size;
    close(fd);
    return rc;
}

/* ------------------------------------------------------------ ELF structures */

static int read_header(struct elf_file *f, char *err, size_t errlen)
{
    GElf_Ehdr eh;
    const unsigned char *id = (const unsigned char *)f->image;
    if (f->size < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG) != 0)
        return fail(err, errlen, "%s: not an ELF file", f->path);
    if (id[EI_CLASS] != ELFCLASS64)
        return fail(err, errlen, "%s: not a 64-bit ELF file (class %u)", f->path, id[EI_CLASS]);
    if (id[EI_DATA] != ELFDATA2LSB)
        return fail(err, errlen, "%s: not a little-endian ELF file", f->path);
    elf_version(EV_CURRENT);   /* libelf's own once-only setup; idempotent */
    f->elf = elf_memory(f->image, f->size);
    if (!f->elf || elf_kind(f->elf) != ELF_K_ELF || !gelf_getehdr(f->elf, &eh))
        return fail(err, errlen, "%s: invalid ELF file: %s", f->path, elf_errmsg(-1));
    f->entry = eh.e_entry;
    f->machine = eh.e_machine;
    return 0;
}

/* A PT_LOAD's bytes must lie in the file and its memory must not wrap. */
static int check_segment(const struct elf_file *f, size_t i, const GElf_Phdr *ph, char *err,
                         size_t errlen)
{
    if (ph->p_offset > f->size || ph->p_filesz > f->size - ph->p_offset)
        return fail(err, errlen, "%s: segment %zu: bytes 0x%" PRIx64 "+0x%" PRIx64
                    " lie outside the file (0x%zx bytes)", f->path, i, ph->p_offset,
                    ph->p_filesz, f->size);
    if (ph->p_filesz > ph->p_memsz)
        return fail(err, errlen, "%s: segment %zu: file size 0x%" PRIx64
                    " exceeds memory size 0x%" PRIx64, f->path, i, ph->p_filesz, ph->p_memsz);
    if (ph->p_memsz > UINT64_MAX - ph->p_vaddr)
        return fail(err, errlen, "%s: segment %zu: 0x%" PRIx64 "+0x%" PRIx64 " wraps around",
                    f->path, i, ph->p_vaddr, ph->p_memsz);
    return 0;
}

static int load_segments(struct elf_file *f, char *err, size_t errlen)
{
    size_t n;
    if (elf_getphdrnum(f->elf, &n) != 0)
        return fail(err, errlen, "%s: invalid program headers: %s", f->path, elf_errmsg(-1));
    f->segs = calloc(n ? n : 1, sizeof *f->segs);
    f->seg_offset = calloc(n ? n : 1, sizeof *f->seg_offset);
    if (!f->segs || !f->seg_offset)
        return fail(err, errlen, "%s: out of memory", f->path);
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(f->elf, (int)i, &ph))
            return fail(err, errlen, "%s: program header %zu: %s", f->path, i, elf_errmsg(-1));
        if (ph.p_type != PT_LOAD)
            continue;
        if (check_segment(f, i, &ph, err, errlen) != 0)
            return -1;
        f->segs[f->nsegs] = (struct elf_segment){ ph.p_vaddr, ph.p_memsz, ph.p_filesz,
                                                  ph.p_flags };
        f->seg_offset[f->nsegs++] = ph.p_offset;
    }
    return 0;
}

static int load_sections(struct elf_file *f, char *err, size_t errlen)
{
    size_t n;
    Elf_Scn *scn = NULL;
    if (elf_getshdrnum(f->elf, &n) != 0)
        return fail(err, errlen, "%s: invalid section headers: %s", f->path, elf_errmsg(-1));
    while ((scn = elf_nextscn(f->elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            return fail(err, errlen, "%s: section %zu: %s", f->path, elf_ndxscn(scn),
                        elf_errmsg(-1));
        if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0 || sh.sh_size > UINT64_MAX - sh.sh_addr)
            continue;
        void *p = grow(f->secs, &f->secs_cap, f->nsecs, sizeof *f->secs);
        if (!p)
            return fail(err, errlen, "%s: out of memory", f->path);
        f->secs = p;
        f->secs[f->nsecs++] = (struct section){ sh.sh_addr, sh.sh_size, elf_ndxscn(scn) };
    }
    return 0;
}

/* RISC-V and Arm mapping symbols ("$x", "$d", "$xrv64i2p1...") mark code
 * and data inside functions; they name no place anyone asks for. */
static bool mapping_symbol(const char *name)
{
    return name[0] == '$' && name[1] != '\0' && strchr("adtx", name[1]) &&
           (name[2] == '\0' || name[2] == '.' || strncmp(name + 2, "rv", 2) == 0);
}

static int add_symbol(struct elf_file *f, const GElf_Sym *s, const char *name, unsigned table)
{
    unsigned type = GELF_ST_TYPE(s->st_info);
    if (!name || !*name || s->st_shndx == SHN_UNDEF || type == STT_SECTION || type == STT_FILE ||
        mapping_symbol(name))
        return 0;
    void *p = grow(f->syms, &f->syms_cap, f->nsyms, sizeof *f->syms);
    if (!p)
        return -1;
    f->syms = p;
    f->syms[f->nsyms++] = (struct sym){
        .name = name, .value = s->st_value, .size = s->st_size,
        .shndx = s->st_shndx < SHN_LORESERVE ? s->st_shndx : 0,
        .type = (unsigned char)type, .bind = (unsigned char)GELF_ST_BIND(s->st_info),
        .table = (unsigned char)table,
    };
    return 0;
}

static int load_symbol_table(struct elf_file *f, Elf_Scn *scn, const GElf_Shdr *sh,
                             unsigned table, char *err, size_t errlen)
{
    const char *what = table ? ".dynsym" : ".symtab";
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || d->d_type != ELF_T_SYM || (!d->d_buf && d->d_size))
        return fail(err, errlen, "%s: %s: %s", f->path, what, d ? "not symbols" : elf_errmsg(-1));
    size_t esize = gelf_fsize(f->elf, ELF_T_SYM, 1, EV_CURRENT);
    if (esize == 0)
        return fail(err, errlen, "%s: %s: %s", f->path, what, elf_errmsg(-1));
    size_t n = d->d_size / esize;
    for (size_t i = 1; i < n && i <= INT32_MAX; i++) {   /* entry 0 is the null symbol */
        GElf_Sym s;
        if (!gelf_getsym(d, (int)i, &s))
            return fail(err, errlen, "%s: %s: symbol %zu: %s", f->path, what, i, elf_errmsg(-1));
        if (add_symbol(f, &s, elf_strptr(f->elf, sh->sh_link, s.st_name), table) != 0)
            return fail(err, errlen, "%s: out of memory", f->path);
    }
    return 0;
}

/* .symtab entries first, then .dynsym ones (`table` tells them apart). */
static int load_symbols(struct elf_file *f, char *err, size_t errlen)
{
    for (unsigned table = 0; table < 2; table++) {
        Elf_Scn *scn = NULL;
        while ((scn = elf_nextscn(f->elf, scn)) != NULL) {
            GElf_Shdr sh;
            if (gelf_getshdr(scn, &sh) && sh.sh_type == (table ? SHT_DYNSYM : SHT_SYMTAB) &&
                load_symbol_table(f, scn, &sh, table, err, errlen) != 0)
                return -1;
        }
    }
    return 0;
}

static size_t segment_at(const struct elf_file *f, uint64_t addr);

static bool loaded(const struct elf_file *f, uint64_t addr)
{
    return segment_at(f, addr) < f->nsegs;
}

/* ------------------------------------------------------------ DWARF line tables */

/* The last part of the path written so far, [root, w). */
static char *last_part(char *root, char *w)
{
    char *p = w;
    while (p > root && p[-1] != '/')
        p--;
    return p;
}

/* Drops "." and empty parts and folds "dir/.." pairs, as written (no
 * symlink is resolved), so that one file spelled two ways is one path.
 * Works in place: the output never outgrows the input read so far. */
static void normalize_path(char *path)
{
    char *r = path, *w = path;
    if (*r == '/')
        *w++ = *r++;
    char *root = w;   /* ".." never climbs above this */
    while (*r) {
        size_t n = strcspn(r, "/");
        char *last = last_part(root, w);
        bool dot = n == 1 && r[0] == '.', dotdot = n == 2 && r[0] == '.' && r[1] == '.';
        bool last_dotdot = w - last == 2 && last[0] == '.' && last[1] == '.';
        if (dotdot && w > root && !last_dotdot) {
            w = last > root ? last - 1 : root;   /* drop the last part and its '/' */
        } else if (n > 0 && !dot && !(dotdot && root > path)) {
            if (w > root)
                *w++ = '/';
            memmove(w, r, n);
            w += n;
        }
        r += n;
        while (*r == '/')
            r++;
    }
    *w = '\0';
}

/* name, after comp_dir + "/" when relative, normalized; NULL when out of memory. */
static char *full_path(const char *comp_dir, const char *name)
{
    bool join = comp_dir && *comp_dir && name[0] != '/';
    size_t nd = join ? strlen(comp_dir) : 0, nn = strlen(name);
    char *p = malloc(nd + 1 + nn + 1);
    if (!p)
        return NULL;
    if (join) {
        memcpy(p, comp_dir, nd);
        p[nd++] = '/';
    }
    memcpy(p + nd, name, nn + 1);
    normalize_path(p);
    return p;
}

static const char *die_string(Dwarf_Die *die, unsigned name)
{
    Dwarf_Attribute a;
    return dwarf_formstring(dwarf_attr(die, name, &a));
}

/* GDB's producer_is_gcc_ge_4 >= 5 ("GNU <language> <major>.<minor>..."): such
 * a producer's location lists are trusted to make prologue skipping moot. */
static bool gcc_4_5(const char *producer)
{
    int major, minor;
    if (!producer || strncmp(producer, "GNU ", 4) != 0)
        return false;
    const char *version = strchr(producer + 4, ' ');
    if (!version || sscanf(version + 1, "%d.%d", &major, &minor) != 2)
        return false;
    return major > 4 || (major == 4 && minor >= 5);
}

static void free_unit(struct unit *u)
{
    for (size_t i = 0; i < u->nsubs; i++) {
        free(u->subs[i].path);
        free(u->subs[i].v);
    }
    free(u->subs);
}

/* One row as libdw gives it. */
struct raw_row {
    uint64_t addr;
    unsigned line, disc;
    size_t file;
    bool stmt, end, prologue_end;
};

static bool read_row(Dwarf_Line *l, Dwarf_Files *files, size_t nfiles, struct raw_row *r)
{
    Dwarf_Addr addr;
    Dwarf_Files *lf;
    int line;
    *r = (struct raw_row){ 0 };
    if (!l || dwarf_lineaddr(l, &addr) || dwarf_lineno(l, &line) ||
        dwarf_line_file(l, &lf, &r->file) || lf != files || r->file >= nfiles)
        return false;
    dwarf_linediscriminator(l, &r->disc);
    dwarf_linebeginstatement(l, &r->stmt);
    dwarf_lineendsequence(l, &r->end);
    dwarf_lineprologueend(l, &r->prologue_end);
    r->addr = addr;
    r->line = line > 0 && !r->end ? (unsigned)line : 0;
    return true;
}

/* GDB 13 builds its line tables by running the line program through
 * lnp_state_machine::record_line (dwarf2/read.c) into one table per source
 * file (buildsym_compunit::record_line). Replaying libdw's rows the same way
 * gives the same tables, hence GDB's line ranges and GDB's answers. */
#define NO_SUBFILE (-1L)

struct replay {
    struct elf_file *f;
    struct unit *u;
    Dwarf_Files *files;
    const char *comp_dir;
    long *sub_of;            /* DWARF file index -> subfile, NO_SUBFILE until used */
    uint32_t order;
    /* The state machine, reset at each sequence's end. */
    long last_sub;           /* the file of the last row not ignored */
    unsigned last_line;      /* and its line */
    unsigned line;           /* the line of the previous row */
    bool line_disc;          /* a non-zero discriminator since the line changed */
    uint64_t last_addr;      /* the address of the previous row */
};

static void reset_sequence(struct replay *r)
{
    r->last_sub = NO_SUBFILE;
    r->last_line = 0;
    r->line = 1;
    r->line_disc = false;
    r->last_addr = 0;
}

static long find_subfile(const struct unit *u, const char *path)
{
    for (size_t i = 0; i < u->nsubs; i++)
        if (strcmp(u->subs[i].path, path) == 0)
            return (long)i;
    return NO_SUBFILE;
}

/* The subfile of DWARF file `file`, made on first use (a file no row
 * names gets none); 0, or -1 when out of memory. */
static int subfile_of(struct replay *r, size_t file, long *sub)
{
    const char *name = dwarf_filesrc(r->files, file, NULL, NULL);
    char *path = full_path(r->comp_dir, name ? name : "<unknown>");
    if (!path)
        return -1;
    if ((*sub = find_subfile(r->u, path)) != NO_SUBFILE) {
        free(path);
        r->sub_of[file] = *sub;
        return 0;
    }
    void *p = grow(r->u->subs, &r->u->subs_cap, r->u->nsubs, sizeof *r->u->subs);
    if (!p) {
        free(path);
        return -1;
    }
    r->u->subs = p;
    r->u->subs[r->u->nsubs] = (struct subfile){ .path = path };
    *sub = r->sub_of[file] = (long)r->u->nsubs++;
    return 0;
}

/* buildsym's record_line: a line-0 entry first removes the entries at its
 * pc, and is itself dropped when it would end nothing. */
static int record(struct replay *r, long sub, unsigned line, uint64_t pc, uint8_t flags)
{
    struct subfile *sf = &r->u->subs[sub];
    if (line == 0) {
        unsigned last_line = 0;
        bool any = sf->n > 0;
        while (sf->n > 0) {
            last_line = sf->v[sf->n - 1].line;
            if (sf->v[sf->n - 1].pc != pc)
                break;
            sf->n--;
        }
        if (!any || last_line == 0)
            return 0;
    }
    void *p = grow(sf->v, &sf->cap, sf->n, sizeof *sf->v);
    if (!p)
        return -1;
    sf->v = p;
    sf->v[sf->n++] = (struct entry){ pc, line, r->order++, flags };
    return 0;
}

/* record_line for one row: line-0 rows are ignored, and so is a
 * non-statement row that changes files at the previous row's address; a
 * change of file (or the sequence's end) closes the previous file's range;
 * a row repeating the last line of its file is left out once that line
 * has had a non-zero discriminator. */
static int replay_row(struct replay *r, const struct raw_row *row)
{
    long sub = r->sub_of[row->file];
    if (sub == NO_SUBFILE && subfile_of(r, row->file, &sub) != 0)
        return -1;
    if (row->line != r->line)
        r->line_disc = false;
    r->line_disc |= row->disc != 0;
    bool changed = sub != r->last_sub;
    bool ignored = !row->end && (row->line == 0 ||
                                 (changed && row->addr == r->last_addr && !row->stmt));
    if (((changed && !ignored) || row->end) && r->last_sub != NO_SUBFILE &&
        record(r, r->last_sub, 0, row->addr, ENTRY_STMT) != 0)
        return -1;
    if (!row->end && !ignored) {
        uint8_t flags = (uint8_t)((row->stmt ? ENTRY_STMT : 0) |
                                  (row->prologue_end ? ENTRY_PROLOGUE_END : 0));
        if ((changed || row->line != r->last_line || !r->line_disc) &&
            record(r, sub, row->line, row->addr, flags) != 0)
            return -1;
        r->last_sub = sub;
        r->last_line = row->line;
    }
    r->line = row->line;
    r->last_addr = row->addr;
    if (row->end)
        reset_sequence(r);
    return 0;
}

/* By pc, line-0 entries first at a pc, else in recording order (GDB's
 * stable sort with lte_is_less_than). */
static int entry_order(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->pc != y->pc)
        return x->pc < y->pc ? -1 : 1;
    if ((x->line == 0) != (y->line == 0))
        return x->line == 0 ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* libdw sorts a unit's rows by address, keeping each sequence whole; rows
 * outside the loaded segments (code the linker dropped, usually left at
 * address 0) are skipped, as GDB skips such sequences. */
static int replay_unit(struct replay *r, Dwarf_Lines *lines, size_t nlines, size_t nfiles)
{
    reset_sequence(r);
    for (size_t i = 0; i < nlines; i++) {
        struct raw_row row;
        if (read_row(dwarf_onesrcline(lines, i), r->files, nfiles, &row) &&
            loaded(r->f, row.end ? row.addr - 1 : row.addr) && replay_row(r, &row) != 0)
            return -1;
    }
    for (size_t i = 0; i < r->u->nsubs; i++)
        if (r->u->subs[i].n > 1)   /* v is NULL while nothing was recorded */
            qsort(r->u->subs[i].v, r->u->subs[i].n, sizeof *r->u->subs[i].v, entry_order);
    return 0;
}

static int add_lines(struct elf_file *f, struct unit *u, Dwarf_Die *cudie)
{
    Dwarf_Lines *lines;
    Dwarf_Files *files;
    size_t nlines, nfiles;
    if (dwarf_getsrclines(cudie, &lines, &nlines) != 0 ||
        dwarf_getsrcfiles(cudie, &files, &nfiles) != 0)
        return 0;   /* no usable line table: the unit adds nothing */
    struct replay r = { .f = f, .u = u, .files = files,
                        .comp_dir = die_string(cudie, DW_AT_comp_dir),
                        .sub_of = malloc((nfiles ? nfiles : 1) * sizeof *r.sub_of) };
    if (!r.sub_of)
        return -1;
    for (size_t i = 0; i < nfiles; i++)
        r.sub_of[i] = NO_SUBFILE;
    int rc = replay_unit(&r, lines, nlines, nfiles);
    free(r.sub_of);
    return rc;
}

static int load_unit(struct elf_file *f, Dwarf_Die *cudie)
{
    struct unit u = {
        .die = *cudie,
        .assembler = dwarf_srclang(cudie) == DW_LANG_Mips_Assembler,
        .gcc_4_5 = gcc_4_5(die_string(cudie, DW_AT_producer)),
    };
    void *p = NULL;
    if (add_lines(f, &u, cudie) != 0 ||
        (u.nsubs && !(p = grow(f->units, &f->units_cap, f->nunits, sizeof *f->units)))) {
        free_unit(&u);
        return -1;
    }
    if (!u.nsubs)
        return 0;
    f->units = p;
    f->units[f->nunits++] = u;
    return 0;
}

/* Units that fail to parse are left out: the symbols stay usable, and the
 * line queries say what they cannot find. */
static int load_lines(struct elf_file *f, char *err, size_t errlen)
{
    Dwarf_CU *cu = NULL;
    Dwarf_Die cudie;
    uint8_t type;
    f->dwarf = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);
    if (!f->dwarf)
        return 0;
    while (dwarf_get_units(f->dwarf, cu, &cu, NULL, &type, &cudie, NULL) == 0) {
        bool code = type == DW_UT_compile || type == DW_UT_partial || type == DW_UT_skeleton;
        if (code && load_unit(f, &cudie) != 0)
            return fail(err, errlen, "%s: out of memory", f->path);
    }
    return 0;
}

/* ------------------------------------------------------------ open and close */

static int index_file(struct elf_file *f, char *err, size_t errlen)
{
    if (read_header(f, err, errlen) != 0 || load_segments(f, err, errlen) != 0 ||
        load_sections(f, err, errlen) != 0 || load_symbols(f, err, errlen) != 0)
        return -1;
    return load_lines(f, err, errlen);
}

/* Takes ownership of image. */
static int open_image(char *image, size_t size, const char *name, struct elf_file **out,
                      char *err, size_t errlen)
{
    struct elf_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(name))) {
        free(image);
        free(f);
        return fail(err, errlen, "%s: out of memory", name);
    }
    f->image = image;
    f->size = size;
    if (index_file(f, err, errlen) != 0) {
        elf_file_close(f);
        return -1;
    }
    *out = f;
    return 0;
}

int elf_file_open(const char *path, struct elf_file **out, char *err, size_t errlen)
{
    char *image = NULL;
    size_t size = 0;
    *out = NULL;
    if (read_file(path, &image, &size, err, errlen) != 0)
        return -1;
    return open_image(image, size, path, out, err, errlen);
}

int elf_file_open_mem(const void *data, size_t len, const char *name, struct elf_file **out,
                      char *err, size_t errlen)
{
    char *image = malloc(len ? len : 1);
    *out = NULL;
    name = name ? name : "<memory>";
    if (!image)
        return fail(err, errlen, "%s: out of memory (%zu bytes)", name, len);
    if (len)
        memcpy(image, data, len);
    return open_image(image, len, name, out, err, errlen);
}

void elf_file_close(struct elf_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nunits; i++)
        free_unit(&f->units[i]);
    free(f->units);
    free(f->syms);
    free(f->secs);
    free(f->segs);
    free(f->seg_offset);
    if (f->dwarf)
        dwarf_end(f->dwarf);   /* before elf_end: it reads through the Elf handle */
    if (f->elf)
        elf_end(f->elf);
    free(f->image);
    free(f->path);
    free(f);
}

const char *elf_file_path(const struct elf_file *f)
{
    return f->path;
}

uint64_t elf_file_entry(const struct elf_file *f)
{
    return f->entry;
}

uint16_t elf_file_machine(const struct elf_file *f)
{
    return f->machine;
}

size_t elf_segments(const struct elf_file *f, const struct elf_segment **segs)
{
    *segs = f->segs;
    return f->nsegs;
}

/* ------------------------------------------------------------ symbols by name */

/* The symbols matching a name, as elf_symbol chooses among them. */
struct pick {
    const struct sym *sym;        /* the first, or a sized one at the first's address */
    uint64_t addrs[PICK_MAX];     /* the lowest distinct addresses, ascending */
    size_t naddrs;
    bool more;                    /* and others above them */
};

typedef bool name_match(const char *symbol, const char *query);

static bool exact_name(const char *symbol, const char *query)
{
    return strcmp(symbol, query) == 0;
}

/* "h" and 16 hex digits: the hash that ends a Rust legacy symbol. */
static bool rust_hash(const char *s, size_t n)
{
    if (n != 17 || s[0] != 'h')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!strchr("0123456789abcdef", s[i]) || s[i] == '\0')
            return false;
    return true;
}

/* Reads the <len> of a mangled part; false when it runs past the name. */
static bool part_length(const char **p, size_t *len)
{
    size_t n = 0;
    if (**p < '0' || **p > '9')
        return false;
    for (; **p >= '0' && **p <= '9'; (*p)++)
        if ((n = n * 10 + (size_t)(**p - '0')) > 4096)
            return false;
    *len = n;
    return strnlen(*p, n) == n;
}

/* _ZN<len><part>...17h<16 hex>E against "a::b::c": every part equal, the
 * hash ignored. Empty query parts ("a::", "::b") never match. */
static bool rust_legacy_name(const char *symbol, const char *query)
{
    const char *p = symbol + 3, *q = query;
    bool first = true;
    size_t len;
    if (strncmp(symbol, "_ZN", 3) != 0)
        return false;
    while (part_length(&p, &len)) {
        const char *part = p;
        p += len;
        if (rust_hash(part, len) && strcmp(p, "E") == 0)
            return !first && *q == '\0';
        if (!first && strncmp(q, "::", 2) != 0)
            return false;
        q += first ? 0 : 2;
        const char *sep = strstr(q, "::");
        size_t qn = sep ? (size_t)(sep - q) : strlen(q);
        if (qn == 0 || qn != len || memcmp(q, part, len) != 0)
            return false;
        q += qn;
        first = false;
    }
    return false;
}

static bool preferred_type(unsigned type)
{
    return type == STT_FUNC || type == STT_OBJECT;
}

/* Keeps the PICK_MAX lowest distinct addresses, for the message. */
static void add_address(struct pick *p, uint64_t addr)
{
    size_t i = 0;
    while (i < p->naddrs && p->addrs[i] < addr)
        i++;
    if (i < p->naddrs && p->addrs[i] == addr)
        return;
    if (p->naddrs == PICK_MAX) {
        p->more = true;
        if (i == PICK_MAX)
            return;
        p->naddrs--;
    }
    memmove(p->addrs + i + 1, p->addrs + i, (p->naddrs - i) * sizeof p->addrs[0]);
    p->addrs[i] = addr;
    p->naddrs++;
}

static void add_pick(struct pick *p, const struct sym *s)
{
    add_address(p, s->value);
    if (!p->sym || (s->value == p->sym->value && p->sym->size == 0 && s->size > 0))
        p->sym = s;
}

/* The symbols of one table that `match` the query: only FUNC/OBJECT ones if
 * there are any. */
static void pick_symbols(const struct elf_file *f, unsigned table, name_match *match,
                         const char *query, struct pick *p)
{
    bool preferred = false;
    for (size_t i = 0; i < f->nsyms && !preferred; i++) {
        const struct sym *s = &f->syms[i];
        preferred = s->table == table && preferred_type(s->type) && match(s->name, query);
    }
    for (size_t i = 0; i < f->nsyms; i++) {
        const struct sym *s = &f->syms[i];
        if (s->table == table && (!preferred || preferred_type(s->type)) && match(s->name, query))
            add_pick(p, s);
    }
}

static const struct section *section_by_index(const struct elf_file *f, size_t index)
{
    for (size_t i = 0; i < f->nsecs; i++)
        if (f->secs[i].index == index)
            return &f->secs[i];
    return NULL;
}

/* How far a zero-size symbol reaches: to the next symbol of its section,
 * else to the section's end (0 outside any allocated section). */
static uint64_t extent(const struct elf_file *f, const struct sym *s)
{
    const struct section *sec = s->shndx ? section_by_index(f, s->shndx) : NULL;
    bool inside = sec && s->value >= sec->addr && s->value - sec->addr < sec->size;
    uint64_t end = inside ? sec->addr + sec->size : s->value;
    for (size_t i = 0; i < f->nsyms; i++) {
        const struct sym *t = &f->syms[i];
        if (t->shndx == s->shndx && t->value > s->value && t->value < end)
            end = t->value;
    }
    return end - s->value;
}

static int ambiguous_symbol(const struct elf_file *f, const char *name, const struct pick *p,
                            char *err, size_t errlen)
{
    char list[PICK_MAX * 20 + 1] = "";
    size_t used = 0;
    for (size_t i = 0; i < p->naddrs; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s0x%" PRIx64, i ? ", " : "",
                                 p->addrs[i]);
    return fail(err, errlen, "symbol '%s' is ambiguous in %s: %s%s", name, f->path, list,
                p->more ? " (and more)" : "");
}

int elf_symbol(const struct elf_file *f, const char *name, uint64_t *addr, uint64_t *size,
               char *err, size_t errlen)
{
    struct pick p = { 0 };
    for (unsigned table = 0; table < 2 && !p.sym; table++)
        pick_symbols(f, table, exact_name, name, &p);
    for (unsigned table = 0; table < 2 && !p.sym && strstr(name, "::"); table++)
        pick_symbols(f, table, rust_legacy_name, name, &p);
    if (!p.sym)
        return fail(err, errlen, "symbol '%s' not found in %s", name, f->path);
    if (p.naddrs > 1)
        return ambiguous_symbol(f, name, &p, err, errlen);
    *addr = p.sym->value;
    if (size)
        *size = p.sym->size ? p.sym->size : extent(f, p.sym);
    return 0;
}

/* ------------------------------------------------------------ symbols by address */

/* Symbols that name a place in a section (TLS values are offsets). */
static bool addressable(const struct sym *s)
{
    return s->shndx != 0 && (s->type == STT_FUNC || s->type == STT_OBJECT ||
                             s->type == STT_NOTYPE || s->type == STT_GNU_IFUNC);
}

static int sym_rank(const struct sym *s)
{
    int r = preferred_type(s->type) ? 4 : 0;
    return r + (s->bind == STB_GLOBAL ? 2 : s->bind == STB_WEAK ? 1 : 0);
}

/* a over b: the higher start (the innermost), then the better rank; the
 * earlier entry keeps a tie. */
static bool beats(const struct sym *a, const struct sym *b)
{
    if (!b)
        return true;
    if (a->value != b->value)
        return a->value > b->value;
    return sym_rank(a) > sym_rank(b);
}

static const struct sym *sized_at(const struct elf_file *f, uint64_t addr)
{
    const struct sym *best = NULL;
    for (size_t i = 0; i < f->nsyms; i++) {
        const struct sym *s = &f->syms[i];
        if (addressable(s) && s->size && addr >= s->value && addr - s->value < s->size &&
            beats(s, best))
            best = s;
    }
    return best;
}

static const struct section *section_at(const struct elf_file *f, uint64_t addr)
{
    for (size_t i = 0; i < f->nsecs; i++)
        if (addr >= f->secs[i].addr && addr - f->secs[i].addr < f->secs[i].size)
            return &f->secs[i];
    return NULL;
}

/* The nearest zero-size symbol at or below addr in addr's section, unless
 * a sized symbol starts at or after it and ends at or before addr. */
static const struct sym *label_at(const struct elf_file *f, uint64_t addr)
{
    const struct section *sec = section_at(f, addr);
    const struct sym *best = NULL, *fence = NULL;
    for (size_t i = 0; sec && i < f->nsyms; i++) {
        const struct sym *s = &f->syms[i];
        if (!addressable(s) || s->shndx != sec->index || s->value > addr)
            continue;
        if (s->size == 0 && beats(s, best))
            best = s;
        else if (s->size && (!fence || s->value > fence->value))
            fence = s;   /* sized_at found none holding addr: this one ends below */
    }
    return best && !(fence && fence->value >= best->value) ? best : NULL;
}

const char *elf_symbol_at(const struct elf_file *f, uint64_t addr, uint64_t *offset)
{
    const struct sym *s = sized_at(f, addr);
    if (!s)
        s = label_at(f, addr);
    if (s && offset)
        *offset = addr - s->value;
    return s ? s->name : NULL;
}

/* ------------------------------------------------------------ loaded bytes */

/* The first segment holding addr, or nsegs. */
static size_t segment_at(const struct elf_file *f, uint64_t addr)
{
    size_t i = 0;
    while (i < f->nsegs &&
           !(addr >= f->segs[i].vaddr && addr - f->segs[i].vaddr < f->segs[i].memsz))
        i++;
    return i;
}

/* Bytes [off, off+n) of segment i: from the file up to filesz, then zeros. */
static void copy_loaded(const struct elf_file *f, size_t i, uint64_t off, unsigned char *out,
                        size_t n)
{
    const struct elf_segment *s = &f->segs[i];
    uint64_t from_file = off < s->filesz ? s->filesz - off : 0;
    if (from_file > n)
        from_file = n;
    if (from_file)
        memcpy(out, f->image + f->seg_offset[i] + off, (size_t)from_file);
    memset(out + from_file, 0, n - (size_t)from_file);
}

int elf_read(const struct elf_file *f, uint64_t vaddr, void *buf, size_t len, char *err,
             size_t errlen)
{
    unsigned char *out = buf;
    uint64_t at = vaddr;
    while (len > 0) {
        size_t i = segment_at(f, at);
        if (i == f->nsegs)
            return fail(err, errlen, "0x%" PRIx64 ": not in a loaded segment of %s", at, f->path);
        uint64_t room = f->segs[i].memsz - (at - f->segs[i].vaddr);
        size_t n = room < len ? (size_t)room : len;
        copy_loaded(f, i, at - f->segs[i].vaddr, out, n);
        out += n;
        at += n;
        len -= n;
    }
    return 0;
}

/* ------------------------------------------------------------ RISC-V instructions */

/* Instructions without operands: name, match, mask. Most are SYSTEM
 * instructions, fixed in all 32 bits:
 *   31      25 24  20 19  15 14 12 11   7 6      0
 *   [ funct7 ][ rs2 ][ rs1 ][ f3 ][  rd  ][1110011]
 * sfence.vma leaves rs1 and rs2 free (bits 24-15). Compressed ones are 16
 * bits with low bits other than 0b11: c.ebreak is 100 1 00000 00000 10 and
 * its neighbours c.jalr/c.add differ only in rs1/rs2, hence the full mask. */
#define RISCV_INSNS(X)                              \
    X("ecall",      0x00000073u, 0xffffffffu)       \
    X("ebreak",     0x00100073u, 0xffffffffu)       \
    X("c.ebreak",   0x00009002u, 0x0000ffffu)       \
    X("sret",       0x10200073u, 0xffffffffu)       \
    X("mret",       0x30200073u, 0xffffffffu)       \
    X("dret",       0x7b200073u, 0xffffffffu)       \
    X("wfi",        0x10500073u, 0xffffffffu)       \
    X("fence.i",    0x0000100fu, 0xffffffffu)       \
    X("sfence.vma", 0x12000073u, 0xfe007fffu)       \
    X("nop",        0x00000013u, 0xffffffffu)       \
    X("c.nop",      0x00000001u, 0x0000ffffu)

#define CHECK_INSN(name, match, mask)                                                   \
    _Static_assert((~(mask) & (match)) == 0, name ": match bits outside the mask");     \
    _Static_assert(((mask) > 0xffffu) == (((match) & 3u) == 3u), name ": wrong length");
RISCV_INSNS(CHECK_INSN)

struct riscv_insn {
    const char *name;
    uint32_t match, mask;
};

#define INSN_ENTRY(name, match, mask) { name, match, mask },
static const struct riscv_insn riscv_insns[] = { RISCV_INSNS(INSN_ENTRY) };

int elf_riscv_insn(const char *mnemonic, uint32_t *match, uint32_t *mask)
{
    for (size_t i = 0; i < sizeof riscv_insns / sizeof riscv_insns[0]; i++) {
        if (strcmp(mnemonic, riscv_insns[i].name) == 0) {
            *match = riscv_insns[i].match;
            *mask = riscv_insns[i].mask;
            return 0;
        }
    }
    return -1;
}

/* A 16-bit instruction is compared only against a 16-bit pattern. */
static bool insn_matches(const unsigned char *b, unsigned n, uint32_t match, uint32_t mask)
{
    uint32_t word = b[0] | (uint32_t)b[1] << 8;
    if (n == 2)
        return mask <= 0xffffu && (word & mask) == match;
    word |= (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return (word & mask) == match;
}

static int no_insn(const struct elf_file *f, uint64_t start, uint64_t end, const char *what,
                   char *err, size_t errlen)
{
    uint64_t off = 0;
    const char *sym = elf_symbol_at(f, start, &off);
    char at[48] = "";
    if (sym && off)
        snprintf(at, sizeof at, "+0x%" PRIx64, off);
    return fail(err, errlen, "no '%s' instruction in %s%s%s0x%" PRIx64 "-0x%" PRIx64 "%s of %s",
                what ? what : "matching", sym ? sym : "", at, sym ? " (" : "", start, end,
                sym ? ")" : "", f->path);
}

int elf_find_insn(const struct elf_file *f, uint64_t start, uint64_t size, uint32_t match,
                  uint32_t mask, const char *what, uint64_t *addr, char *err, size_t errlen)
{
    if (size > UINT64_MAX - start)
        return fail(err, errlen, "0x%" PRIx64 "+0x%" PRIx64 ": range wraps around", start, size);
    uint64_t at = start, end = start + size;
    while (end - at >= 2) {
        unsigned char b[4];
        if (elf_read(f, at, b, 2, err, errlen) != 0)
            return -1;
        unsigned n = (b[0] & 3u) == 3u ? 4 : 2;
        if (end - at < n)
            break;
        if (n == 4 && elf_read(f, at + 2, b + 2, 2, err, errlen) != 0)
            return -1;
        if (insn_matches(b, n, match, mask)) {
            *addr = at;
            return 0;
        }
        at += n;
    }
    return no_insn(f, start, end, what, err, errlen);
}

/* ------------------------------------------------------------ lines by address */

/* A line range as GDB's find_pc_sect_line gives it. */
struct sal {
    const struct subfile *sub;   /* NULL: no line information here */
    uint64_t pc, end;            /* [pc, end); end UINT64_MAX when unknown */
    unsigned line;
};

/* The first entry of sf above pc. */
static size_t upper_bound(const struct subfile *sf, uint64_t pc)
{
    size_t lo = 0, hi = sf->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sf->v[mid].pc <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first entry of sf at or above pc. */
static size_t lower_bound(const struct subfile *sf, uint64_t pc)
{
    size_t lo = 0, hi = sf->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sf->v[mid].pc < pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* v[i], or a statement entry before it at the same pc (GDB prefers those). */
static const struct entry *prefer_stmt(const struct subfile *sf, size_t i)
{
    size_t j = i;
    while (j > 0 && !(sf->v[j].flags & ENTRY_STMT) && sf->v[j - 1].pc == sf->v[j].pc &&
           sf->v[j - 1].line != 0)
        j--;
    return (sf->v[j].flags & ENTRY_STMT) ? &sf->v[j] : &sf->v[i];
}

/* find_pc_sect_line within one unit: the highest entry at or below pc over
 * all its files (line 0 excluded; the earlier file wins a tie), ending at
 * the next entry of any file, or at the nearest file start above pc. */
static struct sal unit_sal(const struct unit *u, uint64_t pc)
{
    struct sal s = { .end = UINT64_MAX };
    const struct entry *best = NULL;
    uint64_t best_end = 0, alt = UINT64_MAX;
    for (size_t i = 0; i < u->nsubs; i++) {
        const struct subfile *sf = &u->subs[i];
        if (sf->n == 0)
            continue;
        if (sf->v[0].pc > pc && sf->v[0].pc < alt)
            alt = sf->v[0].pc;
        size_t k = upper_bound(sf, pc);
        if (k > 0 && sf->v[k - 1].line && (!best || sf->v[k - 1].pc > best->pc)) {
            best = prefer_stmt(sf, k - 1);
            s.sub = sf;
            best_end = best_end <= best->pc ? 0 : best_end;
        }
        if (best && k < sf->n && sf->v[k].pc > best->pc && (!best_end || best_end > sf->v[k].pc))
            best_end = sf->v[k].pc;
    }
    if (!best)
        return (struct sal){ .end = UINT64_MAX };
    s.pc = best->pc;
    s.line = best->line;
    s.end = best_end && best_end < alt ? best_end : alt;
    return s;
}

/* The unit whose range at pc starts highest. */
static const struct unit *unit_at(const struct elf_file *f, uint64_t pc, struct sal *out)
{
    const struct unit *best = NULL;
    for (size_t i = 0; i < f->nunits; i++) {
        struct sal s = unit_sal(&f->units[i], pc);
        if (s.sub && (!best || s.pc > out->pc)) {
            best = &f->units[i];
            *out = s;
        }
    }
    return best;
}

int elf_addr_line(const struct elf_file *f, uint64_t addr, const char **file, unsigned *line)
{
    struct sal s;
    if (!unit_at(f, addr, &s))
        return -1;
    *file = s.sub->path;
    *line = s.line;
    return 0;
}

/* ------------------------------------------------------------ addresses by line */

/* path ends with suffix at a '/' boundary. */
static bool path_ends_with(const char *path, const char *suffix)
{
    size_t np = strlen(path), ns = strlen(suffix);
    if (ns == 0 || ns > np || strcmp(path + np - ns, suffix) != 0)
        return false;
    return ns == np || path[np - ns - 1] == '/' || suffix[0] == '/';
}

/* Adds p to the distinct paths found (at most 3 kept). */
static void note_path(const char *found[3], size_t *n, bool *more, const char *p)
{
    size_t k = 0;
    while (k < *n && strcmp(found[k], p) != 0)
        k++;
    if (k == *n && *n < 3)
        found[(*n)++] = p;
    else if (k == *n)
        *more = true;
}

/* The one source path with code that ends in `file`; several different
 * paths make it ambiguous. */
static int match_file(const struct elf_file *f, const char *file, const char **path, char *err,
                      size_t errlen)
{
    const char *found[3];
    size_t n = 0;
    bool more = false;
    for (size_t i = 0; i < f->nunits; i++)
        for (size_t j = 0; j < f->units[i].nsubs; j++) {
            const struct subfile *sf = &f->units[i].subs[j];
            if (sf->n && path_ends_with(sf->path, file))
                note_path(found, &n, &more, sf->path);
        }
    if (n == 0)
        return fail(err, errlen, "no source file '%s' in %s", file, f->path);
    if (n > 1)
        return fail(err, errlen, "source file '%s' is ambiguous in %s: %s, %s%s%s%s", file,
                    f->path, found[0], found[1], n > 2 ? ", " : "", n > 2 ? found[2] : "",
                    more ? " (and more)" : "");
    *path = found[0];
    return 0;
}

/* The smallest line in [line, line + NEXT_LINE_RANGE] with a statement
 * entry, and the lowest pc of that line's statement entries (GDB's
 * find_line_common, over every table of the file). */
struct line_hit {
    unsigned line;           /* 0: none yet */
    uint64_t pc;
};

static void scan_subfile(const struct subfile *sf, unsigned line, struct line_hit *hit)
{
    for (size_t i = 0; i < sf->n; i++) {
        const struct entry *e = &sf->v[i];
        if (!(e->flags & ENTRY_STMT) || e->line == 0 || e->line < line ||
            e->line - line > NEXT_LINE_RANGE || (hit->line && e->line > hit->line))
            continue;
        if (!hit->line || e->line < hit->line || e->pc < hit->pc)
            *hit = (struct line_hit){ e->line, e->pc };
    }
}

int elf_line_address(const struct elf_file *f, const char *file, unsigned line, uint64_t *addr,
                     unsigned *actual_line, char *err, size_t errlen)
{
    const char *path = NULL;
    struct line_hit hit = { 0, 0 };
    if (f->nunits == 0)
        return fail(err, errlen, "%s: no DWARF line information", f->path);
    if (match_file(f, file, &path, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < f->nunits; i++) {
        long sub = find_subfile(&f->units[i], path);
        if (sub != NO_SUBFILE)
            scan_subfile(&f->units[i].subs[sub], line, &hit);
    }
    if (!hit.line)
        return fail(err, errlen, "no line table entry for %s:%u in %s", file, line, f->path);
    *addr = hit.pc;
    if (actual_line)
        *actual_line = hit.line;
    return 0;
}

/* ------------------------------------------------------------ DIE walks */

enum walk { WALK_NEXT, WALK_SKIP, WALK_STOP };   /* children too, not them, stop */

struct walker {
    enum walk (*visit)(Dwarf_Die *die, void *ctx);
    void *ctx;
    unsigned long budget;    /* DIEs left to visit */
};

/* Depth-first through the children of parent; true once visit says stop
 * (or the budget runs out, which only a corrupt file reaches). */
static bool walk_children(struct walker *w, Dwarf_Die *parent, unsigned depth)
{
    Dwarf_Die die;
    if (depth > MAX_DIE_DEPTH || dwarf_child(parent, &die) != 0)
        return false;
    do {
        if (w->budget-- == 0)
            return true;
        enum walk r = w->visit(&die, w->ctx);
        if (r == WALK_STOP || (r == WALK_NEXT && walk_children(w, &die, depth + 1)))
            return true;
    } while (dwarf_siblingof(&die, &die) == 0);
    return false;
}

static void walk_unit(const struct unit *u, enum walk (*visit)(Dwarf_Die *, void *), void *ctx)
{
    struct walker w = { visit, ctx, MAX_DIE_VISITS };
    Dwarf_Die cu = u->die;
    walk_children(&w, &cu, 0);
}

/* GDB counts a location list (not a single expression) on a variable or a
 * frame base; the forms are those of its attribute::form_is_section_offset. */
static bool loclist_attr(Dwarf_Die *die, unsigned name)
{
    Dwarf_Attribute a;
    if (!dwarf_attr(die, name, &a))
        return false;
    unsigned form = dwarf_whatform(&a);
    return form == DW_FORM_sec_offset || form == DW_FORM_loclistx || form == DW_FORM_data4 ||
           form == DW_FORM_data8;
}

static enum walk find_loclist(Dwarf_Die *die, void *ctx)
{
    bool *found = ctx;
    *found = loclist_attr(die, DW_AT_location) || loclist_attr(die, DW_AT_frame_base);
    return *found ? WALK_STOP : WALK_NEXT;
}

/* GDB's "locations valid": it then trusts the entry address as is. */
static bool locations_valid(const struct unit *u)
{
    bool found = false;
    if (u->gcc_4_5)
        walk_unit(u, find_loclist, &found);
    return found;
}

struct subprogram_query {
    uint64_t start, end;     /* end stays 0 until found */
};

static enum walk find_subprogram(Dwarf_Die *die, void *ctx)
{
    struct subprogram_query *q = ctx;
    Dwarf_Addr lo, hi;
    if (dwarf_tag(die) == DW_TAG_subprogram && dwarf_lowpc(die, &lo) == 0 && lo == q->start &&
        dwarf_highpc(die, &hi) == 0 && hi > lo) {
        q->end = hi;
        return WALK_STOP;
    }
    return WALK_NEXT;
}

struct scope_query {
    uint64_t pc;
    bool inlined;            /* the innermost function scope is an inlined call */
};

static enum walk find_scope(Dwarf_Die *die, void *ctx)
{
    struct scope_query *q = ctx;
    int tag = dwarf_tag(die);
    switch (tag) {
    case DW_TAG_subprogram:
    case DW_TAG_inlined_subroutine:
        if (dwarf_haspc(die, q->pc) != 1)
            return WALK_SKIP;
        q->inlined = tag == DW_TAG_inlined_subroutine;
        return WALK_NEXT;
    case DW_TAG_lexical_block:
        return dwarf_haspc(die, q->pc) == 1 ? WALK_NEXT : WALK_SKIP;
    case DW_TAG_namespace:
    case DW_TAG_module:
    case DW_TAG_class_type:
    case DW_TAG_structure_type:
    case DW_TAG_union_type:
        return WALK_NEXT;   /* Rust and C++ nest functions in these */
    default:
        return WALK_SKIP;
    }
}

static bool in_inlined_call(const struct unit *u, uint64_t pc)
{
    struct scope_query q = { pc, false };
    walk_unit(u, find_scope, &q);
    return q.inlined;
}

/* ------------------------------------------------------------ function bodies */

/* GDB's skip_prologue_using_linetable: the first prologue_end entry of the
 * entry's file in [start, end). (GDB 13 also accepts one at `end`, in the
 * next function; later GDBs do not.) */
static bool prologue_end_entry(const struct subfile *sf, uint64_t start, uint64_t end,
                               uint64_t *pc)
{
    for (size_t i = lower_bound(sf, start); i < sf->n && sf->v[i].pc < end; i++) {
        if (sf->v[i].flags & ENTRY_PROLOGUE_END) {
            *pc = sf->v[i].pc;
            return true;
        }
    }
    return false;
}

/* GDB's test for a prologue of no instructions: in the entry's file, the
 * first real entry at the range's start is followed directly by another at
 * the function's start. */
static bool empty_prologue(const struct subfile *sf, uint64_t range_pc, uint64_t start)
{
    size_t i = lower_bound(sf, range_pc);
    while (i + 1 < sf->n && (sf->v[i].pc != range_pc || sf->v[i].line == 0))
        i++;
    return i + 1 < sf->n && sf->v[i + 1].line != 0 && sf->v[i + 1].pc == start;
}

/* GDB's skip_prologue_using_sal (symtab.c); 0 when it finds nothing. */
static uint64_t prologue_by_lines(const struct unit *u, const struct sal *entry, uint64_t start,
                                  uint64_t end)
{
    struct sal p = *entry;
    if (empty_prologue(p.sub, p.pc, start))
        return start;
    if (p.end >= end)
        return 0;   /* one line covers the whole function */
    while (p.end < end) {
        struct sal s = unit_sal(u, p.end);
        /* Prologue ranges interleaved with smaller body lines (scheduling)
         * are taken too; a larger or equal line starts the body. */
        if (s.line == 0 || s.line >= p.line || s.sub != p.sub || in_inlined_call(u, p.end))
            break;
        p = s;
    }
    return p.end < end ? p.end : p.pc;
}

/* Rules 3 to 6 of elf_function_body (elfsym.h). */
static uint64_t after_prologue(const struct unit *u, const struct sal *entry, uint64_t start,
                               uint64_t end)
{
    uint64_t pc;
    if (prologue_end_entry(entry->sub, start, end, &pc))
        return pc;
    pc = prologue_by_lines(u, entry, start, end);
    pc = pc > start ? pc : start;   /* 0 (nothing found) is the entry too */
    struct sal s = unit_sal(u, pc);
    if (s.line != 0 && s.pc != pc && start <= s.end && s.end < end)
        pc = s.end;   /* mid-line: the next line's start */
    return pc;
}

int elf_function_body(const struct elf_file *f, const char *func, uint64_t *addr, char *err,
                      size_t errlen)
{
    uint64_t start, size;
    struct sal entry;
    if (elf_symbol(f, func, &start, &size, err, errlen) != 0)
        return -1;
    *addr = start;
    const struct unit *u = unit_at(f, start, &entry);
    if (!u || u->assembler || locations_valid(u))
        return 0;   /* rules 1 and 2 */
    struct subprogram_query q = { start, 0 };
    walk_unit(u, find_subprogram, &q);
    uint64_t end = q.end ? q.end : size <= UINT64_MAX - start ? start + size : UINT64_MAX;
    *addr = after_prologue(u, &entry, start, end);
    return 0;
}
