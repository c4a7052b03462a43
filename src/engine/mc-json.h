/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Strict JSON reading shared by the engine's parsers. json-glib builds the
 * tree; before it sees a byte, a linear pre-scan bounds the document's size
 * and nesting (json-glib recurses per level), and rejects what json-glib
 * would silently accept: duplicate member names (it keeps the last),
 * "\u0000" escapes (C strings would be cut short) and invalid UTF-8.
 *
 * A McJsonCursor carries the origin and the JSON path of the value being
 * read, so every error says "ORIGIN: $.models["a.com/x"].versions[2]: ...". */

#include <json-glib/json-glib.h>

#include "mc-types.h"

JsonNode *mc_json_parse(const char *data, gsize len, const char *origin, GError **error);
/* The same with another size bound (host profiles are larger). */
JsonNode *mc_json_parse_limited(const char *data, gsize len, gsize max_size, const char *origin,
                                GError **error);

typedef struct {
        const char *origin;
        GString *path;
} McJsonCursor;

void mc_json_cursor_init(McJsonCursor *c, const char *origin);
void mc_json_cursor_clear(McJsonCursor *c);
/* Push a member or an index; returns the length to pass to pop. */
gsize mc_json_push_member(McJsonCursor *c, const char *name);
gsize mc_json_push_index(McJsonCursor *c, guint index);
void mc_json_pop(McJsonCursor *c, gsize mark);

/* Set error to "ORIGIN: PATH: message" with the given code. Returns false. */
bool mc_json_fail(const McJsonCursor *c, GError **error, int code, const char *fmt, ...)
        G_GNUC_PRINTF(4, 5);

/* JSON type name for messages: "object", "array", "string", "integer",
 * "number", "boolean", "null". */
const char *mc_json_node_type_name(JsonNode *node);

/* Expect an object; reject members not in allowed (NULL-terminated) and
 * not starting with "x-". required members (NULL-terminated, may be NULL)
 * must be present. */
JsonObject *mc_json_expect_object(McJsonCursor *c, JsonNode *node, const char *const *allowed,
                                  const char *const *required, GError **error);
JsonArray *mc_json_expect_array(McJsonCursor *c, JsonNode *node, guint max_len, GError **error);
/* A string with a validator (may be NULL) from mc-types.h's mc_check_*. */
const char *mc_json_expect_string(McJsonCursor *c, JsonNode *node,
                                  const char *(*validate)(const char *), GError **error);
bool mc_json_expect_int(McJsonCursor *c, JsonNode *node, int64_t *ret, GError **error);
bool mc_json_expect_bool(McJsonCursor *c, JsonNode *node, bool *ret, GError **error);
/* An object used as a map (member names are data: models, parameters):
 * type and member count checked; what names the members in messages. */
JsonObject *mc_json_expect_map(McJsonCursor *c, JsonNode *node, guint max_members, const char *what,
                               GError **error);
/* Read member into *ret (a copy) when present; a missing member is an
 * error only when required. */
bool mc_json_member_string(McJsonCursor *c, JsonObject *o, const char *member, bool required,
                           const char *(*validate)(const char *), char **ret, GError **error);
/* A list of capability names (x-capabilities, requires) as McCap bits. */
bool mc_json_read_caps(McJsonCursor *c, JsonNode *node, unsigned *ret, GError **error);
/* Is s exactly what JSON writes as an integer (RFC 8259: -?(0|[1-9][0-9]*),
 * no fraction or exponent) within int64? For readers of numbers outside
 * JSON (domain metadata), so that they take what the JSON readers take. */
bool mc_json_int_from_string(const char *s, int64_t *ret);
/* Is node a JSON integer (not a float)? */
bool mc_json_node_is_int(JsonNode *node);
