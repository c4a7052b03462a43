/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "registry.h"

#include <string.h>
#include <systemd/sd-bus.h>

#include "mc-config.h"

struct McRegistry {
        McCatalog *catalog;
        GHashTable *objects; /* path → McRegistryObject* */
        GHashTable *pending; /* id → McImpl* as it was before the batch (ref), or NULL when new */
        McRegistryListener listener;
        void *userdata;
};

static void object_free(McRegistryObject *o) {
        g_free(o->path);
        mc_impl_unref(o->impl);
        g_free(o);
}

static void pending_value_free(gpointer p) {
        if (p)
                mc_impl_unref(p);
}

McRegistry *mc_registry_new(void) {
        McRegistry *reg = g_new0(McRegistry, 1);
        reg->catalog = mc_catalog_new();
        reg->objects = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) object_free);
        reg->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, pending_value_free);
        return reg;
}

void mc_registry_free(McRegistry *reg) {
        if (!reg)
                return;
        g_hash_table_unref(reg->objects);
        g_hash_table_unref(reg->pending);
        mc_catalog_free(reg->catalog);
        g_free(reg);
}

void mc_registry_set_listener(McRegistry *reg, const McRegistryListener *listener, void *userdata) {
        reg->listener = *listener;
        reg->userdata = userdata;
}

const McCatalog *mc_registry_catalog(const McRegistry *reg) {
        return reg->catalog;
}

char *mc_registry_object_path(const McImpl *impl, int model) {
        g_autofree char *key = NULL;
        char *path = NULL;

        /* One object per model; the common single-model case keeps the
         * plain id so its path is predictable. */
        if (model <= 0 && (!impl->info || impl->info->models->len <= 1))
                key = g_strdup(impl->id);
        else
                key = g_strdup_printf("%s/%s", impl->id,
                                      ((McModel *) impl->info->models->pdata[model])->model);
        if (sd_bus_path_encode(MC_BUS_IMPL_PREFIX, key, &path) < 0)
                g_error("out of memory");
        return path;
}

static guint n_objects(const McImpl *impl) {
        return impl && impl->info && impl->info->models->len > 1 ? impl->info->models->len : 1;
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

        note_pending(reg, impl->id);
        old = mc_catalog_put(reg->catalog, impl);
        if (old)
                mc_impl_unref(old);
}

void mc_registry_remove(McRegistry *reg, const char *id) {
        McImpl *old;

        if (!mc_catalog_get(reg->catalog, id))
                return;
        note_pending(reg, id);
        old = mc_catalog_take(reg->catalog, id);
        if (old)
                mc_impl_unref(old);
}

bool mc_registry_commit(McRegistry *reg) {
        g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) new_objects = g_ptr_array_new();
        GHashTableIter it;
        gpointer key, value;
        guint64 gen;

        if (g_hash_table_size(reg->pending) == 0)
                return false;

        /* First the paths that disappear, while they still resolve. */
        g_hash_table_iter_init(&it, reg->pending);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                McImpl *old = value, *now = mc_catalog_get(reg->catalog, key);
                g_autoptr(GHashTable) keep = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

                if (now)
                        for (guint m = 0; m < n_objects(now); m++)
                                g_hash_table_add(keep, mc_registry_object_path(now, (int) m));
                if (old)
                        for (guint m = 0; m < n_objects(old); m++) {
                                char *p = mc_registry_object_path(old, (int) m);
                                if (g_hash_table_contains(keep, p))
                                        g_free(p);
                                else
                                        g_ptr_array_add(removed, p);
                        }
        }
        if (removed->len && reg->listener.removing)
                reg->listener.removing(reg->userdata, removed);
        for (guint i = 0; i < removed->len; i++)
                g_hash_table_remove(reg->objects, removed->pdata[i]);

        /* Then the objects that stay (maybe changed) or appear. */
        g_hash_table_iter_init(&it, reg->pending);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                McImpl *old = value, *now = mc_catalog_get(reg->catalog, key);
                bool same = old && now && mc_impl_equal(old, now);

                if (!now)
                        continue;
                for (guint m = 0; m < n_objects(now); m++) {
                        char *p = mc_registry_object_path(now, (int) m);
                        McRegistryObject *o = g_hash_table_lookup(reg->objects, p);

                        if (o) {
                                mc_impl_unref(o->impl);
                                o->impl = mc_impl_ref(now);
                                o->model = now->info ? (int) m : -1;
                                if (!same)
                                        g_ptr_array_add(changed, g_strdup(p));
                                g_free(p);
                                continue;
                        }
                        o = g_new0(McRegistryObject, 1);
                        o->path = p;
                        o->impl = mc_impl_ref(now);
                        o->model = now->info ? (int) m : -1;
                        g_hash_table_insert(reg->objects, o->path, o);
                        g_ptr_array_add(added, g_strdup(p));
                }
        }
        g_hash_table_remove_all(reg->pending);

        if (!removed->len && !added->len && !changed->len)
                return false;

        gen = mc_catalog_bump_generation(reg->catalog);
        if (reg->listener.committed)
                reg->listener.committed(reg->userdata, added, changed, gen);
        return true;
}

const McRegistryObject *mc_registry_lookup(const McRegistry *reg, const char *path) {
        return g_hash_table_lookup(reg->objects, path);
}

static gint path_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

char **mc_registry_paths(const McRegistry *reg) {
        GPtrArray *out = g_ptr_array_sized_new(g_hash_table_size(reg->objects) + 1);
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, reg->objects);
        while (g_hash_table_iter_next(&it, &key, NULL))
                g_ptr_array_add(out, g_strdup(key));
        g_ptr_array_sort(out, path_cmp);
        g_ptr_array_add(out, NULL);
        return (char **) g_ptr_array_free(out, false);
}

char *mc_registry_impl_path(const McRegistry *reg, const char *id) {
        McImpl *impl = mc_catalog_get(reg->catalog, id);
        return impl ? mc_registry_object_path(impl, 0) : NULL;
}
