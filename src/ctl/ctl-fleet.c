/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Reading a fleet's host profiles (ctl-fleet.h). */

#include "ctl-fleet.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "mc-serialize.h"
#include "mc-types.h"

void ctl_fleet_host_free(CtlFleetHost *h) {
        if (!h)
                return;
        if (h->answer && h->answer_free)
                h->answer_free(h->answer);
        g_free(h->path);
        g_free(h->name);
        g_free(h->machine_id);
        g_free(h);
}

static gint path_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

bool ctl_fleet_expand(const char *path, GPtrArray *out, GError **error) {
        g_autoptr(GError) local = NULL;
        g_autoptr(GDir) dir = NULL;
        g_autoptr(GPtrArray) found = NULL;
        const char *name;
        struct stat st;

        if (strcmp(path, "-") == 0 || stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
                /* A file, or something that is not there: reading it says why. */
                g_ptr_array_add(out, g_strdup(path));
                return true;
        }
        dir = g_dir_open(path, 0, &local);
        if (!dir) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "%s: %s", path, local->message);
                return false;
        }
        found = g_ptr_array_new_with_free_func(g_free);
        while ((name = g_dir_read_name(dir)))
                if (name[0] != '.' && g_str_has_suffix(name, ".json"))
                        g_ptr_array_add(found, g_build_filename(path, name, NULL));
        g_ptr_array_sort(found, path_cmp);
        for (guint i = 0; i < found->len; i++)
                g_ptr_array_add(out, g_steal_pointer(&found->pdata[i]));
        return true;
}

bool ctl_fleet_wanted(const CtlOptions *opts) {
        struct stat st;

        if (!opts->profiles || opts->profiles->len == 0)
                return false;
        if (opts->profiles->len > 1)
                return true;
        return strcmp(opts->profiles->pdata[0], "-") != 0 && stat(opts->profiles->pdata[0], &st) == 0 &&
               S_ISDIR(st.st_mode);
}

static const char *origin_of(const char *path) {
        return strcmp(path, "-") == 0 ? "stdin" : path;
}

/* Seconds since the profile was true: its exported-at, else its file's
 * modification time (the collection procedure renames a complete file
 * into place, so that is when it was written). -1 when neither is known. */
static gint64 profile_age(const McProfile *p, const char *path, gint64 now) {
        struct stat st;

        if (p->exported_at >= 0)
                return now - p->exported_at;
        if (strcmp(path, "-") != 0 && stat(path, &st) == 0)
                return now - (gint64) st.st_mtime;
        return -1;
}

/* Is a newer than b, for two profiles of the same host? */
static bool newer(const CtlFleetHost *a, const CtlFleetHost *b) {
        if (a->exported_at >= 0 && b->exported_at >= 0 && a->exported_at != b->exported_at)
                return a->exported_at > b->exported_at;
        return a->generation > b->generation;
}

static char *host_key(const CtlFleetHost *h) {
        if (h->machine_id && *h->machine_id)
                return g_strconcat("m:", h->machine_id, NULL);
        return g_strconcat("h:", h->name, NULL);
}

/* Reading and parsing a profile costs far more than answering from it,
 * and profiles are independent: they are read on a pool of threads (one
 * per CPU), a few files ahead, while this thread takes them in file order
 * and does everything else (the notes, the choices between profiles of a
 * host, the caller's function), as if read one by one. */
typedef struct {
        const char *path;
        McProfile *profile; /* NULL when it could not be read */
        McCatalog *cat;
        GError *error;
        bool done;
} Slot;

typedef struct {
        GMutex lock;
        GCond cond;
} SlotSync;

static void read_slot(gpointer data, gpointer userdata) {
        Slot *slot = data;
        SlotSync *sync = userdata;
        g_autofree char *text = NULL;
        gsize len = 0;

        if (mc_read_document(slot->path, MC_MAX_PROFILE_SIZE, &text, &len, &slot->error))
                slot->profile = mc_profile_parse(text, len, origin_of(slot->path), &slot->error);
        if (slot->profile)
                slot->cat = mc_profile_to_catalog(slot->profile);
        if (!sync)
                return;
        g_mutex_lock(&sync->lock);
        slot->done = true;
        g_cond_broadcast(&sync->cond);
        g_mutex_unlock(&sync->lock);
}

static void slot_clear(Slot *slot) {
        g_clear_pointer(&slot->cat, mc_catalog_free);
        g_clear_pointer(&slot->profile, mc_profile_free);
        g_clear_error(&slot->error);
}

GPtrArray *ctl_fleet_read(const CtlOptions *opts, GPtrArray *paths, CtlFleetFunc func, gpointer userdata,
                          GDestroyNotify answer_free, CtlFleetCounts *counts, GError **error) {
        g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func((GDestroyNotify) ctl_fleet_host_free);
        /* host key -> index in hosts */
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        gint64 now = g_get_real_time() / G_USEC_PER_SEC;
        g_autofree Slot *slots = NULL;
        SlotSync sync;
        GThreadPool *pool = NULL;
        guint n_threads = CLAMP(g_get_num_processors(), 1, 16), ahead = 0;

        memset(counts, 0, sizeof(*counts));
        for (guint i = 0; i < paths->len; i++)
                if (!ctl_fleet_expand(paths->pdata[i], files, error))
                        return NULL;
        counts->n_files = files->len;

        slots = g_new0(Slot, files->len);
        for (guint i = 0; i < files->len; i++)
                slots[i].path = files->pdata[i];
        g_mutex_init(&sync.lock);
        g_cond_init(&sync.cond);
        /* Standard input is read here, in order, like any one file. */
        if (files->len > 1 && n_threads > 1)
                pool = g_thread_pool_new(read_slot, &sync, (gint) n_threads, true, NULL);

        for (guint i = 0; i < files->len; i++) {
                const char *path = files->pdata[i];
                Slot *slot = &slots[i];
                g_autoptr(McProfile) p = NULL;
                g_autoptr(McCatalog) cat = NULL;
                g_autoptr(CtlFleetHost) h = NULL;
                g_autofree char *key = NULL;
                gpointer old_index;
                gint64 age;

                /* Keep the pool a few files ahead: parsed profiles wait in
                 * memory until they are taken. */
                for (; pool && ahead < files->len && ahead < i + 4 * n_threads; ahead++)
                        if (strcmp(slots[ahead].path, "-") != 0)
                                g_thread_pool_push(pool, &slots[ahead], NULL);
                if (pool && strcmp(path, "-") != 0) {
                        g_mutex_lock(&sync.lock);
                        while (!slot->done)
                                g_cond_wait(&sync.cond, &sync.lock);
                        g_mutex_unlock(&sync.lock);
                } else {
                        read_slot(slot, NULL);
                }
                if (!slot->profile) {
                        counts->n_unreadable++;
                        if (!opts->quiet)
                                ctl_notice("skipping an unreadable host profile: %s", slot->error->message);
                        slot_clear(slot);
                        continue;
                }
                p = g_steal_pointer(&slot->profile);
                cat = g_steal_pointer(&slot->cat);
                age = profile_age(p, path, now);
                if (opts->max_age >= 0 && age > opts->max_age) {
                        counts->n_stale++;
                        if (!opts->quiet)
                                ctl_notice("skipping a stale host profile: %s (host %s) is %" G_GINT64_FORMAT
                                           " s old (--max-age=%" G_GINT64_FORMAT ")",
                                           origin_of(path), p->hostname, age, opts->max_age);
                        continue;
                }

                h = g_new0(CtlFleetHost, 1);
                h->path = g_strdup(origin_of(path));
                h->name = g_strdup(*p->hostname ? p->hostname : origin_of(path));
                h->machine_id = g_strdup(p->machine_id);
                h->generation = p->generation;
                h->exported_at = p->exported_at;
                key = host_key(h);
                if (g_hash_table_lookup_extended(seen, key, NULL, &old_index)) {
                        CtlFleetHost *old = hosts->pdata[GPOINTER_TO_UINT(old_index)];
                        counts->n_superseded++;
                        if (!newer(h, old)) {
                                if (!opts->quiet)
                                        ctl_notice("skipping %s: an older profile of host %s than %s", h->path,
                                                   h->name, old->path);
                                continue;
                        }
                        if (!opts->quiet)
                                ctl_notice("skipping %s: an older profile of host %s than %s", old->path, old->name,
                                           h->path);
                        /* Its slot is taken by the newer one; the order of files stays. */
                        h->answer = func(h, p, cat, userdata);
                        h->answer_free = answer_free;
                        ctl_fleet_host_free(old);
                        hosts->pdata[GPOINTER_TO_UINT(old_index)] = g_steal_pointer(&h);
                        continue;
                }
                h->answer = func(h, p, cat, userdata);
                h->answer_free = answer_free;
                g_hash_table_insert(seen, g_steal_pointer(&key), GUINT_TO_POINTER(hosts->len));
                g_ptr_array_add(hosts, g_steal_pointer(&h));
        }
        if (pool)
                g_thread_pool_free(pool, false, true);
        g_mutex_clear(&sync.lock);
        g_cond_clear(&sync.cond);
        counts->n_used = hosts->len;
        if (hosts->len == 0) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "no usable host profile among %u file%s", files->len,
                            files->len == 1 ? "" : "s");
                return NULL;
        }
        return g_steal_pointer(&hosts);
}

char *ctl_fleet_counts_text(const CtlFleetCounts *c) {
        GString *s = g_string_new(NULL);
        guint skipped = c->n_unreadable + c->n_stale + c->n_superseded;

        g_string_append_printf(s, "%u host profile%s read from %u file%s", c->n_used, c->n_used == 1 ? "" : "s",
                               c->n_files, c->n_files == 1 ? "" : "s");
        if (skipped) {
                const char *sep = ": ";
                if (c->n_unreadable) {
                        g_string_append_printf(s, "%s%u unreadable", sep, c->n_unreadable);
                        sep = ", ";
                }
                if (c->n_stale) {
                        g_string_append_printf(s, "%s%u stale", sep, c->n_stale);
                        sep = ", ";
                }
                if (c->n_superseded)
                        g_string_append_printf(s, "%s%u superseded", sep, c->n_superseded);
                g_string_append(s, ", skipped");
        }
        return g_string_free(s, false);
}

void ctl_fleet_counts_build(JsonBuilder *b, const CtlFleetCounts *c) {
        json_builder_set_member_name(b, "profile-files");
        json_builder_add_int_value(b, c->n_files);
        json_builder_set_member_name(b, "profiles-read");
        json_builder_add_int_value(b, c->n_used);
        json_builder_set_member_name(b, "profiles-unreadable");
        json_builder_add_int_value(b, c->n_unreadable);
        json_builder_set_member_name(b, "profiles-stale");
        json_builder_add_int_value(b, c->n_stale);
        json_builder_set_member_name(b, "profiles-superseded");
        json_builder_add_int_value(b, c->n_superseded);
}
