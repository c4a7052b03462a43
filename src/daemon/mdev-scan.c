/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Reading every mdev parent and instance again: the start-up scan, the
 * D-Bus Rescan(), lost uevents. New parents are read on several threads. */

#include "mdev-internal.h"

#include <errno.h>
#include <string.h>

#include "mc-error.h"
#include "mc-log.h"

/* ---- the initial scan, on several threads ----------------------------------- */

/* A parent nobody has seen yet, read off the main thread. */
typedef struct {
        char *name;
        char *syspath;
        GError *error;     /* the types could not be listed */
        Parent *p;         /* read, not yet in src->parents */
        GHashTable *types; /* read, not yet published */
} ParentScan;

static void parent_scan_free(ParentScan *ps) {
        g_free(ps->name);
        g_free(ps->syspath);
        g_clear_error(&ps->error);
        mdev_parent_free(ps->p);
        if (ps->types)
                g_hash_table_unref(ps->types);
        g_free(ps);
}

static void parent_scan_run(McMdevSource *src, ParentScan *ps) {
        g_autoptr(McSysfsDir) dir = NULL;
        g_autoptr(McSysfsDir) types_dir = NULL;
        g_autoptr(GPtrArray) names = NULL;

        dir = mc_sysfs_dir_open(ps->syspath, &ps->error);
        if (dir)
                types_dir = mc_sysfs_dir_open_at(dir, "mdev_supported_types", &ps->error);
        if (types_dir)
                names = mc_sysfs_list(types_dir, NULL, MAX_TYPES_PER_PARENT, &ps->error);
        if (!names)
                return;
        ps->p = mdev_parent_new(ps->name, ps->syspath);
        ps->types = mdev_parent_read_types(src, ps->p, dir, types_dir, names);
}

typedef struct {
        McMdevSource *src;
        GPtrArray *scans;
        gint next; /* the next scan to take */
} ScanWork;

static gpointer scan_worker(gpointer data) {
        ScanWork *w = data;
        gint i;

        while ((i = g_atomic_int_add(&w->next, 1)) < (gint) w->scans->len)
                parent_scan_run(w->src, w->scans->pdata[i]);
        return NULL;
}

/* Reading a big host is waiting for the kernel, file after file: spread
 * the parents over the processors (at most four threads, and only when
 * there are enough parents to pay for them). The threads live only for
 * the scan; everything they read is published by the main thread, in
 * order, as a sequential scan would. */
#define SCAN_PARENTS_PER_THREAD 16
#define SCAN_MAX_THREADS 4

static void scan_new_parents(McMdevSource *src, GPtrArray *scans, GHashTable *seen) {
        ScanWork w = { .src = src, .scans = scans };
        guint n_threads = MIN(MIN(g_get_num_processors(), SCAN_MAX_THREADS),
                              scans->len / SCAN_PARENTS_PER_THREAD);
        g_autoptr(GPtrArray) threads = g_ptr_array_new();

        for (guint i = 1; i < n_threads; i++) {
                g_autoptr(GError) error = NULL;
                GThread *t = g_thread_try_new("mdev-scan", scan_worker, &w, &error);
                if (!t) {
                        mc_log_debug("Reading sysfs on fewer threads: %s", error->message);
                        break;
                }
                g_ptr_array_add(threads, t);
        }
        scan_worker(&w);
        for (guint i = 0; i < threads->len; i++)
                g_thread_join(threads->pdata[i]);

        for (guint i = 0; i < scans->len; i++) {
                ParentScan *ps = scans->pdata[i];
                Parent *p;

                if (!ps->p) {
                        mdev_parent_unreadable(src, ps->name, ps->syspath, ps->error);
                        continue;
                }
                mdev_clear_problem(src->warned, ps->syspath);
                p = g_steal_pointer(&ps->p);
                mdev_parent_insert(src, p);
                mdev_parent_apply_types(src, p, g_steal_pointer(&ps->types));
                g_hash_table_add(seen, g_strdup(p->name));
        }
}

/* Where the class link /sys/class/mdev_bus/<name> points, as an absolute
 * device path: sysfs writes such links as "../../devices/.../<name>", and
 * /sys/class/mdev_bus is a real directory, so the path is found by
 * spelling out the "..", where libudev would walk it component by
 * component (some thirty system calls per parent). NULL for a link of
 * any other shape: libudev resolves that. */
static char *class_link_device(const McSysfsDir *class_dir, const char *name) {
        g_autofree char *target = mc_sysfs_read_link(class_dir, name, NULL);
        g_auto(GStrv) parts = NULL;
        g_autoptr(GPtrArray) path = NULL;
        GString *out;

        if (!target || target[0] == '/')
                return NULL;
        path = g_ptr_array_new();
        g_ptr_array_add(path, "sys");
        g_ptr_array_add(path, "class");
        g_ptr_array_add(path, "mdev_bus");
        parts = g_strsplit(target, "/", -1);
        for (guint i = 0; parts[i]; i++) {
                if (!*parts[i] || strcmp(parts[i], ".") == 0)
                        continue;
                if (strcmp(parts[i], "..") == 0) {
                        if (path->len == 0)
                                return NULL;
                        g_ptr_array_set_size(path, path->len - 1);
                        continue;
                }
                g_ptr_array_add(path, parts[i]);
        }
        /* A device, and the one the link is named after. */
        if (path->len < 3 || strcmp(path->pdata[0], "sys") != 0 ||
            strcmp(path->pdata[1], "devices") != 0 ||
            strcmp(path->pdata[path->len - 1], name) != 0)
                return NULL;
        out = g_string_new(NULL);
        for (guint i = 0; i < path->len; i++)
                g_string_append_printf(out, "/%s", (const char *) path->pdata[i]);
        return g_string_free(out, false);
}

void mdev_rescan_parents(McMdevSource *src) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McSysfsDir) class_dir = NULL;
        g_autoptr(GPtrArray) names = NULL;
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) scans = g_ptr_array_new_with_free_func((GDestroyNotify) parent_scan_free);
        GHashTableIter it;
        Parent *p;

        class_dir = mc_sysfs_dir_open(MDEV_BUS_CLASS, &error);
        if (class_dir)
                names = mc_sysfs_list(class_dir, NULL, MAX_PARENTS, &error);
        if (!names) {
                /* Absent: no mdev parent driver is loaded (mdev.ko not even
                 * in use), the normal case on most hosts. */
                if (!g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND))
                        mdev_note_problem(&src->warned, MDEV_BUS_CLASS, error->message);
                names = g_ptr_array_new_with_free_func(g_free);
        } else {
                mdev_clear_problem(src->warned, MDEV_BUS_CLASS);
        }

        for (guint i = 0; i < names->len; i++) {
                const char *name = names->pdata[i];
                g_autofree char *link = g_strconcat(MDEV_BUS_CLASS "/", name, NULL);
                g_autofree char *syspath = class_link_device(class_dir, name);
                struct udev_device *dev;

                if (syspath) {
                        mdev_clear_problem(src->warned, link);
                        if (!g_hash_table_contains(src->parents, name) &&
                            mdev_name_usable(src, name, syspath)) {
                                ParentScan *ps = g_new0(ParentScan, 1);
                                ps->name = g_strdup(name);
                                ps->syspath = g_steal_pointer(&syspath);
                                g_ptr_array_add(scans, ps);
                                continue;
                        }
                        mdev_parent_rescan(src, name, syspath);
                        if (g_hash_table_contains(src->parents, name))
                                g_hash_table_add(seen, g_strdup(name));
                        continue;
                }
                /* libudev resolves the class symlink to the device. */
                errno = 0;
                dev = udev_device_new_from_syspath(src->udev, link);
                if (!dev) {
                        int err = errno;
                        /* ENOENT/ENODEV: the parent vanished since the
                         * listing; anything else is worth a word. */
                        if (err != ENOENT && err != ENODEV) {
                                g_autofree char *msg = g_strdup_printf(
                                        "%s: cannot resolve the mdev parent: %s", link,
                                        g_strerror(err ? err : EINVAL));
                                mdev_note_problem(&src->warned, link, msg);
                        }
                        continue;
                }
                mdev_clear_problem(src->warned, link);
                mdev_parent_rescan(src, name, udev_device_get_syspath(dev));
                udev_device_unref(dev);
                if (g_hash_table_contains(src->parents, name))
                        g_hash_table_add(seen, g_strdup(name));
        }
        scan_new_parents(src, scans, seen);

        g_hash_table_iter_init(&it, src->parents);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &p))
                if (!g_hash_table_contains(seen, p->name))
                        g_ptr_array_add(gone, g_strdup(p->name));
        for (guint i = 0; i < gone->len; i++)
                mdev_forget_parent(src, gone->pdata[i]);
}

void mdev_rescan_instances(McMdevSource *src) {
        struct udev_enumerate *e = udev_enumerate_new(src->udev);
        struct udev_list_entry *l;
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GPtrArray) gone = g_ptr_array_new();
        GHashTableIter it;
        Instance *inst;

        if (!e)
                return;
        /* Instances are real devices on the mdev bus, unlike parents. */
        if (udev_enumerate_add_match_subsystem(e, "mdev") >= 0 &&
            udev_enumerate_scan_devices(e) >= 0) {
                udev_list_entry_foreach(l, udev_enumerate_get_list_entry(e)) {
                        const char *syspath = udev_list_entry_get_name(l);
                        Instance *n = mdev_instance_read(src, syspath);
                        if (!n)
                                continue;
                        g_hash_table_add(seen, g_strdup(n->uuid));
                        mdev_instance_store(src, n);
                }
        }
        udev_enumerate_unref(e);

        g_hash_table_iter_init(&it, src->instances);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &inst))
                if (!g_hash_table_contains(seen, inst->uuid))
                        g_ptr_array_add(gone, inst);
        for (guint i = 0; i < gone->len; i++)
                mdev_instance_forget(src, gone->pdata[i]);
}
