/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Engine-internal: the "models" object reader, shared by the migration
 * information, model data file and host profile parsers. */

#include "mc-json.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(McParam, mc_param_unref_generic)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McModel, mc_model_free)

/* Read {"<model>": {...}, ...} at the cursor into info (appending). */
bool mc_info_parse_models_node(McJsonCursor *c, JsonNode *node, McInfo *info, GError **error);

/* What a models object may hold besides versions, params, x-capabilities. */
typedef enum {
        /* Model data files: "derived-version" (a template, checked); then
         * "versions" may be absent. */
        MC_MODELS_DERIVED_TEMPLATE = 1u << 0,
        /* Host profiles: "derived-version" and "derived-from" (the values
         * its first version was made of), as an expanded model is written. */
        MC_MODELS_DERIVED_VALUES = 1u << 1,
} McModelsFlags;

bool mc_info_parse_models_node_full(McJsonCursor *c, JsonNode *node, McInfo *info,
                                    McModelsFlags flags, GError **error);

/* A derived-from object: {"<placeholder name>": "<value>", ...} as
 * McPair* sorted by name. */
GPtrArray *mc_json_read_derived_from(McJsonCursor *c, JsonNode *node, GError **error);

/* The "params" member of o when present, a map of at most MC_MAX_PARAMS
 * parameters: each name is checked (mc_check_param_name), then each() reads
 * its value with the cursor at the parameter. The one walk over "params"
 * for model facts and source descriptions. */
typedef bool (*McJsonParamFunc)(McJsonCursor *c, const char *name, JsonNode *node, void *userdata,
                                GError **error);
bool mc_json_read_params(McJsonCursor *c, JsonObject *o, McJsonParamFunc each, void *userdata,
                         GError **error);
