/* The address-space part of the configuration: user programs, how a space
 * is identified, hook points, trampoline aliases, process reports. */
#define _POSIX_C_SOURCE 200809L

#include "spacecfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const hook_names[MUX_HOOK_COUNT] = {
    [MUX_HOOK_ENTER_USER] = "enter_user",   [MUX_HOOK_ENTER_KERNEL] = "enter_kernel",
    [MUX_HOOK_SWITCH] = "switch",           [MUX_HOOK_EXEC] = "exec",
    [MUX_HOOK_EXIT] = "exit",               [MUX_HOOK_RETURN_PATH] = "return_path",
    [MUX_HOOK_STEP_INTO] = "step_into_kernel",
};

const char *mux_hook_name(enum mux_hook_kind k)
{
    return k < MUX_HOOK_COUNT ? hook_names[k] : "?";
}

/* "0x" then hex digits, or decimal digits: never octal, no sign, no spaces. */
int mux_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    int base = 10;
    if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        base = 16;
    }
    if (!s || !((*s >= '0' && *s <= '9') || (base == 16 && ((*s >= 'a' && *s <= 'f') ||
                                                           (*s >= 'A' && *s <= 'F')))))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* An address value; else reports what was expected, with an example. */
static int parse_address(struct jp_ctx *ctx, const cJSON *v, const char *example, uint64_t *out)
{
    if (mux_parse_u64(v->valuestring, out) == 0)
        return 0;
    char q[120];
    jp_quote(v->valuestring, 40, q, sizeof q);
    jp_error(ctx, "expected an address string like \"%s\", found string %s", example, q);
    return -1;
}

/* Refuses "" for a name; true if the value is usable. */
static bool non_empty(struct jp_ctx *ctx, const cJSON *v)
{
    if (v->valuestring[0])
        return true;
    jp_error(ctx, "expected a non-empty string, found string \"\"");
    return false;
}

/* ------------------------------------------------------------ lifetime */

void mux_spacecfg_init(struct mux_spacecfg *sc)
{
    *sc = (struct mux_spacecfg){ .report_exit = true, .report_new = true,
                                 .conflict_hits = MUX_CONFLICT_HITS };
}

static void free_points(struct mux_points *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].text);
        free(p->v[i].instruction);
        free(p->v[i].where);
    }
    free(p->v);
    *p = (struct mux_points){ 0 };
}

static void free_programs(struct mux_spacecfg *sc)
{
    for (size_t i = 0; i < sc->nprograms; i++)
        free(sc->programs[i]);
    free(sc->programs);
    sc->programs = NULL;
    sc->nprograms = 0;
}

static void free_aliases(struct mux_spacecfg *sc)
{
    for (size_t i = 0; i < sc->naliases; i++) {
        free(sc->aliases[i].symbol);
        free(sc->aliases[i].where);
    }
    free(sc->aliases);
    sc->aliases = NULL;
    sc->naliases = 0;
}

static void pending_reset(struct mux_spacecfg *sc);

void mux_spacecfg_clear_aliases(struct mux_spacecfg *sc)
{
    free_aliases(sc);
}

void mux_spacecfg_free(struct mux_spacecfg *sc)
{
    pending_reset(sc);
    free_programs(sc);
    free(sc->variable);
    sc->variable = NULL;
    for (int k = 0; k < MUX_HOOK_COUNT; k++)
        free_points(&sc->hooks[k]);
    free_aliases(sc);
}

static int dup_str(char **dst, const char *src)
{
    *dst = src ? strdup(src) : NULL;
    return src && !*dst ? -1 : 0;
}

static int copy_points(struct mux_points *dst, const struct mux_points *src)
{
    *dst = (struct mux_points){ 0 };
    if (src->n == 0)
        return 0;
    if (!(dst->v = calloc(src->n, sizeof *dst->v)))
        return -1;
    dst->n = src->n;
    int bad = 0;
    for (size_t i = 0; i < src->n; i++) {
        dst->v[i] = src->v[i];
        bad |= dup_str(&dst->v[i].text, src->v[i].text) |
               dup_str(&dst->v[i].instruction, src->v[i].instruction) |
               dup_str(&dst->v[i].where, src->v[i].where);
    }
    return bad;
}

int mux_spacecfg_copy(struct mux_spacecfg *dst, const struct mux_spacecfg *src)
{
    int bad = 0;
    *dst = *src;
    dst->pending = (struct mux_point){ 0 };
    dst->pending_kinds = 0;
    dst->programs = NULL;
    dst->nprograms = 0;
    dst->aliases = NULL;
    dst->naliases = 0;
    bad |= mux_spacecfg_set_programs(dst, src->programs, src->nprograms);
    bad |= dup_str(&dst->variable, src->variable);
    for (int k = 0; k < MUX_HOOK_COUNT; k++)
        bad |= copy_points(&dst->hooks[k], &src->hooks[k]);
    if (src->naliases && (dst->aliases = calloc(src->naliases, sizeof *dst->aliases))) {
        dst->naliases = src->naliases;
        for (size_t i = 0; i < src->naliases; i++) {
            dst->aliases[i] = src->aliases[i];
            bad |= dup_str(&dst->aliases[i].symbol, src->aliases[i].symbol) |
                   dup_str(&dst->aliases[i].where, src->aliases[i].where);
        }
    } else if (src->naliases) {
        bad = -1;
    }
    if (bad)
        mux_spacecfg_free(dst);
    return bad ? -1 : 0;
}

int mux_spacecfg_set_programs(struct mux_spacecfg *sc, char *const *paths, size_t n)
{
    free_programs(sc);
    if (n == 0)
        return 0;
    if (!(sc->programs = calloc(n, sizeof *sc->programs)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!(sc->programs[i] = strdup(paths[i]))) {
            sc->nprograms = i;
            free_programs(sc);
            return -1;
        }
    }
    sc->nprograms = n;
    return 0;
}

/* ------------------------------------------------------------ "user" */

static void apply_programs(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    char **list = n ? calloc(n, sizeof *list) : NULL;
    for (const cJSON *e = v->child; e && list; e = e->next, i++) {
        if (e->valuestring[0] == '\0')
            jp_error(ctx, "element %zu: expected a non-empty path, found string \"\"", i);
        list[i] = e->valuestring;
    }
    if (n && !list)
        jp_error(ctx, "out of memory");
    else if (mux_spacecfg_set_programs(sc, list, n) != 0)
        jp_error(ctx, "out of memory");
    free(list);
}

static void apply_identify(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    static const char *const names[] = { "fingerprint", "satp", "variable" };
    for (int i = 0; i < 3; i++) {
        if (strcmp(v->valuestring, names[i]) == 0) {
            sc->identify = (enum mux_identify)i;
            return;
        }
    }
    char q[120];
    jp_quote(v->valuestring, 40, q, sizeof q);
    jp_error(ctx, "expected \"fingerprint\", \"satp\" or \"variable\", found string %s", q);
}

static void apply_var_symbol(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    if (!non_empty(ctx, v))
        return;
    char *s = strdup(v->valuestring);
    if (!s) {
        jp_error(ctx, "out of memory");
        return;
    }
    free(sc->variable);
    sc->variable = s;
}

static void apply_var_size(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    unsigned size = (unsigned)v->valuedouble;
    if (size != 1 && size != 2 && size != 4 && size != 8)
        jp_error(ctx, "expected 1, 2, 4 or 8, found number %u", size);
    else
        sc->variable_size = size;
}

static void apply_swap_groups(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    if (strcmp(v->valuestring, "always") == 0) {
        sc->swap_always = true;
    } else if (strcmp(v->valuestring, "on_conflict") == 0) {
        sc->swap_always = false;
    } else {
        char q[120];
        jp_quote(v->valuestring, 40, q, sizeof q);
        jp_error(ctx, "expected \"on_conflict\" or \"always\", found string %s", q);
    }
}

static void apply_conflict_hits(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    (void)ctx;
    ((struct mux_spacecfg *)target)->conflict_hits = (unsigned)v->valuedouble;
}

/* "identify": "variable" needs the variable: checked once "user" is read. */
void mux_spacecfg_check_user(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    (void)v;
    if (sc->identify == MUX_IDENTIFY_VARIABLE && !sc->variable)
        jp_error(ctx, "\"identify\": \"variable\" needs \"variable\": {\"symbol\": ...}");
    if (sc->variable && !sc->variable_size)
        sc->variable_size = 4;
}

static void apply_tf_address(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    if (parse_address(ctx, v, "0xffffffffffffe000", &sc->trap_frame) != 0)
        return;
    sc->has_trap_frame = true;
}

static void apply_tf_x1(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    (void)ctx;
    ((struct mux_spacecfg *)target)->tf_x1 = (unsigned)v->valuedouble;
}

static void apply_tf_pc(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    (void)ctx;
    ((struct mux_spacecfg *)target)->tf_pc = (unsigned)v->valuedouble;
}

static void apply_tf_kernel_sp(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    (void)ctx;
    sc->tf_kernel_sp = (unsigned)v->valuedouble;
    sc->has_tf_kernel_sp = true;
}

static const struct jp_field trap_frame_keys[] = {
    { .key = "address", .kind = JP_STRING, .required = true,
      .expected = "an address string like \"0xffffffffffffe000\"", .apply = apply_tf_address },
    { .key = "x1", .kind = JP_INTEGER, .required = true, .min = 0, .max = 4096,
      .apply = apply_tf_x1 },
    { .key = "pc", .kind = JP_INTEGER, .required = true, .min = 0, .max = 4096,
      .apply = apply_tf_pc },
    { .key = "kernel_sp", .kind = JP_INTEGER, .min = 0, .max = 4096,
      .apply = apply_tf_kernel_sp },
};

static const struct jp_field program_row = { .kind = JP_STRING, .expected = "a path string" };

static const struct jp_field variable_keys[] = {
    { .key = "symbol", .kind = JP_STRING, .required = true, .apply = apply_var_symbol },
    { .key = "size", .kind = JP_INTEGER, .min = 1, .max = 8, .apply = apply_var_size },
};

const struct jp_field mux_spacecfg_user_keys[MUX_SPACECFG_USER_KEYS] = {
    { .key = "programs", .kind = JP_ARRAY, .fields = &program_row, .nfields = 1,
      .apply = apply_programs },
    { .key = "identify", .kind = JP_STRING, .apply = apply_identify },
    { .key = "variable", .kind = JP_OBJECT, JP_FIELDS(variable_keys) },
    { .key = "trap_frame", .kind = JP_OBJECT, JP_FIELDS(trap_frame_keys) },
    { .key = "swap_groups", .kind = JP_STRING, .apply = apply_swap_groups },
    { .key = "conflict_hits", .kind = JP_INTEGER, .min = 1, .max = 1000000,
      .apply = apply_conflict_hits },
};

/* ------------------------------------------------------------ "hooks" */

/* A point's keys fill sc->pending; apply_point then moves it into its list. */
static void point_set_text(struct jp_ctx *ctx, struct mux_spacecfg *sc, enum mux_point_kind k,
                           const cJSON *v)
{
    if (!non_empty(ctx, v))
        return;
    free(sc->pending.text);
    if (!(sc->pending.text = strdup(v->valuestring)))
        jp_error(ctx, "out of memory");
    sc->pending.kind = k;
    sc->pending_kinds++;
}

static void apply_pt_symbol(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    point_set_text(ctx, target, MUX_POINT_SYMBOL, v);
}

static void apply_pt_function(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    point_set_text(ctx, target, MUX_POINT_FUNCTION, v);
}

static void apply_pt_line(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    const char *colon = strrchr(v->valuestring, ':');
    uint64_t line;
    if (!colon || colon == v->valuestring || (colon[1] == '0' && colon[2]) ||
        mux_parse_u64(colon + 1, &line) != 0 || (colon[1] == '0' && colon[2] == 'x') ||
        line == 0 || line > 10000000) {
        char q[120];
        jp_quote(v->valuestring, 60, q, sizeof q);
        jp_error(ctx, "expected \"FILE:LINE\" (e.g. \"trap.c:42\"), found string %s", q);
        return;
    }
    point_set_text(ctx, target, MUX_POINT_LINE, v);
}

static void apply_pt_address(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    if (parse_address(ctx, v, "0x80200000", &sc->pending.value) != 0)
        return;
    sc->pending.kind = MUX_POINT_ADDRESS;
    sc->pending_kinds++;
}

static void apply_pt_instruction(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    if (!non_empty(ctx, v))
        return;
    free(sc->pending.instruction);
    if (!(sc->pending.instruction = strdup(v->valuestring)))
        jp_error(ctx, "out of memory");
}

static void apply_pt_offset(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    (void)ctx;
    sc->pending_offset = (uint64_t)v->valuedouble;
    sc->pending_has_offset = true;
}

static void point_free(struct mux_point *p)
{
    free(p->text);
    free(p->instruction);
    free(p->where);
    *p = (struct mux_point){ 0 };
}

static void pending_reset(struct mux_spacecfg *sc)
{
    point_free(&sc->pending);
    sc->pending_kinds = 0;
    sc->pending_offset = 0;
    sc->pending_has_offset = false;
}

static int points_push(struct mux_points *list, struct mux_point p)
{
    struct mux_point *grown = realloc(list->v, (list->n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    list->v = grown;
    list->v[list->n++] = p;
    return 0;
}

/* Runs after a point's keys: checks the combination, moves it into its list. */
static void apply_point(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_spacecfg *sc = target;
    (void)v;
    if (sc->pending_kinds != 1) {
        jp_error(ctx, "expected exactly one of \"symbol\", \"function\", \"line\", \"address\", "
                      "found %u", sc->pending_kinds);
    } else if ((sc->pending.instruction || sc->pending_has_offset) &&
               sc->pending.kind != MUX_POINT_SYMBOL) {
        jp_error(ctx, "\"instruction\" and \"offset\" go with \"symbol\" only");
    } else {
        if (sc->pending.kind == MUX_POINT_SYMBOL)
            sc->pending.value = sc->pending_offset;
        if (points_push(&sc->hooks[sc->pending_hook], sc->pending) != 0)
            jp_error(ctx, "out of memory");
        else
            sc->pending = (struct mux_point){ 0 };   /* now owned by the list */
    }
    pending_reset(sc);
}

static const struct jp_field point_keys[] = {
    { .key = "symbol", .kind = JP_STRING, .apply = apply_pt_symbol },
    { .key = "function", .kind = JP_STRING, .apply = apply_pt_function },
    { .key = "line", .kind = JP_STRING, .expected = "a \"FILE:LINE\" string",
      .apply = apply_pt_line },
    { .key = "address", .kind = JP_STRING, .expected = "an address string like \"0x80200000\"",
      .apply = apply_pt_address },
    { .key = "instruction", .kind = JP_STRING, .expected = "a mnemonic like \"sret\"",
      .apply = apply_pt_instruction },
    { .key = "offset", .kind = JP_INTEGER, .min = 0, .max = 1 << 20, .apply = apply_pt_offset },
};

/* Each list present in a file replaces the list loaded before it. */
static void *enter_point(struct jp_ctx *ctx, void *target, size_t index, enum mux_hook_kind k)
{
    struct mux_spacecfg *sc = target;
    char where[64];
    if (index == 0)
        free_points(&sc->hooks[k]);
    pending_reset(sc);
    sc->pending_hook = k;
    snprintf(where, sizeof where, k == MUX_HOOK_STEP_INTO ? "hooks.%s" : "hooks.%s[%zu]",
             hook_names[k], index);
    if (!(sc->pending.where = strdup(where))) {
        jp_error(ctx, "out of memory");
        return NULL;
    }
    return sc;
}

static void *enter_enter_user(struct jp_ctx *c, void *t, size_t i)
{
    return enter_point(c, t, i, MUX_HOOK_ENTER_USER);
}
static void *enter_enter_kernel(struct jp_ctx *c, void *t, size_t i)
{
    return enter_point(c, t, i, MUX_HOOK_ENTER_KERNEL);
}
static void *enter_switch(struct jp_ctx *c, void *t, size_t i)
{
    return enter_point(c, t, i, MUX_HOOK_SWITCH);
}
static void *enter_exec(struct jp_ctx *c, void *t, size_t i)
{
    return enter_point(c, t, i, MUX_HOOK_EXEC);
}
static void *enter_exit(struct jp_ctx *c, void *t, size_t i)
{
    return enter_point(c, t, i, MUX_HOOK_EXIT);
}
static void *enter_return_path(struct jp_ctx *c, void *t, size_t i)
{
    return enter_point(c, t, i, MUX_HOOK_RETURN_PATH);
}
static void *enter_step_into(struct jp_ctx *c, void *t, size_t i)
{
    return enter_point(c, t, i, MUX_HOOK_STEP_INTO);
}

#define POINT_ROW(fn) \
    { .kind = JP_OBJECT, JP_FIELDS(point_keys), .enter = fn, .apply = apply_point }
static const struct jp_field enter_user_points[] = { POINT_ROW(enter_enter_user) };
static const struct jp_field enter_kernel_points[] = { POINT_ROW(enter_enter_kernel) };
static const struct jp_field switch_points[] = { POINT_ROW(enter_switch) };
static const struct jp_field exec_points[] = { POINT_ROW(enter_exec) };
static const struct jp_field exit_points[] = { POINT_ROW(enter_exit) };
static const struct jp_field return_path_points[] = { POINT_ROW(enter_return_path) };

/* A list present in a file replaces the list loaded before, even when empty. */
static void *clear_list(struct jp_ctx *ctx, void *target, enum mux_hook_kind k)
{
    (void)ctx;
    free_points(&((struct mux_spacecfg *)target)->hooks[k]);
    return target;
}

static void *clear_enter_user(struct jp_ctx *c, void *t, size_t i)
{
    (void)i;
    return clear_list(c, t, MUX_HOOK_ENTER_USER);
}
static void *clear_enter_kernel(struct jp_ctx *c, void *t, size_t i)
{
    (void)i;
    return clear_list(c, t, MUX_HOOK_ENTER_KERNEL);
}
static void *clear_switch(struct jp_ctx *c, void *t, size_t i)
{
    (void)i;
    return clear_list(c, t, MUX_HOOK_SWITCH);
}
static void *clear_exec(struct jp_ctx *c, void *t, size_t i)
{
    (void)i;
    return clear_list(c, t, MUX_HOOK_EXEC);
}
static void *clear_exit(struct jp_ctx *c, void *t, size_t i)
{
    (void)i;
    return clear_list(c, t, MUX_HOOK_EXIT);
}
static void *clear_return_path(struct jp_ctx *c, void *t, size_t i)
{
    (void)i;
    return clear_list(c, t, MUX_HOOK_RETURN_PATH);
}

#define POINT_LIST(name, k) \
    { .key = name, .kind = JP_ARRAY, .expected = "a hook point or an array of them", \
      JP_FIELDS(k##_points), .or_one = true, .enter = clear_##k }
const struct jp_field mux_spacecfg_hook_keys[MUX_SPACECFG_HOOK_KEYS] = {
    POINT_LIST("enter_user", enter_user),
    POINT_LIST("enter_kernel", enter_kernel),
    POINT_LIST("switch", switch),
    POINT_LIST("exec", exec),
    POINT_LIST("exit", exit),
    POINT_LIST("return_path", return_path),
    { .key = "step_into_kernel", .kind = JP_OBJECT, JP_FIELDS(point_keys),
      .enter = enter_step_into, .apply = apply_point },
};

/* ------------------------------------------------------------ "aliases" */

static void *enter_alias(struct jp_ctx *ctx, void *target, size_t index)
{
    struct mux_spacecfg *sc = target;
    if (index == 0)
        free_aliases(sc);
    struct mux_alias *grown = realloc(sc->aliases, (sc->naliases + 1) * sizeof *grown);
    char where[48];
    snprintf(where, sizeof where, "aliases[%zu]", index);
    if (!grown || !(grown[sc->naliases].where = strdup(where))) {
        if (grown)
            sc->aliases = grown;
        jp_error(ctx, "out of memory");
        return NULL;
    }
    sc->aliases = grown;
    struct mux_alias *a = &sc->aliases[sc->naliases++];
    char *w = a->where;
    *a = (struct mux_alias){ .where = w };
    return a;
}

static void apply_alias_symbol(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_alias *a = target;
    if (!non_empty(ctx, v))
        return;
    free(a->symbol);
    if (!(a->symbol = strdup(v->valuestring)))
        jp_error(ctx, "out of memory");
}

static void set_alias_number(struct jp_ctx *ctx, const cJSON *v, uint64_t *dst)
{
    parse_address(ctx, v, "0xfffffffffffff000", dst);
}

static void apply_alias_link(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    set_alias_number(ctx, v, &((struct mux_alias *)target)->link);
}

static void apply_alias_run(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    set_alias_number(ctx, v, &((struct mux_alias *)target)->run);
}

static void apply_alias_size(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    (void)ctx;
    ((struct mux_alias *)target)->size = (uint64_t)v->valuedouble;
}

static void apply_alias(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    struct mux_alias *a = target;
    if (!a->symbol == !cJSON_GetObjectItemCaseSensitive(v, "link"))
        jp_error(ctx, "expected exactly one of \"symbol\" and \"link\"");
}

#define ADDR_STRING "an address string like \"0xfffffffffffff000\""
static const struct jp_field alias_keys[] = {
    { .key = "symbol", .kind = JP_STRING, .apply = apply_alias_symbol },
    { .key = "link", .kind = JP_STRING, .expected = ADDR_STRING, .apply = apply_alias_link },
    { .key = "run", .kind = JP_STRING, .required = true, .expected = ADDR_STRING,
      .apply = apply_alias_run },
    { .key = "size", .kind = JP_INTEGER, .required = true, .min = 1, .max = 1LL << 30,
      .apply = apply_alias_size },
};

const struct jp_field mux_spacecfg_alias_row[1] = {
    { .kind = JP_OBJECT, JP_FIELDS(alias_keys), .enter = enter_alias, .apply = apply_alias },
};

/* ------------------------------------------------------------ "processes" */

static void apply_report_exit(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    (void)ctx;
    ((struct mux_spacecfg *)target)->report_exit = cJSON_IsTrue(v);
}

static void apply_report_new(struct jp_ctx *ctx, const cJSON *v, void *target)
{
    (void)ctx;
    ((struct mux_spacecfg *)target)->report_new = cJSON_IsTrue(v);
}

const struct jp_field mux_spacecfg_processes_keys[MUX_SPACECFG_PROCESSES_KEYS] = {
    { .key = "report_exit", .kind = JP_BOOLEAN, .apply = apply_report_exit },
    { .key = "report_new", .kind = JP_BOOLEAN, .apply = apply_report_new },
};
