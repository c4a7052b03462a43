/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The mdev model: parents and their types, read from sysfs (never
 * trusted: see the policy in mdev-publish.c), each problem logged once. */

#include "mdev-internal.h"

#include <string.h>

#include "mc-error.h"
#include "mc-log.h"

/* ---- logging problems once -------------------------------------------- */

/* The tables are made on the first problem: a thousand healthy parents
 * need none. */
void mdev_note_problem(GHashTable **warned, const char *key, const char *message) {
        const char *old;

        if (!*warned)
                *warned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        old = g_hash_table_lookup(*warned, key);
        if (old && strcmp(old, message) == 0)
                return;
        mc_log_warning("%s", message);
        g_hash_table_replace(*warned, g_strdup(key), g_strdup(message));
}

void mdev_clear_problem(GHashTable *warned, const char *key) {
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

void mdev_type_free(MdevType *t) {
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

void mdev_parent_free(Parent *p) {
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

Parent *mdev_parent_new(const char *name, const char *syspath) {
        Parent *p = g_new0(Parent, 1);
        p->name = g_strdup(name);
        p->syspath = g_strdup(syspath);
        p->types = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) mdev_type_free);
        return p;
}

/* Type ids and parent names become part of implementation ids and D-Bus
 * object paths (escaped): accept what the kernel makes, printable ASCII. */
static bool valid_name(const char *s) {
        size_t n = 0;

        for (; s[n]; n++)
                if (s[n] <= ' ' || s[n] > '~')
                        return false;
        return n > 0 && n <= MAX_NAME_LEN;
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
                mdev_note_problem(&p->warned, key, error->message);
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
                mdev_note_problem(&p->warned, key, msg);
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
                mdev_note_problem(&p->warned, key, msg);
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
                mdev_note_problem(&p->warned, key, error->message);
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
                mdev_note_problem(&p->warned, akey, msg);
        }
attributes:
        t->draft->name = read_optional(p, tdir, "name", false);
        t->draft->description = read_optional(p, tdir, "description", false);
        t->draft->device_api = read_optional(p, tdir, "device_api", true);
        read_driver_facts(src, p, t, tdir);
        return g_steal_pointer(&t);
}

/* ---- parents -------------------------------------------------------------- */

void mdev_parent_remove(McMdevSource *src, Parent *p) {
        GHashTableIter it;
        MdevType *t;

        g_hash_table_iter_init(&it, p->types);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &t))
                mdev_type_unpublish(src, t);
        src->n_types -= g_hash_table_size(p->types);
        mc_log_debug("mdev parent %s removed", p->name);
        g_hash_table_remove(src->parents_by_path, p->syspath);
        g_hash_table_remove(src->parents, p->name); /* frees p */
}

void mdev_forget_parent(McMdevSource *src, const char *name) {
        Parent *p = g_hash_table_lookup(src->parents, name);
        if (p)
                mdev_parent_remove(src, p);
}

/* Read the driver link and every type of p (the part of a rescan that
 * only reads sysfs). It touches p, which the caller owns, and of src only
 * the facts cache, which is thread-safe: the initial scan runs it on
 * several threads for parents nobody has seen yet. */
GHashTable *mdev_parent_read_types(McMdevSource *src, Parent *p, const McSysfsDir *dir,
                                     const McSysfsDir *types_dir, const GPtrArray *names) {
        g_autoptr(GError) error = NULL;
        g_autofree char *driver = NULL;
        GHashTable *types;

        g_clear_pointer(&p->ident, mc_identity_free);
        /* The driver link is absent for class devices (mtty, mdpy, ...). */
        driver = mc_sysfs_read_link_basename(dir, "driver", &error);
        if (!driver && !g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND))
                mdev_note_problem(&p->warned, "driver", error->message);
        else
                mdev_clear_problem(p->warned, "driver");
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
                        mdev_note_problem(&p->warned, key, msg);
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
void mdev_parent_apply_types(McMdevSource *src, Parent *p, GHashTable *types) {
        GHashTableIter it;
        MdevType *t;

        /* Types that are gone. */
        g_hash_table_iter_init(&it, p->types);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &t))
                if (!g_hash_table_contains(types, t->type_id))
                        mdev_type_unpublish(src, t);
        src->n_types -= g_hash_table_size(p->types);

        /* New and changed types: keep what was published to compare. */
        g_hash_table_iter_init(&it, types);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &t)) {
                MdevType *old = g_hash_table_lookup(p->types, t->type_id);
                if (old && old->impl)
                        t->impl = mc_impl_ref(old->impl);
                mdev_type_publish(src, t);
        }
        src->n_types += g_hash_table_size(types);

        g_hash_table_unref(p->types);
        p->types = types;
}

/* The parent's types directory could not be listed: say why (unless it is
 * simply gone) and forget the parent. */
void mdev_parent_unreadable(McMdevSource *src, const char *name, const char *syspath,
                              const GError *error) {
        Parent *p = g_hash_table_lookup(src->parents, name);

        if (!g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND)) {
                g_autofree char *msg = g_strdup_printf("%s; mdev parent %s not published",
                                                       error->message, name);
                mdev_note_problem(&src->warned, syspath, msg);
        } else {
                mdev_clear_problem(src->warned, syspath);
        }
        if (p)
                mdev_parent_remove(src, p);
}

void mdev_parent_insert(McMdevSource *src, Parent *p) {
        g_hash_table_insert(src->parents, p->name, p);
        g_hash_table_insert(src->parents_by_path, p->syspath, p);
        mc_log_debug("mdev parent %s at %s", p->name, p->syspath);
}

bool mdev_name_usable(McMdevSource *src, const char *name, const char *syspath) {
        if (valid_name(name))
                return true;
        g_autofree char *shown = g_strescape(name, NULL);
        g_autofree char *msg = g_strdup_printf(
                "%s: mdev parent name \"%s\" is not printable ASCII; ignored", syspath, shown);
        mdev_note_problem(&src->warned, syspath, msg);
        return false;
}

/* Read a parent's types again and publish the differences. A parent that
 * is gone, or no longer has mdev_supported_types (driver unbound), is
 * removed. */
void mdev_parent_rescan(McMdevSource *src, const char *name, const char *syspath) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McSysfsDir) dir = NULL;
        g_autoptr(McSysfsDir) types_dir = NULL;
        g_autoptr(GPtrArray) names = NULL;
        Parent *p;

        if (!mdev_name_usable(src, name, syspath))
                return;

        p = g_hash_table_lookup(src->parents, name);
        if (p && strcmp(p->syspath, syspath) != 0) {
                /* Same name, another device: the old one is gone. */
                mdev_parent_remove(src, p);
                p = NULL;
        }

        dir = mc_sysfs_dir_open(syspath, &error);
        if (dir)
                types_dir = mc_sysfs_dir_open_at(dir, "mdev_supported_types", &error);
        if (types_dir)
                names = mc_sysfs_list(types_dir, NULL, MAX_TYPES_PER_PARENT, &error);
        if (!names) {
                mdev_parent_unreadable(src, name, syspath, error);
                return;
        }
        mdev_clear_problem(src->warned, syspath);

        if (!p) {
                p = mdev_parent_new(name, syspath);
                mdev_parent_insert(src, p);
        }
        mdev_parent_apply_types(src, p, mdev_parent_read_types(src, p, dir, types_dir, names));
}

/* An instance of a type of p appeared or disappeared: the kernel changes
 * available_instances, possibly of every type of p (they often share one
 * pool: mtty ports, GPU memory). Re-read only those. */
void mdev_parent_refresh_available(McMdevSource *src, Parent *p) {
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
                mdev_parent_rescan(src, name, syspath);
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
                        mdev_type_publish(src, t);
                }
        }
}
