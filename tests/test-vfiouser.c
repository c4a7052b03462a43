/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfio-user discovery: descriptor directories (conf-dirs), inotify
 * (dir-watch), the probe cache, and the source tying them together,
 * against descriptors in temporary directories and the stand-in program
 * tests/progs/mc-probe-prog.c. */
#define _GNU_SOURCE
#include "mc-assert.h"
#include "mc-test-main.h"
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf-dirs.h"
#include "data-files.h"
#include "dir-watch.h"
#include "mc-error.h"
#include "mc-parse.h"
#include "probe-cache.h"
#include "trust.h"
#include "vfiouser-source.h"

#define SEC G_USEC_PER_SEC
#define MSEC 1000



/* Let the loop run for a while, for "nothing else happens" checks. */
static void run_for(sd_event *e, gint64 usec) {
        gint64 end = g_get_monotonic_time() + usec;
        while (g_get_monotonic_time() < end)
                ck_assert_int_ge(sd_event_run(e, 20 * MSEC), 0);
}

/* ---- files ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        remove(path);
        return 0;
}

static void rm_rf(const char *path) {
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Atomically, so inotify sees one IN_MOVED_TO. */
static void write_file(const char *path, const char *content) {
        g_autofree char *tmp = NULL;
        g_autofree char *dir = g_path_get_dirname(path);
        g_autofree char *base = g_path_get_basename(path);

        tmp = g_strdup_printf("%s/.%s.tmp", dir, base);
        ck_assert(g_file_set_contents(tmp, content, -1, NULL));
        ck_assert_int_eq(rename(tmp, path), 0);
}

static void write_in(const char *dir, const char *name, const char *content) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        write_file(path, content);
}

static int unlink_in(const char *dir, const char *name) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        return unlink(path);
}

/* Path equality without leaking the built path. */
#define ck_assert_path_eq(got, dir, name)                                                       \
        do {                                                                                    \
                g_autofree char *_p = g_build_filename((dir), (name), NULL);                    \
                ck_assert_str_eq((got), _p);                                                    \
        } while (0)

static void copy_executable(const char *from, const char *to) {
        g_autofree char *data = NULL;
        g_autofree char *tmp = g_strdup_printf("%s.new", to);
        gsize len = 0;

        ck_assert(g_file_get_contents(from, &data, &len, NULL));
        ck_assert(g_file_set_contents(tmp, data, (gssize) len, NULL));
        ck_assert_int_eq(chmod(tmp, 0755), 0);
        ck_assert_int_eq(rename(tmp, to), 0);
}

typedef struct {
        char *root;
        char *usr;   /* lower precedence: /usr/share/migcompat/vfio-user.d */
        char *etc;   /* higher precedence: /etc/migcompat/vfio-user.d */
        char *cache;
        char *bin;
        char *prog;  /* a copy of the stand-in, to touch and replace */
        const char *dirs[3];
} Fx;

static void fx_init(Fx *fx) {
        fx->root = g_dir_make_tmp("mc-vfiouser-XXXXXX", NULL);
        ck_assert_ptr_nonnull(fx->root);
        fx->usr = g_build_filename(fx->root, "usr", "vfio-user.d", NULL);
        fx->etc = g_build_filename(fx->root, "etc", "vfio-user.d", NULL);
        fx->cache = g_build_filename(fx->root, "cache", NULL);
        fx->bin = g_build_filename(fx->root, "libexec", NULL);
        fx->prog = g_build_filename(fx->bin, "prog", NULL);
        ck_assert_int_eq(g_mkdir_with_parents(fx->usr, 0755), 0);
        ck_assert_int_eq(g_mkdir_with_parents(fx->etc, 0755), 0);
        ck_assert_int_eq(g_mkdir_with_parents(fx->bin, 0755), 0);
        copy_executable(MC_PROBE_PROG, fx->prog);
        fx->dirs[0] = fx->usr;
        fx->dirs[1] = fx->etc;
        fx->dirs[2] = NULL;
}

static void fx_clear(Fx *fx) {
        rm_rf(fx->root);
        g_free(fx->root);
        g_free(fx->usr);
        g_free(fx->etc);
        g_free(fx->cache);
        g_free(fx->bin);
        g_free(fx->prog);
}

/* A descriptor for binary with the given arguments (NULL-terminated). */
static char *descriptor(const char *binary, ...) {
        GString *s = g_string_new(NULL);
        va_list ap;
        const char *a;
        bool first = true;

        g_string_append_printf(s, "{\"description\": \"test\", \"binary\": \"%s\", \"args\": [", binary);
        va_start(ap, binary);
        while ((a = va_arg(ap, const char *))) {
                g_string_append_printf(s, "%s\"%s\"", first ? "" : ", ", a);
                first = false;
        }
        va_end(ap);
        g_string_append(s, "]}\n");
        return g_string_free(s, FALSE);
}

static void put_descriptor(const char *dir, const char *name, const char *binary, const char *arg1,
                           const char *arg2) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *json = descriptor(binary, arg1, arg2, NULL);
        write_file(path, json);
}

/* ---- a recorder standing in for the registry ---- */

typedef struct {
        GHashTable *impls; /* id -> McImpl* */
        GPtrArray *log;    /* "put:<id>", "remove:<id>", "changed" */
        unsigned n_settled;
} Rec;

static void rec_put(void *ud, McImpl *impl) {
        Rec *r = ud;
        ck_assert_int_eq(impl->kind, MC_KIND_VFIO_USER);
        g_ptr_array_add(r->log, g_strdup_printf("put:%s", impl->id));
        g_hash_table_replace(r->impls, g_strdup(impl->id), impl);
}

static void rec_remove(void *ud, const char *id) {
        Rec *r = ud;
        ck_assert_msg(g_hash_table_contains(r->impls, id), "removed %s, never put", id);
        g_ptr_array_add(r->log, g_strdup_printf("remove:%s", id));
        g_hash_table_remove(r->impls, id);
}

static void rec_changed(void *ud) {
        Rec *r = ud;
        g_ptr_array_add(r->log, g_strdup("changed"));
}

static void rec_settled(void *ud) {
        Rec *r = ud;
        r->n_settled++;
}

static const McVfioUserOps rec_ops = {
        .put = rec_put,
        .remove = rec_remove,
        .changed = rec_changed,
        .settled = rec_settled,
};

static void rec_init(Rec *r) {
        memset(r, 0, sizeof *r);
        r->impls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) mc_impl_unref);
        r->log = g_ptr_array_new_with_free_func(g_free);
}

static void rec_clear(Rec *r) {
        g_hash_table_unref(r->impls);
        g_ptr_array_unref(r->log);
}

static bool rec_logged(Rec *r, const char *entry) {
        for (guint i = 0; i < r->log->len; i++)
                if (strcmp(r->log->pdata[i], entry) == 0)
                        return true;
        return false;
}

static char *rec_log_str(Rec *r) {
        g_autoptr(GPtrArray) a = g_ptr_array_new();
        for (guint i = 0; i < r->log->len; i++)
                g_ptr_array_add(a, r->log->pdata[i]);
        g_ptr_array_add(a, NULL);
        return g_strjoinv(" ", (char **) a->pdata);
}

static McImpl *rec_get(Rec *r, const char *id) {
        McImpl *impl = g_hash_table_lookup(r->impls, id);
        ck_assert_msg(impl, "%s not published", id);
        return impl;
}

static void assert_model(Rec *r, const char *id, const char *model) {
        McImpl *impl = rec_get(r, id);
        ck_assert_msg(impl->info, "%s not migratable: %s", id, impl->not_migratable_reason);
        ck_assert_int_eq(impl->facts_from, MC_FACTS_PROGRAM);
        ck_assert_ptr_null(impl->not_migratable_reason);
        ck_assert_uint_eq(impl->info->models->len, 1);
        ck_assert_ptr_nonnull(mc_info_find_model(impl->info, model));
}

static const char *reason_of(Rec *r, const char *id) {
        McImpl *impl = rec_get(r, id);
        ck_assert_ptr_null(impl->info);
        ck_assert_int_eq(impl->facts_from, MC_FACTS_NONE);
        ck_assert_ptr_nonnull(impl->not_migratable_reason);
        return impl->not_migratable_reason;
}

static McVfioUserSource *source_new(sd_event *e, Fx *fx, Rec *r, bool watch, uint64_t timeout,
                                    size_t cap) {
        McVfioUserConfig cfg = {
                .dirs = fx->dirs,
                .cache_dir = fx->cache,
                .probe_timeout_usec = timeout,
                .max_parallel = 4,
                .output_cap = cap,
                .no_watch = !watch,
        };
        return mc_vfiouser_source_new(e, &cfg, &rec_ops, r);
}

static uint64_t n_spawned(McVfioUserSource *s) {
        return mc_probe_pool_n_spawned(mc_vfiouser_source_get_pool(s));
}

/* ====================== conf-dirs ====================== */

START_TEST(test_conf_dirs_list) {
        Fx fx;
        g_autoptr(GPtrArray) files = NULL;
        g_autofree char *fifo = NULL, *subdir = NULL, *link = NULL, *dangling = NULL, *mask = NULL;
        g_autofree char *target = NULL, *missing = NULL;
        const char *dirs[4];
        McConfFile *f;

        fx_init(&fx);
        write_in(fx.usr, "b.json", "usr b");
        write_in(fx.usr, "a.json", "usr a");
        write_in(fx.usr, "masked.json", "usr masked");
        write_in(fx.etc, "b.json", "etc b");
        write_in(fx.etc, "c.json", "etc c");
        /* Not ours: hidden, wrong suffix, bare suffix, a directory, a FIFO,
         * a dangling link. */
        write_in(fx.etc, ".hidden.json", "x");
        write_in(fx.etc, "notes.txt", "x");
        write_in(fx.etc, ".json", "x");
        subdir = g_build_filename(fx.etc, "dir.json", NULL);
        ck_assert_int_eq(mkdir(subdir, 0755), 0);
        fifo = g_build_filename(fx.etc, "fifo.json", NULL);
        ck_assert_int_eq(mkfifo(fifo, 0644), 0);
        dangling = g_build_filename(fx.etc, "dangling.json", NULL);
        ck_assert_int_eq(symlink("/nonexistent/x.json", dangling), 0);
        /* A symlink to a regular file counts; one to /dev/null masks. */
        target = g_build_filename(fx.root, "target", NULL);
        write_file(target, "linked");
        link = g_build_filename(fx.etc, "linked.json", NULL);
        ck_assert_int_eq(symlink(target, link), 0);
        mask = g_build_filename(fx.etc, "masked.json", NULL);
        ck_assert_int_eq(symlink("/dev/null", mask), 0);
        /* A missing directory is empty. */
        missing = g_build_filename(fx.root, "missing", NULL);

        dirs[0] = fx.usr;
        dirs[1] = missing;
        dirs[2] = fx.etc;
        dirs[3] = NULL;
        files = mc_conf_dirs_list(dirs, ".json");
        ck_assert_uint_eq(files->len, 4);
        f = files->pdata[0];
        ck_assert_str_eq(f->name, "a.json");
        ck_assert_path_eq(f->path, fx.usr, "a.json");
        f = files->pdata[1];
        ck_assert_str_eq(f->name, "b.json");
        ck_assert_path_eq(f->path, fx.etc, "b.json");
        f = files->pdata[2];
        ck_assert_str_eq(f->name, "c.json");
        f = files->pdata[3];
        ck_assert_str_eq(f->name, "linked.json");
        ck_assert_str_eq(f->path, link);

        /* find agrees with list. */
        {
                g_autofree char *p1 = mc_conf_dirs_find(dirs, "b.json");
                g_autofree char *p2 = mc_conf_dirs_find(dirs, "a.json");
                g_autofree char *p3 = mc_conf_dirs_find(dirs, "masked.json");
                g_autofree char *p4 = mc_conf_dirs_find(dirs, "fifo.json");
                g_autofree char *p5 = mc_conf_dirs_find(dirs, "../usr/a.json");
                ck_assert_path_eq(p1, fx.etc, "b.json");
                ck_assert_path_eq(p2, fx.usr, "a.json");
                ck_assert_ptr_null(p3);
                ck_assert_ptr_null(p4);
                ck_assert_ptr_null(p5);
        }

        ck_assert(mc_conf_name_valid("x.json", ".json"));
        ck_assert(!mc_conf_name_valid(".json", ".json"));
        ck_assert(!mc_conf_name_valid(".x.json", ".json"));
        ck_assert(!mc_conf_name_valid("x.json~", ".json"));
        ck_assert(!mc_conf_name_valid("a/x.json", ".json"));
        fx_clear(&fx);
}
END_TEST

START_TEST(test_conf_file_read) {
        Fx fx;
        g_autoptr(GError) error = NULL;
        g_autofree char *data = NULL;
        g_autofree char *path = NULL, *big = NULL, *fifo = NULL, *content = NULL;
        gsize len = 0;

        fx_init(&fx);
        path = g_build_filename(fx.root, "ok.json", NULL);
        write_file(path, "{}");
        ck_assert(mc_conf_file_read(path, 0, &data, &len, &error));
        ck_assert_uint_eq(len, 2);
        ck_assert_str_eq(data, "{}");

        /* One byte over the cap. */
        big = g_build_filename(fx.root, "big.json", NULL);
        content = g_strnfill(101, ' ');
        write_file(big, content);
        g_clear_pointer(&data, g_free);
        ck_assert(!mc_conf_file_read(big, 100, &data, &len, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_LIMIT));
        ck_assert_contains(error->message, big);
        ck_assert_contains(error->message, "larger than 100 bytes");
        g_clear_error(&error);
        ck_assert(mc_conf_file_read(big, 101, &data, &len, &error));
        g_clear_pointer(&data, g_free);

        /* A FIFO with no writer: refused at once, not a hang. */
        fifo = g_build_filename(fx.root, "fifo.json", NULL);
        ck_assert_int_eq(mkfifo(fifo, 0644), 0);
        ck_assert(!mc_conf_file_read(fifo, 0, &data, &len, &error));
        ck_assert_contains(error->message, "not a regular file");
        g_clear_error(&error);

        ck_assert(!mc_conf_file_read(fx.root, 0, &data, &len, &error));
        ck_assert_contains(error->message, "not a regular file");
        g_clear_error(&error);

        ck_assert(!mc_conf_file_read("/nonexistent/x.json", 0, &data, &len, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND));
        ck_assert_str_eq(error->message, "/nonexistent/x.json: No such file or directory");
        fx_clear(&fx);
}
END_TEST

/* ====================== dir-watch ====================== */

typedef struct {
        unsigned calls;
        unsigned rescans;
        GPtrArray *names; /* all names seen, in call order */
        GPtrArray *last;  /* names of the last call */
} WatchRec;

static void on_watch(McDirWatch *w, const GPtrArray *names, void *ud) {
        WatchRec *r = ud;

        r->calls++;
        g_clear_pointer(&r->last, g_ptr_array_unref);
        if (!names) {
                r->rescans++;
                return;
        }
        r->last = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; i < names->len; i++) {
                g_ptr_array_add(r->names, g_strdup(names->pdata[i]));
                g_ptr_array_add(r->last, g_strdup(names->pdata[i]));
        }
}

static bool has_name(GPtrArray *a, const char *name) {
        return a && g_ptr_array_find_with_equal_func(a, name, g_str_equal, NULL);
}

START_TEST(test_dir_watch_coalesces) {
        Fx fx;
        sd_event *e = NULL;
        g_autoptr(GError) error = NULL;
        McDirWatch *w;
        WatchRec r = { .names = g_ptr_array_new_with_free_func(g_free) };

        fx_init(&fx);
        ck_assert_int_ge(sd_event_new(&e), 0);
        w = mc_dir_watch_new(e, fx.dirs, on_watch, &r, &error);
        ck_assert_msg(w, "%s", error ? error->message : "");
        ck_assert(mc_dir_watch_is_watching(w, fx.usr));
        ck_assert(mc_dir_watch_is_watching(w, fx.etc));

        /* A burst in two directories before the loop runs: one call. */
        write_in(fx.usr, "c.json", "1");
        write_in(fx.etc, "a.json", "1");
        write_in(fx.usr, "b.json", "1");
        RUN_UNTIL(e, r.calls > 0);
        run_for(e, 50 * MSEC);
        ck_assert_uint_eq(r.calls, 1);
        ck_assert_uint_eq(r.rescans, 0);
        /* Sorted, each once (the temporary names too: callers filter). */
        ck_assert(has_name(r.last, "a.json"));
        ck_assert(has_name(r.last, "b.json"));
        ck_assert(has_name(r.last, "c.json"));
        for (guint i = 1; i < r.last->len; i++)
                ck_assert_int_lt(strcmp(r.last->pdata[i - 1], r.last->pdata[i]), 0);

        /* Delete and attribute changes are seen. */
        ck_assert_int_eq(unlink_in(fx.usr, "b.json"), 0);
        RUN_UNTIL(e, r.calls == 2);
        ck_assert(has_name(r.last, "b.json"));
        {
                g_autofree char *a = g_build_filename(fx.etc, "a.json", NULL);
                ck_assert_int_eq(chmod(a, 0600), 0);
        }
        RUN_UNTIL(e, r.calls == 3);
        ck_assert(has_name(r.last, "a.json"));

        mc_dir_watch_free(w);
        sd_event_unref(e);
        g_ptr_array_unref(r.names);
        g_clear_pointer(&r.last, g_ptr_array_unref);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_dir_watch_missing_dir) {
        Fx fx;
        sd_event *e = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *deep = NULL, *mid = NULL;
        const char *dirs[2];
        McDirWatch *w;
        WatchRec r = { .names = g_ptr_array_new_with_free_func(g_free) };

        fx_init(&fx);
        /* Two levels missing: <root>/new/vfio-user.d */
        mid = g_build_filename(fx.root, "new", NULL);
        deep = g_build_filename(mid, "vfio-user.d", NULL);
        dirs[0] = deep;
        dirs[1] = NULL;
        ck_assert_int_ge(sd_event_new(&e), 0);
        w = mc_dir_watch_new(e, dirs, on_watch, &r, &error);
        ck_assert_ptr_nonnull(w);
        ck_assert(!mc_dir_watch_is_watching(w, deep));

        /* Unrelated activity in the watched ancestor is not reported. */
        write_in(fx.root, "unrelated.json", "1");
        run_for(e, 50 * MSEC);
        ck_assert_uint_eq(r.calls, 0);

        ck_assert_int_eq(mkdir(mid, 0755), 0);
        run_for(e, 50 * MSEC);
        ck_assert(!mc_dir_watch_is_watching(w, deep));
        ck_assert_int_eq(mkdir(deep, 0755), 0);
        RUN_UNTIL(e, r.calls == 1);
        ck_assert(mc_dir_watch_is_watching(w, deep));
        /* A directory appearing: rescan, it may hold files already. */
        ck_assert_uint_eq(r.rescans, 1);

        write_in(deep, "x.json", "1");
        RUN_UNTIL(e, r.calls == 2);
        ck_assert(has_name(r.last, "x.json"));

        /* It goes away: rescan, and the ancestor is watched again. */
        rm_rf(mid);
        RUN_UNTIL(e, r.rescans == 2);
        ck_assert(!mc_dir_watch_is_watching(w, deep));
        ck_assert_int_eq(g_mkdir_with_parents(deep, 0755), 0);
        RUN_UNTIL(e, r.rescans == 3);
        ck_assert(mc_dir_watch_is_watching(w, deep));

        mc_dir_watch_free(w);
        sd_event_unref(e);
        g_ptr_array_unref(r.names);
        g_clear_pointer(&r.last, g_ptr_array_unref);
        fx_clear(&fx);
}
END_TEST

/* ====================== probe cache ====================== */

static void key_for(McProbeKey *key, const char *binary, const char *desc) {
        struct stat st;
        ck_assert_int_eq(stat(binary, &st), 0);
        mc_probe_key_init(key, binary, &st, desc, strlen(desc));
}

START_TEST(test_cache_roundtrip) {
        Fx fx;
        g_autoptr(McProbeCache) c = NULL;
        g_autoptr(GBytes) out = g_bytes_new_static("{\"models\": {}}\n\x01\xff", 17);
        McProbeKey key = { 0 }, other = { 0 };
        McProbeCacheEntry ent = { 0 };

        fx_init(&fx);
        c = mc_probe_cache_new(fx.cache);
        key_for(&key, fx.prog, "descriptor");
        ck_assert(!mc_probe_cache_lookup(c, "a.json", &key, &ent));

        /* Raw bytes survive, including non-UTF-8. */
        mc_probe_cache_store(c, "a.json", &key, true, out, NULL);
        ck_assert(mc_probe_cache_lookup(c, "a.json", &key, &ent));
        ck_assert(ent.ok);
        ck_assert(g_bytes_equal(ent.output, out));
        mc_probe_cache_entry_clear(&ent);

        /* Every part of the key matters. */
        mc_probe_key_copy(&other, &key);
        other.ino++;
        ck_assert(!mc_probe_cache_lookup(c, "a.json", &other, &ent));
        other.ino--;
        other.mtime_ns++;
        ck_assert(!mc_probe_cache_lookup(c, "a.json", &other, &ent));
        other.mtime_ns--;
        other.size++;
        ck_assert(!mc_probe_cache_lookup(c, "a.json", &other, &ent));
        other.size--;
        other.dev++;
        ck_assert(!mc_probe_cache_lookup(c, "a.json", &other, &ent));
        other.dev--;
        g_free(other.descriptor_sha256);
        other.descriptor_sha256 = g_strdup("00");
        ck_assert(!mc_probe_cache_lookup(c, "a.json", &other, &ent));
        mc_probe_key_clear(&other);
        mc_probe_key_copy(&other, &key);
        g_free(other.binary);
        other.binary = g_strdup("/usr/libexec/other");
        ck_assert(!mc_probe_cache_lookup(c, "a.json", &other, &ent));
        mc_probe_key_clear(&other);
        mc_probe_key_copy(&other, &key);
        ck_assert(mc_probe_cache_lookup(c, "a.json", &other, &ent));
        mc_probe_cache_entry_clear(&ent);
        mc_probe_key_clear(&other);

        /* Failures are stored with their reason. */
        mc_probe_cache_store(c, "b.json", &key, false, NULL, "/x timed out after 5 s");
        ck_assert(mc_probe_cache_lookup(c, "b.json", &key, &ent));
        ck_assert(!ent.ok);
        ck_assert_str_eq(ent.reason, "/x timed out after 5 s");
        mc_probe_cache_entry_clear(&ent);

        /* Remove and prune. */
        mc_probe_cache_remove(c, "b.json");
        ck_assert(!mc_probe_cache_lookup(c, "b.json", &key, &ent));
        mc_probe_cache_store(c, "b.json", &key, false, NULL, "r");
        {
                g_autoptr(GHashTable) keep = g_hash_table_new(g_str_hash, g_str_equal);
                g_hash_table_add(keep, (gpointer) "a.json");
                mc_probe_cache_prune(c, keep);
        }
        ck_assert(!mc_probe_cache_lookup(c, "b.json", &key, &ent));
        ck_assert(mc_probe_cache_lookup(c, "a.json", &key, &ent));
        mc_probe_cache_entry_clear(&ent);

        /* No cache directory: never hits, never fails. */
        {
                g_autoptr(McProbeCache) none = mc_probe_cache_new(NULL);
                mc_probe_cache_store(none, "a.json", &key, true, out, NULL);
                ck_assert(!mc_probe_cache_lookup(none, "a.json", &key, &ent));
        }
        mc_probe_key_clear(&key);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_cache_hostile_files) {
        Fx fx;
        g_autoptr(McProbeCache) c = NULL;
        g_autoptr(GBytes) out = g_bytes_new_static("{}", 2);
        g_autofree char *path = NULL, *outside = NULL, *deep = NULL, *valid = NULL, *kept = NULL;
        McProbeKey key = { 0 };
        McProbeCacheEntry ent = { 0 };
        static const char *const bad[] = {
                "",
                "not json",
                "[]",
                "{\"format\": \"something-else/1\"}",
                "{\"format\": \"migcompat-probe-cache/1\"}",
                "{\"format\": \"migcompat-probe-cache/1\", \"binary\": 5}",
        };

        fx_init(&fx);
        c = mc_probe_cache_new(fx.cache);
        key_for(&key, fx.prog, "d");
        mc_probe_cache_store(c, "a.json", &key, true, out, NULL);
        path = mc_probe_cache_path(c, "a.json");
        ck_assert(g_file_get_contents(path, &valid, NULL, NULL));

        for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
                write_file(path, bad[i]);
                ck_assert_msg(!mc_probe_cache_lookup(c, "a.json", &key, &ent), "accepted %s", bad[i]);
        }
        /* Deeply nested: refused before the recursive parser sees it. */
        deep = g_strnfill(100000, '[');
        write_file(path, deep);
        ck_assert(!mc_probe_cache_lookup(c, "a.json", &key, &ent));
        /* Oversized. */
        {
                g_autofree char *huge = g_strnfill(4 * 1024 * 1024, ' ');
                write_file(path, huge);
                ck_assert(!mc_probe_cache_lookup(c, "a.json", &key, &ent));
        }
        /* Restoring the valid file makes it hit again. */
        write_file(path, valid);
        ck_assert(mc_probe_cache_lookup(c, "a.json", &key, &ent));
        mc_probe_cache_entry_clear(&ent);

        /* A symlink in the cache directory is not followed for reading,
         * and storing replaces the link, not its target. */
        outside = g_build_filename(fx.root, "outside", NULL);
        write_file(outside, valid);
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(symlink(outside, path), 0);
        ck_assert(!mc_probe_cache_lookup(c, "a.json", &key, &ent));
        mc_probe_cache_store(c, "a.json", &key, false, NULL, "new");
        ck_assert(g_file_get_contents(outside, &kept, NULL, NULL));
        ck_assert_str_eq(kept, valid);
        ck_assert(mc_probe_cache_lookup(c, "a.json", &key, &ent));
        ck_assert_str_eq(ent.reason, "new");
        mc_probe_cache_entry_clear(&ent);

        /* A cache directory that cannot be created: stores are dropped. */
        {
                g_autofree char *blocked = g_build_filename(fx.root, "file", NULL);
                g_autofree char *under = g_build_filename(blocked, "cache", NULL);
                g_autoptr(McProbeCache) c2 = mc_probe_cache_new(under);
                write_file(blocked, "x");
                mc_probe_cache_store(c2, "a.json", &key, true, out, NULL);
                ck_assert(!mc_probe_cache_lookup(c2, "a.json", &key, &ent));
        }
        mc_probe_key_clear(&key);
        fx_clear(&fx);
}
END_TEST

/* ====================== the source ====================== */

START_TEST(test_probe_published) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        McImpl *impl;

        fx_init(&fx);
        rec_init(&r);
        put_descriptor(fx.usr, "a.json", fx.prog, "json", "vendor-a.com/a");
        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, false, 10 * SEC, 0);
        mc_vfiouser_source_start(s);

        /* Not published while its first probe runs, not settled. */
        ck_assert_uint_eq(g_hash_table_size(r.impls), 0);
        ck_assert_uint_eq(mc_vfiouser_source_n_probing(s), 1);
        ck_assert_uint_eq(mc_vfiouser_source_n_descriptors(s), 1);
        ck_assert(!mc_vfiouser_source_is_settled(s));
        ck_assert_uint_eq(r.n_settled, 0);

        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        ck_assert_uint_eq(r.n_settled, 1);
        ck_assert_uint_eq(n_spawned(s), 1);
        ck_assert_uint_eq(mc_vfiouser_source_n_probing(s), 0);
        assert_model(&r, "vfio-user:a", "vendor-a.com/a");
        impl = rec_get(&r, "vfio-user:a");
        ck_assert_str_eq(impl->descriptor, "a.json");
        ck_assert_str_eq(impl->binary, fx.prog);
        ck_assert_uint_eq(g_strv_length(impl->args), 2);
        ck_assert_str_eq(impl->args[0], "json");
        ck_assert_str_eq(impl->args[1], "vendor-a.com/a");
        ck_assert_str_eq(impl->description, "test");
        ck_assert_int_eq(impl->available, -1);
        {
                g_autofree char *log = rec_log_str(&r);
                ck_assert_str_eq(log, "put:vfio-user:a changed");
        }

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_override_and_order) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        g_autofree char *mask = NULL;

        fx_init(&fx);
        rec_init(&r);
        put_descriptor(fx.usr, "x.json", fx.prog, "json", "usr.example/x");
        put_descriptor(fx.etc, "x.json", fx.prog, "json", "etc.example/x");
        put_descriptor(fx.usr, "y.json", fx.prog, "json", "usr.example/y");
        put_descriptor(fx.etc, "z.json", fx.prog, "json", "etc.example/z");
        put_descriptor(fx.usr, "masked.json", fx.prog, "json", "usr.example/masked");
        mask = g_build_filename(fx.etc, "masked.json", NULL);
        ck_assert_int_eq(symlink("/dev/null", mask), 0);

        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, false, 10 * SEC, 0);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));

        ck_assert_uint_eq(g_hash_table_size(r.impls), 3);
        assert_model(&r, "vfio-user:x", "etc.example/x");
        assert_model(&r, "vfio-user:y", "usr.example/y");
        assert_model(&r, "vfio-user:z", "etc.example/z");
        ck_assert(!g_hash_table_contains(r.impls, "vfio-user:masked"));
        ck_assert_uint_eq(n_spawned(s), 3);

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_descriptor_failures) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        g_autofree char *p = NULL, *exp = NULL;

        fx_init(&fx);
        rec_init(&r);
        write_in(fx.usr, "relative.json", "{\"binary\": \"libexec/prog\"}");
        write_in(fx.usr, "syntax.json", "{\"binary\": ");
        write_in(fx.usr, "unknown.json",
                   "{\"binary\": \"/usr/libexec/x\", \"colour\": \"red\"}");
        write_in(fx.usr, "flag.json",
                   "{\"binary\": \"/usr/libexec/x\", \"args\": [\"--print-migration-info-json\"]}");
        put_descriptor(fx.usr, "missing.json", "/nonexistent/prog", "json", NULL);
        put_descriptor(fx.usr, "dir.json", fx.bin, "json", NULL);
        p = g_build_filename(fx.usr, "fifo.json", NULL);
        ck_assert_int_eq(mkfifo(p, 0644), 0); /* skipped as not a regular file */

        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, false, 10 * SEC, 0);
        mc_vfiouser_source_start(s);
        /* Nothing to probe: settled during start. */
        ck_assert(mc_vfiouser_source_is_settled(s));
        ck_assert_uint_eq(r.n_settled, 1);
        ck_assert_uint_eq(n_spawned(s), 0);
        ck_assert_uint_eq(g_hash_table_size(r.impls), 6);

        ck_assert_contains(reason_of(&r, "vfio-user:relative"), "relative.json: $.binary: ");
        ck_assert_contains(reason_of(&r, "vfio-user:relative"), "absolute path");
        ck_assert_str_eq(rec_get(&r, "vfio-user:relative")->binary, "");
        ck_assert_ptr_nonnull(rec_get(&r, "vfio-user:relative")->args);
        ck_assert_contains(reason_of(&r, "vfio-user:syntax"), "syntax.json:1:");
        ck_assert_contains(reason_of(&r, "vfio-user:unknown"), "colour");
        ck_assert_contains(reason_of(&r, "vfio-user:flag"), "$.args[0]");
        ck_assert_str_eq(reason_of(&r, "vfio-user:missing"),
                         "binary /nonexistent/prog: No such file or directory");
        ck_assert_str_eq(rec_get(&r, "vfio-user:missing")->binary, "/nonexistent/prog");
        exp = g_strdup_printf("binary %s: not a regular file", fx.bin);
        ck_assert_str_eq(reason_of(&r, "vfio-user:dir"), exp);

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_probe_failures) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        g_autofree char *noexec = NULL;
        g_autofree char *exp = NULL;

        fx_init(&fx);
        rec_init(&r);
        noexec = g_build_filename(fx.bin, "noexec", NULL);
        write_file(noexec, "#!/bin/sh\n");
        ck_assert_int_eq(chmod(noexec, 0644), 0);

        put_descriptor(fx.usr, "fail.json", fx.prog, "fail", NULL);
        put_descriptor(fx.usr, "hang.json", fx.prog, "hang", NULL);
        put_descriptor(fx.usr, "garbage.json", fx.prog, "garbage", NULL);
        put_descriptor(fx.usr, "badjson.json", fx.prog, "badjson", NULL);
        put_descriptor(fx.usr, "signal.json", fx.prog, "signal", NULL);
        put_descriptor(fx.usr, "big.json", fx.prog, "big", NULL);
        put_descriptor(fx.usr, "noexec.json", noexec, "json", NULL);
        put_descriptor(fx.usr, "good.json", fx.prog, "json", NULL);

        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, false, 500 * MSEC, 4096);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        ck_assert_uint_eq(g_hash_table_size(r.impls), 8);

        exp = g_strdup_printf("probe of %s exited with status 3: out of   cheese", fx.prog);
        ck_assert_str_eq(reason_of(&r, "vfio-user:fail"), exp);
        g_free(exp);
        exp = g_strdup_printf("probe of %s timed out after 500 ms", fx.prog);
        ck_assert_str_eq(reason_of(&r, "vfio-user:hang"), exp);
        g_free(exp);
        exp = g_strdup_printf("probe of %s:", fx.prog);
        ck_assert_msg(g_str_has_prefix(reason_of(&r, "vfio-user:garbage"), exp), "%s",
                      reason_of(&r, "vfio-user:garbage"));
        ck_assert_msg(g_str_has_prefix(reason_of(&r, "vfio-user:badjson"), exp), "%s",
                      reason_of(&r, "vfio-user:badjson"));
        ck_assert_contains(reason_of(&r, "vfio-user:badjson"), "$.models");
        ck_assert_contains(reason_of(&r, "vfio-user:badjson"), "versions");
        g_free(exp);
        exp = g_strdup_printf("probe of %s was killed by signal SIGUSR1: about to die", fx.prog);
        ck_assert_str_eq(reason_of(&r, "vfio-user:signal"), exp);
        g_free(exp);
        exp = g_strdup_printf("probe of %s printed more than 4096 bytes", fx.prog);
        ck_assert_str_eq(reason_of(&r, "vfio-user:big"), exp);
        g_free(exp);
        exp = g_strdup_printf("probe of %s: Permission denied", noexec);
        ck_assert_str_eq(reason_of(&r, "vfio-user:noexec"), exp);
        assert_model(&r, "vfio-user:good", "vendor-a.com/my-nic");

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

/* Publish everything, then return the published implementations. */
static GHashTable *run_to_settled(Fx *fx, bool watch, uint64_t timeout, uint64_t *spawned) {
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        GHashTable *result;

        rec_init(&r);
        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, fx, &r, watch, timeout, 0);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        *spawned = n_spawned(s);
        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        result = g_hash_table_ref(r.impls);
        rec_clear(&r);
        return result;
}

static unsigned count_lines(const char *path) {
        g_autofree char *data = NULL;
        unsigned n = 0;
        if (!g_file_get_contents(path, &data, NULL, NULL))
                return 0;
        for (const char *p = data; *p; p++)
                n += *p == '\n';
        return n;
}

/* ---- trust (trust.h): what runs as root must be root's ---- */

#define NOBODY 65534

/* Takes json. */
static void write_descriptor(const char *dir, const char *name, char *json) {
        write_in(dir, name, json);
        g_free(json);
}

/* A reason that names the file, says what is wrong and how to fix it. */
static void assert_untrusted(Rec *r, const char *id, const char *file, const char *what, const char *fix) {
        const char *reason = reason_of(r, id);
        g_autofree char *head = g_strdup_printf("%s is not trusted: ", file);
        g_autofree char *fixes = g_strdup_printf("fix: %s", fix);
        ck_assert_contains(reason, head);
        ck_assert_contains(reason, what);
        ck_assert_contains(reason, fixes);
}

START_TEST(test_untrusted_never_run) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        g_autofree char *count = NULL, *ok_count = NULL;
        g_autofree char *nobody_bin = NULL, *nobody_prog = NULL, *gw_bin = NULL, *gw_prog = NULL;
        g_autofree char *p = NULL, *fix = NULL;

        if (geteuid() != 0)
                return; /* needs chown */
        fx_init(&fx);
        rec_init(&r);
        count = g_build_filename(fx.root, "runs", NULL);
        ok_count = g_build_filename(fx.root, "ok-runs", NULL);

        /* A program owned by nobody, mode 0777, in a directory of its own. */
        nobody_bin = g_build_filename(fx.root, "nobody-bin", NULL);
        nobody_prog = g_build_filename(nobody_bin, "prog", NULL);
        ck_assert_int_eq(g_mkdir(nobody_bin, 0755), 0);
        copy_executable(MC_PROBE_PROG, nobody_prog);
        ck_assert_int_eq(chown(nobody_prog, NOBODY, NOBODY), 0);
        ck_assert_int_eq(chmod(nobody_prog, 0777), 0);
        /* A root-owned 0755 program in a group-writable directory. */
        gw_bin = g_build_filename(fx.root, "gw-bin", NULL);
        gw_prog = g_build_filename(gw_bin, "prog", NULL);
        ck_assert_int_eq(g_mkdir(gw_bin, 0755), 0);
        copy_executable(MC_PROBE_PROG, gw_prog);
        ck_assert_int_eq(chmod(gw_bin, 0775), 0);

        /* Every program would count its run. */
        write_descriptor(fx.usr, "nobody-prog.json", descriptor(nobody_prog, "json", "x.com/a", count, NULL));
        write_descriptor(fx.usr, "gw-dir.json", descriptor(gw_prog, "json", "x.com/a", count, NULL));
        write_descriptor(fx.usr, "mode-666.json", descriptor(fx.prog, "json", "x.com/a", count, NULL));
        p = g_build_filename(fx.usr, "mode-666.json", NULL);
        ck_assert_int_eq(chmod(p, 0666), 0);
        g_clear_pointer(&p, g_free);
        write_descriptor(fx.usr, "nobody-desc.json", descriptor(fx.prog, "json", "x.com/a", count, NULL));
        p = g_build_filename(fx.usr, "nobody-desc.json", NULL);
        ck_assert_int_eq(chown(p, NOBODY, NOBODY), 0);
        g_clear_pointer(&p, g_free);
        /* A descriptor directory writable by others (with a trusted file). */
        write_descriptor(fx.etc, "ow-dir.json", descriptor(fx.prog, "json", "x.com/a", count, NULL));
        ck_assert_int_eq(chmod(fx.etc, 0757), 0);
        /* And one that is fine. */
        write_descriptor(fx.usr, "ok.json", descriptor(fx.prog, "json", "x.com/ok", ok_count, NULL));

        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, false, 10 * SEC, 0);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        ck_assert_uint_eq(g_hash_table_size(r.impls), 6);

        fix = g_strdup_printf("chown root:root %s; chmod go-w %s", nobody_prog, nobody_prog);
        assert_untrusted(&r, "vfio-user:nobody-prog", nobody_prog,
                         "owned by uid 65534 and writable by group and others (mode 0777)", fix);
        ck_assert(g_str_has_prefix(reason_of(&r, "vfio-user:nobody-prog"), "binary "));
        g_clear_pointer(&fix, g_free);
        fix = g_strdup_printf("chmod go-w %s", gw_bin);
        assert_untrusted(&r, "vfio-user:gw-dir", gw_bin, "writable by group (mode 0775)", fix);
        g_clear_pointer(&fix, g_free);
        p = g_build_filename(fx.usr, "mode-666.json", NULL);
        fix = g_strdup_printf("chmod go-w %s", p);
        assert_untrusted(&r, "vfio-user:mode-666", p, "writable by group and others (mode 0666)", fix);
        g_clear_pointer(&fix, g_free);
        g_clear_pointer(&p, g_free);
        p = g_build_filename(fx.usr, "nobody-desc.json", NULL);
        fix = g_strdup_printf("chown root:root %s", p);
        assert_untrusted(&r, "vfio-user:nobody-desc", p, "owned by uid 65534", fix);
        ck_assert_ptr_null(strstr(reason_of(&r, "vfio-user:nobody-desc"), "chmod"));
        g_clear_pointer(&fix, g_free);
        g_clear_pointer(&p, g_free);
        fix = g_strdup_printf("chmod go-w %s", fx.etc);
        assert_untrusted(&r, "vfio-user:ow-dir", fx.etc, "writable by others (mode 0757)", fix);
        assert_model(&r, "vfio-user:ok", "x.com/ok");

        /* Only the trusted program ran. */
        ck_assert_uint_eq(n_spawned(s), 1);
        ck_assert_uint_eq(count_lines(ok_count), 1);
        ck_assert(!g_file_test(count, G_FILE_TEST_EXISTS));

        /* A retry (rescan) does not run them either. */
        mc_vfiouser_source_rescan(s);
        run_for(e, 200 * MSEC);
        ck_assert_uint_eq(n_spawned(s), 1);
        ck_assert(!g_file_test(count, G_FILE_TEST_EXISTS));

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

/* As nobody: make prog nobody's and rewrite it (append a byte). */
static void rewrite_as_nobody(const char *prog) {
        pid_t pid;
        int status;

        ck_assert_int_eq(chown(prog, NOBODY, NOBODY), 0);
        ck_assert_int_eq(chmod(prog, 0777), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int fd;
                if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
                        _exit(1);
                fd = open(prog, O_WRONLY | O_APPEND);
                if (fd < 0 || write(fd, "\n", 1) != 1 || close(fd) < 0)
                        _exit(2);
                _exit(0);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Trust is checked before every run and before a cached answer is used:
 * a program that becomes nobody's (its identity unchanged, so the cache
 * would still match), or that nobody rewrites, is neither run again nor
 * believed. */
START_TEST(test_untrusted_after_change) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        g_autofree char *count = NULL, *fix = NULL;

        if (geteuid() != 0)
                return; /* needs chown */
        fx_init(&fx);
        rec_init(&r);
        count = g_build_filename(fx.root, "runs", NULL);
        /* So that nobody can reach the program. */
        ck_assert_int_eq(chmod(fx.root, 0755), 0);
        write_descriptor(fx.usr, "a.json", descriptor(fx.prog, "json", "x.com/a", count, NULL));
        fix = g_strdup_printf("chown root:root %s; chmod go-w %s", fx.prog, fx.prog);

        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, false, 10 * SEC, 0);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        assert_model(&r, "vfio-user:a", "x.com/a");
        ck_assert_uint_eq(count_lines(count), 1);
        mc_vfiouser_source_free(s);
        rec_clear(&r);

        /* Handed to nobody, not modified: a restart finds a matching
         * cache entry, and must not use it. */
        ck_assert_int_eq(chown(fx.prog, NOBODY, NOBODY), 0);
        ck_assert_int_eq(chmod(fx.prog, 0777), 0);
        rec_init(&r);
        s = source_new(e, &fx, &r, false, 10 * SEC, 0);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        assert_untrusted(&r, "vfio-user:a", fx.prog, "owned by uid 65534", fix);
        ck_assert_uint_eq(n_spawned(s), 0);

        /* Back to root: the cached answer is good again. */
        ck_assert_int_eq(chown(fx.prog, 0, 0), 0);
        ck_assert_int_eq(chmod(fx.prog, 0755), 0);
        mc_vfiouser_source_rescan(s);
        RUN_UNTIL(e, rec_get(&r, "vfio-user:a")->info != NULL);
        ck_assert_uint_eq(n_spawned(s), 0);

        /* nobody rewrites it: refused on rescan, not run. */
        rewrite_as_nobody(fx.prog);
        mc_vfiouser_source_rescan(s);
        run_for(e, 200 * MSEC);
        assert_untrusted(&r, "vfio-user:a", fx.prog, "owned by uid 65534 and writable by group and others",
                         fix);
        ck_assert_uint_eq(n_spawned(s), 0);
        ck_assert_uint_eq(count_lines(count), 1);

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

/* Symbolic links are followed step by step: the directories of the link
 * and of its target both count, relative targets and ".." included. */
START_TEST(test_trust_symlinks) {
        g_autofree char *root = g_dir_make_tmp("mc-trust-XXXXXX", NULL);
        g_autofree char *good = g_build_filename(root, "good", NULL);
        g_autofree char *open_dir = g_build_filename(root, "open", NULL);
        g_autofree char *prog = g_build_filename(good, "prog", NULL);
        g_autofree char *in_open = g_build_filename(open_dir, "prog", NULL);
        g_autofree char *link_in_open = g_build_filename(open_dir, "link", NULL);
        g_autofree char *link_to_open = g_build_filename(good, "to-open", NULL);
        g_autofree char *rel_link = g_build_filename(good, "rel", NULL);
        g_autofree char *dotdot = g_build_filename(good, "..", "good", "prog", NULL);
        g_autoptr(GError) error = NULL;
        struct stat a, b;
        int fd;

        ck_assert_int_eq(g_mkdir(good, 0755), 0);
        ck_assert_int_eq(g_mkdir(open_dir, 0755), 0);
        copy_executable(MC_PROBE_PROG, prog);
        copy_executable(MC_PROBE_PROG, in_open);
        ck_assert_int_eq(symlink(prog, link_in_open), 0);
        ck_assert_int_eq(symlink("../open/prog", link_to_open), 0);
        ck_assert_int_eq(symlink("./prog", rel_link), 0);
        ck_assert_int_eq(chmod(open_dir, 0777), 0);

        /* The system's own: /bin/sh is reached through symlinks on Debian. */
        fd = mc_trust_open("/bin/sh", &error);
        ck_assert_msg(fd >= 0, "%s", error->message);
        close(fd);

        /* Trusted: the file opened is the one named. */
        fd = mc_trust_open(rel_link, &error);
        ck_assert_msg(fd >= 0, "%s", error->message);
        ck_assert_int_eq(fstat(fd, &a), 0);
        ck_assert_int_eq(stat(prog, &b), 0);
        ck_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        close(fd);
        fd = mc_trust_open(dotdot, &error);
        ck_assert_msg(fd >= 0, "%s", error->message);
        close(fd);

        /* A link in an open directory, and a link into one. */
        ck_assert_int_eq(mc_trust_open(link_in_open, &error), -1);
        ck_assert_contains(error->message, open_dir);
        ck_assert_contains(error->message, "writable by group and others (mode 0777)");
        g_clear_error(&error);
        ck_assert_int_eq(mc_trust_open(link_to_open, &error), -1);
        ck_assert_contains(error->message, open_dir);
        g_clear_error(&error);

        /* Not a regular file; missing. */
        ck_assert_int_eq(mc_trust_open(good, &error), -1);
        ck_assert_contains(error->message, "not a regular file");
        g_clear_error(&error);
        ck_assert_int_eq(mc_trust_open("/nonexistent/x", &error), -1);
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND));

        ck_assert_int_eq(chmod(open_dir, 0755), 0);
        rm_rf(root);
}
END_TEST

/* Model data files: the same rule; an untrusted one is not used. */
START_TEST(test_untrusted_data_file) {
        g_autofree char *root = g_dir_make_tmp("mc-data-XXXXXX", NULL);
        g_autofree char *dir = g_build_filename(root, "mdev-models.d", NULL);
        g_autofree char *file = g_build_filename(dir, "gpu.json", NULL);
        const char *dirs[] = { dir, NULL };
        g_autofree char *head = g_strdup_printf("model data file %s ", file);
        const char *why = NULL;
        g_autoptr(McDataFiles) df = NULL;
        struct {
                uid_t uid;
                mode_t file_mode, dir_mode;
        } cases[] = {
                { NOBODY, 0644, 0755 },
                { 0, 0666, 0755 },
                { 0, 0664, 0755 },
                { 0, 0644, 0775 },
                { 0, 0644, 0757 },
        };

        ck_assert_int_eq(g_mkdir(dir, 0755), 0);
        write_file(file, "{\"match\": {\"driver\": \"drv\", \"type\": \"t-*\"}, \"models\": {\"a.com/one\": {}}}");
        ck_assert_int_eq(chmod(file, 0644), 0);
        df = mc_data_files_new(dirs);
        mc_data_files_load(df);
        ck_assert_ptr_nonnull(mc_data_files_lookup(df, "drv", "t-1", NULL));

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                if (cases[i].uid != 0 && geteuid() != 0)
                        continue; /* needs chown */
                ck_assert_int_eq(chown(file, cases[i].uid, cases[i].uid), 0);
                ck_assert_int_eq(chmod(file, cases[i].file_mode), 0);
                ck_assert_int_eq(chmod(dir, cases[i].dir_mode), 0);
                ck_assert(mc_data_files_load(df));
                ck_assert_msg(!mc_data_files_lookup(df, "drv", "t-1", &why), "case %zu: untrusted file used", i);
                /* Not "none matches": the reason names it. */
                ck_assert_msg(why && g_str_has_prefix(why, head), "case %zu: %s", i, why ? why : "(none)");
                ck_assert_ptr_nonnull(strstr(why, "; fix: "));
                /* Another type still matches nothing. */
                ck_assert(!mc_data_files_lookup(df, "drv", "u-1", &why));
                ck_assert_ptr_null(why);
                ck_assert_uint_eq(mc_data_files_n_loaded(df), 0);

                /* Fixed: used again. */
                ck_assert_int_eq(chown(file, geteuid(), getegid()), 0);
                ck_assert_int_eq(chmod(file, 0644), 0);
                ck_assert_int_eq(chmod(dir, 0755), 0);
                ck_assert(mc_data_files_load(df));
                ck_assert_ptr_nonnull(mc_data_files_lookup(df, "drv", "t-1", &why));
                ck_assert_ptr_null(why);
        }
        unlink(file);
        rmdir(dir);
        rmdir(root);
}
END_TEST

START_TEST(test_warm_cache_restart) {
        Fx fx;
        g_autoptr(GHashTable) first = NULL, second = NULL;
        g_autofree char *runs = NULL;
        g_autofree char *noexec = NULL;
        GHashTableIter it;
        gpointer k, v;
        uint64_t spawned = 0;

        fx_init(&fx);
        runs = g_build_filename(fx.root, "runs", NULL);
        noexec = g_build_filename(fx.bin, "noexec", NULL);
        write_file(noexec, "#!/bin/sh\n");
        ck_assert_int_eq(chmod(noexec, 0644), 0);
        /* json MODEL COUNTFILE: counts real runs, independently of the pool. */
        {
                g_autofree char *json = descriptor(fx.prog, "json", "vendor-a.com/a", runs, NULL);
                write_in(fx.usr, "a.json", json);
        }
        put_descriptor(fx.usr, "b.json", fx.prog, "json", "vendor-b.com/b");
        put_descriptor(fx.etc, "hang.json", fx.prog, "hang", NULL);
        put_descriptor(fx.etc, "noexec.json", noexec, "json", NULL);

        first = run_to_settled(&fx, false, 300 * MSEC, &spawned);
        ck_assert_uint_eq(spawned, 4);
        ck_assert_uint_eq(count_lines(runs), 1);

        /* A restart runs nothing but the program that could not even be
         * started (spawn errors are not cached); the hanging one is not
         * waited for again. */
        second = run_to_settled(&fx, false, 300 * MSEC, &spawned);
        ck_assert_uint_eq(spawned, 1);
        ck_assert_uint_eq(count_lines(runs), 1);
        ck_assert_uint_eq(g_hash_table_size(first), g_hash_table_size(second));
        g_hash_table_iter_init(&it, first);
        while (g_hash_table_iter_next(&it, &k, &v)) {
                McImpl *other = g_hash_table_lookup(second, k);
                ck_assert_msg(other && mc_impl_equal(v, other), "%s differs after restart", (char *) k);
        }

        /* Without the spawn error: zero processes. */
        ck_assert_int_eq(unlink_in(fx.etc, "noexec.json"), 0);
        g_hash_table_unref(second);
        second = run_to_settled(&fx, false, 300 * MSEC, &spawned);
        ck_assert_uint_eq(spawned, 0);
        ck_assert_uint_eq(g_hash_table_size(second), 3);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_cache_invalidated_by_identity) {
        Fx fx;
        GHashTable *impls = NULL;
        g_autofree char *cache_file = NULL;
        struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000000, 5 } };
        uint64_t spawned = 0;

        fx_init(&fx);
        put_descriptor(fx.usr, "a.json", fx.prog, "json", "vendor-a.com/a");
        impls = run_to_settled(&fx, false, 10 * SEC, &spawned);
        ck_assert_uint_eq(spawned, 1);
        g_hash_table_unref(impls);

        /* touch: new mtime, same everything else. */
        ck_assert_int_eq(utimensat(AT_FDCWD, fx.prog, ts, 0), 0);
        impls = run_to_settled(&fx, false, 10 * SEC, &spawned);
        ck_assert_uint_eq(spawned, 1);
        g_hash_table_unref(impls);
        impls = run_to_settled(&fx, false, 10 * SEC, &spawned);
        ck_assert_uint_eq(spawned, 0);
        g_hash_table_unref(impls);

        /* Replaced by a copy: new inode. */
        copy_executable(MC_PROBE_PROG, fx.prog);
        impls = run_to_settled(&fx, false, 10 * SEC, &spawned);
        ck_assert_uint_eq(spawned, 1);
        g_hash_table_unref(impls);

        /* New arguments in the descriptor. */
        put_descriptor(fx.usr, "a.json", fx.prog, "json", "vendor-a.com/a2");
        impls = run_to_settled(&fx, false, 10 * SEC, &spawned);
        ck_assert_uint_eq(spawned, 1);
        ck_assert_ptr_nonnull(mc_info_find_model(((McImpl *) g_hash_table_lookup(impls, "vfio-user:a"))->info,
                                                 "vendor-a.com/a2"));
        g_hash_table_unref(impls);

        /* A corrupt cache file: re-probed, rewritten, then used again. */
        cache_file = g_build_filename(fx.cache, "vfio-user", "a.json", NULL);
        write_file(cache_file, "{\"format\": ");
        impls = run_to_settled(&fx, false, 10 * SEC, &spawned);
        ck_assert_uint_eq(spawned, 1);
        g_hash_table_unref(impls);
        impls = run_to_settled(&fx, false, 10 * SEC, &spawned);
        ck_assert_uint_eq(spawned, 0);
        g_hash_table_unref(impls);

        /* A removed descriptor's cache entry is pruned at start. */
        ck_assert_int_eq(unlink_in(fx.usr, "a.json"), 0);
        impls = run_to_settled(&fx, false, 10 * SEC, &spawned);
        ck_assert_uint_eq(g_hash_table_size(impls), 0);
        ck_assert(!g_file_test(cache_file, G_FILE_TEST_EXISTS));
        g_hash_table_unref(impls);
        fx_clear(&fx);
}
END_TEST

/* A script that stands in for a new version of the program. */
static void replace_with_model(Fx *fx, const char *model) {
        g_autofree char *script = g_strdup_printf(
                "#!/bin/sh\nexec %s json %s --print-migration-info-json\n", MC_PROBE_PROG, model);
        g_autofree char *tmp = g_strdup_printf("%s.dpkg-new", fx->prog);
        ck_assert(g_file_set_contents(tmp, script, -1, NULL));
        ck_assert_int_eq(chmod(tmp, 0755), 0);
        ck_assert_int_eq(rename(tmp, fx->prog), 0);
}

START_TEST(test_rescan) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;

        fx_init(&fx);
        rec_init(&r);
        put_descriptor(fx.usr, "a.json", fx.prog, "json", "vendor-a.com/a");
        put_descriptor(fx.usr, "b.json", fx.prog, "sleep", "1");
        put_descriptor(fx.usr, "hang.json", fx.prog, "hang", NULL);
        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, false, 500 * MSEC, 0);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        ck_assert_uint_eq(n_spawned(s), 3);
        assert_model(&r, "vfio-user:a", "vendor-a.com/a");

        /* Nothing changed: only the failed probe is tried again. */
        g_ptr_array_set_size(r.log, 0);
        mc_vfiouser_source_rescan(s);
        RUN_UNTIL(e, mc_probe_pool_n_pending(mc_vfiouser_source_get_pool(s)) == 0);
        ck_assert_uint_eq(n_spawned(s), 4);
        ck_assert_uint_eq(r.log->len, 0); /* same failure again: nothing to publish */

        /* The program is upgraded (no inotify here): rescan notices. */
        replace_with_model(&fx, "vendor-new.com/a");
        g_ptr_array_set_size(r.log, 0);
        mc_vfiouser_source_rescan(s);
        RUN_UNTIL(e, rec_logged(&r, "put:vfio-user:a") && rec_logged(&r, "put:vfio-user:b"));
        RUN_UNTIL(e, mc_probe_pool_n_pending(mc_vfiouser_source_get_pool(s)) == 0);
        ck_assert_uint_eq(n_spawned(s), 4 + 3);
        assert_model(&r, "vfio-user:a", "vendor-new.com/a");
        assert_model(&r, "vfio-user:b", "vendor-new.com/a");

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_inotify_descriptors) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        g_autofree char *log = NULL;
        g_autofree char *usr_c = NULL, *etc_c = NULL;
        uint64_t base;

        fx_init(&fx);
        rec_init(&r);
        put_descriptor(fx.usr, "a.json", fx.prog, "json", "vendor-a.com/a");
        put_descriptor(fx.etc, "b.json", fx.prog, "json", "vendor-b.com/b");
        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, true, 10 * SEC, 0);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        base = n_spawned(s);
        ck_assert_uint_eq(base, 2);

        /* Added: only c is probed and put. */
        usr_c = g_build_filename(fx.usr, "c.json", NULL);
        etc_c = g_build_filename(fx.etc, "c.json", NULL);
        g_ptr_array_set_size(r.log, 0);
        put_descriptor(fx.usr, "c.json", fx.prog, "json", "usr.example/c");
        RUN_UNTIL(e, rec_logged(&r, "changed"));
        log = rec_log_str(&r);
        ck_assert_str_eq(log, "put:vfio-user:c changed");
        ck_assert_uint_eq(n_spawned(s), base + 1);
        assert_model(&r, "vfio-user:c", "usr.example/c");

        /* Modified. */
        g_ptr_array_set_size(r.log, 0);
        put_descriptor(fx.usr, "c.json", fx.prog, "json", "usr.example/c2");
        RUN_UNTIL(e, rec_logged(&r, "changed"));
        g_free(log);
        log = rec_log_str(&r);
        ck_assert_str_eq(log, "put:vfio-user:c changed");
        ck_assert_uint_eq(n_spawned(s), base + 2);
        assert_model(&r, "vfio-user:c", "usr.example/c2");

        /* An /etc override appears, then goes away. */
        g_ptr_array_set_size(r.log, 0);
        put_descriptor(fx.etc, "c.json", fx.prog, "json", "etc.example/c");
        RUN_UNTIL(e, rec_logged(&r, "changed"));
        g_free(log);
        log = rec_log_str(&r);
        ck_assert_str_eq(log, "put:vfio-user:c changed");
        assert_model(&r, "vfio-user:c", "etc.example/c");

        g_ptr_array_set_size(r.log, 0);
        ck_assert_int_eq(unlink(etc_c), 0);
        RUN_UNTIL(e, rec_logged(&r, "changed"));
        g_free(log);
        log = rec_log_str(&r);
        ck_assert_str_eq(log, "put:vfio-user:c changed");
        assert_model(&r, "vfio-user:c", "usr.example/c2");
        /* The cache holds one result per name (the override's now). */
        ck_assert_uint_eq(n_spawned(s), base + 4);

        /* A descriptor broken by an edit is published as failed. */
        g_ptr_array_set_size(r.log, 0);
        write_file(usr_c, "{\"binary\": 1}");
        RUN_UNTIL(e, rec_logged(&r, "changed"));
        ck_assert_contains(reason_of(&r, "vfio-user:c"), "$.binary");

        /* Removed. */
        g_ptr_array_set_size(r.log, 0);
        ck_assert_int_eq(unlink(usr_c), 0);
        RUN_UNTIL(e, rec_logged(&r, "changed"));
        g_free(log);
        log = rec_log_str(&r);
        ck_assert_str_eq(log, "remove:vfio-user:c changed");
        ck_assert_uint_eq(g_hash_table_size(r.impls), 2);

        /* Files that are not descriptors cause nothing. */
        g_ptr_array_set_size(r.log, 0);
        write_in(fx.usr, "README", "x");
        run_for(e, 100 * MSEC);
        ck_assert_uint_eq(r.log->len, 0);
        ck_assert_uint_eq(n_spawned(s), base + 4);

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_inotify_binary_replaced) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        g_autofree char *log = NULL;

        fx_init(&fx);
        rec_init(&r);
        put_descriptor(fx.usr, "a.json", fx.prog, "json", "vendor-a.com/a");
        put_descriptor(fx.usr, "other.json", MC_PROBE_PROG, "json", "vendor-o.com/o");
        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, true, 10 * SEC, 0);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        ck_assert_uint_eq(n_spawned(s), 2);

        /* A package upgrade renames the new binary into place. The old
         * facts stay published until the new ones replace them. */
        g_ptr_array_set_size(r.log, 0);
        replace_with_model(&fx, "vendor-new.com/a");
        RUN_UNTIL(e, rec_logged(&r, "changed"));
        log = rec_log_str(&r);
        ck_assert_str_eq(log, "put:vfio-user:a changed");
        assert_model(&r, "vfio-user:a", "vendor-new.com/a");
        ck_assert_uint_eq(n_spawned(s), 3);

        /* The binary is removed: not migratable, with the reason. */
        g_ptr_array_set_size(r.log, 0);
        ck_assert_int_eq(unlink(fx.prog), 0);
        RUN_UNTIL(e, rec_logged(&r, "changed"));
        {
                g_autofree char *exp = g_strdup_printf("binary %s: No such file or directory", fx.prog);
                ck_assert_str_eq(reason_of(&r, "vfio-user:a"), exp);
        }

        /* And installed again. */
        g_ptr_array_set_size(r.log, 0);
        copy_executable(MC_PROBE_PROG, fx.prog);
        RUN_UNTIL(e, rec_logged(&r, "changed"));
        assert_model(&r, "vfio-user:a", "vendor-a.com/a");
        assert_model(&r, "vfio-user:other", "vendor-o.com/o");

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_inotify_etc_dir_created) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        g_autofree char *etc_parent = NULL;

        fx_init(&fx);
        rec_init(&r);
        /* /etc/migcompat does not exist at start. */
        etc_parent = g_path_get_dirname(fx.etc);
        rm_rf(etc_parent);
        put_descriptor(fx.usr, "a.json", fx.prog, "json", "usr.example/a");
        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, true, 10 * SEC, 0);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        assert_model(&r, "vfio-user:a", "usr.example/a");

        ck_assert_int_eq(g_mkdir_with_parents(fx.etc, 0755), 0);
        put_descriptor(fx.etc, "a.json", fx.prog, "json", "etc.example/a");
        RUN_UNTIL(e, g_hash_table_contains(r.impls, "vfio-user:a") &&
                             rec_get(&r, "vfio-user:a")->info &&
                             mc_info_find_model(rec_get(&r, "vfio-user:a")->info, "etc.example/a"));

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_removed_while_probing) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;
        siginfo_t si = { 0 };

        fx_init(&fx);
        rec_init(&r);
        put_descriptor(fx.usr, "slow.json", fx.prog, "hang", NULL);
        put_descriptor(fx.usr, "a.json", fx.prog, "json", "vendor-a.com/a");
        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, true, 20 * SEC, 0);
        mc_vfiouser_source_start(s);
        RUN_UNTIL(e, g_hash_table_contains(r.impls, "vfio-user:a"));
        ck_assert(!mc_vfiouser_source_is_settled(s));

        /* Its descriptor goes away mid-probe: the probe is cancelled,
         * nothing is published for it, and the scan is complete. */
        ck_assert_int_eq(unlink_in(fx.usr, "slow.json"), 0);
        RUN_UNTIL(e, mc_vfiouser_source_is_settled(s));
        ck_assert_uint_eq(r.n_settled, 1);
        ck_assert(!g_hash_table_contains(r.impls, "vfio-user:slow"));
        ck_assert(!rec_logged(&r, "remove:vfio-user:slow"));
        RUN_UNTIL(e, mc_probe_pool_n_children(mc_vfiouser_source_get_pool(s)) == 0);
        ck_assert_int_lt(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT), 0);

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

START_TEST(test_settled_waits_for_all) {
        Fx fx;
        Rec r;
        sd_event *e = NULL;
        McVfioUserSource *s;

        fx_init(&fx);
        rec_init(&r);
        for (int i = 0; i < 6; i++) {
                g_autofree char *name = g_strdup_printf("s%d.json", i);
                put_descriptor(fx.usr, name, fx.prog, "sleep", i % 2 ? "300" : "100");
        }
        ck_assert_int_ge(sd_event_new(&e), 0);
        s = source_new(e, &fx, &r, false, 10 * SEC, 0);
        mc_vfiouser_source_start(s);
        while (!mc_vfiouser_source_is_settled(s)) {
                ck_assert_int_ge(sd_event_run(e, 100 * MSEC), 0);
                if (!mc_vfiouser_source_is_settled(s))
                        ck_assert_uint_lt(g_hash_table_size(r.impls), 6);
        }
        ck_assert_uint_eq(g_hash_table_size(r.impls), 6);
        ck_assert_uint_eq(r.n_settled, 1);
        mc_vfiouser_source_rescan(s);
        run_for(e, 50 * MSEC);
        ck_assert_uint_eq(r.n_settled, 1);

        mc_vfiouser_source_free(s);
        sd_event_unref(e);
        rec_clear(&r);
        fx_clear(&fx);
}
END_TEST

static Suite *vfiouser_suite(void) {
        Suite *s = suite_create("vfiouser");
        TCase *tc;

        tc = tcase_create("conf-dirs");
        tcase_add_test(tc, test_conf_dirs_list);
        tcase_add_test(tc, test_conf_file_read);
        suite_add_tcase(s, tc);

        tc = tcase_create("dir-watch");
        tcase_add_test(tc, test_dir_watch_coalesces);
        tcase_add_test(tc, test_dir_watch_missing_dir);
        suite_add_tcase(s, tc);

        tc = tcase_create("probe-cache");
        tcase_add_test(tc, test_cache_roundtrip);
        tcase_add_test(tc, test_cache_hostile_files);
        suite_add_tcase(s, tc);

        tc = tcase_create("source");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_probe_published);
        tcase_add_test(tc, test_override_and_order);
        tcase_add_test(tc, test_descriptor_failures);
        tcase_add_test(tc, test_probe_failures);
        tcase_add_test(tc, test_untrusted_never_run);
        tcase_add_test(tc, test_untrusted_after_change);
        tcase_add_test(tc, test_untrusted_data_file);
        tcase_add_test(tc, test_trust_symlinks);
        tcase_add_test(tc, test_warm_cache_restart);
        tcase_add_test(tc, test_cache_invalidated_by_identity);
        tcase_add_test(tc, test_rescan);
        tcase_add_test(tc, test_inotify_descriptors);
        tcase_add_test(tc, test_inotify_binary_replaced);
        tcase_add_test(tc, test_inotify_etc_dir_created);
        tcase_add_test(tc, test_removed_while_probing);
        tcase_add_test(tc, test_settled_waits_for_all);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(vfiouser_suite)
