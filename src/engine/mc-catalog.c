/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mc-catalog.h"

#include <string.h>

/* Everything known about one device model. */
typedef struct {
        GPtrArray *impls;  /* McImpl* (borrowed from by_id), in no order */
        GPtrArray *groups; /* McCatalogGroup* (owned) */
        /* McModel* → McCatalogGroup*, built once there are many groups
         * (a profile read from JSON has one McInfo per implementation). */
        GHashTable *group_index;
} ModelIndex;

#define GROUP_INDEX_MIN 8

struct McCatalog {
        GHashTable *by_id;    /* id → McImpl* (owned reference) */
        GHashTable *by_model; /* model → ModelIndex* */
        guint n_migratable;
        guint64 generation;
        guint64 serial;       /* bumped by every change, see mc_catalog_serial() */
};

static void group_free(McCatalogGroup *g) {
        g_ptr_array_unref(g->members);
        g_free(g);
}

static void model_index_free(ModelIndex *mi) {
        g_ptr_array_unref(mi->impls);
        g_ptr_array_unref(mi->groups);
        if (mi->group_index)
                g_hash_table_unref(mi->group_index);
        g_free(mi);
}

McCatalog *mc_catalog_new(void) {
        McCatalog *cat = g_new0(McCatalog, 1);
        cat->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) mc_impl_unref);
        cat->by_model = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) model_index_free);
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

/* ---- groups ------------------------------------------------------------------- */

static int64_t free_key(const McImpl *impl) {
        if (impl->available == MC_AVAILABLE_UNKNOWN)
                return 1; /* one device, maybe free: see mc-compat.c */
        return impl->available < 0 ? G_MAXINT64 : impl->available;
}

/* The order of members: what a check's ranking gives implementations of
 * equal facts (see candidate_cmp in mc-compat.c). */
static int member_cmp(const McImpl *a, const McImpl *b) {
        int64_t fa = free_key(a), fb = free_key(b);

        if (fa != fb)
                return fa > fb ? -1 : 1;
        return strcmp(a->id, b->id);
}

/* Where impl is, or would go, in members. */
static guint member_position(const GPtrArray *members, const McImpl *impl, bool *found) {
        guint lo = 0, hi = members->len;

        *found = false;
        while (lo < hi) {
                guint mid = lo + (hi - lo) / 2;
                int c = member_cmp(members->pdata[mid], impl);
                if (c == 0) {
                        *found = true;
                        return mid;
                }
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

/* The index, once built, holds every McModel that has a group. */
static McCatalogGroup *group_find(ModelIndex *mi, const McModel *m, McFactsFrom facts) {
        if (mi->group_index) {
                McCatalogGroup *g = g_hash_table_lookup(mi->group_index, m);
                if (!g)
                        return NULL;
                if (g->facts_from == facts)
                        return g;
        }
        /* Few groups; or one McModel published from two kinds of source,
         * a caller's oddity that gets a group for each. */
        for (guint i = 0; i < mi->groups->len; i++) {
                McCatalogGroup *g = mi->groups->pdata[i];
                if (g->model == m && g->facts_from == facts)
                        return g;
        }
        return NULL;
}

static void group_index_add(ModelIndex *mi, McCatalogGroup *g) {
        if (!mi->group_index) {
                if (mi->groups->len < GROUP_INDEX_MIN)
                        return;
                mi->group_index = g_hash_table_new(NULL, NULL);
                for (guint i = 0; i < mi->groups->len; i++) {
                        McCatalogGroup *o = mi->groups->pdata[i];
                        if (!g_hash_table_contains(mi->group_index, o->model))
                                g_hash_table_insert(mi->group_index, (gpointer) o->model, o);
                }
                return;
        }
        if (!g_hash_table_contains(mi->group_index, g->model))
                g_hash_table_insert(mi->group_index, (gpointer) g->model, g);
}

static void group_index_remove(ModelIndex *mi, McCatalogGroup *g) {
        if (!mi->group_index || g_hash_table_lookup(mi->group_index, g->model) != g)
                return;
        g_hash_table_remove(mi->group_index, g->model);
        /* Another group of the same McModel (the odd case) takes its place. */
        for (guint i = 0; i < mi->groups->len; i++) {
                McCatalogGroup *o = mi->groups->pdata[i];
                if (o != g && o->model == g->model) {
                        g_hash_table_insert(mi->group_index, (gpointer) o->model, o);
                        break;
                }
        }
}

static void group_add(ModelIndex *mi, const McModel *m, McImpl *impl) {
        McCatalogGroup *g = group_find(mi, m, impl->facts_from);
        bool found;
        guint at;

        if (!g) {
                g = g_new0(McCatalogGroup, 1);
                g->model = m;
                g->facts_from = impl->facts_from;
                g->members = g_ptr_array_new();
                g_ptr_array_add(mi->groups, g);
                group_index_add(mi, g);
        }
        at = member_position(g->members, impl, &found);
        g_ptr_array_insert(g->members, (gint) at, impl);
        if (impl->available != 0)
                g->n_free++;
}

static void group_remove(ModelIndex *mi, const McModel *m, McImpl *impl) {
        McCatalogGroup *g = group_find(mi, m, impl->facts_from);
        bool found;
        guint at;

        if (!g)
                return;
        at = member_position(g->members, impl, &found);
        if (!found || g->members->pdata[at] != impl)
                return;
        g_ptr_array_remove_index(g->members, at);
        if (impl->available != 0)
                g->n_free--;
        if (g->members->len == 0) {
                group_index_remove(mi, g);
                g_ptr_array_remove_fast(mi->groups, g);
        }
}

/* ---- the index ------------------------------------------------------------------ */

static void index_add(McCatalog *cat, McImpl *impl) {
        if (!mc_impl_migratable(impl))
                return;
        cat->n_migratable++;
        for (guint i = 0; i < impl->info->models->len; i++) {
                const McModel *m = impl->info->models->pdata[i];
                ModelIndex *mi = g_hash_table_lookup(cat->by_model, m->model);
                if (!mi) {
                        mi = g_new0(ModelIndex, 1);
                        mi->impls = g_ptr_array_new();
                        mi->groups = g_ptr_array_new_with_free_func((GDestroyNotify) group_free);
                        g_hash_table_insert(cat->by_model, g_strdup(m->model), mi);
                }
                g_ptr_array_add(mi->impls, impl);
                group_add(mi, m, impl);
        }
}

static void index_remove(McCatalog *cat, McImpl *impl) {
        if (!mc_impl_migratable(impl))
                return;
        cat->n_migratable--;
        for (guint i = 0; i < impl->info->models->len; i++) {
                const McModel *m = impl->info->models->pdata[i];
                ModelIndex *mi = g_hash_table_lookup(cat->by_model, m->model);
                if (!mi)
                        continue;
                g_ptr_array_remove_fast(mi->impls, impl);
                group_remove(mi, m, impl);
                if (mi->impls->len == 0)
                        g_hash_table_remove(cat->by_model, m->model);
        }
}

McImpl *mc_catalog_put(McCatalog *cat, McImpl *impl) {
        McImpl *old = NULL;

        /* The key is the implementation's own id string, so the old entry
         * must leave the table before its reference is handed back. */
        cat->serial++;
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
        cat->serial++;
        index_remove(cat, old);
        return old;
}

McImpl *mc_catalog_get(const McCatalog *cat, const char *id) {
        return g_hash_table_lookup(cat->by_id, id);
}

const GPtrArray *mc_catalog_candidates(const McCatalog *cat, const char *model) {
        const ModelIndex *mi = g_hash_table_lookup(cat->by_model, model);
        return mi ? mi->impls : NULL;
}

const GPtrArray *mc_catalog_groups(const McCatalog *cat, const char *model) {
        const ModelIndex *mi = g_hash_table_lookup(cat->by_model, model);
        return mi ? mi->groups : NULL;
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

guint64 mc_catalog_serial(const McCatalog *cat) {
        return cat->serial;
}

guint64 mc_catalog_generation(const McCatalog *cat) {
        return cat->generation;
}

void mc_catalog_set_generation(McCatalog *cat, guint64 generation) {
        cat->serial++;
        cat->generation = generation;
}

guint64 mc_catalog_bump_generation(McCatalog *cat) {
        cat->serial++;
        return ++cat->generation;
}
