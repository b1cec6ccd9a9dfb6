/* JSON text checked strictly, parsed with cJSON and validated against const
 * tables of keys; every error names the source, and the line:column or the
 * JSON path (qemu.gdbstub, spaces[2].elf), one error per line. */
#ifndef MUX_JSONPATH_H
#define MUX_JSONPATH_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define JP_PATH_MAX   512   /* longest JSON path kept; longer paths end in "..." */
#define JP_MAX_LINES  20    /* error lines kept; the rest become "... and N more" */
#define JP_MAX_KEYS   64    /* most keys in one table (object) */
#define JP_MAX_DEPTH  CJSON_NESTING_LIMIT   /* deepest nesting accepted (cJSON's) */
#define JP_MAX_NUMBER 63    /* longest number: upstream cJSON 1.7.15 reads no more */

/* Error collector and current JSON path. Members are private to jsonpath.c;
 * the struct is public only so callers can keep it on the stack. */
struct jp_ctx {
    const char *source;        /* file name, or "<string>" */
    char *err;                 /* caller's buffer, always NUL-terminated */
    size_t errlen;
    size_t used;               /* bytes of err in use, without the NUL */
    unsigned errors;           /* errors reported */
    unsigned shown;            /* lines written to err */
    unsigned omitted;          /* errors that did not fit or were past the cap */
    char path[JP_PATH_MAX];
    size_t pathlen;
};

enum jp_kind { JP_STRING, JP_INTEGER, JP_BOOLEAN, JP_OBJECT, JP_ARRAY };

/* One row of a table: a key and what its value must be. A table is an array
 * of rows; adding a key to a config means adding a row.
 *
 * `apply` runs once the value passed every check of its row (and for an
 * object or array, once nothing inside it was reported); it may report more
 * errors with jp_error, which then name this value's path. `target` is
 * caller data handed down the tree unchanged, except below an object or
 * array row with `enter`: that object's keys (or array's elements) get the
 * pointer `enter` returns (say, a new element of a list; `index` is the
 * element's array index, 0 for a value under a key). If `enter` returns NULL it has reported why, and the
 * object's keys are skipped. */
struct jp_field {
    const char *key;            /* exact, case-sensitive; NULL for an array's element row */
    enum jp_kind kind;
    bool required;
    const char *expected;       /* for messages, e.g. "a path string"; NULL: from kind */
    long long min, max;         /* JP_INTEGER values, JP_ARRAY lengths; both 0: any */
    const struct jp_field *fields; /* JP_OBJECT: its keys; JP_ARRAY: 1 row for every element */
    size_t nfields;
    void *(*enter)(struct jp_ctx *ctx, void *target, size_t index);
    void (*apply)(struct jp_ctx *ctx, const cJSON *value, void *target);
    bool or_one;                /* JP_ARRAY: a lone element counts as an array of one */
};

/* `.fields` and `.nfields` of a row, from an array of rows. */
#define JP_FIELDS(rows) .fields = (rows), .nfields = sizeof(rows) / sizeof((rows)[0])

/* Starts collecting errors into err[errlen] (emptied; err may be NULL when
 * errlen is 0). `source` is borrowed until the last call on ctx. */
void jp_init(struct jp_ctx *ctx, const char *source, char *err, size_t errlen);

/* Reports "SOURCE: PATH: MESSAGE", PATH being the value being checked
 * ("(top level)" for the root). Lines past JP_MAX_LINES, and lines after the
 * first that would leave no room for the summary line, are only counted. */
void jp_error(struct jp_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reports "SOURCE: MESSAGE", for problems with the input as a whole. */
void jp_error_source(struct jp_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Ends the report: appends "... and N more" when lines were left out.
 * Returns 0 if no error was reported, else -1. */
int jp_finish(struct jp_ctx *ctx);

/* Strict RFC 8259 check of text[0..len), which need not be NUL-terminated:
 * valid UTF-8 (a leading BOM is skipped), no NUL byte, no control character
 * outside JSON's whitespace and escapes, no "\u0000" or unpaired surrogate,
 * numbers of at most JP_MAX_NUMBER characters, nesting of at most
 * JP_MAX_DEPTH. Text that passes is parsed by cJSON exactly as written.
 * Returns 0, or -1 with the byte offset of the first problem in *offset and
 * a message like "JSON syntax error near 'x': expected ',' or '}'". */
int jp_check_syntax(const char *text, size_t len, size_t *offset, char *msg, size_t msglen);

/* jp_check_syntax, then cJSON. Returns the tree (cJSON_Delete it), or NULL
 * with "SOURCE:LINE:COLUMN: MESSAGE" reported (columns count characters,
 * from 1), or "SOURCE: empty input" for text of only whitespace. */
cJSON *jp_parse(struct jp_ctx *ctx, const char *text, size_t len);

/* Checks `value` against `row` (usually a JP_OBJECT row whose fields are
 * the top-level keys), calling enter/apply on the way, and reports every
 * problem in document order: wrong kinds, integers out of range, unknown
 * keys (with the known ones), duplicate keys, missing required keys.
 * Returns 0 if nothing new was reported, else -1. */
int jp_validate(struct jp_ctx *ctx, const cJSON *value, const struct jp_field *row, void *target);

/* Describes a value for "found ...": `number 1234`, `string "abc"` (quoted,
 * escaped, shortened), `boolean true`, `null`, `object`, `array`. */
void jp_describe(const cJSON *value, char *buf, size_t len);

/* Writes `s` between double quotes with JSON escapes, shortened to about
 * `max_chars` characters with "..." (never cutting a UTF-8 sequence). */
void jp_quote(const char *s, size_t max_chars, char *buf, size_t len);

#endif
