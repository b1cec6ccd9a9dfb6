/* The eBPF runtime of the target agent: instruction set, programs, maps,
 * helpers and the porting layer (public API shared by the VM, the verifier,
 * the maps, the helpers and the host tools).
 *
 * Freestanding C11: only <stdbool.h>, <stddef.h> and <stdint.h>. No libc, no
 * malloc, no floating point. All memory comes from one region the embedding
 * kernel hands over (struct ar_arena, arena.h).
 *
 * Life of a program:
 *   1. maps are created (bpf_map_create) from definitions;
 *   2. a struct bpf_prog is filled: instructions, type, context size, the
 *      maps it references (lddw src=1/2 carry an index into prog->maps);
 *   3. bpf_verify() proves it safe and terminating, or says what and where;
 *   4. bpf_run() executes it, trusting what the verifier proved.
 * Instruction encoding and semantics: RFC 9669, plus LLVM's cpu v4
 * additions (sdiv/smod, movsx, sign-extending loads, bswap, ja32). */
#ifndef TA_BPF_H
#define TA_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ encoding */

/* One 64-bit instruction slot, as stored in memory (little-endian host).
 * `regs` holds dst in bits 0-3 and src in bits 4-7. A wide instruction
 * (lddw) takes two slots; the second has code 0 and carries imm's high half. */
struct bpf_insn {
    uint8_t code;
    uint8_t regs;
    int16_t off;
    int32_t imm;
};
_Static_assert(sizeof(struct bpf_insn) == 8, "an eBPF instruction is 8 bytes");

static inline unsigned bpf_dst(const struct bpf_insn *i) { return i->regs & 0x0f; }
static inline unsigned bpf_src(const struct bpf_insn *i) { return i->regs >> 4; }

/* Classes (code bits 0-2). */
#define BPF_LD    0x00
#define BPF_LDX   0x01
#define BPF_ST    0x02
#define BPF_STX   0x03
#define BPF_ALU   0x04
#define BPF_JMP   0x05
#define BPF_JMP32 0x06
#define BPF_ALU64 0x07
#define BPF_CLASS(code) ((code) & 0x07)

/* Load/store: size (bits 3-4) and mode (bits 5-7). */
#define BPF_W      0x00
#define BPF_H      0x08
#define BPF_B      0x10
#define BPF_DW     0x18
#define BPF_SIZE(code) ((code) & 0x18)
#define BPF_IMM    0x00   /* lddw */
#define BPF_ABS    0x20   /* legacy packet access: rejected */
#define BPF_IND    0x40   /* legacy packet access: rejected */
#define BPF_MEM    0x60
#define BPF_MEMSX  0x80   /* cpu v4: sign-extending load */
#define BPF_ATOMIC 0xc0
#define BPF_MODE(code) ((code) & 0xe0)

/* ALU/JMP: source (bit 3) and operation (bits 4-7). */
#define BPF_K 0x00
#define BPF_X 0x08
#define BPF_SRC(code) ((code) & 0x08)
#define BPF_OP(code)  ((code) & 0xf0)

#define BPF_ADD  0x00
#define BPF_SUB  0x10
#define BPF_MUL  0x20
#define BPF_DIV  0x30   /* off 1: sdiv (v4) */
#define BPF_OR   0x40
#define BPF_AND  0x50
#define BPF_LSH  0x60
#define BPF_RSH  0x70
#define BPF_NEG  0x80
#define BPF_MOD  0x90   /* off 1: smod (v4) */
#define BPF_XOR  0xa0
#define BPF_MOV  0xb0   /* off 8/16/32: movsx (v4) */
#define BPF_ARSH 0xc0
#define BPF_END  0xd0   /* BPF_ALU: K = to little-endian, X = to big-endian;
                           BPF_ALU64 + K: bswap (v4); imm = 16, 32 or 64 */
#define BPF_TO_LE 0x00
#define BPF_TO_BE 0x08

#define BPF_JA   0x00   /* BPF_JMP32 + JA: ja32, offset in imm (v4) */
#define BPF_JEQ  0x10
#define BPF_JGT  0x20
#define BPF_JGE  0x30
#define BPF_JSET 0x40
#define BPF_JNE  0x50
#define BPF_JSGT 0x60
#define BPF_JSGE 0x70
#define BPF_CALL 0x80
#define BPF_EXIT 0x90
#define BPF_JLT  0xa0
#define BPF_JLE  0xb0
#define BPF_JSLT 0xc0
#define BPF_JSLE 0xd0

/* Atomic operations (imm of a BPF_STX | BPF_ATOMIC, sizes W and DW). */
#define BPF_FETCH   0x01
#define BPF_XCHG    (0xe0 | BPF_FETCH)
#define BPF_CMPXCHG (0xf0 | BPF_FETCH)

/* src of a call: helper by number, or a bpf-to-bpf call (imm = relative pc). */
#define BPF_PSEUDO_CALL 1
/* src of the first lddw slot: imm is an index into prog->maps. */
#define BPF_PSEUDO_MAP_FD    1   /* the map itself */
#define BPF_PSEUDO_MAP_VALUE 2   /* address of value 0 of an array map + next imm */

/* ---------------------------------------------------------------- limits */

#define BPF_REGS            11      /* r0-r10; r10 is the read-only frame pointer */
#define BPF_STACK_SIZE      512     /* bytes per frame */
#define BPF_MAX_FRAMES      8       /* bpf-to-bpf call depth, main program included */
#define BPF_MAX_INSNS       4096    /* instruction slots per program */
#define BPF_MAX_PROG_MAPS   64
#define BPF_MAX_CPUS        8       /* per-CPU maps hold this many copies at most */
/* Taken backward jumps a run may make before it is stopped (the documented
 * budget under which loops the verifier cannot bound are accepted). */
#define BPF_LOOP_BUDGET     (1u << 20)

/* Status codes: 0 or one of these (negative). */
#define BPF_OK        0
#define BPF_EINVAL  (-22)
#define BPF_ENOMEM  (-12)
#define BPF_ENOENT   (-2)
#define BPF_EEXIST  (-17)
#define BPF_E2BIG    (-7)
#define BPF_EFAULT  (-14)
#define BPF_EBUSY   (-16)
#define BPF_ENOSPC  (-28)
#define BPF_EBUDGET (-1000)   /* a run used up BPF_LOOP_BUDGET */

/* Errors are written into a caller-owned buffer of this size. */
#define BPF_ERR_MAX 160

/* ---------------------------------------------------------- porting layer */

/* What the embedding kernel provides (task-dependent helpers go through
 * here). Any pointer may be NULL: the helper then returns an error or 0. */
struct bpf_port {
    void *ctx;                                        /* passed back to every call */
    uint64_t (*ktime_ns)(void *ctx);                  /* monotonic nanoseconds */
    unsigned (*cpu_id)(void *ctx);                    /* < ncpus */
    uint64_t (*current_pid_tgid)(void *ctx);          /* tgid << 32 | pid */
    int (*current_comm)(void *ctx, char *buf, uint32_t size);   /* NUL-terminated */
    /* Copies n bytes from a kernel (user) address without faulting: 0 or BPF_EFAULT. */
    int (*read_kernel)(void *ctx, void *dst, uint64_t src, uint32_t n);
    int (*read_user)(void *ctx, void *dst, uint64_t src, uint32_t n);
    /* One formatted trace_printk line (no trailing newline). */
    void (*trace)(void *ctx, const char *text, uint32_t len);
    /* Return addresses of the current kernel (user) stack, innermost first:
     * the number stored, at most max. */
    uint32_t (*stack)(void *ctx, uint64_t *ips, uint32_t max, bool user);
    unsigned ncpus;                                   /* 1..BPF_MAX_CPUS */
};

/* ------------------------------------------------------------------ maps */

/* Linux's map type numbers. */
enum bpf_map_type {
    BPF_MAP_TYPE_HASH = 1,
    BPF_MAP_TYPE_ARRAY = 2,
    BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
    BPF_MAP_TYPE_PERCPU_HASH = 5,
    BPF_MAP_TYPE_PERCPU_ARRAY = 6,
    BPF_MAP_TYPE_STACK_TRACE = 7,
    BPF_MAP_TYPE_LRU_HASH = 9,
    BPF_MAP_TYPE_RINGBUF = 27,
};

/* Update flags (Linux's). */
#define BPF_ANY     0
#define BPF_NOEXIST 1
#define BPF_EXIST   2

struct bpf_map_def {
    uint32_t type;          /* enum bpf_map_type */
    uint32_t key_size;
    uint32_t value_size;
    uint32_t max_entries;   /* ring buffer: data size in bytes, a power of 2 */
    uint32_t flags;
    char name[16];
};

struct bpf_map;    /* opaque: bpf_maps.c */
struct ar_arena;   /* arena.h */
struct bpf_env;

/* Creates a map in `arena`; on failure returns a status and says why in err. */
int bpf_map_create(struct ar_arena *arena, const struct bpf_env *env,
                   const struct bpf_map_def *def, struct bpf_map **out, char err[BPF_ERR_MAX]);
void bpf_map_destroy(struct ar_arena *arena, struct bpf_map *map);
const struct bpf_map_def *bpf_map_def_of(const struct bpf_map *map);

/* The program-side operations (helpers call these; so may the host side).
 * Per-CPU maps act on the copy of the calling CPU (env->port->cpu_id). */
void *bpf_map_lookup(struct bpf_map *map, const struct bpf_env *env, const void *key);
int bpf_map_update(struct bpf_map *map, const struct bpf_env *env, const void *key,
                   const void *value, uint64_t flags);
int bpf_map_delete(struct bpf_map *map, const struct bpf_env *env, const void *key);
/* Iteration: key NULL gives the first key. BPF_ENOENT after the last. */
int bpf_map_next_key(struct bpf_map *map, const void *key, void *next);
/* Per-CPU maps: the value of one CPU (host-side reads). */
void *bpf_map_lookup_cpu(struct bpf_map *map, const void *key, unsigned cpu);

/* Ring buffer (BPF_MAP_TYPE_RINGBUF), Linux semantics. */
void *bpf_ringbuf_reserve(struct bpf_map *map, uint64_t size, uint64_t flags);
void bpf_ringbuf_submit(struct bpf_map *map, void *data, uint64_t flags);
void bpf_ringbuf_discard(struct bpf_map *map, void *data, uint64_t flags);
int bpf_ringbuf_output(struct bpf_map *map, const void *data, uint64_t size, uint64_t flags);
uint64_t bpf_ringbuf_query(struct bpf_map *map, uint64_t flags);
/* Consumer side: calls fn for each committed record in order, frees them;
 * returns the number consumed. Discarded records are skipped. */
typedef void (*bpf_record_fn)(void *arg, const void *data, uint32_t size);
uint32_t bpf_ringbuf_consume(struct bpf_map *map, bpf_record_fn fn, void *arg);

/* Perf event array: one record buffer per CPU (BPF_F_CURRENT_CPU = the
 * caller's). Records that do not fit are dropped and counted. */
#define BPF_F_CURRENT_CPU 0xffffffffull
int bpf_perf_output(struct bpf_map *map, const struct bpf_env *env, uint64_t flags,
                    const void *data, uint64_t size);
uint32_t bpf_perf_consume(struct bpf_map *map, unsigned cpu, bpf_record_fn fn, void *arg);
/* Records dropped so far (ring buffer full, perf buffer full). */
uint64_t bpf_map_drops(const struct bpf_map *map);

/* --------------------------------------------------------------- helpers */

/* The runtime context a program runs in (one per agent; per run the VM sets
 * `prog`). Helpers reach the porting layer through it. */
struct bpf_env {
    const struct bpf_port *port;
    const struct bpf_prog *prog;      /* the program now running */
    uint32_t conformance;             /* bpf-run's plugin mode: helper 5 returns r1 */
};

typedef uint64_t (*bpf_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                                  uint64_t r5, const struct bpf_env *env);

/* Argument types the verifier checks for each helper (Linux's model). */
enum bpf_arg_type {
    BPF_ARG_NONE = 0,
    BPF_ARG_ANYTHING,               /* any initialised scalar or pointer */
    BPF_ARG_CONST_MAP_PTR,          /* lddw src=1 */
    BPF_ARG_PTR_TO_MAP_KEY,         /* readable, key_size of the map in the previous arg */
    BPF_ARG_PTR_TO_MAP_VALUE,       /* readable, value_size of that map */
    BPF_ARG_PTR_TO_MEM,             /* readable memory of the size in the next arg */
    BPF_ARG_PTR_TO_UNINIT_MEM,      /* writable memory of the size in the next arg */
    BPF_ARG_CONST_SIZE,             /* a known-bounded scalar > 0 */
    BPF_ARG_CONST_SIZE_OR_ZERO,     /* a known-bounded scalar >= 0 */
    BPF_ARG_PTR_TO_CTX,             /* the program's context (r1 at entry) */
    BPF_ARG_PTR_TO_RINGBUF_MEM,     /* a record from ringbuf_reserve (released by the call) */
    BPF_ARG_CONST_ALLOC_SIZE,       /* a known constant (ringbuf_reserve's size) */
};

enum bpf_ret_type {
    BPF_RET_INTEGER = 0,
    BPF_RET_VOID,
    BPF_RET_MAP_VALUE_OR_NULL,      /* value_size of the map in arg 1 */
    BPF_RET_RINGBUF_MEM_OR_NULL,    /* size = the constant in arg 2 */
};

struct bpf_helper {
    const char *name;               /* "bpf_map_lookup_elem" */
    bpf_helper_fn fn;
    enum bpf_ret_type ret;
    enum bpf_arg_type args[5];
    uint32_t map_types;             /* bit (1 << type) per map type a CONST_MAP_PTR may be; 0 = any */
};

/* Linux's helper numbers. */
enum bpf_helper_id {
    BPF_FUNC_map_lookup_elem = 1,
    BPF_FUNC_map_update_elem = 2,
    BPF_FUNC_map_delete_elem = 3,
    BPF_FUNC_probe_read = 4,
    BPF_FUNC_ktime_get_ns = 5,
    BPF_FUNC_trace_printk = 6,
    BPF_FUNC_get_smp_processor_id = 8,
    BPF_FUNC_get_current_pid_tgid = 14,
    BPF_FUNC_get_current_comm = 16,
    BPF_FUNC_perf_event_output = 25,
    BPF_FUNC_get_stackid = 27,
    BPF_FUNC_get_stack = 67,
    BPF_FUNC_probe_read_user = 112,
    BPF_FUNC_probe_read_kernel = 113,
    BPF_FUNC_probe_read_user_str = 114,
    BPF_FUNC_probe_read_kernel_str = 115,
    BPF_FUNC_ringbuf_output = 130,
    BPF_FUNC_ringbuf_reserve = 131,
    BPF_FUNC_ringbuf_submit = 132,
    BPF_FUNC_ringbuf_discard = 133,
    BPF_FUNC_ringbuf_query = 134,
    BPF_FUNC_MAX = 212,
};

/* The helper with Linux number `id`, or NULL if the agent has none. */
const struct bpf_helper *bpf_helper_get(uint32_t id);

/* -------------------------------------------------------------- programs */

enum bpf_prog_type {
    BPF_PROG_TYPE_RAW = 0,          /* r1 = context of ctx_size bytes, r2 = ctx_size */
    BPF_PROG_TYPE_KPROBE = 2,       /* context: struct pt_regs (riscv), read-only */
    BPF_PROG_TYPE_TRACEPOINT = 5,   /* context: the tracepoint's record, read-only */
};

struct bpf_prog {
    const struct bpf_insn *insns;
    uint32_t len;                   /* slots */
    enum bpf_prog_type type;
    uint32_t ctx_size;              /* bytes readable at r1 */
    bool ctx_writable;              /* RAW only */
    struct bpf_map *maps[BPF_MAX_PROG_MAPS];
    uint32_t nmaps;
    /* Set by bpf_verify: the program has a backward jump the verifier
     * could not bound, so the VM counts taken backward jumps. */
    bool needs_budget;
    uint32_t verified_insns;        /* states explored (statistics) */
};

/* Proves `prog` safe: every path ends in exit, memory accesses stay inside
 * the context, the stack and map values, no uninitialised register is read,
 * r10 is never written, helper arguments have the right types, and loops
 * terminate (or the budget is set). On rejection returns BPF_EINVAL and
 * writes e.g. "R3 invalid mem access 'map_value_or_null' at PC 12". */
int bpf_verify(struct bpf_prog *prog, char err[BPF_ERR_MAX]);

/* Runs a verified program with r1 = ctx (and r2 = ctx_size for RAW).
 * Stores r0 in *ret. BPF_EBUDGET if the loop budget ran out. */
int bpf_run(const struct bpf_prog *prog, const struct bpf_env *env, void *ctx, uint64_t *ret);

#endif
