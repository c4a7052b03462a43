/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mc-json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mc-error.h"

/* ---- pre-scan ---------------------------------------------------------- */

typedef struct {
        bool is_object;
        bool expect_key;
        guint index;        /* arrays: current element */
        char *key;          /* objects: current member name */
        GHashTable *keys;   /* objects: names seen so far */
} ScanLevel;

typedef struct {
        const char *origin;
        const char *data;
        gsize len;
        gsize max_size;
        ScanLevel levels[MC_MAX_JSON_DEPTH + 1];
        int depth; /* number of open containers */
} Scan;

static void append_member(GString *path, const char *name) {
        bool plain = name[0] != '\0' && (g_ascii_isalpha(name[0]) || name[0] == '_');
        for (const char *p = name; plain && *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
                        plain = false;
        if (plain) {
                g_string_append_c(path, '.');
                g_string_append(path, name);
        } else {
                g_string_append(path, "[\"");
                for (const char *p = name; *p; p++) {
                        if (*p == '"' || *p == '\\')
                                g_string_append_c(path, '\\');
                        if ((unsigned char) *p < 0x20)
                                g_string_append_printf(path, "\\u%04x", (unsigned) *p);
                        else
                                g_string_append_c(path, *p);
                }
                g_string_append(path, "\"]");
        }
}

static char *scan_path(const Scan *s) {
        GString *path = g_string_new("$");
        for (int i = 0; i < s->depth; i++) {
                const ScanLevel *l = &s->levels[i];
                if (l->is_object) {
                        if (l->key && !l->expect_key)
                                append_member(path, l->key);
                } else {
                        g_string_append_printf(path, "[%u]", l->index);
                }
        }
        return g_string_free(path, false);
}

static void scan_position(const Scan *s, gsize pos, guint *line, guint *col) {
        *line = 1;
        *col = 1;
        for (gsize i = 0; i < pos && i < s->len; i++) {
                if (s->data[i] == '\n') {
                        (*line)++;
                        *col = 1;
                } else {
                        (*col)++;
                }
        }
}

static bool scan_fail(const Scan *s, gsize pos, GError **error, int code, const char *fmt, ...)
        G_GNUC_PRINTF(5, 6);

static bool scan_fail(const Scan *s, gsize pos, GError **error, int code, const char *fmt, ...) {
        va_list ap;
        guint line, col;
        g_autofree char *path = scan_path(s);
        g_autofree char *msg = NULL;

        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        scan_position(s, pos, &line, &col);
        g_set_error(error, MC_ERROR, code, "%s:%u:%u: %s: %s", s->origin, line, col, path, msg);
        return false;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c = g_ascii_tolower(c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* Scan a string starting at the opening quote; decode it when ret is set. */
static bool scan_string(Scan *s, gsize *pos, GString *ret, GError **error) {
        gsize i = *pos + 1;

        while (i < s->len) {
                unsigned char c = (unsigned char) s->data[i];
                if (c == '"') {
                        *pos = i + 1;
                        return true;
                }
                if (c < 0x20)
                        return scan_fail(s, i, error, MC_ERROR_SYNTAX,
                                         "control character in a string");
                if (c != '\\') {
                        if (ret)
                                g_string_append_c(ret, (char) c);
                        i++;
                        continue;
                }
                if (i + 1 >= s->len)
                        break;
                char e = s->data[i + 1];
                if (e == 'u') {
                        unsigned cp = 0;
                        if (i + 6 > s->len)
                                return scan_fail(s, i, error, MC_ERROR_SYNTAX, "truncated \\u escape");
                        for (int k = 2; k < 6; k++) {
                                int h = hexval(s->data[i + k]);
                                if (h < 0)
                                        return scan_fail(s, i, error, MC_ERROR_SYNTAX,
                                                         "invalid \\u escape");
                                cp = cp * 16 + (unsigned) h;
                        }
                        if (cp == 0)
                                return scan_fail(s, i, error, MC_ERROR_VALUE,
                                                 "\\u0000 is not allowed in strings");
                        if (ret) {
                                /* Surrogates are left to json-glib; for the duplicate
                                 * check a stable stand-in is enough. */
                                if (cp >= 0xd800 && cp <= 0xdfff)
                                        g_string_append_printf(ret, "\\u%04x", cp);
                                else
                                        g_string_append_unichar(ret, cp);
                        }
                        i += 6;
                        continue;
                }
                if (ret) {
                        switch (e) {
                        case 'n': g_string_append_c(ret, '\n'); break;
                        case 't': g_string_append_c(ret, '\t'); break;
                        case 'r': g_string_append_c(ret, '\r'); break;
                        case 'b': g_string_append_c(ret, '\b'); break;
                        case 'f': g_string_append_c(ret, '\f'); break;
                        default: g_string_append_c(ret, e); break;
                        }
                }
                i += 2;
        }
        return scan_fail(s, *pos, error, MC_ERROR_SYNTAX, "unterminated string");
}

static bool scan_number(Scan *s, gsize *pos, GError **error) {
        gsize start = *pos, i = *pos;
        bool integer = true;

        while (i < s->len && (g_ascii_isdigit(s->data[i]) || strchr("+-.eE", s->data[i]))) {
                if (strchr(".eE", s->data[i]))
                        integer = false;
                i++;
        }
        *pos = i;
        if (!integer)
                return true;
        if (i - start > 32)
                return scan_fail(s, start, error, MC_ERROR_VALUE, "integer out of range");

        char buf[40];
        char *end = NULL;
        memcpy(buf, s->data + start, i - start);
        buf[i - start] = '\0';
        errno = 0;
        (void) strtoll(buf, &end, 10);
        if (errno == ERANGE)
                return scan_fail(s, start, error, MC_ERROR_VALUE,
                                 "integer %s is out of the 64-bit range", buf);
        /* Anything malformed is json-glib's to report. */
        return true;
}

static void scan_level_clear(ScanLevel *l) {
        g_clear_pointer(&l->key, g_free);
        g_clear_pointer(&l->keys, g_hash_table_unref);
}

static bool prescan(Scan *s, GError **error) {
        gsize i = 0;

        if (s->len > s->max_size) {
                g_set_error(error, MC_ERROR, MC_ERROR_LIMIT,
                            "%s: document is %zu bytes, more than the limit of %zu bytes",
                            s->origin, s->len, s->max_size);
                return false;
        }
        if (!g_utf8_validate_len(s->data, s->len, NULL)) {
                const char *end = NULL;
                g_utf8_validate_len(s->data, s->len, &end);
                return scan_fail(s, (gsize) (end - s->data), error, MC_ERROR_SYNTAX,
                                 "not valid UTF-8 (or a NUL byte)");
        }

        while (i < s->len) {
                char c = s->data[i];
                ScanLevel *top = s->depth > 0 ? &s->levels[s->depth - 1] : NULL;

                switch (c) {
                case '{':
                case '[':
                        if (s->depth >= MC_MAX_JSON_DEPTH)
                                return scan_fail(s, i, error, MC_ERROR_LIMIT,
                                                 "nested deeper than %d levels",
                                                 MC_MAX_JSON_DEPTH);
                        s->levels[s->depth] = (ScanLevel) {
                                .is_object = c == '{',
                                .expect_key = c == '{',
                        };
                        s->depth++;
                        i++;
                        break;
                case '}':
                case ']':
                        if (!top || top->is_object != (c == '}'))
                                return scan_fail(s, i, error, MC_ERROR_SYNTAX,
                                                 "unexpected '%c'", c);
                        scan_level_clear(top);
                        s->depth--;
                        i++;
                        break;
                case ',':
                        if (top) {
                                if (top->is_object)
                                        top->expect_key = true;
                                else
                                        top->index++;
                        }
                        i++;
                        break;
                case '"':
                        if (top && top->is_object && top->expect_key) {
                                g_autoptr(GString) key = g_string_new(NULL);
                                if (!scan_string(s, &i, key, error))
                                        return false;
                                if (!top->keys)
                                        top->keys = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                                          g_free, NULL);
                                g_free(top->key);
                                top->key = g_strdup(key->str);
                                if (!g_hash_table_add(top->keys, g_strdup(key->str))) {
                                        top->expect_key = true; /* path names the object */
                                        return scan_fail(s, i, error, MC_ERROR_DUPLICATE,
                                                         "member \"%s\" appears twice", key->str);
                                }
                                top->expect_key = false;
                        } else if (!scan_string(s, &i, NULL, error)) {
                                return false;
                        }
                        break;
                default:
                        if (c == '-' || g_ascii_isdigit(c)) {
                                if (!scan_number(s, &i, error))
                                        return false;
                        } else {
                                i++;
                        }
                        break;
                }
        }
        return true;
}

JsonNode *mc_json_parse(const char *data, gsize len, const char *origin, GError **error) {
        return mc_json_parse_limited(data, len, MC_MAX_DOCUMENT_SIZE, origin, error);
}

JsonNode *mc_json_parse_limited(const char *data, gsize len, gsize max_size, const char *origin,
                                GError **error) {
        Scan s = { .origin = origin, .data = data, .len = len, .max_size = max_size };
        g_autoptr(JsonParser) parser = NULL;
        g_autoptr(GError) local = NULL;
        bool ok;

        ok = prescan(&s, error);
        for (int i = 0; i < s.depth; i++)
                scan_level_clear(&s.levels[i]);
        if (!ok)
                return NULL;

        parser = json_parser_new_immutable();
        if (!json_parser_load_from_data(parser, data, (gssize) len, &local)) {
                g_set_error(error, MC_ERROR, MC_ERROR_SYNTAX, "%s: not valid JSON: %s", origin,
                            local->message);
                return NULL;
        }
        if (!json_parser_get_root(parser)) {
                g_set_error(error, MC_ERROR, MC_ERROR_SYNTAX, "%s: empty document", origin);
                return NULL;
        }
        return json_parser_steal_root(parser);
}

/* ---- cursor ------------------------------------------------------------ */

void mc_json_cursor_init(McJsonCursor *c, const char *origin) {
        c->origin = origin;
        c->path = g_string_new("$");
}

void mc_json_cursor_clear(McJsonCursor *c) {
        if (c->path)
                g_string_free(c->path, true);
        c->path = NULL;
}

gsize mc_json_push_member(McJsonCursor *c, const char *name) {
        gsize mark = c->path->len;
        append_member(c->path, name);
        return mark;
}

gsize mc_json_push_index(McJsonCursor *c, guint index) {
        gsize mark = c->path->len;
        g_string_append_printf(c->path, "[%u]", index);
        return mark;
}

void mc_json_pop(McJsonCursor *c, gsize mark) {
        g_string_truncate(c->path, mark);
}

bool mc_json_fail(const McJsonCursor *c, GError **error, int code, const char *fmt, ...) {
        va_list ap;
        g_autofree char *msg = NULL;

        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_set_error(error, MC_ERROR, code, "%s: %s: %s", c->origin, c->path->str, msg);
        return false;
}

bool mc_json_node_is_int(JsonNode *node) {
        return node && JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_INT64;
}

const char *mc_json_node_type_name(JsonNode *node) {
        if (!node || JSON_NODE_HOLDS_NULL(node))
                return "null";
        if (JSON_NODE_HOLDS_OBJECT(node))
                return "object";
        if (JSON_NODE_HOLDS_ARRAY(node))
                return "array";
        switch (json_node_get_value_type(node)) {
        case G_TYPE_INT64:
                return "integer";
        case G_TYPE_DOUBLE:
                return "number";
        case G_TYPE_BOOLEAN:
                return "boolean";
        case G_TYPE_STRING:
                return "string";
        default:
                return "value";
        }
}

static bool strv_has(const char *const *v, const char *s) {
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

JsonObject *mc_json_expect_object(McJsonCursor *c, JsonNode *node, const char *const *allowed,
                                  const char *const *required, GError **error) {
        JsonObject *o;
        g_autoptr(GList) members = NULL;

        if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
                mc_json_fail(c, error, MC_ERROR_TYPE, "expected an object, got %s",
                             mc_json_node_type_name(node));
                return NULL;
        }
        o = json_node_get_object(node);
        members = json_object_get_members(o);
        for (GList *l = members; l; l = l->next) {
                const char *name = l->data;
                if (g_str_has_prefix(name, "x-") || strv_has(allowed, name))
                        continue;
                g_autofree char *expected = g_strjoinv("\", \"", (char **) allowed);
                mc_json_fail(c, error, MC_ERROR_UNKNOWN_MEMBER,
                             "unknown member \"%s\" (expected \"%s\", or a vendor \"x-\" member)",
                             name, expected);
                return NULL;
        }
        for (; required && *required; required++)
                if (!json_object_has_member(o, *required)) {
                        mc_json_fail(c, error, MC_ERROR_MISSING_MEMBER,
                                     "required member \"%s\" is missing", *required);
                        return NULL;
                }
        return o;
}

JsonArray *mc_json_expect_array(McJsonCursor *c, JsonNode *node, guint max_len, GError **error) {
        JsonArray *a;

        if (!node || !JSON_NODE_HOLDS_ARRAY(node)) {
                mc_json_fail(c, error, MC_ERROR_TYPE, "expected an array, got %s",
                             mc_json_node_type_name(node));
                return NULL;
        }
        a = json_node_get_array(node);
        if (json_array_get_length(a) > max_len) {
                mc_json_fail(c, error, MC_ERROR_LIMIT, "%u entries, more than the limit of %u",
                             json_array_get_length(a), max_len);
                return NULL;
        }
        return a;
}

const char *mc_json_expect_string(McJsonCursor *c, JsonNode *node,
                                  const char *(*validate)(const char *), GError **error) {
        const char *s, *why;

        if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
                mc_json_fail(c, error, MC_ERROR_TYPE, "expected a string, got %s",
                             mc_json_node_type_name(node));
                return NULL;
        }
        s = json_node_get_string(node);
        why = validate ? validate(s) : mc_check_str_value(s);
        if (why) {
                mc_json_fail(c, error, MC_ERROR_VALUE, "\"%.64s%s\" is not valid: %s", s,
                             strlen(s) > 64 ? "…" : "", why);
                return NULL;
        }
        return s;
}

bool mc_json_expect_int(McJsonCursor *c, JsonNode *node, int64_t *ret, GError **error) {
        if (!mc_json_node_is_int(node))
                return mc_json_fail(c, error, MC_ERROR_TYPE, "expected an integer, got %s",
                                    mc_json_node_type_name(node));
        *ret = json_node_get_int(node);
        return true;
}

bool mc_json_expect_bool(McJsonCursor *c, JsonNode *node, bool *ret, GError **error) {
        if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
                return mc_json_fail(c, error, MC_ERROR_TYPE, "expected true or false, got %s",
                                    mc_json_node_type_name(node));
        *ret = json_node_get_boolean(node);
        return true;
}

JsonObject *mc_json_expect_map(McJsonCursor *c, JsonNode *node, guint max_members, const char *what,
                               GError **error) {
        JsonObject *o;

        if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
                mc_json_fail(c, error, MC_ERROR_TYPE, "expected an object of %s, got %s", what,
                             mc_json_node_type_name(node));
                return NULL;
        }
        o = json_node_get_object(node);
        if (json_object_get_size(o) > max_members) {
                mc_json_fail(c, error, MC_ERROR_LIMIT, "%u %s, more than the limit of %u",
                             json_object_get_size(o), what, max_members);
                return NULL;
        }
        return o;
}

bool mc_json_member_string(McJsonCursor *c, JsonObject *o, const char *member, bool required,
                           const char *(*validate)(const char *), char **ret, GError **error) {
        gsize mark;
        const char *s;

        if (!json_object_has_member(o, member)) {
                if (required)
                        return mc_json_fail(c, error, MC_ERROR_MISSING_MEMBER,
                                            "required member \"%s\" is missing", member);
                return true;
        }
        mark = mc_json_push_member(c, member);
        s = mc_json_expect_string(c, json_object_get_member(o, member), validate, error);
        if (!s)
                return false;
        g_free(*ret);
        *ret = g_strdup(s);
        mc_json_pop(c, mark);
        return true;
}

bool mc_json_read_caps(McJsonCursor *c, JsonNode *node, unsigned *ret, GError **error) {
        JsonArray *a = mc_json_expect_array(c, node, 16, error);
        unsigned caps = 0;

        if (!a)
                return false;
        for (guint i = 0; i < json_array_get_length(a); i++) {
                gsize mark = mc_json_push_index(c, i);
                const char *s = mc_json_expect_string(c, json_array_get_element(a, i), NULL, error);
                McCap cap;

                if (!s)
                        return false;
                cap = mc_cap_from_string(s);
                if (!cap)
                        return mc_json_fail(c, error, MC_ERROR_VALUE,
                                            "unknown capability \"%.32s\" (expected stop-copy, pre-copy, p2p or dirty-tracking)",
                                            s);
                if (caps & cap)
                        return mc_json_fail(c, error, MC_ERROR_DUPLICATE,
                                            "capability \"%s\" is listed twice", s);
                caps |= cap;
                mc_json_pop(c, mark);
        }
        *ret = caps;
        return true;
}
