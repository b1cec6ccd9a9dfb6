/* Unit tests for elf/elfsym.c against the real tools: the demo kernel and
 * user programs from `make os`, and small programs this test compiles with
 * riscv64-unknown-elf-gcc (-O0) and clang (-O1). Every expected value comes
 * from riscv64-unknown-elf-nm/objdump/readelf or gdb-multiarch at run time,
 * so nothing here goes stale when the kernel changes:
 *   symbols and sizes          nm -S
 *   instruction addresses      objdump -d
 *   segments and entry         readelf -lW / -h, and the file's own bytes
 *   addr -> line, line -> addr gdb `info line *ADDR` / `info line FILE:N`
 *   `break FUNC`               gdb `break FUNC` + `info breakpoints`
 * plus exact error messages and copies of the kernel cut or corrupted.
 *
 * Runs from the repository root (test/run-tests.sh does): the kernel is
 * build/os/kernel.elf, the user programs build/os/user/<name>.elf. */
#define _POSIX_C_SOURCE 200809L

#include <glob.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "blob.h"

#include "elfsym.h"

#define ERR_LEN  512
#define KERNEL   "build/os/kernel.elf"
#define USERS    "build/os/user/*.elf"
#define CROSS    "riscv64-unknown-elf-"
#define EM_RISCV 243
#define MAX_LOCS 16

/* ------------------------------------------------------------ running tools */

static char *xvasprintf(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    assert_true(n >= 0);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

__attribute__((format(printf, 1, 2)))
static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* The output (stdout and stderr) of a shell command; the test fails if it
 * does not exit 0. */
__attribute__((format(printf, 1, 2)))
static char *run(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = xvasprintf(fmt, ap);
    va_end(ap);
    char *full = xasprintf("%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    size_t cap = 4096, n = 0, got;
    char *out = malloc(cap);
    assert_non_null(out);
    while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap) {
            out = realloc(out, cap *= 2);
            assert_non_null(out);
        }
    }
    out[n] = '\0';
    int status = pclose(p);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("`%s` failed (status %d):\n%s", cmd, status, out);
    free(full);
    free(cmd);
    return out;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* ------------------------------------------------------------ what the tools say */

/* nm -S: a symbol's address and size (0 when nm prints none); 0 if found. */
static int nm_symbol(const char *elf, const char *name, uint64_t *addr, uint64_t *size)
{
    char *out = run(CROSS "nm -S %s", elf);
    int rc = -1;
    for (char *line = strtok(out, "\n"); line && rc; line = strtok(NULL, "\n")) {
        uint64_t a, s = 0;
        char type, sym[512];
        if (sscanf(line, "%" SCNx64 " %" SCNx64 " %c %511s", &a, &s, &type, sym) == 4 ||
            (s = 0, sscanf(line, "%" SCNx64 " %c %511s", &a, &type, sym) == 3)) {
            if (strcmp(sym, name) == 0) {
                *addr = a;
                *size = s;
                rc = 0;
            }
        }
    }
    free(out);
    return rc;
}

/* The text symbols nm lists once (a name listed twice is ambiguous). */
static size_t nm_functions(const char *elf, char ***names)
{
    char *out = run(CROSS "nm %s | awk '$2 ~ /^[Tt]$/ {print $3}' | sort | uniq -u", elf);
    size_t n = 0;
    *names = NULL;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        *names = realloc(*names, (n + 1) * sizeof **names);
        assert_non_null(*names);
        (*names)[n] = strdup(line);
        assert_non_null((*names)[n++]);
    }
    free(out);
    return n;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The lowest text symbol address above addr (nm -n). */
static uint64_t nm_next_text(const char *elf, uint64_t addr)
{
    char *out = run(CROSS "nm -n %s", elf);
    uint64_t next = 0;
    for (char *line = strtok(out, "\n"); line && !next; line = strtok(NULL, "\n")) {
        uint64_t a;
        char type;
        if (sscanf(line, "%" SCNx64 " %c", &a, &type) == 2 && (type == 'T' || type == 't') &&
            a > addr)
            next = a;
    }
    free(out);
    assert_true(next > addr);
    return next;
}

struct insn {
    uint64_t addr;
    uint32_t word;
    unsigned len;            /* 2 or 4 */
    char mnemonic[32];
};

/* objdump -d over [start, stop): up to max instructions; their count. */
static size_t objdump(const char *elf, uint64_t start, uint64_t stop, struct insn *v, size_t max)
{
    char *out = run(CROSS "objdump -d --start-address=0x%" PRIx64 " --stop-address=0x%" PRIx64
                    " %s", start, stop, elf);
    size_t n = 0;
    for (char *line = strtok(out, "\n"); line && n < max; line = strtok(NULL, "\n")) {
        char hex[16];
        struct insn i = { 0 };
        if (sscanf(line, " %" SCNx64 ": %15s %31s", &i.addr, hex, i.mnemonic) != 3 ||
            (strlen(hex) != 4 && strlen(hex) != 8))
            continue;
        i.len = (unsigned)strlen(hex) / 2;
        i.word = (uint32_t)strtoul(hex, NULL, 16);
        v[n++] = i;
    }
    free(out);
    return n;
}

/* The first instruction objdump shows in [start, stop) with this encoding. */
static uint64_t objdump_find(const char *elf, uint64_t start, uint64_t stop, uint32_t word,
                             unsigned len)
{
    static struct insn v[4096];
    size_t n = objdump(elf, start, stop, v, sizeof v / sizeof v[0]);
    for (size_t i = 0; i < n; i++)
        if (v[i].word == word && v[i].len == len)
            return v[i].addr;
    fail_msg("objdump shows no %08x in 0x%" PRIx64 "-0x%" PRIx64, word, start, stop);
    return 0;
}

struct load {
    uint64_t offset, vaddr, filesz, memsz;
    uint32_t flags;
};

/* readelf -lW: the PT_LOAD segments. */
static size_t readelf_loads(const char *elf, struct load *v, size_t max)
{
    char *out = run(CROSS "readelf -lW %s", elf);
    size_t n = 0;
    for (char *line = strtok(out, "\n"); line && n < max; line = strtok(NULL, "\n")) {
        uint64_t paddr;
        char flg[4] = "";
        struct load l = { 0 };
        if (sscanf(line, " LOAD 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64
                   " 0x%" SCNx64 " %3c", &l.offset, &l.vaddr, &paddr, &l.filesz, &l.memsz,
                   flg) != 6)
            continue;
        l.flags = (strchr(flg, 'R') ? 4u : 0) | (strchr(flg, 'W') ? 2u : 0) |
                  (strchr(flg, 'E') ? 1u : 0);
        v[n++] = l;
    }
    free(out);
    return n;
}

static uint64_t readelf_entry(const char *elf)
{
    char *out = run(CROSS "readelf -h %s", elf);
    const char *at = strstr(out, "Entry point address:");
    assert_non_null(at);
    uint64_t entry = strtoull(at + strlen("Entry point address:"), NULL, 16);
    free(out);
    return entry;
}

/* gdb's answers to groups of commands (a group: lines of commands), one
 * malloc'd block of output per group. gdb runs them through its Python API,
 * because a command file stops at the first error ("No source file named
 * x.c") and the error is an answer too. */
static const char gdb_driver[] =
    "import gdb\n"
    "for group in open(\"%s/cmds.txt\").read().split(\"@@\\n\"):\n"
    "    gdb.write(\"@@\\n\")\n"
    "    for cmd in group.splitlines():\n"
    "        try:\n"
    "            gdb.write(gdb.execute(cmd, to_string=True))\n"
    "        except gdb.error as e:\n"
    "            gdb.write(str(e) + \"\\n\")\n";

static void gdb_blocks(const char *elf, const char *dir, char **cmds, size_t n, char **blocks)
{
    char *path = xasprintf("%s/cmds.txt", dir), *py = xasprintf("%s/cmds.py", dir), text[512];
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%s%s\n", i ? "@@\n" : "", cmds[i]);
    assert_int_equal(fclose(fp), 0);
    snprintf(text, sizeof text, gdb_driver, dir);
    write_text(py, text);
    char *out = run("gdb-multiarch -batch -nx -x %s %s", py, elf);
    char *at = strstr(out, "@@\n");
    for (size_t i = 0; i < n; i++) {
        if (!at)
            fail_msg("gdb answered %zu of %zu groups:\n%s", i, n, out);
        char *next = strstr(at + 3, "@@\n");
        blocks[i] = strndup(at + 3, next ? (size_t)(next - at - 3) : strlen(at + 3));
        assert_non_null(blocks[i]);
        at = next;
    }
    free(out);
    free(py);
    free(path);
}

static void free_blocks(char **blocks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(blocks[i]);
}

/* The locations of `break FUNC` in an `info breakpoints $bpnum` block. */
static size_t break_locations(const char *block, uint64_t *locs)
{
    size_t n = 0;
    char *copy = strdup(block);
    assert_non_null(copy);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        char *hex = strstr(line, " 0x");
        if (line[0] >= '1' && line[0] <= '9' && hex && n < MAX_LOCS)
            locs[n++] = strtoull(hex + 1, NULL, 16);
    }
    free(copy);
    return n;
}

/* ------------------------------------------------------------ fixtures */

/* The crafted programs: two files named x.c (one static `dup` in each), C
 * functions under Rust legacy-mangled names, inlined calls, instructions
 * around c.ebreak's neighbours and a sized function followed by padding. */
static const char x_c[] =
    "static int dup(int v)\n"
    "{\n"
    "    return v + %d;\n"
    "}\n"
    "\n"
    "int %s_entry(int v)\n"
    "{\n"
    "    return dup(v) * 2;\n"
    "}\n";

static const char main_c[] =
    "int rust_exit(void)\n"
    "    __asm__(\"_ZN2os4task25exit_current_and_run_next17h0123456789abcdefE\");\n"
    "int rust_near(void)\n"
    "    __asm__(\"_ZN2os5tasks25exit_current_and_run_next17h0123456789abcdefE\");\n"
    "int exit_one(void) __asm__(\"_ZN2os4task4exit17h1111111111111111E\");\n"
    "int exit_two(void) __asm__(\"_ZN2os4task4exit17h2222222222222222E\");\n"
    "extern int rust_data __asm__(\"_ZN2os4DATA17habcdefabcdefabcdE\");\n"
    "int rust_data = 5;\n"
    "int a_entry(int v);\n"
    "int b_entry(int v);\n"
    "\n"
    "int rust_exit(void) { return 1; }\n"
    "int rust_near(void) { return 2; }\n"
    "int exit_one(void) { return 3; }\n"
    "int exit_two(void) { return 4; }\n"
    "\n"
    "int work(int a, int b)\n"
    "{\n"
    "    int arr[8];\n"
    "\n"
    "    for (int i = 0; i < 8; i++)\n"
    "        arr[i] = a + i;\n"
    "    return arr[b & 7];\n"
    "}\n"
    "\n"
    "void empty(void) {}\n"
    "\n"
    "int main(void)\n"
    "{\n"
    "    return work(a_entry(1), b_entry(2)) + rust_exit() + rust_near() + exit_one() +\n"
    "           exit_two();\n"
    "}\n";

/* Calls inlined at -O0 right after the prologue: GDB's prologue skip stops
 * before a smaller line that belongs to an inlined call. */
static const char inline_c[] =
    "static inline __attribute__((always_inline)) int twice(int v)\n"
    "{\n"
    "    return v * 2;\n"
    "}\n"
    "\n"
    "static inline __attribute__((always_inline)) void nothing(void)\n"
    "{\n"
    "}\n"
    "\n"
    "int inl_g;\n"
    "\n"
    "int inl_caller(int v)\n"
    "{\n"
    "    return twice(v) + 1;\n"
    "}\n"
    "\n"
    "void inl_empty(void)\n"
    "{\n"
    "    nothing();\n"
    "    inl_g = 1;\n"
    "}\n";

static const char insns_s[] =
    "    .text\n"
    "    .globl insns\n"
    "insns:\n"
    "    c.jalr ra\n"
    "    c.add a0, a1\n"
    "    sfence.vma a0, a1\n"
    "    c.ebreak\n"
    "    .option push\n"
    "    .option norvc\n"
    "    ebreak\n"
    "    .option pop\n"
    "    sret\n"
    "    .globl insns_end\n"
    "insns_end:\n"
    "    ret\n"
    "    .globl sized\n"
    "    .type sized, @function\n"
    "sized:\n"
    "    ret\n"
    "    .size sized, . - sized\n"
    "    .space 4\n";

struct fixture {
    char dir[64];            /* the crafted programs' sources and ELFs */
    char *gcc_elf, *clang_elf;
    struct elf_file *kernel, *gcc, *clang;
};

static void write_sources(const char *dir)
{
    char *path, text[512];
    for (int i = 0; i < 2; i++) {
        const char *sub = i ? "b" : "a";
        path = xasprintf("%s/%s", dir, sub);
        assert_int_equal(mkdir(path, 0700), 0);
        free(path);
        path = xasprintf("%s/%s/x.c", dir, sub);
        snprintf(text, sizeof text, x_c, i + 1, sub);
        write_text(path, text);
        free(path);
    }
    path = xasprintf("%s/main.c", dir);
    write_text(path, main_c);
    free(path);
    path = xasprintf("%s/insns.S", dir);
    write_text(path, insns_s);
    free(path);
    path = xasprintf("%s/inline.c", dir);
    write_text(path, inline_c);
    free(path);
}

static void build_programs(struct fixture *fx)
{
    const char *d = fx->dir;
    fx->gcc_elf = xasprintf("%s/gcc.elf", d);
    fx->clang_elf = xasprintf("%s/clang.elf", d);
    free(run("cd %s && " CROSS "gcc -O0 -g -march=rv64imac_zicsr_zifencei -mabi=lp64 -nostdlib "
             "-static -Wl,-e,main -Wl,--build-id=none a/x.c b/x.c main.c inline.c insns.S -o gcc.elf",
             d));
    free(run("cd %s && for f in main a/x b/x; do clang --target=riscv64-unknown-elf "
             "-march=rv64imac -mabi=lp64 -O1 -g -c $f.c -o $(echo $f | tr / _).o || exit 1; "
             "done && " CROSS "ld -e main main.o a_x.o b_x.o -o clang.elf", d));
}

static int open_or_fail(const char *path, struct elf_file **f)
{
    char err[ERR_LEN];
    if (elf_file_open(path, f, err, sizeof err) == 0)
        return 0;
    print_error("%s\n", err);
    return -1;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rspmux-elfsym-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    write_sources(fx->dir);
    build_programs(fx);
    *state = fx;
    if (access(KERNEL, R_OK) != 0) {
        print_error("%s is missing: run `make os` (and the test from the repository root)\n",
                    KERNEL);
        return -1;
    }
    return open_or_fail(KERNEL, &fx->kernel) || open_or_fail(fx->gcc_elf, &fx->gcc) ||
           open_or_fail(fx->clang_elf, &fx->clang);
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    elf_file_close(fx->kernel);
    elf_file_close(fx->gcc);
    elf_file_close(fx->clang);
    free(run("rm -rf %s", fx->dir));
    free(fx->gcc_elf);
    free(fx->clang_elf);
    free(fx);
    return 0;
}

/* ------------------------------------------------------------ checks shared by tests */

static uint64_t symbol(const struct elf_file *f, const char *name, uint64_t *size)
{
    char err[ERR_LEN];
    uint64_t addr = 0, sz = 0;
    if (elf_symbol(f, name, &addr, &sz, err, sizeof err) != 0)
        fail_msg("%s", err);
    if (size)
        *size = sz;
    return addr;
}

static void expect_error(int rc, const char *err, const char *want)
{
    assert_int_equal(rc, -1);
    assert_string_equal(err, want);
}

/* The file's own bytes at vaddr, through readelf's view of the segments. */
static void file_bytes(const char *elf, uint64_t vaddr, uint8_t *out, size_t len)
{
    struct load loads[16];
    struct blob b;
    size_t n = readelf_loads(elf, loads, 16);
    assert_int_equal(read_file(elf, &b), 0);
    for (size_t i = 0; i < n; i++) {
        const struct load *l = &loads[i];
        if (vaddr >= l->vaddr && vaddr + len <= l->vaddr + l->filesz) {
            memcpy(out, b.data + l->offset + (vaddr - l->vaddr), len);
            free(b.data);
            return;
        }
    }
    free(b.data);
    fail_msg("0x%" PRIx64 " is not in a file-backed segment of %s", vaddr, elf);
}

/* elf_function_body for every function against gdb's `break FUNC`: one of
 * gdb's locations (inlined copies add more), the only one when gdb has one.
 * Returns how many functions were checked. */
static size_t check_bodies(const char *elf_path, const struct elf_file *f, const char *dir)
{
    char **names, err[ERR_LEN];
    size_t n = nm_functions(elf_path, &names);
    char **cmds = calloc(n ? n : 1, sizeof *cmds), **blocks = calloc(n ? n : 1, sizeof *blocks);
    assert_true(cmds && blocks);
    for (size_t i = 0; i < n; i++)
        cmds[i] = xasprintf("break %s\ninfo breakpoints $bpnum", names[i]);
    gdb_blocks(elf_path, dir, cmds, n, blocks);
    for (size_t i = 0; i < n; i++) {
        uint64_t ours, locs[MAX_LOCS];
        size_t nl = break_locations(blocks[i], locs), k = 0;
        if (elf_function_body(f, names[i], &ours, err, sizeof err) != 0)
            fail_msg("%s: %s", names[i], err);
        while (k < nl && locs[k] != ours)
            k++;
        if (nl == 0 || k == nl)
            fail_msg("%s in %s: ours 0x%" PRIx64 ", gdb says:\n%s", names[i], elf_path, ours,
                     blocks[i]);
        free(cmds[i]);
    }
    free_blocks(blocks, n);
    free(blocks);
    free(cmds);
    free_names(names, n);
    return n;
}

/* elf_addr_line against gdb's `info line *ADDR` at every instruction
 * objdump shows; the count checked. */
static size_t check_addr_lines(const char *elf_path, const struct elf_file *f, const char *dir)
{
    static struct insn v[1 << 16];
    size_t n = objdump(elf_path, 0, UINT64_MAX, v, sizeof v / sizeof v[0]);
    char **cmds = calloc(n, sizeof *cmds), **blocks = calloc(n, sizeof *blocks);
    assert_true(n > 0 && cmds && blocks);
    for (size_t i = 0; i < n; i++)
        cmds[i] = xasprintf("info line *0x%" PRIx64, v[i].addr);
    gdb_blocks(elf_path, dir, cmds, n, blocks);
    for (size_t i = 0; i < n; i++) {
        const char *file;
        unsigned line, want;
        char gfile[512];
        int rc = elf_addr_line(f, v[i].addr, &file, &line);
        if (sscanf(blocks[i], "Line %u of \"%511[^\"]\"", &want, gfile) == 2) {
            size_t nf = strlen(file), ng = strlen(gfile);
            if (rc != 0 || line != want || nf < ng || strcmp(file + nf - ng, gfile) != 0)
                fail_msg("0x%" PRIx64 ": ours %s:%u (rc %d), gdb: %s", v[i].addr,
                         rc ? "-" : file, rc ? 0 : line, rc, blocks[i]);
        } else if (strncmp(blocks[i], "No line number information", 26) == 0) {
            if (rc != -1)
                fail_msg("0x%" PRIx64 ": ours %s:%u, gdb: %s", v[i].addr, file, line, blocks[i]);
        } else {
            fail_msg("0x%" PRIx64 ": unexpected gdb answer: %s", v[i].addr, blocks[i]);
        }
        free(cmds[i]);
    }
    free_blocks(blocks, n);
    free(blocks);
    free(cmds);
    return n;
}

/* The lowest address in gdb's `info line SPEC` answer; false when gdb finds
 * no line (out of range). *no_code when gdb says the line has no code. */
static bool gdb_line_address(const char *block, uint64_t *addr, bool *no_code)
{
    bool found = false;
    const char *at = block;
    *no_code = strstr(block, "but contains no code") != NULL;
    while ((at = strstr(at, " address 0x")) != NULL) {
        uint64_t a = strtoull(at + strlen(" address "), NULL, 16);
        if (!found || a < *addr)
            *addr = a;
        found = true;
        at++;
    }
    return found;
}

/* elf_line_address against gdb's `info line FILE:N` for every line of a
 * source file and three past its end; the count checked. gdb says "no code"
 * both for a line without rows (we then name a later line) and for one
 * whose rows cover no bytes (we name the line itself: same address). */
static size_t check_line_addresses(const char *elf_path, const struct elf_file *f,
                                   const char *dir, const char *src, const char *query)
{
    char *count = run("wc -l < %s", src);
    size_t n = strtoul(count, NULL, 10) + 3;
    free(count);
    char **cmds = calloc(n, sizeof *cmds), **blocks = calloc(n, sizeof *blocks);
    assert_true(cmds && blocks);
    for (size_t i = 0; i < n; i++)
        cmds[i] = xasprintf("info line %s:%zu", query, i + 1);
    gdb_blocks(elf_path, dir, cmds, n, blocks);
    for (unsigned line = 1; line <= n; line++) {
        char err[ERR_LEN];
        uint64_t want = 0, ours = 0;
        unsigned actual = 0;
        bool no_code, found = gdb_line_address(blocks[line - 1], &want, &no_code);
        int rc = elf_line_address(f, query, line, &ours, &actual, err, sizeof err);
        const char *file;
        unsigned want_line = 0;
        if (found && no_code && rc != 0 && elf_addr_line(f, want, &file, &want_line) == 0 &&
            want_line > line + 50)
            continue;   /* gdb looks further than 50 lines; we do not, by design */
        if (!found != (rc != 0) || (found && ours != want) ||
            (rc == 0 && (no_code ? actual < line : actual != line)))
            fail_msg("%s:%u: ours 0x%" PRIx64 " line %u (%s), gdb: %s", query, line, ours, actual,
                     rc ? err : "ok", blocks[line - 1]);
        free(cmds[line - 1]);
    }
    free_blocks(blocks, n);
    free(blocks);
    free(cmds);
    return n;
}

/* ------------------------------------------------------------ the kernel */

static void test_kernel_header(void **state)
{
    struct fixture *fx = *state;
    assert_string_equal(elf_file_path(fx->kernel), KERNEL);
    assert_int_equal(elf_file_machine(fx->kernel), EM_RISCV);
    assert_int_equal(elf_file_entry(fx->kernel), readelf_entry(KERNEL));
}

static void test_kernel_segments(void **state)
{
    struct fixture *fx = *state;
    struct load loads[16];
    const struct elf_segment *segs;
    size_t n = readelf_loads(KERNEL, loads, 16);
    assert_true(n > 0);
    assert_int_equal(elf_segments(fx->kernel, &segs), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(segs[i].vaddr, loads[i].vaddr);
        assert_int_equal(segs[i].memsz, loads[i].memsz);
        assert_int_equal(segs[i].filesz, loads[i].filesz);
        assert_int_equal(segs[i].flags, loads[i].flags);
    }
}

/* Sized C functions and zero-size assembler labels, as nm sees them. */
static void test_kernel_symbols(void **state)
{
    struct fixture *fx = *state;
    static const char *const names[] = { "__alltraps", "__restore", "__switch",
                                         "trap_handler", "strampoline", "task_exec" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint64_t want, want_size, size;
        assert_int_equal(nm_symbol(KERNEL, names[i], &want, &want_size), 0);
        assert_int_equal(symbol(fx->kernel, names[i], &size), want);
        /* A label's size runs to the next symbol, so its code can be searched. */
        assert_int_equal(size, want_size ? want_size : nm_next_text(KERNEL, want) - want);
    }
}

static void test_kernel_symbol_at(void **state)
{
    struct fixture *fx = *state;
    uint64_t off, size, th = symbol(fx->kernel, "trap_handler", &size);
    uint64_t restore = symbol(fx->kernel, "__restore", NULL);
    assert_string_equal(elf_symbol_at(fx->kernel, th + 6, &off), "trap_handler");
    assert_int_equal(off, 6);
    assert_string_equal(elf_symbol_at(fx->kernel, th + size - 2, &off), "trap_handler");
    assert_string_equal(elf_symbol_at(fx->kernel, restore + 0x10, &off), "__restore");
    assert_int_equal(off, 0x10);
    /* __alltraps and strampoline share an address: either name, offset 0. */
    const char *name = elf_symbol_at(fx->kernel, symbol(fx->kernel, "strampoline", NULL), &off);
    assert_non_null(name);
    assert_true(strcmp(name, "__alltraps") == 0 || strcmp(name, "strampoline") == 0);
    assert_int_equal(off, 0);
    assert_null(elf_symbol_at(fx->kernel, 0x1000, &off));
}

/* A zero-size label holds what follows it, up to a sized symbol; padding
 * after a sized symbol belongs to nobody. */
static void test_symbol_at_labels(void **state)
{
    struct fixture *fx = *state;
    uint64_t off, size, sized = symbol(fx->gcc, "sized", &size);
    uint64_t end = symbol(fx->gcc, "insns_end", NULL);
    assert_int_equal(size, 2);
    assert_string_equal(elf_symbol_at(fx->gcc, end, &off), "insns_end");
    assert_int_equal(off, 0);
    assert_string_equal(elf_symbol_at(fx->gcc, sized - 1, &off), "insns_end");
    assert_int_equal(off, sized - 1 - end);
    assert_string_equal(elf_symbol_at(fx->gcc, sized + 1, &off), "sized");
    assert_int_equal(off, 1);
    assert_null(elf_symbol_at(fx->gcc, sized + size, &off));
    assert_null(elf_symbol_at(fx->gcc, sized + size + 3, &off));
}

/* The sret that ends __restore, where objdump shows it; none in __alltraps. */
static void test_kernel_find_sret(void **state)
{
    struct fixture *fx = *state;
    char err[ERR_LEN], want[ERR_LEN];
    uint32_t match, mask;
    uint64_t size, at, start = symbol(fx->kernel, "__restore", &size);
    assert_int_equal(elf_riscv_insn("sret", &match, &mask), 0);
    assert_int_equal(elf_find_insn(fx->kernel, start, size, match, mask, "sret", &at, err,
                                   sizeof err), 0);
    assert_int_equal(at, objdump_find(KERNEL, start, start + size, 0x10200073, 4));
    assert_string_equal(elf_symbol_at(fx->kernel, at, NULL), "__restore");

    start = symbol(fx->kernel, "__alltraps", &size);
    snprintf(want, sizeof want, "no 'sret' instruction in __alltraps (0x%" PRIx64 "-0x%" PRIx64
             ") of " KERNEL, start, start + size);
    expect_error(elf_find_insn(fx->kernel, start, size, match, mask, "sret", &at, err,
                               sizeof err), err, want);
}

/* sfence.vma with any registers, as objdump finds it in __restore. */
static void test_kernel_find_sfence(void **state)
{
    struct fixture *fx = *state;
    char err[ERR_LEN];
    uint32_t match, mask;
    uint64_t size, at, start = symbol(fx->kernel, "__restore", &size);
    static struct insn v[2048];
    assert_int_equal(elf_riscv_insn("sfence.vma", &match, &mask), 0);
    assert_int_equal(elf_find_insn(fx->kernel, start, size, match, mask, "sfence.vma", &at, err,
                                   sizeof err), 0);
    size_t n = objdump(KERNEL, start, start + size, v, 2048), i = 0;
    while (i < n && strcmp(v[i].mnemonic, "sfence.vma") != 0)
        i++;
    assert_true(i < n);
    assert_int_equal(at, v[i].addr);
}

static void test_kernel_function_bodies(void **state)
{
    struct fixture *fx = *state;
    uint64_t addr, locs[MAX_LOCS];
    char err[ERR_LEN];
    char *out = run("gdb-multiarch -batch -nx -ex 'break trap_handler' -ex 'info breakpoints' "
                    KERNEL);
    /* trap_handler has one location; ours is it. */
    assert_int_equal(break_locations(out, locs), 1);
    assert_int_equal(elf_function_body(fx->kernel, "trap_handler", &addr, err, sizeof err), 0);
    assert_int_equal(addr, locs[0]);
    free(out);
    assert_true(check_bodies(KERNEL, fx->kernel, fx->dir) > 50);
}

static void test_kernel_addr_lines(void **state)
{
    struct fixture *fx = *state;
    const char *file;
    unsigned line;
    uint64_t th = symbol(fx->kernel, "trap_handler", NULL);
    char *want = run(CROSS "addr2line -e " KERNEL " 0x%" PRIx64, th);
    char *got;
    assert_int_equal(elf_addr_line(fx->kernel, th, &file, &line), 0);
    got = xasprintf("%s:%u\n", file, line);
    assert_string_equal(got, want);   /* the full path, as addr2line prints it */
    free(got);
    free(want);
    assert_true(check_addr_lines(KERNEL, fx->kernel, fx->dir) > 1000);
}

static void test_kernel_line_addresses(void **state)
{
    struct fixture *fx = *state;
    assert_true(check_line_addresses(KERNEL, fx->kernel, fx->dir, "test/os/kernel/trap.c",
                                     "trap.c") > 50);
    assert_true(check_line_addresses(KERNEL, fx->kernel, fx->dir, "test/os/kernel/task.c",
                                     "kernel/task.c") > 50);
    /* Inline functions compiled into many units, and a header without code. */
    check_line_addresses(KERNEL, fx->kernel, fx->dir, "test/os/kernel/riscv.h", "riscv.h");
    check_line_addresses(KERNEL, fx->kernel, fx->dir, "test/os/kernel/elf.h", "kernel/elf.h");
    check_line_addresses(KERNEL, fx->kernel, fx->dir, "test/os/kernel/trampoline.S",
                         "trampoline.S");
}

/* trap_handler's opening line, by every spelling of its file. */
static void test_kernel_line_spellings(void **state)
{
    struct fixture *fx = *state;
    char err[ERR_LEN];
    const char *file;
    unsigned line, actual;
    uint64_t addr, th = symbol(fx->kernel, "trap_handler", NULL);
    assert_int_equal(elf_addr_line(fx->kernel, th, &file, &line), 0);
    const char *spellings[] = { "trap.c", "kernel/trap.c", "test/os/kernel/trap.c", file };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(elf_line_address(fx->kernel, spellings[i], line, &addr, &actual, err,
                                          sizeof err), 0);
        assert_int_equal(addr, th);
        assert_int_equal(actual, line);
    }
    expect_error(elf_line_address(fx->kernel, "rap.c", line, &addr, &actual, err, sizeof err),
                 err, "no source file 'rap.c' in " KERNEL);
    expect_error(elf_line_address(fx->kernel, "trap.c", 9999, &addr, &actual, err, sizeof err),
                 err, "no line table entry for trap.c:9999 in " KERNEL);
}

/* The loaded image: file bytes, zeros past filesz, and holes refused. */
static void test_kernel_read(void **state)
{
    struct fixture *fx = *state;
    char err[ERR_LEN], want[ERR_LEN];
    uint8_t got[64], exp[64];
    const struct elf_segment *segs;
    size_t n = elf_segments(fx->kernel, &segs);
    uint64_t th = symbol(fx->kernel, "trap_handler", NULL);
    assert_int_equal(elf_read(fx->kernel, th, got, sizeof got, err, sizeof err), 0);
    file_bytes(KERNEL, th, exp, sizeof exp);
    assert_memory_equal(got, exp, sizeof got);
    for (size_t i = 0; i < n; i++) {
        if (segs[i].memsz <= segs[i].filesz)
            continue;
        memset(got, 0xa5, sizeof got);
        assert_int_equal(elf_read(fx->kernel, segs[i].vaddr + segs[i].memsz - 8, got, 8, err,
                                  sizeof err), 0);
        assert_memory_equal(got, (uint8_t[8]){ 0 }, 8);
    }
    expect_error(elf_read(fx->kernel, 0x1000, got, 4, err, sizeof err), err,
                 "0x1000: not in a loaded segment of " KERNEL);
    /* A read running off the last segment names the first missing byte. */
    uint64_t end = segs[n - 1].vaddr + segs[n - 1].memsz;
    snprintf(want, sizeof want, "0x%" PRIx64 ": not in a loaded segment of " KERNEL, end);
    expect_error(elf_read(fx->kernel, end - 2, got, 4, err, sizeof err), err, want);
    assert_int_equal(elf_read(fx->kernel, end - 2, got, 0, err, sizeof err), 0);
}

/* ------------------------------------------------------------ user programs */

static void test_user_programs(void **state)
{
    struct fixture *fx = *state;
    glob_t g;
    assert_int_equal(glob(USERS, 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 3);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *path = g.gl_pathv[i];
        struct elf_file *f;
        char err[ERR_LEN];
        uint8_t got[16], exp[16];
        uint64_t main_addr, main_size;
        assert_int_equal(open_or_fail(path, &f), 0);
        assert_int_equal(elf_file_machine(f), EM_RISCV);
        assert_int_equal(elf_file_entry(f), readelf_entry(path));
        assert_int_equal(elf_read(f, elf_file_entry(f), got, sizeof got, err, sizeof err), 0);
        file_bytes(path, elf_file_entry(f), exp, sizeof exp);
        assert_memory_equal(got, exp, sizeof got);
        assert_int_equal(nm_symbol(path, "main", &main_addr, &main_size), 0);
        assert_int_equal(symbol(f, "main", NULL), main_addr);
        if (i == 0)
            check_bodies(path, f, fx->dir);
        elf_file_close(f);
    }
    globfree(&g);
}

/* ------------------------------------------------------------ crafted programs */

static void test_rust_names(void **state)
{
    struct fixture *fx = *state;
    char err[ERR_LEN], want[ERR_LEN];
    uint64_t addr, size, a1, a2, s;
    assert_int_equal(nm_symbol(fx->gcc_elf,
                               "_ZN2os4task25exit_current_and_run_next17h0123456789abcdefE",
                               &a1, &s), 0);
    assert_int_equal(symbol(fx->gcc, "os::task::exit_current_and_run_next", &size), a1);
    assert_int_equal(size, s);
    assert_int_equal(symbol(fx->gcc, "_ZN2os4task25exit_current_and_run_next17h0123456789abcdefE",
                            NULL), a1);
    assert_int_equal(nm_symbol(fx->gcc_elf,
                               "_ZN2os5tasks25exit_current_and_run_next17h0123456789abcdefE",
                               &a2, &s), 0);
    assert_int_equal(symbol(fx->gcc, "os::tasks::exit_current_and_run_next", NULL), a2);
    assert_int_equal(nm_symbol(fx->gcc_elf, "_ZN2os4DATA17habcdefabcdefabcdE", &a1, &s), 0);
    assert_int_equal(symbol(fx->gcc, "os::DATA", NULL), a1);
    /* Every part must match, from the first: no prefixes, suffixes or empty parts. */
    static const char *const misses[] = {
        "os::task", "task::exit_current_and_run_next", "os::task::exit_current_and_run",
        "os::task::", "::os::task::exit_current_and_run_next",
        "os::task::exit_current_and_run_next::h0123456789abcdef",
    };
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++) {
        snprintf(want, sizeof want, "symbol '%s' not found in %s", misses[i], fx->gcc_elf);
        expect_error(elf_symbol(fx->gcc, misses[i], &addr, &size, err, sizeof err), err, want);
    }
    /* Two hashes of one path are two functions (listed by address). */
    assert_int_equal(nm_symbol(fx->gcc_elf, "_ZN2os4task4exit17h1111111111111111E", &a1, &s), 0);
    assert_int_equal(nm_symbol(fx->gcc_elf, "_ZN2os4task4exit17h2222222222222222E", &a2, &s), 0);
    snprintf(want, sizeof want, "symbol 'os::task::exit' is ambiguous in %s: 0x%" PRIx64
             ", 0x%" PRIx64, fx->gcc_elf, a1 < a2 ? a1 : a2, a1 < a2 ? a2 : a1);
    expect_error(elf_symbol(fx->gcc, "os::task::exit", &addr, &size, err, sizeof err), err,
                 want);
}

static void test_symbol_errors(void **state)
{
    struct fixture *fx = *state;
    char err[ERR_LEN], want[ERR_LEN];
    uint64_t addr, size, a, b;
    expect_error(elf_symbol(fx->kernel, "no_such_symbol", &addr, &size, err, sizeof err), err,
                 "symbol 'no_such_symbol' not found in " KERNEL);
    /* The two static dup()s, in the order of the symbol table. */
    char *out = run(CROSS "nm %s | awk '$3 == \"dup\" {print $1}'", fx->gcc_elf);
    assert_int_equal(sscanf(out, "%" SCNx64 " %" SCNx64, &a, &b), 2);
    free(out);
    snprintf(want, sizeof want, "symbol 'dup' is ambiguous in %s: 0x%" PRIx64 ", 0x%" PRIx64,
             fx->gcc_elf, a < b ? a : b, a < b ? b : a);
    expect_error(elf_symbol(fx->gcc, "dup", &addr, &size, err, sizeof err), err, want);
    expect_error(elf_function_body(fx->gcc, "dup", &addr, err, sizeof err), err, want);
}

/* Two source files named x.c: the name alone is ambiguous, a/x.c is not. */
static void test_ambiguous_file(void **state)
{
    struct fixture *fx = *state;
    char err[ERR_LEN], want[ERR_LEN];
    uint64_t addr;
    unsigned actual;
    snprintf(want, sizeof want, "source file 'x.c' is ambiguous in %s: %s/a/x.c, %s/b/x.c",
             fx->gcc_elf, fx->dir, fx->dir);
    expect_error(elf_line_address(fx->gcc, "x.c", 3, &addr, &actual, err, sizeof err), err,
                 want);
    for (int i = 0; i < 2; i++) {
        char *src = xasprintf("%s/%s/x.c", fx->dir, i ? "b" : "a");
        assert_int_equal(check_line_addresses(fx->gcc_elf, fx->gcc, fx->dir, src,
                                              i ? "b/x.c" : "a/x.c"), 12);
        free(src);
    }
    /* Whole path parts only: "/a/x.c" is a/x.c, "x.cc" and "a/x" are nothing. */
    uint64_t a_addr;
    assert_int_equal(elf_line_address(fx->gcc, "a/x.c", 3, &a_addr, &actual, err, sizeof err), 0);
    assert_int_equal(elf_line_address(fx->gcc, "/a/x.c", 3, &addr, &actual, err, sizeof err), 0);
    assert_int_equal(addr, a_addr);
    static const char *const none[] = { "x.cc", "a/x", "/x", "" };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        snprintf(want, sizeof want, "no source file '%s' in %s", none[i], fx->gcc_elf);
        expect_error(elf_line_address(fx->gcc, none[i], 3, &addr, &actual, err, sizeof err), err,
                     want);
    }
}

/* The -O0 gcc program skips prologues by lines, the clang one by
 * prologue_end flags: both as gdb does. */
static void test_crafted_bodies(void **state)
{
    struct fixture *fx = *state;
    assert_true(check_bodies(fx->gcc_elf, fx->gcc, fx->dir) >= 12);
    assert_true(check_bodies(fx->clang_elf, fx->clang, fx->dir) >= 8);
    char *src = xasprintf("%s/main.c", fx->dir);
    check_line_addresses(fx->gcc_elf, fx->gcc, fx->dir, src, "main.c");
    check_line_addresses(fx->clang_elf, fx->clang, fx->dir, src, "main.c");
    free(src);
    check_addr_lines(fx->gcc_elf, fx->gcc, fx->dir);
    check_addr_lines(fx->clang_elf, fx->clang, fx->dir);
}

/* c.ebreak among its neighbours c.jalr and c.add; a 32-bit pattern never
 * matches a 16-bit instruction and the other way round. */
static void test_insn_neighbours(void **state)
{
    struct fixture *fx = *state;
    char err[ERR_LEN], want[ERR_LEN];
    uint32_t match, mask;
    uint64_t at, size, start = symbol(fx->gcc, "insns", &size);
    struct {
        const char *name;
        uint32_t word;
        unsigned len;
    } cases[] = {
        { "c.ebreak", 0x9002, 2 },
        { "ebreak", 0x00100073, 4 },
        { "sfence.vma", 0x12b50073, 4 },
        { "sret", 0x10200073, 4 },
    };
    assert_int_equal(size, symbol(fx->gcc, "insns_end", NULL) - start);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(elf_riscv_insn(cases[i].name, &match, &mask), 0);
        assert_int_equal(elf_find_insn(fx->gcc, start, size, match, mask, cases[i].name, &at,
                                       err, sizeof err), 0);
        assert_int_equal(at, objdump_find(fx->gcc_elf, start, start + size, cases[i].word,
                                          cases[i].len));
    }
    assert_int_equal(elf_riscv_insn("wfi", &match, &mask), 0);
    snprintf(want, sizeof want, "no 'wfi' instruction in insns+0x2 (0x%" PRIx64 "-0x%" PRIx64
             ") of %s", start + 2, start + size, fx->gcc_elf);
    expect_error(elf_find_insn(fx->gcc, start + 2, size - 2, match, mask, "wfi", &at, err,
                               sizeof err), err, want);
    /* A 32-bit pattern never matches a 16-bit instruction, not even one
     * equal to its low half (c.jalr ra is 0x9082). */
    snprintf(want, sizeof want, "no 'wide' instruction in insns (0x%" PRIx64 "-0x%" PRIx64
             ") of %s", start, start + 4, fx->gcc_elf);
    expect_error(elf_find_insn(fx->gcc, start, 4, 0x9082, 0xffffffff, "wide", &at, err,
                               sizeof err), err, want);
    assert_int_equal(elf_find_insn(fx->gcc, start, 4, 0x9082, 0xffff, "c.jalr", &at, err,
                                   sizeof err), 0);
    assert_int_equal(at, start);
    /* An instruction cut by the end of the range is not looked at. */
    assert_int_equal(elf_riscv_insn("sret", &match, &mask), 0);
    assert_int_equal(elf_find_insn(fx->gcc, start, size - 6, match, mask, "sret", &at, err,
                                   sizeof err), -1);
}

/* ------------------------------------------------------------ the instruction table */

static void test_insn_table(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint32_t match, mask;
    } want[] = {
        { "ecall", 0x00000073, 0xffffffff },    { "ebreak", 0x00100073, 0xffffffff },
        { "c.ebreak", 0x9002, 0xffff },         { "sret", 0x10200073, 0xffffffff },
        { "mret", 0x30200073, 0xffffffff },     { "dret", 0x7b200073, 0xffffffff },
        { "wfi", 0x10500073, 0xffffffff },      { "fence.i", 0x0000100f, 0xffffffff },
        { "sfence.vma", 0x12000073, 0xfe007fff }, { "nop", 0x00000013, 0xffffffff },
        { "c.nop", 0x0001, 0xffff },
    };
    uint32_t match, mask;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(elf_riscv_insn(want[i].name, &match, &mask), 0);
        assert_int_equal(match, want[i].match);
        assert_int_equal(mask, want[i].mask);
    }
    static const char *const unknown[] = { "SRET", "jr", "jr t1", "sfence.vma a0", "", "c" };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_int_equal(elf_riscv_insn(unknown[i], &match, &mask), -1);
}

/* ------------------------------------------------------------ files that are not usable */

static void expect_open_error(const void *data, size_t len, const char *want_prefix)
{
    struct elf_file *f = (struct elf_file *)1;
    char err[ERR_LEN];
    uint8_t *copy = dup_exact(data, len);
    int rc = elf_file_open_mem(copy, len, "t.elf", &f, err, sizeof err);
    free(copy);
    if (rc != -1 || f != NULL || strncmp(err, want_prefix, strlen(want_prefix)) != 0)
        fail_msg("%zu bytes: rc %d, err \"%s\", want \"%s...\"", len, rc, err, want_prefix);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct elf_file *f;
    char err[ERR_LEN];
    expect_error(elf_file_open("build/no-such.elf", &f, err, sizeof err), err,
                 "build/no-such.elf: No such file or directory");
    assert_null(f);
    expect_error(elf_file_open("Makefile", &f, err, sizeof err), err,
                 "Makefile: not an ELF file");
    expect_error(elf_file_open("build", &f, err, sizeof err), err, "build: not a regular file");
    expect_open_error("", 0, "t.elf: not an ELF file");
    expect_open_error("\177ELF", 4, "t.elf: not an ELF file");
    uint8_t ident[64] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
    expect_open_error(ident, sizeof ident, "t.elf: not a 64-bit ELF file (class 1)");
    ident[4] = 2;
    ident[5] = 2;
    expect_open_error(ident, sizeof ident, "t.elf: not a little-endian ELF file");
    ident[5] = 1;
    expect_open_error(ident, 40, "t.elf: invalid ELF file: ");
    elf_file_close(NULL);
}

/* The kernel's first PT_LOAD header, in a copy. */
static uint8_t *first_load(struct blob *b)
{
    uint64_t phoff = get_le(b->data + 32, 8);
    unsigned phnum = (unsigned)get_le(b->data + 56, 2);
    for (unsigned i = 0; i < phnum; i++) {
        uint8_t *ph = b->data + phoff + 56 * i;
        if (get_le(ph, 4) == 1)
            return ph;
    }
    fail_msg("no PT_LOAD in " KERNEL);
    return NULL;
}

static void test_corrupt_segments(void **state)
{
    (void)state;
    struct blob b;
    char want[ERR_LEN];
    assert_int_equal(read_file(KERNEL, &b), 0);
    uint8_t *ph = first_load(&b);
    unsigned index = (unsigned)((ph - b.data - get_le(b.data + 32, 8)) / 56);
    uint64_t offset = get_le(ph + 8, 8), filesz = get_le(ph + 32, 8), memsz = get_le(ph + 40, 8);

    put_le(ph + 8, 8, b.size);   /* bytes past the end of the file */
    snprintf(want, sizeof want, "t.elf: segment %u: bytes 0x%zx+0x%" PRIx64
             " lie outside the file (0x%zx bytes)", index, b.size, filesz, b.size);
    expect_open_error(b.data, b.size, want);
    put_le(ph + 8, 8, offset);

    put_le(ph + 40, 8, filesz - 1);   /* more file than memory */
    snprintf(want, sizeof want, "t.elf: segment %u: file size 0x%" PRIx64
             " exceeds memory size 0x%" PRIx64, index, filesz, filesz - 1);
    expect_open_error(b.data, b.size, want);
    put_le(ph + 40, 8, memsz);

    put_le(ph + 16, 8, UINT64_MAX - 4);   /* memory wrapping around */
    snprintf(want, sizeof want, "t.elf: segment %u: 0x%" PRIx64 "+0x%" PRIx64 " wraps around",
             index, UINT64_MAX - 4, memsz);
    expect_open_error(b.data, b.size, want);
    free(b.data);
}

/* Every cut of the kernel's headers, and cuts through its sections: opened
 * (then every query works) or refused with the file's name, never a crash. */
static void test_truncated_kernel(void **state)
{
    (void)state;
    struct blob b;
    assert_int_equal(read_file(KERNEL, &b), 0);
    size_t refused = 0, opened = 0;
    for (size_t len = 0; len < b.size; len += len < 512 ? 1 : len / 7) {
        struct elf_file *f;
        char err[ERR_LEN];
        uint8_t *copy = dup_exact(b.data, len);
        uint64_t addr;
        unsigned line;
        const char *file;
        if (elf_file_open_mem(copy, len, "t.elf", &f, err, sizeof err) == 0) {
            opened++;
            elf_symbol(f, "trap_handler", &addr, &addr, err, sizeof err);
            elf_function_body(f, "trap_handler", &addr, err, sizeof err);
            elf_line_address(f, "trap.c", 80, &addr, &line, err, sizeof err);
            elf_addr_line(f, elf_file_entry(f), &file, &line);
            elf_file_close(f);
        } else {
            refused++;
            assert_int_equal(strncmp(err, "t.elf: ", 7), 0);
        }
        free(copy);
    }
    assert_true(refused > 500);
    free(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_header),
        cmocka_unit_test(test_kernel_segments),
        cmocka_unit_test(test_kernel_symbols),
        cmocka_unit_test(test_kernel_symbol_at),
        cmocka_unit_test(test_symbol_at_labels),
        cmocka_unit_test(test_kernel_find_sret),
        cmocka_unit_test(test_kernel_find_sfence),
        cmocka_unit_test(test_kernel_function_bodies),
        cmocka_unit_test(test_kernel_addr_lines),
        cmocka_unit_test(test_kernel_line_addresses),
        cmocka_unit_test(test_kernel_line_spellings),
        cmocka_unit_test(test_kernel_read),
        cmocka_unit_test(test_user_programs),
        cmocka_unit_test(test_rust_names),
        cmocka_unit_test(test_symbol_errors),
        cmocka_unit_test(test_ambiguous_file),
        cmocka_unit_test(test_crafted_bodies),
        cmocka_unit_test(test_insn_neighbours),
        cmocka_unit_test(test_insn_table),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_corrupt_segments),
        cmocka_unit_test(test_truncated_kernel),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
