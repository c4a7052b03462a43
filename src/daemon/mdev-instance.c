/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Running mdev instances, kept so Describe answers from memory. */

#include "mdev-internal.h"

#include <string.h>
#include <sys/stat.h>

#include "mc-error.h"

void mdev_instance_free(Instance *inst) {
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

static const char *path_basename(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

static bool path_exists(const char *path) {
        struct stat st;
        return lstat(path, &st) == 0;
}

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
Instance *mdev_instance_read(McMdevSource *src, const char *syspath) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McSysfsDir) dir = NULL;
        g_autoptr(Instance) inst = g_new0(Instance, 1);
        g_autofree char *parent_path = g_path_get_dirname(syspath);

        dir = mc_sysfs_dir_open(syspath, &error);
        if (!dir) {
                if (!g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND))
                        mdev_note_problem(&src->warned, syspath, error->message);
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
                mdev_note_problem(&src->warned, syspath, inst->error);
        else
                mdev_clear_problem(src->warned, syspath);
        return g_steal_pointer(&inst);
}

void mdev_instance_forget(McMdevSource *src, Instance *inst) {
        mdev_clear_problem(src->warned, inst->syspath);
        g_hash_table_remove(src->instances_by_path, inst->syspath);
        g_hash_table_remove(src->instances, inst->uuid); /* frees inst */
}

void mdev_instance_store(McMdevSource *src, Instance *inst) {
        Instance *old = g_hash_table_lookup(src->instances, inst->uuid);

        if (old)
                mdev_instance_forget(src, old);
        g_hash_table_insert(src->instances, inst->uuid, inst);
        g_hash_table_insert(src->instances_by_path, inst->syspath, inst);
}

static void refresh_available_of(McMdevSource *src, const char *parent_name) {
        Parent *p = parent_name ? g_hash_table_lookup(src->parents, parent_name) : NULL;
        if (p)
                mdev_parent_refresh_available(src, p);
}

void mdev_instance_event(McMdevSource *src, const char *action, const char *syspath) {
        Instance *old = g_hash_table_lookup(src->instances_by_path, syspath);
        g_autofree char *old_parent = old ? g_strdup(old->parent) : NULL;
        Instance *inst = NULL;

        if (strcmp(action, "remove") != 0)
                inst = mdev_instance_read(src, syspath);
        if (old)
                mdev_instance_forget(src, old);
        if (inst) {
                g_autofree char *parent = g_strdup(inst->parent);
                mdev_instance_store(src, inst);
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
                        mdev_parent_refresh_available(src, p);
        }
}
