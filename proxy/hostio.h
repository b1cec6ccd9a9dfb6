/* GDB's host I/O packets (vFile:*), read-only and limited to the files
 * rspmux was configured with, so a GDB on another machine can load the
 * kernel's symbols through the connection. */
#ifndef MUX_HOSTIO_H
#define MUX_HOSTIO_H

#include <stdint.h>

#include "rsp.h"

#define HOSTIO_MAX_FILES 256   /* GDB keeps each process's ELF open */

struct hostio {
    int fd[HOSTIO_MAX_FILES];     /* -1 when free; GDB's fd is the index */
};

void hostio_init(struct hostio *h);
void hostio_close_all(struct hostio *h);

/* Each fills `reply` with an "F..." answer (GDB manual, "Host I/O Packets").
 * `allowed` is a NULL-terminated list of absolute paths that may be opened. */
void hostio_open(struct hostio *h, const char *const *allowed, const uint8_t *path,
                 size_t path_len, uint64_t flags, struct rsp_buf *reply);
void hostio_pread(struct hostio *h, uint64_t fd, uint64_t count, uint64_t offset,
                  struct rsp_buf *reply);
void hostio_fstat(struct hostio *h, uint64_t fd, struct rsp_buf *reply);
void hostio_close(struct hostio *h, uint64_t fd, struct rsp_buf *reply);

#endif
