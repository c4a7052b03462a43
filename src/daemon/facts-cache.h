/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parsed migration facts shared between mdev types whose migration
 * attributes are byte for byte the same. A GPU's driver publishes the same
 * migration_device_models for type k on every one of its parents (or
 * SR-IOV functions): one McInfo serves them all, which saves parsing at
 * start-up, memory (an McInfo is a few hundred bytes), and lets the engine
 * judge every such type at once (it groups candidates by McModel).
 *
 * Only successful parses are kept (a failure's message names the type's
 * own path). Entries that no type uses any more are dropped by prune(), so
 * the cache is bounded by what sysfs shows now, not by its history.
 * Thread-safe (the initial scan reads parents on several threads). */

#include <glib.h>

#include "mc-types.h"

typedef struct McFactsCache McFactsCache;

McFactsCache *mc_facts_cache_new(void);
void mc_facts_cache_free(McFactsCache *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McFactsCache, mc_facts_cache_free)

/* The facts parsed from exactly these attribute contents (NULL: the
 * attribute is absent), as a new reference; NULL when not cached. */
McInfo *mc_facts_cache_lookup(McFactsCache *c, const char *text, gsize text_len, const char *json,
                              gsize json_len);
/* Remember info (a reference is taken) for these contents, unless facts
 * for them are there already (added by another thread since a lookup
 * missed). Returns a new reference to the facts to use: the ones kept. */
McInfo *mc_facts_cache_add(McFactsCache *c, const char *text, gsize text_len, const char *json,
                           gsize json_len, McInfo *info);
/* Drop the entries nobody else references. */
void mc_facts_cache_prune(McFactsCache *c);
guint mc_facts_cache_size(McFactsCache *c);
