/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The man pages cannot silently drift from the programs: each lints clean
 * with mandoc, every option and verb that --help lists has its entry (and
 * no entry is left for one that is gone), numeric options accept exactly
 * the range their entry states, the daemon's page names the
 * default paths its binary really uses, and org.migcompat.MigCompat1(5)
 * shows every interface exactly as dbus/org.migcompat.MigCompat1.xml
 * defines it, with an entry for each method, signal, property and error. */

#include <check.h>
#include <gio/gio.h>
#include <stdbool.h>
#include <string.h>

#include "mc-test-main.h"

static const char *const pages[] = {
        "migcompatd.8",
        "migcompatctl.1",
        "migcompat-formats.5",
        "org.migcompat.MigCompat1.5",
};

static const char *env_dir(const char *name) {
        const char *dir = g_getenv(name);
        ck_assert_msg(dir && *dir, "%s is not set (run this test through ctest)", name);
        return dir;
}

static char *read_file(const char *path) {
        g_autoptr(GError) error = NULL;
        char *data = NULL;

        ck_assert_msg(g_file_get_contents(path, &data, NULL, &error), "cannot read %s: %s", path,
                      error->message);
        return data;
}

static char *read_page(const char *name) {
        g_autofree char *path = g_build_filename(env_dir("MC_BUILD_DIR"), "man", name, NULL);
        return read_file(path);
}

typedef struct {
        char *out;
        char *err;
        int status;
        bool exited_ok;
} Run;

static void run_clear(Run *r) {
        g_free(r->out);
        g_free(r->err);
}

static void run(const char *const *argv, Run *r) {
        g_autoptr(GError) error = NULL;
        bool spawned;

        *r = (Run) { 0 };
        spawned = g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &r->out,
                               &r->err, &r->status, &error);
        ck_assert_msg(spawned, "cannot run %s: %s", argv[0], error ? error->message : "?");
        r->exited_ok = g_spawn_check_wait_status(r->status, NULL);
}

static char *program_help(const char *program) {
        g_autofree char *path = g_build_filename(env_dir("MC_BUILD_DIR"), "src", program, NULL);
        const char *argv[] = { path, "--help", NULL };
        Run r;
        char *out;

        run(argv, &r);
        ck_assert_msg(r.exited_ok, "%s --help failed: %s", program, r.err);
        out = g_steal_pointer(&r.out);
        run_clear(&r);
        return out;
}

/* The source lines of one section: from the line "<macro> <title>" to the
 * next .Sh (and, for a .Ss, the next .Ss). Empty when there is none. */
static GPtrArray *section_lines(const char *page, const char *macro, const char *title) {
        g_auto(GStrv) lines = g_strsplit(page, "\n", -1);
        g_autofree char *head = g_strdup_printf("%s %s", macro, title);
        GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
        bool in = false;

        for (char **l = lines; *l; l++) {
                if (in && (g_str_has_prefix(*l, ".Sh ") ||
                           (strcmp(macro, ".Ss") == 0 && g_str_has_prefix(*l, ".Ss "))))
                        break;
                if (in)
                        g_ptr_array_add(out, g_strdup(*l));
                else if (strcmp(*l, head) == 0)
                        in = true;
        }
        return out;
}

/* Does line hold the mdoc token sequence words (space-separated, whole
 * tokens)? */
static bool line_has(const char *line, const char *words) {
        size_t n = strlen(words);
        for (const char *p = strstr(line, words); p; p = strstr(p + 1, words)) {
                bool start = p == line || p[-1] == ' ';
                bool end = p[n] == '\0' || p[n] == ' ';
                if (start && end)
                        return true;
        }
        return false;
}

/* The ".It" lines of the section's outermost list (not of lists nested in
 * an entry, like the formats of "export"); borrowed from lines. */
static GPtrArray *top_items(GPtrArray *lines) {
        GPtrArray *out = g_ptr_array_new();
        int depth = 0;

        for (guint i = 0; i < lines->len; i++) {
                const char *l = lines->pdata[i];
                if (g_str_has_prefix(l, ".Bl "))
                        depth++;
                else if (g_str_has_prefix(l, ".El"))
                        depth--;
                else if (depth == 1 && g_str_has_prefix(l, ".It "))
                        g_ptr_array_add(out, (gpointer) l);
        }
        return out;
}

/* ---- mandoc ------------------------------------------------------------------ */

START_TEST(page_lints_clean) {
        g_autofree char *path = g_build_filename(env_dir("MC_BUILD_DIR"), "man", pages[_i], NULL);
        const char *argv[] = { "mandoc", "-T", "lint", "-W", "warning", path, NULL };
        Run r;

        ck_assert_msg(g_file_test(path, G_FILE_TEST_IS_REGULAR), "%s was not generated", path);
        run(argv, &r);
        ck_assert_msg(r.exited_ok && !*r.out && !*r.err, "mandoc -T lint -W warning %s:\n%s%s",
                      pages[_i], r.out, r.err);
        run_clear(&r);
}
END_TEST

/* ---- options and verbs ----------------------------------------------------- */

typedef struct {
        char shortopt; /* 0: none */
        char *longopt;
        char *arg;     /* NULL: takes none */
} HelpOption;

static void help_option_free(HelpOption *o) {
        g_free(o->longopt);
        g_free(o->arg);
        g_free(o);
}

/* Option lines of --help, in the layout both programs use: "  -h --help"
 * or "     --data-dir=DIR", then the text. (Lines indented otherwise, such
 * as an example command line, are not options.) */
static GPtrArray *help_options(const char *help) {
        g_autoptr(GRegex) re = g_regex_new("^  (?:-([A-Za-z0-9]),? |   )--([a-z0-9][a-z0-9-]*)"
                                           "(?:=(\\S+)|\\[=(\\S+)\\])?(?=\\s|$)",
                                           G_REGEX_MULTILINE, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify) help_option_free);

        g_regex_match(re, help, 0, &m);
        while (g_match_info_matches(m)) {
                HelpOption *o = g_new0(HelpOption, 1);
                g_autofree char *s = g_match_info_fetch(m, 1);
                g_autofree char *a = g_match_info_fetch(m, 3);
                g_autofree char *optional = g_match_info_fetch(m, 4); /* "--opt[=ARG]" */

                o->shortopt = s && *s ? s[0] : 0;
                o->longopt = g_match_info_fetch(m, 2);
                o->arg = a && *a ? g_steal_pointer(&a) : optional && *optional ? g_steal_pointer(&optional) : NULL;
                g_ptr_array_add(out, o);
                g_match_info_next(m, NULL);
        }
        return out;
}

/* Every option of help has an ".It" entry in the page's OPTIONS section
 * with its short form and argument name, and every entry there is an
 * option of help. */
static void check_options(const char *program, const char *page_name) {
        g_autofree char *help = program_help(program);
        g_autofree char *page = read_page(page_name);
        g_autoptr(GPtrArray) opts = help_options(help);
        g_autoptr(GPtrArray) lines = section_lines(page, ".Sh", "OPTIONS");
        g_autoptr(GPtrArray) items = top_items(lines);
        g_autoptr(GRegex) fl = g_regex_new("(?:^| )Fl (-?[A-Za-z0-9][a-z0-9-]*)(?= |$)", 0, 0, NULL);

        ck_assert_msg(opts->len >= 2, "%s --help lists no options?\n%s", program, help);
        ck_assert_msg(items->len > 0, "%s has no OPTIONS section with a list", page_name);

        for (guint i = 0; i < opts->len; i++) {
                const HelpOption *o = opts->pdata[i];
                g_autofree char *want = g_strdup_printf("Fl -%s", o->longopt);
                bool found = false;

                for (guint k = 0; k < items->len && !found; k++) {
                        const char *l = items->pdata[k];
                        if (!line_has(l, want))
                                continue;
                        found = true;
                        if (o->shortopt) {
                                char s[8];
                                g_snprintf(s, sizeof s, "Fl %c", o->shortopt);
                                ck_assert_msg(line_has(l, s),
                                              "%s: the entry of --%s lacks -%c: %s", page_name,
                                              o->longopt, o->shortopt, l);
                        }
                        if (o->arg) {
                                /* "DIR" → "Ns = Ns Ar DIR"; "[UUID=]NAME": each word as Ar. */
                                g_autoptr(GRegex) words = g_regex_new("[A-Z][A-Z0-9_]*", 0, 0, NULL);
                                g_autoptr(GMatchInfo) wm = NULL;

                                /* An optional argument: "Ns Oo = Ns Ar FORM Oc". */
                                const char *after = strstr(l, want) + strlen(want);
                                ck_assert_msg(g_str_has_prefix(after, " Ns = Ns ") ||
                                                      g_str_has_prefix(after, " Ns Oo = Ns "),
                                              "%s: the entry of --%s should read \"%s Ns = Ns ...\": %s",
                                              page_name, o->longopt, want, l);
                                g_regex_match(words, o->arg, 0, &wm);
                                while (g_match_info_matches(wm)) {
                                        g_autofree char *w = g_match_info_fetch(wm, 0);
                                        g_autofree char *a = g_strdup_printf("Ar %s", w);
                                        ck_assert_msg(line_has(l, a),
                                                      "%s: the entry of --%s=%s lacks \"%s\": %s", page_name,
                                                      o->longopt, o->arg, a, l);
                                        g_match_info_next(wm, NULL);
                                }
                        }
                }
                ck_assert_msg(found, "%s: option --%s of %s --help has no \".It %s\" entry in OPTIONS",
                              page_name, o->longopt, program, want);
        }

        /* And nothing documented that does not exist. */
        for (guint k = 0; k < items->len; k++) {
                const char *l = items->pdata[k];
                g_autoptr(GMatchInfo) m = NULL;

                g_regex_match(fl, l, 0, &m);
                while (g_match_info_matches(m)) {
                        g_autofree char *f = g_match_info_fetch(m, 1);
                        bool known = false;
                        for (guint i = 0; i < opts->len && !known; i++) {
                                const HelpOption *o = opts->pdata[i];
                                known = f[0] == '-' ? strcmp(f + 1, o->longopt) == 0
                                                    : (f[1] == '\0' && f[0] == o->shortopt);
                        }
                        ck_assert_msg(known, "%s documents option -%s, which %s --help does not list",
                                      page_name, f, program);
                        g_match_info_next(m, NULL);
                }
        }
}

/* ---- numeric options ------------------------------------------------------------ */

/* The text of the OPTIONS entry of --longopt (its .It line to the next
 * top-level .It), joined by spaces. */
static char *option_entry(const char *page_name, const char *longopt) {
        g_autofree char *page = read_page(page_name);
        g_autoptr(GPtrArray) lines = section_lines(page, ".Sh", "OPTIONS");
        g_autofree char *want = g_strdup_printf("Fl -%s", longopt);
        g_autoptr(GString) text = g_string_new(NULL);
        bool in = false;

        for (guint i = 0; i < lines->len; i++) {
                const char *l = lines->pdata[i];
                if (g_str_has_prefix(l, ".It ")) {
                        if (in)
                                break;
                        in = line_has(l, want);
                        continue;
                }
                if (in)
                        g_string_append_printf(text, "%s ", l);
        }
        ck_assert_msg(text->len, "%s: no entry for --%s", page_name, longopt);
        return g_string_free(g_steal_pointer(&text), false);
}

/* "PROGRAM --OPT=VALUE --help": accepted values reach --help and exit 0. */
static void run_option(const char *program, const char *longopt, const char *value, Run *r) {
        g_autofree char *path = g_build_filename(env_dir("MC_BUILD_DIR"), "src", program, NULL);
        g_autofree char *arg = g_strdup_printf("--%s=%s", longopt, value);
        const char *argv[] = { path, arg, "--help", NULL };
        run(argv, r);
}

/* Every option that takes a number (N, SEC) accepts exactly the range its
 * man page states, and a refused value is answered with that same range:
 * both bounds pass, one beyond each fails, and so does anything that is not
 * plain decimal digits. */
static guint check_numeric_options(const char *program, const char *page_name) {
        g_autofree char *help = program_help(program);
        g_autoptr(GPtrArray) opts = help_options(help);
        g_autoptr(GRegex) range = g_regex_new("from ([0-9]+) to ([0-9]+)", 0, 0, NULL);
        guint n = 0;

        for (guint i = 0; i < opts->len; i++) {
                const HelpOption *o = opts->pdata[i];
                g_autofree char *entry = NULL, *lo_s = NULL, *hi_s = NULL, *stated = NULL;
                g_autoptr(GMatchInfo) m = NULL;
                guint64 lo, hi;

                if (!o->arg || (strcmp(o->arg, "N") != 0 && strcmp(o->arg, "SEC") != 0))
                        continue;
                n++;
                entry = option_entry(page_name, o->longopt);
                ck_assert_msg(g_regex_match(range, entry, 0, &m), "%s: --%s states no range (\"from A to B\"): %s",
                              page_name, o->longopt, entry);
                lo_s = g_match_info_fetch(m, 1);
                hi_s = g_match_info_fetch(m, 2);
                lo = g_ascii_strtoull(lo_s, NULL, 10);
                hi = g_ascii_strtoull(hi_s, NULL, 10);
                stated = g_strdup_printf("from %s to %s", lo_s, hi_s);

                for (guint k = 0; k < 2; k++) {
                        const char *v = k ? hi_s : lo_s;
                        Run r;
                        run_option(program, o->longopt, v, &r);
                        ck_assert_msg(r.exited_ok, "%s --%s=%s (%s, as %s says) is refused: %s", program,
                                      o->longopt, v, stated, page_name, r.err);
                        run_clear(&r);
                }
                {
                        g_autofree char *below = lo ? g_strdup_printf("%" G_GUINT64_FORMAT, lo - 1) : g_strdup("-1");
                        g_autofree char *above = g_strdup_printf("%" G_GUINT64_FORMAT, hi + 1);
                        g_autofree char *plus = g_strdup_printf("+%s", hi_s);
                        g_autofree char *space = g_strdup_printf(" %s", lo_s);
                        const char *bad[] = { below, above, "-1", "", "x", "1k", "0x10", plus, space,
                                              "18446744073709551617" };

                        for (guint k = 0; k < G_N_ELEMENTS(bad); k++) {
                                Run r;
                                run_option(program, o->longopt, bad[k], &r);
                                ck_assert_msg(!r.exited_ok, "%s --%s=\"%s\" is accepted (%s)", program, o->longopt,
                                              bad[k], stated);
                                ck_assert_msg(strstr(r.err, stated), "%s --%s=\"%s\": the message does not say %s: %s",
                                              program, o->longopt, bad[k], stated, r.err);
                                run_clear(&r);
                        }
                }
        }
        return n;
}

START_TEST(numeric_options_state_their_range) {
        guint n = check_numeric_options("migcompatd", "migcompatd.8") +
                  check_numeric_options("migcompatctl", "migcompatctl.1");
        /* --probe-timeout, --probe-parallel, --answer-cache at least. */
        ck_assert_uint_ge(n, 3);
}
END_TEST

START_TEST(daemon_options_documented) {
        check_options("migcompatd", "migcompatd.8");
}
END_TEST

START_TEST(ctl_options_documented) {
        check_options("migcompatctl", "migcompatctl.1");
}
END_TEST

/* The verbs of the "Commands:" block of --help: lines indented by exactly
 * two spaces; continuation lines are indented further. */
static GPtrArray *help_verbs(const char *help) {
        g_auto(GStrv) lines = g_strsplit(help, "\n", -1);
        GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
        bool in = false;

        for (char **l = lines; *l; l++) {
                if (!in) {
                        in = strcmp(*l, "Commands:") == 0;
                        continue;
                }
                if ((*l)[0] != ' ')
                        break;
                if (g_str_has_prefix(*l, "  ") && g_ascii_islower((*l)[2])) {
                        const char *end = *l + 2;
                        while (g_ascii_isalnum(*end) || *end == '-')
                                end++;
                        g_ptr_array_add(out, g_strndup(*l + 2, (gsize) (end - (*l + 2))));
                }
        }
        return out;
}

START_TEST(ctl_verbs_documented) {
        g_autofree char *help = program_help("migcompatctl");
        g_autofree char *page = read_page("migcompatctl.1");
        g_autoptr(GPtrArray) verbs = help_verbs(help);
        g_autoptr(GPtrArray) lines = section_lines(page, ".Sh", "COMMANDS");
        g_autoptr(GPtrArray) items = top_items(lines);

        ck_assert_msg(verbs->len >= 1, "migcompatctl --help lists no commands:\n%s", help);
        ck_assert_msg(items->len > 0, "migcompatctl.1 has no COMMANDS section with a list");
        for (guint i = 0; i < verbs->len; i++) {
                g_autofree char *want = g_strdup_printf(".It Cm %s", (char *) verbs->pdata[i]);
                bool found = false;
                for (guint k = 0; k < items->len && !found; k++) {
                        const char *l = items->pdata[k];
                        found = g_str_has_prefix(l, want) &&
                                (l[strlen(want)] == '\0' || l[strlen(want)] == ' ');
                }
                ck_assert_msg(found, "migcompatctl.1: command \"%s\" has no \"%s\" entry in COMMANDS",
                              (char *) verbs->pdata[i], want);
        }
        for (guint k = 0; k < items->len; k++) {
                const char *l = items->pdata[k];
                g_auto(GStrv) tok = NULL;
                bool known = false;

                ck_assert_msg(g_str_has_prefix(l, ".It Cm "), "migcompatctl.1: COMMANDS entry is not \".It Cm VERB\": %s",
                              l);
                tok = g_strsplit(l + strlen(".It Cm "), " ", 2);
                for (guint i = 0; i < verbs->len && !known; i++)
                        known = strcmp(tok[0], verbs->pdata[i]) == 0;
                ck_assert_msg(known, "migcompatctl.1 documents command \"%s\", which --help does not list",
                              tok[0]);
        }
}
END_TEST

/* The daemon's page shows the paths this build uses: every absolute path
 * that --help prints (the defaults) appears in migcompatd.8. */
START_TEST(daemon_paths_documented) {
        g_autofree char *help = program_help("migcompatd");
        g_autofree char *page = read_page("migcompatd.8");
        g_autoptr(GRegex) re = g_regex_new("(?:^|[\\s(])(/[A-Za-z0-9_./-]*[A-Za-z0-9_])", 0, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        guint n = 0;

        g_regex_match(re, help, 0, &m);
        while (g_match_info_matches(m)) {
                g_autofree char *path = g_match_info_fetch(m, 1);
                ck_assert_msg(strstr(page, path), "migcompatd.8 does not mention %s, which --help prints",
                              path);
                n++;
                g_match_info_next(m, NULL);
        }
        ck_assert_msg(n >= 5, "migcompatd --help printed %u default paths, expected 5", n);
}
END_TEST

/* ---- the D-Bus interface ---------------------------------------------------- */

static GDBusNodeInfo *load_interface_xml(char **ret_text) {
        g_autofree char *path = g_build_filename(env_dir("MC_SOURCE_DIR"), "dbus",
                                                 "org.migcompat.MigCompat1.xml", NULL);
        g_autofree char *xml = read_file(path);
        g_autoptr(GError) error = NULL;
        GDBusNodeInfo *node = g_dbus_node_info_new_for_xml(xml, &error);

        ck_assert_msg(node, "%s: %s", path, error ? error->message : "?");
        if (ret_text)
                *ret_text = g_steal_pointer(&xml);
        return node;
}

static void append_args(GString *s, GDBusArgInfo **args, const char *dir, guint indent, bool *first) {
        for (GDBusArgInfo **a = args; a && *a; a++) {
                if (!*first)
                        g_string_append_printf(s, ",\n%*s", (int) indent, "");
                *first = false;
                if (dir)
                        g_string_append_printf(s, "%-3s %s %s", dir, (*a)->signature, (*a)->name);
                else
                        g_string_append_printf(s, "%s %s", (*a)->signature, (*a)->name);
        }
}

/* The interface as the page shows it, in the manner of systemd's D-Bus
 * man pages, members in XML order. */
static char *interface_block(const GDBusInterfaceInfo *iface) {
        GString *s = g_string_new(NULL);

        g_string_append_printf(s, "interface %s {\n", iface->name);
        if (iface->methods && iface->methods[0]) {
                g_string_append(s, "  methods:\n");
                for (GDBusMethodInfo **m = iface->methods; *m; m++) {
                        guint indent = 4 + (guint) strlen((*m)->name) + 1;
                        bool first = true;
                        g_string_append_printf(s, "    %s(", (*m)->name);
                        append_args(s, (*m)->in_args, "in", indent, &first);
                        append_args(s, (*m)->out_args, "out", indent, &first);
                        g_string_append(s, ");\n");
                }
        }
        if (iface->signals && iface->signals[0]) {
                g_string_append(s, "  signals:\n");
                for (GDBusSignalInfo **g = iface->signals; *g; g++) {
                        guint indent = 4 + (guint) strlen((*g)->name) + 1;
                        bool first = true;
                        g_string_append_printf(s, "    %s(", (*g)->name);
                        append_args(s, (*g)->args, NULL, indent, &first);
                        g_string_append(s, ");\n");
                }
        }
        if (iface->properties && iface->properties[0]) {
                g_string_append(s, "  properties:\n");
                for (GDBusPropertyInfo **p = iface->properties; *p; p++) {
                        const char *access = (*p)->flags == G_DBUS_PROPERTY_INFO_FLAGS_READABLE ? "readonly "
                                             : (*p)->flags == G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE ? "writeonly "
                                                                                                : "";
                        g_string_append_printf(s, "    %s%s %s;\n", access, (*p)->signature, (*p)->name);
                }
        }
        g_string_append(s, "};\n");
        return g_string_free(s, false);
}

/* mdoc escapes used in literal displays. */
static char *unescape(const char *line) {
        GString *s = g_string_new(NULL);
        for (const char *p = line; *p; p++) {
                if (p[0] == '\\' && p[1] == 'e') {
                        g_string_append_c(s, '\\');
                        p++;
                } else if (p[0] == '\\' && p[1] == '&') {
                        p++;
                } else if (p[0] == '\\' && p[1] == '-') {
                        g_string_append_c(s, '-');
                        p++;
                } else {
                        g_string_append_c(s, *p);
                }
        }
        return g_string_free(s, false);
}

/* The literal display of section lines that starts with "interface NAME {". */
static char *page_block(GPtrArray *lines, const char *iface) {
        g_autofree char *head = g_strdup_printf("interface %s {", iface);

        for (guint i = 0; i + 1 < lines->len; i++) {
                GString *s;
                if (!g_str_has_prefix(lines->pdata[i], ".Bd -literal") ||
                    strcmp(lines->pdata[i + 1], head) != 0)
                        continue;
                s = g_string_new(NULL);
                for (guint k = i + 1; k < lines->len && strcmp(lines->pdata[k], ".Ed") != 0; k++) {
                        g_autofree char *l = unescape(lines->pdata[k]);
                        g_string_append_printf(s, "%s\n", l);
                }
                return g_string_free(s, false);
        }
        return NULL;
}

/* ".It Fn Name "sig name" ..." → the quoted words after the name. */
static GStrv fn_args(const char *line) {
        g_autoptr(GError) error = NULL;
        char **argv = NULL;
        int argc = 0;

        ck_assert_msg(g_shell_parse_argv(line, &argc, &argv, &error), "cannot read \"%s\": %s", line,
                      error->message);
        return argv;
}

static char *args_string(GDBusArgInfo **args) {
        GString *s = g_string_new(NULL);
        for (GDBusArgInfo **a = args; a && *a; a++)
                g_string_append_printf(s, "%s\"%s %s\"", s->len ? " " : "", (*a)->signature, (*a)->name);
        return g_string_free(s, false);
}

static char *words_string(char **words) {
        GString *s = g_string_new(NULL);
        for (char **w = words; w && *w; w++)
                g_string_append_printf(s, "%s\"%s\"", s->len ? " " : "", *w);
        return g_string_free(s, false);
}

static void check_interface(const char *page, GPtrArray *lines, const GDBusInterfaceInfo *iface) {
        g_autofree char *want = interface_block(iface);
        g_autofree char *have = page_block(lines, iface->name);
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        ck_assert_msg(have, "org.migcompat.MigCompat1.5: section \".Ss %s\" has no literal display "
                      "starting \"interface %s {\"; it should be:\n%s", iface->name, iface->name, want);
        ck_assert_msg(strcmp(want, have) == 0,
                      "org.migcompat.MigCompat1.5: the display of %s differs from the XML; it should be:\n%s"
                      "\nbut is:\n%s", iface->name, want, have);

        /* An entry per member, with the right arguments or type. */
        for (guint i = 0; i < lines->len; i++) {
                const char *l = lines->pdata[i];
                g_auto(GStrv) argv = NULL;

                if (!g_str_has_prefix(l, ".It Fn ") && !g_str_has_prefix(l, ".It Va "))
                        continue;
                argv = fn_args(l);
                ck_assert_msg(g_strv_length(argv) >= 3, "cannot read \"%s\"", l);
                g_hash_table_add(seen, g_strdup(argv[2]));

                if (strcmp(argv[1], "Va") == 0) {
                        const GDBusPropertyInfo *p = g_dbus_interface_info_lookup_property(
                                (GDBusInterfaceInfo *) iface, argv[2]);
                        ck_assert_msg(p, "org.migcompat.MigCompat1.5 documents property %s.%s, which the XML lacks",
                                      iface->name, argv[2]);
                        ck_assert_msg(g_strv_length(argv) == 5 && strcmp(argv[3], "Vt") == 0 &&
                                      strcmp(argv[4], p->signature) == 0,
                                      "org.migcompat.MigCompat1.5: the entry of property %s should read "
                                      "\".It Va %s Vt %s\": %s", p->name, p->name, p->signature, l);
                        continue;
                }
                {
                        const GDBusMethodInfo *m = g_dbus_interface_info_lookup_method(
                                (GDBusInterfaceInfo *) iface, argv[2]);
                        const GDBusSignalInfo *g = g_dbus_interface_info_lookup_signal(
                                (GDBusInterfaceInfo *) iface, argv[2]);
                        g_autofree char *expected = NULL, *actual = words_string(argv + 3);

                        ck_assert_msg(m || g, "org.migcompat.MigCompat1.5 documents %s.%s, which the XML lacks",
                                      iface->name, argv[2]);
                        expected = args_string(m ? m->in_args : g->args);
                        ck_assert_msg(strcmp(expected, actual) == 0,
                                      "org.migcompat.MigCompat1.5: the entry of %s should read \".It Fn %s %s\": %s",
                                      argv[2], argv[2], expected, l);
                }
        }
        for (GDBusMethodInfo **m = iface->methods; m && *m; m++)
                ck_assert_msg(g_hash_table_contains(seen, (*m)->name),
                              "org.migcompat.MigCompat1.5: method %s.%s has no \".It Fn\" entry",
                              iface->name, (*m)->name);
        for (GDBusSignalInfo **g = iface->signals; g && *g; g++)
                ck_assert_msg(g_hash_table_contains(seen, (*g)->name),
                              "org.migcompat.MigCompat1.5: signal %s.%s has no \".It Fn\" entry",
                              iface->name, (*g)->name);
        for (GDBusPropertyInfo **p = iface->properties; p && *p; p++)
                ck_assert_msg(g_hash_table_contains(seen, (*p)->name),
                              "org.migcompat.MigCompat1.5: property %s.%s has no \".It Va\" entry",
                              iface->name, (*p)->name);
        (void) page;
}

START_TEST(dbus_interfaces_documented) {
        g_autoptr(GDBusNodeInfo) node = load_interface_xml(NULL);
        g_autofree char *page = read_page("org.migcompat.MigCompat1.5");
        guint n = 0;

        for (GDBusInterfaceInfo **i = node->interfaces; i && *i; i++, n++) {
                g_autoptr(GPtrArray) lines = section_lines(page, ".Ss", (*i)->name);
                ck_assert_msg(lines->len > 0, "org.migcompat.MigCompat1.5 has no \".Ss %s\"", (*i)->name);
                check_interface(page, lines, *i);
        }
        ck_assert_uint_ge(n, 2);
}
END_TEST

/* The error names (listed in the XML's header comment, the one place the
 * interface is written down) each have an entry. */
START_TEST(dbus_errors_documented) {
        g_autofree char *xml = NULL;
        G_GNUC_UNUSED g_autoptr(GDBusNodeInfo) node = load_interface_xml(&xml);
        g_autofree char *page = read_page("org.migcompat.MigCompat1.5");
        g_autoptr(GPtrArray) lines = section_lines(page, ".Sh", "ERROR NAMES");
        g_autoptr(GRegex) re = g_regex_new("org\\.(?:migcompat\\.MigCompat1|freedesktop\\.DBus)\\.Error\\.[A-Za-z]+",
                                           0, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        guint n = 0;

        ck_assert_msg(lines->len > 0, "org.migcompat.MigCompat1.5 has no ERROR NAMES section");
        g_regex_match(re, xml, 0, &m);
        while (g_match_info_matches(m)) {
                g_autofree char *name = g_match_info_fetch(m, 0);
                g_autofree char *want = g_strdup_printf(".It Sy %s", name);
                bool found = false;
                for (guint k = 0; k < lines->len && !found; k++)
                        found = strcmp(lines->pdata[k], want) == 0;
                ck_assert_msg(found, "org.migcompat.MigCompat1.5: error %s has no \"%s\" entry in ERROR NAMES",
                              name, want);
                n++;
                g_match_info_next(m, NULL);
        }
        ck_assert_msg(n >= 4, "found only %u error names in the XML", n);
}
END_TEST

static Suite *man_suite(void) {
        Suite *s = suite_create("man");
        TCase *tc = tcase_create("lint");

        tcase_add_loop_test(tc, page_lints_clean, 0, G_N_ELEMENTS(pages));
        suite_add_tcase(s, tc);

        tc = tcase_create("programs");
        tcase_add_test(tc, daemon_options_documented);
        tcase_add_test(tc, daemon_paths_documented);
        tcase_add_test(tc, ctl_options_documented);
        tcase_add_test(tc, ctl_verbs_documented);
        tcase_add_test(tc, numeric_options_state_their_range);
        suite_add_tcase(s, tc);

        tc = tcase_create("dbus");
        tcase_add_test(tc, dbus_interfaces_documented);
        tcase_add_test(tc, dbus_errors_documented);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(man_suite)
