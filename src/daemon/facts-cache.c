/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "facts-cache.h"

#include <string.h>

/* Locked: the initial scan reads parents on several threads. */
struct McFactsCache {
        GMutex lock;
        GHashTable *entries; /* GBytes key → McInfo* (reference) */
        guint added;         /* since the last prune */
};

McFactsCache *mc_facts_cache_new(void) {
        McFactsCache *c = g_new0(McFactsCache, 1);
        g_mutex_init(&c->lock);
        c->entries = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref,
                                           (GDestroyNotify) mc_info_unref);
        return c;
}

void mc_facts_cache_free(McFactsCache *c) {
        if (!c)
                return;
        g_hash_table_unref(c->entries);
        g_mutex_clear(&c->lock);
        g_free(c);
}

/* Both contents, each with its presence and length, so that no two
 * different pairs make the same key. */
static GBytes *make_key(const char *text, gsize text_len, const char *json, gsize json_len) {
        GByteArray *k = g_byte_array_sized_new((guint) (text_len + json_len + 2 * sizeof(gsize) + 2));
        guint8 present[2] = { text != NULL, json != NULL };

        g_byte_array_append(k, present, 2);
        g_byte_array_append(k, (const guint8 *) &text_len, sizeof text_len);
        g_byte_array_append(k, (const guint8 *) &json_len, sizeof json_len);
        if (text)
                g_byte_array_append(k, (const guint8 *) text, (guint) text_len);
        if (json)
                g_byte_array_append(k, (const guint8 *) json, (guint) json_len);
        return g_byte_array_free_to_bytes(k);
}

static void prune_locked(McFactsCache *c);

McInfo *mc_facts_cache_lookup(McFactsCache *c, const char *text, gsize text_len, const char *json,
                              gsize json_len) {
        g_autoptr(GBytes) key = make_key(text, text_len, json, json_len);
        G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&c->lock);
        McInfo *info = g_hash_table_lookup(c->entries, key);

        return info ? mc_info_ref(info) : NULL;
}

McInfo *mc_facts_cache_add(McFactsCache *c, const char *text, gsize text_len, const char *json,
                           gsize json_len, McInfo *info) {
        G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&c->lock);
        g_autoptr(GBytes) key = make_key(text, text_len, json, json_len);
        McInfo *known = g_hash_table_lookup(c->entries, key);

        /* Another thread read the same contents between our lookup and
         * now: its facts are the ones every type shares. */
        if (known)
                return mc_info_ref(known);
        g_hash_table_insert(c->entries, g_steal_pointer(&key), mc_info_ref(info));
        /* Amortised: a prune every time the cache could have doubled. */
        if (++c->added > MAX(64u, g_hash_table_size(c->entries)))
                prune_locked(c);
        return mc_info_ref(info);
}

void mc_facts_cache_prune(McFactsCache *c) {
        G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&c->lock);
        prune_locked(c);
}

static void prune_locked(McFactsCache *c) {
        GHashTableIter it;
        gpointer value;

        c->added = 0;
        g_hash_table_iter_init(&it, c->entries);
        while (g_hash_table_iter_next(&it, NULL, &value))
                if (g_atomic_int_get(&((McInfo *) value)->ref) == 1)
                        g_hash_table_iter_remove(&it);
}

guint mc_facts_cache_size(McFactsCache *c) {
        G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&c->lock);
        return g_hash_table_size(c->entries);
}
