/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include "conf-dirs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mc-error.h"
#include "mc-log.h"
#include "mc-types.h"

typedef enum {
        ENTRY_SKIP,    /* not a file of ours: ignored, overrides nothing */
        ENTRY_REGULAR, /* a regular file (possibly through a symlink) */
        ENTRY_MASK,    /* resolves to /dev/null: hides the name */
} EntryKind;

void mc_conf_file_free(McConfFile *f) {
        if (!f)
                return;
        g_free(f->name);
        g_free(f->path);
        g_free(f);
}

bool mc_conf_name_valid(const char *name, const char *suffix) {
        size_t n, s;

        if (!name || !suffix || name[0] == '\0' || name[0] == '.' || strchr(name, '/'))
                return false;
        n = strlen(name);
        s = strlen(suffix);
        if (n <= s || strcmp(name + n - s, suffix) != 0)
                return false;
        /* The name becomes an implementation id on the bus and in messages:
         * it must be text D-Bus can carry, without control characters. */
        if (!g_utf8_validate(name, (gssize) n, NULL))
                return false;
        for (const char *p = name; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static EntryKind classify(const char *path) {
        struct stat st;

        /* Follow symlinks: /etc entries are often links into /usr or
         * /opt; a dangling link is nothing. */
        if (stat(path, &st) < 0)
                return ENTRY_SKIP;
        if (S_ISREG(st.st_mode))
                return ENTRY_REGULAR;
        if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
                return ENTRY_MASK;
        return ENTRY_SKIP;
}

static gint conf_file_cmp(gconstpointer a, gconstpointer b) {
        const McConfFile *fa = *(McConfFile *const *) a;
        const McConfFile *fb = *(McConfFile *const *) b;
        return strcmp(fa->name, fb->name);
}

GPtrArray *mc_conf_dirs_list(const char *const *dirs, const char *suffix) {
        /* name -> winning path, NULL when masked */
        g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        GPtrArray *files = g_ptr_array_new_with_free_func((GDestroyNotify) mc_conf_file_free);
        GHashTableIter it;
        gpointer k, v;

        for (const char *const *d = dirs; d && *d; d++) {
                DIR *dir = opendir(*d);
                struct dirent *de;

                if (!dir) {
                        if (errno != ENOENT && errno != ENOTDIR)
                                mc_log_warning("Cannot read directory %s: %s", *d, g_strerror(errno));
                        continue;
                }
                while ((errno = 0, de = readdir(dir))) {
                        g_autofree char *path = NULL;
                        EntryKind kind;

                        if (!mc_conf_name_valid(de->d_name, suffix))
                                continue;
                        path = g_build_filename(*d, de->d_name, NULL);
                        kind = classify(path);
                        if (kind == ENTRY_REGULAR)
                                g_hash_table_replace(names, g_strdup(de->d_name), g_steal_pointer(&path));
                        else if (kind == ENTRY_MASK)
                                g_hash_table_replace(names, g_strdup(de->d_name), NULL);
                }
                if (errno != 0)
                        mc_log_warning("Cannot read directory %s: %s", *d, g_strerror(errno));
                closedir(dir);
        }

        g_hash_table_iter_init(&it, names);
        while (g_hash_table_iter_next(&it, &k, &v)) {
                McConfFile *f;
                if (!v)
                        continue;
                f = g_new0(McConfFile, 1);
                f->name = g_strdup(k);
                f->path = g_strdup(v);
                g_ptr_array_add(files, f);
        }
        g_ptr_array_sort(files, conf_file_cmp);
        return files;
}

char *mc_conf_dirs_find(const char *const *dirs, const char *name) {
        size_t n = 0;

        if (!name || name[0] == '\0' || name[0] == '.' || strchr(name, '/'))
                return NULL;
        while (dirs && dirs[n])
                n++;
        /* Highest precedence first; entries that are skipped in a listing
         * override nothing here either. */
        while (n-- > 0) {
                g_autofree char *path = g_build_filename(dirs[n], name, NULL);
                switch (classify(path)) {
                case ENTRY_REGULAR:
                        return g_steal_pointer(&path);
                case ENTRY_MASK:
                        return NULL;
                case ENTRY_SKIP:
                        break;
                }
        }
        return NULL;
}

bool mc_conf_fd_read(int fd, const char *origin, gsize max_size, char **ret_data, gsize *ret_len,
                     GError **error) {
        g_autoptr(GByteArray) buf = NULL;
        struct stat st;

        if (max_size == 0)
                max_size = MC_MAX_DOCUMENT_SIZE;

        if (fstat(fd, &st) < 0) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: %s", origin, g_strerror(errno));
                return false;
        }
        if (!S_ISREG(st.st_mode)) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: not a regular file", origin);
                return false;
        }
        if ((guint64) st.st_size > max_size) {
                g_set_error(error, MC_ERROR, MC_ERROR_LIMIT, "%s: larger than %" G_GSIZE_FORMAT " bytes",
                            origin, max_size);
                return false;
        }

        /* The size may change under us: read up to one byte past the limit
         * rather than trusting st_size. */
        buf = g_byte_array_sized_new((guint) st.st_size + 1);
        for (;;) {
                guint8 chunk[16384];
                ssize_t n = read(fd, chunk, MIN(sizeof chunk, max_size + 1 - buf->len));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: %s", origin, g_strerror(errno));
                        return false;
                }
                if (n == 0)
                        break;
                g_byte_array_append(buf, chunk, (guint) n);
                if (buf->len > max_size) {
                        g_set_error(error, MC_ERROR, MC_ERROR_LIMIT,
                                    "%s: larger than %" G_GSIZE_FORMAT " bytes", origin, max_size);
                        return false;
                }
        }

        if (ret_len)
                *ret_len = buf->len;
        g_byte_array_append(buf, (const guint8 *) "", 1);
        *ret_data = (char *) g_byte_array_free(g_steal_pointer(&buf), FALSE);
        return true;
}

bool mc_conf_file_read(const char *path, gsize max_size, char **ret_data, gsize *ret_len,
                       GError **error) {
        int fd;
        bool ok;

        /* O_NONBLOCK: opening a FIFO must not hang; it is then refused as
         * not a regular file. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                int e = errno;
                g_set_error(error, MC_ERROR, e == ENOENT ? MC_ERROR_NOT_FOUND : MC_ERROR_IO, "%s: %s",
                            path, g_strerror(e));
                return false;
        }
        ok = mc_conf_fd_read(fd, path, max_size, ret_data, ret_len, error);
        close(fd);
        return ok;
}
