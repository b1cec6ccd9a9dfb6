/* The router: runs the guest for GDB with only the active breakpoint groups
 * in QEMU, swaps groups at the hook points where the CPU changes address
 * space, and tells GDB which process each stop belongs to.
 *
 * Every request to QEMU goes through qemu.c's ordered queue, so a sequence
 * (hook stop -> read registers -> identify -> swap groups -> resume) is a
 * chain of callbacks, one step at a time; GDB waits for its stop reply
 * meanwhile. See docs/address-spaces.md for the states and their costs. */
#ifndef MUX_ROUTER_H
#define MUX_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hooks.h"
#include "rsp.h"
#include "spaces.h"
#include "sv39.h"

struct mux;
struct session;
struct elf_file;

/* What a GDB resume asked for, from its vCont actions. */
struct resume_req {
    bool step;               /* single-step the CPU (an 's' action applies to it) */
    unsigned scope;          /* 0: every process resumed; else only this pid */
    bool cont_others;        /* the step came with a continue for the others */
    bool one_thread;         /* a thread, not a whole process: GDB steps over a breakpoint */
};

/* How the hooks follow the CPU (see router.c). */
enum hook_mode {
    HM_OFF,      /* no hooks: no user breakpoints, nothing to track */
    HM_TRACK,    /* exec/exit hooks only: new processes and exits; resident user groups */
    HM_KNOWN,    /* the CPU returns to last_user: switch/exec/exit hooks */
    HM_UNKNOWN,  /* the next entry to user mode must be identified: enter_user hook */
};

#define ROUTER_BATCH_MAX 48

struct router {
    struct mux *mux;
    struct mux_spaces spaces;
    struct hooks hooks;
    struct elf_file *kernel;          /* NULL without a kernel ELF */
    const struct mux_spacecfg *cfg;

    /* register numbers, from QEMU's target.xml */
    unsigned reg_pc, reg_priv, reg_satp, reg_sstatus, reg_a0, reg_sp;
    bool regs_known;

    struct bp_list inserted;          /* what QEMU holds now */
    struct bp_conflicts conflicts;    /* resident vs followed user breakpoint addresses */

    /* the CPU as last seen stopped */
    uint64_t pc, priv, satp;
    bool cpu_known;
    bool satp_known;                  /* false after a hook stop that did not need it */
    struct mux_space *cur;            /* the process GDB was told is on the CPU */
    struct mux_space *last_user;      /* where the CPU returns to user mode, if known */
    struct mux_space *group_user;     /* whose user group QEMU holds */
    uint64_t kernel_satp;
    unsigned pending_new;             /* exec/fork hook hits not yet seen in user mode */
    unsigned idle_srets;              /* enter_user hits since the last new space */
    enum hook_mode mode;

    /* the GDB request being served */
    struct session *client;           /* NULL: nobody (a client left mid-run) */
    bool busy;
    struct resume_req req;
    int phase;                        /* router.c's enum phase */
    uint64_t prev_priv;               /* before a GDB step */
    uint64_t temp_bp;                 /* our own one-shot breakpoint, if temp_active */
    bool temp_active;
    bool interrupt;                   /* GDB's Ctrl-C arrived between our resumes */
    bool hint_given;                  /* the schedule-multiple hint, once per client */
    struct rsp_stop stop;             /* QEMU's last stop reply */
    char stop_reason[16];
    uint64_t stop_reason_addr;

    /* one batch of requests in flight */
    struct rsp_buf replies[ROUTER_BATCH_MAX];
    unsigned batch_total, batch_pending;
    bool batch_lost, batch_failed;
    void (*batch_done)(struct router *r);
    struct mux_bp batch_bp[ROUTER_BATCH_MAX];   /* what each Z/z of a reconcile was */
    signed char batch_op[ROUTER_BATCH_MAX];     /* +1 Z, -1 z */
    void (*reconcile_then)(struct router *r);
    bool reconcile_step;

    /* memory of another address space, through QEMU's physical-memory mode */
    struct sv39_tlb tlb;
    struct sv39_walk walk;
    struct rsp_buf mem;               /* the bytes read so far (raw) */
    uint64_t mem_satp, mem_va;
    size_t mem_len, mem_done, mem_chunk_len;
    int mem_status;
    const uint8_t *mem_write;         /* bytes to write (M), or NULL for a read */
    char mem_err[160];
    void (*mem_then)(struct router *r, int status);

    /* identification in progress */
    uint64_t var_addr;                /* "identify": "variable": its address */
    uint64_t ident_key;
    struct mux_space *ident_space;
    void (*ident_then)(struct router *r, struct mux_space *sp);
    size_t ident_probe;
    struct rsp_buf fp_bytes;
    void (*cpu_then)(struct router *r);
    bool cpu_read_pc;                 /* the read_cpu in progress asked for the pc */
    unsigned report_signal;
    unsigned mem_pid;
    int reg_wanted;                   /* a 'p' from a trap frame, or -1 for 'g' */
    void (*cleanup_then)(struct router *r);
    size_t cleanup_removed;           /* GDB's breakpoints a departed client left */

    /* an exit whose process is found by its kernel stack */
    uint64_t exit_code, exit_sp;
    size_t exit_scan;                 /* the space whose kernel stack is being read */

    unsigned long switches, hook_stops, gdb_stops, round_trips, false_hits;
};

/* Sets up the spaces and hooks from the configuration. 0, or -1 with err. */
int router_init(struct router *r, struct mux *m, const struct mux_spacecfg *cfg,
                const char *kernel_path, const char *source, char *err, size_t errlen);
void router_free(struct router *r);

/* QEMU finished its handshake (target.xml known) / was lost. */
void router_qemu_ready(struct router *r);
void router_qemu_lost(struct router *r);

/* A client attached / left. Leaving removes its breakpoints from QEMU and
 * leaves the guest as it was (running or stopped), or resumes it. */
void router_client_attached(struct router *r, struct session *s);
void router_client_gone(struct router *r, struct session *s, bool resume);

/* GDB's breakpoints: recorded in the group of process `pid`, put into QEMU
 * when the group is active at the next resume. */
int router_bp(struct router *r, unsigned pid, bool insert, struct mux_bp bp);
/* Removes every breakpoint of `pid` (GDB detached from that process). */
void router_forget_process(struct router *r, unsigned pid);

/* Runs the guest for GDB; session_stop_reply() gets the answer. */
void router_resume(struct router *r, struct session *s, const struct resume_req *req);
/* GDB's '?': what is the CPU doing (QEMU clears its breakpoints on '?'). */
void router_query(struct router *r, struct session *s, const uint8_t *pkt, size_t len);
/* GDB's Ctrl-C. */
void router_interrupt(struct router *r);

/* Memory of process `pid` (m/M). The reply goes to session_router_reply(). */
void router_memory(struct router *r, struct session *s, unsigned pid, uint64_t addr,
                   size_t len, const uint8_t *write_bytes);
/* Can user process `pid`'s registers ('g': regnum -1, or 'p' regnum) be
 * read from its trap frame (config "user.trap_frame")? */
bool router_has_frame(const struct router *r, unsigned pid, int regnum);
/* Reads them (router_has_frame must be true); the reply goes to
 * session_router_reply(). */
void router_frame_registers(struct router *r, struct session *s, unsigned pid, int regnum);
/* True if `pid`'s registers are the CPU's (it is the process on the CPU). */
bool router_on_cpu(const struct router *r, unsigned pid);
/* The process a stop would be reported in now. */
unsigned router_current_pid(const struct router *r);

/* GDB's breakpoints and watchpoints, in every group. */
size_t router_gdb_bps(const struct router *r);

/* Logs the counters (at exit). */
void router_log_stats(const struct router *r);

/* For monitor commands. */
void router_describe_spaces(const struct router *r, struct rsp_buf *out);
const char *router_mode_name(enum hook_mode m);

#endif
