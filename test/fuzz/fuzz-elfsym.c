/* libFuzzer harness for elf/elfsym.c: any bytes are opened or refused with
 * a reason, and on an opened file every query returns 0, or -1 with a
 * reason, without crashing, hanging or leaking. The names asked for come
 * from the input itself (the symbol and source line at the entry and at
 * each segment) and from a list matching the seeds, so that the symbol,
 * line and prologue paths run on mutated tables, not just on misses.
 * Seeds: test/fuzz/corpus/elfsym/ (test-elfsym.c's crafted programs: from
 * gcc -O0 and clang -O1 with DWARF, and the gcc one without DWARF). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "elfsym.h"

#define ERR_LEN   256
#define MAX_SCAN  4096   /* bytes of instructions searched per query */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A status is 0, or -1 with a NUL-terminated, non-empty reason. */
static void check(int rc, const char *err)
{
    if (rc == 0)
        return;
    if (rc != -1 || !memchr(err, '\0', ERR_LEN) || err[0] == '\0')
        __builtin_trap();
}

static void fuzz_insns(const struct elf_file *f, uint64_t start, uint64_t size)
{
    static const char *const names[] = { "sret", "c.ebreak", "sfence.vma", "wfi" };
    char err[ERR_LEN];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint32_t match, mask;
        uint64_t at;
        if (elf_riscv_insn(names[i], &match, &mask) != 0)
            __builtin_trap();
        memset(err, 'X', sizeof err);
        int rc = elf_find_insn(f, start, size < MAX_SCAN ? size : MAX_SCAN, match, mask,
                               names[i], &at, err, sizeof err);
        check(rc, err);
        if (rc == 0 && (at < start || at - start >= size))
            __builtin_trap();
    }
}

static void fuzz_symbol(const struct elf_file *f, const char *name)
{
    char err[ERR_LEN];
    uint64_t addr, size, body, off;
    memset(err, 'X', sizeof err);
    int rc = elf_symbol(f, name, &addr, &size, err, sizeof err);
    check(rc, err);
    memset(err, 'X', sizeof err);
    int body_rc = elf_function_body(f, name, &body, err, sizeof err);
    check(body_rc, err);
    if ((rc == 0) != (body_rc == 0))
        __builtin_trap();   /* the body is found exactly when the symbol is */
    if (rc != 0)
        return;
    elf_symbol_at(f, addr, &off);
    fuzz_insns(f, addr, size);
}

/* The line at addr, and back: file:line and basename:line. */
static void fuzz_lines(const struct elf_file *f, uint64_t addr)
{
    const char *file;
    unsigned line, actual;
    char err[ERR_LEN];
    uint64_t back;
    if (elf_addr_line(f, addr, &file, &line) != 0)
        return;
    const char *base = strrchr(file, '/');
    const char *names[] = { file, base ? base + 1 : file };
    for (size_t i = 0; i < 2; i++) {
        memset(err, 'X', sizeof err);
        check(elf_line_address(f, names[i], line, &back, &actual, err, sizeof err), err);
        memset(err, 'X', sizeof err);
        check(elf_line_address(f, names[i], line + 60, &back, &actual, err, sizeof err), err);
    }
}

static void fuzz_segments(const struct elf_file *f)
{
    const struct elf_segment *segs;
    size_t n = elf_segments(f, &segs);
    char err[ERR_LEN];
    uint8_t buf[32];
    for (size_t i = 0; i < n && i < 8; i++) {
        uint64_t len = segs[i].memsz < sizeof buf ? segs[i].memsz : sizeof buf;
        memset(err, 'X', sizeof err);
        check(elf_read(f, segs[i].vaddr, buf, (size_t)len, err, sizeof err), err);
        memset(err, 'X', sizeof err);
        check(elf_read(f, segs[i].vaddr + segs[i].memsz - 2, buf, 4, err, sizeof err), err);
        const char *name = elf_symbol_at(f, segs[i].vaddr, NULL);
        if (name)
            fuzz_symbol(f, name);
        fuzz_lines(f, segs[i].vaddr);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "main", "work", "empty", "dup", "insns",
                                         "os::task::exit", "os::DATA",
                                         "os::task::exit_current_and_run_next" };
    struct elf_file *f;
    char err[ERR_LEN];
    memset(err, 'X', sizeof err);
    int rc = elf_file_open_mem(data, size, "<fuzz>", &f, err, sizeof err);
    check(rc, err);
    if (rc != 0)
        return 0;
    if (strcmp(elf_file_path(f), "<fuzz>") != 0)
        __builtin_trap();
    uint64_t entry = elf_file_entry(f), off;
    (void)elf_file_machine(f);
    const char *at_entry = elf_symbol_at(f, entry, &off);
    if (at_entry)
        fuzz_symbol(f, at_entry);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        fuzz_symbol(f, names[i]);
    fuzz_lines(f, entry);
    fuzz_segments(f);
    memset(err, 'X', sizeof err);
    check(elf_line_address(f, "x.c", 3, &off, NULL, err, sizeof err), err);
    elf_file_close(f);
    return 0;
}
