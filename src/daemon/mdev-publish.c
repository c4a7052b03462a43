/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The mdev source's publishing policy: what a type of a parent becomes
 * (an McImpl), and when it is published. */

#include "mdev-internal.h"

#include "mc-compat.h"

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
void mdev_type_publish(McMdevSource *src, MdevType *t) {
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

void mdev_type_unpublish(McMdevSource *src, MdevType *t) {
        if (!t->impl)
                return;
        src->ops.remove(src->userdata, t->impl->id);
        src->dirty = true;
}

void mdev_end_batch(McMdevSource *src) {
        if (!src->dirty)
                return;
        src->dirty = false;
        if (src->ops.changed)
                src->ops.changed(src->userdata);
}

void mc_mdev_source_refresh_facts(McMdevSource *src) {
        GHashTableIter pit, tit;
        Parent *p;
        MdevType *t;

        g_return_if_fail(src);

        g_hash_table_iter_init(&pit, src->parents);
        while (g_hash_table_iter_next(&pit, NULL, (gpointer *) &p)) {
                g_hash_table_iter_init(&tit, p->types);
                while (g_hash_table_iter_next(&tit, NULL, (gpointer *) &t))
                        if (!t->read_error && !t->has_driver_facts)
                                mdev_type_publish(src, t);
        }
        mdev_end_batch(src);
}
