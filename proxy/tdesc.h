/* Target descriptions (target.xml and the files it includes) fetched from
 * the backend once per connection, and served to GDB with <osabi>none</osabi>
 * injected so that gdb-multiarch uses bare-metal semantics by itself. */
#ifndef MUX_TDESC_H
#define MUX_TDESC_H

#include <stdbool.h>
#include <stddef.h>

#include "rsp.h"

#define TDESC_MAX_FILES 16
#define TDESC_NAME_MAX  64

struct tdesc_file {
    char name[TDESC_NAME_MAX];   /* "target.xml", "riscv-64bit-cpu.xml", ... */
    char *data;                  /* as served to GDB (target.xml with osabi) */
    size_t len;
};

struct tdesc {
    struct tdesc_file files[TDESC_MAX_FILES];
    unsigned nfiles;
};

void tdesc_init(struct tdesc *t);
void tdesc_free(struct tdesc *t);
/* Adds a fetched file. target.xml gets <osabi>none</osabi> after its
 * <architecture> element unless it already names an OS ABI. 0 or -1. */
int tdesc_add(struct tdesc *t, const char *name, const char *data, size_t len);
const struct tdesc_file *tdesc_find(const struct tdesc *t, const char *name, size_t name_len);

/* The remote number of the register called `name` ("pc", "satp", "priv"),
 * counted as GDB does: in document order through the includes, each
 * regnum="N" restarting the count. 0, or -1 if there is no such register. */
int tdesc_regnum(const struct tdesc *t, const char *name, unsigned *num);

/* Calls `fn` with each href="..." of <xi:include> elements in `xml`. */
void tdesc_each_include(const char *xml, size_t len,
                        void (*fn)(void *arg, const char *href, size_t href_len), void *arg);

/* Fills `reply` with a qXfer read reply for [offset, offset+length) of `data`:
 * "m<bytes>" if more follows, "l<bytes>" if this reaches the end. */
void xfer_reply(struct rsp_buf *reply, const void *data, size_t size,
                unsigned long long offset, unsigned long long length);

#endif
