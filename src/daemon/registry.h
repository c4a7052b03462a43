/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The registry: the daemon's catalog of implementations plus the D-Bus
 * object each (implementation, device model) pair is published as. Sources
 * put and remove implementations; commit() ends a batch, bumps the
 * generation once and tells the listener exactly which objects appeared,
 * went away or changed, so signals stay incremental. */

#include "mc-catalog.h"

typedef struct McRegistry McRegistry;

/* One published object, as the bus code sees it: impl is the current
 * implementation (the registry holds it); model is an index in
 * impl->info->models, or -1 for an implementation without models (not
 * migratable). Valid until the next commit. */
typedef struct {
        McImpl *impl;
        int model;
} McRegistryObject;

typedef struct {
        /* Objects about to go away; they still resolve during the call
         * (sd-bus reads their interfaces for InterfacesRemoved). */
        void (*removing)(void *userdata, const GPtrArray *paths);
        /* After the batch: new objects, objects whose properties changed,
         * and the new generation. */
        void (*committed)(void *userdata, const GPtrArray *added, const GPtrArray *changed,
                          guint64 generation);
} McRegistryListener;

McRegistry *mc_registry_new(void);
void mc_registry_free(McRegistry *reg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McRegistry, mc_registry_free)

void mc_registry_set_listener(McRegistry *reg, const McRegistryListener *listener, void *userdata);

/* Quiet: commits do not list the objects that appeared, went or changed
 * (the listener gets empty lists), which on a big host costs as much as
 * the rest of a commit; for the initial scan, before anyone can follow the
 * objects. Commits still bump the generation when something changed. */
void mc_registry_set_quiet(McRegistry *reg, bool quiet);

/* The catalog checks run against (read only). */
const McCatalog *mc_registry_catalog(const McRegistry *reg);

/* Within a batch: add or replace (reference passed), remove by id. */
void mc_registry_put(McRegistry *reg, McImpl *impl);
void mc_registry_remove(McRegistry *reg, const char *id);
/* End the batch. Returns whether anything changed (then the generation
 * was bumped and the listener called). */
bool mc_registry_commit(McRegistry *reg);

const McRegistryObject *mc_registry_lookup(const McRegistry *reg, const char *path);
/* Every object path (for the node enumerator), sorted; free with g_strfreev. */
char **mc_registry_paths(const McRegistry *reg);
/* The object path of an implementation's first object, NULL if unknown. */
char *mc_registry_impl_path(const McRegistry *reg, const char *id);
/* The object path for (impl, model index) */
char *mc_registry_object_path(const McImpl *impl, int model);
