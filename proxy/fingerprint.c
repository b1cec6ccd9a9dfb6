/* Fingerprints of user programs: which few bytes of memory tell apart N
 * candidate ELF images, and which candidate some bytes read belong to. */
#include "fingerprint.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* [lo, hi) of read-only memory; `off` is where its bytes start in the scan. */
struct span {
    uint64_t lo, hi;
    bool text;
    size_t off;
};

struct spans {
    struct span *v;
    size_t n;
};

/* Everything fp_plan_build works on; freed by build_free. */
struct build {
    size_t n;                 /* candidates */
    struct spans piece;       /* the common region in scan order */
    size_t scan;              /* bytes of it compared */
    uint8_t *bytes;           /* n rows of `scan` bytes */
    size_t *rep;              /* per candidate: lowest member of its group */
    size_t *old;              /* rep before the current refinement */
    struct fp_probe *probe;
    size_t *probe_off;        /* scan offset of each probe */
    size_t nprobes, max_probes;
    char *err;
    size_t errlen;
};

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static uint8_t at(const struct build *b, size_t c, size_t x)
{
    return b->bytes[c * b->scan + x];
}

/* ------------------------------------------------------------ the common region */

static int by_lo(const void *pa, const void *pb)
{
    const struct span *a = pa, *b = pb;
    return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Sorts and merges overlapping spans, and touching ones of the same kind; a
 * merged overlap is text only if both were (text is just a preference). */
static void normalize(struct spans *s)
{
    if (s->n == 0)
        return;
    qsort(s->v, s->n, sizeof *s->v, by_lo);
    size_t k = 0;
    for (size_t i = 1; i < s->n; i++) {
        struct span *last = &s->v[k], *cur = &s->v[i];
        if (cur->lo < last->hi || (cur->lo == last->hi && cur->text == last->text)) {
            last->text = last->text && cur->text;
            last->hi = cur->hi > last->hi ? cur->hi : last->hi;
        } else {
            s->v[++k] = *cur;
        }
    }
    s->n = k + 1;
}

/* The candidate's non-empty read-only segments, normalized. */
static int readonly_spans(const struct fp_segments *s, struct spans *out)
{
    out->v = malloc((s->nseg ? s->nseg : 1) * sizeof *out->v);
    out->n = 0;
    if (!out->v)
        return -1;
    for (size_t i = 0; i < s->nseg; i++) {
        const struct fp_segment *g = &s->seg[i];
        if (g->size == 0 || (g->flags & FP_SEG_W))
            continue;
        out->v[out->n++] = (struct span){ g->vaddr, g->vaddr + g->size, (g->flags & FP_SEG_X) != 0, 0 };
    }
    normalize(out);
    return 0;
}

/* Replaces *a with its intersection with b (both normalized, so every pair
 * overlaps at most once and the result needs only sorting). */
static int intersect(struct spans *a, const struct spans *b)
{
    struct spans r = { malloc((a->n + b->n + 1) * sizeof *r.v), 0 };
    if (!r.v)
        return -1;
    for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
        uint64_t lo = a->v[i].lo > b->v[j].lo ? a->v[i].lo : b->v[j].lo;
        uint64_t hi = a->v[i].hi < b->v[j].hi ? a->v[i].hi : b->v[j].hi;
        if (lo < hi)
            r.v[r.n++] = (struct span){ lo, hi, a->v[i].text && b->v[j].text, 0 };
        if (a->v[i].hi < b->v[j].hi)
            i++;
        else
            j++;
    }
    free(a->v);
    *a = r;
    return 0;
}

static int check_segments(size_t c, const struct fp_segments *s, char *err, size_t errlen)
{
    bool readonly = false;
    for (size_t i = 0; i < s->nseg; i++) {
        const struct fp_segment *g = &s->seg[i];
        /* Spans end below 2^64 so that [lo, hi) needs no 65th bit. */
        if (g->vaddr && g->size >= 0 - g->vaddr)
            return fail(err, errlen, "candidate %zu: segment %zu at 0x%" PRIx64 " (size 0x%" PRIx64
                        ") ends at or past 2^64", c, i, g->vaddr, g->size);
        readonly |= g->size && !(g->flags & FP_SEG_W);
    }
    if (!readonly)
        return fail(err, errlen, "candidate %zu has no read-only segment to fingerprint", c);
    return 0;
}

/* What is read-only in every candidate. */
static int common_region(size_t n, const struct fp_segments *segs, struct spans *out,
                         char *err, size_t errlen)
{
    if (readonly_spans(&segs[0], out) != 0)
        return fail(err, errlen, "out of memory");
    for (size_t c = 1; c < n; c++) {
        struct spans mine;
        int rc = readonly_spans(&segs[c], &mine);
        if (rc == 0)
            rc = intersect(out, &mine);
        free(mine.v);
        if (rc != 0)
            return fail(err, errlen, "out of memory");
        if (out->n == 0 && c == 1)
            return fail(err, errlen, "candidate 1 shares no read-only address with candidate 0");
        if (out->n == 0)
            return fail(err, errlen, "candidate %zu shares no read-only address with what "
                        "candidates 0 to %zu have in common", c, c - 1);
    }
    return 0;
}

/* ------------------------------------------------------------ scan order */

/* 0: text from the entry up, 1: text below it, 2 and 3: the same for
 * read-only data. */
static int scan_rank(const struct span *s, uint64_t entry)
{
    return (s->text ? 0 : 2) + (s->lo < entry ? 1 : 0);
}

/* Splits s at the entry point if it holds it; returns the pieces (1 or 2). */
static size_t cut_at(const struct span *s, uint64_t entry, struct span cut[2])
{
    cut[0] = *s;
    if (!(s->lo < entry && entry < s->hi))
        return 1;
    cut[0].hi = entry;
    cut[1] = *s;
    cut[1].lo = entry;
    return 2;
}

/* Lays the common region (sorted by address) out in scan order, rank by
 * rank, at most FP_SCAN_MAX bytes in all. */
static int scan_pieces(struct build *b, const struct spans *region, uint64_t entry)
{
    b->piece.v = malloc((region->n + 1) * sizeof *b->piece.v);   /* one span holds the entry */
    if (!b->piece.v)
        return -1;
    for (int rank = 0; rank < 4; rank++) {
        for (size_t i = 0; i < region->n; i++) {
            struct span cut[2];
            size_t ncut = cut_at(&region->v[i], entry, cut);
            for (size_t k = 0; k < ncut; k++) {
                uint64_t room = FP_SCAN_MAX - b->scan;
                if (scan_rank(&cut[k], entry) != rank || room == 0)
                    continue;
                if (cut[k].hi - cut[k].lo > room)
                    cut[k].hi = cut[k].lo + room;
                cut[k].off = b->scan;
                b->scan += (size_t)(cut[k].hi - cut[k].lo);
                b->piece.v[b->piece.n++] = cut[k];
            }
        }
    }
    return 0;
}

static const struct span *piece_at(const struct build *b, size_t x)
{
    for (size_t i = 0; i < b->piece.n; i++) {
        const struct span *p = &b->piece.v[i];
        if (x >= p->off && x - p->off < p->hi - p->lo)
            return p;
    }
    return NULL;   /* not reached: x < b->scan */
}

static uint64_t scan_vaddr(const struct build *b, size_t x)
{
    const struct span *p = piece_at(b, x);
    return p->lo + (x - p->off);
}

static int read_all(struct build *b, fp_read_fn read, void *arg)
{
    if (b->n > SIZE_MAX / b->scan || !(b->bytes = malloc(b->n * b->scan)))
        return fail(b->err, b->errlen, "out of memory");
    for (size_t c = 0; c < b->n; c++) {
        for (size_t i = 0; i < b->piece.n; i++) {
            const struct span *p = &b->piece.v[i];
            size_t len = (size_t)(p->hi - p->lo);
            if (read(arg, c, p->lo, b->bytes + c * b->scan + p->off, len) != 0)
                return fail(b->err, b->errlen, "candidate %zu: cannot read 0x%zx bytes at 0x%"
                            PRIx64, c, len, p->lo);
        }
    }
    return 0;
}

/* ------------------------------------------------------------ choosing probes */

/* A group is named by its lowest member, rep[c]. */
static bool differs(const struct build *b, size_t x)
{
    for (size_t c = 0; c < b->n; c++)
        if (at(b, c, x) != at(b, b->rep[c], x))
            return true;
    return false;
}

/* Splits every group by its members' byte at x; true if any group split.
 * The lowest member with c's byte leads c's new group. */
static bool refine(struct build *b, size_t x)
{
    bool split = false;
    memcpy(b->old, b->rep, b->n * sizeof *b->rep);
    for (size_t c = 0; c < b->n; c++) {
        size_t r = b->old[c];
        while (r < c && (b->old[r] != b->old[c] || at(b, r, x) != at(b, c, x)))
            r++;
        b->rep[c] = r;
        split |= r != b->old[c];
    }
    return split;
}

static void push_probe(struct build *b, size_t off, size_t len)
{
    b->probe[b->nprobes] = (struct fp_probe){ scan_vaddr(b, off), (uint32_t)len };
    b->probe_off[b->nprobes++] = off;
}

/* Places a probe at scan offset d, where a group differs, within d's piece;
 * returns the offset after the bytes it refined the groups by. */
static size_t add_probe(struct build *b, size_t d)
{
    const struct span *p = piece_at(b, d);
    size_t end = p->off + (size_t)(p->hi - p->lo);
    size_t start = d;
    if (end - start < FP_PROBE_MIN)
        start = end - p->off < FP_PROBE_MIN ? p->off : end - FP_PROBE_MIN;
    size_t room = end - start < FP_PROBE_MAX ? end - start : FP_PROBE_MAX;
    size_t used = room < FP_PROBE_MIN ? room : FP_PROBE_MIN;
    for (size_t i = 0; i < room; i++)
        if (refine(b, start + i) && i + 1 > used)
            used = i + 1;
    push_probe(b, start, used);
    return start + room;
}

static int still_alike(const struct build *b, size_t x)
{
    size_t c = 0;
    while (at(b, c, x) == at(b, b->rep[c], x))
        c++;
    return fail(b->err, b->errlen, "candidates %zu and %zu still alike after %zu probe%s; they "
                "first differ at 0x%" PRIx64, b->rep[c], c, b->nprobes,
                b->nprobes == 1 ? "" : "s", scan_vaddr(b, x));
}

/* Scans once: groups only ever split, so a byte passed over stays alike. */
static int choose_probes(struct build *b)
{
    size_t x = 0;
    for (;;) {
        while (x < b->scan && !differs(b, x))
            x++;
        if (x == b->scan)
            break;
        if (b->nprobes == b->max_probes)
            return still_alike(b, x);
        x = add_probe(b, x);
    }
    if (b->nprobes == 0) {   /* nothing to tell apart: still check it is one of them */
        size_t len = (size_t)(b->piece.v[0].hi - b->piece.v[0].lo);
        push_probe(b, 0, len < FP_PROBE_MIN ? len : FP_PROBE_MIN);
    }
    return 0;
}

/* ------------------------------------------------------------ the plan */

static int build_init(struct build *b, size_t n, size_t max_probes, char *err, size_t errlen)
{
    /* Every probe splits a group, so there are at most n - 1 of them, or the
     * one identity probe. */
    size_t np = max_probes < n ? max_probes : n;
    *b = (struct build){ .n = n, .max_probes = max_probes, .err = err, .errlen = errlen };
    b->rep = calloc(n, sizeof *b->rep);
    b->old = calloc(n, sizeof *b->old);
    b->probe = calloc(np, sizeof *b->probe);
    b->probe_off = calloc(np, sizeof *b->probe_off);
    if (!b->rep || !b->old || !b->probe || !b->probe_off)
        return fail(err, errlen, "out of memory");
    return 0;
}

static void build_free(struct build *b)
{
    free(b->piece.v);
    free(b->bytes);
    free(b->rep);
    free(b->old);
    free(b->probe);
    free(b->probe_off);
}

/* Moves the probes and groups into the plan and copies the expected bytes. */
static int fill_plan(struct fp_plan *plan, struct build *b)
{
    size_t nbytes = 0;
    for (size_t i = 0; i < b->nprobes; i++)
        nbytes += b->probe[i].len;
    plan->expect = malloc(b->n * nbytes);
    if (!plan->expect)
        return fail(b->err, b->errlen, "out of memory");
    for (size_t c = 0; c < b->n; c++) {
        uint8_t *row = plan->expect + c * nbytes;
        for (size_t i = 0; i < b->nprobes; i++) {
            memcpy(row, b->bytes + c * b->scan + b->probe_off[i], b->probe[i].len);
            row += b->probe[i].len;
        }
    }
    plan->ncandidates = b->n;
    plan->probes = b->probe;
    plan->nprobes = b->nprobes;
    plan->nbytes = nbytes;
    plan->same_as = b->rep;
    b->probe = NULL;
    b->rep = NULL;
    return 0;
}

static uint64_t min_entry(size_t n, const struct fp_segments *segs)
{
    uint64_t e = UINT64_MAX;
    for (size_t c = 0; c < n; c++)
        e = segs[c].entry < e ? segs[c].entry : e;
    return e;
}

int fp_plan_build(struct fp_plan *plan, size_t ncandidates, const struct fp_segments *segs,
                  fp_read_fn read, void *arg, size_t max_probes, char *err, size_t errlen)
{
    memset(plan, 0, sizeof *plan);
    if (ncandidates == 0)
        return fail(err, errlen, "no candidates");
    if (max_probes == 0)
        return fail(err, errlen, "max_probes is 0");
    for (size_t c = 0; c < ncandidates; c++)
        if (check_segments(c, &segs[c], err, errlen) != 0)
            return -1;
    struct build b;
    struct spans region = { NULL, 0 };
    int rc = build_init(&b, ncandidates, max_probes, err, errlen);
    if (rc == 0)
        rc = common_region(ncandidates, segs, &region, err, errlen);
    if (rc == 0 && scan_pieces(&b, &region, min_entry(ncandidates, segs)) != 0)
        rc = fail(err, errlen, "out of memory");
    if (rc == 0)
        rc = read_all(&b, read, arg);
    if (rc == 0)
        rc = choose_probes(&b);
    if (rc == 0)
        rc = fill_plan(plan, &b);
    free(region.v);
    build_free(&b);
    if (rc != 0)
        fp_plan_free(plan);
    return rc;
}

/* ------------------------------------------------------------ matching */

static void say(char *msg, size_t msglen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Appends to msg, which stays NUL-terminated and is cut short if full. */
static void say(char *msg, size_t msglen, const char *fmt, ...)
{
    if (!msg || msglen == 0)
        return;
    size_t used = strlen(msg);   /* always terminated: match starts it empty */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + used, msglen - used, fmt, ap);
    va_end(ap);
}

/* Bytes of candidate c that differ from `bytes`; *first: the first one's index. */
static size_t count_diff(const struct fp_plan *plan, size_t c, const uint8_t *bytes, size_t *first)
{
    const uint8_t *row = plan->expect + c * plan->nbytes;
    size_t n = 0;
    for (size_t i = plan->nbytes; i-- > 0;)
        if (row[i] != bytes[i]) {
            n++;
            *first = i;
        }
    return n;
}

static uint64_t byte_vaddr(const struct fp_plan *plan, size_t i)
{
    size_t p = 0;
    while (i >= plan->probes[p].len)
        i -= plan->probes[p++].len;
    return plan->probes[p].vaddr + i;
}

/* Names the other candidates that match as well as `best` does. */
static void say_others(const struct fp_plan *plan, size_t best, const uint8_t *bytes,
                       char *msg, size_t msglen)
{
    size_t first, others = 0;
    for (size_t c = best + 1; c < plan->ncandidates; c++)
        others += count_diff(plan, c, bytes, &first) == 0;
    if (others == 0)
        return;
    say(msg, msglen, "also matches candidate%s ", others > 1 ? "s" : "");
    for (size_t c = best + 1, k = 0; c < plan->ncandidates; c++)
        if (count_diff(plan, c, bytes, &first) == 0)
            say(msg, msglen, k++ ? ", %zu" : "%zu", c);
}

int fp_plan_match(const struct fp_plan *plan, const uint8_t *bytes, size_t len,
                  size_t *candidate, char *msg, size_t msglen)
{
    if (msg && msglen)
        msg[0] = '\0';
    if (len != plan->nbytes) {
        say(msg, msglen, "expected %zu bytes, got %zu", plan->nbytes, len);
        return -1;
    }
    size_t best = 0, best_diff = SIZE_MAX, first = 0;
    for (size_t c = 0; c < plan->ncandidates && best_diff; c++) {
        size_t f = 0, d = count_diff(plan, c, bytes, &f);
        if (d < best_diff) {
            best = c;
            best_diff = d;
            first = f;
        }
    }
    *candidate = best;
    if (best_diff == 0) {
        say_others(plan, best, bytes, msg, msglen);
        return 0;
    }
    say(msg, msglen, "no candidate matches; closest is candidate %zu, %zu of %zu bytes differ, "
        "the first at 0x%" PRIx64, best, best_diff, plan->nbytes, byte_vaddr(plan, first));
    return -1;
}

void fp_plan_free(struct fp_plan *plan)
{
    free(plan->probes);
    free(plan->same_as);
    free(plan->expect);
    memset(plan, 0, sizeof *plan);
}
