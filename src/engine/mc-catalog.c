/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mc-catalog.h"

#include <string.h>

struct McCatalog {
        GHashTable *by_id;    /* id → McImpl* (owned reference) */
        GHashTable *by_model; /* model → GPtrArray of McImpl* (borrowed from by_id) */
        guint n_migratable;
        guint64 generation;
};

McCatalog *mc_catalog_new(void) {
        McCatalog *cat = g_new0(McCatalog, 1);
        cat->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) mc_impl_unref);
        cat->by_model = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ptr_array_unref);
        return cat;
}

void mc_catalog_free(McCatalog *cat) {
        if (!cat)
                return;
        /* by_model borrows from by_id: drop the index first. */
        g_hash_table_unref(cat->by_model);
        g_hash_table_unref(cat->by_id);
        g_free(cat);
}

static void index_add(McCatalog *cat, McImpl *impl) {
        if (!mc_impl_migratable(impl))
                return;
        cat->n_migratable++;
        for (guint i = 0; i < impl->info->models->len; i++) {
                const McModel *m = impl->info->models->pdata[i];
                GPtrArray *list = g_hash_table_lookup(cat->by_model, m->model);
                if (!list) {
                        list = g_ptr_array_new();
                        g_hash_table_insert(cat->by_model, g_strdup(m->model), list);
                }
                g_ptr_array_add(list, impl);
        }
}

static void index_remove(McCatalog *cat, McImpl *impl) {
        if (!mc_impl_migratable(impl))
                return;
        cat->n_migratable--;
        for (guint i = 0; i < impl->info->models->len; i++) {
                const McModel *m = impl->info->models->pdata[i];
                GPtrArray *list = g_hash_table_lookup(cat->by_model, m->model);
                if (!list)
                        continue;
                g_ptr_array_remove_fast(list, impl);
                if (list->len == 0)
                        g_hash_table_remove(cat->by_model, m->model);
        }
}

McImpl *mc_catalog_put(McCatalog *cat, McImpl *impl) {
        McImpl *old = NULL;

        /* The key is the implementation's own id string, so the old entry
         * must leave the table before its reference is handed back. */
        if (g_hash_table_steal_extended(cat->by_id, impl->id, NULL, (gpointer *) &old))
                index_remove(cat, old);
        g_hash_table_insert(cat->by_id, impl->id, impl);
        index_add(cat, impl);
        return old;
}

McImpl *mc_catalog_take(McCatalog *cat, const char *id) {
        McImpl *old = NULL;

        if (!g_hash_table_steal_extended(cat->by_id, id, NULL, (gpointer *) &old))
                return NULL;
        index_remove(cat, old);
        return old;
}

McImpl *mc_catalog_get(const McCatalog *cat, const char *id) {
        return g_hash_table_lookup(cat->by_id, id);
}

const GPtrArray *mc_catalog_candidates(const McCatalog *cat, const char *model) {
        return g_hash_table_lookup(cat->by_model, model);
}

guint mc_catalog_size(const McCatalog *cat) {
        return g_hash_table_size(cat->by_id);
}

guint mc_catalog_n_migratable(const McCatalog *cat) {
        return cat->n_migratable;
}

guint mc_catalog_n_not_migratable(const McCatalog *cat) {
        return g_hash_table_size(cat->by_id) - cat->n_migratable;
}

guint mc_catalog_n_models(const McCatalog *cat) {
        return g_hash_table_size(cat->by_model);
}

static gint impl_id_cmp(gconstpointer a, gconstpointer b) {
        const McImpl *ia = *(McImpl *const *) a, *ib = *(McImpl *const *) b;
        return strcmp(ia->id, ib->id);
}

GPtrArray *mc_catalog_list(const McCatalog *cat) {
        GPtrArray *out = g_ptr_array_sized_new(g_hash_table_size(cat->by_id));
        GHashTableIter it;
        gpointer value;

        g_hash_table_iter_init(&it, cat->by_id);
        while (g_hash_table_iter_next(&it, NULL, &value))
                g_ptr_array_add(out, value);
        g_ptr_array_sort(out, impl_id_cmp);
        return out;
}

guint64 mc_catalog_generation(const McCatalog *cat) {
        return cat->generation;
}

void mc_catalog_set_generation(McCatalog *cat, guint64 generation) {
        cat->generation = generation;
}

guint64 mc_catalog_bump_generation(McCatalog *cat) {
        return ++cat->generation;
}
