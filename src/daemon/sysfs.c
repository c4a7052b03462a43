/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc-error.h"

struct McSysfsDir {
        int fd;
        char *path;
};

static char *join(const McSysfsDir *dir, const char *name) {
        if (!name || !*name || strcmp(name, ".") == 0)
                return g_strdup(dir->path);
        return g_strconcat(dir->path, "/", name, NULL);
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

static McSysfsDir *dir_new(int fd, char *path) {
        McSysfsDir *d = g_new0(McSysfsDir, 1);
        d->fd = fd;
        d->path = path;
        return d;
}

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
        g_autofree char *path = join(dir, name);
        int fd;

        fd = openat(dir->fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                set_open_error(error, dir->fd, name, path, errno, "a directory");
                return NULL;
        }
        return dir_new(fd, g_steal_pointer(&path));
}

void mc_sysfs_dir_free(McSysfsDir *dir) {
        if (!dir)
                return;
        if (dir->fd >= 0)
                close(dir->fd);
        g_free(dir->path);
        g_free(dir);
}

int mc_sysfs_dir_fd(const McSysfsDir *dir) {
        return dir->fd;
}

const char *mc_sysfs_dir_path(const McSysfsDir *dir) {
        return dir->path;
}

bool mc_sysfs_exists(const McSysfsDir *dir, const char *name) {
        struct stat st;
        return fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
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

        fd = openat(dir->fd, name ? name : ".",
                    O_RDONLY | O_DIRECTORY | O_CLOEXEC | (name ? O_NOFOLLOW : 0));
        if (fd < 0) {
                set_open_error(error, dir->fd, name ? name : ".", path, errno, "a directory");
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
        g_autofree char *path = join(dir, name);
        g_autofree char *buf = NULL;
        gsize len = 0, alloc;
        struct stat st;
        int fd;

        /* O_NONBLOCK: opening a FIFO planted where an attribute belongs
         * must not hang the daemon; it is refused below. */
        fd = openat(dir->fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) {
                set_open_error(error, dir->fd, name, path, errno, "a regular file");
                return NULL;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                            "%s: is not a regular file", path);
                return NULL;
        }

        /* sysfs reports a size of 4096 for every attribute, so st_size is
         * no guide: read until EOF, one byte past the cap to detect it. */
        alloc = MIN(max + 1, (gsize) 4096);
        buf = g_malloc(alloc + 1);
        for (;;) {
                ssize_t n;

                if (len == alloc) {
                        if (alloc > max)
                                break;
                        alloc = MIN(alloc * 2, max + 1);
                        buf = g_realloc(buf, alloc + 1);
                }
                n = read(fd, buf + len, alloc - len);
                if (n < 0) {
                        int err = errno;
                        if (err == EINTR)
                                continue;
                        close(fd);
                        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: cannot read: %s", path,
                                    g_strerror(err));
                        return NULL;
                }
                if (n == 0)
                        break;
                len += (gsize) n;
        }
        close(fd);

        if (len > max) {
                g_set_error(error, MC_ERROR, MC_ERROR_LIMIT,
                            "%s: larger than %" G_GSIZE_FORMAT " bytes", path, max);
                return NULL;
        }
        if (memchr(buf, '\0', len)) {
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "%s: contains a NUL byte", path);
                return NULL;
        }
        if (len > 0 && buf[len - 1] == '\n')
                len--;
        buf[len] = '\0';
        if (!g_utf8_validate(buf, (gssize) len, NULL)) {
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "%s: is not valid UTF-8", path);
                return NULL;
        }
        if (ret_len)
                *ret_len = len;
        return g_steal_pointer(&buf);
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
                g_autofree char *shown = g_strescape(text, NULL);
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

char *mc_sysfs_read_link_basename(const McSysfsDir *dir, const char *name, GError **error) {
        g_autofree char *path = join(dir, name);
        char buf[PATH_MAX];
        const char *base;
        ssize_t n;

        n = readlinkat(dir->fd, name, buf, sizeof buf);
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
                g_autofree char *shown = g_strescape(buf, NULL);
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                            "%s: link target \"%s\" does not name anything", path, shown);
                return NULL;
        }
        return g_strdup(base);
}
