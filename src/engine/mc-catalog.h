/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The set of implementations a check runs against: the daemon's registry
 * and an offline host profile are both a catalog. Indexed by id and by
 * device model so a check costs what the candidates for its models cost,
 * not what the host's size costs. Pure memory, no I/O. */

#include "mc-types.h"

typedef struct McCatalog McCatalog;

McCatalog *mc_catalog_new(void);
void mc_catalog_free(McCatalog *cat);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McCatalog, mc_catalog_free)

/* Add or replace by id; takes the reference. Returns the implementation it
 * replaced (reference passed to the caller) or NULL. */
McImpl *mc_catalog_put(McCatalog *cat, McImpl *impl);
/* Remove by id; returns the removed implementation's reference or NULL. */
McImpl *mc_catalog_take(McCatalog *cat, const char *id);
McImpl *mc_catalog_get(const McCatalog *cat, const char *id);

/* Implementations offering this model (McImpl*, borrowed), NULL if none. */
const GPtrArray *mc_catalog_candidates(const McCatalog *cat, const char *model);

/* The implementations of one model that share its facts (the same McModel,
 * from the same kind of source): a check judges the facts once per group,
 * so its cost follows the number of distinct facts, not of candidates.
 * Types with identical attributes share one McInfo (the mdev source
 * interns them; a data file's is shared by every type it matches), so a
 * host with a thousand identical GPUs has one group per model. members
 * are ranked as a check ranks equals: a free instance first (unlimited,
 * then the most), then by id; those with no free instance last. */
typedef struct {
        const McModel *model;  /* in the members' info */
        McFactsFrom facts_from;
        GPtrArray *members;    /* McImpl*, borrowed, ranked */
        guint n_free;          /* members with a free instance: the first n_free */
} McCatalogGroup;

/* The groups of implementations offering this model (McCatalogGroup*,
 * borrowed, in no particular order), NULL if none. */
const GPtrArray *mc_catalog_groups(const McCatalog *cat, const char *model);
guint mc_catalog_size(const McCatalog *cat);
guint mc_catalog_n_migratable(const McCatalog *cat);
guint mc_catalog_n_not_migratable(const McCatalog *cat);
guint mc_catalog_n_models(const McCatalog *cat);

/* All implementations sorted by id (borrowed pointers; free the array). */
GPtrArray *mc_catalog_list(const McCatalog *cat);

/* Changes with every put, take and generation change: two checks of the
 * same question at the same serial get the same answer. Implementations
 * are never changed once put (a change puts a new one), so this is all
 * that can change an answer. */
guint64 mc_catalog_serial(const McCatalog *cat);

/* Change counter: bumped by the owner once per batch of changes. */
guint64 mc_catalog_generation(const McCatalog *cat);
void mc_catalog_set_generation(McCatalog *cat, guint64 generation);
guint64 mc_catalog_bump_generation(McCatalog *cat);
