/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mc-json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mc-error.h"
#include "mc-quote.h"

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

static int read_hex4(const Scan *s, gsize i) {
        int cp = 0;
        if (i + 4 > s->len)
                return -1;
        for (gsize k = i; k < i + 4; k++) {
                int h = hexval(s->data[k]);
                if (h < 0)
                        return -1;
                cp = cp * 16 + h;
        }
        return cp;
}

/* Scan a string starting at the opening quote; decode it when ret is set.
 * The text is valid UTF-8 already (checked for the whole document); what
 * is left is the escapes: only RFC 8259's, and a \u escape of a surrogate
 * only as the high half of a pair (json-glib would otherwise make invalid
 * UTF-8 of a lone one, which no message or D-Bus string can carry). */
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
                        int cp = read_hex4(s, i + 2);
                        if (cp < 0)
                                return scan_fail(s, i, error, MC_ERROR_SYNTAX, "invalid \\u escape");
                        if (cp == 0)
                                return scan_fail(s, i, error, MC_ERROR_VALUE,
                                                 "\\u0000 is not allowed in strings");
                        if (cp >= 0xdc00 && cp <= 0xdfff)
                                return scan_fail(s, i, error, MC_ERROR_VALUE,
                                                 "\\u%04x is a lone low surrogate, not a character", cp);
                        if (cp >= 0xd800 && cp <= 0xdbff) {
                                int lo = -1;
                                if (i + 12 <= s->len && s->data[i + 6] == '\\' && s->data[i + 7] == 'u')
                                        lo = read_hex4(s, i + 8);
                                if (lo < 0xdc00 || lo > 0xdfff)
                                        return scan_fail(s, i, error, MC_ERROR_VALUE,
                                                         "\\u%04x is a high surrogate without a low "
                                                         "surrogate after it, not a character", cp);
                                if (ret)
                                        g_string_append_unichar(
                                                ret, 0x10000 + (((gunichar) cp - 0xd800) << 10) +
                                                             ((gunichar) lo - 0xdc00));
                                i += 12;
                                continue;
                        }
                        if (ret)
                                g_string_append_unichar(ret, (gunichar) cp);
                        i += 6;
                        continue;
                }
                if (!strchr("\"\\/bfnrt", e) || e == '\0')
                        return scan_fail(s, i, error, MC_ERROR_SYNTAX, "invalid escape \"\\%s\"",
                                         g_ascii_isprint(e) ? (char[]) { e, '\0' } : "?");
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

/* Characters a number-like token runs over, for the message. */
static bool numberish(char c) {
        return g_ascii_isalnum(c) || c == '+' || c == '-' || c == '.' || c == '$' || c == '_';
}

static bool bad_number(Scan *s, gsize start, GError **error, const char *why) {
        gsize end = start;
        while (end < s->len && numberish(s->data[end]))
                end++;
        g_autofree char *tok = mc_quote_len(s->data + start, end - start, 32);
        return scan_fail(s, start, error, MC_ERROR_VALUE, "%s is not a JSON number: %s", tok, why);
}

static gsize digits(const Scan *s, gsize i) {
        while (i < s->len && g_ascii_isdigit(s->data[i]))
                i++;
        return i;
}

/* Exactly RFC 8259's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 * json-glib reads more (03000 as octal, 0x400 and $400 as hex, a leading
 * "+"): what it would read differently from what the writer meant is an
 * error, never a value. Integers must fit 64 bits (json-glib wraps). */
static bool scan_number(Scan *s, gsize *pos, GError **error) {
        gsize start = *pos, i = *pos, int_start, j;
        bool integer = true;

        if (s->data[i] == '+' || s->data[i] == '.' || s->data[i] == '$' || g_ascii_isalpha(s->data[i]))
                return bad_number(s, start, error,
                                  "a number starts with \"-\" or a digit (RFC 8259)");
        if (s->data[i] == '-')
                i++;
        int_start = i;
        if (i >= s->len || !g_ascii_isdigit(s->data[i]))
                return bad_number(s, start, error, "a digit must follow \"-\"");
        if (s->data[i] == '0' && i + 1 < s->len && g_ascii_isalnum(s->data[i + 1]) &&
            s->data[i + 1] != 'e' && s->data[i + 1] != 'E')
                return bad_number(s, start, error,
                                  "no leading zeros, octal or hexadecimal numbers (RFC 8259)");
        i = s->data[i] == '0' ? i + 1 : digits(s, i);
        if (i < s->len && s->data[i] == '.') {
                integer = false;
                j = digits(s, i + 1);
                if (j == i + 1)
                        return bad_number(s, start, error, "a digit must follow \".\"");
                i = j;
        }
        if (i < s->len && (s->data[i] == 'e' || s->data[i] == 'E')) {
                integer = false;
                i++;
                if (i < s->len && (s->data[i] == '+' || s->data[i] == '-'))
                        i++;
                j = digits(s, i);
                if (j == i)
                        return bad_number(s, start, error, "a digit must follow the exponent's \"e\"");
                i = j;
        }
        if (i < s->len && numberish(s->data[i]))
                return bad_number(s, start, error, "unexpected characters after the number");
        *pos = i;
        if (!integer)
                return true;

        /* An integer: within int64, as every reader takes it. */
        gsize ndigits = i - int_start;
        const char *limit = s->data[start] == '-' ? "9223372036854775808" : "9223372036854775807";
        if (ndigits > 19 || (ndigits == 19 && memcmp(s->data + int_start, limit, 19) > 0)) {
                g_autofree char *tok = mc_quote_len(s->data + start, i - start, 32);
                return scan_fail(s, start, error, MC_ERROR_VALUE,
                                 "integer %s is out of the 64-bit range", tok);
        }
        return true;
}

static bool scan_literal(Scan *s, gsize *pos, GError **error) {
        static const char *const words[] = { "true", "false", "null" };
        for (gsize k = 0; k < G_N_ELEMENTS(words); k++) {
                gsize n = strlen(words[k]);
                if (s->len - *pos >= n && memcmp(s->data + *pos, words[k], n) == 0 &&
                    (*pos + n == s->len || !numberish(s->data[*pos + n]))) {
                        *pos += n;
                        return true;
                }
        }
        /* A word: not JSON at all (NaN and Infinity included), unlike a
         * number-like token json-glib would read as something else. */
        gsize end = *pos;
        while (end < s->len && numberish(s->data[end]))
                end++;
        g_autofree char *tok = mc_quote_len(s->data + *pos, end - *pos, 32);
        return scan_fail(s, *pos, error, MC_ERROR_SYNTAX,
                         "unexpected \"%s\": expected a number, string, object, array, true, false or null", tok);
}

static void scan_level_clear(ScanLevel *l) {
        g_clear_pointer(&l->key, g_free);
        g_clear_pointer(&l->keys, g_hash_table_unref);
}

typedef enum {
        WANT_VALUE,          /* document start, after ':' or ',' in an array */
        WANT_VALUE_OR_CLOSE, /* after '[' */
        WANT_KEY,            /* after ',' in an object */
        WANT_KEY_OR_CLOSE,   /* after '{' */
        WANT_COLON,
        WANT_COMMA_OR_CLOSE,
        WANT_END,
} ScanState;

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *unexpected(char c, char buf[static 8]) {
        if (g_ascii_isprint(c))
                g_snprintf(buf, 8, "'%c'", c);
        else
                g_snprintf(buf, 8, "\\x%02x", (unsigned char) c);
        return buf;
}

/* The whole grammar of RFC 8259 in one pass, so json-glib (which is more
 * lenient) only ever sees standard JSON. */
static bool prescan(Scan *s, GError **error) {
        ScanState st = WANT_VALUE;
        gsize i = 0;
        char buf[8];

        if (s->len > s->max_size) {
                g_set_error(error, MC_ERROR, MC_ERROR_LIMIT,
                            "%s: document is %zu bytes, more than the limit of %zu bytes",
                            s->origin, s->len, s->max_size);
                return false;
        }
        {
                const char *end = NULL;
                if (!g_utf8_validate_len(s->data, s->len, &end)) {
                        if (*end == '\0')
                                return scan_fail(s, (gsize) (end - s->data), error, MC_ERROR_SYNTAX,
                                                 "a NUL byte (JSON text is UTF-8 without NULs)");
                        /* Text, but not Unicode: the same kind of error as a lone
                         * surrogate escape. */
                        return scan_fail(s, (gsize) (end - s->data), error, MC_ERROR_VALUE,
                                         "not valid UTF-8 (byte \\x%02x)", (unsigned char) *end);
                }
        }

        for (;;) {
                while (i < s->len && is_ws(s->data[i]))
                        i++;
                if (i >= s->len)
                        break;

                char c = s->data[i];
                ScanLevel *top = s->depth > 0 ? &s->levels[s->depth - 1] : NULL;

                switch (st) {
                case WANT_VALUE:
                case WANT_VALUE_OR_CLOSE:
                        if (c == ']' && st == WANT_VALUE_OR_CLOSE)
                                goto close;
                        if (c == '{' || c == '[') {
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
                                st = c == '{' ? WANT_KEY_OR_CLOSE : WANT_VALUE_OR_CLOSE;
                                continue;
                        }
                        if (c == '"') {
                                if (!scan_string(s, &i, NULL, error))
                                        return false;
                        } else if (c == '-' || g_ascii_isdigit(c) || c == '+' || c == '.' || c == '$') {
                                if (!scan_number(s, &i, error))
                                        return false;
                        } else if (g_ascii_isalpha(c)) {
                                if (!scan_literal(s, &i, error))
                                        return false;
                        } else {
                                return scan_fail(s, i, error, MC_ERROR_SYNTAX, "unexpected %s",
                                                 unexpected(c, buf));
                        }
                        st = s->depth > 0 ? WANT_COMMA_OR_CLOSE : WANT_END;
                        continue;
                case WANT_KEY:
                case WANT_KEY_OR_CLOSE:
                        if (c == '}' && st == WANT_KEY_OR_CLOSE)
                                goto close;
                        if (c != '"')
                                return scan_fail(s, i, error, MC_ERROR_SYNTAX,
                                                 "unexpected %s, expected a member name",
                                                 unexpected(c, buf));
                        {
                                g_autoptr(GString) key = g_string_new(NULL);
                                if (!scan_string(s, &i, key, error))
                                        return false;
                                if (!top->keys)
                                        top->keys = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                                          g_free, NULL);
                                g_free(top->key);
                                top->key = g_strdup(key->str);
                                if (!g_hash_table_add(top->keys, g_strdup(key->str))) {
                                        g_autofree char *q = mc_quote(key->str, 64);
                                        top->expect_key = true; /* path names the object */
                                        return scan_fail(s, i, error, MC_ERROR_DUPLICATE,
                                                         "member \"%s\" appears twice", q);
                                }
                                top->expect_key = false;
                        }
                        st = WANT_COLON;
                        continue;
                case WANT_COLON:
                        if (c != ':')
                                return scan_fail(s, i, error, MC_ERROR_SYNTAX,
                                                 "unexpected %s, expected ':'", unexpected(c, buf));
                        i++;
                        st = WANT_VALUE;
                        continue;
                case WANT_COMMA_OR_CLOSE:
                        if (c == ',') {
                                i++;
                                if (top->is_object) {
                                        top->expect_key = true;
                                        st = WANT_KEY;
                                } else {
                                        top->index++;
                                        st = WANT_VALUE;
                                }
                                continue;
                        }
                        if (c == '}' || c == ']')
                                goto close;
                        return scan_fail(s, i, error, MC_ERROR_SYNTAX, "unexpected %s, expected ',' or '%c'",
                                         unexpected(c, buf), top->is_object ? '}' : ']');
                case WANT_END:
                        return scan_fail(s, i, error, MC_ERROR_SYNTAX,
                                         "unexpected %s after the document", unexpected(c, buf));
                }
        close:
                if (!top || top->is_object != (c == '}'))
                        return scan_fail(s, i, error, MC_ERROR_SYNTAX, "unexpected '%c'", c);
                scan_level_clear(top);
                s->depth--;
                i++;
                st = s->depth > 0 ? WANT_COMMA_OR_CLOSE : WANT_END;
        }
        if (st == WANT_END)
                return true;
        if (i == 0 || (s->depth == 0 && st == WANT_VALUE))
                return scan_fail(s, i, error, MC_ERROR_SYNTAX, "empty document");
        return scan_fail(s, i, error, MC_ERROR_SYNTAX, "unexpected end of the document");
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
                g_autofree char *q = mc_quote(name, 64);
                mc_json_fail(c, error, MC_ERROR_UNKNOWN_MEMBER,
                             "unknown member \"%s\" (expected \"%s\", or a vendor \"x-\" member)",
                             q, expected);
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
                g_autofree char *q = mc_quote(s, 64);
                mc_json_fail(c, error, MC_ERROR_VALUE, "\"%s\" is not valid: %s", q, why);
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
                if (!cap) {
                        g_autofree char *q = mc_quote(s, 32);
                        return mc_json_fail(c, error, MC_ERROR_VALUE,
                                            "unknown capability \"%s\" (expected stop-copy, pre-copy, p2p or dirty-tracking)",
                                            q);
                }
                if (caps & cap)
                        return mc_json_fail(c, error, MC_ERROR_DUPLICATE,
                                            "capability \"%s\" is listed twice", s);
                caps |= cap;
                mc_json_pop(c, mark);
        }
        *ret = caps;
        return true;
}

bool mc_json_int_from_string(const char *s, int64_t *ret) {
        Scan scan = { .origin = "", .data = s, .len = strlen(s) };
        gsize i = 0;

        if (scan.len == 0 || !(s[0] == '-' || g_ascii_isdigit(s[0])) || !scan_number(&scan, &i, NULL) ||
            i != scan.len || strpbrk(s, ".eE"))
                return false;
        /* What json-glib makes of the same token: a wrap-free int64. */
        *ret = g_ascii_strtoll(s, NULL, 10);
        return true;
}
