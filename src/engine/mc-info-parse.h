/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Engine-internal: the "models" object reader, shared by the migration
 * information, model data file and host profile parsers. */

#include "mc-json.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(McParam, mc_param_unref_generic)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McModel, mc_model_free)

/* Read {"<model>": {...}, ...} at the cursor into info (appending). */
bool mc_info_parse_models_node(McJsonCursor *c, JsonNode *node, McInfo *info, GError **error);
