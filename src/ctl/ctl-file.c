/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"

static gboolean fail(GError **error, const char *path, const char *what, int err) {
        g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "cannot write %s: %s: %s", path, what, g_strerror(err));
        return FALSE;
}

gboolean ctl_file_replace(const char *path, const char *data, gsize len, GError **error) {
        g_autofree char *dir = g_path_get_dirname(path);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *tmp = NULL;
        mode_t mask;
        int fd, dfd, err;

        if (!*path || g_str_has_suffix(path, "/") || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
                return fail(error, path, "not a file name", EISDIR);
        tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
        fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0)
                return fail(error, path, "creating a temporary file in its directory", errno);

        /* The mode a redirection would give, not mkstemp's 0600: readers
         * such as nfd-worker need not run as the writer's user. */
        mask = umask(0);
        umask(mask);
        if (fchmod(fd, 0644 & ~mask) < 0)
                goto fail_errno;
        for (gsize done = 0; done < len;) {
                ssize_t n = write(fd, data + done, len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        goto fail_errno;
                done += (gsize) n;
        }
        if (fsync(fd) < 0)
                goto fail_errno;
        if (close(fd) < 0) {
                fd = -1;
                goto fail_errno;
        }
        fd = -1;
        if (rename(tmp, path) < 0)
                goto fail_errno;
        /* The rename itself on disk, so that a crash leaves the new file. */
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                (void) fsync(dfd);
                close(dfd);
        }
        return TRUE;

fail_errno:
        err = errno;
        if (fd >= 0)
                close(fd);
        unlink(tmp);
        return fail(error, path, "writing", err);
}
