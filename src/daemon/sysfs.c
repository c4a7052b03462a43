/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE /* O_PATH */
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mc-error.h"
#include "mc-quote.h"

struct McSysfsDir {
        int fd;       /* owned, unless sub */
        char *sub;    /* a handle from mc_sysfs_dir_sub(): names are sub/name below fd */
        char *path;
};

static char *join(const McSysfsDir *dir, const char *name) {
        if (!name || !*name || strcmp(name, ".") == 0)
                return g_strdup(dir->path);
        return g_strconcat(dir->path, "/", name, NULL);
}

/* name as the system calls see it, below dir->fd ("." for the directory
 * itself); NULL (errno ENAMETOOLONG) when it does not fit buf. */
static const char *rel(const McSysfsDir *dir, const char *name, char *buf, size_t size) {
        bool self = !name || !*name || strcmp(name, ".") == 0;
        int n;

        if (!dir->sub)
                return self ? "." : name;
        n = self ? snprintf(buf, size, "%s", dir->sub) : snprintf(buf, size, "%s/%s", dir->sub, name);
        if (n < 0 || (size_t) n >= size) {
                errno = ENAMETOOLONG;
                return NULL;
        }
        return buf;
}

/* Turn a failed open into a message a person can act on. ELOOP from
 * O_NOFOLLOW means "this is a symlink", which strerror words as a loop. */
static void set_open_error(GError **error, int dirfd, const char *name, const char *path,
                           int err, const char *expected) {
        struct stat st;

        if (err == ENOENT) {
                g_set_error(error, MC_ERROR, MC_ERROR_NOT_FOUND, "%s: does not exist", path);
                return;
        }
        /* With O_NOFOLLOW a symlink fails with ELOOP, or with ENOTDIR when
         * O_DIRECTORY is also given. */
        if ((err == ELOOP || err == ENOTDIR) &&
            fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO,
                            "%s: is a symbolic link, expected %s", path, expected);
                return;
        }
        if (err == ENOTDIR) {
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "%s: expected %s", path, expected);
                return;
        }
        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: cannot open: %s", path,
                    g_strerror(err));
}

/* Open name below dirfd without following a symlink anywhere in it
 * (openat2 with RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH: stricter than
 * O_NOFOLLOW, which only guards the last component), falling back to
 * openat() with O_NOFOLLOW where the kernel (before 5.6) or a seccomp
 * filter does not offer openat2. A symlink fails with ELOOP either way.
 * With it, "type/attribute" is one call where O_NOFOLLOW needs the type
 * directory opened first.
 *
 * (On the umockdev test bed it also avoids the preload library's openat()
 * wrapper, which resolves a relative name with realpath() against the
 * working directory, a getcwd() and a failing readlink() per call; it
 * does not intercept openat2, and a directory descriptor opened through
 * it already points into the bed. bench/README.md has the counts.) */
enum { OPENAT2_UNKNOWN, OPENAT2_YES, OPENAT2_NO };
/* Whether the kernel (and any seccomp filter) lets us use openat2: a fact
 * about the process, found out once, so kept process-wide. */
static gint have_openat2 = OPENAT2_UNKNOWN;

static int open_beneath(int dirfd, const char *name, int flags) {
        struct open_how how = {
                .flags = (uint64_t) (flags & ~O_NOFOLLOW),
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH,
        };
        long fd;

        if (g_atomic_int_get(&have_openat2) != OPENAT2_NO) {
                fd = syscall(SYS_openat2, dirfd, name, &how, sizeof how);
                if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) {
                        g_atomic_int_set(&have_openat2, OPENAT2_YES);
                        return (int) fd;
                }
                g_atomic_int_set(&have_openat2, OPENAT2_NO);
        }
        return openat(dirfd, name, flags | O_NOFOLLOW);
}

static McSysfsDir *dir_new(int fd, char *path) {
        McSysfsDir *d = g_new0(McSysfsDir, 1);
        d->fd = fd;
        d->path = path;
        return d;
}

/* The name as the system calls see it (rel()); when it does not fit,
 * set error (naming the path) and return `what` from the caller. */
#define REL_OR_FAIL(dir, name, buf, what)                                                        \
        ({                                                                                       \
                const char *_r = rel((dir), (name), (buf), sizeof(buf));                        \
                if (!_r) {                                                                       \
                        g_autofree char *_p = join((dir), (name));                              \
                        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: cannot open: %s", _p,    \
                                    g_strerror(ENAMETOOLONG));                                   \
                        return what;                                                             \
                }                                                                                \
                _r;                                                                              \
        })

McSysfsDir *mc_sysfs_dir_open(const char *path, GError **error) {
        int fd;

        g_return_val_if_fail(path && path[0] == '/', NULL);

        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                set_open_error(error, AT_FDCWD, path, path, errno, "a directory");
                return NULL;
        }
        return dir_new(fd, g_strdup(path));
}

McSysfsDir *mc_sysfs_dir_open_at(const McSysfsDir *dir, const char *name, GError **error) {
        char buf[PATH_MAX];
        const char *r = REL_OR_FAIL(dir, name, buf, NULL);
        g_autofree char *path = join(dir, name);
        int fd;

        fd = open_beneath(dir->fd, r, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                set_open_error(error, dir->fd, r, path, errno, "a directory");
                return NULL;
        }
        return dir_new(fd, g_steal_pointer(&path));
}

McSysfsDir *mc_sysfs_dir_sub(const McSysfsDir *dir, const char *name, GError **error) {
        McSysfsDir *d;

        g_return_val_if_fail(!dir->sub && name && *name && !strchr(name, '/'), NULL);

        if (g_atomic_int_get(&have_openat2) == OPENAT2_UNKNOWN) {
                int fd = open_beneath(dir->fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0)
                        close(fd);
        }
        /* Without openat2, "name/attr" would follow a symlink at name:
         * open it for real then. */
        if (g_atomic_int_get(&have_openat2) != OPENAT2_YES)
                return mc_sysfs_dir_open_at(dir, name, error);
        d = dir_new(dir->fd, join(dir, name));
        d->sub = g_strdup(name);
        return d;
}

void mc_sysfs_dir_free(McSysfsDir *dir) {
        if (!dir)
                return;
        if (dir->fd >= 0 && !dir->sub)
                close(dir->fd);
        g_free(dir->sub);
        g_free(dir->path);
        g_free(dir);
}

const char *mc_sysfs_dir_path(const McSysfsDir *dir) {
        return dir->path;
}

bool mc_sysfs_exists(const McSysfsDir *dir, const char *name) {
        char buf[PATH_MAX];
        const char *r = rel(dir, name, buf, sizeof buf);
        struct stat st;

        return r && fstatat(dir->fd, r, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static gint strcmp_p(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *mc_sysfs_list(const McSysfsDir *dir, const char *name, guint max_entries,
                         GError **error) {
        g_autofree char *path = join(dir, name);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        struct dirent *de;
        DIR *d;
        int fd;

        char buf[PATH_MAX];
        const char *r = REL_OR_FAIL(dir, name, buf, NULL);

        fd = open_beneath(dir->fd, r, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                set_open_error(error, dir->fd, r, path, errno, "a directory");
                return NULL;
        }
        d = fdopendir(fd);
        if (!d) {
                int err = errno;
                close(fd);
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: cannot list: %s", path,
                            g_strerror(err));
                return NULL;
        }
        for (;;) {
                errno = 0;
                de = readdir(d);
                if (!de)
                        break;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (names->len >= max_entries) {
                        closedir(d);
                        g_set_error(error, MC_ERROR, MC_ERROR_LIMIT,
                                    "%s: more than %u entries", path, max_entries);
                        return NULL;
                }
                g_ptr_array_add(names, g_strdup(de->d_name));
        }
        if (errno != 0) {
                int err = errno;
                closedir(d);
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: cannot list: %s", path,
                            g_strerror(err));
                return NULL;
        }
        closedir(d);
        g_ptr_array_sort(names, strcmp_p);
        return g_steal_pointer(&names);
}

char *mc_sysfs_read_text(const McSysfsDir *dir, const char *name, gsize max, gsize *ret_len,
                         GError **error) {
        /* The usual attribute fits a page: read it on the stack, and keep
         * only a right-sized copy (a big host keeps several attributes of
         * every type). The path is only spelled out for an error. */
        char page[4096 + 1];
        g_autofree char *heap = NULL;
        g_autofree char *path = NULL;
        char *buf = page;
        gsize len = 0, alloc;
        struct stat st;
        int fd;

        /* O_NONBLOCK: opening a FIFO planted where an attribute belongs
         * must not hang the daemon; it is refused below. */
        char relbuf[PATH_MAX];
        const char *r = REL_OR_FAIL(dir, name, relbuf, NULL);

        fd = open_beneath(dir->fd, r, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                int err = errno;
                path = join(dir, name);
                set_open_error(error, dir->fd, r, path, err, "a regular file");
                return NULL;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                path = join(dir, name);
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                            "%s: is not a regular file", path);
                return NULL;
        }

        /* sysfs reports a size of 4096 for every attribute, so st_size is
         * no guide: read until EOF, one byte past the cap to detect it. */
        alloc = MIN(max + 1, sizeof page - 1);
        for (;;) {
                ssize_t n;

                if (len == alloc) {
                        if (alloc > max)
                                break;
                        alloc = MIN(alloc * 2, max + 1);
                        if (buf == page) {
                                heap = g_malloc(alloc + 1);
                                memcpy(heap, page, len);
                        } else {
                                heap = g_realloc(heap, alloc + 1);
                        }
                        buf = heap;
                }
                n = read(fd, buf + len, alloc - len);
                if (n < 0) {
                        int err = errno;
                        if (err == EINTR)
                                continue;
                        close(fd);
                        path = join(dir, name);
                        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: cannot read: %s", path,
                                    g_strerror(err));
                        return NULL;
                }
                if (n == 0)
                        break;
                len += (gsize) n;
                /* A regular file (it is one: see fstat above) reads short
                 * only at its end, and a sysfs attribute returns all of its
                 * (at most a page of) text at once: no second read to see
                 * EOF, which is a fifth of what reading a host costs. */
                if (len < alloc)
                        break;
        }
        close(fd);

        if (len > max) {
                path = join(dir, name);
                g_set_error(error, MC_ERROR, MC_ERROR_LIMIT,
                            "%s: larger than %" G_GSIZE_FORMAT " bytes", path, max);
                return NULL;
        }
        if (memchr(buf, '\0', len)) {
                path = join(dir, name);
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "%s: contains a NUL byte", path);
                return NULL;
        }
        if (len > 0 && buf[len - 1] == '\n')
                len--;
        buf[len] = '\0';
        if (!g_utf8_validate(buf, (gssize) len, NULL)) {
                path = join(dir, name);
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "%s: is not valid UTF-8", path);
                return NULL;
        }
        if (ret_len)
                *ret_len = len;
        return g_strndup(buf, len);
}

bool mc_sysfs_read_uint(const McSysfsDir *dir, const char *name, uint64_t max, uint64_t *ret,
                        GError **error) {
        g_autofree char *text = NULL;
        g_autofree char *path = NULL;
        guint64 v;

        /* 64 bytes: any real number fits, any garbage is cut short. */
        text = mc_sysfs_read_text(dir, name, 64, NULL, error);
        if (!text)
                return false;
        if (!g_ascii_string_to_unsigned(text, 10, 0, max, &v, NULL)) {
                g_autofree char *shown = mc_quote(text, 64);
                path = join(dir, name);
                if (!*text)
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                    "%s: is empty, expected a decimal number", path);
                else
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                    "%s: \"%s\" is not a decimal number from 0 to %" G_GUINT64_FORMAT,
                                    path, shown, (guint64) max);
                return false;
        }
        *ret = v;
        return true;
}

char *mc_sysfs_read_link(const McSysfsDir *dir, const char *name, GError **error) {
        char relbuf[PATH_MAX];
        const char *r = REL_OR_FAIL(dir, name, relbuf, NULL);
        char buf[PATH_MAX];
        ssize_t n;

        n = readlinkat(dir->fd, r, buf, sizeof buf);
        if (n < 0 || (size_t) n >= sizeof buf) {
                int err = n < 0 ? errno : ENAMETOOLONG;
                g_autofree char *path = join(dir, name);
                if (err == ENOENT)
                        g_set_error(error, MC_ERROR, MC_ERROR_NOT_FOUND, "%s: does not exist", path);
                else if (err == EINVAL)
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "%s: is not a symbolic link", path);
                else
                        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: cannot read link: %s", path,
                                    g_strerror(err));
                return NULL;
        }
        buf[n] = '\0';
        return g_strdup(buf);
}

char *mc_sysfs_read_link_basename(const McSysfsDir *dir, const char *name, GError **error) {
        g_autofree char *path = join(dir, name);
        char buf[PATH_MAX];
        const char *base;
        ssize_t n;

        char relbuf[PATH_MAX];
        const char *r = REL_OR_FAIL(dir, name, relbuf, NULL);

        n = readlinkat(dir->fd, r, buf, sizeof buf);
        if (n < 0) {
                int err = errno;
                if (err == ENOENT)
                        g_set_error(error, MC_ERROR, MC_ERROR_NOT_FOUND, "%s: does not exist",
                                    path);
                else if (err == EINVAL)
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                    "%s: is not a symbolic link", path);
                else
                        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: cannot read link: %s",
                                    path, g_strerror(err));
                return NULL;
        }
        if ((size_t) n >= sizeof buf) {
                g_set_error(error, MC_ERROR, MC_ERROR_LIMIT, "%s: link target too long", path);
                return NULL;
        }
        buf[n] = '\0';
        while (n > 1 && buf[n - 1] == '/')
                buf[--n] = '\0';
        base = strrchr(buf, '/');
        base = base ? base + 1 : buf;
        if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
            !g_utf8_validate(base, -1, NULL)) {
                g_autofree char *shown = mc_quote(buf, 255);
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                            "%s: link target \"%s\" does not name anything", path, shown);
                return NULL;
        }
        return g_strdup(base);
}
