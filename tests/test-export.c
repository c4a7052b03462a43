/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "migcompatctl export" as the cluster programs that read it need it:
 *  - the NFD feature file stays within nfd-worker's limit (its local
 *    source ignores a file of more than 65,536 bytes whole) by the
 *    documented priority, says so on stderr, and fails (exit 2, named)
 *    when even each model's preferred version cannot fit; every line is
 *    one NFD reads as a label, a comment or a directive it knows, and the
 *    "# +expiry-time=" is RFC 3339;
 *  - --output replaces the file atomically: a reader never sees a part
 *    of it, and the old file stays when the daemon cannot answer;
 *  - --watch rewrites it when the daemon announces a change;
 *  - Placement traits are static facts (a full type keeps its traits) and
 *    --merge keeps every trait that is not migcompat's.
 * The real Placement service and Nova's own schema check are in
 * tests/test-openstack.sh. */

#include "mc-assert.h"
#include "mc-test-main.h"
#include <check.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl-labels.h"
#include "harness.h"
#include "host-fixture.h"
#include "mc-types.h"
#include "testbed.h"

#define NFD_MAX 65536

/* ---- running migcompatctl ------------------------------------------------------------- */

static int run_ctl_argv(McTestHost *f, const char *const *args, char **out, char **err) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *o = NULL, *e = NULL;
        int status;

        g_ptr_array_add(argv, mc_harness_build_path("src/migcompatctl"));
        for (; *args; args++)
                g_ptr_array_add(argv, g_strdup(*args));
        g_ptr_array_add(argv, NULL);
        status = mc_harness_run(f->h, false, (const char *const *) argv->pdata, &o, &e);
        ck_assert_msg(!strstr(e, "Sanitizer"), "sanitizer report:\n%s", e);
        if (out)
                *out = g_steal_pointer(&o);
        if (err)
                *err = g_steal_pointer(&e);
        return status;
}

#define RUN(f, out, err, ...) run_ctl_argv(f, (const char *const[]){ __VA_ARGS__, NULL }, out, err)

static char *slurp(const char *path) {
        char *data = NULL;
        ck_assert_msg(g_file_get_contents(path, &data, NULL, NULL), "cannot read %s", path);
        return data;
}

/* Files whose name starts with "." in dir: the writer's leftovers. */
static guint hidden_files(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;
        guint n = 0;
        ck_assert(d);
        while ((name = g_dir_read_name(d)))
                n += name[0] == '.';
        return n;
}

/* ---- NFD's rules ------------------------------------------------------------------------ */

/* k8s.io/apimachinery IsQualifiedName (NFD's validate.Label): an optional
 * DNS-subdomain prefix (NFD requires one) and a name of 1-63 characters of
 * [A-Za-z0-9._-] starting and ending alphanumeric; the namespace must not
 * be kubernetes.io or below it. */
static bool name_ok(const char *s, size_t len) {
        if (len == 0 || len > 63 || !g_ascii_isalnum(s[0]) || !g_ascii_isalnum(s[len - 1]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!g_ascii_isalnum(s[i]) && !strchr("-_.", s[i]))
                        return false;
        return true;
}

static bool subdomain_ok(const char *s, size_t len) {
        g_autofree char *copy = g_strndup(s, len);
        g_auto(GStrv) parts = g_strsplit(copy, ".", -1);
        if (len == 0 || len > 253 || g_str_has_suffix(copy, "kubernetes.io"))
                return false;
        for (guint i = 0; parts[i]; i++) {
                size_t l = strlen(parts[i]);
                if (l == 0 || l > 63 || parts[i][0] == '-' || parts[i][l - 1] == '-')
                        return false;
                for (size_t k = 0; k < l; k++)
                        if (!g_ascii_islower(parts[i][k]) && !g_ascii_isdigit(parts[i][k]) && parts[i][k] != '-')
                                return false;
        }
        return true;
}

/* RFC 3339 as Go's time.RFC3339 parses it, in the UTC form we write. */
static GDateTime *rfc3339(const char *s) {
        static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
        ck_assert_msg(strlen(s) == strlen(shape), "expiry %s is not YYYY-MM-DDTHH:MM:SSZ", s);
        for (size_t i = 0; shape[i]; i++)
                ck_assert_msg(shape[i] == 'd' ? g_ascii_isdigit(s[i]) : s[i] == shape[i], "expiry %s", s);
        return g_date_time_new_from_iso8601(s, NULL);
}

typedef struct {
        GPtrArray *labels;   /* keys, in file order */
        GDateTime *expiry;   /* NULL: none */
        char *note;          /* the "left out" comment, or NULL */
} NfdFile;

static void nfd_file_clear(NfdFile *n) {
        g_ptr_array_unref(n->labels);
        if (n->expiry)
                g_date_time_unref(n->expiry);
        g_free(n->note);
}

/* Read a feature file as nfd-worker v0.14+ does (source/local/local.go):
 * trimmed lines, "#" comments, "# +" directives it knows, KEY=VALUE. */
static void nfd_parse(const char *text, NfdFile *n) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        guint count = g_strv_length(lines);

        ck_assert_msg(strlen(text) <= NFD_MAX, "feature file of %zu bytes: NFD ignores it", strlen(text));
        ck_assert_msg(count > 1 && !*lines[count - 1], "the file does not end with a newline");
        n->labels = g_ptr_array_new_with_free_func(g_free);
        n->expiry = NULL;
        n->note = NULL;
        for (guint i = 0; i + 1 < count; i++) {
                const char *l = lines[i];
                const char *eq, *slash;

                ck_assert_msg(*l, "empty line %u", i + 1);
                if (g_str_has_prefix(l, "# +")) {
                        ck_assert_msg(g_str_has_prefix(l, "# +expiry-time="), "unknown directive: %s", l);
                        ck_assert_msg(!n->expiry, "two expiry lines");
                        ck_assert_msg(n->labels->len == 0, "the expiry comes after labels it should cover");
                        n->expiry = rfc3339(l + strlen("# +expiry-time="));
                        ck_assert(n->expiry);
                        continue;
                }
                if (l[0] == '#') {
                        if (strstr(l, "labels left out"))
                                n->note = g_strdup(l);
                        continue;
                }
                eq = strchr(l, '=');
                ck_assert_msg(eq && strcmp(eq, "=true") == 0, "not a LABEL=true line: %s", l);
                slash = strchr(l, '/');
                ck_assert_msg(slash && slash < eq, "label without a prefix: %s", l);
                ck_assert_msg(subdomain_ok(l, (size_t) (slash - l)), "bad label namespace: %s", l);
                ck_assert_msg(name_ok(slash + 1, (size_t) (eq - slash - 1)), "bad label name: %s", l);
                g_ptr_array_add(n->labels, g_strndup(l, (size_t) (eq - l)));
        }
}

static void assert_expiry_in(GDateTime *expiry, gint64 min_s, gint64 max_s) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        GTimeSpan d;
        ck_assert_msg(expiry, "no # +expiry-time= line");
        d = g_date_time_difference(expiry, now) / G_TIME_SPAN_SECOND;
        ck_assert_msg(d >= min_s && d <= max_s, "expiry %" G_GINT64_FORMAT " s from now, expected %" G_GINT64_FORMAT
                      "-%" G_GINT64_FORMAT, (gint64) d, min_s, max_s);
}

/* ---- a host whose labels take more than NFD reads ---------------------------------------------- */

#define BIG_TYPES 32
#define BIG_VERSIONS 8
static const char *const big_caps[] = { "stop-copy", "pre-copy", "p2p", "dirty-tracking" };

static char *big_model(guint t) {
        return g_strdup_printf("big-vendor.example/vgpu-model-%02u", t);
}

static char *big_version(guint t, guint v) {
        /* The preferred version first, as drivers list them. */
        return g_strdup_printf("r550.%u", BIG_VERSIONS - v + t % 3);
}

/* One card, BIG_TYPES types, each its own model with BIG_VERSIONS versions
 * and every capability: 32 * 8 * 5 = 1,280 labels. */
static void add_big_card(McTestbed *tb) {
        g_autofree char *p = mc_testbed_add_pci_parent(tb, "0000:3b:00.0", "bigv");

        for (guint t = 0; t < BIG_TYPES; t++) {
                g_autofree char *id = g_strdup_printf("bigv-%02u", t);
                g_autofree char *model = big_model(t);
                GString *json = g_string_new(NULL);
                McTestType type = { id, "big vGPU", NULL, "vfio-pci", 4, NULL, NULL };

                g_string_append_printf(json, "{\"models\": {\"%s\": {\"versions\": [", model);
                for (guint v = 0; v < BIG_VERSIONS; v++) {
                        g_autofree char *ver = big_version(t, v);
                        g_string_append_printf(json, "%s\"%s\"", v ? ", " : "", ver);
                }
                g_string_append(json, "], \"x-capabilities\": [\"stop-copy\", \"pre-copy\", \"p2p\", \"dirty-tracking\"]}}}\n");
                type.migration_info_json = json->str;
                mc_testbed_add_type(tb, p, &type);
                g_string_free(json, true);
        }
}

typedef struct {
        char *label;
        guint tier, pos;
} Ranked;

static gint ranked_cmp(gconstpointer a, gconstpointer b) {
        const Ranked *x = a, *y = b;
        if (x->tier != y->tier)
                return (gint) x->tier - (gint) y->tier;
        if (x->pos != y->pos)
                return (gint) x->pos - (gint) y->pos;
        return strcmp(x->label, y->label);
}

/* The priority migcompatctl(1) documents, worked out here on its own:
 * every model's preferred version, then the other versions by place, then
 * the capability labels by their version's place; ties by name. The
 * standard test host's labels join in (all fit, whatever the order). */
static GArray *big_expected(void) {
        GArray *a = g_array_new(false, false, sizeof(Ranked));
        for (guint t = 0; t < BIG_TYPES; t++) {
                g_autofree char *model = big_model(t);
                for (guint v = 0; v < BIG_VERSIONS; v++) {
                        g_autofree char *ver = big_version(t, v);
                        Ranked r = { ctl_nfd_label(model, ver, NULL), v == 0 ? 0 : 1, v };
                        g_array_append_val(a, r);
                        for (guint c = 0; c < G_N_ELEMENTS(big_caps); c++) {
                                Ranked rc = { ctl_nfd_label(model, ver, big_caps[c]), 2, v };
                                g_array_append_val(a, rc);
                        }
                }
        }
        g_array_sort(a, ranked_cmp);
        return a;
}

static void expected_free(GArray *a) {
        for (guint i = 0; i < a->len; i++)
                g_free(g_array_index(a, Ranked, i).label);
        g_array_unref(a);
}

static bool is_big(const char *label) {
        return strstr(label, "big-vendor.example_") != NULL;
}

START_TEST(nfd_big_host_within_limit) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *out = NULL, *err = NULL;
        GArray *want = big_expected();
        gsize all = 0;
        guint big = 0, k = 0;
        NfdFile n;

        add_big_card(f->tb);
        mc_harness_start_daemon(f->h, NULL);

        /* What the host offers, without the limit: the static traits list
         * every pair and capability too, one line each. */
        for (guint i = 0; i < want->len; i++)
                all += strlen(g_array_index(want, Ranked, i).label) + strlen("=true\n");
        printf("big host: %u labels of its card, %" G_GSIZE_FORMAT " bytes as LABEL=true lines\n", want->len, all);
        ck_assert_uint_eq(want->len, BIG_TYPES * BIG_VERSIONS * 5);
        ck_assert_uint_gt(all, NFD_MAX);

        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd"), 0);
        printf("file: %zu bytes; stderr: %s", strlen(out), err);
        nfd_parse(out, &n);
        ck_assert_contains(err, "warning: NFD feature file: ");
        ck_assert_contains(err, "labels left out");
        ck_assert_msg(n.note, "the file does not say that labels were left out");
        assert_expiry_in(n.expiry, 14 * 60, 15 * 60 + 5);

        /* The card's labels in the file are exactly the first ones of the
         * documented order, and the next one would not have fitted. */
        for (guint i = 0; i < n.labels->len; i++) {
                const char *l = n.labels->pdata[i];
                if (!is_big(l))
                        continue;
                ck_assert_msg(k < want->len && strcmp(l, g_array_index(want, Ranked, k).label) == 0,
                              "label %u of the card is %s, expected %s", k, l,
                              k < want->len ? g_array_index(want, Ranked, k).label : "none");
                k++;
        }
        big = k;
        ck_assert_uint_gt(big, BIG_TYPES);          /* more than the minimum */
        ck_assert_uint_lt(big, want->len);          /* but not all */
        ck_assert_uint_le(strlen(out), NFD_MAX);
        ck_assert_msg(strlen(out) + strlen(g_array_index(want, Ranked, big).label) + strlen("=true\n") > NFD_MAX,
                      "the next label (%s) would have fitted", g_array_index(want, Ranked, big).label);
        /* The standard host's own labels are all there: it has few. */
        ck_assert(g_ptr_array_find_with_equal_func(n.labels, "migcompat.org/acme.example_vgpu__v2", g_str_equal, NULL));
        ck_assert(g_ptr_array_find_with_equal_func(n.labels, "pre-copy.cap.migcompat.org/acme.example_vgpu__v1",
                                                   g_str_equal, NULL));
        {
                g_autofree char *count = g_strdup_printf("%u of %u labels left out", want->len - big,
                                                         want->len + (n.labels->len - big));
                ck_assert_contains(err, count);
        }
        nfd_file_clear(&n);
        expected_free(want);

        /* No expiry when asked so; a bad duration is a usage error. */
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--expiry", "0"), 0);
        nfd_parse(out, &n);
        ck_assert(!n.expiry);
        nfd_file_clear(&n);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--expiry", "2h"), 0);
        nfd_parse(out, &n);
        assert_expiry_in(n.expiry, 2 * 3600 - 60, 2 * 3600 + 5);
        nfd_file_clear(&n);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--expiry", "soon"), 2);
        ck_assert_contains(err, "--expiry=soon");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "json", "--expiry", "1h"), 2);
        ck_assert_contains(err, "--expiry applies to --format nfd only");
}
END_TEST

/* So many device models that their preferred versions alone exceed the
 * limit: no file at all, a named error, and the old file kept. Offline,
 * from a profile (the daemon's limits allow such a host too). */
START_TEST(nfd_minimum_too_large) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *out = NULL, *err = NULL, *after = NULL;
        g_autofree char *dir = mc_harness_mkdir(f->h, "features.d");
        g_autofree char *file = g_build_filename(dir, "migcompat", NULL);
        GString *doc = g_string_new("{\"host\": {\"hostname\": \"h\", \"machine-id\": \"m\", \"generation\": 1, "
                                    "\"daemon-version\": \"0.1.0\"}, \"implementations\": [\n");
        g_autofree char *path = NULL;

        /* 24 types of 60 models: 1,440 models of ~60-byte labels. */
        for (guint t = 0; t < 24; t++) {
                g_string_append_printf(doc, "%s{\"id\": \"mdev:p:t%u\", \"kind\": \"mdev\", \"identity\": {\"parent\": "
                                            "\"p\", \"type-id\": \"t%u\"}, \"models\": {",
                                       t ? ",\n" : "", t, t);
                for (guint m = 0; m < 60; m++)
                        g_string_append_printf(doc, "%s\"many-models.example/accelerator-%02u-%02u\": {\"versions\": [\"v1\"]}",
                                               m ? ", " : "", t, m);
                g_string_append(doc, "}, \"available-instances\": 1, \"facts-from\": \"driver\"}");
        }
        g_string_append(doc, "]}\n");
        path = mc_harness_write(f->h, "many.json", doc->str);
        g_string_free(doc, true);

        g_assert_true(g_file_set_contents(file, "old=true\n", -1, NULL));
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--profile", path, "--output", file), 2);
        ck_assert_contains(err, "NFD feature file too large: the preferred versions of the device models alone are "
                                "1440 labels of ");
        ck_assert_contains(err, "NFD ignores a file of more than 65536 bytes");
        after = slurp(file);
        ck_assert_str_eq(after, "old=true\n");
        ck_assert_uint_eq(hidden_files(dir), 0);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--profile", path), 2);
        ck_assert_str_eq(out, "");
}
END_TEST

/* ---- --output ------------------------------------------------------------------------------ */

START_TEST(output_replaces_and_keeps) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *out = NULL, *err = NULL;
        g_autofree char *dir = mc_harness_mkdir(f->h, "features.d");
        g_autofree char *nfd = g_build_filename(dir, "migcompat", NULL);
        g_autofree char *json = g_build_filename(dir, "host.json", NULL);
        g_autofree char *nfd1 = NULL, *json1 = NULL, *nfd2 = NULL, *json2 = NULL;
        struct stat st1, st2;
        NfdFile n;

        mc_harness_start_daemon(f->h, NULL);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--output", nfd), 0);
        ck_assert_str_eq(out, "");
        ck_assert_str_eq(err, "");
        nfd1 = slurp(nfd);
        nfd_parse(nfd1, &n);
        assert_expiry_in(n.expiry, 14 * 60, 15 * 60 + 5);
        ck_assert(g_ptr_array_find_with_equal_func(n.labels, "migcompat.org/acme.example_vgpu__v2", g_str_equal, NULL));
        nfd_file_clear(&n);
        ck_assert_int_eq(stat(nfd, &st1), 0);
        /* Readable by nfd-worker whoever it runs as. */
        ck_assert_uint_eq(st1.st_mode & 0777, 0644 & ~(mode_t) 022);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--output", json), 0);
        json1 = slurp(json);
        {
                g_autoptr(JsonNode) root = json_from_string(json1, NULL);
                ck_assert(root && JSON_NODE_HOLDS_OBJECT(root));
                ck_assert_uint_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(root),
                                                                                     "implementations")),
                                  10);
        }
        ck_assert_uint_eq(hidden_files(dir), 0);

        /* The daemon stops: both files stay exactly as they were. */
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--output", nfd), 3);
        ck_assert_contains(err, "migcompatctl: ");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "json", "--output", json), 3);
        nfd2 = slurp(nfd);
        json2 = slurp(json);
        ck_assert_str_eq(nfd2, nfd1);
        ck_assert_str_eq(json2, json1);
        ck_assert_int_eq(stat(nfd, &st2), 0);
        ck_assert_uint_eq(st1.st_ino, st2.st_ino);
        ck_assert_uint_eq(hidden_files(dir), 0);

        /* A directory that does not exist, or a directory as the file. */
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        {
                g_autofree char *missing = g_build_filename(dir, "no", "such", NULL);
                ck_assert_int_eq(RUN(f, &out, &err, "export", "--profile", json, "--format", "nfd", "--output", missing),
                                 2);
                ck_assert_contains(err, "cannot write ");
                ck_assert_contains(err, "no/such");
        }
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--profile", json, "--format", "nfd", "--output", dir), 2);
        ck_assert_uint_eq(hidden_files(dir), 0);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--watch"), 2);
        ck_assert_contains(err, "--watch needs --output");
}
END_TEST

/* A reader that opens and reads the file in a loop while it is rewritten
 * again and again: every read is one whole file. */
typedef struct {
        const char *path;
        volatile gint stop;
        guint reads;
        char *bad; /* the first partial content seen */
} Reader;

static gpointer reader_thread(gpointer data) {
        Reader *r = data;
        while (!g_atomic_int_get(&r->stop)) {
                g_autofree char *text = NULL;
                gsize len = 0;
                if (!g_file_get_contents(r->path, &text, &len, NULL))
                        continue;
                r->reads++;
                if (!r->bad && (len == 0 || !g_str_has_prefix(text, "# Node Feature Discovery") ||
                                !g_str_has_suffix(text, "=true\n") || !strstr(text, "# +expiry-time=") ||
                                !strstr(text, "bigv-") == !strstr(text, "big-vendor"))) {
                        r->bad = g_strndup(text, 200);
                }
                /* Leave the writer its share of a loaded machine. */
                g_usleep(200);
        }
        return NULL;
}

#define REWRITES 20

START_TEST(output_never_partial) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *dir = mc_harness_mkdir(f->h, "features.d");
        g_autofree char *file = g_build_filename(dir, "migcompat", NULL);
        g_autofree char *profile = NULL, *out = NULL, *err = NULL;
        Reader r = { .path = file };
        GThread *t;

        add_big_card(f->tb);
        mc_harness_start_daemon(f->h, NULL);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "json"), 0);
        profile = mc_harness_write(f->h, "profile.json", out);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--profile", profile, "--output", file), 0);

        t = g_thread_new("reader", reader_thread, &r);
        for (guint i = 0; i < REWRITES; i++) {
                g_clear_pointer(&out, g_free);
                g_clear_pointer(&err, g_free);
                ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--profile", profile, "--output", file),
                                 0);
        }
        g_atomic_int_set(&r.stop, 1);
        g_thread_join(t);
        printf("reader: %u reads of a ~64 KiB file during %d rewrites\n", r.reads, REWRITES);
        ck_assert_msg(!r.bad, "a reader saw a partial file: %s", r.bad);
        ck_assert_uint_gt(r.reads, REWRITES);
        ck_assert_uint_eq(hidden_files(dir), 0);
        g_free(r.bad);
}
END_TEST

/* ---- --watch -------------------------------------------------------------------------------- */

static bool wait_file_contains(const char *path, const char *needle, int timeout_ms) {
        gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
        do {
                g_autofree char *text = NULL;
                if (g_file_get_contents(path, &text, NULL, NULL) && strstr(text, needle))
                        return true;
                g_usleep(50 * 1000);
        } while (g_get_monotonic_time() < deadline);
        return false;
}

START_TEST(watch_rewrites_on_change) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *dir = mc_harness_mkdir(f->h, "features.d");
        g_autofree char *file = g_build_filename(dir, "migcompat", NULL);
        g_autofree char *ctl = mc_harness_build_path("src/migcompatctl");
        g_autofree char *errpath = g_build_filename(mc_harness_dir(f->h), "watch.err", NULL);
        g_autofree char *parent = NULL, *log = NULL, *before = NULL, *after = NULL;
        g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "DBUS_SYSTEM_BUS_ADDRESS",
                                             mc_harness_bus_address(f->h), true);
        const char *argv[] = { ctl, "export", "--watch", "--format", "nfd", "--output", file, NULL };
        g_autoptr(GError) error = NULL;
        McTestType t = { "newv-1", "new vGPU", NULL, "vfio-pci", 2,
                         "new-vendor.example/gpu:\nv7\n", NULL };
        GPid pid;
        int status = 0;
        int errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        ck_assert_int_ge(errfd, 0);
        mc_harness_start_daemon(f->h, NULL);
        env = g_environ_setenv(env, "G_SLICE", "always-malloc", true);
        ck_assert_msg(g_spawn_async_with_pipes_and_fds(mc_harness_dir(f->h), argv, (const char *const *) env,
                                                       G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, -1, -1, errfd, NULL,
                                                       NULL, 0, &pid, NULL, NULL, NULL, &error),
                      "%s", error ? error->message : "");
        close(errfd);
        ck_assert_msg(wait_file_contains(file, "migcompat.org/acme.example_vgpu__v2=true", 20000), "no first file");
        ck_assert(!wait_file_contains(file, "new-vendor.example", 200));

        /* A card with a new model is hot-plugged: the daemon announces it,
         * and the file follows. */
        parent = mc_testbed_add_pci_parent(f->tb, "0000:d8:00.0", "newv");
        mc_testbed_add_type(f->tb, parent, &t);
        mc_testbed_uevent(f->tb, parent, "add");
        ck_assert_msg(wait_file_contains(file, "migcompat.org/new-vendor.example_gpu__v7=true", 20000),
                      "the file was not rewritten: %s", (log = slurp(errpath)));
        g_clear_pointer(&log, g_free);

        /* The daemon stops: the file stays, and the watcher says so. */
        before = slurp(file);
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
        {
                gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
                while (!strstr((log = slurp(errpath)), "migcompatd left the bus") &&
                       g_get_monotonic_time() < deadline) {
                        g_clear_pointer(&log, g_free);
                        g_usleep(50 * 1000);
                }
        }
        ck_assert_contains(log, "implementations changed: wrote ");
        ck_assert_contains(log, "migcompatd left the bus");
        after = slurp(file);
        ck_assert_str_eq(after, before);

        kill(pid, SIGTERM);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "watch exited with %d:\n%s", status, log);
        ck_assert_uint_eq(hidden_files(dir), 0);
}
END_TEST

/* With an expiry, the watch rewrites the file at half of it with nothing
 * else happening: the labels never lapse while it runs. */
START_TEST(watch_refreshes_before_expiry) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *dir = mc_harness_mkdir(f->h, "features.d");
        g_autofree char *file = g_build_filename(dir, "migcompat", NULL);
        g_autofree char *ctl = mc_harness_build_path("src/migcompatctl");
        g_autofree char *first = NULL, *log = NULL;
        g_autofree char *errpath = g_build_filename(mc_harness_dir(f->h), "watch.err", NULL);
        g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "DBUS_SYSTEM_BUS_ADDRESS",
                                             mc_harness_bus_address(f->h), true);
        const char *argv[] = { ctl, "export", "--watch", "--format=nfd", "--expiry=4s", "--output", file, NULL };
        g_autoptr(GError) error = NULL;
        gint64 deadline;
        GPid pid;
        int status = 0;
        int errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        NfdFile a, b;

        ck_assert_int_ge(errfd, 0);
        mc_harness_start_daemon(f->h, NULL);
        env = g_environ_setenv(env, "G_SLICE", "always-malloc", true);
        ck_assert_msg(g_spawn_async_with_pipes_and_fds(NULL, argv, (const char *const *) env, G_SPAWN_DO_NOT_REAP_CHILD,
                                                       NULL, NULL, -1, -1, errfd, NULL, NULL, 0, &pid, NULL, NULL,
                                                       NULL, &error),
                      "%s", error ? error->message : "");
        close(errfd);
        ck_assert(wait_file_contains(file, "# +expiry-time=", 20000));
        first = slurp(file);
        nfd_parse(first, &a);
        /* Rewritten after about 2 s, the new expiry later than the old. */
        deadline = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
        for (;;) {
                g_autofree char *now = slurp(file);
                if (strcmp(now, first) != 0) {
                        nfd_parse(now, &b);
                        break;
                }
                ck_assert_msg(g_get_monotonic_time() < deadline, "not rewritten within 15 s: %s",
                              (log = slurp(errpath)));
                g_usleep(100 * 1000);
        }
        ck_assert_int_gt(g_date_time_compare(b.expiry, a.expiry), 0);
        assert_expiry_in(b.expiry, 1, 5);
        nfd_file_clear(&a);
        nfd_file_clear(&b);

        /* The system bus itself goes away: the watch ends with status 3,
         * for the service manager to restart it. */
        mc_harness_stop_bus(f->h);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        log = slurp(errpath);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 3, "exit %d:\n%s", status, log);
        ck_assert_contains(log, "refresh: wrote ");
        ck_assert_contains(log, "the connection to the system bus was lost");
}
END_TEST

/* ---- Placement -------------------------------------------------------------------------------- */

START_TEST(placement_static_traits_and_merge) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *out = NULL, *err = NULL, *traits_all = NULL;
        g_autofree char *current = NULL;

        /* Every acme type is full: no NFD label ("can land now"), but the
         * traits (static facts) stay. */
        mc_testbed_set_available(f->tb, f->acme, "acme_vgpu-1", 0);
        mc_testbed_set_available(f->tb, f->acme, "acme_vgpu-2", 0);
        mc_testbed_set_available(f->tb, f->acme, "acme_vgpu-4", 0);
        mc_harness_start_daemon(f->h, NULL);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd"), 0);
        ck_assert(!strstr(out, "acme.example"));
        ck_assert_contains(out, "migcompat.org/vendor-a.com_my-nic__v2=true");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &traits_all, &err, "export", "--format", "placement"), 0);
        ck_assert_contains(traits_all, "CUSTOM_MIGCOMPAT_ACME_EXAMPLE_VGPU_V_V2_H89578D3EB6FE\n");
        ck_assert_contains(traits_all, "CUSTOM_MIGCOMPAT_ACME_EXAMPLE_VGPU_V_V2_H89578D3EB6FE_PRE_COPY\n");

        /* The PUT body: Nova's and the operator's traits kept, a stale
         * migcompat trait gone, this host's added, the generation kept. */
        g_clear_pointer(&err, g_free);
        current = mc_harness_write(f->h, "current.json",
                                   "{\"traits\": [\"COMPUTE_NET_ATTACH_INTERFACE\", \"HW_CPU_X86_AVX2\", "
                                   "\"CUSTOM_RACK_7\", \"CUSTOM_MIGCOMPAT_GONE_V_V1_H000000000000\"], "
                                   "\"resource_provider_generation\": 12}");
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "placement", "--merge", current), 0);
        {
                g_autoptr(JsonNode) root = json_from_string(out, NULL);
                JsonObject *o;
                JsonArray *a;
                g_autoptr(GPtrArray) got = g_ptr_array_new();
                g_auto(GStrv) ours = g_strsplit(traits_all, "\n", -1);
                ck_assert(root && JSON_NODE_HOLDS_OBJECT(root));
                o = json_node_get_object(root);
                ck_assert_int_eq(json_object_get_int_member(o, "resource_provider_generation"), 12);
                a = json_object_get_array_member(o, "traits");
                for (guint i = 0; i < json_array_get_length(a); i++)
                        g_ptr_array_add(got, (gpointer) json_array_get_string_element(a, i));
                ck_assert(g_ptr_array_find_with_equal_func(got, "COMPUTE_NET_ATTACH_INTERFACE", g_str_equal, NULL));
                ck_assert(g_ptr_array_find_with_equal_func(got, "HW_CPU_X86_AVX2", g_str_equal, NULL));
                ck_assert(g_ptr_array_find_with_equal_func(got, "CUSTOM_RACK_7", g_str_equal, NULL));
                ck_assert(!g_ptr_array_find_with_equal_func(got, "CUSTOM_MIGCOMPAT_GONE_V_V1_H000000000000",
                                                            g_str_equal, NULL));
                for (guint i = 0; ours[i] && *ours[i]; i++)
                        ck_assert_msg(g_ptr_array_find_with_equal_func(got, ours[i], g_str_equal, NULL), "%s missing",
                                      ours[i]);
                ck_assert_uint_eq(got->len, 3 + g_strv_length(ours) - 1);
        }

        /* What GET does not answer is refused. */
        {
                static const char *const bad[] = { "[]", "{\"traits\": []}", "{\"traits\": [1], \"resource_provider_generation\": 1}",
                                                   "{\"traits\": [], \"resource_provider_generation\": \"1\"}", "not json" };
                for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
                        g_autofree char *p = mc_harness_write(f->h, "bad.json", bad[i]);
                        g_clear_pointer(&out, g_free);
                        g_clear_pointer(&err, g_free);
                        ck_assert_msg(RUN(f, &out, &err, "export", "--format", "placement", "--merge", p) == 2, "%s", bad[i]);
                        ck_assert_contains(err, "the provider's trait");
                }
        }
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--merge", current), 2);
        ck_assert_contains(err, "--merge applies to --format placement only");
}
END_TEST


/* migcompatctl(1)'s feature file example is what the demo host's profile
 * gives: its comment lines and its first labels, in order, as they are. */
START_TEST(nfd_man_example) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *page_path = mc_harness_source_path("man/migcompatctl.1.in");
        g_autofree char *profile = mc_harness_source_path("data/demo/host-profile.json");
        g_autofree char *page = slurp(page_path);
        g_autofree char *out = NULL, *err = NULL;
        const char *begin = strstr(page, ".\\\" nfd-example-begin");
        const char *end = strstr(page, ".\\\" nfd-example-end");
        g_auto(GStrv) lines = NULL;
        g_auto(GStrv) real = NULL;
        guint k = 0, shown = 0;
        NfdFile n;

        ck_assert_msg(begin && end && begin < end, "no marked example in the page");
        {
                g_autofree char *block = g_strndup(begin, (gsize) (end - begin));
                lines = g_strsplit(block, "\n", -1);
        }
        ck_assert_int_eq(RUN(f, &out, &err, "export", "--format", "nfd", "--profile", profile), 0);
        nfd_parse(out, &n);
        real = g_strsplit(out, "\n", -1);
        for (guint i = 0; lines[i]; i++) {
                const char *l = lines[i];
                if (l[0] == '.' || !*l)
                        continue; /* the macros around the example */
                ck_assert_msg(real[k], "the page shows more lines than there are: %s", l);
                if (g_str_has_prefix(l, "# +expiry-time=")) {
                        g_autoptr(GDateTime) t = rfc3339(l + strlen("# +expiry-time="));
                        ck_assert(t);
                        ck_assert(g_str_has_prefix(real[k], "# +expiry-time="));
                } else {
                        ck_assert_msg(strcmp(l, real[k]) == 0, "the page shows\n  %s\nthe program writes\n  %s", l,
                                      real[k]);
                }
                k++;
                shown += !g_str_has_prefix(l, "#");
        }
        ck_assert_uint_ge(shown, 5);
        ck_assert_uint_gt(n.labels->len, shown);
        nfd_file_clear(&n);
}
END_TEST

/* ---- the shipped unit ------------------------------------------------------------------------- */

static int spawn_sync(const char *const *argv, char **out, char **err) {
        g_autoptr(GError) error = NULL;
        int status = 0;
        ck_assert_msg(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err, &status,
                                   &error),
                      "%s: %s", argv[0], error ? error->message : "");
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *unit_value(const char *unit, const char *key) {
        g_auto(GStrv) lines = g_strsplit(unit, "\n", -1);
        g_autofree char *prefix = g_strconcat(key, "=", NULL);
        char *value = NULL;
        for (guint i = 0; lines[i]; i++)
                if (g_str_has_prefix(lines[i], prefix)) {
                        ck_assert_msg(!value, "%s= twice", key);
                        value = g_strdup(lines[i] + strlen(prefix));
                }
        return value;
}

/* migcompat-nfd.service passes systemd-analyze verify, is sandboxed (its
 * exposure printed), may write the one directory its ExecStart writes to,
 * and its very command line, run inside an approximation of its sandbox
 * (tests/service-sandbox.sh: everything read-only but that directory, no
 * capability, no new privileges), keeps the file there current. */
START_TEST(nfd_unit) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *path = mc_harness_build_path("tests/service/migcompat-nfd.service");
        g_autofree char *unit = slurp(path);
        g_autofree char *exec = unit_value(unit, "ExecStart");
        g_autofree char *rw = unit_value(unit, "ReadWritePaths");
        g_autofree char *out = NULL, *err = NULL, *output = NULL, *sandbox = NULL, *log = NULL;
        g_autofree char *dir = mc_harness_mkdir(f->h, "features.d");
        g_autofree char *file = g_build_filename(dir, "migcompat", NULL);
        g_autofree char *errpath = g_build_filename(mc_harness_dir(f->h), "unit.err", NULL);
        g_auto(GStrv) args = NULL;
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "DBUS_SYSTEM_BUS_ADDRESS",
                                             mc_harness_bus_address(f->h), true);
        g_autoptr(GError) error = NULL;
        GPid pid;
        int status = 0, errfd;

        {
                const char *verify[] = { "systemd-analyze", "verify", "--man=no", path, NULL };
                int r = spawn_sync(verify, &out, &err);
                ck_assert_msg(r == 0 && !strstr(out, "migcompat-nfd") && !strstr(err, "migcompat-nfd"),
                              "systemd-analyze verify: %d\n%s%s", r, out, err);
                g_clear_pointer(&out, g_free);
                g_clear_pointer(&err, g_free);
        }
        {
                const char *security[] = { "systemd-analyze", "security", "--offline=true", "--no-pager", path, NULL };
                const char *overall;
                ck_assert_int_eq(spawn_sync(security, &out, &err), 0);
                overall = strstr(out, "Overall exposure level for migcompat-nfd.service: ");
                ck_assert(overall);
                overall += strlen("Overall exposure level for migcompat-nfd.service: ");
                printf("migcompat-nfd.service exposure: %.40s\n", overall);
                ck_assert_msg(g_ascii_strtod(overall, NULL) <= 1.0, "exposure %.20s above 1.0", overall);
                g_clear_pointer(&out, g_free);
                g_clear_pointer(&err, g_free);
        }
        for (const char *must = "ProtectSystem=strict\nNoNewPrivileges=yes\nCapabilityBoundingSet=\n"
                                "PrivateNetwork=yes\nRestrictAddressFamilies=AF_UNIX\nPrivateUsers=yes\n";
             *must;) {
                const char *nl = strchr(must, '\n');
                g_autofree char *line = g_strndup(must, (gsize) (nl - must + 1));
                ck_assert_msg(strstr(unit, line), "the unit lacks %s", line);
                must = nl + 1;
        }

        /* ReadWritePaths= is the directory of --output=, and nothing else. */
        ck_assert(exec && rw);
        ck_assert_msg(g_shell_parse_argv(exec, NULL, &args, &error), "%s", error ? error->message : "");
        for (guint i = 0; args[i]; i++)
                if (g_str_has_prefix(args[i], "--output="))
                        output = g_strdup(args[i] + strlen("--output="));
        ck_assert(output);
        {
                g_autofree char *odir = g_path_get_dirname(output);
                ck_assert_str_eq(odir, rw);
        }

        /* The same command line, its directory moved below the test's. */
        mc_harness_start_daemon(f->h, NULL);
        sandbox = mc_harness_source_path("tests/service-sandbox.sh");
        g_ptr_array_add(argv, g_strdup("/bin/sh"));
        g_ptr_array_add(argv, g_strdup(sandbox));
        g_ptr_array_add(argv, g_strdup(dir));
        for (guint i = 0; args[i]; i++)
                g_ptr_array_add(argv, g_str_has_prefix(args[i], "--output=") ? g_strconcat("--output=", file, NULL)
                                                                            : g_strdup(args[i]));
        g_ptr_array_add(argv, NULL);
        env = g_environ_setenv(env, "G_SLICE", "always-malloc", true);
        errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        ck_assert_int_ge(errfd, 0);
        ck_assert_msg(g_spawn_async_with_pipes_and_fds(NULL, (const char *const *) argv->pdata, (const char *const *) env,
                                                       G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, -1, -1, errfd, NULL,
                                                       NULL, 0, &pid, NULL, NULL, NULL, &error),
                      "%s", error ? error->message : "");
        close(errfd);
        ck_assert_msg(wait_file_contains(file, "migcompat.org/acme.example_vgpu__v2=true", 20000),
                      "the unit's command wrote nothing in its sandbox: %s", (log = slurp(errpath)));
        g_clear_pointer(&log, g_free);
        /* A rewrite, in the sandbox too: a card with a new model arrives. */
        {
                McTestType t = { "newv-1", "new vGPU", NULL, "vfio-pci", 2, "new-vendor.example/gpu:\nv7\n", NULL };
                g_autofree char *parent = mc_testbed_add_pci_parent(f->tb, "0000:d8:00.0", "newv");
                mc_testbed_add_type(f->tb, parent, &t);
                mc_testbed_uevent(f->tb, parent, "add");
                ck_assert_msg(wait_file_contains(file, "migcompat.org/new-vendor.example_gpu__v7=true", 20000),
                              "not rewritten in the sandbox: %s", (log = slurp(errpath)));
                g_clear_pointer(&log, g_free);
        }
        kill(pid, SIGTERM);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        log = slurp(errpath);
        printf("the unit's command in its sandbox said:\n%s", log);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit %d:\n%s", status, log);
        ck_assert_contains(log, "start: wrote ");
        ck_assert_contains(log, "implementations changed: wrote ");
        ck_assert_uint_eq(hidden_files(dir), 0);
}
END_TEST

static Suite *export_suite(void) {
        Suite *s = suite_create("export");
        TCase *tc = tcase_create("export");

        tcase_set_timeout(tc, 180);
        tcase_add_test(tc, nfd_big_host_within_limit);
        tcase_add_test(tc, nfd_minimum_too_large);
        tcase_add_test(tc, output_replaces_and_keeps);
        tcase_add_test(tc, output_never_partial);
        tcase_add_test(tc, watch_rewrites_on_change);
        tcase_add_test(tc, watch_refreshes_before_expiry);
        tcase_add_test(tc, placement_static_traits_and_merge);
        tcase_add_test(tc, nfd_unit);
        tcase_add_test(tc, nfd_man_example);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(export_suite)
