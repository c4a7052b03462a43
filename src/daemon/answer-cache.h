/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The answers to recent checks, by question. A scheduler asks the same
 * question again and again (every VM of a flavour carries the same
 * devices), and an answer is a pure function of the question and the
 * catalog: so until the catalog changes, the answer already written is
 * the answer. Bounded in entries and bytes, least recently used out
 * first; any change of the catalog (mc_catalog_serial()) empties it. */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct McAnswerCache McAnswerCache;

/* A question: the source description exactly as sent, and the check's
 * options (only_impl may be NULL; max_candidates as McCheckOptions). */
typedef struct {
        const char *source;
        size_t source_len;
        const char *only_impl;
        unsigned max_candidates;
} McQuestion;

McAnswerCache *mc_answer_cache_new(unsigned max_entries, size_t max_bytes);
void mc_answer_cache_free(McAnswerCache *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McAnswerCache, mc_answer_cache_free)

/* The answer given to q while the catalog had this serial (NUL-terminated,
 * its length in *ret_len), or NULL. */
const char *mc_answer_cache_lookup(McAnswerCache *c, uint64_t serial, const McQuestion *q,
                                   size_t *ret_len);

/* Remember an answer (copied). A question and answer of more than an
 * eighth of the byte budget together are not kept: one must not push out
 * many. Returns whether kept. */
bool mc_answer_cache_store(McAnswerCache *c, uint64_t serial, const McQuestion *q, const char *answer,
                           size_t len);

typedef struct {
        uint64_t hits, misses, entries, bytes;
} McAnswerCacheStats;

McAnswerCacheStats mc_answer_cache_stats(const McAnswerCache *c);
