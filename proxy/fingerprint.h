/* Fingerprints of user programs: which few bytes of memory tell apart N
 * candidate ELF images that load at the same addresses, and which candidate
 * the bytes read from a live address space belong to. */
#ifndef MUX_FINGERPRINT_H
#define MUX_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define FP_PROBE_MIN 16           /* bytes per probe, unless the region is smaller */
#define FP_PROBE_MAX 64
#define FP_SCAN_MAX  (1u << 20)   /* common read-only bytes compared, at most */

/* Segment flags: the values of ELF's p_flags, so PT_LOAD flags copy over. */
#define FP_SEG_X 1u
#define FP_SEG_W 2u               /* writable: never probed (the program may have changed it) */
#define FP_SEG_R 4u

/* One loaded segment of a candidate: [vaddr, vaddr + size) in memory. */
struct fp_segment {
    uint64_t vaddr;
    uint64_t size;                /* bytes in memory (p_memsz); 0: ignored */
    uint32_t flags;               /* FP_SEG_* */
};

/* A candidate's loaded segments, in any order, and its entry point. */
struct fp_segments {
    const struct fp_segment *seg;
    size_t nseg;
    uint64_t entry;
};

/* Copies `len` bytes of candidate `candidate`'s loaded image at `vaddr` into
 * buf, as they are in memory right after loading (file bytes, then zeros up
 * to the segment's size). Returns 0, or -1 if not all of them are loaded
 * there. Called only with ranges inside the candidate's own read-only
 * segments, and only during fp_plan_build. */
typedef int (*fp_read_fn)(void *arg, size_t candidate, uint64_t vaddr, void *buf, size_t len);

/* One memory read the caller performs on the target. */
struct fp_probe {
    uint64_t vaddr;
    uint32_t len;
};

/* Which probes to read, and what each candidate holds there. The public
 * members are read-only for callers; `expect` is private. fp_plan_free
 * releases everything. */
struct fp_plan {
    size_t ncandidates;
    struct fp_probe *probes;      /* in the order their bytes are concatenated */
    size_t nprobes;
    size_t nbytes;                /* sum of the probe lengths */
    size_t *same_as;              /* per candidate: the lowest-numbered candidate with
                                     the same bytes everywhere compared (itself if none) */
    uint8_t *expect;              /* ncandidates rows of nbytes */
};

/* Plans the probes that tell the candidates apart.
 *
 * Where: only bytes that are read-only in every candidate are compared,
 * since only those are both readable in whichever program runs and still
 * what the file says (segments with FP_SEG_W are left out: the program may
 * have written to them). That region is scanned executable bytes first,
 * and within each kind from the entry point upwards, then the part below
 * it (the entry point is the lowest of the candidates'); at most
 * FP_SCAN_MAX bytes of it are compared.
 *
 * How: all candidates start in one group. The scan stops at the first byte
 * where two candidates of one group differ; a probe starts there (moved back
 * if it would be shorter than FP_PROBE_MIN before its segment ends) and
 * ends at the last of its first FP_PROBE_MAX bytes that splits a group, but
 * is at least FP_PROBE_MIN long. The groups split by the probe's bytes and
 * the scan goes on after it. When no group holds two different candidates,
 * the remaining groups are candidates byte-identical over the whole region
 * (copies of one program, say): plan->same_as says which. If nothing differs
 * at all (one candidate, or all identical), one FP_PROBE_MIN probe at the
 * entry point still checks that the program is one of them. Deterministic:
 * the same inputs give the same plan. The teaching kernel's programs all
 * start with the same crt0 and differ a few bytes after it, so one 16-byte
 * probe separates them.
 *
 * Returns 0 with *plan filled (free it with fp_plan_free), or -1 with *plan
 * empty and err naming the input at fault:
 *   "no candidates" / "max_probes is 0"
 *   "candidate 2: segment 1 at 0xfffffffffffff000 (size 0x1000) ends at or past 2^64"
 *   "candidate 2 has no read-only segment to fingerprint"
 *   "candidate 1 shares no read-only address with candidate 0"
 *   "candidate 3: cannot read 0xa9e bytes at 0x10000"
 *   "candidates 0 and 2 still alike after 1 probe; they first differ at 0x10100"
 *   "out of memory"
 * err is always NUL-terminated when errlen > 0. */
int fp_plan_build(struct fp_plan *plan, size_t ncandidates, const struct fp_segments *segs,
                  fp_read_fn read, void *arg, size_t max_probes, char *err, size_t errlen);

/* Finds the candidate whose bytes are `bytes` (plan->nbytes of them: each
 * probe's bytes, concatenated in probe order).
 * Returns 0 with *candidate the lowest-numbered match, and msg "" or, if
 * others match too (plan->same_as), "also matches candidates 3, 5". Returns -1
 * when none matches, with *candidate the closest (fewest bytes differing,
 * then lowest number) and msg "no candidate matches; closest is candidate 2,
 * 3 of 16 bytes differ, the first at 0x1000e"; or when len is not
 * plan->nbytes, with *candidate untouched and msg "expected 16 bytes, got 8".
 * msg is always NUL-terminated when msglen > 0. */
int fp_plan_match(const struct fp_plan *plan, const uint8_t *bytes, size_t len,
                  size_t *candidate, char *msg, size_t msglen);

/* Frees the plan's arrays and empties it; freeing twice is harmless. */
void fp_plan_free(struct fp_plan *plan);

#endif
