/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include "vfiouser-source.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf-dirs.h"
#include "dir-watch.h"
#include "mc-config.h"
#include "mc-log.h"
#include "mc-parse.h"
#include "probe-cache.h"
#include "trust.h"

#define DESCRIPTOR_SUFFIX ".json"
#define PROBE_FLAG "--print-migration-info-json"
#define DEFAULT_TIMEOUT_USEC (5 * G_USEC_PER_SEC)
/* Probes mostly wait (for a program to start and print a page): a first
 * start with a hundred programs of a tenth of a second each takes under a
 * second at 16 (bench/README.md), and 16 short-lived processes are still
 * a bound a host notices little. */
#define DEFAULT_MAX_PARALLEL 16

/* Programs are noticed changing through inotify on the directories that
 * hold them (a package upgrade renames the new binary into place: one
 * IN_MOVED_TO). Limitation: a binary reached through a symlink whose
 * target lives elsewhere is only re-checked when its descriptor changes
 * or on rescan. */

typedef struct {
        McVfioUserSource *src;
        char *name;           /* descriptor file name */
        char *id;
        McDescriptor *desc;   /* NULL: descriptor unreadable or invalid */
        char *desc_sha256;    /* content of the descriptor desc came from */
        bool have_key;        /* key describes the running job or the published result */
        McProbeKey key;
        McProbeJob *job;
        bool probe_failed;    /* the published result is a failed probe */
        McImpl *published;
} Entry;

struct McVfioUserSource {
        sd_event *event;
        McVfioUserOps ops;
        void *userdata;
        GStrv dirs;
        bool watch;

        McProbePool *pool;
        McProbeCache *cache;
        McDirWatch *desc_watch;
        McDirWatch *bin_watch;
        GStrv bin_dirs;       /* what bin_watch watches */

        GHashTable *entries;  /* name -> Entry* */
        unsigned n_jobs;
        bool started;
        bool settled;
        bool dirty;           /* put/remove since the last changed() */
};

static void entry_cancel_job(Entry *e) {
        if (!e->job)
                return;
        mc_probe_job_cancel(e->job);
        e->job = NULL;
        e->src->n_jobs--;
}

static void entry_free(Entry *e) {
        entry_cancel_job(e);
        g_free(e->name);
        g_free(e->id);
        mc_descriptor_free(e->desc);
        g_free(e->desc_sha256);
        mc_probe_key_clear(&e->key);
        if (e->published)
                mc_impl_unref(e->published);
        g_free(e);
}

static void source_end_batch(McVfioUserSource *s) {
        if (!s->dirty)
                return;
        s->dirty = false;
        if (s->ops.changed)
                s->ops.changed(s->userdata);
}

static void source_check_settled(McVfioUserSource *s) {
        if (s->settled || !s->started || s->n_jobs > 0)
                return;
        s->settled = true;
        mc_log_debug("vfio-user: initial scan complete, %u descriptors",
                     g_hash_table_size(s->entries));
        if (s->ops.settled)
                s->ops.settled(s->userdata);
}

static McImpl *entry_new_impl(Entry *e) {
        McImpl *impl = mc_impl_new(MC_KIND_VFIO_USER, e->id);

        impl->descriptor = g_strdup(e->name);
        /* "" rather than NULL when the descriptor could not be read, so
         * every consumer can print it. */
        impl->binary = g_strdup(e->desc ? e->desc->binary : "");
        if (e->desc) {
                g_strfreev(impl->args);
                impl->args = g_strdupv(e->desc->args);
        }
        impl->description = e->desc ? g_strdup(e->desc->description) : NULL;
        impl->available = -1;
        impl->facts_from = MC_FACTS_NONE;
        return impl;
}

/* Takes impl. */
static void entry_publish(Entry *e, McImpl *impl) {
        McVfioUserSource *s = e->src;

        if (e->published && mc_impl_equal(e->published, impl)) {
                mc_impl_unref(impl);
                return;
        }
        if (impl->info)
                mc_log_info("vfio-user %s: %s, %u device model(s)", e->name, impl->binary,
                            impl->info->models->len);
        else
                mc_log_warning("vfio-user %s: not migratable: %s", e->name,
                               impl->not_migratable_reason);
        if (e->published)
                mc_impl_unref(e->published);
        e->published = impl;
        s->dirty = true;
        s->ops.put(s->userdata, mc_impl_ref(impl));
}

/* Publish a failure that is not a probe result. */
static void entry_fail(Entry *e, const char *reason) {
        McImpl *impl;

        entry_cancel_job(e);
        e->have_key = false;
        e->probe_failed = false;
        impl = entry_new_impl(e);
        impl->not_migratable_reason = g_strdup(reason);
        entry_publish(e, impl);
}

/* Publish a probe result (fresh or cached). reason: the pool's. */
static void entry_publish_result(Entry *e, bool ok, GBytes *output, const char *reason) {
        McImpl *impl = entry_new_impl(e);

        e->probe_failed = !ok;
        if (ok) {
                g_autoptr(GError) error = NULL;
                g_autofree char *origin = g_strdup_printf("probe of %s", e->desc->binary);
                gsize len = 0;
                const char *data = g_bytes_get_data(output, &len);

                impl->info = mc_info_parse(data ? data : "", len, origin, &error);
                if (impl->info)
                        impl->facts_from = MC_FACTS_PROGRAM;
                else
                        impl->not_migratable_reason = g_strdup(error->message);
        } else {
                impl->not_migratable_reason = g_strdup_printf("probe of %s", reason);
        }
        entry_publish(e, impl);
}

static void entry_on_probe(const McProbeResult *r, void *userdata) {
        Entry *e = userdata;
        McVfioUserSource *s = e->src;

        e->job = NULL;
        s->n_jobs--;

        /* Spawn errors are not cached: they are cheap to repeat and
         * usually fixed without the binary changing (chmod, a missing
         * library appearing). Everything else, including a program that
         * hangs, is, so a restart does not wait for it again. */
        if (r->status != MC_PROBE_SPAWN_ERROR)
                mc_probe_cache_store(s->cache, e->name, &e->key, r->status == MC_PROBE_OK, r->output,
                                     r->reason);
        entry_publish_result(e, r->status == MC_PROBE_OK, r->output, r->reason);
        source_end_batch(s);
        source_check_settled(s);
}

/* use_cache false: run the program even if the cache has an answer (a
 * retry of a failed probe). prog_fd: the checked program (trust.h). */
static void entry_probe(Entry *e, bool use_cache, int prog_fd) {
        McVfioUserSource *s = e->src;
        McProbeCacheEntry cached = { 0 };
        g_autoptr(GPtrArray) argv = NULL;

        if (use_cache && mc_probe_cache_lookup(s->cache, e->name, &e->key, &cached)) {
                mc_log_debug("vfio-user %s: using cached probe result", e->name);
                entry_publish_result(e, cached.ok, cached.output, cached.reason);
                mc_probe_cache_entry_clear(&cached);
                return;
        }

        argv = g_ptr_array_new();
        g_ptr_array_add(argv, e->desc->binary);
        for (char **a = e->desc->args; a && *a; a++)
                g_ptr_array_add(argv, *a);
        g_ptr_array_add(argv, (char *) PROBE_FLAG);
        g_ptr_array_add(argv, NULL);

        mc_log_debug("vfio-user %s: probing %s", e->name, e->desc->binary);
        mc_probe_pool_submit_fd(s->pool, prog_fd, (const char *const *) argv->pdata, entry_on_probe, e,
                                &e->job);
        s->n_jobs++;
}

static void source_remove_entry(McVfioUserSource *s, const char *name) {
        Entry *e = g_hash_table_lookup(s->entries, name);

        if (!e)
                return;
        mc_log_info("vfio-user %s: removed", name);
        entry_cancel_job(e);
        if (e->published) {
                s->dirty = true;
                s->ops.remove(s->userdata, e->id);
        }
        mc_probe_cache_remove(s->cache, name);
        g_hash_table_remove(s->entries, name);
}

/* Bring one descriptor name up to date. force: also retry a failed
 * probe whose program did not change. */
static void source_refresh(McVfioUserSource *s, const char *name, bool force) {
        g_autoptr(GError) error = NULL;
        g_autofree char *path = NULL;
        g_autofree char *data = NULL;
        g_autofree char *sha = NULL;
        McProbeKey key = { 0 };
        struct stat st;
        gsize len = 0;
        bool same, retry;
        int fd;
        Entry *e;

        path = mc_conf_dirs_find((const char *const *) s->dirs, name);
        if (!path) {
                source_remove_entry(s, name);
                return;
        }

        e = g_hash_table_lookup(s->entries, name);
        if (!e) {
                e = g_new0(Entry, 1);
                e->src = s;
                e->name = g_strdup(name);
                e->id = mc_vfio_user_impl_id(name);
                g_hash_table_insert(s->entries, e->name, e);
        }

        /* The descriptor says what runs as root: only one that nobody but
         * root can have written is used (trust.h). */
        fd = mc_trust_open(path, &error);
        if (fd >= 0) {
                bool ok = mc_conf_fd_read(fd, path, MC_MAX_DOCUMENT_SIZE, &data, &len, &error);
                close(fd);
                fd = ok ? 0 : -1;
        }
        if (fd < 0) {
                g_clear_pointer(&e->desc, mc_descriptor_free);
                g_clear_pointer(&e->desc_sha256, g_free);
                entry_fail(e, error->message);
                return;
        }
        sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *) data, len);
        if (!e->desc || g_strcmp0(sha, e->desc_sha256) != 0) {
                g_clear_pointer(&e->desc, mc_descriptor_free);
                g_clear_pointer(&e->desc_sha256, g_free);
                e->desc = mc_descriptor_parse(data, len, path, &error);
                if (!e->desc) {
                        entry_fail(e, error->message);
                        return;
                }
                e->desc_sha256 = g_strdup(sha);
        }

        /* Checked on every refresh, before a cached result is used and
         * before every run: a program someone else could have written is
         * never run, and its earlier answer not trusted either. What runs
         * is the file checked here (fd), not the path. */
        fd = mc_trust_open(e->desc->binary, &error);
        if (fd < 0) {
                g_autofree char *reason = g_strdup_printf("binary %s", error->message);
                entry_fail(e, reason);
                return;
        }
        if (fstat(fd, &st) < 0) {
                g_autofree char *reason = g_strdup_printf("binary %s: %s", e->desc->binary,
                                                          g_strerror(errno));
                close(fd);
                entry_fail(e, reason);
                return;
        }

        mc_probe_key_init(&key, e->desc->binary, &st, data, len);
        same = e->have_key && mc_probe_key_equal(&key, &e->key);
        retry = same && force && e->probe_failed && !e->job;
        if (same && !retry) {
                mc_probe_key_clear(&key);
                close(fd);
                return; /* known, or being probed */
        }

        if (e->have_key && !mc_probe_key_same_binary(&key, &e->key))
                mc_log_info("vfio-user %s: %s changed", name, e->desc->binary);
        entry_cancel_job(e);
        mc_probe_key_clear(&e->key);
        e->key = key;
        e->have_key = true;
        entry_probe(e, !retry, fd);
        close(fd);
}

static void source_scan_all(McVfioUserSource *s, bool force) {
        g_autoptr(GPtrArray) files = mc_conf_dirs_list((const char *const *) s->dirs, DESCRIPTOR_SUFFIX);
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter it;
        gpointer k;

        for (guint i = 0; i < files->len; i++) {
                McConfFile *f = files->pdata[i];
                g_hash_table_add(seen, f->name);
                source_refresh(s, f->name, force);
        }
        g_hash_table_iter_init(&it, s->entries);
        while (g_hash_table_iter_next(&it, &k, NULL))
                if (!g_hash_table_contains(seen, k))
                        g_ptr_array_add(gone, g_strdup(k));
        for (guint i = 0; i < gone->len; i++)
                source_remove_entry(s, gone->pdata[i]);
}

static void source_update_bin_watch(McVfioUserSource *s);

static void source_on_desc_change(McDirWatch *w, const GPtrArray *names, void *userdata) {
        McVfioUserSource *s = userdata;

        if (!names) {
                source_scan_all(s, false);
        } else {
                for (guint i = 0; i < names->len; i++) {
                        const char *name = names->pdata[i];
                        if (mc_conf_name_valid(name, DESCRIPTOR_SUFFIX))
                                source_refresh(s, name, false);
                }
        }
        source_update_bin_watch(s);
        source_end_batch(s);
        source_check_settled(s);
}

static void source_on_bin_change(McDirWatch *w, const GPtrArray *names, void *userdata) {
        McVfioUserSource *s = userdata;
        g_autoptr(GHashTable) changed = NULL;
        g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter it;
        gpointer v;

        if (names) {
                changed = g_hash_table_new(g_str_hash, g_str_equal);
                for (guint i = 0; i < names->len; i++)
                        g_hash_table_add(changed, names->pdata[i]);
        }
        /* Collect first: refreshing may remove entries. */
        g_hash_table_iter_init(&it, s->entries);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Entry *e = v;
                g_autofree char *base = NULL;
                if (!e->desc)
                        continue;
                base = g_path_get_basename(e->desc->binary);
                if (!changed || g_hash_table_contains(changed, base))
                        g_ptr_array_add(todo, g_strdup(e->name));
        }
        for (guint i = 0; i < todo->len; i++)
                source_refresh(s, todo->pdata[i], false);
        source_end_batch(s);
        source_check_settled(s);
}

static gint str_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Watch the directories that hold the programs; rebuilt when that set
 * changes (rare: descriptors come and go with packages). */
static void source_update_bin_watch(McVfioUserSource *s) {
        g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GError) error = NULL;
        GHashTableIter it;
        gpointer v;
        GStrv strv;

        if (!s->watch)
                return;
        g_hash_table_iter_init(&it, s->entries);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Entry *e = v;
                char *d;
                if (!e->desc)
                        continue;
                d = g_path_get_dirname(e->desc->binary);
                if (g_ptr_array_find_with_equal_func(dirs, d, g_str_equal, NULL))
                        g_free(d);
                else
                        g_ptr_array_add(dirs, d);
        }
        g_ptr_array_sort(dirs, str_cmp);
        g_ptr_array_add(dirs, NULL);
        strv = (GStrv) dirs->pdata;
        if (s->bin_dirs && g_strv_equal((const char *const *) s->bin_dirs, (const char *const *) strv))
                return;

        g_clear_pointer(&s->bin_watch, mc_dir_watch_free);
        g_clear_pointer(&s->bin_dirs, g_strfreev);
        s->bin_dirs = (GStrv) g_ptr_array_free(g_steal_pointer(&dirs), FALSE);
        if (!s->bin_dirs[0])
                return;
        s->bin_watch = mc_dir_watch_new(s->event, (const char *const *) s->bin_dirs,
                                        source_on_bin_change, s, &error);
        if (!s->bin_watch)
                mc_log_warning("Cannot watch vfio-user program directories: %s", error->message);
}

McVfioUserSource *mc_vfiouser_source_new(sd_event *e, const McVfioUserConfig *config,
                                         const McVfioUserOps *ops, void *userdata) {
        static const char *const default_dirs[] = {
                MC_PKGDATADIR "/vfio-user.d",
                MC_SYSCONFDIR "/vfio-user.d",
                NULL,
        };
        McVfioUserSource *s = g_new0(McVfioUserSource, 1);
        McVfioUserConfig defaults = { 0 };

        if (!config)
                config = &defaults;
        s->event = sd_event_ref(e);
        s->ops = *ops;
        s->userdata = userdata;
        s->dirs = g_strdupv((char **) (config->dirs ? config->dirs : default_dirs));
        s->watch = !config->no_watch;
        s->pool = mc_probe_pool_new(e, config->max_parallel ? config->max_parallel : DEFAULT_MAX_PARALLEL,
                                    config->probe_timeout_usec ? config->probe_timeout_usec
                                                               : DEFAULT_TIMEOUT_USEC,
                                    config->output_cap ? config->output_cap : MC_MAX_DOCUMENT_SIZE);
        s->cache = mc_probe_cache_new(config->cache_dir);
        s->entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
        return s;
}

void mc_vfiouser_source_free(McVfioUserSource *s) {
        if (!s)
                return;
        mc_dir_watch_free(s->desc_watch);
        mc_dir_watch_free(s->bin_watch);
        /* Entries cancel their jobs; then the pool reaps what it killed. */
        g_hash_table_unref(s->entries);
        mc_probe_pool_free(s->pool);
        mc_probe_cache_free(s->cache);
        g_strfreev(s->bin_dirs);
        g_strfreev(s->dirs);
        sd_event_unref(s->event);
        g_free(s);
}

void mc_vfiouser_source_start(McVfioUserSource *s) {
        g_return_if_fail(!s->started);

        /* Watch first, so nothing that changes during the scan is missed
         * (seeing a change twice is harmless). */
        if (s->watch) {
                g_autoptr(GError) error = NULL;
                s->desc_watch = mc_dir_watch_new(s->event, (const char *const *) s->dirs,
                                                 source_on_desc_change, s, &error);
                if (!s->desc_watch)
                        mc_log_warning("Cannot watch vfio-user descriptor directories: %s",
                                       error->message);
        }
        s->started = true;
        source_scan_all(s, false);
        /* Forget the results of descriptors that are gone. */
        {
                g_autoptr(GHashTable) keep = g_hash_table_new(g_str_hash, g_str_equal);
                GHashTableIter it;
                gpointer k;
                g_hash_table_iter_init(&it, s->entries);
                while (g_hash_table_iter_next(&it, &k, NULL))
                        g_hash_table_add(keep, k);
                mc_probe_cache_prune(s->cache, keep);
        }
        source_update_bin_watch(s);
        source_end_batch(s);
        source_check_settled(s);
}

void mc_vfiouser_source_rescan(McVfioUserSource *s) {
        if (!s->started)
                return;
        source_scan_all(s, true);
        source_update_bin_watch(s);
        source_end_batch(s);
        source_check_settled(s);
}

bool mc_vfiouser_source_is_settled(const McVfioUserSource *s) {
        return s->settled;
}

unsigned mc_vfiouser_source_n_probing(const McVfioUserSource *s) {
        return s->n_jobs;
}

unsigned mc_vfiouser_source_n_descriptors(const McVfioUserSource *s) {
        return g_hash_table_size(s->entries);
}

McProbePool *mc_vfiouser_source_get_pool(McVfioUserSource *s) {
        return s->pool;
}
