/* Symbols, loaded bytes, RISC-V instructions and DWARF lines of one ELF file. */
#ifndef ELF_ELFSYM_H
#define ELF_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

/* An opened, indexed ELF file: a private copy of its bytes plus tables built
 * at open time. Every query takes it const and keeps no state between calls;
 * returned strings live until elf_file_close. No function keeps globals, so
 * several files may be open at once (one thread per file). */
struct elf_file;

/* A PT_LOAD segment, as elf_segments lists them. */
struct elf_segment {
    uint64_t vaddr, memsz, filesz;
    uint32_t flags;          /* PF_X 1, PF_W 2, PF_R 4 */
};

/* Every failing function writes "what: reason" naming the path, symbol or
 * address into err (errlen bytes, always NUL-terminated when errlen > 0). */

/* Reads and indexes a 64-bit little-endian ELF file of any machine.
 * 0 and *out, or -1 with err such as "build/x.elf: not an ELF file". A file
 * without DWARF opens fine; only the line queries then fail, saying so. */
int elf_file_open(const char *path, struct elf_file **out, char *err, size_t errlen);

/* Same from memory (copied; the caller keeps `data`); `name` stands for the
 * path in messages and in elf_file_path. */
int elf_file_open_mem(const void *data, size_t len, const char *name, struct elf_file **out,
                      char *err, size_t errlen);

/* Frees everything; NULL is fine. */
void elf_file_close(struct elf_file *f);

const char *elf_file_path(const struct elf_file *f);
uint64_t elf_file_entry(const struct elf_file *f);
uint16_t elf_file_machine(const struct elf_file *f);   /* EM_RISCV is 243 */

/* The address and size of a symbol, from .symtab, or from .dynsym when
 * .symtab has none. The exact name first; failing that, a name containing
 * "::" matches a Rust legacy-mangled symbol _ZN<len><part>...17h<16 hex>E
 * whose parts equal the "::"-separated parts ("os::task::run_next" matches
 * _ZN2os4task8run_next17h0123456789abcdefE whatever the hash). Parts are
 * compared as mangled, so only plain identifiers match this way.
 * STT_FUNC/STT_OBJECT symbols win over other types. Several matches at one
 * address are one symbol; at different addresses the name is ambiguous.
 * *size is st_size, or for a zero-size symbol (an assembler label without
 * .size) its extent: up to the next symbol of its section, else the
 * section's end, so that its instructions can be searched.
 * 0, or -1 with "symbol 'x' not found in PATH" or
 * "symbol 'x' is ambiguous in PATH: 0x..., 0x..., 0x... (and more)". */
int elf_symbol(const struct elf_file *f, const char *name, uint64_t *addr, uint64_t *size,
               char *err, size_t errlen);

/* The symbol containing addr: the sized FUNC/OBJECT/NOTYPE symbol whose
 * [start, start+size) holds it (the innermost if nested); else the nearest
 * zero-size symbol at or below addr in addr's section, unless a sized symbol
 * lies wholly between the two (addr is then padding after it). Ties go to
 * FUNC/OBJECT, then global over weak over local, then the earlier entry.
 * Its name, and *offset = addr - start (offset may be NULL); NULL if none. */
const char *elf_symbol_at(const struct elf_file *f, uint64_t addr, uint64_t *offset);

/* Copies len bytes of the loaded image at vaddr: PT_LOAD file bytes, zeros
 * past a segment's filesz up to its memsz; the range may span adjacent
 * segments. 0, or -1 with "0x...: not in a loaded segment of PATH" naming
 * the first address not covered (buf may then be partly written). */
int elf_read(const struct elf_file *f, uint64_t vaddr, void *buf, size_t len, char *err,
             size_t errlen);

/* The PT_LOAD segments in file order; *segs stays valid until close. */
size_t elf_segments(const struct elf_file *f, const struct elf_segment **segs);

/* Walks RISC-V instructions from `start` through `size` bytes (16-bit when
 * the low two bits are not 0b11, else 32-bit; one straddling the end is not
 * looked at) and sets *addr to the first whose (word & mask) == match. A
 * 16-bit instruction is compared on its 16 bits, and only when mask has no
 * bit above 15. `what` names the instruction in the message:
 * "no 'sret' instruction in __restore (0x...-0x...) of PATH".
 * 0, or -1 (also when the range leaves the loaded segments). */
int elf_find_insn(const struct elf_file *f, uint64_t start, uint64_t size, uint32_t match,
                  uint32_t mask, const char *what, uint64_t *addr, char *err, size_t errlen);

/* (match, mask) of an instruction without operands, for configs: ecall,
 * ebreak, c.ebreak, sret, mret, dret, wfi, fence.i, nop, c.nop, and
 * sfence.vma (any rs1, rs2). Exact lower-case names; 0, or -1 if unknown. */
int elf_riscv_insn(const char *mnemonic, uint32_t *match, uint32_t *mask);

/* Line tables, here and below, are GDB's: built from the DWARF line
 * program the way GDB 13 builds them (one table per source file; see
 * elf/README.md), so that answers are gdb-multiarch's.
 *
 * The lowest address of a statement entry for file:line, as gdb's
 * `info line FILE:LINE` gives it. `file` matches a source path ending in it
 * at a '/' boundary ("trap.c" and "kernel/trap.c" match /src/kernel/trap.c,
 * "rap.c" does not); relative DWARF paths are taken against the unit's
 * DW_AT_comp_dir. Matches with different paths are ambiguous. A line
 * without code moves on to the next line with code, as GDB does, at most 50
 * lines further; *actual_line (may be NULL) says which line was used. Code
 * outside the loaded segments (dropped by the linker) is ignored. No
 * prologue is skipped (`break FILE:LINE` would on a function's first line).
 * 0, or -1 with "no line table entry for trap.c:9999 in PATH", "no source
 * file 'x.c' in PATH", "source file 'x.c' is ambiguous in PATH: /a/x.c,
 * /b/x.c" or "PATH: no DWARF line information". */
int elf_line_address(const struct elf_file *f, const char *file, unsigned line, uint64_t *addr,
                     unsigned *actual_line, char *err, size_t errlen);

/* Where GDB 13 places `break FUNC` (its out-of-line copy, when inlined
 * copies add locations): the function's entry (elf_symbol) moved past its
 * prologue by GDB's rules, in this order:
 *   1. no line at the entry: the entry;
 *   2. the entry's unit is assembler, or from GCC >= 4.5 with a location
 *      list anywhere in it (GDB's "locations valid"): the entry;
 *   3. the first entry of the entry's file flagged prologue_end inside the
 *      function (GDB 13.1 also takes one at the function's end address, in
 *      the next function; later GDBs and we do not);
 *   4. skip_prologue_using_sal: take the line range holding the entry; two
 *      entries of its file at the entry address mean no prologue (the entry);
 *      while the next range starts a smaller line of the same file outside
 *      an inlined call, take it too; the answer is the end of the last range
 *      taken (its start if that end is the function's end); nothing is
 *      found when the first range covers the whole function;
 *   5. nothing found: the entry (GDB would scan the instructions instead);
 *   6. an answer inside a line's range moves to that range's end if still
 *      inside the function.
 * The function's end is its DWARF subprogram's high_pc, else from its
 * symbol. 0, or -1 with elf_symbol's error. */
int elf_function_body(const struct elf_file *f, const char *func, uint64_t *addr, char *err,
                      size_t errlen);

/* The source position of addr, as gdb's `info line *ADDR` gives it: *file
 * is the full path (comp_dir joined, as addr2line prints it), valid until
 * close. 0, or -1 when no line covers addr. */
int elf_addr_line(const struct elf_file *f, uint64_t addr, const char **file, unsigned *line);

#endif
