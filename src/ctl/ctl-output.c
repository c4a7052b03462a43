/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Human output: readable at 80 columns, reasons as whole sentences; and the
 * small JSON helpers every verb uses. */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "mc-quote.h"
#include "mc-serialize.h"

#define CTL_WIDTH 80

G_DEFINE_QUARK(migcompatctl-error-quark, ctl_error)

/* Messages quote arguments, files and the daemon's words: whatever bytes
 * those hold, what reaches the terminal is valid UTF-8 without control
 * characters (mc_text_sanitize). */
static void print_message(const char *prefix, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0);
static void print_message(const char *prefix, const char *fmt, va_list ap) {
        g_autofree char *msg = g_strdup_vprintf(fmt, ap);
        g_autofree char *safe = mc_text_sanitize(msg);
        fprintf(stderr, "%s%s\n", prefix, safe);
}

int ctl_error(int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        print_message("migcompatctl: ", fmt, ap);
        va_end(ap);
        return code;
}

int ctl_fail(const GError *error) {
        int code = error->domain == CTL_ERROR ? error->code : CTL_EXIT_USAGE;
        return ctl_error(code, "%s", error->message);
}

void ctl_notice(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        print_message("migcompatctl: note: ", fmt, ap);
        va_end(ap);
}

void ctl_print_json(JsonNode *node) {
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autofree char *text = NULL;

        json_generator_set_root(gen, node);
        json_generator_set_pretty(gen, true);
        json_generator_set_indent(gen, 2);
        text = json_generator_to_data(gen, NULL);
        puts(text);
}

/* ---- JSON members ------------------------------------------------------------ */

const char *ctl_json_str(JsonObject *o, const char *member) {
        JsonNode *n = o ? json_object_get_member(o, member) : NULL;
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(n);
}

/* ctl_json_str(), "?" when absent: for text that is printed. */
static const char *json_text(JsonObject *o, const char *member) {
        const char *s = ctl_json_str(o, member);
        return s ? s : "?";
}

JsonArray *ctl_json_arr(JsonObject *o, const char *member) {
        JsonNode *n = o ? json_object_get_member(o, member) : NULL;
        return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

JsonObject *ctl_json_obj(JsonObject *o, const char *member) {
        JsonNode *n = o ? json_object_get_member(o, member) : NULL;
        return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

JsonObject *ctl_json_obj_at(JsonArray *a, guint i) {
        JsonNode *n = a && i < json_array_get_length(a) ? json_array_get_element(a, i) : NULL;
        return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

gint64 ctl_json_int(JsonObject *o, const char *member, gint64 dflt) {
        JsonNode *n = o ? json_object_get_member(o, member) : NULL;
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                return dflt;
        return json_node_get_int(n);
}

bool ctl_json_bool(JsonObject *o, const char *member, bool dflt) {
        JsonNode *n = o ? json_object_get_member(o, member) : NULL;
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
                return dflt;
        return json_node_get_boolean(n);
}

/* ---- wrapping ------------------------------------------------------------------ */

void ctl_print_wrapped(const char *first_prefix, int indent, const char *text) {
        /* Reasons and notes quote what the daemon and the files say. */
        g_autofree char *safe = mc_text_sanitize(text);
        const char *p = safe;
        int col = (int) strlen(first_prefix);
        bool line_start = true;

        fputs(first_prefix, stdout);
        while (*p == ' ')
                p++;
        while (*p) {
                const char *sp = strchr(p, ' ');
                int wlen = sp ? (int) (sp - p) : (int) strlen(p);

                /* A word that does not fit starts a new line, unless it is
                 * the line's first: then it overflows rather than vanish. */
                if (!line_start && col + 1 + wlen > CTL_WIDTH) {
                        printf("\n%*s", indent, "");
                        col = indent;
                        line_start = true;
                }
                if (!line_start) {
                        fputc(' ', stdout);
                        col++;
                }
                fwrite(p, 1, (size_t) wlen, stdout);
                col += wlen;
                line_start = false;
                p += wlen;
                while (*p == ' ')
                        p++;
        }
        fputc('\n', stdout);
}

int ctl_exit_for_verdict(McVerdict v) {
        return v == MC_VERDICT_COMPATIBLE ? CTL_EXIT_OK : CTL_EXIT_NOT_COMPATIBLE;
}

/* ---- check results ---------------------------------------------------------------- */

/* The same renderer serves the daemon's answers and the engine's own, so
 * online and offline output cannot drift. */

static void print_recipe(JsonObject *r) {
        const char *kind = ctl_json_str(r, "kind");
        if (g_strcmp0(kind, "vfio-pci") == 0) {
                g_autofree char *line = g_strdup_printf("PCI function %s (driver %s)",
                                                        json_text(r, "address"),
                                                        json_text(r, "driver"));
                ctl_print_wrapped("      assign  ", 14, line);
        } else if (g_strcmp0(kind, "mdev") == 0) {
                JsonArray *writes = ctl_json_arr(r, "writes");
                g_autofree char *create = g_strdup_printf("echo UUID > %s", ctl_json_str(r, "create"));
                ctl_print_wrapped("      create  ", 14, create);
                for (guint i = 0; writes && i < json_array_get_length(writes); i++) {
                        JsonObject *w = ctl_json_obj_at(writes, i);
                        g_autofree char *line = g_strdup_printf("%s = %s", ctl_json_str(w, "attribute"),
                                                                ctl_json_str(w, "value"));
                        ctl_print_wrapped("      write   ", 14, line);
                }
        } else {
                JsonArray *argv = ctl_json_arr(r, "argv");
                g_autoptr(GString) line = g_string_new(NULL);
                for (guint i = 0; argv && i < json_array_get_length(argv); i++)
                        g_string_append_printf(line, "%s%s", i ? " " : "", json_array_get_string_element(argv, i));
                ctl_print_wrapped("      run     ", 14, line->str);
        }
}

static void print_reasons(JsonArray *reasons, int indent) {
        for (guint i = 0; reasons && i < json_array_get_length(reasons); i++) {
                JsonObject *r = ctl_json_obj_at(reasons, i);
                g_autofree char *prefix = g_strdup_printf("%*s%s: ", indent, "", json_text(r, "code"));
                ctl_print_wrapped(prefix, indent + 4, json_text(r, "message"));
        }
}

static void print_device(JsonObject *d) {
        JsonArray *cands = ctl_json_arr(d, "candidates");
        const char *chosen = ctl_json_str(d, "implementation");
        const char *model = ctl_json_str(d, "model");
        const char *version = ctl_json_str(d, "version");
        gint64 omitted;

        if (model)
                printf("%s: %s (%s%s%s)\n", json_text(d, "id"), json_text(d, "verdict"), model,
                       version ? ", version " : "", version ? version : "");
        else
                printf("%s: %s (no device model)\n", json_text(d, "id"), json_text(d, "verdict"));
        print_reasons(ctl_json_arr(d, "reasons"), 2);
        for (guint k = 0; cands && k < json_array_get_length(cands); k++) {
                JsonObject *c = ctl_json_obj_at(cands, k);
                const char *cv = ctl_json_str(c, "verdict");
                bool is_chosen = k == 0 && chosen && g_strcmp0(chosen, ctl_json_str(c, "implementation")) == 0;
                const char *what = is_chosen ? "use" : g_strcmp0(cv, "incompatible") == 0 ? "rejected" : "also";
                JsonObject *recipe = ctl_json_obj(c, "recipe");

                printf("  %-9s%s%s\n", what, json_text(c, "implementation"),
                       g_strcmp0(cv, "unknown") == 0 ? " (unknown)" : "");
                if (is_chosen && recipe)
                        print_recipe(recipe);
                print_reasons(ctl_json_arr(c, "reasons"), 6);
                /* What a usable candidate leaves open (availability-unknown). */
                print_reasons(ctl_json_arr(c, "notes"), 6);
        }
        omitted = json_object_get_int_member_with_default(d, "omitted-candidates", 0);
        if (omitted > 0)
                printf("  also     %" G_GINT64_FORMAT " more usable implementation%s (--all-candidates lists %s)\n",
                       omitted, omitted == 1 ? "" : "s", omitted == 1 ? "it" : "them");
}

int ctl_print_check_result_node(JsonNode *root_node, const CtlOptions *opts) {
        JsonObject *root = JSON_NODE_HOLDS_OBJECT(root_node) ? json_node_get_object(root_node) : NULL;
        const char *verdict = ctl_json_str(root, "verdict");
        JsonArray *devices;

        if (!verdict)
                return ctl_error(CTL_EXIT_DAEMON, "the check result has no verdict");

        if (opts->json) {
                ctl_print_json(root_node);
        } else if (!opts->quiet) {
                devices = ctl_json_arr(root, "devices");
                for (guint i = 0; devices && i < json_array_get_length(devices); i++)
                        print_device(ctl_json_obj_at(devices, i));
                printf("verdict: %s (host generation %" G_GINT64_FORMAT ")\n", verdict,
                       ctl_json_int(root, "generation", 0));
        }
        return strcmp(verdict, "compatible") == 0 ? CTL_EXIT_OK : CTL_EXIT_NOT_COMPATIBLE;
}

int ctl_print_check_result_json(const char *json, const CtlOptions *opts) {
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(GError) error = NULL;

        if (!json_parser_load_from_data(parser, json, -1, &error) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
                return ctl_error(CTL_EXIT_DAEMON, "the daemon's answer is not a check result: %s",
                                 error ? error->message : "not an object");
        return ctl_print_check_result_node(json_parser_get_root(parser), opts);
}

int ctl_print_check_result(const McCheckResult *r, const CtlOptions *opts) {
        g_autofree char *json = mc_check_result_to_json(r, false);
        return ctl_print_check_result_json(json, opts);
}

char *ctl_json_display(JsonNode *node) {
        if (!node || JSON_NODE_HOLDS_NULL(node))
                return g_strdup("-");
        if (JSON_NODE_HOLDS_VALUE(node)) {
                switch (json_node_get_value_type(node)) {
                case G_TYPE_STRING:
                        return g_strdup(json_node_get_string(node));
                case G_TYPE_BOOLEAN:
                        return g_strdup(json_node_get_boolean(node) ? "yes" : "no");
                case G_TYPE_INT64:
                        return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(node));
                default:
                        break;
                }
        }
        if (JSON_NODE_HOLDS_ARRAY(node)) {
                JsonArray *a = json_node_get_array(node);
                g_autoptr(GString) s = g_string_new(NULL);
                /* Only a flat list reads well joined; nested ones stay JSON. */
                for (guint i = 0; i < json_array_get_length(a); i++)
                        if (!JSON_NODE_HOLDS_VALUE(json_array_get_element(a, i)))
                                return json_to_string(node, false);
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        g_autofree char *e = ctl_json_display(json_array_get_element(a, i));
                        g_string_append_printf(s, "%s%s", i ? ", " : "", e);
                }
                return g_string_free(g_steal_pointer(&s), false);
        }
        return json_to_string(node, false);
}
