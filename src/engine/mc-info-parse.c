/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Readers for migration information: the JSON of RFC v3 (plus RFC v4's
 * "versions" and our "x-capabilities") and the text attribute
 * migration_device_models of RFC v4. */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mc-error.h"
#include "mc-info-parse.h"
#include "mc-template.h"
#include "mc-json.h"
#include "mc-parse.h"
#include "mc-quote.h"

static const char *const model_members[] = { "versions", "params", "x-capabilities", NULL };
static const char *const param_members[] = { "type",           "init_value", "off_value",
                                             "allowed_values", "description", NULL };
static const char *const param_required[] = { "type", "init_value", NULL };

static bool parse_range_string(const char *s, McIntRange *r) {
        /* "<min>-<max>", either may be negative: "-8--1". */
        char *end = NULL;
        gint64 a, b;

        if (!*s || g_ascii_isspace(*s))
                return false;
        errno = 0;
        a = g_ascii_strtoll(s, &end, 10);
        if (errno || end == s || *end != '-')
                return false;
        s = end + 1;
        if (!*s || g_ascii_isspace(*s))
                return false;
        b = g_ascii_strtoll(s, &end, 10);
        if (errno || end == s || *end != '\0')
                return false;
        r->min = a;
        r->max = b;
        return true;
}

static gint range_cmp(gconstpointer a, gconstpointer b) {
        const McIntRange *ra = a, *rb = b;
        return ra->min < rb->min ? -1 : ra->min > rb->min;
}

/* Sort and merge overlapping or adjacent ranges so lookups can stop early. */
static void normalize_ranges(GArray *ranges) {
        guint out = 0;

        g_array_sort(ranges, range_cmp);
        for (guint i = 0; i < ranges->len; i++) {
                McIntRange r = g_array_index(ranges, McIntRange, i);
                if (out > 0) {
                        McIntRange *last = &g_array_index(ranges, McIntRange, out - 1);
                        if (r.min <= last->max || (last->max < G_MAXINT64 && r.min == last->max + 1)) {
                                if (r.max > last->max)
                                        last->max = r.max;
                                continue;
                        }
                }
                g_array_index(ranges, McIntRange, out++) = r;
        }
        g_array_set_size(ranges, out);
}

static bool parse_typed_value(McJsonCursor *c, JsonNode *node, McParamType type, McValue *out,
                              GError **error) {
        *out = (McValue) { .type = type };
        switch (type) {
        case MC_PARAM_BOOL:
                return mc_json_expect_bool(c, node, &out->b, error);
        case MC_PARAM_INT:
                return mc_json_expect_int(c, node, &out->i, error);
        case MC_PARAM_STR: {
                const char *s = mc_json_expect_string(c, node, mc_check_str_value, error);
                if (!s)
                        return false;
                out->s = g_strdup(s);
                return true;
        }
        }
        return false;
}

static bool parse_allowed(McJsonCursor *c, JsonNode *node, McParam *p, GError **error) {
        JsonArray *a = mc_json_expect_array(c, node, MC_MAX_ALLOWED, error);
        guint n;

        if (!a)
                return false;
        n = json_array_get_length(a);
        if (n == 0)
                return mc_json_fail(c, error, MC_ERROR_VALUE,
                                    "an empty list allows nothing; leave allowed_values out to allow any value");
        p->has_allowed = true;
        if (p->type == MC_PARAM_INT)
                p->allowed_ranges = g_array_sized_new(false, false, sizeof(McIntRange), n);
        else if (p->type == MC_PARAM_STR)
                p->allowed_strs = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; i < n; i++) {
                JsonNode *e = json_array_get_element(a, i);
                gsize mark = mc_json_push_index(c, i);

                switch (p->type) {
                case MC_PARAM_BOOL: {
                        bool b;
                        if (!mc_json_expect_bool(c, e, &b, error))
                                return false;
                        p->allowed_bools |= b ? 2u : 1u;
                        break;
                }
                case MC_PARAM_INT: {
                        McIntRange r;
                        if (mc_json_node_is_int(e)) {
                                r.min = r.max = json_node_get_int(e);
                        } else if (JSON_NODE_HOLDS_VALUE(e) &&
                                   json_node_get_value_type(e) == G_TYPE_STRING) {
                                const char *s = json_node_get_string(e);
                                if (!parse_range_string(s, &r)) {
                                        g_autofree char *q = mc_quote(s, 64);
                                        return mc_json_fail(c, error, MC_ERROR_VALUE,
                                                            "\"%s\" is not a \"<min>-<max>\" range", q);
                                }
                                if (r.min > r.max)
                                        return mc_json_fail(c, error, MC_ERROR_VALUE,
                                                            "range \"%s\" has min above max", s);
                        } else {
                                return mc_json_fail(c, error, MC_ERROR_TYPE,
                                                    "expected an integer or a \"<min>-<max>\" string, got %s",
                                                    mc_json_node_type_name(e));
                        }
                        g_array_append_val(p->allowed_ranges, r);
                        break;
                }
                case MC_PARAM_STR: {
                        const char *s = mc_json_expect_string(c, e, mc_check_str_value, error);
                        if (!s)
                                return false;
                        for (guint k = 0; k < p->allowed_strs->len; k++)
                                if (strcmp(p->allowed_strs->pdata[k], s) == 0)
                                        return mc_json_fail(c, error, MC_ERROR_DUPLICATE,
                                                            "\"%s\" is listed twice", s);
                        g_ptr_array_add(p->allowed_strs, g_strdup(s));
                        break;
                }
                }
                mc_json_pop(c, mark);
        }
        if (p->allowed_ranges)
                normalize_ranges(p->allowed_ranges);
        return true;
}

static McParam *parse_param(McJsonCursor *c, const char *name, JsonNode *node, GError **error) {
        JsonObject *o = mc_json_expect_object(c, node, param_members, param_required, error);
        g_autoptr(McParam) p = NULL;
        const char *type;
        gsize mark;
        int t;

        if (!o)
                return NULL;

        mark = mc_json_push_member(c, "type");
        type = mc_json_expect_string(c, json_object_get_member(o, "type"), NULL, error);
        if (!type)
                return NULL;
        if (strcmp(type, "bool") == 0)
                t = MC_PARAM_BOOL;
        else if (strcmp(type, "int") == 0)
                t = MC_PARAM_INT;
        else if (strcmp(type, "str") == 0)
                t = MC_PARAM_STR;
        else {
                g_autofree char *q = mc_quote(type, 32);
                mc_json_fail(c, error, MC_ERROR_VALUE,
                             "expected \"bool\", \"int\" or \"str\", got \"%s\"", q);
                return NULL;
        }
        mc_json_pop(c, mark);

        p = mc_param_new(name, (McParamType) t);

        if (json_object_has_member(o, "allowed_values")) {
                mark = mc_json_push_member(c, "allowed_values");
                if (!parse_allowed(c, json_object_get_member(o, "allowed_values"), p, error))
                        return NULL;
                mc_json_pop(c, mark);
        }

        mark = mc_json_push_member(c, "init_value");
        if (!parse_typed_value(c, json_object_get_member(o, "init_value"), p->type, &p->init_value,
                               error))
                return NULL;
        if (!mc_param_allows(p, &p->init_value)) {
                g_autofree char *v = mc_value_to_string(&p->init_value);
                g_autofree char *allowed = mc_param_allowed_to_string(p);
                mc_json_fail(c, error, MC_ERROR_VALUE, "%s is not among allowed_values (%s)", v,
                             allowed);
                return NULL;
        }
        mc_json_pop(c, mark);

        if (json_object_has_member(o, "off_value")) {
                mark = mc_json_push_member(c, "off_value");
                if (!parse_typed_value(c, json_object_get_member(o, "off_value"), p->type,
                                       &p->off_value, error))
                        return NULL;
                if (!mc_param_allows(p, &p->off_value)) {
                        g_autofree char *v = mc_value_to_string(&p->off_value);
                        g_autofree char *allowed = mc_param_allowed_to_string(p);
                        mc_json_fail(c, error, MC_ERROR_VALUE,
                                     "%s is not among allowed_values (%s)", v, allowed);
                        return NULL;
                }
                p->has_off = true;
                mc_json_pop(c, mark);
        }

        if (json_object_has_member(o, "description")) {
                const char *d;
                mark = mc_json_push_member(c, "description");
                d = mc_json_expect_string(c, json_object_get_member(o, "description"), mc_check_text,
                                          error);
                if (!d)
                        return NULL;
                p->description = g_strdup(d);
                mc_json_pop(c, mark);
        }
        return g_steal_pointer(&p);
}

static bool parse_versions(McJsonCursor *c, JsonNode *node, McModel *m, GError **error) {
        JsonArray *a = mc_json_expect_array(c, node, MC_MAX_VERSIONS, error);

        if (!a)
                return false;
        if (json_array_get_length(a) == 0)
                return mc_json_fail(c, error, MC_ERROR_VALUE,
                                    "expected at least one version string (leave \"versions\" out if there are none)");
        for (guint i = 0; i < json_array_get_length(a); i++) {
                gsize mark = mc_json_push_index(c, i);
                const char *v = mc_json_expect_string(c, json_array_get_element(a, i),
                                                      mc_check_version_string, error);
                if (!v)
                        return false;
                if (mc_model_version_index(m, v) >= 0)
                        return mc_json_fail(c, error, MC_ERROR_DUPLICATE,
                                            "version \"%s\" is listed twice", v);
                g_ptr_array_add(m->versions, g_strdup(v));
                mc_json_pop(c, mark);
        }
        return true;
}

GPtrArray *mc_json_read_derived_from(McJsonCursor *c, JsonNode *node, GError **error) {
        JsonObject *o = mc_json_expect_map(c, node, MC_MAX_TEMPLATE_PLACEHOLDERS, "values", error);
        g_autoptr(GPtrArray) pairs = NULL;
        g_autoptr(GList) names = NULL;

        if (!o)
                return NULL;
        pairs = mc_pairs_new();
        names = json_object_get_members(o);
        for (GList *l = names; l; l = l->next) {
                const char *name = l->data;
                gsize mark = mc_json_push_member(c, name);
                const char *v;

                if (!mc_template_name_valid(name)) {
                        mc_json_fail(c, error, MC_ERROR_VALUE,
                                     "not a placeholder name of the derived-version set");
                        return NULL;
                }
                v = mc_json_expect_string(c, json_object_get_member(o, name), mc_check_str_value,
                                          error);
                if (!v)
                        return NULL;
                if (strlen(v) > MC_MAX_VERSION_LEN) {
                        mc_json_fail(c, error, MC_ERROR_LIMIT, "a value is at most %d bytes",
                                     MC_MAX_VERSION_LEN);
                        return NULL;
                }
                mc_pairs_set(pairs, name, v);
                mc_json_pop(c, mark);
        }
        return g_steal_pointer(&pairs);
}

static bool model_param(McJsonCursor *c, const char *name, JsonNode *node, void *userdata,
                        GError **error) {
        McModel *m = userdata;
        McParam *p = parse_param(c, name, node, error);

        if (!p)
                return false;
        g_ptr_array_add(m->params, p);
        return true;
}

bool mc_json_read_params(McJsonCursor *c, JsonObject *o, McJsonParamFunc each, void *userdata,
                         GError **error) {
        g_autoptr(GList) names = NULL;
        JsonObject *po;
        gsize mark;

        if (!json_object_has_member(o, "params"))
                return true;
        mark = mc_json_push_member(c, "params");
        po = mc_json_expect_map(c, json_object_get_member(o, "params"), MC_MAX_PARAMS, "parameters",
                                error);
        if (!po)
                return false;
        names = json_object_get_members(po);
        for (GList *l = names; l; l = l->next) {
                const char *name = l->data;
                gsize pmark = mc_json_push_member(c, name);
                const char *why = mc_check_param_name(name);

                if (why)
                        return mc_json_fail(c, error, MC_ERROR_VALUE, "invalid parameter name: %s", why);
                if (!each(c, name, json_object_get_member(po, name), userdata, error))
                        return false;
                mc_json_pop(c, pmark);
        }
        mc_json_pop(c, mark);
        return true;
}

static McModel *parse_model(McJsonCursor *c, const char *name, JsonNode *node, McModelsFlags flags,
                            GError **error) {
        static const char *const template_members[] = { "versions", "params", "x-capabilities",
                                                        "derived-version", NULL };
        static const char *const values_members[] = { "versions", "params", "x-capabilities",
                                                      "derived-version", "derived-from", NULL };
        JsonObject *o = mc_json_expect_object(c, node,
                                              (flags & MC_MODELS_DERIVED_VALUES) ? values_members
                                              : (flags & MC_MODELS_DERIVED_TEMPLATE) ? template_members
                                                                                     : model_members,
                                              NULL, error);
        g_autoptr(McModel) m = NULL;
        gsize mark;

        if (!o)
                return NULL;
        m = mc_model_new(name);

        if (json_object_has_member(o, "derived-version")) {
                g_autoptr(GError) local = NULL;
                if (!mc_json_member_string(c, o, "derived-version", true, NULL, &m->derived_template,
                                           error))
                        return NULL;
                mark = mc_json_push_member(c, "derived-version");
                if (!mc_template_check(m->derived_template, &local)) {
                        mc_json_fail(c, error, MC_ERROR_TEMPLATE, "%s", local->message);
                        return NULL;
                }
                mc_json_pop(c, mark);
        }
        if (json_object_has_member(o, "derived-from")) {
                mark = mc_json_push_member(c, "derived-from");
                m->derived_from = mc_json_read_derived_from(c, json_object_get_member(o, "derived-from"),
                                                            error);
                if (!m->derived_from)
                        return NULL;
                mc_json_pop(c, mark);
                if (!m->derived_template)
                        return mc_json_fail(c, error, MC_ERROR_MISSING_MEMBER,
                                            "\"derived-from\" comes with \"derived-version\""),
                               NULL;
        }

        if (json_object_has_member(o, "versions")) {
                mark = mc_json_push_member(c, "versions");
                if (!parse_versions(c, json_object_get_member(o, "versions"), m, error))
                        return NULL;
                mc_json_pop(c, mark);
        }

        if (!mc_json_read_params(c, o, model_param, m, error))
                return NULL;
        mc_model_sort_params(m);

        if (json_object_has_member(o, "x-capabilities")) {
                mark = mc_json_push_member(c, "x-capabilities");
                if (!mc_json_read_caps(c, json_object_get_member(o, "x-capabilities"), &m->caps, error))
                        return NULL;
                m->caps_known = true;
                mc_json_pop(c, mark);
        }
        return g_steal_pointer(&m);
}

bool mc_info_parse_models_node(McJsonCursor *c, JsonNode *node, McInfo *info, GError **error) {
        return mc_info_parse_models_node_full(c, node, info, 0, error);
}

bool mc_info_parse_models_node_full(McJsonCursor *c, JsonNode *node, McInfo *info,
                                    McModelsFlags flags, GError **error) {
        JsonObject *mo;
        g_autoptr(GList) names = NULL;

        mo = mc_json_expect_map(c, node, MC_MAX_MODELS, "device models", error);
        if (!mo)
                return false;
        names = json_object_get_members(mo);
        for (GList *l = names; l; l = l->next) {
                const char *name = l->data;
                gsize mark = mc_json_push_member(c, name);
                const char *why = mc_check_model_string(name);
                McModel *m;

                if (why)
                        return mc_json_fail(c, error, MC_ERROR_VALUE, "invalid device model: %s",
                                            why);
                m = parse_model(c, name, json_object_get_member(mo, name), flags, error);
                if (!m)
                        return false;
                g_ptr_array_add(info->models, m);
                mc_json_pop(c, mark);
        }
        return true;
}

McInfo *mc_info_parse(const char *data, gsize len, const char *origin, GError **error) {
        static const char *const root_members[] = { "models", NULL };
        g_autoptr(JsonNode) root = NULL;
        g_autoptr(McInfo) info = NULL;
        McJsonCursor c;
        JsonObject *o;
        bool ok = false;

        root = mc_json_parse(data, len, origin, error);
        if (!root)
                return NULL;

        info = mc_info_new();
        mc_json_cursor_init(&c, origin);
        o = mc_json_expect_object(&c, root, root_members, root_members, error);
        if (o) {
                gsize mark = mc_json_push_member(&c, "models");
                ok = mc_info_parse_models_node(&c, json_object_get_member(o, "models"), info, error);
                if (ok && info->models->len == 0)
                        ok = mc_json_fail(&c, error, MC_ERROR_VALUE,
                                          "expected at least one device model");
                mc_json_pop(&c, mark);
        }
        mc_json_cursor_clear(&c);
        return ok ? g_steal_pointer(&info) : NULL;
}

/* ---- RFC v4 text ------------------------------------------------------- */

static bool text_fail(GError **error, const char *origin, guint line, const char *fmt, ...)
        G_GNUC_PRINTF(4, 5);

static bool text_fail(GError **error, const char *origin, guint line, const char *fmt, ...) {
        va_list ap;
        g_autofree char *msg = NULL;

        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_set_error(error, MC_ERROR, MC_ERROR_SYNTAX, "%s:%u: %s", origin, line, msg);
        return false;
}

McInfo *mc_info_parse_device_models(const char *data, gsize len, const char *origin,
                                    GError **error) {
        g_autoptr(McInfo) info = mc_info_new();
        McModel *cur = NULL;
        gsize pos = 0;
        guint line = 0;

        if (len > MC_MAX_DOCUMENT_SIZE) {
                g_set_error(error, MC_ERROR, MC_ERROR_LIMIT,
                            "%s: %zu bytes, more than the limit of %d bytes", origin, len,
                            MC_MAX_DOCUMENT_SIZE);
                return NULL;
        }
        if (memchr(data, '\0', len) || !g_utf8_validate_len(data, len, NULL)) {
                g_set_error(error, MC_ERROR, MC_ERROR_SYNTAX, "%s: not ASCII text", origin);
                return NULL;
        }

        while (pos < len) {
                const char *start = data + pos;
                const char *nl = memchr(start, '\n', len - pos);
                gsize n = nl ? (gsize) (nl - start) : len - pos;
                g_autofree char *text = g_strndup(start, n);
                const char *why;

                pos += n + (nl ? 1 : 0);
                line++;
                if (n == 0)
                        continue;
                if (strchr(text, '\r')) {
                        text_fail(error, origin, line,
                                  "invalid carriage return (lines end with \\n alone)");
                        return NULL;
                }
                if (n > 1 && text[n - 1] == ':') {
                        text[n - 1] = '\0';
                        if (cur && cur->versions->len == 0) {
                                text_fail(error, origin, line - 1,
                                          "device model \"%s\" lists no version", cur->model);
                                return NULL;
                        }
                        why = mc_check_model_string(text);
                        if (why) {
                                g_autofree char *q = mc_quote(text, 64);
                                text_fail(error, origin, line, "invalid device model \"%s\": %s", q,
                                          why);
                                return NULL;
                        }
                        if (mc_info_find_model(info, text)) {
                                text_fail(error, origin, line, "device model \"%s\" appears twice",
                                          text);
                                return NULL;
                        }
                        if (info->models->len >= MC_MAX_MODELS) {
                                text_fail(error, origin, line, "more than %d device models",
                                          MC_MAX_MODELS);
                                return NULL;
                        }
                        cur = mc_model_new(text);
                        g_ptr_array_add(info->models, cur);
                        continue;
                }
                if (!cur) {
                        g_autofree char *q = mc_quote(text, 64);
                        text_fail(error, origin, line,
                                  "expected a \"<model>:\" line before version \"%s\"", q);
                        return NULL;
                }
                why = mc_check_version_string(text);
                if (why) {
                        g_autofree char *q = mc_quote(text, 64);
                        text_fail(error, origin, line, "invalid version string \"%s\": %s", q, why);
                        return NULL;
                }
                if (mc_model_version_index(cur, text) >= 0) {
                        text_fail(error, origin, line, "version \"%s\" listed twice for %s", text,
                                  cur->model);
                        return NULL;
                }
                if (cur->versions->len >= MC_MAX_VERSIONS) {
                        text_fail(error, origin, line, "more than %d versions for %s",
                                  MC_MAX_VERSIONS, cur->model);
                        return NULL;
                }
                g_ptr_array_add(cur->versions, g_steal_pointer(&text));
        }
        if (!cur) {
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "%s: lists no device model", origin);
                return NULL;
        }
        if (cur->versions->len == 0) {
                text_fail(error, origin, line, "device model \"%s\" lists no version", cur->model);
                return NULL;
        }
        return g_steal_pointer(&info);
}

/* ---- merge ------------------------------------------------------------- */

static McParam *param_copy(const McParam *p) {
        McParam *c = mc_param_new(p->name, p->type);
        mc_value_copy(&c->init_value, &p->init_value);
        c->has_off = p->has_off;
        mc_value_copy(&c->off_value, &p->off_value);
        c->has_allowed = p->has_allowed;
        if (p->allowed_ranges)
                c->allowed_ranges = g_array_copy(p->allowed_ranges);
        if (p->allowed_strs) {
                c->allowed_strs = g_ptr_array_new_with_free_func(g_free);
                for (guint i = 0; i < p->allowed_strs->len; i++)
                        g_ptr_array_add(c->allowed_strs, g_strdup(p->allowed_strs->pdata[i]));
        }
        c->allowed_bools = p->allowed_bools;
        c->description = g_strdup(p->description);
        return c;
}

McModel *mc_model_copy(const McModel *m) {
        McModel *c = mc_model_new(m->model);
        for (guint i = 0; i < m->versions->len; i++)
                g_ptr_array_add(c->versions, g_strdup(m->versions->pdata[i]));
        for (guint i = 0; i < m->params->len; i++)
                g_ptr_array_add(c->params, param_copy(m->params->pdata[i]));
        c->caps_known = m->caps_known;
        c->caps = m->caps;
        c->derived_template = g_strdup(m->derived_template);
        c->derived_from = mc_pairs_copy(m->derived_from);
        return c;
}

static char *versions_join(const McModel *m) {
        g_autoptr(GString) s = g_string_new(NULL);
        for (guint i = 0; i < m->versions->len; i++)
                g_string_append_printf(s, "%s%s", i ? ", " : "", (char *) m->versions->pdata[i]);
        return g_string_free(g_steal_pointer(&s), false);
}

McInfo *mc_info_merge(McInfo *json_info, McInfo *text_info, const char *origin, GError **error) {
        g_autoptr(McInfo) out = NULL;

        g_return_val_if_fail(json_info || text_info, NULL);
        if (!json_info)
                return mc_info_ref(text_info);
        if (!text_info)
                return mc_info_ref(json_info);

        out = mc_info_new();
        for (guint i = 0; i < json_info->models->len; i++) {
                const McModel *jm = json_info->models->pdata[i];
                const McModel *tm = mc_info_find_model(text_info, jm->model);
                McModel *m = mc_model_copy(jm);

                g_ptr_array_add(out->models, m);
                if (!tm)
                        continue;
                if (m->versions->len == 0) {
                        for (guint k = 0; k < tm->versions->len; k++)
                                g_ptr_array_add(m->versions, g_strdup(tm->versions->pdata[k]));
                        continue;
                }
                bool same = m->versions->len == tm->versions->len;
                for (guint k = 0; same && k < tm->versions->len; k++)
                        same = mc_model_version_index(m, tm->versions->pdata[k]) >= 0;
                if (!same) {
                        g_autofree char *a = versions_join(tm), *b = versions_join(jm);
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                    "%s: device model %s: migration_device_models lists versions %s but migration_info.json lists %s",
                                    origin, jm->model, a, b);
                        return NULL;
                }
        }
        for (guint i = 0; i < text_info->models->len; i++) {
                const McModel *tm = text_info->models->pdata[i];
                if (!mc_info_find_model(json_info, tm->model)) {
                        if (out->models->len >= MC_MAX_MODELS) {
                                g_set_error(error, MC_ERROR, MC_ERROR_LIMIT,
                                            "%s: more than %d device models", origin,
                                            MC_MAX_MODELS);
                                return NULL;
                        }
                        g_ptr_array_add(out->models, mc_model_copy(tm));
                }
        }
        return g_steal_pointer(&out);
}
