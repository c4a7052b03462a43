/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "data-files.h"

#include <fnmatch.h>
#include <string.h>
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

/* Read one file into a new entry; NULL when it cannot be read at all. */
static Entry *entry_read(const char *name, const char *path, bool pci) {
        g_autoptr(GError) error = NULL;
        g_autofree char *data = NULL;
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
        }
        if (fd < 0 || !ok) {
                mc_log_warning("Model data file %s", error->message);
                return NULL;
        }
        e = g_new0(Entry, 1);
        e->name = g_strdup(name);
        e->path = g_strdup(path);
        e->file = pci ? mc_pci_data_file_parse(data, len, path, &error)
                      : mc_data_file_parse(data, len, path, &error);
        if (!e->file)
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
        return a && b && strcmp(a->path, b->path) == 0 && strcmp(a->content, b->content) == 0;
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

const McDataFile *mc_data_files_lookup(const McDataFiles *df, const char *driver,
                                       const char *type_id) {
        g_autofree char *key = g_strconcat(driver ? driver : "\x1e", "\x1f", type_id, NULL);
        gpointer found;

        if (g_hash_table_lookup_extended(df->memo, key, NULL, &found))
                return found == df->memo ? NULL : ((const Entry *) found)->file;
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
        return found == df->memo ? NULL : ((const Entry *) found)->file;
}

/* The identity values a vfio-pci file matches on, in a fixed order. */
static const char *const pci_match_names[] = { "driver", "vendor", "device", "subsystem-vendor",
                                               "subsystem-device", "class", "pf-driver", NULL };

const McDataFile *mc_data_files_lookup_pci(const McDataFiles *df, const GPtrArray *identity) {
        g_autoptr(GString) key = g_string_new(NULL);
        gpointer found;

        for (guint i = 0; pci_match_names[i]; i++) {
                const char *v = mc_pairs_get(identity, pci_match_names[i]);
                g_string_append(key, v ? v : "\x1e");
                g_string_append_c(key, '\x1f');
        }
        if (g_hash_table_lookup_extended(df->memo, key->str, NULL, &found))
                return found == df->memo ? NULL : ((const Entry *) found)->file;
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
        return found == df->memo ? NULL : ((const Entry *) found)->file;
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
                n += ((Entry *) df->entries->pdata[i])->file != NULL;
        return n;
}

guint mc_data_files_n_failed(const McDataFiles *df) {
        return df->entries->len - mc_data_files_n_loaded(df);
}
