/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The mdev source's public API; its seams are listed in mdev-internal.h. */

#include "mdev-internal.h"

#include <errno.h>

#include "mc-compat.h"
#include "mc-error.h"

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
                                             (GDestroyNotify) mdev_parent_free);
        src->parents_by_path = g_hash_table_new(g_str_hash, g_str_equal);
        src->instances = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify) mdev_instance_free);
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

void mc_mdev_source_rescan_all(McMdevSource *src) {
        g_return_if_fail(src);

        mdev_rescan_parents(src);
        mdev_rescan_instances(src);
        mdev_end_batch(src);
        mc_facts_cache_prune(src->facts);
}

McSrcDevice *mc_mdev_source_describe(McMdevSource *src, const char *uuid, GError **error) {
        const Instance *inst;
        const Parent *p;
        const MdevType *t = NULL;

        g_return_val_if_fail(src, NULL);
        g_return_val_if_fail(uuid, NULL);
        g_return_val_if_fail(!error || !*error, NULL);

        inst = g_hash_table_lookup(src->instances, uuid);
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
        g_return_val_if_fail(src, 0);

        return g_hash_table_size(src->parents);
}

guint mc_mdev_source_n_types(const McMdevSource *src) {
        g_return_val_if_fail(src, 0);

        return src->n_types;
}

guint mc_mdev_source_n_instances(const McMdevSource *src) {
        g_return_val_if_fail(src, 0);

        return g_hash_table_size(src->instances);
}
