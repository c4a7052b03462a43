/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The engine's one reader of files, for the CLI and tests: bounded, so a
 * huge or endless input (a FIFO, /dev/zero) is refused, not swallowed. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "mc-error.h"
#include "mc-parse.h"

bool mc_read_document(const char *path, gsize max_size, char **ret_data, gsize *ret_len,
                      GError **error) {
        g_autoptr(GByteArray) buf = g_byte_array_new();
        bool is_stdin = strcmp(path, "-") == 0;
        const char *name = is_stdin ? "stdin" : path;
        int fd;

        fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int e = errno;
                g_set_error(error, MC_ERROR, e == ENOENT ? MC_ERROR_NOT_FOUND : MC_ERROR_IO,
                            "%s: %s", name, g_strerror(e));
                return false;
        }
        for (;;) {
                guint8 chunk[65536];
                ssize_t n = read(fd, chunk, sizeof chunk);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int e = errno;
                        if (!is_stdin)
                                close(fd);
                        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: %s", name, g_strerror(e));
                        return false;
                }
                if (n == 0)
                        break;
                if (buf->len + (gsize) n > max_size) {
                        if (!is_stdin)
                                close(fd);
                        g_set_error(error, MC_ERROR, MC_ERROR_LIMIT,
                                    "%s: larger than the limit of %zu bytes", name, max_size);
                        return false;
                }
                g_byte_array_append(buf, chunk, (guint) n);
        }
        if (!is_stdin)
                close(fd);
        *ret_len = buf->len;
        g_byte_array_append(buf, (const guint8 *) "", 1); /* NUL-terminate for convenience */
        *ret_data = (char *) g_byte_array_free(g_steal_pointer(&buf), false);
        return true;
}
