/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Human output: readable at 80 columns, reasons as whole sentences. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "mc-serialize.h"

#define CTL_WIDTH 80

int ctl_error(int code, const char *fmt, ...) {
        va_list ap;
        fputs("migcompatctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return code;
}

void ctl_print_wrapped(const char *first_prefix, int indent, const char *text) {
        int col;
        const char *p = text;

        fputs(first_prefix, stdout);
        col = (int) strlen(first_prefix);
        while (*p) {
                const char *sp = strchr(p, ' ');
                int wlen = sp ? (int) (sp - p) : (int) strlen(p);

                if (col > indent && col + 1 + wlen > CTL_WIDTH) {
                        printf("\n%*s", indent, "");
                        col = indent;
                } else if (col > indent && p != text) {
                        fputc(' ', stdout);
                        col++;
                }
                fwrite(p, 1, (size_t) wlen, stdout);
                col += wlen;
                p += wlen;
                while (*p == ' ')
                        p++;
        }
        fputc('\n', stdout);
}

int ctl_exit_for_verdict(McVerdict v) {
        return v == MC_VERDICT_COMPATIBLE ? CTL_EXIT_OK : CTL_EXIT_NOT_COMPATIBLE;
}

/* Members of the check result JSON (the daemon's or the engine's own; the
 * same renderer serves both so offline and online output cannot drift). */
static const char *jstr(JsonObject *o, const char *member) {
        JsonNode *n = o ? json_object_get_member(o, member) : NULL;
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(n);
}

static JsonArray *jarr(JsonObject *o, const char *member) {
        JsonNode *n = o ? json_object_get_member(o, member) : NULL;
        return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static JsonObject *jobj_at(JsonArray *a, guint i) {
        JsonNode *n = json_array_get_element(a, i);
        return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static void print_recipe(JsonObject *r) {
        const char *kind = jstr(r, "kind");
        if (g_strcmp0(kind, "mdev") == 0) {
                JsonArray *writes = jarr(r, "writes");
                g_autofree char *create = g_strdup_printf("create  echo UUID > %s", jstr(r, "create"));
                ctl_print_wrapped("      ", 14, create);
                for (guint i = 0; writes && i < json_array_get_length(writes); i++) {
                        JsonObject *w = jobj_at(writes, i);
                        g_autofree char *line = g_strdup_printf("write   %s = %s", jstr(w, "attribute"),
                                                                jstr(w, "value"));
                        ctl_print_wrapped("      ", 14, line);
                }
        } else {
                JsonArray *argv = jarr(r, "argv");
                g_autoptr(GString) line = g_string_new("run    ");
                for (guint i = 0; argv && i < json_array_get_length(argv); i++)
                        g_string_append_printf(line, " %s", json_array_get_string_element(argv, i));
                ctl_print_wrapped("      ", 14, line->str);
        }
}

static void print_reasons(JsonArray *reasons, int indent) {
        for (guint i = 0; reasons && i < json_array_get_length(reasons); i++) {
                JsonObject *r = jobj_at(reasons, i);
                g_autofree char *prefix = g_strdup_printf("%*s%s: ", indent, "", jstr(r, "code"));
                ctl_print_wrapped(prefix, indent + 4, jstr(r, "message"));
        }
}

int ctl_print_check_result_json(const char *json, const CtlOptions *opts) {
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(GError) error = NULL;
        JsonObject *root;
        JsonArray *devices;
        const char *verdict;

        if (!json_parser_load_from_data(parser, json, -1, &error) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
                return ctl_error(CTL_EXIT_DAEMON, "the daemon's answer is not a check result: %s",
                                 error ? error->message : "not an object");
        root = json_node_get_object(json_parser_get_root(parser));
        verdict = jstr(root, "verdict");
        if (!verdict)
                return ctl_error(CTL_EXIT_DAEMON, "the daemon's answer has no verdict");

        if (opts->json) {
                g_autoptr(JsonGenerator) gen = json_generator_new();
                g_autofree char *pretty = NULL;
                json_generator_set_root(gen, json_parser_get_root(parser));
                json_generator_set_pretty(gen, true);
                pretty = json_generator_to_data(gen, NULL);
                puts(pretty);
        } else if (!opts->quiet) {
                devices = jarr(root, "devices");
                for (guint i = 0; devices && i < json_array_get_length(devices); i++) {
                        JsonObject *d = jobj_at(devices, i);
                        JsonArray *cands = jarr(d, "candidates");
                        const char *chosen = jstr(d, "implementation");
                        const char *version = jstr(d, "version");

                        printf("%s: %s (%s%s%s)\n", jstr(d, "id"), jstr(d, "verdict"), jstr(d, "model"),
                               version ? ", version " : "", version ? version : "");
                        print_reasons(jarr(d, "reasons"), 2);
                        for (guint k = 0; cands && k < json_array_get_length(cands); k++) {
                                JsonObject *c = jobj_at(cands, k);
                                const char *cv = jstr(c, "verdict");
                                bool is_chosen = k == 0 && chosen && g_strcmp0(chosen, jstr(c, "implementation")) == 0;
                                const char *what = is_chosen ? "use"
                                                   : g_strcmp0(cv, "incompatible") == 0 ? "rejected"
                                                                                        : "also";
                                JsonNode *recipe = json_object_get_member(c, "recipe");

                                printf("  %-9s%s%s\n", what, jstr(c, "implementation"),
                                       g_strcmp0(cv, "unknown") == 0 ? " (unknown)" : "");
                                if (is_chosen && recipe && JSON_NODE_HOLDS_OBJECT(recipe))
                                        print_recipe(json_node_get_object(recipe));
                                print_reasons(jarr(c, "reasons"), 6);
                        }
                }
                printf("verdict: %s (host generation %" G_GINT64_FORMAT ")\n", verdict,
                       json_object_get_int_member_with_default(root, "generation", 0));
        }
        return strcmp(verdict, "compatible") == 0 ? CTL_EXIT_OK : CTL_EXIT_NOT_COMPATIBLE;
}

int ctl_print_check_result(const McCheckResult *r, const CtlOptions *opts) {
        g_autofree char *json = mc_check_result_to_json(r, false);
        return ctl_print_check_result_json(json, opts);
}
