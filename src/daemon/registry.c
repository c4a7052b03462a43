/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "registry.h"

#include <string.h>
#include <systemd/sd-bus.h>

#include "mc-config.h"

/* The objects of one implementation: one per device model it offers, or
 * one for an implementation with a single model or none. The object
 * paths are not stored: they are a function of the implementation (see
 * mc_registry_object_path()), and a big host would keep a hundred bytes
 * per object for them. */
typedef struct {
        McImpl *impl; /* reference */
        guint n;
        McRegistryObject objs[];
} Entry;

struct McRegistry {
        McCatalog *catalog;
        GHashTable *entries; /* impl id (borrowed from entry->impl) → Entry* */
        GHashTable *pending; /* id → McImpl* as it was before the batch (ref), or NULL when new */
        McRegistryListener listener;
        void *userdata;
        bool quiet; /* nobody follows the objects yet: no path lists */
};

static guint n_objects(const McImpl *impl) {
        return impl && impl->info && impl->info->models->len > 1 ? impl->info->models->len : 1;
}

static Entry *entry_new(McImpl *impl) {
        guint n = n_objects(impl);
        Entry *e = g_malloc0(sizeof(Entry) + n * sizeof(McRegistryObject));

        e->impl = mc_impl_ref(impl);
        e->n = n;
        for (guint m = 0; m < n; m++) {
                e->objs[m].impl = impl;
                e->objs[m].model = impl->info && impl->info->models->len > 0 ? (int) m : -1;
        }
        return e;
}

static void entry_free(Entry *e) {
        mc_impl_unref(e->impl);
        g_free(e);
}

static void pending_value_free(gpointer p) {
        if (p)
                mc_impl_unref(p);
}

McRegistry *mc_registry_new(void) {
        McRegistry *reg = g_new0(McRegistry, 1);
        reg->catalog = mc_catalog_new();
        reg->entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
        reg->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, pending_value_free);
        return reg;
}

void mc_registry_free(McRegistry *reg) {
        if (!reg)
                return;
        g_hash_table_unref(reg->entries);
        g_hash_table_unref(reg->pending);
        mc_catalog_free(reg->catalog);
        g_free(reg);
}

void mc_registry_set_listener(McRegistry *reg, const McRegistryListener *listener, void *userdata) {
        g_return_if_fail(reg);
        g_return_if_fail(listener);

        reg->listener = *listener;
        reg->userdata = userdata;
}

void mc_registry_set_quiet(McRegistry *reg, bool quiet) {
        g_return_if_fail(reg);

        reg->quiet = quiet;
}

const McCatalog *mc_registry_catalog(const McRegistry *reg) {
        g_return_val_if_fail(reg, NULL);

        return reg->catalog;
}

/* The part of the object path after the prefix, unescaped. */
static char *object_key(const McImpl *impl, int model) {
        /* One object per model; the common single-model case keeps the
         * plain id so its path is predictable. */
        if (model <= 0 && (!impl->info || impl->info->models->len <= 1))
                return g_strdup(impl->id);
        return g_strdup_printf("%s/%s", impl->id,
                               ((McModel *) impl->info->models->pdata[model])->model);
}

char *mc_registry_object_path(const McImpl *impl, int model) {
        g_autofree char *key = NULL;
        char *path = NULL;

        g_return_val_if_fail(impl, NULL);

        key = object_key(impl, model);
        if (sd_bus_path_encode(MC_BUS_IMPL_PREFIX, key, &path) < 0)
                g_error("out of memory");
        return path;
}

/* Remember how an implementation looked before its first change in this batch. */
static void note_pending(McRegistry *reg, const char *id) {
        if (g_hash_table_contains(reg->pending, id))
                return;
        McImpl *old = mc_catalog_get(reg->catalog, id);
        g_hash_table_insert(reg->pending, g_strdup(id), old ? mc_impl_ref(old) : NULL);
}

void mc_registry_put(McRegistry *reg, McImpl *impl) {
        McImpl *old;

        g_return_if_fail(reg);
        g_return_if_fail(impl && impl->id);

        note_pending(reg, impl->id);
        old = mc_catalog_put(reg->catalog, impl);
        if (old)
                mc_impl_unref(old);
}

void mc_registry_remove(McRegistry *reg, const char *id) {
        McImpl *old;

        g_return_if_fail(reg);
        g_return_if_fail(id);

        if (!mc_catalog_get(reg->catalog, id))
                return;
        note_pending(reg, id);
        old = mc_catalog_take(reg->catalog, id);
        if (old)
                mc_impl_unref(old);
}

static GPtrArray *impl_paths(const McImpl *impl) {
        GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
        for (guint m = 0; impl && m < n_objects(impl); m++)
                g_ptr_array_add(paths, mc_registry_object_path(impl, (int) m));
        return paths;
}

static bool paths_contain(const GPtrArray *paths, const char *p) {
        for (guint i = 0; i < paths->len; i++)
                if (strcmp(paths->pdata[i], p) == 0)
                        return true;
        return false;
}

bool mc_registry_commit(McRegistry *reg) {
        g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter it;
        gpointer key, value;
        bool quiet_change = false;
        guint64 gen;

        g_return_val_if_fail(reg, false);

        if (g_hash_table_size(reg->pending) == 0)
                return false;

        /* Only the implementations of this batch are looked at: the cost
         * of a change does not depend on the size of the host. */
        g_hash_table_iter_init(&it, reg->pending);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                McImpl *old = value, *now = mc_catalog_get(reg->catalog, key);
                Entry *e = g_hash_table_lookup(reg->entries, key);

                if (reg->quiet) {
                        /* Whether anything changed is all that matters. */
                        if (!quiet_change && !(old && now && mc_impl_equal(old, now)))
                                quiet_change = true;
                        continue;
                }
                g_autoptr(GPtrArray) old_paths = impl_paths(e ? e->impl : NULL);
                g_autoptr(GPtrArray) new_paths = impl_paths(now);
                bool same = old && now && mc_impl_equal(old, now);

                for (guint i = 0; i < old_paths->len; i++)
                        if (!paths_contain(new_paths, old_paths->pdata[i]))
                                g_ptr_array_add(removed, g_strdup(old_paths->pdata[i]));
                for (guint i = 0; i < new_paths->len; i++) {
                        if (!paths_contain(old_paths, new_paths->pdata[i]))
                                g_ptr_array_add(added, g_strdup(new_paths->pdata[i]));
                        else if (!same)
                                g_ptr_array_add(changed, g_strdup(new_paths->pdata[i]));
                }
        }

        /* The paths that disappear, while they still resolve. */
        if (removed->len && reg->listener.removing)
                reg->listener.removing(reg->userdata, removed);

        /* Then the objects as they are now. */
        g_hash_table_iter_init(&it, reg->pending);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
                McImpl *now = mc_catalog_get(reg->catalog, key);

                /* The table's key is the entry's own id: remove, then insert. */
                g_hash_table_remove(reg->entries, key);
                if (now) {
                        Entry *e = entry_new(now);
                        g_hash_table_insert(reg->entries, e->impl->id, e);
                }
        }
        g_hash_table_remove_all(reg->pending);

        if (!removed->len && !added->len && !changed->len && !quiet_change)
                return false;

        gen = mc_catalog_bump_generation(reg->catalog);
        if (reg->listener.committed)
                reg->listener.committed(reg->userdata, added, changed, gen);
        return true;
}

const McRegistryObject *mc_registry_lookup(const McRegistry *reg, const char *path) {
        g_autofree char *key = NULL;
        const char *slash;
        Entry *e;

        g_return_val_if_fail(reg, NULL);
        g_return_val_if_fail(path, NULL);

        if (sd_bus_path_decode(path, MC_BUS_IMPL_PREFIX, &key) <= 0 || !key)
                return NULL;
        /* Ids have no '/'; a model name after one picks the object. */
        slash = strchr(key, '/');
        if (!slash) {
                e = g_hash_table_lookup(reg->entries, key);
                if (!e || e->n != 1 || (e->impl->info && e->impl->info->models->len > 1))
                        return NULL;
                return &e->objs[0];
        }
        key[slash - key] = '\0';
        e = g_hash_table_lookup(reg->entries, key);
        if (!e || !e->impl->info || e->impl->info->models->len <= 1)
                return NULL;
        for (guint m = 0; m < e->n; m++)
                if (strcmp(((McModel *) e->impl->info->models->pdata[m])->model, slash + 1) == 0)
                        return &e->objs[m];
        return NULL;
}

static gint path_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

char **mc_registry_paths(const McRegistry *reg) {
        GPtrArray *out;
        GHashTableIter it;
        gpointer value;

        g_return_val_if_fail(reg, NULL);

        out = g_ptr_array_sized_new(g_hash_table_size(reg->entries) + 1);
        g_hash_table_iter_init(&it, reg->entries);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                const Entry *e = value;
                for (guint m = 0; m < e->n; m++)
                        g_ptr_array_add(out, mc_registry_object_path(e->impl, (int) m));
        }
        g_ptr_array_sort(out, path_cmp);
        g_ptr_array_add(out, NULL);
        return (char **) g_ptr_array_free(out, false);
}

char *mc_registry_impl_path(const McRegistry *reg, const char *id) {
        McImpl *impl;

        g_return_val_if_fail(reg, NULL);
        g_return_val_if_fail(id, NULL);

        impl = mc_catalog_get(reg->catalog, id);
        return impl ? mc_registry_object_path(impl, 0) : NULL;
}
