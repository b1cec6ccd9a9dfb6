/* GDB's host I/O packets (vFile:*), read-only, for configured files only. */
#define _POSIX_C_SOURCE 200809L
#include "hostio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* GDB's File-I/O errno values (the protocol's, not the host's). */
#define FILEIO_ENOENT 2
#define FILEIO_EBADF  9
#define FILEIO_EACCES 13
#define FILEIO_EMFILE 24
#define FILEIO_EINVAL 22
#define FILEIO_EIO    5

#define PREAD_MAX 16384

void hostio_init(struct hostio *h)
{
    for (int i = 0; i < HOSTIO_MAX_FILES; i++)
        h->fd[i] = -1;
}

void hostio_close_all(struct hostio *h)
{
    for (int i = 0; i < HOSTIO_MAX_FILES; i++) {
        if (h->fd[i] >= 0)
            close(h->fd[i]);
        h->fd[i] = -1;
    }
}

static void fail(struct rsp_buf *reply, int fileio_errno)
{
    rsp_buf_printf(reply, "F-1,%x", fileio_errno);
}

static int lookup(struct hostio *h, uint64_t fd)
{
    return fd < HOSTIO_MAX_FILES ? h->fd[fd] : -1;
}

static bool is_allowed(const char *const *allowed, const uint8_t *path, size_t len)
{
    for (; allowed && *allowed; allowed++) {
        if (strlen(*allowed) == len && memcmp(*allowed, path, len) == 0)
            return true;
    }
    return false;
}

void hostio_open(struct hostio *h, const char *const *allowed, const uint8_t *path,
                 size_t path_len, uint64_t flags, struct rsp_buf *reply)
{
    if (flags != 0) {                      /* File-I/O O_RDONLY is 0 */
        fail(reply, FILEIO_EACCES);
        return;
    }
    if (!is_allowed(allowed, path, path_len)) {
        fail(reply, FILEIO_EACCES);
        return;
    }
    int slot = 0;
    while (slot < HOSTIO_MAX_FILES && h->fd[slot] >= 0)
        slot++;
    if (slot == HOSTIO_MAX_FILES) {
        fail(reply, FILEIO_EMFILE);
        return;
    }
    char name[4096];
    memcpy(name, path, path_len);          /* is_allowed bounded it */
    name[path_len] = '\0';
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail(reply, errno == ENOENT ? FILEIO_ENOENT : FILEIO_EACCES);
        return;
    }
    h->fd[slot] = fd;
    rsp_buf_printf(reply, "F%x", slot);
}

void hostio_pread(struct hostio *h, uint64_t fd, uint64_t count, uint64_t offset,
                  struct rsp_buf *reply)
{
    int real = lookup(h, fd);
    if (real < 0) {
        fail(reply, FILEIO_EBADF);
        return;
    }
    if (offset > INT64_MAX) {
        fail(reply, FILEIO_EINVAL);
        return;
    }
    _Static_assert(PREAD_MAX < 65536, "a pread reply fits one packet");
    char buf[PREAD_MAX];
    ssize_t n = pread(real, buf, count < PREAD_MAX ? count : PREAD_MAX, (off_t)offset);
    if (n < 0) {
        fail(reply, FILEIO_EIO);
        return;
    }
    rsp_buf_printf(reply, "F%zx;", (size_t)n);
    rsp_buf_append(reply, buf, (size_t)n);
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* struct stat in File-I/O form: 64 bytes, big-endian (GDB manual, "struct stat"). */
void hostio_fstat(struct hostio *h, uint64_t fd, struct rsp_buf *reply)
{
    int real = lookup(h, fd);
    struct stat st;
    if (real < 0 || fstat(real, &st) != 0) {
        fail(reply, FILEIO_EBADF);
        return;
    }
    uint8_t out[64] = { 0 };
    put_be(out + 0, (uint64_t)st.st_dev, 4);
    put_be(out + 4, (uint64_t)st.st_ino, 4);
    put_be(out + 8, (uint64_t)st.st_mode, 4);
    put_be(out + 12, (uint64_t)st.st_nlink, 4);
    put_be(out + 28, (uint64_t)st.st_size, 8);
    put_be(out + 36, (uint64_t)st.st_blksize, 8);
    put_be(out + 44, (uint64_t)st.st_blocks, 8);
    put_be(out + 52, (uint64_t)st.st_atime, 4);
    put_be(out + 56, (uint64_t)st.st_mtime, 4);
    put_be(out + 60, (uint64_t)st.st_ctime, 4);
    rsp_buf_printf(reply, "F%x;", (unsigned)sizeof out);
    rsp_buf_append(reply, out, sizeof out);
}

void hostio_close(struct hostio *h, uint64_t fd, struct rsp_buf *reply)
{
    int real = lookup(h, fd);
    if (real < 0) {
        fail(reply, FILEIO_EBADF);
        return;
    }
    close(real);
    h->fd[fd] = -1;
    rsp_buf_append_str(reply, "F0");
}
