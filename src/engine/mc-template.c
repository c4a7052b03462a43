/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Derived-version templates: syntax check, placeholder list, expansion
 * and the words used to say what differs. */

#include "mc-template.h"

#include <string.h>

#include "mc-error.h"
#include "mc-quote.h"

typedef struct {
        const char *name;
        const char *label;
} Placeholder;

/* Version 1 of the set (migcompat-formats(5)). */
static const Placeholder placeholders[] = {
        { "driver", "driver" },
        { "driver-version", "driver version" },
        { "driver-srcversion", "driver srcversion" },
        { "pf-driver", "PF driver" },
        { "pf-driver-version", "PF driver version" },
        { "pf-driver-srcversion", "PF driver srcversion" },
        { "pf-firmware", "PF firmware" },
        { "pf-board-id", "PF board id" },
        { "kernel-release", "kernel release" },
        { "vendor", "vendor ID" },
        { "device", "device ID" },
        { "subsystem-vendor", "subsystem vendor ID" },
        { "subsystem-device", "subsystem device ID" },
        { "class", "class" },
        { "revision", "revision" },
        { "type", "mdev type" },
};

static const Placeholder *find_placeholder(const char *name, size_t len) {
        for (size_t i = 0; i < G_N_ELEMENTS(placeholders); i++)
                if (strlen(placeholders[i].name) == len &&
                    memcmp(placeholders[i].name, name, len) == 0)
                        return &placeholders[i];
        return NULL;
}

/* The relative path of {attr:REL} / {pf-attr:REL}: below the device,
 * never above it, no globs. NULL when fine. */
static const char *check_rel(const char *rel, size_t len) {
        g_autofree char *s = g_strndup(rel, len);
        g_auto(GStrv) parts = NULL;

        if (len == 0)
                return "an attribute path is empty";
        if (len > 255)
                return "an attribute path is at most 255 characters";
        if (s[0] == '/')
                return "an attribute path is relative to the device";
        if (strpbrk(s, "*?[]\\"))
                return "an attribute path holds no glob characters";
        parts = g_strsplit(s, "/", -1);
        for (guint i = 0; parts[i]; i++) {
                if (!*parts[i])
                        return "an attribute path has no empty components";
                if (strcmp(parts[i], "..") == 0 || strcmp(parts[i], ".") == 0)
                        return "an attribute path holds no \".\" or \"..\" components";
        }
        return NULL;
}

/* Check one placeholder name (between the braces). */
static bool check_name(const char *name, size_t len, const char *tmpl, GError **error) {
        const char *why = NULL;

        if (find_placeholder(name, len))
                return true;
        if (len > 5 && memcmp(name, "attr:", 5) == 0)
                why = check_rel(name + 5, len - 5);
        else if (len > 8 && memcmp(name, "pf-attr:", 8) == 0)
                why = check_rel(name + 8, len - 8);
        else {
                g_set_error(error, MC_ERROR, MC_ERROR_TEMPLATE,
                            "template \"%s\": unknown placeholder {%.*s}", tmpl, (int) MIN(len, 64),
                            name);
                return false;
        }
        if (why) {
                g_set_error(error, MC_ERROR, MC_ERROR_TEMPLATE, "template \"%s\": {%.*s}: %s",
                            tmpl, (int) MIN(len, 64), name, why);
                return false;
        }
        return true;
}

/* Walk a template: literal runs and placeholders, in order. Returns false
 * (with error) on a syntax error. on_literal/on_name may be NULL. */
typedef void (*LiteralFn)(const char *s, size_t len, void *ud);
typedef bool (*NameFn)(const char *name, size_t len, void *ud, GError **error);

static bool walk(const char *tmpl, LiteralFn on_literal, NameFn on_name, void *ud,
                 GError **error) {
        const char *p = tmpl;
        guint n = 0;

        while (*p) {
                if (p[0] == '{' && p[1] == '{') {
                        if (on_literal)
                                on_literal("{", 1, ud);
                        p += 2;
                } else if (p[0] == '}' && p[1] == '}') {
                        if (on_literal)
                                on_literal("}", 1, ud);
                        p += 2;
                } else if (p[0] == '}') {
                        g_set_error(error, MC_ERROR, MC_ERROR_TEMPLATE,
                                    "template \"%s\": unbalanced \"}\" at offset %d (write \"}}\" for a brace)",
                                    tmpl, (int) (p - tmpl));
                        return false;
                } else if (p[0] == '{') {
                        const char *end = p + 1;
                        while (*end && *end != '}' && *end != '{')
                                end++;
                        if (*end != '}') {
                                g_set_error(error, MC_ERROR, MC_ERROR_TEMPLATE,
                                            "template \"%s\": the \"{\" at offset %d is not closed",
                                            tmpl, (int) (p - tmpl));
                                return false;
                        }
                        if (++n > MC_MAX_TEMPLATE_PLACEHOLDERS) {
                                g_set_error(error, MC_ERROR, MC_ERROR_TEMPLATE,
                                            "template \"%s\": more than %d placeholders", tmpl,
                                            MC_MAX_TEMPLATE_PLACEHOLDERS);
                                return false;
                        }
                        if (!check_name(p + 1, (size_t) (end - p - 1), tmpl, error))
                                return false;
                        if (on_name && !on_name(p + 1, (size_t) (end - p - 1), ud, error))
                                return false;
                        p = end + 1;
                } else {
                        const char *end = p;
                        while (*end && *end != '{' && *end != '}')
                                end++;
                        if (on_literal)
                                on_literal(p, (size_t) (end - p), ud);
                        p = end;
                }
        }
        return true;
}

bool mc_template_name_valid(const char *name) {
        return check_name(name, strlen(name), name, NULL);
}

bool mc_template_check(const char *tmpl, GError **error) {
        size_t len = strlen(tmpl);

        if (len == 0) {
                g_set_error(error, MC_ERROR, MC_ERROR_TEMPLATE, "a template is not empty");
                return false;
        }
        if (len > MC_MAX_TEMPLATE_LEN) {
                g_set_error(error, MC_ERROR, MC_ERROR_TEMPLATE,
                            "a template is at most %d characters", MC_MAX_TEMPLATE_LEN);
                return false;
        }
        for (const char *p = tmpl; *p; p++)
                if (*p < 0x20 || *p > 0x7e) {
                        g_autofree char *q = mc_quote(tmpl, 64);
                        g_set_error(error, MC_ERROR, MC_ERROR_TEMPLATE,
                                    "template \"%s\": printable ASCII only (offset %d)", q,
                                    (int) (p - tmpl));
                        return false;
                }
        return walk(tmpl, NULL, NULL, NULL, error);
}

static bool collect_name(const char *name, size_t len, void *ud, GError **error) {
        GPtrArray *names = ud;
        g_autofree char *s = g_strndup(name, len);

        for (guint i = 0; i < names->len; i++)
                if (strcmp(names->pdata[i], s) == 0)
                        return true;
        g_ptr_array_add(names, g_steal_pointer(&s));
        return true;
}

GPtrArray *mc_template_names(const char *tmpl) {
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        (void) walk(tmpl, NULL, collect_name, names, NULL);
        return names;
}

typedef struct {
        GString *out;
        const GPtrArray *values;
} Expand;

static void expand_literal(const char *s, size_t len, void *ud) {
        Expand *e = ud;
        g_string_append_len(e->out, s, (gssize) len);
}

static bool expand_name(const char *name, size_t len, void *ud, GError **error) {
        Expand *e = ud;
        g_autofree char *s = g_strndup(name, len);
        const char *v = mc_pairs_get(e->values, s);

        if (!v) {
                g_autofree char *label = mc_template_label(s);
                g_set_error(error, MC_ERROR, MC_ERROR_NOT_FOUND, "{%s} (%s) is not known here", s,
                            label);
                return false;
        }
        g_string_append(e->out, v);
        return true;
}

char *mc_template_expand(const char *tmpl, const GPtrArray *values, GError **error) {
        g_autoptr(GString) out = g_string_new(NULL);
        Expand e = { .out = out, .values = values };
        const char *why;

        if (!walk(tmpl, expand_literal, expand_name, &e, error))
                return NULL;
        why = mc_check_version_string(out->str);
        if (why) {
                g_autofree char *shown = mc_quote(out->str, 64);
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                            "template \"%s\" gives \"%s\", which is no version string: %s", tmpl,
                            shown, why);
                return NULL;
        }
        return g_string_free(g_steal_pointer(&out), false);
}

char *mc_template_label(const char *name) {
        const Placeholder *p = find_placeholder(name, strlen(name));

        if (p)
                return g_strdup(p->label);
        if (g_str_has_prefix(name, "pf-attr:"))
                return g_strdup_printf("PF attribute %s", name + 8);
        if (g_str_has_prefix(name, "attr:"))
                return g_strdup_printf("attribute %s", name + 5);
        return g_strdup(name);
}

char *mc_derived_diff(const GPtrArray *here, const GPtrArray *source) {
        g_autoptr(GString) s = NULL;

        if (!here || !source)
                return NULL;
        for (guint i = 0; i < here->len; i++) {
                const McPair *h = here->pdata[i];
                const char *v = mc_pairs_get(source, h->name);
                g_autofree char *label = NULL;

                if (!v || strcmp(v, h->value) == 0)
                        continue;
                label = mc_template_label(h->name);
                if (!s)
                        s = g_string_new(NULL);
                else
                        g_string_append(s, "; ");
                g_string_append_printf(s, "%s %s here, the source runs %s", label, h->value, v);
        }
        return s ? g_string_free(g_steal_pointer(&s), false) : NULL;
}
