/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "answer-cache.h"

#include <string.h>

typedef struct {
        /* the question (owned copies) */
        char *source;
        size_t source_len;
        char *only_impl;
        unsigned max_candidates;
        guint hash;
        /* the answer, NUL-terminated; allocated to its size: a GString's
         * power of two would reach malloc's large sizes for a usual
         * answer, where every allocation first tidies the small free
         * chunks */
        char *answer;
        size_t answer_len;
        GList link; /* in lru; data points back here */
} Entry;

struct McAnswerCache {
        GHashTable *entries; /* Entry* → Entry* (the entry is its own key) */
        GQueue lru;          /* least recently used at the head */
        uint64_t serial;     /* of the catalog the entries were answered from */
        unsigned max_entries;
        size_t max_bytes, bytes;
        uint64_t hits, misses;
};

static guint question_hash(const McQuestion *q) {
        /* FNV-1a over the question's parts; a NUL separates them. */
        guint h = 2166136261u;
        for (size_t i = 0; i < q->source_len; i++)
                h = (h ^ (guchar) q->source[i]) * 16777619u;
        h = (h ^ 0u) * 16777619u;
        for (const char *p = q->only_impl; p && *p; p++)
                h = (h ^ (guchar) *p) * 16777619u;
        return (h ^ q->max_candidates) * 16777619u;
}

static guint entry_hash(gconstpointer p) {
        return ((const Entry *) p)->hash;
}

static gboolean entry_equal(gconstpointer pa, gconstpointer pb) {
        const Entry *a = pa, *b = pb;
        return a->hash == b->hash && a->source_len == b->source_len &&
               a->max_candidates == b->max_candidates &&
               g_strcmp0(a->only_impl, b->only_impl) == 0 &&
               memcmp(a->source, b->source, a->source_len) == 0;
}

static size_t entry_size(const Entry *e) {
        return sizeof *e + e->source_len + (e->only_impl ? strlen(e->only_impl) : 0) +
               e->answer_len + 1;
}

static void entry_free(Entry *e) {
        g_free(e->source);
        g_free(e->only_impl);
        g_free(e->answer);
        g_free(e);
}

McAnswerCache *mc_answer_cache_new(unsigned max_entries, size_t max_bytes) {
        McAnswerCache *c = g_new0(McAnswerCache, 1);
        c->entries = g_hash_table_new_full(entry_hash, entry_equal, NULL, (GDestroyNotify) entry_free);
        g_queue_init(&c->lru);
        c->max_entries = max_entries;
        c->max_bytes = max_bytes;
        return c;
}

void mc_answer_cache_free(McAnswerCache *c) {
        if (!c)
                return;
        g_hash_table_unref(c->entries);
        g_free(c);
}

static void drop(McAnswerCache *c, Entry *e) {
        g_queue_unlink(&c->lru, &e->link);
        c->bytes -= entry_size(e);
        g_hash_table_remove(c->entries, e);
}

/* Answers written at another serial are for another catalog. */
static void follow_serial(McAnswerCache *c, uint64_t serial) {
        if (serial == c->serial)
                return;
        g_hash_table_remove_all(c->entries);
        g_queue_init(&c->lru);
        c->bytes = 0;
        c->serial = serial;
}

const char *mc_answer_cache_lookup(McAnswerCache *c, uint64_t serial, const McQuestion *q,
                                   size_t *ret_len) {
        Entry key = {
                .source = (char *) q->source,
                .source_len = q->source_len,
                .only_impl = (char *) q->only_impl,
                .max_candidates = q->max_candidates,
                .hash = question_hash(q),
        };
        Entry *e;

        follow_serial(c, serial);
        e = g_hash_table_lookup(c->entries, &key);
        if (!e) {
                c->misses++;
                return NULL;
        }
        c->hits++;
        g_queue_unlink(&c->lru, &e->link);
        g_queue_push_tail_link(&c->lru, &e->link);
        *ret_len = e->answer_len;
        return e->answer;
}

bool mc_answer_cache_store(McAnswerCache *c, uint64_t serial, const McQuestion *q, const char *answer,
                           size_t len) {
        Entry *e, *old;

        if (c->max_entries == 0 || len + q->source_len > c->max_bytes / 8)
                return false;
        follow_serial(c, serial);
        e = g_new0(Entry, 1);
        e->source = g_memdup2(q->source, q->source_len);
        e->source_len = q->source_len;
        e->only_impl = g_strdup(q->only_impl);
        e->max_candidates = q->max_candidates;
        e->hash = question_hash(q);
        e->answer = g_malloc(len + 1);
        memcpy(e->answer, answer, len);
        e->answer[len] = '\0';
        e->answer_len = len;
        e->link.data = e;

        old = g_hash_table_lookup(c->entries, e);
        if (old)
                drop(c, old);
        c->bytes += entry_size(e);
        g_hash_table_add(c->entries, e);
        g_queue_push_tail_link(&c->lru, &e->link);
        while (g_queue_get_length(&c->lru) > c->max_entries || c->bytes > c->max_bytes)
                drop(c, g_queue_peek_head(&c->lru));
        return true;
}

McAnswerCacheStats mc_answer_cache_stats(const McAnswerCache *c) {
        return (McAnswerCacheStats) {
                .hits = c->hits,
                .misses = c->misses,
                .entries = g_hash_table_size(c->entries),
                .bytes = c->bytes,
        };
}
