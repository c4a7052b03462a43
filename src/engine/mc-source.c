/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Reader for source descriptions: what a check asks about. */

#include <string.h>

#include "mc-error.h"
#include "mc-info-parse.h"
#include "mc-json.h"
#include "mc-parse.h"
#include "mc-source-fast.h"

/* The name is checked already (mc_json_read_params). */
static bool read_param(McJsonCursor *c, const char *name, JsonNode *node, void *userdata,
                       GError **error) {
        McSrcDevice *d = userdata;
        McSrcParam p = { .name = (char *) name };

        if (mc_json_node_is_int(node)) {
                p.kind = MC_SRC_INT;
                p.i = json_node_get_int(node);
        } else if (node && JSON_NODE_HOLDS_VALUE(node) &&
                   json_node_get_value_type(node) == G_TYPE_BOOLEAN) {
                p.kind = MC_SRC_BOOL;
                p.b = json_node_get_boolean(node);
        } else if (node && JSON_NODE_HOLDS_VALUE(node) &&
                   json_node_get_value_type(node) == G_TYPE_STRING) {
                const char *s = mc_json_expect_string(c, node, mc_check_str_value, error);
                if (!s)
                        return false;
                p.kind = MC_SRC_STR;
                p.s = (char *) s;
        } else {
                return mc_json_fail(c, error, MC_ERROR_TYPE,
                                    "expected a boolean, an integer or a string, got %s",
                                    mc_json_node_type_name(node));
        }
        /* Names are unique already (the pre-scan rejects duplicate members). */
        mc_src_device_add_param(d, &p);
        return true;
}

static McSrcDevice *read_device(McJsonCursor *c, JsonNode *node, GError **error) {
        static const char *const members[] = { "id", "model", "version", "params", "requires",
                                               "derived-from", NULL };
        static const char *const required[] = { "id", "model", NULL };
        g_autoptr(McSrcDevice) d = NULL;
        const char *id, *model, *version = NULL;
        JsonObject *o;
        gsize mark;

        o = mc_json_expect_object(c, node, members, required, error);
        if (!o)
                return NULL;

        mark = mc_json_push_member(c, "id");
        id = mc_json_expect_string(c, json_object_get_member(o, "id"), mc_check_id_string, error);
        if (!id)
                return NULL;
        mc_json_pop(c, mark);

        mark = mc_json_push_member(c, "model");
        model = mc_json_expect_string(c, json_object_get_member(o, "model"), mc_check_model_string,
                                      error);
        if (!model)
                return NULL;
        mc_json_pop(c, mark);

        if (json_object_has_member(o, "version")) {
                mark = mc_json_push_member(c, "version");
                version = mc_json_expect_string(c, json_object_get_member(o, "version"),
                                                mc_check_version_string, error);
                if (!version)
                        return NULL;
                mc_json_pop(c, mark);
        }
        d = mc_src_device_new(id, model, version);

        if (!mc_json_read_params(c, o, read_param, d, error))
                return NULL;

        if (json_object_has_member(o, "requires")) {
                mark = mc_json_push_member(c, "requires");
                if (!mc_json_read_caps(c, json_object_get_member(o, "requires"), &d->requires, error))
                        return NULL;
                mc_json_pop(c, mark);
        }

        if (json_object_has_member(o, "derived-from")) {
                mark = mc_json_push_member(c, "derived-from");
                d->derived_from = mc_json_read_derived_from(c, json_object_get_member(o, "derived-from"),
                                                            error);
                if (!d->derived_from)
                        return NULL;
                mc_json_pop(c, mark);
        }
        return g_steal_pointer(&d);
}

static McSource *read_source(McJsonCursor *c, JsonNode *root, GError **error) {
        static const char *const members[] = { "devices", NULL };
        g_autoptr(McSource) src = mc_source_new();
        g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
        JsonObject *o;
        JsonArray *a;
        gsize mark;

        o = mc_json_expect_object(c, root, members, members, error);
        if (!o)
                return NULL;
        mark = mc_json_push_member(c, "devices");
        a = mc_json_expect_array(c, json_object_get_member(o, "devices"), MC_MAX_DEVICES, error);
        if (!a)
                return NULL;
        if (json_array_get_length(a) == 0) {
                mc_json_fail(c, error, MC_ERROR_VALUE, "expected at least one device");
                return NULL;
        }
        for (guint i = 0; i < json_array_get_length(a); i++) {
                gsize imark = mc_json_push_index(c, i);
                McSrcDevice *d = read_device(c, json_array_get_element(a, i), error);
                if (!d)
                        return NULL;
                g_ptr_array_add(src->devices, d);
                if (!g_hash_table_add(ids, d->id)) {
                        mc_json_fail(c, error, MC_ERROR_DUPLICATE,
                                     "device id \"%s\" is used twice; ids must be unique", d->id);
                        return NULL;
                }
                mc_json_pop(c, imark);
        }
        mc_json_pop(c, mark);
        return g_steal_pointer(&src);
}

McSource *mc_source_parse(const char *data, gsize len, const char *origin, GError **error) {
        /* The usual plain description without a JSON tree; anything else,
         * and every error, by the full reader. */
        McSource *src = mc_source_parse_fast(data, len);

        return src ? src : mc_source_parse_full(data, len, origin, error);
}

McSource *mc_source_parse_full(const char *data, gsize len, const char *origin, GError **error) {
        g_autoptr(JsonNode) root = mc_json_parse(data, len, origin, error);
        McJsonCursor c;
        McSource *src;

        if (!root)
                return NULL;
        mc_json_cursor_init(&c, origin);
        src = read_source(&c, root, error);
        mc_json_cursor_clear(&c);
        return src;
}
