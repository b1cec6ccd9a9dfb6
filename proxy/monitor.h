/* rspmux's own monitor commands (GDB's `monitor ...`, packet qRcmd). */
#ifndef MUX_MONITOR_H
#define MUX_MONITOR_H

#include <stddef.h>

#include "mux.h"
#include "rsp.h"

/* Runs `cmd` (not NUL-terminated) if it is one of ours, appending its output
 * to `out`: 0. Returns -1 if it is not ours (it then goes to QEMU's monitor). */
int monitor_run(struct mux *m, const char *cmd, size_t len, struct rsp_buf *out);

#endif
