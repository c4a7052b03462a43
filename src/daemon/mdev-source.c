/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mdev-source.h"

#include <errno.h>
#include <libudev.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat.h"
#include "facts-cache.h"
#include "identity.h"
#include "mc-error.h"
#include "mc-log.h"
#include "sysfs.h"

/* What is published when sysfs is odd (each problem is logged once, and
 * again only when its message changes or after it was fixed):
 *
 * - available_instances missing, unreadable, empty, not a number or too
 *   large: the type is published with 0 free instances. Its migration facts
 *   are still right, but nobody should be told a device fits where its
 *   availability cannot be confirmed; 0 makes checks say no-free-instance.
 * - name, description, device_api unreadable: published as absent (NULL).
 *   name and description are optional in the kernel; device_api is not, so
 *   its absence is also logged.
 * - migration_device_models / migration_info.json present but unreadable,
 *   too large or malformed (or the two disagree): the type is published not
 *   migratable with the error as reason. No data file is consulted then:
 *   the driver's word wins. A data file describes what a vendor's driver
 *   did at some release; a driver that publishes its own attributes is
 *   saying what it does now, and a data file written for an older release
 *   could claim versions this driver no longer loads. A scheduler is better
 *   served by "not migratable: <why>" than by a guess.
 * - the type directory exists but cannot be opened: published not
 *   migratable, 0 free instances, with the error as reason.
 * - a type directory, a parent directory or an instance that vanishes
 *   while it is read is treated as removed (silently: that is a race with
 *   the kernel, not a fault).
 * - a parent whose mdev_supported_types cannot be listed is not published
 *   (there is nothing to publish); other parents are unaffected.
 * - names that are not printable ASCII (type ids, parent names) are
 *   skipped: they cannot form an implementation id. */

#define SYSFS_ROOT "/sys"
#define MDEV_BUS_CLASS SYSFS_ROOT "/class/mdev_bus"
#define MAX_PARENTS 65536
#define MAX_TYPES_PER_PARENT 4096
#define MAX_NAME_LEN 255
#define MAX_UEVENTS_PER_WAKEUP 256

typedef struct Parent Parent;

typedef struct {
        Parent *parent; /* borrowed: the parent owns its types */
        char *type_id;
        int64_t available;
        /* As read (identity: name, description, device_api; no facts),
         * until it is published; then NULL, and the identity lives in impl
         * only: a big host keeps these strings once, not twice. */
        McImpl *draft;
        /* Type directory could not be opened: the reason, and nothing else
         * below is meaningful. */
        char *read_error;
        /* The driver publishes migration attributes: then driver_info, or
         * driver_error when they cannot be used. */
        bool has_driver_facts;
        McInfo *driver_info;
        char *driver_error;
        McImpl *impl; /* what is published, NULL before the first put */
} MdevType;

struct Parent {
        char *name;    /* the mdev_bus entry, = sysname, e.g. "0000:00:02.0" */
        char *syspath; /* "/sys/devices/pci0000:00/0000:00:02.0" */
        char *driver;  /* basename of the driver link, NULL when unbound */
        GHashTable *types;  /* type_id -> MdevType* */
        GHashTable *warned; /* path -> last logged message */
        /* Read when a data file derives a version from it (identity.h);
         * dropped when the parent is read again. */
        McIdentity *ident;
};

typedef struct {
        char *uuid;
        char *syspath;
        char *parent;  /* parent's name */
        char *type_id; /* NULL when the mdev_type link cannot be read */
        char *model;   /* migration/device_model, NULL when absent */
        char *version; /* migration/version, NULL when absent */
        GHashTable *params; /* migration/<param> name -> value; NULL: none */
        char *error;   /* why it cannot be described */
} Instance;

struct McMdevSource {
        McMdevSourceOps ops;
        void *userdata;
        struct udev *udev;
        struct udev_monitor *monitor;
        sd_event_source *io;
        GHashTable *parents;           /* name -> Parent* */
        GHashTable *parents_by_path;   /* syspath -> Parent* (borrowed) */
        GHashTable *instances;         /* uuid -> Instance* */
        GHashTable *instances_by_path; /* syspath -> Instance* (borrowed) */
        GHashTable *warned;            /* problems not tied to a known parent */
        McFactsCache *facts;           /* driver facts shared by identical types */
        guint n_types;
        bool dirty;                    /* the current batch changed something */
};

/* ---- logging problems once -------------------------------------------- */

/* The tables are made on the first problem: a thousand healthy parents
 * need none. */
static void note_problem(GHashTable **warned, const char *key, const char *message) {
        const char *old;

        if (!*warned)
                *warned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        old = g_hash_table_lookup(*warned, key);
        if (old && strcmp(old, message) == 0)
                return;
        mc_log_warning("%s", message);
        g_hash_table_replace(*warned, g_strdup(key), g_strdup(message));
}

static void clear_problem(GHashTable *warned, const char *key) {
        if (warned)
                g_hash_table_remove(warned, key);
}

/* The same for dir/attr, without making the key when there is nothing to
 * clear (the usual case, once per attribute read). */
static void clear_problem_at(GHashTable *warned, const char *dir, const char *attr) {
        if (warned && g_hash_table_size(warned) > 0) {
                g_autofree char *key = g_strconcat(dir, "/", attr, NULL);
                g_hash_table_remove(warned, key);
        }
}

/* ---- records ------------------------------------------------------------ */

static void mdev_type_free(MdevType *t) {
        if (!t)
                return;
        g_free(t->type_id);
        if (t->draft)
                mc_impl_unref(t->draft);
        g_free(t->read_error);
        if (t->driver_info)
                mc_info_unref(t->driver_info);
        g_free(t->driver_error);
        if (t->impl)
                mc_impl_unref(t->impl);
        g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MdevType, mdev_type_free)

static void parent_free(Parent *p) {
        if (!p)
                return;
        g_free(p->name);
        g_free(p->syspath);
        g_free(p->driver);
        g_hash_table_unref(p->types);
        if (p->warned)
                g_hash_table_unref(p->warned);
        mc_identity_free(p->ident);
        g_free(p);
}

static Parent *parent_new(const char *name, const char *syspath) {
        Parent *p = g_new0(Parent, 1);
        p->name = g_strdup(name);
        p->syspath = g_strdup(syspath);
        p->types = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) mdev_type_free);
        return p;
}

static void instance_free(Instance *inst) {
        if (!inst)
                return;
        g_free(inst->uuid);
        g_free(inst->syspath);
        g_free(inst->parent);
        g_free(inst->type_id);
        g_free(inst->model);
        g_free(inst->version);
        if (inst->params)
                g_hash_table_unref(inst->params);
        g_free(inst->error);
        g_free(inst);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Instance, instance_free)

/* Type ids and parent names become part of implementation ids and D-Bus
 * object paths (escaped): accept what the kernel makes, printable ASCII. */
static bool valid_name(const char *s) {
        size_t n = 0;

        for (; s[n]; n++)
                if (s[n] <= ' ' || s[n] > '~')
                        return false;
        return n > 0 && n <= MAX_NAME_LEN;
}

static const char *path_basename(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

static bool path_exists(const char *path) {
        struct stat st;
        return lstat(path, &st) == 0;
}

/* ---- publishing ----------------------------------------------------------- */

static McImpl *type_build_impl(McMdevSource *src, MdevType *t) {
        const Parent *p = t->parent;
        const McDataFile *file = NULL;
        const char *untrusted = NULL;
        McImpl *impl;

        if (t->draft) {
                /* As read: nobody has seen it yet, so it is filled in place. */
                impl = g_steal_pointer(&t->draft);
        } else {
                /* Only availability or facts change: the identity is the
                 * published one. */
                g_return_val_if_fail(t->impl, NULL);
                impl = mc_impl_new(MC_KIND_MDEV, t->impl->id);
                impl->parent = g_strdup(t->impl->parent);
                impl->type_id = g_strdup(t->impl->type_id);
                impl->driver = g_strdup(p->driver);
                impl->name = g_strdup(t->impl->name);
                impl->description = g_strdup(t->impl->description);
                impl->device_api = g_strdup(t->impl->device_api);
        }
        impl->available = t->available;
        impl->facts_from = MC_FACTS_NONE;

        if (t->read_error) {
                impl->not_migratable_reason = g_strdup(t->read_error);
                return impl;
        }
        if (t->has_driver_facts) {
                if (t->driver_error) {
                        impl->not_migratable_reason = g_strdup_printf(
                                "the driver's migration attributes cannot be used: %s",
                                t->driver_error);
                } else {
                        impl->info = mc_info_ref(t->driver_info);
                        impl->facts_from = MC_FACTS_DRIVER;
                }
                return impl;
        }
        if (src->ops.lookup)
                file = src->ops.lookup(src->userdata, p->driver, t->type_id, &untrusted);
        if (untrusted) {
                impl->not_migratable_reason = g_strdup(untrusted);
                return impl;
        }
        if (file && file->info && file->derived) {
                /* Versions derived from what the parent runs (its driver
                 * module's version, ...): read its identity once. */
                g_autofree char *reason = NULL;
                g_autoptr(GError) error = NULL;
                Parent *mp = (Parent *) p;

                impl->facts_file = g_strdup(file->origin);
                if (!mp->ident)
                        mp->ident = mc_identity_read(p->syspath, &error);
                if (mp->ident) {
                        g_autoptr(GPtrArray) extra = mc_pairs_new();
                        mc_pairs_set(extra, "type", t->type_id);
                        impl->info = mc_identity_derive(mp->ident, file->info, file->origin, extra,
                                                        &reason);
                }
                else
                        reason = g_strdup_printf("cannot read the parent device: %s", error->message);
                if (!impl->info) {
                        impl->not_migratable_reason = g_steal_pointer(&reason);
                        return impl;
                }
                impl->facts_from = MC_FACTS_DATA_FILE;
                return impl;
        }
        if (file && file->info) {
                impl->info = mc_info_ref(file->info);
                impl->facts_from = MC_FACTS_DATA_FILE;
                impl->facts_file = g_strdup(file->origin);
                return impl;
        }
        if (p->driver)
                impl->not_migratable_reason = g_strdup_printf(
                        "driver %s publishes no migration attributes and no model data file "
                        "matches driver %s type %s",
                        p->driver, p->driver, t->type_id);
        else
                impl->not_migratable_reason = g_strdup_printf(
                        "parent %s has no driver, publishes no migration attributes, and no "
                        "model data file matches type %s",
                        p->name, t->type_id);
        return impl;
}

/* Publish t's current state if it differs from what was published. */
static void type_publish(McMdevSource *src, MdevType *t) {
        McImpl *impl = type_build_impl(src, t);

        if (!impl)
                return;
        if (t->impl && mc_impl_equal(t->impl, impl)) {
                mc_impl_unref(impl);
                return;
        }
        if (t->impl)
                mc_impl_unref(t->impl);
        t->impl = impl;
        src->ops.put(src->userdata, mc_impl_ref(impl));
        src->dirty = true;
}

static void type_unpublish(McMdevSource *src, MdevType *t) {
        if (!t->impl)
                return;
        src->ops.remove(src->userdata, t->impl->id);
        src->dirty = true;
}

static void end_batch(McMdevSource *src) {
        if (!src->dirty)
                return;
        src->dirty = false;
        if (src->ops.changed)
                src->ops.changed(src->userdata);
}

/* ---- reading a type ------------------------------------------------------ */

/* An optional text attribute: absent is fine, anything else is logged. */
static char *read_optional(Parent *p, const McSysfsDir *dir, const char *attr, bool required) {
        g_autoptr(GError) error = NULL;
        char *value;

        value = mc_sysfs_read_text(dir, attr, MC_SYSFS_ATTR_MAX, NULL, &error);
        if (value || (!required && g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND))) {
                clear_problem_at(p->warned, mc_sysfs_dir_path(dir), attr);
                return value;
        }
        {
                g_autofree char *key = g_strconcat(mc_sysfs_dir_path(dir), "/", attr, NULL);
                note_problem(&p->warned, key, error->message);
        }
        return NULL;
}

/* Read the type's available_instances; false when it does not exist. */
static bool read_available(Parent *p, const McSysfsDir *tdir, int64_t *ret) {
        g_autoptr(GError) error = NULL;
        uint64_t v;

        if (mc_sysfs_read_uint(tdir, "available_instances", INT64_MAX, &v, &error)) {
                clear_problem_at(p->warned, mc_sysfs_dir_path(tdir), "available_instances");
                *ret = (int64_t) v;
                return true;
        }
        *ret = 0;
        if (g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND))
                return false;
        {
                g_autofree char *key = g_strconcat(mc_sysfs_dir_path(tdir), "/available_instances", NULL);
                g_autofree char *msg = g_strdup_printf("%s; publishing 0 free instances",
                                                       error->message);
                note_problem(&p->warned, key, msg);
        }
        return true;
}

/* One migration attribute: NULL with *error unset when absent. */
static char *read_migration_attr(const McSysfsDir *tdir, const char *attr, gsize *len,
                                 GError **error) {
        g_autoptr(GError) local = NULL;
        char *data = mc_sysfs_read_text(tdir, attr, MC_MAX_DOCUMENT_SIZE, len, &local);

        if (!data && !g_error_matches(local, MC_ERROR, MC_ERROR_NOT_FOUND))
                g_propagate_error(error, g_steal_pointer(&local));
        return data;
}

static void read_driver_facts(McMdevSource *src, Parent *p, MdevType *t, const McSysfsDir *tdir) {
        g_autoptr(GError) error = NULL;
        g_autofree char *text = NULL, *json = NULL;
        g_autofree char *text_origin = NULL, *json_origin = NULL;
        g_autoptr(McInfo) text_info = NULL, json_info = NULL;
        gsize text_len = 0, json_len = 0;
        const char *dir = mc_sysfs_dir_path(tdir);

        text = read_migration_attr(tdir, "migration_device_models", &text_len, &error);
        if (!error)
                json = read_migration_attr(tdir, "migration_info.json", &json_len, &error);
        if (!error && !text && !json) {
                clear_problem_at(p->warned, dir, "migration");
                return; /* the driver publishes nothing: a data file may */
        }

        t->has_driver_facts = true;
        if (!error) {
                t->driver_info = mc_facts_cache_lookup(src->facts, text, text_len, json, json_len);
                if (t->driver_info) {
                        clear_problem_at(p->warned, dir, "migration");
                        return;
                }
        }
        text_origin = g_strconcat(dir, "/migration_device_models", NULL);
        json_origin = g_strconcat(dir, "/migration_info.json", NULL);
        if (!error && text)
                text_info = mc_info_parse_device_models(text, text_len, text_origin, &error);
        if (!error && json)
                json_info = mc_info_parse(json, json_len, json_origin, &error);
        if (!error) {
                if (text_info && json_info)
                        t->driver_info = mc_info_merge(json_info, text_info, dir, &error);
                else
                        t->driver_info = mc_info_ref(text_info ? text_info : json_info);
        }
        if (error) {
                g_autofree char *msg = NULL;
                g_autofree char *key = g_strconcat(dir, "/migration", NULL);
                t->driver_error = g_strdup(error->message);
                msg = g_strdup_printf("%s; type published as not migratable", error->message);
                note_problem(&p->warned, key, msg);
                return;
        }
        {
                McInfo *kept = mc_facts_cache_add(src->facts, text, text_len, json, json_len, t->driver_info);
                mc_info_unref(t->driver_info);
                t->driver_info = kept;
        }
        clear_problem_at(p->warned, dir, "migration");
}

/* Read one type. NULL when it vanished (or is not a type at all). */
static MdevType *type_read(McMdevSource *src, Parent *p, const McSysfsDir *types_dir,
                           const char *type_id) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McSysfsDir) tdir = NULL;
        g_autoptr(MdevType) t = g_new0(MdevType, 1);

        t->parent = p;
        t->type_id = g_strdup(type_id);
        {
                g_autofree char *id = mc_mdev_impl_id(p->name, type_id);
                t->draft = mc_impl_new(MC_KIND_MDEV, id);
                t->draft->parent = g_strdup(p->name);
                t->draft->type_id = g_strdup(type_id);
                t->draft->driver = g_strdup(p->driver);
        }

        /* The usual type in one system call per attribute: through a
         * handle that opens nothing, as long as available_instances reads
         * back a number. Anything else (the type vanished, is no directory,
         * the number is garbage) is looked at closely, as below. */
        tdir = mc_sysfs_dir_sub(types_dir, type_id, NULL);
        if (tdir) {
                uint64_t v;
                if (mc_sysfs_read_uint(tdir, "available_instances", INT64_MAX, &v, NULL)) {
                        clear_problem_at(p->warned, mc_sysfs_dir_path(types_dir), type_id);
                        clear_problem_at(p->warned, mc_sysfs_dir_path(tdir), "available_instances");
                        t->available = (int64_t) v;
                        goto attributes;
                }
                g_clear_pointer(&tdir, mc_sysfs_dir_free);
        }

        tdir = mc_sysfs_dir_open_at(types_dir, type_id, &error);
        if (!tdir) {
                g_autofree char *key = NULL;
                if (g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND))
                        return NULL;
                key = g_strconcat(mc_sysfs_dir_path(types_dir), "/", type_id, NULL);
                note_problem(&p->warned, key, error->message);
                t->read_error = g_strdup_printf("cannot read the type: %s", error->message);
                return g_steal_pointer(&t);
        }
        clear_problem_at(p->warned, mc_sysfs_dir_path(types_dir), type_id);

        if (!read_available(p, tdir, &t->available)) {
                /* Every type has available_instances (the mdev core makes
                 * it). Without it, either the type vanished under us, or
                 * the directory is odd: tell which. */
                if (!mc_sysfs_exists(types_dir, type_id))
                        return NULL;
                g_autofree char *akey = g_strconcat(mc_sysfs_dir_path(types_dir), "/", type_id,
                                                    "/available_instances", NULL);
                g_autofree char *msg = g_strdup_printf(
                        "%s: does not exist; publishing 0 free instances", akey);
                note_problem(&p->warned, akey, msg);
        }
attributes:
        t->draft->name = read_optional(p, tdir, "name", false);
        t->draft->description = read_optional(p, tdir, "description", false);
        t->draft->device_api = read_optional(p, tdir, "device_api", true);
        read_driver_facts(src, p, t, tdir);
        return g_steal_pointer(&t);
}

/* ---- parents -------------------------------------------------------------- */

static void parent_remove(McMdevSource *src, Parent *p) {
        GHashTableIter it;
        MdevType *t;

        g_hash_table_iter_init(&it, p->types);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &t))
                type_unpublish(src, t);
        src->n_types -= g_hash_table_size(p->types);
        mc_log_debug("mdev parent %s removed", p->name);
        g_hash_table_remove(src->parents_by_path, p->syspath);
        g_hash_table_remove(src->parents, p->name); /* frees p */
}

static void forget_parent(McMdevSource *src, const char *name) {
        Parent *p = g_hash_table_lookup(src->parents, name);
        if (p)
                parent_remove(src, p);
}

/* Read the driver link and every type of p (the part of a rescan that
 * only reads sysfs). It touches p, which the caller owns, and of src only
 * the facts cache, which is thread-safe: the initial scan runs it on
 * several threads for parents nobody has seen yet. */
static GHashTable *parent_read_types(McMdevSource *src, Parent *p, const McSysfsDir *dir,
                                     const McSysfsDir *types_dir, const GPtrArray *names) {
        g_autoptr(GError) error = NULL;
        g_autofree char *driver = NULL;
        GHashTable *types;

        g_clear_pointer(&p->ident, mc_identity_free);
        /* The driver link is absent for class devices (mtty, mdpy, ...). */
        driver = mc_sysfs_read_link_basename(dir, "driver", &error);
        if (!driver && !g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND))
                note_problem(&p->warned, "driver", error->message);
        else
                clear_problem(p->warned, "driver");
        if (g_strcmp0(driver, p->driver) != 0) {
                g_free(p->driver);
                p->driver = g_steal_pointer(&driver);
        }

        types = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) mdev_type_free);
        for (guint i = 0; i < names->len; i++) {
                const char *type_id = names->pdata[i];
                MdevType *t;

                if (!valid_name(type_id)) {
                        g_autofree char *key = g_strconcat(mc_sysfs_dir_path(types_dir), "/",
                                                           type_id, NULL);
                        g_autofree char *shown = g_strescape(type_id, NULL);
                        g_autofree char *msg = g_strdup_printf(
                                "%s/%s: type id is not printable ASCII; ignored",
                                mc_sysfs_dir_path(types_dir), shown);
                        note_problem(&p->warned, key, msg);
                        continue;
                }
                t = type_read(src, p, types_dir, type_id);
                if (t)
                        g_hash_table_insert(types, t->type_id, t);
        }
        return types;
}

/* Publish the differences between p's types and the ones just read
 * (taken). */
static void parent_apply_types(McMdevSource *src, Parent *p, GHashTable *types) {
        GHashTableIter it;
        MdevType *t;

        /* Types that are gone. */
        g_hash_table_iter_init(&it, p->types);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &t))
                if (!g_hash_table_contains(types, t->type_id))
                        type_unpublish(src, t);
        src->n_types -= g_hash_table_size(p->types);

        /* New and changed types: keep what was published to compare. */
        g_hash_table_iter_init(&it, types);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &t)) {
                MdevType *old = g_hash_table_lookup(p->types, t->type_id);
                if (old && old->impl)
                        t->impl = mc_impl_ref(old->impl);
                type_publish(src, t);
        }
        src->n_types += g_hash_table_size(types);

        g_hash_table_unref(p->types);
        p->types = types;
}

/* The parent's types directory could not be listed: say why (unless it is
 * simply gone) and forget the parent. */
static void parent_unreadable(McMdevSource *src, const char *name, const char *syspath,
                              const GError *error) {
        Parent *p = g_hash_table_lookup(src->parents, name);

        if (!g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND)) {
                g_autofree char *msg = g_strdup_printf("%s; mdev parent %s not published",
                                                       error->message, name);
                note_problem(&src->warned, syspath, msg);
        } else {
                clear_problem(src->warned, syspath);
        }
        if (p)
                parent_remove(src, p);
}

static void parent_insert(McMdevSource *src, Parent *p) {
        g_hash_table_insert(src->parents, p->name, p);
        g_hash_table_insert(src->parents_by_path, p->syspath, p);
        mc_log_debug("mdev parent %s at %s", p->name, p->syspath);
}

static bool name_usable(McMdevSource *src, const char *name, const char *syspath) {
        if (valid_name(name))
                return true;
        g_autofree char *shown = g_strescape(name, NULL);
        g_autofree char *msg = g_strdup_printf(
                "%s: mdev parent name \"%s\" is not printable ASCII; ignored", syspath, shown);
        note_problem(&src->warned, syspath, msg);
        return false;
}

/* Read a parent's types again and publish the differences. A parent that
 * is gone, or no longer has mdev_supported_types (driver unbound), is
 * removed. */
static void parent_rescan(McMdevSource *src, const char *name, const char *syspath) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McSysfsDir) dir = NULL;
        g_autoptr(McSysfsDir) types_dir = NULL;
        g_autoptr(GPtrArray) names = NULL;
        Parent *p;

        if (!name_usable(src, name, syspath))
                return;

        p = g_hash_table_lookup(src->parents, name);
        if (p && strcmp(p->syspath, syspath) != 0) {
                /* Same name, another device: the old one is gone. */
                parent_remove(src, p);
                p = NULL;
        }

        dir = mc_sysfs_dir_open(syspath, &error);
        if (dir)
                types_dir = mc_sysfs_dir_open_at(dir, "mdev_supported_types", &error);
        if (types_dir)
                names = mc_sysfs_list(types_dir, NULL, MAX_TYPES_PER_PARENT, &error);
        if (!names) {
                parent_unreadable(src, name, syspath, error);
                return;
        }
        clear_problem(src->warned, syspath);

        if (!p) {
                p = parent_new(name, syspath);
                parent_insert(src, p);
        }
        parent_apply_types(src, p, parent_read_types(src, p, dir, types_dir, names));
}

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
        parent_free(ps->p);
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
        ps->p = parent_new(ps->name, ps->syspath);
        ps->types = parent_read_types(src, ps->p, dir, types_dir, names);
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
                        parent_unreadable(src, ps->name, ps->syspath, ps->error);
                        continue;
                }
                clear_problem(src->warned, ps->syspath);
                p = g_steal_pointer(&ps->p);
                parent_insert(src, p);
                parent_apply_types(src, p, g_steal_pointer(&ps->types));
                g_hash_table_add(seen, g_strdup(p->name));
        }
}

/* An instance of a type of p appeared or disappeared: the kernel changes
 * available_instances, possibly of every type of p (they often share one
 * pool: mtty ports, GPU memory). Re-read only those. */
static void parent_refresh_available(McMdevSource *src, Parent *p) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McSysfsDir) types_dir = NULL;
        g_autofree char *path = g_strconcat(p->syspath, "/mdev_supported_types", NULL);
        GHashTableIter it;
        MdevType *t;

        types_dir = mc_sysfs_dir_open(path, &error);
        if (!types_dir) {
                /* Odd: let a full rescan of the parent sort it out. */
                g_autofree char *name = g_strdup(p->name);
                g_autofree char *syspath = g_strdup(p->syspath);
                parent_rescan(src, name, syspath);
                return;
        }
        g_hash_table_iter_init(&it, p->types);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &t)) {
                g_autoptr(McSysfsDir) tdir = NULL;
                int64_t available;

                if (t->read_error)
                        continue;
                tdir = mc_sysfs_dir_open_at(types_dir, t->type_id, NULL);
                if (!tdir)
                        continue; /* a uevent for the parent will follow */
                if (!read_available(p, tdir, &available))
                        available = 0;
                if (available != t->available) {
                        t->available = available;
                        type_publish(src, t);
                }
        }
}

/* ---- instances ------------------------------------------------------------ */

static void instance_read_migration(Instance *inst, const McSysfsDir *dir) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McSysfsDir) mdir = NULL;
        g_autoptr(GPtrArray) names = NULL;
        g_autoptr(GHashTable) params = NULL;

        mdir = mc_sysfs_dir_open_at(dir, "migration", &error);
        if (!mdir) {
                if (!g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND))
                        inst->error = g_strdup(error->message);
                return;
        }
        /* device_model, version and one file per parameter. */
        names = mc_sysfs_list(mdir, NULL, MC_MAX_PARAMS + 2, &error);
        if (!names) {
                inst->error = g_strdup(error->message);
                return;
        }
        params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        for (guint i = 0; i < names->len; i++) {
                const char *name = names->pdata[i];
                g_autofree char *value = NULL;
                const char *why;

                if (strcmp(name, "device_model") != 0 && strcmp(name, "version") != 0 &&
                    (why = mc_check_param_name(name))) {
                        inst->error = g_strdup_printf("%s/%s: not a migration parameter: %s",
                                                      mc_sysfs_dir_path(mdir), name, why);
                        return;
                }
                value = mc_sysfs_read_text(mdir, name, MC_MAX_STRING_LEN, NULL, &error);
                if (!value) {
                        inst->error = g_strdup(error->message);
                        return;
                }
                if (strcmp(name, "device_model") == 0)
                        inst->model = g_steal_pointer(&value);
                else if (strcmp(name, "version") == 0)
                        inst->version = g_steal_pointer(&value);
                else
                        g_hash_table_insert(params, g_strdup(name), g_steal_pointer(&value));
        }
        if (g_hash_table_size(params) > 0)
                inst->params = g_steal_pointer(&params);
}

/* Read an instance; NULL when it is gone. */
static Instance *instance_read(McMdevSource *src, const char *syspath) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McSysfsDir) dir = NULL;
        g_autoptr(Instance) inst = g_new0(Instance, 1);
        g_autofree char *parent_path = g_path_get_dirname(syspath);

        dir = mc_sysfs_dir_open(syspath, &error);
        if (!dir) {
                if (!g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND))
                        note_problem(&src->warned, syspath, error->message);
                return NULL;
        }
        inst->uuid = g_strdup(path_basename(syspath));
        inst->syspath = g_strdup(syspath);
        /* An instance is a child of its parent device in the device tree. */
        inst->parent = g_strdup(path_basename(parent_path));
        inst->type_id = mc_sysfs_read_link_basename(dir, "mdev_type", &error);
        if (!inst->type_id) {
                if (g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND) &&
                    !path_exists(syspath))
                        return NULL; /* removed while we read it */
                inst->error = g_strdup(error->message);
        } else {
                instance_read_migration(inst, dir);
        }
        if (inst->error)
                note_problem(&src->warned, syspath, inst->error);
        else
                clear_problem(src->warned, syspath);
        return g_steal_pointer(&inst);
}

static void instance_forget(McMdevSource *src, Instance *inst) {
        clear_problem(src->warned, inst->syspath);
        g_hash_table_remove(src->instances_by_path, inst->syspath);
        g_hash_table_remove(src->instances, inst->uuid); /* frees inst */
}

static void instance_store(McMdevSource *src, Instance *inst) {
        Instance *old = g_hash_table_lookup(src->instances, inst->uuid);

        if (old)
                instance_forget(src, old);
        g_hash_table_insert(src->instances, inst->uuid, inst);
        g_hash_table_insert(src->instances_by_path, inst->syspath, inst);
}

static void refresh_available_of(McMdevSource *src, const char *parent_name) {
        Parent *p = parent_name ? g_hash_table_lookup(src->parents, parent_name) : NULL;
        if (p)
                parent_refresh_available(src, p);
}

static void instance_event(McMdevSource *src, const char *action, const char *syspath) {
        Instance *old = g_hash_table_lookup(src->instances_by_path, syspath);
        g_autofree char *old_parent = old ? g_strdup(old->parent) : NULL;
        Instance *inst = NULL;

        if (strcmp(action, "remove") != 0)
                inst = instance_read(src, syspath);
        if (old)
                instance_forget(src, old);
        if (inst) {
                g_autofree char *parent = g_strdup(inst->parent);
                instance_store(src, inst);
                refresh_available_of(src, parent);
                if (old_parent && strcmp(old_parent, parent) != 0)
                        refresh_available_of(src, old_parent);
        } else if (old_parent) {
                refresh_available_of(src, old_parent);
        } else {
                /* Unknown and gone: its parent's counts still changed. */
                g_autofree char *dir = g_path_get_dirname(syspath);
                Parent *p = g_hash_table_lookup(src->parents_by_path, dir);
                if (p)
                        parent_refresh_available(src, p);
        }
}

/* ---- uevents --------------------------------------------------------------- */

static bool has_supported_types(const char *syspath) {
        g_autofree char *path = g_strconcat(syspath, "/mdev_supported_types", NULL);
        struct stat st;
        return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void device_event(McMdevSource *src, const char *action, const char *syspath,
                         const char *subsystem, const char *sysname) {
        Parent *p;

        if (g_strcmp0(subsystem, "mdev") == 0 ||
            g_hash_table_contains(src->instances_by_path, syspath)) {
                instance_event(src, action, syspath);
                return;
        }

        p = g_hash_table_lookup(src->parents_by_path, syspath);
        if (p) {
                if (strcmp(action, "remove") == 0) {
                        parent_remove(src, p);
                } else {
                        /* change (MDEV_STATE=registered/unregistered),
                         * bind, unbind, move, ...: read it again. */
                        g_autofree char *name = g_strdup(p->name);
                        parent_rescan(src, name, syspath);
                }
                return;
        }
        if (strcmp(action, "remove") == 0)
                return;
        /* A device becomes a parent when a driver registers it with mdev
         * (bind, or change with MDEV_STATE=registered): it then has
         * mdev_supported_types. One stat per uevent of any other device. */
        if (sysname && has_supported_types(syspath))
                parent_rescan(src, sysname, syspath);
}

static void handle_device(McMdevSource *src, struct udev_device *dev) {
        const char *action = udev_device_get_action(dev);
        const char *syspath = udev_device_get_syspath(dev);

        if (!action || !syspath)
                return;
        mc_log_debug("uevent %s %s", action, syspath);
        device_event(src, action, syspath, udev_device_get_subsystem(dev),
                     udev_device_get_sysname(dev));
}

static int on_monitor(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        McMdevSource *src = userdata;

        /* Bounded so a storm of uevents cannot starve the bus; the
         * source is level-triggered and comes back for the rest. */
        for (guint i = 0; i < MAX_UEVENTS_PER_WAKEUP; i++) {
                struct udev_device *dev;

                errno = 0;
                dev = udev_monitor_receive_device(src->monitor);
                if (!dev) {
                        if (errno == ENOBUFS) {
                                /* The socket overflowed: uevents were lost,
                                 * so nothing we hold can be trusted. */
                                mc_log_warning("uevents were lost (receive buffer overflow); "
                                               "rescanning all mdev parents");
                                mc_mdev_source_rescan_all(src);
                        }
                        break;
                }
                handle_device(src, dev);
                udev_device_unref(dev);
        }
        end_batch(src);
        return 0;
}

/* ---- public API -------------------------------------------------------------- */

McMdevSource *mc_mdev_source_new(const McMdevSourceOps *ops, void *userdata, GError **error) {
        McMdevSource *src;

        g_return_val_if_fail(ops && ops->put && ops->remove, NULL);

        src = g_new0(McMdevSource, 1);
        src->ops = *ops;
        src->userdata = userdata;
        src->udev = udev_new();
        if (!src->udev) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "cannot create a udev context: %s",
                            g_strerror(errno));
                g_free(src);
                return NULL;
        }
        src->parents = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) parent_free);
        src->parents_by_path = g_hash_table_new(g_str_hash, g_str_equal);
        src->instances = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify) instance_free);
        src->instances_by_path = g_hash_table_new(g_str_hash, g_str_equal);
        src->facts = mc_facts_cache_new();
        return src;
}

void mc_mdev_source_free(McMdevSource *src) {
        if (!src)
                return;
        sd_event_source_disable_unref(src->io);
        if (src->monitor)
                udev_monitor_unref(src->monitor);
        g_hash_table_unref(src->instances_by_path);
        g_hash_table_unref(src->instances);
        g_hash_table_unref(src->parents_by_path);
        g_hash_table_unref(src->parents);
        if (src->warned)
                g_hash_table_unref(src->warned);
        mc_facts_cache_free(src->facts);
        udev_unref(src->udev);
        g_free(src);
}

bool mc_mdev_source_attach(McMdevSource *src, sd_event *event, GError **error) {
        int r;

        g_return_val_if_fail(!src->monitor, false);

        /* "udev": events after udevd processed them, as every udev client
         * listens. Not filtered by subsystem: see mdev-source.h. */
        src->monitor = udev_monitor_new_from_netlink(src->udev, "udev");
        if (!src->monitor) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "cannot create a udev monitor: %s",
                            g_strerror(errno));
                return false;
        }
        /* Bursts (a driver registering thousands of types, a script creating
         * hundreds of instances) must not overflow the socket; the kernel
         * caps this at net.core.rmem_max unless privileged, which is fine. */
        (void) udev_monitor_set_receive_buffer_size(src->monitor, 16 * 1024 * 1024);
        r = udev_monitor_enable_receiving(src->monitor);
        if (r < 0) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "cannot listen to uevents: %s",
                            g_strerror(-r));
                g_clear_pointer(&src->monitor, udev_monitor_unref);
                return false;
        }
        r = sd_event_add_io(event, &src->io, udev_monitor_get_fd(src->monitor), EPOLLIN,
                            on_monitor, src);
        if (r < 0) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "cannot watch the udev monitor: %s",
                            g_strerror(-r));
                g_clear_pointer(&src->monitor, udev_monitor_unref);
                return false;
        }
        (void) sd_event_source_set_description(src->io, "mdev-uevents");
        return true;
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

static void rescan_parents(McMdevSource *src) {
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
                        note_problem(&src->warned, MDEV_BUS_CLASS, error->message);
                names = g_ptr_array_new_with_free_func(g_free);
        } else {
                clear_problem(src->warned, MDEV_BUS_CLASS);
        }

        for (guint i = 0; i < names->len; i++) {
                const char *name = names->pdata[i];
                g_autofree char *link = g_strconcat(MDEV_BUS_CLASS "/", name, NULL);
                g_autofree char *syspath = class_link_device(class_dir, name);
                struct udev_device *dev;

                if (syspath) {
                        clear_problem(src->warned, link);
                        if (!g_hash_table_contains(src->parents, name) &&
                            name_usable(src, name, syspath)) {
                                ParentScan *ps = g_new0(ParentScan, 1);
                                ps->name = g_strdup(name);
                                ps->syspath = g_steal_pointer(&syspath);
                                g_ptr_array_add(scans, ps);
                                continue;
                        }
                        parent_rescan(src, name, syspath);
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
                                note_problem(&src->warned, link, msg);
                        }
                        continue;
                }
                clear_problem(src->warned, link);
                parent_rescan(src, name, udev_device_get_syspath(dev));
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
                forget_parent(src, gone->pdata[i]);
}

static void rescan_instances(McMdevSource *src) {
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
                        Instance *n = instance_read(src, syspath);
                        if (!n)
                                continue;
                        g_hash_table_add(seen, g_strdup(n->uuid));
                        instance_store(src, n);
                }
        }
        udev_enumerate_unref(e);

        g_hash_table_iter_init(&it, src->instances);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &inst))
                if (!g_hash_table_contains(seen, inst->uuid))
                        g_ptr_array_add(gone, inst);
        for (guint i = 0; i < gone->len; i++)
                instance_forget(src, gone->pdata[i]);
}

void mc_mdev_source_rescan_all(McMdevSource *src) {
        rescan_parents(src);
        rescan_instances(src);
        end_batch(src);
        mc_facts_cache_prune(src->facts);
}

void mc_mdev_source_refresh_facts(McMdevSource *src) {
        GHashTableIter pit, tit;
        Parent *p;
        MdevType *t;

        g_hash_table_iter_init(&pit, src->parents);
        while (g_hash_table_iter_next(&pit, NULL, (gpointer *) &p)) {
                g_hash_table_iter_init(&tit, p->types);
                while (g_hash_table_iter_next(&tit, NULL, (gpointer *) &t))
                        if (!t->read_error && !t->has_driver_facts)
                                type_publish(src, t);
        }
        end_batch(src);
}

McSrcDevice *mc_mdev_source_describe(McMdevSource *src, const char *uuid, GError **error) {
        const Instance *inst = g_hash_table_lookup(src->instances, uuid);
        const Parent *p;
        const MdevType *t = NULL;

        if (!inst) {
                g_set_error(error, MC_ERROR, MC_ERROR_NOT_FOUND, "no mdev instance %s", uuid);
                return NULL;
        }
        if (inst->error) {
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "mdev instance %s: %s", uuid,
                            inst->error);
                return NULL;
        }
        p = g_hash_table_lookup(src->parents, inst->parent);
        if (p)
                t = g_hash_table_lookup(p->types, inst->type_id);
        if (!t || !t->impl) {
                g_set_error(error, MC_ERROR, MC_ERROR_NOT_FOUND,
                            "mdev instance %s: its type %s on parent %s is not known", uuid,
                            inst->type_id, inst->parent);
                return NULL;
        }
        if (!mc_impl_migratable(t->impl)) {
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                            "mdev instance %s is of type %s on parent %s, which is not "
                            "migratable: %s",
                            uuid, inst->type_id, inst->parent,
                            t->impl->not_migratable_reason ? t->impl->not_migratable_reason
                                                           : "no migration facts");
                return NULL;
        }
        return mc_describe_instance(uuid, t->impl, inst->model, inst->version, inst->params,
                                    error);
}

guint mc_mdev_source_n_parents(const McMdevSource *src) {
        return g_hash_table_size(src->parents);
}

guint mc_mdev_source_n_types(const McMdevSource *src) {
        return src->n_types;
}

guint mc_mdev_source_n_instances(const McMdevSource *src) {
        return g_hash_table_size(src->instances);
}
