/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE /* O_PATH */
#include "data-files.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf-dirs.h"
#include "mc-error.h"
#include "mc-log.h"
#include "trust.h"

#define MEMO_MAX 4096

typedef struct {
        char *name;
        char *path;
        char *content;     /* raw bytes, to tell a real change from a touch */
        McDataFile *file;  /* NULL when it failed to parse */
        /* Not trusted (trust.h): why, as published for what it matches
         * ("model data file P is not trusted: ...; fix: ..."). Its match
         * rules are used, its facts never (file->info is dropped). */
        char *untrusted;
} Entry;

struct McDataFiles {
        GStrv dirs;
        bool pci;           /* vfio-pci-models.d */
        GPtrArray *entries; /* Entry*, sorted by name */
        /* Answers of lookup() since the files last changed: a host has the
         * same few (driver, type) pairs on every parent, and each lookup
         * is a shell-glob match against every file. Bounded by the pairs
         * the host has. Key "driver\x1ftype" ("\x1e" for no driver); value
         * the Entry, or the table itself for "none matches". */
        GHashTable *memo;
};

static void entry_free(Entry *e) {
        g_free(e->name);
        g_free(e->path);
        g_free(e->content);
        g_free(e->untrusted);
        mc_data_file_free(e->file);
        g_free(e);
}

McDataFiles *mc_data_files_new(const char *const *dirs) {
        McDataFiles *df = g_new0(McDataFiles, 1);
        df->dirs = g_strdupv((char **) dirs);
        df->entries = g_ptr_array_new_with_free_func((GDestroyNotify) entry_free);
        df->memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        return df;
}

McDataFiles *mc_data_files_new_pci(const char *const *dirs) {
        McDataFiles *df = mc_data_files_new(dirs);
        df->pci = true;
        return df;
}

void mc_data_files_free(McDataFiles *df) {
        if (!df)
                return;
        g_strfreev(df->dirs);
        g_ptr_array_unref(df->entries);
        g_hash_table_unref(df->memo);
        g_free(df);
}

const char *const *mc_data_files_dirs(const McDataFiles *df) {
        return (const char *const *) df->dirs;
}

/* Read a file that failed the trust check, only to learn what it would
 * match. It may be anybody's: open it without following it into a device
 * (O_PATH opens nothing), and read it only if it is a regular file. */
static bool read_untrusted(const char *path, char **data, gsize *len, GError **error) {
        char proc[64];
        struct stat st;
        int pfd, fd;
        bool ok;

        pfd = open(path, O_PATH | O_CLOEXEC);
        if (pfd < 0 || fstat(pfd, &st) < 0 || !S_ISREG(st.st_mode)) {
                int e = pfd < 0 ? errno : 0;
                if (pfd >= 0)
                        close(pfd);
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: %s", path,
                            e ? g_strerror(e) : "not a regular file");
                return false;
        }
        /* The same inode, now for reading. */
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", pfd);
        fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        close(pfd);
        if (fd < 0) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "%s: %s", path, g_strerror(errno));
                return false;
        }
        ok = mc_conf_fd_read(fd, path, 0, data, len, error);
        close(fd);
        return ok;
}

/* The published reason for an untrusted file, from mc_trust_open()'s
 * error, which names the file or the directory on its path at fault. */
static char *untrusted_reason(const char *path, const char *message) {
        size_t n = strlen(path);

        if (strncmp(message, path, n) == 0 && g_str_has_prefix(message + n, " is not trusted"))
                return g_strdup_printf("model data file %s", message);
        return g_strdup_printf("model data file %s cannot be trusted: %s", path, message);
}

/* Read one file into a new entry; NULL when it cannot be read at all. */
static Entry *entry_read(const char *name, const char *path, bool pci) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GError) read_error = NULL;
        g_autofree char *data = NULL;
        g_autofree char *untrusted = NULL;
        gsize len = 0;
        bool ok = false;
        Entry *e;
        int fd;

        /* The facts in it decide what is migrated where: only a file that
         * nobody but root can have written is used (trust.h). */
        fd = mc_trust_open(path, &error);
        if (fd >= 0) {
                ok = mc_conf_fd_read(fd, path, 0, &data, &len, &error);
                close(fd);
        } else if (read_untrusted(path, &data, &len, &read_error)) {
                /* It exists and is a file: what it would match is published
                 * as not migratable, naming it and the fix, rather than
                 * falling through to another file or to "none matches". */
                untrusted = untrusted_reason(path, error->message);
                g_clear_error(&error);
                ok = true;
        }
        if (!ok) {
                mc_log_warning("Model data file %s", error->message);
                return NULL;
        }
        e = g_new0(Entry, 1);
        e->name = g_strdup(name);
        e->path = g_strdup(path);
        e->file = pci ? mc_pci_data_file_parse(data, len, path, &error)
                      : mc_data_file_parse(data, len, path, &error);
        if (untrusted) {
                /* What it says is not believed; its parse errors are not
                 * logged either (it may be a link to a file of root's). */
                if (e->file)
                        g_clear_pointer(&e->file->info, mc_info_unref);
                /* "Model data file ...", as the other lines. */
                mc_log_warning("M%s%s", untrusted + 1,
                               e->file ? "; what it matches is not migratable"
                                       : "; it does not parse either, and is left out");
                e->untrusted = g_steal_pointer(&untrusted);
        } else if (!e->file)
                mc_log_warning("Ignoring model data file (%s error): %s",
                               mc_error_code_name(error->code), error->message);
        e->content = g_steal_pointer(&data);
        return e;
}

static gint entry_cmp(gconstpointer a, gconstpointer b) {
        const Entry *ea = *(Entry *const *) a, *eb = *(Entry *const *) b;
        return strcmp(ea->name, eb->name);
}

static int find_entry(const McDataFiles *df, const char *name) {
        for (guint i = 0; i < df->entries->len; i++)
                if (strcmp(((Entry *) df->entries->pdata[i])->name, name) == 0)
                        return (int) i;
        return -1;
}

static bool entries_same(const Entry *a, const Entry *b) {
        /* A chmod or chown changes only whether it is trusted. */
        return a && b && strcmp(a->path, b->path) == 0 && strcmp(a->content, b->content) == 0 &&
               g_strcmp0(a->untrusted, b->untrusted) == 0;
}

/* Replace (or drop, when path is NULL) the entry for name. */
static bool update_name(McDataFiles *df, const char *name, const char *path) {
        int at = find_entry(df, name);
        Entry *old = at >= 0 ? df->entries->pdata[at] : NULL;
        Entry *e = path ? entry_read(name, path, df->pci) : NULL;

        if (entries_same(old, e)) {
                entry_free(e);
                return false;
        }
        if (!old && !e)
                return false;
        g_hash_table_remove_all(df->memo);
        if (at >= 0)
                g_ptr_array_remove_index(df->entries, (guint) at);
        if (e) {
                g_ptr_array_add(df->entries, e);
                g_ptr_array_sort(df->entries, entry_cmp);
        }
        mc_log_info("Model data file %s %s", name, !e ? "removed" : old ? "changed" : "added");
        return true;
}

bool mc_data_files_load(McDataFiles *df) {
        g_autoptr(GPtrArray) files = mc_conf_dirs_list((const char *const *) df->dirs, ".json");
        g_autoptr(GHashTable) present = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
        bool changed = false;

        for (guint i = 0; i < files->len; i++) {
                McConfFile *f = files->pdata[i];
                g_hash_table_add(present, f->name);
                changed |= update_name(df, f->name, f->path);
        }
        for (guint i = 0; i < df->entries->len; i++) {
                Entry *e = df->entries->pdata[i];
                if (!g_hash_table_contains(present, e->name))
                        g_ptr_array_add(gone, g_strdup(e->name));
        }
        for (guint i = 0; i < gone->len; i++)
                changed |= update_name(df, gone->pdata[i], NULL);
        return changed;
}

bool mc_data_files_reload_names(McDataFiles *df, const GPtrArray *names) {
        bool changed = false;

        if (!names)
                return mc_data_files_load(df);
        for (guint i = 0; i < names->len; i++) {
                const char *name = names->pdata[i];
                g_autofree char *path = NULL;

                if (!mc_conf_name_valid(name, ".json"))
                        continue;
                path = mc_conf_dirs_find((const char *const *) df->dirs, name);
                changed |= update_name(df, name, path);
        }
        return changed;
}

/* The answer for a memo value (an Entry, or the memo for none). */
static const McDataFile *answer(const McDataFiles *df, gconstpointer found, const char **untrusted) {
        const Entry *e = found == df->memo ? NULL : found;

        if (untrusted)
                *untrusted = e ? e->untrusted : NULL;
        return e && !e->untrusted ? e->file : NULL;
}

const McDataFile *mc_data_files_lookup(const McDataFiles *df, const char *driver,
                                       const char *type_id, const char **untrusted) {
        g_autofree char *key = g_strconcat(driver ? driver : "\x1e", "\x1f", type_id, NULL);
        gpointer found;

        if (g_hash_table_lookup_extended(df->memo, key, NULL, &found))
                return answer(df, found, untrusted);
        found = df->memo;
        for (guint i = 0; i < df->entries->len; i++) {
                Entry *e = df->entries->pdata[i];
                if (e->file && mc_data_file_matches(e->file, driver, type_id)) {
                        found = e;
                        break;
                }
        }
        /* Types come and go over a long life: never more than this. */
        if (g_hash_table_size(df->memo) >= MEMO_MAX)
                g_hash_table_remove_all(df->memo);
        g_hash_table_insert(df->memo, g_steal_pointer(&key), found);
        return answer(df, found, untrusted);
}

/* The identity values a vfio-pci file matches on, in a fixed order. */
static const char *const pci_match_names[] = { "driver", "vendor", "device", "subsystem-vendor",
                                               "subsystem-device", "class", "pf-driver", NULL };

const McDataFile *mc_data_files_lookup_pci(const McDataFiles *df, const GPtrArray *identity,
                                           const char **untrusted) {
        g_autoptr(GString) key = g_string_new(NULL);
        gpointer found;

        for (guint i = 0; pci_match_names[i]; i++) {
                const char *v = mc_pairs_get(identity, pci_match_names[i]);
                g_string_append(key, v ? v : "\x1e");
                g_string_append_c(key, '\x1f');
        }
        if (g_hash_table_lookup_extended(df->memo, key->str, NULL, &found))
                return answer(df, found, untrusted);
        found = df->memo;
        for (guint i = 0; i < df->entries->len; i++) {
                Entry *e = df->entries->pdata[i];
                if (e->file && mc_pci_data_file_matches(e->file, identity)) {
                        found = e;
                        break;
                }
        }
        if (g_hash_table_size(df->memo) >= MEMO_MAX)
                g_hash_table_remove_all(df->memo);
        g_hash_table_insert(df->memo, g_string_free(g_steal_pointer(&key), false), found);
        return answer(df, found, untrusted);
}

bool mc_data_files_names_driver(const McDataFiles *df, const char *driver) {
        for (guint i = 0; i < df->entries->len; i++) {
                Entry *e = df->entries->pdata[i];
                if (e->file && e->file->match_driver &&
                    fnmatch(e->file->match_driver, driver, 0) == 0)
                        return true;
        }
        return false;
}

guint mc_data_files_n_loaded(const McDataFiles *df) {
        guint n = 0;
        for (guint i = 0; i < df->entries->len; i++)
                n += ((Entry *) df->entries->pdata[i])->file != NULL &&
                     !((Entry *) df->entries->pdata[i])->untrusted;
        return n;
}

guint mc_data_files_n_failed(const McDataFiles *df) {
        return df->entries->len - mc_data_files_n_loaded(df);
}
