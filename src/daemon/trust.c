/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc-error.h"

#define MAX_SYMLINKS 40 /* as the kernel's path walk */

static void safe_close(int *fd) {
        if (*fd >= 0) {
                close(*fd);
                *fd = -1;
        }
}

/* The path as a shell word: bare when it can be, for a readable fix. */
static char *shell_word(const char *path) {
        for (const char *p = path; *p; p++)
                if (!g_ascii_isalnum(*p) && !strchr("/._+-@:,=%", *p))
                        return g_shell_quote(path);
        return g_strdup(path);
}

/* NULL when st (of path) may be trusted; else the reason. */
static char *untrusted_reason(const char *path, const struct stat *st) {
        bool owner_ok = st->st_uid == 0 || st->st_uid == geteuid();
        bool mode_ok = (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
        g_autoptr(GString) what = g_string_new(NULL);
        g_autoptr(GString) fix = g_string_new(NULL);
        g_autofree char *quoted = shell_word(path);

        /* A sticky directory of ours: others cannot replace our entries. */
        if (S_ISDIR(st->st_mode) && owner_ok && (st->st_mode & S_ISVTX))
                mode_ok = true;
        if (owner_ok && mode_ok)
                return NULL;

        if (!owner_ok) {
                g_string_append_printf(what, "owned by uid %u", (unsigned) st->st_uid);
                g_string_append_printf(fix, "chown root:root %s", quoted);
        }
        if (!mode_ok) {
                g_string_append_printf(what, "%swritable by %s (mode %04o)", what->len ? " and " : "",
                                       (st->st_mode & S_IWGRP) && (st->st_mode & S_IWOTH) ? "group and others"
                                       : (st->st_mode & S_IWGRP)                          ? "group"
                                                                                          : "others",
                                       (unsigned) (st->st_mode & 07777));
                g_string_append_printf(fix, "%schmod go-w %s", fix->len ? "; " : "", quoted);
        }
        return g_strdup_printf("%s is not trusted: %s; fix: %s", path, what->str, fix->str);
}

static int fail_errno(GError **error, const char *path, int err) {
        g_set_error(error, MC_ERROR, err == ENOENT ? MC_ERROR_NOT_FOUND : MC_ERROR_IO, "%s: %s", path,
                    g_strerror(err));
        return -1;
}

int mc_trust_open(const char *path, GError **error) {
        g_autoptr(GString) todo = NULL;  /* what is left to walk */
        g_autoptr(GString) done = NULL;  /* the real path walked so far */
        g_autofree char *reason = NULL;
        int dir = -1, fd = -1, links = 0;
        struct stat st;

        g_return_val_if_fail(path, -1);
        if (path[0] != '/') {
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "%s: not an absolute path", path);
                return -1;
        }

        todo = g_string_new(path);
        done = g_string_new("");
        dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0 || fstat(dir, &st) < 0)
                goto fail_errno_root;
        if ((reason = untrusted_reason("/", &st)))
                goto untrusted;

        for (;;) {
                g_autofree char *name = NULL;
                const char *p = todo->str;
                gsize len;

                while (*p == '/')
                        p++;
                len = strcspn(p, "/");
                if (len == 0) {
                        /* Ends in "/" or names "/": not a file. */
                        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: not a regular file", path);
                        goto fail;
                }
                name = g_strndup(p, len);
                g_string_erase(todo, 0, (gssize) (p + len - todo->str));

                if (strcmp(name, ".") == 0)
                        continue;
                if (strcmp(name, "..") == 0) {
                        /* Back up in the real path; the parent was checked
                         * on the way down (or is "/"). */
                        char *slash = strrchr(done->str, '/');
                        int parent;
                        if (slash)
                                g_string_truncate(done, (gsize) (slash - done->str));
                        parent = openat(dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (parent < 0)
                                goto fail_errno_done;
                        safe_close(&dir);
                        dir = parent;
                        continue;
                }

                fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                g_string_append_c(done, '/');
                g_string_append(done, name);
                if (fd < 0 || fstat(fd, &st) < 0)
                        goto fail_errno_done;

                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
                        char *slash;

                        if (n < 0)
                                goto fail_errno_done;
                        if (++links > MAX_SYMLINKS) {
                                errno = ELOOP;
                                goto fail_errno_done;
                        }
                        target[n] = '\0';
                        safe_close(&fd);
                        /* Walk the target, then what was left. */
                        g_string_prepend_c(todo, '/');
                        g_string_prepend(todo, target);
                        slash = strrchr(done->str, '/');
                        g_string_truncate(done, (gsize) (slash - done->str));
                        if (target[0] == '/') {
                                safe_close(&dir);
                                g_string_truncate(done, 0);
                                dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                                if (dir < 0)
                                        goto fail_errno_root;
                        }
                        continue;
                }

                if ((reason = untrusted_reason(done->str, &st)))
                        goto untrusted;

                /* More to walk? */
                if (strspn(todo->str, "/") < todo->len) {
                        if (!S_ISDIR(st.st_mode)) {
                                errno = ENOTDIR;
                                goto fail_errno_done;
                        }
                        safe_close(&dir);
                        dir = fd;
                        fd = -1;
                        continue;
                }
                if (!S_ISREG(st.st_mode)) {
                        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: not a regular file", path);
                        goto fail;
                }
                break;
        }

        /* Reopen the checked file for reading, and make sure it is the
         * same one (the name may have been replaced meanwhile by root). */
        {
                struct stat st2;
                const char *base = strrchr(done->str, '/') + 1;
                int rfd = openat(dir, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                if (rfd < 0 || fstat(rfd, &st2) < 0) {
                        int e = errno;
                        if (rfd >= 0)
                                close(rfd);
                        errno = e;
                        goto fail_errno_done;
                }
                if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
                        close(rfd);
                        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: replaced while being checked", path);
                        goto fail;
                }
                /* Back to blocking reads. */
                (void) fcntl(rfd, F_SETFL, 0);
                safe_close(&fd);
                safe_close(&dir);
                return rfd;
        }

untrusted:
        g_set_error_literal(error, MC_ERROR, MC_ERROR_IO, reason);
        goto fail;
fail_errno_root:
        fail_errno(error, "/", errno);
        goto fail;
fail_errno_done:
        if (g_strcmp0(done->str, path) == 0 || errno == ENOENT)
                fail_errno(error, path, errno);
        else {
                int e = errno;
                g_set_error(error, MC_ERROR, e == ENOENT ? MC_ERROR_NOT_FOUND : MC_ERROR_IO, "%s: %s: %s", path,
                            done->str, g_strerror(e));
        }
fail:
        safe_close(&fd);
        safe_close(&dir);
        return -1;
}
